"""One action's own small form page (check out, return, move, retire...): the
people and places to choose from, and what the viewer may choose."""

from __future__ import annotations

from ..custody import condition, custody
from ..custody import rules as custody_rules
from ..models import Asset, User
from ..ops import settings as org_settings
from ..receipts import rules as receipt_rules
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
        "locations": places.location_options() if action in ("return", "move") else [],
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
        "signing": signing(action, asset, viewer),
    }


def signing(action: str, asset: Asset, viewer: User) -> dict | None:
    """The signing part of a check-out, transfer or return form, or None when the
    action could make no receipt (a member's own check-out or return of one item
    that needs no signature: receipts/rules.py)."""
    required = receipt_rules.needs_signature(asset)
    if action == "checkout":
        # A lead chooses the receiver on this form, most often someone else.
        if not (custody_rules.may_check_out_to_others(viewer) or required):
            return None
    elif action == "transfer":
        pass  # always between two people
    elif action == "return":
        if not asset.holder_id or (asset.holder_id == viewer.id and not required):
            return None
    else:
        return None
    if action == "return":
        signers = [{"id": asset.holder_id, "label": f"{asset.holder.name}, returning it"}]
        if asset.holder_id != viewer.id:
            signers.append({"id": viewer.id, "label": f"{viewer.name}, taking it back"})
        return {
            "kind": "return",
            "legend": "Signature",
            "required": False,
            "terms": "",
            "signers": signers,
        }
    return {
        "kind": "handover",
        "legend": "Signature of the person taking it",
        "required": required,
        "required_words": "Handing this over needs a signature.",
        "terms": org_settings.handover_terms(),
        "signers": [],
    }
