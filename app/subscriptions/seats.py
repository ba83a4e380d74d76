"""Giving seats to people (and optionally to an asset, software on a laptop)
and freeing them. Giving the last seat takes turns: the subscription is locked
for the write, so of two people asking for the last seat at once, one gets it
and the other is told it is full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from peewee import JOIN

from ..database import write
from ..errors import Invalid, NotFound, Refused
from ..models import Asset, Subscription, SubscriptionEvent, SubscriptionSeat, User, Vendor, utcnow
from ..register.rules import require_lead
from . import history, rules
from .subscriptions import locked, seats_in_use


def assign(
    subscription_id: int,
    person_id: int | None,
    *,
    actor: User,
    asset_code: str = "",
    key: str | None = None,
) -> SubscriptionSeat:
    """Give one seat to a person. One seat per person per subscription; none
    to someone deactivated; none past the seats bought; none once cancelled.
    `key` (an action key) makes a double tap one seat."""
    require_lead(actor, "give seats")
    if person_id is None:
        raise Invalid({"person": "Choose who gets the seat."})
    code = "".join((asset_code or "").split()).replace("-", "").upper()
    with write():
        if key and SubscriptionEvent.get_or_none(SubscriptionEvent.key == key):
            seat = (
                SubscriptionSeat.select()
                .where(
                    SubscriptionSeat.subscription == subscription_id,
                    SubscriptionSeat.person == person_id,
                )
                .order_by(SubscriptionSeat.id.desc())
                .first()
            )
            if seat is not None:
                return seat
        subscription = locked(subscription_id)
        if rules.is_cancelled(subscription):
            raise Refused("This subscription is cancelled; its seats cannot be given.")
        person = User.get_or_none(User.id == person_id)
        if person is None:
            raise Invalid({"person": "That person does not exist."})
        if not person.active:
            raise Refused(f"{person.name} is deactivated; give the seat to someone current.")
        asset = None
        if code:
            asset = Asset.get_or_none(Asset.code == code)
            if asset is None:
                raise Invalid({"asset": f"No item has the code “{asset_code.strip()[:20]}”."})
        held = SubscriptionSeat.get_or_none(
            SubscriptionSeat.subscription == subscription.id,
            SubscriptionSeat.person == person.id,
            SubscriptionSeat.freed_at.is_null(),
        )
        if held is not None:
            raise Refused(f"{person.name} already has a seat.")
        free = rules.seats_free(subscription, seats_in_use(subscription.id))
        if free == 0:
            raise Refused(
                f"All {subscription.seats} seats are taken. Free one, or add seats first."
            )
        seat = SubscriptionSeat.create(
            subscription=subscription,
            person=person,
            asset=asset,
            assigned_by=actor,
            assigned_at=utcnow(),
        )
        history.record(
            subscription,
            "seat_assigned",
            actor=actor,
            person=person,
            data={"asset": asset.code} if asset else None,
            key=key,
        )
    return seat


def _free(seat: SubscriptionSeat, actor: User, note: str = "") -> None:
    seat.freed_at = utcnow()
    seat.freed_by = actor
    seat.save()
    history.record(seat.subscription, "seat_freed", actor=actor, person=seat.person, note=note)


def free(seat_id: int, *, actor: User) -> SubscriptionSeat:
    """Take a seat back. Freeing one already freed is refused, changing nothing."""
    require_lead(actor, "free seats")
    with write():
        seat = SubscriptionSeat.get_or_none(SubscriptionSeat.id == seat_id)
        if seat is None:
            raise NotFound("That seat does not exist.")
        locked(seat.subscription_id)
        seat = SubscriptionSeat.get(SubscriptionSeat.id == seat_id)
        if seat.freed_at is not None:
            raise Refused("That seat is already free.")
        _free(seat, actor)
    return seat


def free_all_of(person: User, *, actor: User, note: str = "") -> list[SubscriptionSeat]:
    """Free every seat a person holds, inside the caller's write (a leaver's
    Return all). Returns the seats freed, by product."""
    seats = list(
        SubscriptionSeat.select(SubscriptionSeat, Subscription)
        .join(Subscription)
        .where(SubscriptionSeat.person == person.id, SubscriptionSeat.freed_at.is_null())
        .order_by(Subscription.product, SubscriptionSeat.id)
    )
    for seat in seats:
        _free(seat, actor, note)
    return seats


@dataclass(frozen=True)
class Held:
    """A seat as a person's page and a subscription's page list it."""

    id: int
    subscription_id: int
    vendor: str
    product: str
    person_id: int
    person: str
    person_active: bool
    asset_code: str
    asset_name: str
    assigned_at: datetime
    # The subscription's dates, which its state is judged on (rules.standing).
    starts_on: date | None
    ended_on: date | None
    cancelled_at: datetime | None
    # Where the subscription stands, for a page that shows it (rules.standing).
    standing: rules.Standing | None = None


def _held(where) -> list[Held]:
    query = (
        SubscriptionSeat.select(
            SubscriptionSeat.id,
            Subscription.id,
            Vendor.name,
            Subscription.product,
            User.id,
            User.name,
            User.active,
            Asset.code,
            Asset.name,
            SubscriptionSeat.assigned_at,
            Subscription.starts_on,
            Subscription.ended_on,
            Subscription.cancelled_at,
        )
        .join(Subscription)
        .join(Vendor)
        .switch(SubscriptionSeat)
        .join(User, on=(SubscriptionSeat.person == User.id))
        .switch(SubscriptionSeat)
        .join(Asset, JOIN.LEFT_OUTER, on=(SubscriptionSeat.asset == Asset.id))
        .where(where, SubscriptionSeat.freed_at.is_null())
        .order_by(Subscription.product, User.name, SubscriptionSeat.id)
    )
    return [
        Held(s, sub, v, p, pid, pn, bool(active), code or "", an or "", at, so, eo, ca)
        for s, sub, v, p, pid, pn, active, code, an, at, so, eo, ca in query.tuples()
    ]


def of_person(person_id: int) -> list[Held]:
    """The seats a person holds now."""
    return _held(SubscriptionSeat.person == person_id)


def of_subscription(subscription_id: int) -> list[Held]:
    """The seats given out now, by person."""
    return _held(SubscriptionSeat.subscription == subscription_id)
