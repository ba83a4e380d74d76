"""Waste: money the running subscriptions cost for nothing, as a year's worth.

- Seats not assigned: per subscription, its free seats and what they cost a
  year (its cost a year × free ÷ seats bought, halves up).
- Seats held by deactivated people: per seat, the person, the product and
  what one seat costs a year.
- Subscriptions past renewal (subscriptions.rules.past_renewal), at their
  whole cost a year.

The total adds up the three, each subscription's money once: the seats of a
subscription past renewal are listed but not counted again
(rules.seat_waste_counts). Seats are counted in SQL, one query per table;
only the per-row money is worked out here, by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from peewee import JOIN, fn

from ..models import Subscription, SubscriptionSeat, User, Vendor
from ..subscriptions import rules
from .common import as_date


@dataclass
class FreeSeats:
    subscription_id: int
    product: str
    vendor: str
    seats: int
    in_use: int
    year_cents: int | None  # what the free seats cost a year; None: no cost recorded
    counted: bool  # False: the subscription is past renewal and counted there

    @property
    def free(self) -> int:
        return self.seats - self.in_use


@dataclass
class HeldSeat:
    subscription_id: int
    product: str
    vendor: str
    person_id: int
    person: str
    since: datetime
    year_cents: int | None  # one seat's cost a year; None: unlimited seats or no cost
    counted: bool


@dataclass
class PastRenewal:
    subscription_id: int
    product: str
    vendor: str
    renews_on: date
    auto_renews: bool
    year_cents: int | None


@dataclass
class Waste:
    today: date
    free: list[FreeSeats]
    held: list[HeldSeat]
    past: list[PastRenewal]

    @property
    def free_cents(self) -> int:
        return sum(x.year_cents or 0 for x in self.free if x.counted)

    @property
    def held_cents(self) -> int:
        return sum(x.year_cents or 0 for x in self.held if x.counted)

    @property
    def past_cents(self) -> int:
        return sum(x.year_cents or 0 for x in self.past)

    @property
    def total_cents(self) -> int:
        return self.free_cents + self.held_cents + self.past_cents


def _costliest(rows: list) -> list:
    return sorted(rows, key=lambda x: (-(x.year_cents or -1), x.product.lower(), x.vendor))


def _free(today: date) -> list[FreeSeats]:
    in_use = fn.COUNT(SubscriptionSeat.id)
    query = (
        Subscription.select(
            Subscription.id,
            Subscription.product,
            Vendor.name,
            Subscription.seats,
            in_use,
            Subscription.cost_cents,
            Subscription.period,
            Subscription.cancelled_at,
            Subscription.renews_on,
        )
        .join(Vendor)
        .switch(Subscription)
        .join(
            SubscriptionSeat,
            JOIN.LEFT_OUTER,
            on=(
                (SubscriptionSeat.subscription == Subscription.id)
                & SubscriptionSeat.freed_at.is_null()
            ),
        )
        .where(rules.running_sql(today), Subscription.seats.is_null(False))
        .group_by(Subscription.id, Vendor.id, Vendor.name)
        .having(Subscription.seats > in_use)
    )
    out = []
    for sid, product, vendor, seats, used, cost, period, cancelled, renews in query.tuples():
        sub = Subscription(cancelled_at=cancelled, renews_on=as_date(renews))
        yearly = rules.cost_per_year_cents(cost, period)
        cents = rules.seats_cost_per_year_cents(yearly, seats, seats - used)
        counted = rules.seat_waste_counts(rules.past_renewal(sub, today))
        out.append(FreeSeats(sid, product, vendor, seats, used, cents, counted))
    return _costliest(out)


_gone = User.alias("gone")


def _held(today: date) -> list[HeldSeat]:
    query = (
        SubscriptionSeat.select(
            Subscription.id,
            Subscription.product,
            Vendor.name,
            User.id,
            User.name,
            SubscriptionSeat.assigned_at,
            Subscription.seats,
            Subscription.cost_cents,
            Subscription.period,
            Subscription.cancelled_at,
            Subscription.renews_on,
        )
        .join(Subscription)
        .join(Vendor)
        .switch(SubscriptionSeat)
        .join(User, on=(SubscriptionSeat.person == User.id))
        .where(
            # From the few deactivated people to their seats, along the seats'
            # (person, freed_at) index, rather than through every seat.
            SubscriptionSeat.person.in_(_gone.select(_gone.id).where(_gone.active == False)),  # noqa: E712
            SubscriptionSeat.freed_at.is_null(),
            rules.running_sql(today),
        )
    )
    out = []
    for (
        sid,
        product,
        vendor,
        pid,
        person,
        since,
        seats,
        cost,
        period,
        cancelled,
        renews,
    ) in query.tuples():
        sub = Subscription(cancelled_at=cancelled, renews_on=as_date(renews))
        yearly = rules.cost_per_year_cents(cost, period)
        cents = rules.seats_cost_per_year_cents(yearly, seats, 1)
        counted = rules.seat_waste_counts(rules.past_renewal(sub, today))
        out.append(HeldSeat(sid, product, vendor, pid, person, since, cents, counted))
    return sorted(_costliest(out), key=lambda x: x.person.lower())


def _past(today: date) -> list[PastRenewal]:
    query = (
        Subscription.select(
            Subscription.id,
            Subscription.product,
            Vendor.name,
            Subscription.renews_on,
            Subscription.auto_renews,
            rules.cost_per_year_sql(),
        )
        .join(Vendor)
        .where(rules.running_sql(today), rules.past_renewal_sql(today))
    )
    rows = [
        PastRenewal(sid, product, vendor, as_date(renews) or today, bool(auto), _int(yearly))
        for sid, product, vendor, renews, auto, yearly in query.tuples()
    ]
    return _costliest(rows)


def _int(value) -> int | None:
    return None if value is None else int(value)


def waste(today: date) -> Waste:
    """The three lists and their money a year, for the subscriptions running today."""
    return Waste(today, _free(today), _held(today), _past(today))
