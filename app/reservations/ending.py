"""What a return does to a started reservation: the item is no longer held by
it, and when the last of its items is back the reservation has ended. Custody's
return calls this inside its own transaction."""

from __future__ import annotations

from ..models import Asset, Reservation, ReservationItem, User, utcnow


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
