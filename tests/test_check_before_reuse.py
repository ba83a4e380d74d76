"""Check before reuse: a category asks for a check after each return ("clean
and recharge"). Every return flags the item; every way of checking it out is
refused until a lead, or the person the category names, taps "Checked, ready".
The card, the category form and the dashboard show it."""

from __future__ import annotations

import time
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.custody import batch, checks, condition, custody, leavers
from app.custody import rules as custody_rules
from app.errors import Forbidden, Refused
from app.kits import kits, taking
from app.models import Asset, Category, Event, utcnow
from app.register import places
from app.reservations import reservations

from . import factories
from .custody_kit import a_lead, act, flash, fresh, hand_to, history, new_key, state

TODAY = date.today()
REFUSAL = 'Needs check: Clean and recharge. It can go out again once a lead taps "Checked, ready".'
# Told to someone who may do the check: the button is theirs.
REFUSAL_TO_CHECKER = (
    "Needs check: Clean and recharge. "
    'Once it is done, tap "Checked, ready" and it can go out again.'
)


@pytest.fixture
def radios(app) -> Category:
    category = factories.make_category("Radios")
    return places.save_category("Radios", category.id, check_after_return="Clean and recharge.")


@pytest.fixture
def radio(radios) -> Asset:
    return factories.make_asset(a_lead(), name="Radio 1", category=radios.id)


def _returned(asset: Asset) -> Asset:
    hand_to(asset, factories.make_holder())
    custody.check_in(asset.code, actor=a_lead())
    return fresh(asset)


def test_a_return_flags_it_and_says_so(radio):
    hand_to(radio, factories.make_holder())
    outcome = custody.check_in(radio.code, actor=a_lead())
    assert outcome.message == (
        "Returned from Pat Holder. Needs check before it goes out again: Clean and recharge."
    )
    assert condition.needs_check(fresh(radio))
    [event] = outcome.events
    assert event.data == {"check": "Clean and recharge"}


def test_no_check_asked_no_flag(app):
    plain = factories.make_asset(a_lead(), name="Ladder", category=factories.make_category().id)
    assert not condition.needs_check(_returned(plain))


@pytest.mark.parametrize("role", ["member", "lead"])
def test_every_check_out_is_refused_while_it_waits(radio, role):
    radio = _returned(radio)
    person = factories.make_user(role, password=None)
    before = state(radio)
    with pytest.raises(Refused, match="Needs check: Clean and recharge"):
        custody.check_out(radio.code, actor=person, today=TODAY)
    with pytest.raises(Refused) as refused:  # not even a lead's "anyway"
        custody.check_out(radio.code, actor=person, today=TODAY, override=True)
    assert str(refused.value) == (REFUSAL if role == "member" else REFUSAL_TO_CHECKER)
    assert state(radio) == before
    assert "check_out" not in custody_rules.allowed_actions(radio, person)


def test_a_kit_with_one_item_waiting_does_not_go_out(radio):
    lead = a_lead()
    radio = _returned(radio)
    spare = factories.make_asset(lead, name="Spare battery")
    kit = kits.create("Radio kit", f"{radio.code}\n{spare.code}", actor=lead)
    before = state(spare)
    with pytest.raises(Refused, match="Radio 1.*Needs check"):
        taking.check_out(kit.code, actor=lead, today=TODAY)
    assert state(spare) == before  # whole or not at all


def test_a_kit_return_flags_its_items(radio):
    lead = a_lead()
    kit = kits.create("Radio kit", radio.code, actor=lead)
    taking.check_out(kit.code, actor=lead, today=TODAY)
    taking.check_in(kit.code, actor=lead)
    assert condition.needs_check(fresh(radio))


def test_return_all_flags_them(radio):
    lead = a_lead()
    pat = factories.make_holder()
    hand_to(radio, pat)
    leavers.return_all(pat.id, actor=lead)
    assert condition.needs_check(fresh(radio))


def test_the_scanner_batch_return_flags_and_checkout_is_refused(radio):
    lead = a_lead()
    hand_to(radio, factories.make_holder())
    now = utcnow()
    ms = int(time.time() * 1000)
    answer = batch.apply(
        [
            {"key": new_key(), "action": "return", "code": radio.code, "scanned_at": ms},
            {"key": new_key(), "action": "checkout", "code": radio.code, "scanned_at": ms},
        ],
        actor=lead,
        today=TODAY,
        now=now,
    )
    returned, refused = answer.results
    assert returned.status == "done" and condition.needs_check(fresh(radio))
    assert (refused.status, refused.message) == ("refused", REFUSAL_TO_CHECKER)  # a lead


def test_starting_a_reservation_is_refused_while_an_item_waits(radio, clock):
    zone = ZoneInfo("UTC")
    sam = factories.make_user("member", password=None)
    radio = _returned(radio)
    now = utcnow()
    booking = reservations.reserve(
        [radio.code],
        actor=sam,
        starts_at=now + timedelta(minutes=30),
        ends_at=now + timedelta(days=1),
        zone=zone,
    )
    with pytest.raises(Refused, match="Needs check"):
        reservations.start(booking.id, actor=sam, today=TODAY, zone=zone)
    assert fresh(radio).holder_id is None


def test_checked_ready_by_a_lead_clears_it_with_a_note(radio):
    lead = a_lead()
    radio = _returned(radio)
    outcome = checks.checked_ready(radio.code, actor=lead, note="Battery at 100%", key=new_key())
    assert outcome.message == "Checked, ready: it can go out again."
    [event] = outcome.events
    assert (event.kind, event.note, event.data) == (
        "checked_ready",
        "Battery at 100%",
        {"check": "Clean and recharge"},
    )
    assert not condition.needs_check(fresh(radio))
    custody.check_out(radio.code, actor=lead, today=TODAY)  # out again
    assert fresh(radio).holder_id == lead.id


def test_the_named_checker_may_and_other_members_may_not(radio, radios):
    kim = factories.make_user("member", password=None)
    pat = factories.make_user("member", password=None)
    places.save_category(
        "Radios", radios.id, check_after_return="Clean and recharge", checker_id=kim.id
    )
    radio = _returned(radio)
    before = state(radio)
    with pytest.raises(Forbidden) as refused:
        checks.checked_ready(radio.code, actor=pat)
    assert str(refused.value) == f'Only a lead or {kim.name} can tap "Checked, ready" on this item.'
    assert state(radio) == before
    with pytest.raises(Refused, match=f"once a lead or {kim.name} taps"):
        custody.check_out(radio.code, actor=pat, today=TODAY)
    checks.checked_ready(radio.code, actor=kim)
    assert not condition.needs_check(fresh(radio))


def test_checked_ready_twice(radio):
    """The same tap twice is one action; a second person's tap is told it is done."""
    lead = a_lead()
    radio = _returned(radio)
    key = new_key()
    checks.checked_ready(radio.code, actor=lead, key=key)
    again = checks.checked_ready(radio.code, actor=lead, key=key)
    assert again.duplicate and again.message == "Already done."
    with pytest.raises(Refused, match="No check is waiting on this item."):
        checks.checked_ready(radio.code, actor=lead, key=new_key())
    kinds = [e.kind for e in Event.select().where(Event.asset == radio.id)]
    assert kinds.count("checked_ready") == 1


# Pages -------------------------------------------------------------------------


def test_the_card_shows_the_band_and_the_button(client, auth, radio, via):
    lead = auth.login("lead")
    radio = _returned(radio)
    soup, _ = client.soup(f"/A/{radio.code}")
    band = soup.select_one("#status-card #needs-check")
    assert band.p.get_text(" ", strip=True) == "Needs check: Clean and recharge"
    button = band.select_one("form button[type=submit]")
    assert button.get_text(strip=True) == "Checked, ready"
    assert band.select_one("form")["hx-post"] == f"/A/{radio.code}/checked-ready"
    assert band.select_one("a")["href"] == f"/A/{radio.code}/checked-ready"
    # No way to check it out on the card.
    assert soup.select_one('#status-card form[action$="/checkout"]') is None
    soup = act(client, radio, "checked-ready", {"key": new_key()}, via=via)
    assert flash(soup) == "Checked, ready: it can go out again."
    assert history(soup)[0] == f"Checked, ready by {lead.name} · Clean and recharge"
    assert soup.select_one("#needs-check") is None


def test_a_member_sees_the_band_but_no_button(client, auth, radio):
    auth.login("member")
    radio = _returned(radio)
    soup, _ = client.soup(f"/A/{radio.code}")
    band = soup.select_one("#status-card #needs-check")
    assert band is not None and band.select_one("form") is None
    # ...and is told who may clear it.
    assert band.get_text(" ", strip=True) == (
        'Needs check: Clean and recharge It can go out again once a lead taps "Checked, ready".'
    )
    before = state(radio)
    act(client, radio, "checked-ready", {"key": new_key()}, via="plain", expect=403)
    assert state(radio) == before


def test_checked_ready_with_a_note_page(client, auth, radio):
    auth.login("lead")
    radio = _returned(radio)
    soup, response = client.soup(f"/A/{radio.code}/checked-ready")
    assert response.status_code == 200 and soup.find("html") is not None
    assert soup.h1.get_text() == "Checked, ready"
    assert soup.select_one("#needs-check").get_text(strip=True) == "Needs check: Clean and recharge"
    data = {"note": "Wiped and charged", "key": new_key()}
    soup = act(client, radio, "checked-ready", data, via="plain")
    events = Event.select().where(Event.asset == radio.id, Event.kind == "checked_ready")
    assert [e.note for e in events] == ["Wiped and charged"]


def test_check_out_and_transfer_pages_offer_the_condition(client, auth, item):
    lead = auth.login("lead")
    pat = factories.make_holder()
    soup, _ = client.soup(f"/A/{item.code}/checkout")
    group = soup.select_one("fieldset.condition-choices")
    assert [r["value"] for r in group.select("input[name=condition]")] == list(condition.CONDITIONS)
    assert group.select_one("input[checked]") is None  # nobody said yet: optional
    data = {"holder": pat.id, "condition": "good", "key": new_key()}
    act(client, item, "checkout", data, via="plain")
    assert fresh(item).condition == "good"
    soup, _ = client.soup(f"/A/{item.code}/transfer")
    checked = soup.select_one("fieldset.condition-choices input[checked]")
    assert checked["value"] == "good"
    data = {"holder": pat.id, "to_holder": lead.id, "condition": "fair", "key": new_key()}
    act(client, item, "transfer", data, via="plain")
    assert (fresh(item).holder_id, fresh(item).condition) == (lead.id, "fair")


def test_the_category_form_sets_the_check_and_the_checker(client, auth, radios):
    auth.login("lead")
    kim = factories.make_user("member", name="Kim Checker", password=None)
    soup, _ = client.soup(f"/categories/{radios.id}/edit")
    assert soup.select_one("input[name=check_after_return]")["value"] == "Clean and recharge."
    names = [o.get_text() for o in soup.select("select[name=checker] option")]
    assert names[0] == "Nobody else: leads only" and "Kim Checker" in names
    response = client.form(
        f"/categories/{radios.id}/edit",
        {"name": "Radios", "check_after_return": "Wipe down", "checker": kim.id},
    )
    assert response.status_code == 303
    saved = Category.get_by_id(radios.id)
    assert (saved.check_after_return, saved.checker_id) == ("Wipe down", kim.id)
    response = client.form(
        f"/categories/{radios.id}/edit",
        {"name": "Radios", "check_after_return": "x" * 201, "checker": ""},
    )
    assert response.status_code == 422
    assert Category.get_by_id(radios.id).check_after_return == "Wipe down"


def test_the_dashboard_lists_what_waits_for_a_check(client, auth, radio):
    auth.login("lead")
    _returned(radio)
    soup, _ = client.soup("/")
    section = soup.select_one("section#dash-needs-check")
    assert section.h2.get_text(" ", strip=True) == "Needs check 1"
    [row] = section.select("ul.rows > li")
    assert row.select_one(".row-main strong").get_text() == "Radio 1"
    assert row.select_one(".row-sub").get_text(strip=True).startswith("Clean and recharge.")
    link = section.select_one(".see-all a")["href"]
    soup, _ = client.soup(link)
    assert "Radio 1" in [a.get_text(strip=True) for a in soup.select("#asset-results strong")]


def test_the_dashboard_has_no_section_when_nothing_waits(client, auth, radio):
    auth.login("lead")
    soup, _ = client.soup("/")
    assert soup.select_one("section#dash-needs-check") is None


def test_a_waiting_item_costs_its_page_no_query_more(client, auth, radio, count_queries):
    """The band's check comes with the category the page reads anyway."""
    auth.login("lead")
    plain = factories.make_asset(a_lead(), name="Ladder", category=factories.make_category().id)
    client.get(f"/A/{plain.code}")
    with count_queries() as usual:
        client.get(f"/A/{plain.code}")
    radio = _returned(radio)
    with count_queries() as waiting:
        response = client.get(f"/A/{radio.code}")
    assert "Needs check:" in response.get_data(as_text=True)
    assert len(waiting) == len(usual), f"{usual}\n--- waiting ---\n{waiting}"


def test_a_retired_item_waits_for_nothing(client, auth, radio):
    lead = auth.login("lead")
    radio = _returned(radio)
    custody.retire(radio.code, actor=lead, reason="scrapped")
    assert not condition.needs_check(fresh(radio))
    assert not Asset.select().where(condition.needs_check_sql()).exists()
    soup, _ = client.soup(f"/A/{radio.code}")
    assert soup.select_one("#needs-check") is None
