"""Custody actions on /A/<code>/...: check out, return, transfer, move, retire.

Each action is posted both ways (htmx aimed at the status card, and a plain
form), and every test checks the page as well as the rows behind it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.custody import custody, maintenance
from app.models import Asset, Receipt

from . import factories
from .custody_kit import (
    CARD,
    SOON,
    a_lead,
    act,
    card,
    custody_controls,
    flash,
    fresh,
    hand_to,
    history,
    last_event_id,
    new_events,
    new_key,
    state,
)

# Check out -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "lead", "admin"])
def test_check_out_to_me(client, auth, item, via, role):
    """One tap: available → checked out to me, one keyed `checked_out` event, a Return button."""
    me = auth.login(role)
    since, key = last_event_id(), new_key()
    soup = act(client, item, "checkout", {"key": key}, via=via)
    a = fresh(item)
    assert (a.status, a.holder_id, a.due_back) == ("checked_out", me.id, None)
    [event] = new_events(item, since)
    assert (event.kind, event.actor_id, event.holder_id, event.data, event.key) == (
        "checked_out",
        me.id,
        me.id,
        None,
        key,
    )
    assert flash(soup) == "Checked out to you."
    assert card(soup)["status"] == "Checked out" and card(soup)["Held by"] == me.name
    assert "Return" in custody_controls(soup) and "Check out to me" not in custody_controls(soup)
    assert history(soup)[0] == f"Checked out to {me.name}"


def test_member_cannot_check_out_to_someone_else(client, auth, item, via):
    """A member naming another holder gets 403 and nothing is written."""
    auth.login("member")
    other = factories.make_holder("Pat Holder")
    before = state(item)
    soup = act(client, item, "checkout", {"holder": other.id}, via=via, expect=403)
    assert state(item) == before
    assert "Members can only check items out to themselves." in flash(soup)
    assert card(soup)["Held by"] == "Nobody"


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_lead_checks_out_to_another_person_with_due_date_and_note(client, auth, item, via, role):
    """A lead hands the item to someone else; the due date and note land on the event."""
    lead = auth.login(role)
    other = factories.make_holder("Pat Holder")
    since = last_event_id()
    data = {"holder": other.id, "due_back": SOON.isoformat(), "note": "For the Leeds job"}
    soup = act(client, item, "checkout", data, via=via)
    a = fresh(item)
    assert (a.status, a.holder_id, a.due_back) == ("checked_out", other.id, SOON)
    [event] = new_events(item, since)
    assert (event.kind, event.actor_id, event.holder_id, event.note) == (
        "checked_out",
        lead.id,
        other.id,
        "For the Leeds job",
    )
    # Between two people: a handover receipt, linked from the message.
    receipt = Receipt.get()
    assert event.data == {"due_back": SOON.isoformat(), "receipt": receipt.id}
    assert flash(soup) == "Checked out to Pat Holder. Open the receipt"
    assert card(soup)["Held by"] == "Pat Holder"
    assert card(soup)["Due back"] == SOON.strftime("%d %b %Y")
    assert history(soup)[0] == (
        f"Checked out to Pat Holder by {lead.name}, due {SOON.isoformat()} · Receipt"
    )


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"due_back": (date.today() - timedelta(days=2)).isoformat()}, "due_back", "past"),
        ({"due_back": "next tuesday"}, "due_back", "YYYY-MM-DD"),
        ({"holder": "99999"}, "holder", "Choose a person"),
    ],
)
def test_bad_checkout_input_is_422_and_writes_nothing(
    client, auth, item, via, data, field, message
):
    """A past or garbled due date, or an unknown person, is a 422 with nothing saved."""
    auth.login("lead")
    before = state(item)
    soup = act(client, item, "checkout", data, via=via, expect=422)
    assert state(item) == before
    assert "Nothing was saved." in flash(soup)
    if via == "plain":  # the action's own form page, with the error beside the field
        assert soup.select_one("main form[method=post]") is not None
        assert message in soup.select_one(f"main .has-error:has([name={field}]) .error").text


@pytest.mark.parametrize("role", ["member", "lead"])
def test_checking_out_a_held_item_is_409(client, auth, item, via, role):
    """Someone already has it: 409 naming them, and no event."""
    auth.login(role)
    held = hand_to(item, factories.make_holder("Zebulon Quince"))
    before = state(held)
    soup = act(client, item, "checkout", {"key": new_key()}, via=via, expect=409)
    assert state(item) == before
    assert "Already checked out to Zebulon Quince just now." in flash(soup)
    assert card(soup)["Held by"] == "Zebulon Quince"


def test_checking_out_a_retired_item_is_409(client, auth, item, via):
    """A retired item cannot be checked out by anyone."""
    lead = auth.login("lead")
    custody.retire(item.code, actor=lead, reason="scrapped")
    before = state(item)
    soup = act(client, item, "checkout", via=via, expect=409)
    assert state(item) == before and fresh(item).status == "retired"
    assert "This item is retired." in flash(soup)


@pytest.fixture
def broken(item):
    """The item with an open do-not-use fault, so it is faulty."""
    reporter = factories.make_user("member", password=None)
    maintenance.report_fault(
        item.code, actor=reporter, description="Cracked lens", severity="do_not_use"
    )
    assert fresh(item).status == "faulty"
    return fresh(item)


@pytest.mark.parametrize("role", ["member", "lead"])
def test_faulty_item_is_409_without_override(client, auth, broken, via, role):
    """Do-not-use means do not use: refused unless a lead overrides."""
    auth.login(role)
    before = state(broken)
    soup = act(client, broken, "checkout", via=via, expect=409)
    assert state(broken) == before
    assert "do not use it" in flash(soup)


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_lead_overrides_a_faulty_item(client, auth, broken, via, role):
    """override=1 from a lead checks it out, and the event says it was overridden."""
    lead = auth.login(role)
    since = last_event_id()
    soup = act(client, broken, "checkout", {"override": "1"}, via=via)
    a = fresh(broken)
    assert a.holder_id == lead.id
    assert a.status == "faulty"  # the open fault still outranks "checked out"
    [event] = new_events(broken, since)
    assert (event.kind, event.holder_id) == ("checked_out", lead.id)
    assert event.data == {"override": True, "status_was": "faulty"}
    assert "checked out anyway (faulty)" in history(soup)[0]


def test_member_override_is_403(client, auth, broken, via):
    """Only a lead may check out a faulty item anyway."""
    auth.login("member")
    before = state(broken)
    soup = act(client, broken, "checkout", {"override": "1"}, via=via, expect=403)
    assert state(broken) == before
    assert "Only a lead can check out a faulty item." in flash(soup)


def test_checking_out_a_missing_item_records_found_first(client, auth, item, via):
    """A missing item in someone's hand is found: `found`, then `checked_out`."""
    me = auth.login("member")
    Asset.update(status="missing").where(Asset.id == item.id).execute()
    since, key = last_event_id(), new_key()
    soup = act(client, item, "checkout", {"key": key}, via=via)
    a = fresh(item)
    assert (a.status, a.holder_id) == ("checked_out", me.id)
    kinds = [(e.kind, e.actor_id, e.key) for e in new_events(item, since)]
    assert kinds == [("found", me.id, None), ("checked_out", me.id, key)]
    assert [line.split(" ")[0] for line in history(soup)[:2]] == ["Checked", "Found"]


def test_refused_action_on_a_missing_item_does_not_record_found(client, auth, item, via):
    """The `found` event rolls back with a refused action."""
    auth.login("member")
    Asset.update(status="missing").where(Asset.id == item.id).execute()
    before = state(item)
    act(client, item, "checkout", {"holder": factories.make_holder().id}, via=via, expect=403)
    assert state(item) == before and fresh(item).status == "missing"


# Return ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "lead"])
def test_return_one_tap(client, auth, item, places, via, role):
    """Return: available, nobody holds it, one `checked_in` naming the previous holder."""
    me = auth.login(role)
    holder = me if role == "member" else factories.make_holder("Zebulon Quince")
    hand_to(item, holder, due_back=SOON)
    since = last_event_id()
    soup = act(client, item, "return", {"holder": holder.id, "key": new_key()}, via=via)
    a = fresh(item)
    assert (a.status, a.holder_id, a.due_back, a.location_id) == (
        "available",
        None,
        None,
        places[0].id,
    )
    [event] = new_events(item, since)
    assert (event.kind, event.actor_id, event.holder_id, event.location_id) == (
        "checked_in",
        me.id,
        holder.id,
        places[0].id,
    )
    # A lead taking it back from someone else makes a return receipt.
    expected = "Returned." if holder == me else "Returned from Zebulon Quince. Open the receipt"
    assert flash(soup) == expected
    assert card(soup)["Held by"] == "Nobody"
    assert "Check out to me" in custody_controls(soup)


def test_return_with_location_and_condition(client, auth, item, places, via):
    """The return form can say where it went back to and in what state."""
    me = auth.login("member")
    hand_to(item, me)
    since = last_event_id()
    data = {"holder": me.id, "location": places[1].id, "condition": "fair", "note": "Scuffed"}
    soup = act(client, item, "return", data, via=via)
    assert (fresh(item).location_id, fresh(item).status) == (places[1].id, "available")
    [event] = new_events(item, since)
    assert (event.location_id, event.data, event.note) == (
        places[1].id,
        {"condition": "fair", "moved_from": "Store room"},
        "Scuffed",
    )
    assert card(soup)["Where"] == "Workshop"
    # A member may put it back somewhere new; the history says so plainly.
    assert history(soup)[0].startswith("Returned to Workshop")
    assert "(was at Store room) · condition: Fair" in history(soup)[0]


def test_return_with_a_bad_condition_is_422(client, auth, item, via):
    """A condition outside new/good/fair/poor/broken is refused and the item stays out."""
    me = auth.login("member")
    hand_to(item, me)
    before = state(item)
    act(client, item, "return", {"holder": me.id, "condition": "shiny"}, via=via, expect=422)
    assert state(item) == before


def test_return_from_a_stale_page_is_409(client, auth, item, via):
    """The page named A, but it went back and out to B meanwhile: refused, nothing written."""
    auth.login("member")
    first, second = factories.make_holder("Ann Early"), factories.make_holder("Bob Later")
    hand_to(item, first)
    lead = a_lead()
    custody.check_in(item.code, actor=lead)
    hand_to(item, second)
    before = state(item)
    soup = act(client, item, "return", {"holder": first.id}, via=via, expect=409)
    assert state(item) == before and fresh(item).holder_id == second.id
    assert "This item is now with Bob Later (just now)." in flash(soup)


def test_returning_an_item_nobody_holds_is_409(client, auth, item, via):
    """A second Return after it came back is refused, not a second event."""
    auth.login("member")
    before = state(item)
    soup = act(client, item, "return", via=via, expect=409)
    assert state(item) == before
    assert "This item is not checked out" in flash(soup)


# Transfer ----------------------------------------------------------------------


def test_lead_transfers_from_one_person_to_another(client, auth, item, via):
    """A lead hands the item from A to B: `transferred` with from/to, holder B."""
    lead = auth.login("lead")
    a_person, b_person = factories.make_holder("Ann Early"), factories.make_holder("Bob Later")
    hand_to(item, a_person)
    since = last_event_id()
    data = {"holder": a_person.id, "to_holder": b_person.id, "due_back": SOON.isoformat()}
    soup = act(client, item, "transfer", data, via=via)
    a = fresh(item)
    assert (a.status, a.holder_id, a.due_back) == ("checked_out", b_person.id, SOON)
    [event] = new_events(item, since)
    assert (event.kind, event.actor_id, event.holder_id) == ("transferred", lead.id, b_person.id)
    assert event.data == {
        "from": "Ann Early",
        "from_id": a_person.id,
        "to": "Bob Later",
        "due_back": SOON.isoformat(),
        "receipt": Receipt.get().id,
    }
    assert flash(soup) == "Handed over from Ann Early to Bob Later. Open the receipt"
    assert history(soup)[0] == f"Handed over from Ann Early to Bob Later by {lead.name} · Receipt"


def test_member_hands_over_an_item_they_hold(client, auth, item, via):
    """A member may pass their own item on to someone else."""
    me = auth.login("member")
    hand_to(item, me)
    other = factories.make_holder("Bob Later")
    since = last_event_id()
    act(client, item, "transfer", {"holder": me.id, "to_holder": other.id}, via=via)
    assert fresh(item).holder_id == other.id
    [event] = new_events(item, since)
    assert (event.kind, event.actor_id, event.data["from_id"]) == ("transferred", me.id, me.id)


def test_member_cannot_transfer_someone_elses_item_to_a_third_person(client, auth, item, via):
    """Moving an item between two other people is for leads: 403, nothing written."""
    auth.login("member")
    a_person, b_person = factories.make_holder("Ann Early"), factories.make_holder("Bob Later")
    hand_to(item, a_person)
    before = state(item)
    data = {"holder": a_person.id, "to_holder": b_person.id}
    soup = act(client, item, "transfer", data, via=via, expect=403)
    assert state(item) == before
    assert "Members can only hand over their own items" in flash(soup)


@pytest.mark.parametrize("to_holder", ["", "99999", "abc"])
def test_transfer_without_a_valid_person_is_422_marked_on_the_picker(client, auth, item, to_holder):
    """No, unknown or garbled person: 422, nothing written, the error shown by the picker."""
    auth.login("lead")
    pat = factories.make_holder("Pat Holder")
    hand_to(item, pat)
    before = state(item)
    data = {"holder": pat.id, "to_holder": to_holder}
    soup = act(client, item, "transfer", data, via="plain", expect=422)
    assert state(item) == before
    picker = soup.select_one("main fieldset:has(#people-pick)")
    assert "has-error" in picker["class"] and picker.select_one(".error") is not None


# Move and retire ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_lead_moves_an_item(client, auth, item, places, via, role):
    """Move records a `moved` event and the new location."""
    lead = auth.login(role)
    since = last_event_id()
    soup = act(client, item, "move", {"location": places[1].id, "note": "Shelf 2"}, via=via)
    assert fresh(item).location_id == places[1].id
    [event] = new_events(item, since)
    assert (event.kind, event.actor_id, event.location_id) == ("moved", lead.id, places[1].id)
    assert event.data == {"from": "Store room", "to": "Workshop"}
    assert flash(soup) == "Moved to Workshop."
    assert card(soup)["Where"] == "Workshop"


@pytest.mark.parametrize(
    "action, data", [("move", {"location": "1"}), ("retire", {"reason": "sold"})]
)
def test_member_cannot_move_or_retire(client, auth, item, via, action, data):
    """Lead-only actions are 403 for a member and write nothing."""
    auth.login("member")
    before = state(item)
    response = client.form(f"/A/{item.code}/{action}", data, htmx=CARD if via == "htmx" else None)
    assert response.status_code == 403
    assert state(item) == before


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_lead_retires_an_item(client, auth, item, via, role):
    """Retired: holder cleared, no custody buttons, but the page and history remain."""
    lead = auth.login(role)
    hand_to(item, factories.make_holder("Zebulon Quince"), due_back=SOON)
    since = last_event_id()
    soup = act(client, item, "retire", {"reason": "sold", "note": "eBay"}, via=via)
    a = fresh(item)
    assert (a.status, a.holder_id, a.due_back, a.retire_reason) == ("retired", None, None, "sold")
    assert a.retired_at is not None
    [event] = new_events(item, since)
    assert (event.kind, event.actor_id, event.note) == ("retired", lead.id, "eBay")
    assert event.data == {"reason": "sold", "holder_was": "Zebulon Quince"}
    assert flash(soup) == "Retired (sold)."
    assert custody_controls(soup) == []
    assert not soup.select("#status-card button")
    page, response = client.soup(f"/A/{item.code}")
    assert response.status_code == 200 and card(page)["status"] == "Retired"
    assert custody_controls(page) == []
    lines = history(page)
    assert lines[0] == f"Retired by {lead.name} · sold (was with Zebulon Quince)"
    assert lines[-1].startswith("Added")


def test_retire_with_a_bad_reason_is_422(client, auth, item, via):
    """A reason outside the list is refused; the item stays in service."""
    auth.login("lead")
    before = state(item)
    soup = act(client, item, "retire", {"reason": "bored"}, via=via, expect=422)
    assert state(item) == before and fresh(item).retired_at is None
    if via == "plain":
        assert "Choose a reason" in soup.select_one("fieldset.has-error .error").text


def test_the_cards_own_one_tap_forms_work_as_rendered(client, auth, item, via):
    """Submitting the card's "Check out to me" then its "Return" form, fields untouched."""
    me = auth.login("member")
    since = last_event_id()
    keys = []
    for button, status in [("Check out to me", "Checked out"), ("Return", "Available")]:
        page, _ = client.soup(f"/A/{item.code}")
        form = page.select_one("#status-card form.tap")
        assert form.button.get_text(strip=True) == button
        values = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
        keys.append(values["key"])
        soup = act(client, item, form["action"].rsplit("/", 1)[1], values, via=via)
        assert card(soup)["status"] == status
    events = new_events(item, since)
    assert [(e.kind, e.holder_id, e.key) for e in events] == [
        ("checked_out", me.id, keys[0]),
        ("checked_in", me.id, keys[1]),
    ]
    assert (fresh(item).status, fresh(item).holder_id) == ("available", None)


# Every action's own page -----------------------------------------------------


@pytest.mark.parametrize("action", ["checkout", "return", "transfer", "move", "retire"])
def test_get_of_each_action_url_is_a_full_form_page(client, auth, item, action):
    """A plain GET shows a whole page with a POST form carrying CSRF and a key."""
    auth.login("lead")
    hand_to(item, factories.make_holder())
    before = state(item)
    soup, response = client.soup(f"/A/{item.code}/{action}")
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)
    form = soup.select_one("main form[method=post]")
    assert form["action"] == f"/A/{item.code}/{action}"
    assert form.select_one("input[name=csrf_token]") and form.select_one("input[name=key]")
    assert state(item) == before
