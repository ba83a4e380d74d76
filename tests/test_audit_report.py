"""The end of an audit: the close confirmation, what closing marks missing (and
what it leaves alone), missing items that turn up, and the report as a page,
a CSV and a PDF that carries codes as text and no QR.

Every test reads what the app returns and checks the rows behind it.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import threading
from dataclasses import dataclass
from datetime import UTC, date, timedelta

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from app.audits import audits
from app.audits import report as audit_report
from app.custody import custody, maintenance
from app.errors import Refused
from app.models import Asset, Audit, AuditTick, Event
from app.ops import settings
from app.spreadsheets.csvfiles import to_csv

from . import factories
from .audit_kit import (
    CARD,
    LIVE,
    a_lead,
    active_ticks,
    events_of,
    flash,
    fresh,
    hand_to,
    hidden_values,
    page_after,
    pretty,
    seen_count,
    signed_in,
    tick,
)
from .custody_kit import card, new_key
from .label_kit import pdf_info, pdf_text
from .pages import path_of, soup_of

FORMULA = ("=", "+", "-", "@", "\t", "\r")


# Closing -------------------------------------------------------------------------------


@dataclass
class Walk:
    """A building audit part-walked: one item seen, the others in every other state."""

    audit: Audit
    seen: Asset  # the drill, ticked
    held: Asset  # the cable, out with Pat Holder
    repair: Asset  # the saw, in for repair
    faulty: Asset  # a do-not-use fault, unseen
    spare: Asset  # available, unseen
    early: Asset  # available, unseen, a lead marks it missing before closing
    gone: Asset  # retired after the audit started


@pytest.fixture
def walk(site) -> Walk:
    lead = site.lead

    def extra(name, where):
        return factories.make_asset(lead, name=name, location=where.id)

    faulty, spare = extra("Grinder", site.room_one), extra("Spare bulb", site.room_two)
    early, gone = extra("Tape measure", site.room_two), extra("Old kettle", site.room_one)
    maintenance.report_fault(faulty.code, actor=lead, description="Sparks", severity="do_not_use")
    maintenance.start_repair(site.saw.code, actor=lead)
    hand_to(site.cable, factories.make_holder("Pat Holder"))
    audit = audits.start("Q4 building", actor=lead, location_id=site.building.id)
    audits.tick(audit.id, site.drill.code, actor=factories.make_user("member", password=None))
    custody.retire(gone.code, actor=lead, reason="scrapped")
    return Walk(audit, site.drill, site.cable, site.saw, faulty, spare, early, gone)


def statuses(walk: Walk) -> dict[str, str]:
    names = ["seen", "held", "repair", "faulty", "spare", "early", "gone"]
    return {name: fresh(getattr(walk, name)).status for name in names}


def test_close_asks_first_and_changes_nothing(client, auth, walk):
    """GET close is a confirmation saying how many were seen; the audit still runs."""
    auth.login("lead")
    before = (statuses(walk), Event.select().count())
    soup, response = client.soup(f"/audits/{walk.audit.id}/close")
    assert response.status_code == 200
    assert soup.h1.get_text(strip=True) == "Close this audit?"
    said = soup.select_one("main h1").find_next("p").get_text(" ", strip=True)
    assert said == "1 of 7 expected items were seen."
    form = soup.select_one("main form[method=post]")
    assert form["action"] == f"/audits/{walk.audit.id}/close"
    assert form.button.get_text(strip=True) == "Close audit"
    assert (statuses(walk), Event.select().count()) == before
    assert fresh(walk.audit).status == "running"


def test_close_marks_unseen_items_missing_once_each(client, auth, walk):
    """Unseen, unheld, available or faulty items go missing with one event each; no others."""
    lead = auth.login("lead")
    audit = walk.audit
    room = walk.early.location_id or "none"
    soup, _ = client.soup(f"/audits/{audit.id}?room={room}")
    [early_form] = [
        f for f in soup.select("#room-list form") if f.find("input", value=walk.early.code)
    ]
    assert early_form["action"] == f"/audits/{audit.id}/missing"
    soup = page_after(client, client.form(early_form["action"], {"code": walk.early.code}))
    assert flash(soup) == "Marked missing."
    assert fresh(walk.early).status == "missing"

    response = client.form(f"/audits/{audit.id}/close")
    assert path_of(response) == f"/audits/{audit.id}/report"
    soup = page_after(client, response)
    assert flash(soup) == "Audit closed. 2 items marked missing."
    assert statuses(walk) == {
        "seen": "available",
        "held": "checked_out",
        "repair": "in_repair",
        "faulty": "missing",
        "spare": "missing",
        "early": "missing",
        "gone": "retired",
    }
    for name in ("faulty", "spare", "early"):
        [event] = events_of("marked_missing", getattr(walk, name))
        assert (event.actor_id, event.data) == (lead.id, {"audit_id": audit.id}), name
    assert len(events_of("marked_missing")) == 3
    audit = fresh(audit)
    assert (audit.status, audit.closed_by_id) == ("closed", lead.id)
    assert audit.closed_at is not None
    [closed] = events_of("audit_closed")
    assert closed.data == {"audit_id": audit.id, "marked_missing": 2}


def test_closing_again_is_refused(client, auth, walk):
    """A second close says it is already closed and writes nothing."""
    lead = auth.login("lead")
    audits.close(walk.audit.id, actor=lead)
    closed_at, before = fresh(walk.audit).closed_at, Event.select().count()
    soup = page_after(client, client.form(f"/audits/{walk.audit.id}/close"))
    assert flash(soup) == "This audit is already closed."
    assert fresh(walk.audit).closed_at == closed_at and Event.select().count() == before
    with pytest.raises(Refused):
        audits.close(walk.audit.id, actor=lead)


@pytest.mark.parametrize("case", ["audit closed", "not in this audit"])
def test_mark_missing_only_for_an_item_this_running_audit_expects(client, auth, walk, site, case):
    """ "Mark missing" posted after close, or for an item outside the scope, changes nothing."""
    lead = auth.login("lead")
    target = walk.spare if case == "audit closed" else site.ladder
    if case == "audit closed":  # it was marked missing at close, then turned up
        audits.close(walk.audit.id, actor=lead)
        custody.check_out(target.code, actor=lead, today=date.today())
        custody.check_in(target.code, actor=lead)
    before, marked = Event.select().count(), len(events_of("marked_missing", target))
    response = client.form(f"/audits/{walk.audit.id}/missing", {"code": target.code})
    soup = page_after(client, response)
    assert flash(soup) != "Marked missing."
    assert fresh(target).status == "available"
    # Nothing new: (after close, the one marked_missing is close's own.)
    assert Event.select().count() == before
    assert len(events_of("marked_missing", target)) == marked


def test_ticks_after_close_are_refused(app, walk):
    """Ticking a closed audit, plain or htmx, says it is closed and writes no tick."""
    _, c = signed_in(app)
    audits.close(walk.audit.id, actor=a_lead())
    before = (AuditTick.select().count(), Event.select().count())
    soup = page_after(c, tick(c, walk.audit, walk.spare.code))
    assert flash(soup) == "This audit is closed."
    assert soup.select_one("form[action$='/tick']") is None
    response = tick(c, walk.audit, walk.spare.code, htmx=LIVE)
    assert response.status_code == 409
    assert flash(soup_of(response)) == "This audit is closed."
    assert (AuditTick.select().count(), Event.select().count()) == before
    assert fresh(walk.spare).status == "missing"


def test_seen_button_pressed_after_close_answers_the_card(app, walk):
    """A "Seen ✓" tapped after close gets a 409 fragment with the flash, not a redirect."""
    _, c = signed_in(app)
    soup, _ = c.soup(f"/A/{walk.spare.code}")
    form = soup.select_one("section#audit-card form")
    values = hidden_values(form)
    audits.close(walk.audit.id, actor=a_lead())
    response = c.form(form["action"], values, htmx=CARD)
    assert response.status_code == 409
    assert "<html" not in response.get_data(as_text=True)
    fragment = soup_of(response)
    assert fragment.select_one('div#flash[hx-swap-oob="true"]').get_text(strip=True) == (
        "This audit is closed."
    )
    assert AuditTick.select().where(AuditTick.asset == walk.spare.id).count() == 0


# Found after missing ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["check out", "move", "tick"])
def test_a_missing_item_that_turns_up_is_found_first(client, auth, site, how):
    """Checked out, moved or ticked in a new audit: `found` first, then the action's event."""
    first = audits.start("First", actor=site.lead, location_id=site.room_two.id)
    audits.close(first.id, actor=site.lead)
    assert fresh(site.saw).status == "missing"
    second = audits.start("Second", actor=site.lead, location_id=site.building.id)
    lead = auth.login("lead")
    since = Event.select().count()
    if how == "check out":
        response = client.form(f"/A/{site.saw.code}/checkout", {"key": new_key()})
        expected = ("checked_out", lead.id, "checked_out")
    elif how == "move":
        response = client.form(f"/A/{site.saw.code}/move", {"location": site.room_one.id})
        expected = ("available", None, "moved")
    else:
        response = tick(client, second, site.saw.code)
        expected = ("available", None, "audited")
    assert response.status_code == 303
    saw = fresh(site.saw)
    assert (saw.status, saw.holder_id) == expected[:2]
    added = list(Event.select().order_by(Event.id).offset(since))
    assert [(e.kind, e.asset_id, e.actor_id) for e in added] == [
        ("found", site.saw.id, lead.id),
        (expected[2], site.saw.id, lead.id),
    ]
    soup, _ = client.soup(f"/A/{site.saw.code}")
    assert card(soup)["status"].startswith(saw.status_label)
    if how == "tick":
        assert seen_count(second) == 1


# The report ------------------------------------------------------------------------------


@dataclass
class Reported:
    audit: Audit
    formulas: list[Asset]  # unseen, named like spreadsheet formulas


@pytest.fixture
def reported(site) -> Reported:
    """A closed building audit with one of each result, walked by Ann and Bob for 90 minutes."""
    lead = site.lead
    quinn = factories.make_holder("Quinn Holder")
    formulas = [
        factories.make_asset(lead, name="=SUM(A1:A9)", location=site.room_one.id),
        factories.make_asset(lead, name="+44 call", location=site.room_two.id),
        factories.make_asset(lead, name="@admin", location=site.room_two.id),
    ]
    custody.check_out(formulas[0].code, actor=lead, today=date.today(), holder_id=quinn.id)
    custody.check_in(formulas[0].code, actor=lead)
    hand_to(site.cable, factories.make_holder("Pat Holder"))
    audit = audits.start("Q4 building", actor=lead, location_id=site.building.id)
    ann = factories.make_user("member", name="Ann Auditor", password=None)
    bob = factories.make_user("member", name="Bob Auditor", password=None)
    here = site.room_one.id
    audits.tick(audit.id, site.drill.code, actor=ann, room_id=here)
    audits.tick(audit.id, site.ladder.code, actor=ann, room_id=here)
    audits.tick(audit.id, "=1+2", actor=ann, room_id=here)
    saw = audits.tick(audit.id, site.saw.code, actor=bob, room_id=here)
    audits.resolve_elsewhere(saw.tick.id, actor=lead, move=True)
    started = audit.started_at - timedelta(minutes=90)
    Audit.update(started_at=started).where(Audit.id == audit.id).execute()
    audits.close(audit.id, actor=lead)
    return Reported(fresh(audit), [fresh(a) for a in formulas])


def report_tables(soup) -> dict[str, list[list[str]]]:
    """Each titled table of the report: heading → rows of cell texts."""
    return {
        h2.get_text(strip=True): [
            [td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in h2.find_next("table").select("tbody tr")
        ]
        for h2 in soup.select("main .report h2")
    }


TOKYO = timedelta(hours=9)  # UTC+9 all year: a time read in UTC is always off


def last_seen(asset: Asset) -> str:
    """As the report words it, in the organisation's zone (Tokyo, in these tests)."""
    a = fresh(asset)
    return f"last seen {a.last_seen_at + TOKYO:%d %b %Y %H:%M}" if a.last_seen_at else "never seen"


def test_report_page_counts_and_lists(client, auth, site, reported):
    """The report shows each count, the missing with last seen/holder/place, auditors,
    duration; times as the organisation reads them."""
    settings.save({"timezone": "Asia/Tokyo"})
    auth.login("lead")
    soup, response = client.soup(f"/audits/{reported.audit.id}/report")
    assert response.status_code == 200
    counts = {
        tr.th.get_text(strip=True): tr.td.get_text(strip=True)
        for tr in soup.select("main table.counts-table tr")
    }
    assert counts == {
        "Expected": "6",
        "Seen": "2",
        "Missing": "3",
        "With holder": "1",
        "Seen elsewhere": "1",
        "Unexpected": "2",
        "Auditors": "Ann Auditor, Bob Auditor",
        "Duration": "90 min",
    }
    total, call, admin = reported.formulas
    tables = report_tables(soup)
    assert tables["Missing (3)"] == [
        [pretty(call.code), "+44 call", f"{last_seen(call)}; last at Room Two"],
        [
            pretty(total.code),
            "=SUM(A1:A9)",
            f"{last_seen(total)}; last holder Quinn Holder; last at Room One",
        ],
        [pretty(admin.code), "@admin", f"{last_seen(admin)}; last at Room Two"],
    ]
    assert fresh(total).last_seen_at is not None
    assert tables["With holder (1)"] == [[pretty(site.cable.code), "Cable", "out with Pat Holder"]]
    assert tables["Seen elsewhere (1)"] == [
        [pretty(site.saw.code), "Saw", "seen in Room One (location updated)", "Bob Auditor"]
    ]
    assert tables["Unexpected (2)"] == [
        [pretty(site.ladder.code), "Ladder", "seen in Room One", "Ann Auditor"],
        ["=1+2", "", "not a tagtrail asset code", "Ann Auditor"],
    ]
    assert [m.status for m in map(fresh, reported.formulas)] == ["missing"] * 3


def test_report_csv_has_one_row_per_line_and_no_formulas(client, auth, site, reported):
    """report.csv: a header, a row per item with its result, and formula-like text quoted
    with '; times in the organisation's zone, as the history export's."""
    settings.save({"timezone": "Asia/Tokyo"})
    auth.login("lead")
    response = client.get(f"/audits/{reported.audit.id}/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        rf'attachment; filename="audit-{reported.audit.id}-\d{{4}}-\d{{2}}-\d{{2}}\.csv"',
        disposition,
    )
    text = response.get_data().decode("utf-8-sig")  # Excel's byte-order mark first
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["code", "name", "result", "detail", "by", "seen at", "last seen"]
    by_code = {row[0]: row[1:5] for row in rows}
    assert len(rows) == len(by_code) == 8
    total, call, admin = reported.formulas
    drill_tick = active_ticks(reported.audit, site.drill)[0]
    assert by_code == {
        site.drill.code: ["Drill", "seen", "Room One", "Ann Auditor"],
        site.saw.code: [
            "Saw",
            "seen elsewhere",
            "seen in Room One (location updated)",
            "Bob Auditor",
        ],
        site.cable.code: ["Cable", "with holder", "out with Pat Holder", ""],
        total.code: ["'=SUM(A1:A9)", "missing", by_code[total.code][2], ""],
        call.code: ["'+44 call", "missing", by_code[call.code][2], ""],
        admin.code: ["'@admin", "missing", by_code[admin.code][2], ""],
        site.ladder.code: ["Ladder", "unexpected", "seen in Room One", "Ann Auditor"],
        "'=1+2": ["", "unknown", "not a tagtrail asset code", "Ann Auditor"],
    }
    assert by_code[total.code][2].endswith("last holder Quinn Holder; last at Room One")
    assert [row[5:] for row in rows if row[0] == site.drill.code] == [
        [f"{drill_tick.at + TOKYO:%Y-%m-%d %H:%M}", ""]
    ]
    # One missing, seen before the audit: when it last was, and no "seen at".
    seen_before = fresh(total).last_seen_at
    assert [row[5:] for row in rows if row[0] == total.code] == [
        ["", f"{seen_before + TOKYO:%Y-%m-%d %H:%M}"]
    ]
    assert by_code[call.code][2] == f"{last_seen(call)}; last at Room Two"
    assert not any(cell.startswith(FORMULA) for row in rows for cell in row)


@given(st.text(max_size=30))
def test_csv_cells_never_start_like_a_formula(text):
    """Whatever a name holds, its CSV cell reads back as the text, quoted with ' if formula-like."""
    report = audit_report.Report(
        audit=None, scope="", zone=UTC, lines=[audit_report.Line("7K3M9Q", text, "missing")]
    )
    data = to_csv(audit_report.CSV_HEADER, audit_report.csv_rows(report)).decode("utf-8-sig")
    [_, row] = list(csv.reader(io.StringIO(data, newline="")))
    assert not row[1].startswith(FORMULA)
    assert row[1] == ("'" + text if text.startswith(FORMULA) else text)


def test_report_pdf_has_codes_as_text_and_no_barcode(client, auth, site, reported, tmp_path):
    """report.pdf: its text carries the codes, and its pages hold no barcode of any kind."""
    auth.login("lead")
    response = client.get(f"/audits/{reported.audit.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    assert pdf.startswith(b"%PDF-") and int(pdf_info(pdf)["Pages"]) >= 1
    text = pdf_text(pdf)
    assert "Audit report: Q4 building" in text
    # Every line the report lists (seen-as-expected items are only counted there).
    codes = [site.saw.code, site.cable.code, site.ladder.code]
    codes += [a.code for a in reported.formulas]
    assert [c for c in codes if pretty(c) not in text] == []
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", str(source), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == int(pdf_info(pdf)["Pages"])
    found = []
    for path in pages:
        with Image.open(path) as image:
            assert image.convert("L").getextrema()[0] < 128  # something dark was drawn
            found += zxingcpp.read_barcodes(image)
    assert [(b.format, b.text, b.position) for b in found] == []


def test_a_busy_worker_says_so_without_naming_labels(client, auth, reported, monkeypatch):
    """The render queue is shared: a full one turns the report PDF back to the
    report page, saying the server is busy with PDFs, not "label printing"."""
    from app import worker

    slots = threading.BoundedSemaphore(1)
    slots.acquire()
    monkeypatch.setattr(worker, "_slots", slots)
    auth.login("lead")
    response = client.get(f"/audits/{reported.audit.id}/report.pdf")
    assert (response.status_code, path_of(response)) == (
        303,
        f"/audits/{reported.audit.id}/report",
    )
    soup = soup_of(client.get(path_of(response)))
    message = soup.select_one(".flash-error").get_text(strip=True)
    assert message == "The server is busy making other PDFs. Try again in a minute."


def test_report_pdf_rendering_fetches_nothing_and_does_not_fail_on_a_url(tmp_path):
    """Should a URL ever reach the report's HTML, it is refused and skipped, not loaded."""
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: red }")
    html = (
        f'<link rel="stylesheet" href="file://{secret}">'
        '<img src="http://127.0.0.1:9/x.png"><p>Report</p>'
    )
    pdf = audit_report.html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
