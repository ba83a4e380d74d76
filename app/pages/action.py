"""One action's own small form page (check out, return, move, retire...): the
people and places to choose from, and what the viewer may choose."""

from __future__ import annotations

from ..custody import condition, custody
from ..custody import rules as custody_rules
from ..models import Asset, User
from ..register import people, places
from ..register.rules import is_unusable
from ..reservations import listing as reservation_listing


def form_page(
    action: str, asset: Asset, viewer: User, q: str = "", chosen: int | None = None
) -> dict:
    """What the form for `action` on `asset` shows `viewer`. `q`: a search in
    the people list (check out and hand over choose a person); `chosen`: the
    person already chosen (a refused form comes back with them listed)."""
    listed = people.pick(q) if action in ("checkout", "transfer") else []
    if chosen and action in ("checkout", "transfer") and all(p.id != chosen for p in listed):
        listed = [p for p in people.by_id(chosen) if p.active] + listed
    return {
        "action": action,
        "asset": asset,
        "q": q,
        "people": listed,
        "locations": places.location_tree() if action in ("return", "move") else [],
        "to_anyone": custody_rules.may_check_out_to_others(viewer),
        "unusable": is_unusable(asset),
        "reasons": custody.RETIRE_REASONS,
        "conditions": condition.CONDITIONS,
        # The check "Checked, ready" answers (its own page, with a note).
        "check": (
            condition.check_text(asset)
            if action == "ready" and condition.needs_check(asset)
            else ""
        ),
        # A lead may check out over someone's booking, knowingly (the form says whose).
        "bookings": (
            reservation_listing.for_asset(asset, viewer)
            if action in ("checkout", "transfer")
            else None
        ),
    }
