"""An item's condition: said (or left as it was) on check-out, return and
hand-over; refused when not one of the five; on the card, the history and the
asset form; and a return as Poor or Broken that reports its fault in the same
write, or invites one."""

from __future__ import annotations

from datetime import date

import pytest

from app.custody import checks, condition, custody
from app.database import write
from app.errors import Invalid
from app.models import Asset, Event, Fault
from app.register import assets, event_kinds, events

from . import factories
from .custody_kit import (
    a_lead,
    act,
    card,
    flash,
    fresh,
    hand_to,
    history,
    last_event_id,
    new_events,
    new_key,
    state,
)
from .pages import path_of

TODAY = date.today()


def test_the_five_conditions_in_order_and_which_offer_a_fault():
    assert list(condition.CONDITIONS.values()) == ["New", "Good", "Fair", "Poor", "Broken"]
    assert {c for c in condition.CONDITIONS if condition.offers_fault(c)} == {"poor", "broken"}
    assert condition.label("") == ""
    assert condition.label("worn") == "Worn"  # the words of old events still read


def test_check_out_says_the_condition_only_when_it_changes(app, item):
    lead = a_lead()
    pat = factories.make_holder()
    custody.check_out(item.code, actor=lead, today=TODAY, holder_id=pat.id, condition="good")
    [event] = Event.select().where(Event.asset == item.id, Event.kind == "checked_out")
    assert event.data == {"condition": "good"}
    assert fresh(item).condition == "good"
    # The one tap sends the chip already chosen (or none): nothing to say.
    custody.check_in(item.code, actor=lead, condition="good")
    returned = Event.select().where(Event.asset == item.id, Event.kind == "checked_in").get()
    assert "condition" not in (returned.data or {})
    custody.check_out(item.code, actor=lead, today=TODAY, holder_id=pat.id)
    custody.check_in(item.code, actor=lead, condition="")
    assert fresh(item).condition == "good"


def test_return_and_hand_over_record_what_it_was(app, item):
    lead = a_lead()
    pat, sam = factories.make_holder("Pat"), factories.make_holder("Sam")
    custody.check_out(item.code, actor=lead, today=TODAY, holder_id=pat.id, condition="new")
    since = last_event_id()
    custody.transfer(item.code, actor=lead, today=TODAY, to_holder_id=sam.id, condition="fair")
    custody.check_in(item.code, actor=lead, condition="broken")
    handed, returned = new_events(item, since)
    assert handed.data["condition"] == "fair" and handed.data["condition_was"] == "new"
    assert (returned.data["condition"], returned.data["condition_was"]) == ("broken", "fair")
    assert fresh(item).condition == "broken"
    lines = [event_kinds.line(e) for e in (handed, returned)]
    texts = ["".join(p.text for p in line.pieces) for line in lines]
    assert texts[0].endswith(" · condition: Fair (was New)")
    assert " · condition: Broken (was Fair)" in texts[1]


@pytest.mark.parametrize("action", ["check_out", "check_in", "transfer"])
def test_a_condition_not_in_the_list_changes_nothing(app, item, action):
    lead = a_lead()
    pat, sam = factories.make_holder("Pat"), factories.make_holder("Sam")
    if action != "check_out":
        hand_to(item, pat)
    before = state(item)
    calls = {
        "check_out": lambda: custody.check_out(
            item.code, actor=lead, today=TODAY, holder_id=pat.id, condition="shiny"
        ),
        "check_in": lambda: custody.check_in(item.code, actor=lead, condition="worn"),
        "transfer": lambda: custody.transfer(
            item.code, actor=lead, today=TODAY, to_holder_id=sam.id, condition="<b>"
        ),
    }
    with pytest.raises(Invalid) as refused:
        calls[action]()
    assert refused.value.errors == {"condition": "Choose a condition from the list."}
    assert state(item) == before and fresh(item).condition == ""


def test_old_worn_and_damaged_returns_still_read(app, item):
    """Before the five there were good/worn/damaged, kept in the return's data."""
    lead = a_lead()
    with write():
        old = events.record("checked_in", asset=item, actor=lead, data={"condition": "damaged"})
    line = event_kinds.line(old)
    assert "".join(p.text for p in line.pieces).endswith(" · condition: Damaged")


def test_the_asset_form_sets_it_and_an_edit_records_it(app, auth):
    lead = auth.login("lead")
    made = factories.make_asset(lead, name="Radio", condition="new")
    assert made.condition == "new"
    changes = assets.update_asset(
        made.code, {"condition": "fair"}, version=fresh(made).version, actor=lead
    )
    assert changes == {"condition": ["new", "fair"]}
    edited = Event.select().where(Event.asset == made.id, Event.kind == "edited").get()
    [change] = event_kinds.line(edited).changes
    assert (change.label, change.before, change.after) == ("condition", "New", "Fair")
    with pytest.raises(Invalid) as refused:
        assets.update_asset(
            made.code, {"condition": "mint"}, version=fresh(made).version, actor=lead
        )
    assert "condition" in refused.value.errors
    assert fresh(made).condition == "fair"


def test_the_asset_form_page_offers_the_five(client, auth):
    lead = auth.login("lead")
    made = factories.make_asset(lead, name="Radio", condition="good")
    soup, _ = client.soup(f"/assets/{made.code}/edit")
    select = soup.select_one("select[name=condition]")
    assert [o.get_text() for o in select.select("option")] == [
        "Not said yet",
        "New",
        "Good",
        "Fair",
        "Poor",
        "Broken",
    ]
    assert select.select_one("option[selected]")["value"] == "good"


# The card ----------------------------------------------------------------------


def _chips(soup, form_action):
    form = soup.select_one(f'#status-card .card-actions form[action$="{form_action}"]')
    radios = form.select("fieldset.chips input[type=radio][name=condition]")
    return form, [(r["value"], r.has_attr("checked")) for r in radios]


def test_the_card_shows_the_condition_and_chips_on_the_one_taps(client, auth, item):
    me = auth.login("member")
    soup, _ = client.soup(f"/A/{item.code}")
    assert "Condition" not in card(soup)  # nobody has said yet
    form, chips = _chips(soup, "/checkout")
    assert [v for v, _ in chips] == ["new", "good", "fair", "poor", "broken"]
    assert not any(checked for _, checked in chips)  # blank: as it is
    assert form.select("button[type=submit]")[0].get_text(strip=True) == "Check out to me"
    custody.check_out(item.code, actor=me, today=TODAY, condition="fair")
    soup, _ = client.soup(f"/A/{item.code}")
    assert card(soup)["Condition"] == "Fair"
    form, chips = _chips(soup, "/return")
    assert [v for v, checked in chips if checked] == ["fair"]  # the current one, chosen


def test_one_tap_return_with_the_current_chip_stays_one_tap(client, auth, item, via):
    me = auth.login("member")
    custody.check_out(item.code, actor=me, today=TODAY, condition="good")
    soup = act(client, item, "return", {"holder": me.id, "condition": "good"}, via=via)
    assert flash(soup) == "Returned."
    assert fresh(item).condition == "good" and fresh(item).holder_id is None


def test_return_as_broken_on_the_card_invites_a_fault_report(client, auth, item):
    me = auth.login("member")
    custody.check_out(item.code, actor=me, today=TODAY, condition="good")
    data = {"holder": me.id, "condition": "broken", "key": new_key()}
    soup = act(client, item, "return", data, via="htmx")
    assert flash(soup) == "Returned as Broken. Report a fault?"
    assert soup.select_one("#status-card details.inline-form").has_attr("open")
    assert soup.select_one("#status-card textarea[name=description]") is not None
    assert history(soup)[0].endswith("· condition: Broken (was Good)")
    # Without JavaScript: the fault form's own page.
    custody.check_out(item.code, actor=me, today=TODAY)
    response = client.form(
        f"/A/{item.code}/return", {"holder": me.id, "condition": "poor", "key": new_key()}
    )
    assert response.status_code == 303
    assert path_of(response) == f"/A/{item.code}/fault"
    soup, _ = client.soup(path_of(response))
    assert flash(soup) == "Returned as Poor. Report a fault?"
    assert soup.select_one("form textarea[name=description]") is not None


# Return and report in one step ---------------------------------------------------


def test_a_laptop_returned_broken_has_its_fault_reported_in_the_same_step(app, auth):
    lead = a_lead()
    laptop = factories.make_asset(lead, name="Laptop", condition="good")
    pat = factories.make_holder()
    hand_to(laptop, pat)
    since = last_event_id()
    outcome = checks.return_and_report(
        laptop.code,
        actor=lead,
        condition_said="broken",
        description="Screen cracked",
        severity="do_not_use",
        key=new_key(),
    )
    assert outcome.message == "Returned from Pat Holder as Broken. Fault reported. Thank you."
    returned, reported = new_events(laptop, since)
    assert (returned.kind, reported.kind) == ("checked_in", "fault_reported")
    assert returned.data["condition"] == "broken"
    [fault] = Fault.select().where(Fault.asset == laptop.id)
    assert (fault.description, fault.severity) == ("Screen cracked", "do_not_use")
    now = fresh(laptop)
    assert (now.holder_id, now.status, now.condition) == (None, "faulty", "broken")


def test_a_bad_fault_report_refuses_the_return_too(app, auth):
    lead = a_lead()
    laptop = factories.make_asset(lead, name="Laptop")
    hand_to(laptop, factories.make_holder())
    before = state(laptop)
    for bad in (
        {"description": "x" * 2001, "severity": "usable"},
        {"description": "Cracked", "severity": "catastrophic"},
    ):
        with pytest.raises(Invalid):
            checks.return_and_report(laptop.code, actor=lead, condition_said="broken", **bad)
    assert state(laptop) == before
    assert not Fault.select().where(Fault.asset == laptop.id).exists()


def test_return_and_report_twice_with_one_key_is_one_action(app, auth):
    lead = a_lead()
    laptop = factories.make_asset(lead, name="Laptop")
    hand_to(laptop, factories.make_holder())
    key = new_key()
    kwargs = dict(condition_said="poor", description="Sticky keys", severity="usable", key=key)
    checks.return_and_report(laptop.code, actor=lead, **kwargs)
    again = checks.return_and_report(laptop.code, actor=lead, **kwargs)
    assert again.duplicate and again.message == "Already done."
    assert Fault.select().where(Fault.asset == laptop.id).count() == 1


def test_the_return_page_offers_condition_and_fault_fields(client, auth, item, via):
    me = auth.login("member")
    custody.check_out(item.code, actor=me, today=TODAY, condition="good")
    soup, _ = client.soup(f"/A/{item.code}/return")
    group = soup.select_one("fieldset.condition-choices")
    checked = group.select_one("input[name=condition][checked]")
    assert checked["value"] == "good"
    fault = soup.select_one("fieldset#return-fault")
    assert fault.select_one("textarea[name=description]") is not None
    assert [r["value"] for r in fault.select("input[name=severity]")] == ["usable", "do_not_use"]
    data = {
        "holder": me.id,
        "condition": "broken",
        "description": "Lens scratched",
        "severity": "usable",
        "key": new_key(),
    }
    soup = act(client, item, "return", data, via=via)
    assert flash(soup) == "Returned as Broken. Fault reported. Thank you."
    assert Fault.select().where(Fault.asset == item.id).count() == 1


def test_the_return_page_with_a_bad_severity_is_422_and_changes_nothing(client, auth, item):
    me = auth.login("member")
    hand_to(item, me)
    before = state(item)
    data = {"holder": me.id, "condition": "broken", "description": "Cracked", "severity": "x"}
    soup = act(client, item, "return", data, via="plain", expect=422)
    assert soup.select_one("fieldset#return-fault .error").get_text() == "Choose how bad it is."
    # What was typed is still there, and the broken chip still chosen.
    assert soup.select_one("textarea[name=description]").get_text() == "Cracked"
    assert soup.select_one("input[name=condition][checked]")["value"] == "broken"
    assert state(item) == before
    assert Asset.get_by_id(item.id).condition == ""
