"""The audit pages: the list of audits, and one audit as the person walking it sees it."""

from __future__ import annotations

from ..audits import audits
from ..audits import progress as audit_progress
from ..audits import rooms as audit_rooms
from ..audits import rules as audit_rules
from ..models import Audit, User
from ..register import places

LISTED = 50  # audits on the list, newest first


def index() -> list[tuple[Audit, str]]:
    """Recent audits, each with what it covers ("Everywhere · Tools")."""
    rows = Audit.select().order_by(Audit.started_at.desc()).limit(LISTED)
    return [(audit, audits.scope_label(audit)) for audit in rows]


def live(audit: Audit, viewer: User) -> dict:
    """The part of the audit page that refreshes as ticks arrive, with what this
    person may do there: undo which ticks, decide about items seen elsewhere."""
    p = audit_progress.progress(audit)
    return {
        "audit": audit,
        "p": p,
        "undoable": {t.id for t in p.recent if audit_rules.undo_refusal(t, viewer, audit) is None},
        "decides": audit_rules.elsewhere_refusal(audit, viewer) is None,
    }


def show(audit: Audit, viewer: User, *, room: str = "", unmatched: str = "") -> dict:
    """The whole audit page. `room`: a location id, or "none", to list what is
    still to find there; `unmatched`: a typed code that matched nothing."""
    said = audit_rooms.room_of(audit.id, viewer)
    context = {
        **live(audit, viewer),
        "room_id": said.id if said else None,
        "rooms": places.location_options(),
        "scope": audits.scope_label(audit),
        "unmatched": unmatched,
        "question": audits.typing_mistake(unmatched) if unmatched else None,
        "room_list": None,
        "room_name": None,
    }
    if room == "none" or room.isdecimal():
        place = places.get_location(int(room)) if room.isdecimal() else None
        context["room_list"] = audit_progress.remaining_at(audit, place.id if place else None)
        context["room_name"] = place.name if place else "no recorded place"
    return context
