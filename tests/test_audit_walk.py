"""Walking an audit: the room an auditor is in and items seen elsewhere,
unexpected and unknown codes, undo, items out with people, and several
auditors ticking at the same moment.

Every test reads the page with BeautifulSoup and checks the rows behind it.
"""

from __future__ import annotations

import threading

import pytest

from app import models
from app.audits import audits
from app.models import AuditTick, Event
from app.register import label_codes

from . import factories
from .audit_kit import (
    LIVE,
    a_lead,
    active_ticks,
    audit_page,
    events_of,
    flash,
    fresh,
    hand_to,
    hidden_values,
    live_cards,
    page_after,
    pretty,
    progress_line,
    seen_count,
    set_room,
    signed_in,
    still_to_find,
    tick,
)
from .custody_kit import new_key
from .pages import path_of, soup_of

# The room, and items seen elsewhere --------------------------------------------------------


def test_a_tick_in_the_wrong_room_is_listed_as_seen_elsewhere(app, site, audit):
    """In Room One, the saw (kept in Room Two) is ticked wrong-place; the drill is not."""
    _, c = signed_in(app, "member", "Mo Member")
    set_room(c, audit, site.room_one)
    response = tick(c, audit, site.saw.code)
    [row] = active_ticks(audit)
    assert (row.asset_id, row.room_id, row.expected, row.wrong_place, row.resolution) == (
        site.saw.id,
        site.room_one.id,
        True,
        True,
        "",
    )
    [event] = events_of("audited", site.saw)
    assert event.location_id == site.room_one.id and event.data["wrong_place"] is True
    soup = page_after(c, response)
    assert flash(soup) == "Seen ✓ Saw in Room One, but it belongs at Room Two."
    assert live_cards(soup)["Seen elsewhere"] == [f"Saw {pretty(site.saw.code)} · seen in Room One"]
    assert soup.select_one("select#room option[selected]")["value"] == str(site.room_one.id)
    assert fresh(site.saw).location_id == site.room_two.id  # a member's tick moves nothing

    tick(c, audit, site.drill.code)
    [drill_tick] = active_ticks(audit, site.drill)
    assert (drill_tick.room_id, drill_tick.wrong_place) == (site.room_one.id, False)


@pytest.mark.parametrize("move", ["1", "0"], ids=["update", "leave"])
def test_a_lead_updates_the_location_or_leaves_it(app, site, audit, elsewhere, move):
    """Update location moves the saw with a `moved` event; Leave as is only notes it."""
    lead, c = signed_in(app, "lead", "Lee Lead")
    soup = audit_page(c, audit)
    buttons = [b.get_text(strip=True) for b in soup.select("#audit-live form button[name=move]")]
    assert buttons == ["Update location to Room One", "Leave as is"]
    since = Event.select().count()
    response = c.form(f"/audits/{audit.id}/ticks/{elsewhere.id}/elsewhere", {"move": move})
    assert path_of(response) == f"/audits/{audit.id}"
    soup = page_after(c, response)
    added = list(Event.select().order_by(Event.id).offset(since))
    line = live_cards(soup)["Seen elsewhere"][0]
    if move == "1":
        assert fresh(elsewhere).resolution == "moved"
        assert fresh(site.saw).location_id == site.room_one.id
        [moved] = added
        assert (moved.kind, moved.asset_id, moved.actor_id, moved.location_id) == (
            "moved",
            site.saw.id,
            lead.id,
            site.room_one.id,
        )
        assert moved.data == {"from": "Room Two", "to": "Room One"}
        assert flash(soup) == "Location updated to Room One."
        assert line.endswith("(location updated)")
    else:
        assert fresh(elsewhere).resolution == "left"
        assert fresh(site.saw).location_id == site.room_two.id
        assert added == []
        assert flash(soup) == "Left as it is."
        assert line.endswith("(left as is)")
    assert soup.select("#audit-live form button[name=move]") == []


def test_members_cannot_decide_about_items_seen_elsewhere(app, site, audit, elsewhere):
    """A member posting "Update location" gets 403; the saw stays put and the tick undecided."""
    _, c = signed_in(app)
    soup = audit_page(c, audit)
    assert soup.select("#audit-live form button[name=move]") == []
    before = Event.select().count()
    response = c.form(f"/audits/{audit.id}/ticks/{elsewhere.id}/elsewhere", {"move": "1"})
    assert response.status_code == 403
    assert soup_of(response).h1.get_text(strip=True) == "Not allowed"
    assert fresh(elsewhere).resolution == "" and fresh(site.saw).location_id == site.room_two.id
    assert Event.select().count() == before


def test_i_am_in_on_the_location_page_sets_the_room(app, site, audit):
    """The location page's "I am in Room One" comes back to /L/<code>, which then says so."""
    _, c = signed_in(app)
    audit_page(c, audit)
    soup, _ = c.soup(f"/L/{site.room_one.code}")
    form = soup.select_one("main form.tap")
    assert form.button.get_text(strip=True) == "I am in Room One"
    values = hidden_values(form)
    assert values["next"] == f"/L/{site.room_one.code}"
    response = c.form(form["action"], values)
    assert response.status_code == 303 and path_of(response) == f"/L/{site.room_one.code}"
    soup = page_after(c, response)
    assert flash(soup) == "You are in Room One."
    said = soup.select_one("main .seen-done").get_text(strip=True)
    assert said == "✓ You are in Room One for “Q4 building”."
    assert soup.select_one("main form.tap") is None
    tick(c, audit, site.saw.code)
    [row] = active_ticks(audit)
    assert (row.room_id, row.wrong_place) == (site.room_one.id, True)


def test_a_garbled_room_is_refused_not_a_crash(app, site, audit):
    """ "I am in" with a location that is not an id: an error page, and the room is unchanged."""
    _, c = signed_in(app)
    set_room(c, audit, site.room_one)
    response = c.form(f"/audits/{audit.id}/room", {"location": "abc"})
    assert 400 <= response.status_code < 500
    assert "<html" in response.get_data(as_text=True)
    soup = audit_page(c, audit)
    assert soup.select_one("select#room option[selected]")["value"] == str(site.room_one.id)


# Unexpected and unknown codes ------------------------------------------------------------


def test_an_asset_outside_the_scope_is_unexpected(app, site, audit):
    """The ladder (in the shed) ticked in a building audit: expected False, under Unexpected."""
    _, c = signed_in(app, "member", "Mo Member")
    soup = soup_of(tick(c, audit, site.ladder.code, htmx=LIVE))
    [row] = active_ticks(audit)
    assert (row.asset_id, row.expected, row.wrong_place) == (site.ladder.id, False, False)
    [event] = events_of("audited", site.ladder)
    assert event.data == {"audit_id": audit.id, "expected": False, "wrong_place": False}
    assert flash(soup) == "Seen ✓ Ladder (not expected in this audit: noted as unexpected)."
    unexpected = f"Ladder {pretty(site.ladder.code)} · Mo Member"
    assert live_cards(soup)["Unexpected"] == [unexpected]
    assert progress_line(soup) == "0 of 3 seen (0 %)"


def test_a_nonsense_code_is_noted_as_unknown(app, site, audit):
    """A code that is no code at all: a tick with no asset and the text, listed as unknown."""
    me, c = signed_in(app, "member", "Mo Member")
    soup = soup_of(tick(c, audit, "hello!", htmx=LIVE))
    [row] = AuditTick.select()
    assert (row.asset_id, row.code, row.expected, row.by_id) == (None, "hello!", False, me.id)
    assert events_of("audited") == []
    assert flash(soup) == "'hello!' is not a tagtrail asset: noted."
    assert live_cards(soup)["Unexpected"] == ["Unknown code “hello!” · Mo Member"]
    assert progress_line(soup) == "0 of 3 seen (0 %)"


def test_a_typed_code_that_matches_nothing_is_asked_about_not_recorded(app, site, audit):
    """Typed on the audit page, ZZZ-ZZZ matches nothing: "check it", no tick, until
    "Record as unexpected" is tapped. With htmx and without JavaScript alike."""
    _, c = signed_in(app, "member", "Mo Member")
    form = audit_page(c, audit).select_one("form.pick-search")
    values = {**hidden_values(form), "code": "zzz zzz"}
    soup = soup_of(c.form(form["action"], values, htmx=LIVE))
    question = soup.select_one('#typed-check[hx-swap-oob="true"]')
    assert question.select_one(".band").get_text(strip=True) == (
        "No asset has the code ZZZ-ZZZ: check it."
    )
    assert AuditTick.select().count() == 0 and progress_line(soup) == "0 of 3 seen (0 %)"
    [confirm] = question.select("form")
    assert confirm.button.get_text(strip=True) == "Record as unexpected"
    soup = soup_of(c.form(confirm["action"], hidden_values(confirm), htmx=LIVE))
    [row] = AuditTick.select()
    assert (row.asset_id, row.code, row.expected) == (None, "zzz zzz", False)
    assert soup.select_one("#typed-check").get_text(strip=True) == ""
    assert live_cards(soup)["Unexpected"] == ["Unknown code “zzz zzz” · Mo Member"]
    # Without JavaScript: the audit page asks the same question.
    values = {
        **hidden_values(audit_page(c, audit).select_one("form.pick-search")),
        "code": "Q0Q0Q0",
    }
    response = c.form(form["action"], values)
    assert response.status_code == 303
    soup, _ = c.soup(response.headers["Location"])
    band = soup.select_one("#typed-check .band").get_text(strip=True)
    assert band == "No asset has the code Q0Q-0Q0: check it."
    assert AuditTick.select().count() == 1


def test_a_typed_code_that_matches_an_asset_ticks_and_names_it(app, site, audit):
    """The typed form ticks a real code at once, and the answer names the item."""
    _, c = signed_in(app)
    form = audit_page(c, audit).select_one("form.pick-search")
    values = {**hidden_values(form), "code": site.saw.code.lower()}
    soup = soup_of(c.form(form["action"], values, htmx=LIVE))
    assert flash(soup) == "Seen ✓ Saw"
    assert [t.asset_id for t in active_ticks(audit)] == [site.saw.id]


def test_a_blank_label_code_counts_as_unknown(app, site, audit):
    """A reserved blank label is bound to no asset yet, so ticking it notes an unknown code."""
    [blank] = label_codes.reserve_blanks(1, site.lead)
    _, c = signed_in(app, "member", "Mo Member")
    soup = page_after(c, tick(c, audit, blank))
    [row] = AuditTick.select()
    assert (row.asset_id, row.code, row.expected) == (None, blank, False)
    assert events_of("audited") == []
    assert live_cards(soup)["Unexpected"] == [f"Unknown code “{blank}” · Mo Member"]
    assert seen_count(audit) == 0


# Undo --------------------------------------------------------------------------------


def undo_forms(soup) -> list:
    return soup.select("#audit-live form[action*='/undo']")


def test_the_ticker_can_undo_and_tick_again(app, site, audit):
    """Undo sets undone_at, writes `audit_undone`, drops progress; the asset can be ticked again."""
    me, c = signed_in(app, "member", "Mo Member")
    tick(c, audit, site.drill.code)
    [row] = active_ticks(audit)
    [form] = undo_forms(audit_page(c, audit))
    assert form["action"] == f"/audits/{audit.id}/ticks/{row.id}/undo"
    response = c.form(form["action"])
    soup = page_after(c, response)
    assert flash(soup) == "Tick undone."
    assert progress_line(soup) == "0 of 3 seen (0 %)" and "Recent ticks" not in live_cards(soup)
    row = fresh(row)
    assert row.undone_at is not None and row.undone_by_id == me.id
    [undone] = events_of("audit_undone", site.drill)
    assert undone.actor_id == me.id
    assert undone.data == {"audit_id": audit.id, "tick_id": row.id}

    tick(c, audit, site.drill.code)
    [again] = active_ticks(audit)
    assert again.id != row.id and again.asset_id == site.drill.id
    assert len(events_of("audited", site.drill)) == 2 and seen_count(audit) == 1


def test_another_member_cannot_undo_but_a_lead_can(app, site, audit):
    """Someone else's tick: no Undo button and a 403 for a member; a lead may undo it."""
    _, ann = signed_in(app, "member", "Ann First")
    _, bob = signed_in(app, "member", "Bob Second")
    tick(ann, audit, site.drill.code)
    [row] = active_ticks(audit)
    assert undo_forms(audit_page(bob, audit)) == []
    response = bob.form(f"/audits/{audit.id}/ticks/{row.id}/undo")
    assert response.status_code == 403
    assert fresh(row).undone_at is None and events_of("audit_undone") == []
    assert seen_count(audit) == 1

    lead, lc = signed_in(app, "lead")
    assert len(undo_forms(audit_page(lc, audit))) == 1
    page_after(lc, lc.form(f"/audits/{audit.id}/ticks/{row.id}/undo"))
    assert fresh(row).undone_by_id == lead.id and len(events_of("audit_undone")) == 1
    assert seen_count(audit) == 0


def test_undo_after_close_is_refused(app, site, audit):
    """Once the audit is closed a tick stays: the undo says so and writes nothing."""
    _, c = signed_in(app, "member")
    tick(c, audit, site.drill.code)
    [row] = active_ticks(audit)
    audits.close(audit.id, actor=site.lead)
    soup = page_after(c, c.form(f"/audits/{audit.id}/ticks/{row.id}/undo"))
    assert flash(soup) == "This audit is closed."
    assert undo_forms(soup) == []
    assert fresh(row).undone_at is None and events_of("audit_undone") == []


# Items out with people ------------------------------------------------------------------


def test_items_out_with_people_are_listed_and_count_when_ticked(app, site):
    """An item out since before the audit is under "Out with people"; a tick counts it."""
    pat = factories.make_holder("Pat Holder")
    hand_to(site.cable, pat)
    audit = audits.start("Q4 building", actor=site.lead, location_id=site.building.id)
    _, c = signed_in(app)
    soup = audit_page(c, audit)
    out = f"Cable {pretty(site.cable.code)} · out with Pat Holder"
    assert live_cards(soup)["Out with people"] == [out]
    assert still_to_find(c, soup) == {"Room One": ["Drill"], "Room Two": ["Saw"]}
    soup = soup_of(tick(c, audit, site.cable.code, htmx=LIVE))
    assert flash(soup) == "Seen ✓ Cable"
    assert progress_line(soup) == "1 of 3 seen (33 %)"
    assert "Out with people" not in live_cards(soup)
    cable = fresh(site.cable)
    assert (cable.status, cable.holder_id) == ("checked_out", pat.id)


def test_an_unseen_item_out_with_someone_is_not_marked_missing(client, auth, site):
    """At close the held cable stays checked out, and the report has it under "With holder"."""
    pat = factories.make_holder("Pat Holder")
    hand_to(site.cable, pat)
    audit = audits.start("Q4 building", actor=site.lead, location_id=site.building.id)
    lead = auth.login("lead")
    page_after(client, client.form(f"/audits/{audit.id}/close"))
    cable = fresh(site.cable)
    assert (cable.status, cable.holder_id) == ("checked_out", pat.id)
    assert events_of("marked_missing", site.cable) == []
    assert fresh(audit).closed_by_id == lead.id
    soup, _ = client.soup(f"/audits/{audit.id}/report")
    heading = soup.find("h2", string="With holder (1)")
    cells = [td.get_text(strip=True) for td in heading.find_next("table").select("tbody td")]
    assert cells == [pretty(site.cable.code), "Cable", "out with Pat Holder"]


# Several auditors at once -------------------------------------------------------------------


def test_four_auditors_ticking_overlapping_sets_at_once(app, site):
    """Four phones tick overlapping items together: one tick and one event per item."""
    lead = a_lead()
    extra = [
        factories.make_asset(lead, name=f"Chair {n}", location=site.room_one.id) for n in range(10)
    ]
    assets = [site.drill, site.cable, *extra]  # twelve in Room One
    audit = audits.start("Room One", actor=lead, location_id=site.room_one.id)
    walkers = []
    for n in range(4):
        member, c = signed_in(app, "member", f"Walker {n}")
        mine = assets[n * 2 : n * 2 + 4]  # 0-3, 2-5, 4-7, 6-9: each item by one or two
        walkers.append((c, c.csrf_token(), mine if n % 2 else mine[::-1]))
    barrier = threading.Barrier(len(walkers))
    statuses: list[int] = []

    def walk(c, token, mine):
        try:
            barrier.wait(timeout=30)
            for asset in mine:
                data = {"csrf_token": token, "code": asset.code, "key": new_key()}
                statuses.append(c.post(f"/audits/{audit.id}/tick", data=data).status_code)
        finally:
            models.db.close()

    threads = [threading.Thread(target=walk, args=w) for w in walkers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303] * 16
    ticked = assets[:10]
    for asset in ticked:
        assert len(active_ticks(audit, asset)) == 1, asset.name
        assert len(events_of("audited", asset)) == 1, asset.name
    assert AuditTick.select().count() == 10
    assert seen_count(audit) == len({a.id for a in ticked}) == 10
    _, c = signed_in(app)
    assert progress_line(audit_page(c, audit)) == "10 of 12 seen (83 %)"


def test_seen_elsewhere_tells_two_rooms_of_one_name_apart(app, site, audit):
    """Ticked in one "Store" while recorded in another: the band names each by
    as much of its path as tells them apart, not "Seen in Store, but recorded
    at Store"."""
    store_one = factories.make_location("Store", parent=site.room_one)
    store_two = factories.make_location("Store", parent=site.room_two)
    models.Asset.update(location=store_two).where(models.Asset.id == site.saw.id).execute()
    _, c = signed_in(app, "lead", "Lee Lead")
    set_room(c, audit, store_one)
    tick(c, audit, site.saw.code)
    soup, _ = c.soup(f"/A/{site.saw.code}")
    card = soup.select_one("#audit-card")
    assert "you are in Room One › Store" in card.get_text(" ", strip=True)
    band = card.select_one(".band").get_text(" ", strip=True)
    assert band == "Seen in Room One › Store, but recorded at Room Two › Store."
    assert card.select_one("button.primary").get_text(strip=True) == (
        "Update location to Room One › Store"
    )
