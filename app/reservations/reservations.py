"""Reservations: book assets for a person over a period, change or cancel the
booking, start it (everything in it is checked out to the person, due back at
its end), and let unstarted ones lapse. Returning the items ends it (ending.py).

No double booking: every write takes the write transaction and, on PostgreSQL,
locks the assets' rows in id order before the overlap test, so of two requests
for the same slot exactly one wins (custody's check-out locks the same rows).
Every booking, change, start, lapse and cancellation is an event on each item.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from ..custody import custody, engine
from ..database import is_sqlite, write
from ..errors import Forbidden, Invalid, NotFound, Refused, ServiceError
from ..models import Asset, Kit, Reservation, ReservationItem, User, utcnow
from ..prepared import insert, insert_many
from ..receipts import runs
from ..register import events
from . import moments, rules


def _person(person_id: int | None, actor: User) -> User:
    if person_id in (None, actor.id):
        return actor
    person = User.get_or_none(User.id == person_id)
    if person is None or not person.active:
        raise Invalid({"person": "Choose a person from the list."})
    return person


def _locked_assets(codes: list[str]) -> list[Asset]:
    """The assets, their rows locked on PostgreSQL in id order (SQLite already
    runs one writer at a time), so two bookings of one asset queue up."""
    if len(codes) == 1:  # the Reserve form of one item: a query built once
        return [engine.locked(codes[0])]
    query = Asset.select().where(Asset.code.in_(codes)).order_by(Asset.id)
    if not is_sqlite():
        query = query.for_update()
    found = list(query)
    if len(found) != len(set(codes)):
        raise NotFound("No asset has that code.")
    return found


def _locked_reservation(reservation_id: int) -> Reservation:
    query = Reservation.select().where(Reservation.id == reservation_id)
    if not is_sqlite():
        query = query.for_update()
    found = query.first()
    if found is None:
        raise NotFound("No such reservation.")
    return found


def _items(reservation: Reservation) -> list[ReservationItem]:
    return list(
        ReservationItem.select(ReservationItem, Asset)
        .join(Asset)
        .where(ReservationItem.reservation == reservation.id)
        .order_by(Asset.id)
    )


def _check_free(
    assets: list[Asset],
    person: User,
    start: datetime,
    end: datetime,
    now: datetime,
    zone: tzinfo,
    policy: rules.Policy,
    besides: int | None = None,
) -> None:
    """Refuse, saying who has it and when it is free, when any asset is booked
    or out with someone else during [start, end)."""
    by_id = {a.id: a for a in assets}
    found = rules.clashes(by_id, start, end, now, policy, besides=besides)
    if found:
        raise Refused(rules.clash_message(found[-1], by_id[found[-1].asset_id], zone, now))
    for asset in assets:
        refusal = rules.held_refusal(asset, person.id, start, zone, now, policy)
        if refusal:
            raise Refused(refusal)


def _each(reservation: Reservation, assets, zone, now, **data):
    """Each asset with the data its event keeps: the booking, for whom, the
    period as the organisation's clock read it then, and the kit's name as it
    was, when the booking was made for a kit."""
    period = moments.period_text(reservation.starts_at, reservation.ends_at, zone, now)
    kit = {"kit": reservation.kit.name} if reservation.kit_id else {}
    for asset in assets:
        yield (
            asset,
            {
                "reservation": reservation.id,
                "for": reservation.person.name,
                "period": period,
                **kit,
                **data,
            },
        )


def reserve(
    codes: list[str],
    *,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    zone: tzinfo,
    person_id: int | None = None,
    note: str = "",
    now: datetime | None = None,
    kit: Kit | None = None,
) -> Reservation:
    """Book the assets with these codes for `person_id` (default: the actor);
    `kit`: the kit they are, when a kit is booked (kits/taking.reserve)."""
    now = now or utcnow()
    policy = rules.current_policy()
    note = note.strip()
    if len(note) > rules.NOTE_MAX:
        raise Invalid({"note": f"Keep the note under {rules.NOTE_MAX} characters."})
    if not codes:
        raise Invalid({"": "Choose at least one item."})
    person = _person(person_id, actor)
    rules.require_reserve_for(actor, person)
    rules.check_period(starts_at, ends_at, now, policy)
    with write():
        assets = _locked_assets(codes)
        for asset in assets:
            refusal = rules.reservable_refusal(asset, policy)
            if refusal:
                raise Refused(refusal)
        _check_free(assets, person, starts_at, ends_at, now, zone, policy)
        booking = insert(
            Reservation,
            person=person,
            made_by=actor,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
            created_at=now,
            kit=kit,
        )
        insert_many(
            ReservationItem,
            [
                {
                    "reservation": booking.id,
                    "asset": asset.id,
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "active": True,
                }
                for asset in assets
            ],
        )
        for asset, data in _each(booking, assets, zone, now):
            events.record("reserved", asset=asset, actor=actor, note=note, data=data)
        return booking


def _editable(reservation_id: int, actor: User, now: datetime, policy) -> Reservation:
    booking = _locked_reservation(reservation_id)
    if not rules.may_change(actor, booking):
        raise Forbidden("Only the person it is for, whoever made it, or a lead can change it.")
    if not rules.holds(booking.state, booking.starts_at, now, policy) or booking.state != "booked":
        raise Refused(f"This reservation is {rules.state_label(booking, now, policy).lower()}.")
    return booking


def cancel(reservation_id: int, *, actor: User, zone: tzinfo, now: datetime | None = None):
    """Cancel a booking that has not started; its items are free again."""
    now = now or utcnow()
    policy = rules.current_policy()
    with write():
        booking = _editable(reservation_id, actor, now, policy)
        items = _items(booking)
        _finish(booking, "cancelled", now)
        for asset, data in _each(booking, [i.asset for i in items], zone, now):
            events.record("reservation_cancelled", asset=asset, actor=actor, data=data)
        return booking


def change(
    reservation_id: int,
    *,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    zone: tzinfo,
    now: datetime | None = None,
) -> Reservation:
    """Move a booking that has not started to another period, if it is free."""
    now = now or utcnow()
    policy = rules.current_policy()
    rules.check_period(starts_at, ends_at, now, policy)
    with write():
        booking = _editable(reservation_id, actor, now, policy)
        assets = _locked_assets([i.asset.code for i in _items(booking)])
        _check_free(assets, booking.person, starts_at, ends_at, now, zone, policy, booking.id)
        was = moments.period_text(booking.starts_at, booking.ends_at, zone, now)
        booking.starts_at, booking.ends_at = starts_at, ends_at
        booking.version += 1
        booking.save()
        ReservationItem.update(starts_at=starts_at, ends_at=ends_at).where(
            ReservationItem.reservation == booking.id
        ).execute()
        for asset, data in _each(booking, assets, zone, now, was=was):
            events.record("reservation_changed", asset=asset, actor=actor, data=data)
        return booking


def start(
    reservation_id: int,
    *,
    actor: User,
    today: date,
    zone: tzinfo,
    now: datetime | None = None,
    signing: runs.Signing | None = None,
) -> Reservation:
    """Check every item out to the person, due back on the day the booking ends:
    one transaction, each item its own event. Nothing moves if one cannot go.
    `signing`: the one receipt of them all (when the rules want one) and its
    signature; `booking.receipt_id` then names it."""
    now = now or utcnow()
    policy = rules.current_policy()
    with write():
        booking = _locked_reservation(reservation_id)
        refusal = rules.start_refusal(booking, actor, now, policy)
        if refusal:
            raise Refused(refusal)
        due = moments.due_day(booking.ends_at, zone)
        booking.events = []  # what the start wrote, for the page to show
        items = _items(booking)
        moving = [i.asset for i in items if i.asset.holder_id != booking.person_id]
        receipt = runs.open_for("handover", actor, booking.person, moving, signing)
        for item in items:
            if item.asset.holder_id == booking.person_id:
                continue  # they have it already
            try:
                outcome = custody.check_out(
                    item.asset.code,
                    actor=actor,
                    today=today,
                    holder_id=booking.person_id,
                    due_back=due,
                    zone=zone,
                    reservation=booking,
                    receipt=receipt,
                )
            except Invalid as exc:
                raise Refused(f"{item.asset.name}: {exc}") from None
            except ServiceError as exc:
                raise type(exc)(f"{item.asset.name}: {exc}") from None
            booking.events += outcome.events
        booking.receipt_id = runs.close(receipt, signing)
        booking.state, booking.started_at = "started", now
        booking.version += 1
        booking.save()
        return booking


def _finish(booking: Reservation, state: str, now: datetime) -> None:
    booking.state, booking.ended_at = state, now
    booking.version += 1
    booking.save()
    ReservationItem.update(active=False).where(ReservationItem.reservation == booking.id).execute()


def lapse(*, zone: tzinfo, now: datetime | None = None) -> int:
    """Mark bookings not started in time as lapsed (their items were already free
    for others: rules.holds). Run by `tagtrail remind`. Returns how many."""
    now = now or utcnow()
    policy = rules.current_policy()
    with write():
        due = (
            Reservation.select()
            .where(Reservation.state == "booked", Reservation.starts_at <= now - policy.lapse)
            .order_by(Reservation.id)
        )
        count = 0
        for booking in due:
            items = _items(booking)
            _finish(booking, "lapsed", now)
            for asset, data in _each(booking, [i.asset for i in items], zone, now):
                events.record("reservation_lapsed", asset=asset, data=data)
            count += 1
        return count


def get(reservation_id: int) -> Reservation:
    found = Reservation.get_or_none(Reservation.id == reservation_id)
    if found is None:
        raise NotFound("No such reservation.")
    return found
