"""The Reserve form and the Reservations page: what they show one viewer."""

from __future__ import annotations

from ..models import Asset, User
from ..register import people
from ..register.rules import is_lead
from ..reservations import listing
from ..reservations import rules as reservation_rules


def form_page(asset: Asset, viewer: User) -> dict:
    """The Reserve form: the asset's bookings, and for leads whom to book for;
    `refusal`: why it cannot be reserved at all (then no form)."""
    return {
        "asset": asset,
        "refusal": reservation_rules.reservable_refusal(asset, reservation_rules.current_policy()),
        "bookings": listing.for_asset(asset, viewer),
        "people": people.pick("", limit=500) if is_lead(viewer) else [],
        "note_max": reservation_rules.NOTE_MAX,
    }


def index(viewer: User) -> dict:
    """My bookings not yet over; for leads, everyone's coming ones too."""
    return {
        "mine": listing.bookings(viewer, person_id=viewer.id),
        "everyone": listing.bookings(viewer, person_id=None) if is_lead(viewer) else None,
    }
