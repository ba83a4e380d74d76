"""Subscriptions' rules and services: what a subscription may hold, its history,
licence keys, renewals and cancelling, and seats (the last one taken once, by
one of eight people asking at the same moment)."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from app import models
from app.errors import Forbidden, Invalid, Refused
from app.models import Subscription, SubscriptionEvent, SubscriptionSeat
from app.subscriptions import history, rules, seats, subscriptions, vendors

from . import factories
from .subscription_kit import make_subscription, values


def kinds(subscription) -> list[str]:
    return [
        e.kind
        for e in SubscriptionEvent.select()
        .where(SubscriptionEvent.subscription == subscription.id)
        .order_by(SubscriptionEvent.id)
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"renews_on": date(2025, 12, 31)}, "renews_on", "The renewal date is before the start."),
        ({"seats": -1}, "seats", "Seats must be at least 1"),
        ({"seats": 0}, "seats", "Seats must be at least 1"),
        ({"seats": 10**9}, "seats", "Seats must be at most 100,000."),
        ({"cost_cents": -100}, "cost", "The cost cannot be negative."),
        ({"cost_cents": 10**12}, "cost", "An amount is at most 21,474,836.47."),
        ({"cost_cents": 2**31}, "cost", "An amount is at most 21,474,836.47."),
        ({"product": "  "}, "product", "Give the product’s name."),
        ({"period": "week"}, "period", "Choose monthly or yearly."),
        ({"kind": "lease"}, "kind", "Choose what kind"),
        ({"remind_days": -1}, "remind_days", "Remind from 0 to 365 days ahead."),
        ({"vendor_id": None}, "vendor", "Choose the vendor."),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(app, overrides, field, message):
    lead = factories.make_user("lead")
    vendor = vendors.save_vendor("Figma", actor=lead)
    with pytest.raises(Invalid) as refused:
        subscriptions.create({**values(vendor.id), **overrides}, actor=lead)
    assert message in refused.value.errors[field]
    assert Subscription.select().count() == 0
    assert SubscriptionEvent.select().count() == 0


def test_an_unknown_vendor_is_refused(app):
    lead = factories.make_user("lead")
    with pytest.raises(Invalid) as refused:
        subscriptions.create(values(424242), actor=lead)
    assert refused.value.errors == {"vendor": "That vendor does not exist."}
    assert Subscription.select().count() == 0


def test_members_cannot_add_or_reveal(app):
    lead, member = factories.make_user("lead"), factories.make_user("member")
    subscription = make_subscription(lead)
    with pytest.raises(Forbidden):
        make_subscription(member, vendor="Adobe")
    with pytest.raises(Forbidden):
        subscriptions.reveal_key(subscription.id, actor=member)


def test_vendor_names_are_unique_ignoring_case(app):
    lead = factories.make_user("lead")
    vendors.save_vendor("Figma", actor=lead)
    with pytest.raises(Invalid) as refused:
        vendors.save_vendor("  figma ", actor=lead)
    assert refused.value.errors == {"name": vendors.TAKEN}


def test_cost_per_year_and_month():
    assert rules.cost_per_year_cents(1500, "month") == 18000
    assert rules.cost_per_year_cents(18000, "year") == 18000
    assert rules.cost_per_month_cents(10000, "year") == 833  # 833.33
    assert rules.cost_per_month_cents(10006, "year") == 834  # 833.83
    assert rules.cost_per_year_cents(None, "month") is None


def test_every_change_is_in_the_history_and_the_key_is_never_written(app):
    lead = factories.make_user("lead")
    subscription = make_subscription(lead, product="Figma Professional")
    subscriptions.set_key(subscription.id, "SECRET-KEY-1", version=1, actor=lead)
    assert subscriptions.reveal_key(subscription.id, actor=lead) == "SECRET-KEY-1"
    changes = subscriptions.update(
        subscription.id,
        values(subscription.vendor_id, product="Figma Pro", seats=7),
        version=2,
        actor=lead,
    )
    assert changes["product"] == ["Figma Professional", "Figma Pro"]
    assert changes["seats"] == [5, 7]
    subscriptions.renew(subscription.id, version=3, actor=lead, renews_on=None)
    assert Subscription.get_by_id(subscription.id).renews_on == date(2027, 2, 1)  # monthly
    subscriptions.cancel(subscription.id, version=4, actor=lead, ended_on=date(2027, 1, 31))
    assert kinds(subscription) == [
        "created",
        "key_changed",
        "key_revealed",
        "edited",
        "renewed",
        "cancelled",
    ]
    assert all("SECRET" not in str(e.data) + e.note for e in SubscriptionEvent.select())
    [line] = [x for x in history.lines(subscription.id) if x.kind == "cancelled"]
    assert (line.words, line.data) == ("Cancelled", {"ended_on": "2027-01-31"})
    with pytest.raises(Refused):
        subscriptions.cancel(subscription.id, version=5, actor=lead, ended_on=date(2027, 1, 31))


def test_a_stale_edit_is_refused(app):
    lead = factories.make_user("lead")
    subscription = make_subscription(lead)
    subscriptions.update(
        subscription.id, values(subscription.vendor_id, seats=9), version=1, actor=lead
    )
    with pytest.raises(Refused, match="while you were editing"):
        subscriptions.update(
            subscription.id, values(subscription.vendor_id, seats=3), version=1, actor=lead
        )
    assert Subscription.get_by_id(subscription.id).seats == 9


def test_next_renewal_keeps_the_day_or_the_month_end():
    sub = Subscription(renews_on=date(2027, 1, 31), period="month")
    assert rules.next_renewal(sub) == date(2027, 2, 28)
    sub = Subscription(renews_on=date(2028, 2, 29), period="year")
    assert rules.next_renewal(sub) == date(2029, 2, 28)
    sub = Subscription(renews_on=date(2027, 12, 5), period="month")
    assert rules.next_renewal(sub) == date(2028, 1, 5)


def test_reminder_due_once_per_renewal():
    sub = Subscription(renews_on=date(2027, 1, 31), remind_days=30, reminded_for=None)
    assert not rules.reminder_due(sub, date(2026, 12, 31))
    assert rules.reminder_due(sub, date(2027, 1, 1))
    assert rules.reminder_due(sub, date(2027, 1, 31))
    assert not rules.reminder_due(sub, date(2027, 2, 1))
    sub.reminded_for = date(2027, 1, 31)
    assert not rules.reminder_due(sub, date(2027, 1, 2))


def test_seats_one_each_none_past_the_seats_bought(app):
    lead = factories.make_user("lead")
    a, b, c = (factories.make_holder(f"Person {n}") for n in "abc")
    subscription = make_subscription(lead, seats=2)
    seats.assign(subscription.id, a.id, actor=lead)
    with pytest.raises(Refused, match="already has a seat"):
        seats.assign(subscription.id, a.id, actor=lead)
    seats.assign(subscription.id, b.id, actor=lead)
    with pytest.raises(Refused, match="All 2 seats are taken"):
        seats.assign(subscription.id, c.id, actor=lead)
    with pytest.raises(Invalid, match="free some before cutting"):
        subscriptions.update(
            subscription.id, values(subscription.vendor_id, seats=1), version=1, actor=lead
        )
    [first, second] = seats.of_subscription(subscription.id)
    seats.free(first.id, actor=lead)
    with pytest.raises(Refused, match="already free"):
        seats.free(first.id, actor=lead)
    seats.assign(subscription.id, c.id, actor=lead)
    assert [h.person for h in seats.of_subscription(subscription.id)] == ["Person b", "Person c"]
    assert kinds(subscription)[1:] == [
        "seat_assigned",
        "seat_assigned",
        "seat_freed",
        "seat_assigned",
    ]


def test_no_seat_for_someone_deactivated_or_on_a_cancelled_subscription(app):
    lead = factories.make_user("lead")
    gone = factories.make_user("member")
    models.User.update(active=False).where(models.User.id == gone.id).execute()
    subscription = make_subscription(lead)
    with pytest.raises(Refused, match="deactivated"):
        seats.assign(subscription.id, gone.id, actor=lead)
    subscriptions.cancel(subscription.id, version=1, actor=lead, ended_on=date(2026, 6, 30))
    with pytest.raises(Refused, match="cancelled"):
        seats.assign(subscription.id, lead.id, actor=lead)
    assert SubscriptionSeat.select().count() == 0


def test_a_seat_can_name_the_laptop_it_is_installed_on(app):
    lead = factories.make_user("lead")
    laptop = factories.make_asset(lead, name="Laptop 1")
    subscription = make_subscription(lead)
    seats.assign(subscription.id, lead.id, actor=lead, asset_code=laptop.code.lower())
    [held] = seats.of_person(lead.id)
    assert (held.asset_code, held.asset_name) == (laptop.code, "Laptop 1")
    with pytest.raises(Invalid, match="No item has the code"):
        seats.assign(make_subscription(lead).id, lead.id, actor=lead, asset_code="ZZZZZZ")


def test_a_double_tap_gives_one_seat(app):
    lead = factories.make_user("lead")
    subscription = make_subscription(lead)
    one = seats.assign(subscription.id, lead.id, actor=lead, key="k" * 32)
    two = seats.assign(subscription.id, lead.id, actor=lead, key="k" * 32)
    assert one.id == two.id and SubscriptionSeat.select().count() == 1


def test_eight_people_ask_for_the_last_seat_at_once(app):
    """Eight threads give the last seat to eight people: one seat, seven refusals."""
    lead = factories.make_user("lead")
    people = [factories.make_holder(f"Racer {n}") for n in range(8)]
    subscription = make_subscription(lead, seats=3)
    seats.assign(subscription.id, factories.make_holder("Early 1").id, actor=lead)
    seats.assign(subscription.id, factories.make_holder("Early 2").id, actor=lead)
    barrier = threading.Barrier(len(people))
    results: dict[int, str] = {}

    def ask(person):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                try:
                    seats.assign(subscription.id, person.id, actor=lead)
                    results[person.id] = "given"
                except Refused as refused:
                    results[person.id] = str(refused)
        finally:
            models.db.close()

    threads = [threading.Thread(target=ask, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(results.values())
    assert outcomes == ["All 3 seats are taken. Free one, or add seats first."] * 7 + ["given"]
    assert subscriptions.seats_in_use(subscription.id) == 3
    assert kinds(subscription).count("seat_assigned") == 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"renews_on": date(9999, 12, 31)}, "renews_on"),
        ({"starts_on": date(1, 1, 1), "renews_on": None}, "starts_on"),
    ],
)
def test_dates_out_of_range_are_refused(app, overrides, field):
    lead = factories.make_user("lead")
    vendor = vendors.save_vendor("Figma", actor=lead)
    with pytest.raises(Invalid) as refused:
        subscriptions.create({**values(vendor.id), **overrides}, actor=lead)
    assert refused.value.errors[field] == rules.DATE_RANGE


def test_renewing_past_the_last_date_is_refused_and_the_page_still_opens(app, client, auth):
    """A renewal typed as 31 Dec 2100 has no next period: the page offers none
    (it used to fail on year 10000's sort), and Renewed asks for a date."""
    lead = auth.login("lead")
    subscription = make_subscription(lead, renews_on=date(2100, 12, 31), period="year")
    assert rules.next_renewal(subscription) is None
    with pytest.raises(Invalid) as refused:
        subscriptions.renew(subscription.id, version=1, actor=lead, renews_on=date(2101, 1, 1))
    assert refused.value.errors == {"renews_on": rules.DATE_RANGE}
    with pytest.raises(Invalid, match="Give the next renewal date"):
        subscriptions.renew(subscription.id, version=1, actor=lead, renews_on=None)
    assert client.get(f"/subscriptions/{subscription.id}").status_code == 200


def test_the_history_says_what_changed(app):
    lead = factories.make_user("lead")
    subscription = make_subscription(lead, product="Figma Professional", cost_cents=1500)
    subscriptions.update(
        subscription.id,
        values(subscription.vendor_id, product="Figma Pro", cost_cents=1800, seats=7),
        version=1,
        actor=lead,
    )
    subscriptions.renew(subscription.id, version=2, actor=lead, renews_on=None)
    subscriptions.cancel(subscription.id, version=3, actor=lead, ended_on=date(2027, 3, 31))
    said = {line.kind: line.details for line in history.lines(subscription.id)}
    assert said["edited"] == (
        "Product: Figma Professional → Figma Pro; Seats: 5 → 7; Cost: 15.00 → 18.00"
    )
    assert said["renewed"] == "next renewal 1 Feb 2027"
    assert said["cancelled"] == "runs to 31 Mar 2027"


def test_the_largest_amount_is_a_cost_too(app):
    """One ceiling for every amount (ops.money): a subscription may cost it a
    period, and its cost a year still adds up."""
    lead = factories.make_user("lead")
    vendor = vendors.save_vendor("Figma", actor=lead)
    made = subscriptions.create({**values(vendor.id), "cost_cents": 2**31 - 1}, actor=lead)
    assert Subscription.get_by_id(made.id).cost_cents == 2**31 - 1
