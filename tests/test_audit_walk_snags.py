"""Walking an audit without dead ends: a tick that finds a missing item says so and
updates the card, a location label offers "I am in…" for every audit that covers
it, /scan without JavaScript asks about a typed mistake and sets the room itself,
and the words for an action counted as seen read as a sentence."""

from __future__ import annotations

import csv
import io
from datetime import date

from bs4 import BeautifulSoup

from app.audits import audits
from app.custody import custody, maintenance
from app.models import AuditRoom, AuditTick

from . import factories
from .audit_kit import (
    CARD,
    active_ticks,
    audit_page,
    events_of,
    flash,
    fresh,
    hidden_values,
    page_after,
    signed_in,
)
from .pages import path_of


def _missing(site):
    """The drill, marked missing by an earlier audit of its room."""
    earlier = audits.start("Earlier", actor=site.lead, location_id=site.room_one.id)
    audits.mark_missing(earlier.id, site.drill.code, actor=site.lead)
    audits.close(earlier.id, actor=site.lead)
    assert fresh(site.drill).status == "missing"


def test_seen_on_a_missing_item_updates_the_card_and_says_it_was_found(app, site):
    """The asset page's "Seen ✓" (htmx, aimed at the audit card) answers with the
    status card out of band, now Available, and a message that says it was found."""
    _missing(site)
    audit = audits.start("Q4 building", actor=site.lead, location_id=site.building.id)
    _, c = signed_in(app, "member", "Mo Member")
    page, _ = c.soup(f"/A/{site.drill.code}")
    form = page.select_one("#audit-card form")
    response = c.form(form["action"], hidden_values(form), htmx=CARD)
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    card = soup.select_one("#status-card")
    assert card is not None and card.get("hx-swap-oob") == "true"
    assert "status-available" in card["class"]
    assert card.select_one(".status-line").get_text(strip=True) == "Available"
    assert flash(soup) == "Seen ✓ Drill: found, it was missing"
    assert fresh(site.drill).status == "available"
    assert len(events_of("found", site.drill)) == 1
    assert len(active_ticks(audit, site.drill)) == 1


def test_a_plain_seen_on_a_missing_item_says_it_was_found(app, site):
    _missing(site)
    audit = audits.start("Q4 building", actor=site.lead, location_id=site.building.id)
    _, c = signed_in(app, "member", "Mo Member")
    response = c.form(
        f"/audits/{audit.id}/tick", {"code": site.drill.code, "next": f"/A/{site.drill.code}"}
    )
    soup = page_after(c, response)
    assert flash(soup) == "Seen ✓ Drill: found, it was missing"
    assert "status-available" in soup.select_one("#status-card")["class"]


def _room_buttons(soup) -> dict[str, str]:
    """The location page's "I am in…" forms: the audit it is for → the button's words."""
    found = {}
    for form in soup.select("form[action$='/room']"):
        audit_id = form["action"].split("/")[-2]
        found[audit_id] = form.button.get_text(strip=True)
    return found


def test_a_location_label_offers_i_am_in_for_every_audit_covering_it(app, site, audit):
    """A member who has not opened any audit scans Room One's label: the building's
    audit and an everywhere audit offer "I am in Room One"; the shed's does not. One
    tap sets the room for that audit and the page says so."""
    everywhere = audits.start("Everything", actor=site.lead)
    shed = audits.start("Shed", actor=site.lead, location_id=site.shed.id)
    mo, c = signed_in(app, "member", "Mo Member")
    soup, response = c.soup(f"/L/{site.room_one.code}")
    assert response.status_code == 200
    buttons = _room_buttons(soup)
    assert buttons == {str(audit.id): "I am in Room One", str(everywhere.id): "I am in Room One"}
    assert str(shed.id) not in buttons
    assert "Q4 building" in soup.get_text() and "Everything" in soup.get_text()

    form = soup.select_one(f"form[action='/audits/{audit.id}/room']")
    response = c.form(form["action"], hidden_values(form))
    assert path_of(response) == f"/L/{site.room_one.code}"
    [row] = AuditRoom.select().where(AuditRoom.person == mo.id)
    assert (row.audit_id, row.room_id) == (audit.id, site.room_one.id)
    soup = page_after(c, response)
    assert "✓ You are in Room One for “Q4 building”." in soup.get_text()
    assert _room_buttons(soup) == {str(everywhere.id): "I am in Room One"}


def _noscript(soup):
    return soup.select_one("noscript #scan-no-js")


def test_scan_without_javascript_asks_about_a_typed_mistake_on_scan(app, site, audit):
    """A typed code that matches nothing comes back to /scan with the question and
    "Record as unexpected" (a plain form); nothing is recorded until it is tapped."""
    _, c = signed_in(app, "member", "Mo Member")
    soup, _ = c.soup("/scan")
    form = _noscript(soup).select_one(f"form[action='/audits/{audit.id}/tick']")
    data = hidden_values(form) | {"code": "zzz-zzz"}
    response = c.form(form["action"], data)
    assert response.status_code == 303 and path_of(response) == "/scan"
    assert active_ticks(audit) == []
    soup, _ = c.soup(response.headers["Location"])
    nojs = _noscript(soup)
    assert "No asset has the code ZZZ-ZZZ: check it." in nojs.get_text()
    confirm = nojs.select_one("#typed-check form")
    assert confirm.button.get_text(strip=True) == "Record as unexpected"
    response = c.form(confirm["action"], hidden_values(confirm))
    assert response.status_code == 303 and path_of(response) == "/scan"
    [row] = active_ticks(audit)
    assert row.asset_id is None and row.code == "zzz-zzz"


def test_scan_without_javascript_shows_and_sets_i_am_in(app, site, audit):
    """Each running audit's "I am in…" is shown and changed with a plain form on /scan,
    and a typed tick there uses it."""
    mo, c = signed_in(app, "member", "Mo Member")
    soup, _ = c.soup("/scan")
    form = _noscript(soup).select_one(f"form[action='/audits/{audit.id}/room']")
    assert form.select_one("select[name=location] option[selected]") is None
    response = c.form(form["action"], hidden_values(form) | {"location": site.room_two.id})
    assert response.status_code == 303 and path_of(response) == "/scan"
    soup = page_after(c, response)
    assert flash(soup) == "You are in Room Two."
    form = _noscript(soup).select_one(f"form[action='/audits/{audit.id}/room']")
    chosen = form.select_one("select[name=location] option[selected]")
    assert chosen["value"] == str(site.room_two.id)

    tick = _noscript(soup).select_one(f"form[action='/audits/{audit.id}/tick']")
    response = c.form(tick["action"], hidden_values(tick) | {"code": site.saw.code})
    assert path_of(response) == "/scan"
    [row] = active_ticks(audit, site.saw)
    assert row.room_id == site.room_two.id and not row.wrong_place


def test_via_words_read_as_a_sentence_everywhere(app, site):
    """A fault reported by the item's holder: the audit's recent ticks, the asset
    card, the report page and its CSV all say "by Pat Holder (its holder)"."""
    pat = factories.make_user("member", name="Pat Holder")
    custody.check_out(site.drill.code, actor=site.lead, today=date.today(), holder_id=pat.id)
    audit = audits.start("Q4 building", actor=site.lead, location_id=site.building.id)
    maintenance.report_fault(site.drill.code, actor=pat, description="Slips", severity="usable")
    [row] = active_ticks(audit, site.drill)
    assert row.via == "fault_reported"
    words = "fault reported by Pat Holder (its holder)"

    _, c = signed_in(app, "lead", "Lou Lead")
    recent = [
        li.get_text(" ", strip=True)
        for li in audit_page(c, audit).select("#audit-live ul.plain li")
    ]
    assert any(f"Drill · F{words[1:]} at" in line for line in recent), recent
    assert not any("holder by" in line for line in recent)

    soup, _ = c.soup(f"/A/{site.drill.code}")
    assert f"Counted as seen: {words} at" in soup.select_one("#audit-card").get_text(" ")

    soup, _ = c.soup(f"/audits/{audit.id}/report")
    assert words in soup.get_text(" ")
    rows = list(csv.DictReader(io.StringIO(c.get(f"/audits/{audit.id}/report.csv").text)))
    [drill] = [r for r in rows if r["name"] == "Drill"]
    assert drill["detail"] == words


def test_already_counted_answer_reads_as_a_sentence(app, site):
    pat = factories.make_user("member", name="Pat Holder")
    custody.check_out(site.drill.code, actor=site.lead, today=date.today(), holder_id=pat.id)
    audit = audits.start("Q4 building", actor=site.lead, location_id=site.building.id)
    maintenance.report_fault(site.drill.code, actor=pat, description="Slips", severity="usable")
    result = audits.tick(audit.id, site.drill.code, actor=site.lead)
    assert result.kind == "already"
    assert result.message.startswith(
        "Already counted as seen: fault reported by Pat Holder (its holder) at "
    )
    assert AuditTick.select().where(AuditTick.audit == audit.id).count() == 1
