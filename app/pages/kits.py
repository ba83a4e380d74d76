"""What the kit pages show: a kit's page (its items, each one's status, the
card's warnings and the buttons the viewer may use), and the leads' Kits list."""

from __future__ import annotations

from ..custody import rules as custody_rules
from ..kits import kits, taking
from ..kits import rules as kit_rules
from ..models import STATUS_LABELS, Kit, User, utcnow
from ..ops import settings as org_settings
from ..register import people
from ..reservations import listing as reservation_listing
from ..reservations import rules as reservation_rules


def page(kit: Kit, viewer: User, q: str = "") -> dict:
    """The kit's page (the kit's label opens it)."""
    items = kits.items(kit)
    out = [a for a in items if a.holder_id]
    rows = [
        {
            "code": a.code,
            "name": a.name,
            "status": a.status,
            "status_label": STATUS_LABELS.get(a.status, a.status),
            "holder": a.holder.name if a.holder_id else "",
        }
        for a in items
    ]
    to_others = custody_rules.may_check_out_to_others(viewer)
    startable = taking.startable(kit, viewer) if items and not out else None
    now = utcnow()
    booked = taking.bookings(kit, now)
    return {
        "kit": kit,
        "items": rows,
        "warnings": kit_rules.warnings(items, viewer),
        "out_with": kit_rules.out_with(items, viewer),  # the whole kit with one person
        # Offered when nothing is out yet; the service says which item stops it.
        # Start reservation is the one primary button when it is offered.
        "may_check_out": bool(items) and not out and startable is None,
        "may_check_out_to_others": to_others and bool(items) and not out,
        # An item already flagged as not back with its kit starts unticked, so one
        # tap on Return does not clear the flag someone else raised.
        # Each item's holder is named on the Return list only when they differ
        # (the card already says "Out with Sam" when one person has it all).
        "out": [
            {
                "code": a.code,
                "name": a.name,
                "holder": a.holder.name if len({b.holder_id for b in out}) > 1 else "",
                "flagged": a.not_back_since is not None,
            }
            for a in out
        ],
        "may_manage": kit_rules.may_manage(viewer),
        "people": people.pick(q, limit=500) if (to_others and items) else [],
        # Leads hand a kit that is out to someone else in one tap.
        "may_transfer": to_others and bool(out),
        # A lead's Check out to… and Transfer to… make one receipt for the kit.
        "kit_signing": (
            {
                "kind": "handover",
                "legend": "Signature of the person taking them",
                "required": False,
                "terms": org_settings.handover_terms(),
                "signers": [],
            }
            if to_others and items
            else None
        ),
        "startable": startable,
        # Everyone sees who has the kit booked before they take it.
        "bookings": [
            {"person": b.person.name, "starts_at": b.starts_at, "ends_at": b.ends_at}
            for b in booked
        ],
        # Free now, booked later: free until the next booking starts (as an item's page).
        "free_until": booked[0].starts_at
        if booked
        and not out
        and not reservation_rules.in_force(booked[0].starts_at, booked[0].state == "started", now)
        else None,
        # Out for its started booking: due back at the booking's end, to the minute.
        "due_at": reservation_listing.kit_due_at(kit.id) if out else None,
    }


def question(asked: list, present: set[str], key: str) -> dict:
    """A return with items not ticked asks first ("Lens 2 is not here?"): the
    items asked about, the ticks as they were, and the form's key, so the answer
    posts the same return again and a double tap stays one return."""
    return {
        "asked": [{"code": a.code, "name": a.name} for a in asked],
        "present": sorted(present),
        "key": key,
    }


def index() -> dict:
    """The leads' Kits page: every kit, with how many items it has, and the items
    that did not come back with their kit."""
    return {
        "kits": [{"kit": kit, "count": count} for kit, count in kits.all_kits()],
        "not_back": [
            {
                "code": a.code,
                "name": a.name,
                "holder": a.holder.name,
                "since": a.not_back_since,
                # Taken out of its kit since: still flagged, with no kit to name.
                "kit": a.in_kit.kit.name if getattr(a, "in_kit", None) else "",
            }
            for a in kits.not_back()
        ],
    }


def edit_page(kit: Kit) -> dict:
    return {"kit": kit, "items": kits.items(kit)}


def reserve_page(kit: Kit, viewer: User) -> dict:
    """The kit's Reserve form: for leads, whom to book for."""
    return {
        "kit": kit,
        "items": kits.items(kit),
        "people": people.pick("", limit=500) if kit_rules.may_manage(viewer) else [],
        "note_max": reservation_rules.NOTE_MAX,
    }
