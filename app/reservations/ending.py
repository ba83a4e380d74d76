"""What a return does to a started reservation: the item is no longer held by
it, and when the last of its items is back the reservation has ended; and what
retiring an item does to the bookings not yet started that hold it. Custody's
return and retire call these inside their own transaction."""

from __future__ import annotations

from datetime import datetime, tzinfo

from ..models import Asset, Event, Reservation, ReservationItem, User, utcnow
from ..register import events
from . import moments

RETIRED_WHY = "the item was retired"


def retired(asset: Asset, actor: User, zone: tzinfo, now: datetime) -> list[Event]:
    """`asset` was retired: take it out of every booking not yet started, cancel
    a booking left with nothing in it, and record on the item, per booking, that
    it was cancelled for it because the item was retired."""
    items = list(
        ReservationItem.select(ReservationItem, Reservation, User)
        .join(Reservation, on=(ReservationItem.reservation == Reservation.id))
        .join(User, on=(Reservation.person == User.id))
        .where(
            ReservationItem.asset == asset.id,
            ReservationItem.active == True,  # noqa: E712
            Reservation.state == "booked",
        )
        .order_by(ReservationItem.starts_at, ReservationItem.id)
    )
    recorded = []
    for item in items:
        ReservationItem.update(active=False).where(ReservationItem.id == item.id).execute()
        booking = item.reservation
        left = ReservationItem.select().where(
            ReservationItem.reservation == booking.id,
            ReservationItem.active == True,  # noqa: E712
        )
        if not left.exists():
            booking.state, booking.ended_at = "cancelled", now
        booking.version += 1
        booking.save()
        data = {
            "reservation": booking.id,
            "for": booking.person.name,
            "period": moments.period_text(booking.starts_at, booking.ends_at, zone, now),
            "why": RETIRED_WHY,
        }
        if booking.kit_id:
            data["kit"] = booking.kit.name
        recorded.append(events.record("reservation_cancelled", asset=asset, actor=actor, data=data))
    return recorded


def returned(asset: Asset, holder: User | None) -> Reservation | None:
    """`holder` gave `asset` back: free it from their started booking, and end the
    booking when nothing in it is still out. Returns the booking it ended, if any."""
    if holder is None:
        return None
    item = (
        ReservationItem.select(ReservationItem, Reservation)
        .join(Reservation)
        .where(
            ReservationItem.asset == asset.id,
            ReservationItem.active == True,  # noqa: E712
            Reservation.state == "started",
            Reservation.person == holder.id,
        )
        .first()
    )
    if item is None:
        return None
    ReservationItem.update(active=False).where(ReservationItem.id == item.id).execute()
    booking = item.reservation
    still_out = ReservationItem.select().where(
        ReservationItem.reservation == booking.id,
        ReservationItem.active == True,  # noqa: E712
    )
    if still_out.exists():
        return None
    booking.state, booking.ended_at = "ended", utcnow()
    booking.version += 1
    booking.save()
    return booking
