"""An action during a running audit that proves someone had the item in hand
(returned, checked out, handed over, moved, a fault from its holder, found)
counts as seen in every running audit that expects it. And one rule decides
"Still to find", the close page's count and what close marks missing."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.audits import audits
from app.custody import custody, maintenance
from app.errors import ServiceError
from app.models import AuditItem, Event, User

from . import factories
from .audit_kit import (
    a_lead,
    active_ticks,
    audit_page,
    fresh,
    live_cards,
    page_after,
    pretty,
    progress_line,
    signed_in,
    still_to_find,
)


def close_page_count(client, audit) -> int:
    """The number the close page says closing will mark missing."""
    soup, response = client.soup(f"/audits/{audit.id}/close")
    assert response.status_code == 200
    return int(soup.select_one("#close-marks strong").get_text(strip=True))


def report_rows(client, audit, heading: str) -> list[list[str]]:
    soup, _ = client.soup(f"/audits/{audit.id}/report")
    h2 = next(h for h in soup.select("h2") if h.get_text(strip=True).startswith(heading))
    return [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in h2.find_next("table").select("tbody tr")
    ]


def test_an_item_returned_during_the_audit_is_seen_not_missing(app, site):
    """Out with Pat when the audit began, returned while it ran: seen (via the
    return, by whom and when) on the audit page, the close page and the report;
    close marks only what nobody handled."""
    pat = factories.make_holder("Pat Holder")
    custody.check_out(site.cable.code, actor=site.lead, today=date.today(), holder_id=pat.id)
    audit = audits.start("Q4 building", actor=site.lead, location_id=site.building.id)
    lead, c = signed_in(app, "lead", "Lee Lead")
    response = c.form(f"/A/{site.cable.code}/return", {"holder": pat.id})
    assert response.status_code == 303
    [row] = active_ticks(audit, site.cable)
    assert (row.by_id, row.via, row.expected, row.room_id) == (lead.id, "checked_in", True, None)
    assert fresh(site.cable).last_audited_at == row.at

    soup = audit_page(c, audit)
    assert progress_line(soup) == "1 of 3 seen (33 %)"
    assert still_to_find(c, soup) == {"Room One": ["Drill"], "Room Two": ["Saw"]}
    assert live_cards(soup)["Recent ticks"][0].startswith("Cable · Returned by Lee Lead at ")
    assert close_page_count(c, audit) == 2

    soup = page_after(c, c.form(f"/audits/{audit.id}/close"))
    assert "Audit closed. 2 items marked missing." in soup.select_one("#flash").get_text()
    assert fresh(site.cable).status == "available"
    marked = {i.asset_id for i in AuditItem.select().where(AuditItem.marked_missing == True)}  # noqa: E712
    assert marked == {site.drill.id, site.saw.id}
    [line] = report_rows(c, audit, "Seen through an action")
    assert line[:2] == [pretty(site.cable.code), "Cable"] and line[3] == "Lee Lead"
    assert line[2].startswith("returned by Lee Lead, ")
    assert [r[1] for r in report_rows(c, audit, "Missing")] == ["Drill", "Saw"]


def _checked_out(site, who):
    custody.check_out(site.drill.code, actor=site.lead, today=date.today(), holder_id=who.id)


ACTIONS = {
    "checked_out": lambda site, pat, mo: custody.check_out(
        site.drill.code, actor=mo, today=date.today()
    ),
    "transferred": lambda site, pat, mo: custody.transfer(
        site.drill.code, actor=site.lead, today=date.today(), to_holder_id=mo.id
    ),
    "moved": lambda site, pat, mo: custody.move(
        site.drill.code, actor=site.lead, location_id=site.room_two.id
    ),
    "fault_reported": lambda site, pat, mo: maintenance.report_fault(
        site.drill.code, actor=pat, description="Chuck slips", severity="usable"
    ),
    "found": lambda site, pat, mo: maintenance.report_fault(
        site.drill.code, actor=mo, description="It was behind the door", severity="usable"
    ),
}


@pytest.mark.parametrize("kind", ACTIONS)
def test_every_action_that_proves_hands_counts_in_every_running_audit(app, site, kind):
    """Each such action ticks the item, via that action, in both audits expecting it."""
    pat = User.create(name="Pat Holder", email="pat@example.org", role="member")
    mo = factories.make_user("member", name="Mo Member")
    if kind in ("transferred", "fault_reported"):
        _checked_out(site, pat)
    if kind == "found":
        # The drill is missing: an earlier audit marked it so.
        earlier = audits.start("Earlier", actor=site.lead, location_id=site.room_one.id)
        audits.mark_missing(earlier.id, site.drill.code, actor=site.lead)
        audits.close(earlier.id, actor=site.lead)
    one = audits.start("Building", actor=site.lead, location_id=site.building.id)
    two = audits.start("Tools", actor=site.lead, category_id=site.drill.category_id)
    ACTIONS[kind](site, pat, mo)
    for running in (one, two):
        [row] = active_ticks(running, site.drill)
        assert row.via == kind and row.expected
    assert fresh(site.drill).status != "missing"


def test_a_fault_from_someone_other_than_the_holder_is_not_a_sighting(app, site):
    """Anyone may report a fault from memory: only the holder's report proves the item."""
    pat = factories.make_holder("Pat Holder")
    _checked_out(site, pat)
    audit = audits.start("Building", actor=site.lead, location_id=site.building.id)
    maintenance.report_fault(
        site.drill.code, actor=site.lead, description="Heard it rattles", severity="usable"
    )
    assert active_ticks(audit, site.drill) == []


def test_an_action_on_an_item_already_seen_adds_no_second_tick(app, site, audit):
    _, c = signed_in(app)
    c.form(f"/audits/{audit.id}/tick", {"code": site.drill.code})
    custody.check_out(site.drill.code, actor=site.lead, today=date.today())
    [row] = active_ticks(audit, site.drill)
    assert row.via == ""


def test_still_to_find_leaves_out_what_close_will_not_mark(app, site, audit):
    """In repair or already missing: not "still to find", not counted on the close page,
    not marked by close; the page says they are left as they are."""
    maintenance.start_repair(site.saw.code, actor=site.lead)
    audits.mark_missing(audit.id, site.cable.code, actor=site.lead)
    lead, c = signed_in(app, "lead")
    soup = audit_page(c, audit)
    assert still_to_find(c, soup) == {"Room One": ["Drill"]}
    assert "2 not seen but in repair or already missing" in soup.select_one("#left-alone").text
    assert close_page_count(c, audit) == 1
    c.form(f"/audits/{audit.id}/close")
    assert fresh(site.saw).status == "in_repair"
    marked = [
        i.asset_id
        for i in AuditItem.select().where(
            AuditItem.audit == audit.id,
            AuditItem.marked_missing == True,  # noqa: E712
        )
    ]
    assert sorted(marked) == sorted([site.drill.id, site.cable.id])  # the cable one by one


# The property: whatever happened, the close page says what close does --------------------

STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "checkout_member",
                "checkout_holder",
                "return",
                "transfer",
                "move",
                "fault_holder",
                "fault_other",
                "do_not_use",
                "repair",
                "fixed",
                "tick",
                "undo",
                "mark_missing",
                "retire",
            ]
        ),
        st.integers(min_value=0, max_value=3),
    ),
    max_size=14,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=STEPS, during=STEPS)
def test_the_close_page_count_is_what_close_marks(app, before, during):
    """Random actions before and during an audit, ticks and undos: the number on
    the close page is exactly the number of items close marks missing, and "Still
    to find" lists exactly them."""
    lead = a_lead()
    mo, c = signed_in(app, "lead")
    pat = factories.make_holder()
    kind = factories.make_category()
    rooms = [factories.make_location(), factories.make_location()]
    items = [
        factories.make_asset(lead, location=rooms[n % 2].id, category=kind.id) for n in range(4)
    ]
    today = date.today()

    def act(step, n, audit):
        code = items[n].code
        holder = fresh(items[n]).holder_id
        try:
            if step == "checkout_member":
                custody.check_out(code, actor=mo, today=today)
            elif step == "checkout_holder":
                custody.check_out(code, actor=lead, today=today, holder_id=pat.id)
            elif step == "return":
                custody.check_in(code, actor=lead)
            elif step == "transfer":
                to = mo.id if holder == pat.id else pat.id
                custody.transfer(code, actor=lead, today=today, to_holder_id=to)
            elif step == "move":
                custody.move(code, actor=lead, location_id=rooms[(n + 1) % 2].id)
            elif step in ("fault_holder", "fault_other", "do_not_use"):
                who = User.get_by_id(holder) if step == "fault_holder" and holder else lead
                severity = "do_not_use" if step == "do_not_use" else "usable"
                maintenance.report_fault(code, actor=who, description="x", severity=severity)
            elif step == "repair":
                maintenance.start_repair(code, actor=lead)
            elif step == "fixed":
                maintenance.mark_fixed(code, actor=lead)
            elif step == "retire":
                custody.retire(code, actor=lead, reason="other")
            elif audit is None:
                return
            elif step == "tick":
                audits.tick(audit.id, code, actor=mo)
            elif step == "undo":
                row = active_ticks(audit, items[n])
                if row:
                    audits.undo(row[0].id, actor=lead)
            elif step == "mark_missing":
                audits.mark_missing(audit.id, code, actor=lead)
        except ServiceError:
            pass  # refused by a rule: nothing happened, as on the page

    for step, n in before:
        act(step, n, None)
    audit = audits.start("Walk", actor=lead, category_id=kind.id)
    for step, n in during:
        act(step, n, audit)
    said = close_page_count(c, audit)
    soup = audit_page(c, audit)
    card = [h for h in soup.select("#audit-live h2") if h.get_text().startswith("Still to find")]
    listed = sum(len(names) for names in still_to_find(c, soup).values()) if card else 0
    # An item marked missing by hand and then found (a repair proves it in hand)
    # is marked again by close if that proof is undone: so count close's own
    # events, not the audit rows it leaves marked.
    events_before = Event.select().where(Event.kind == "marked_missing").count()
    marked = audits.close(audit.id, actor=lead)
    written = Event.select().where(Event.kind == "marked_missing")
    assert said == marked == written.count() - events_before == listed
    newly = {e.asset_id for e in written.order_by(Event.id.desc()).limit(marked)}
    assert len(newly) == marked
    for asset_id in newly:
        assert fresh(items[[a.id for a in items].index(asset_id)]).status == "missing"
        row = AuditItem.get(AuditItem.audit == audit.id, AuditItem.asset == asset_id)
        assert row.marked_missing
