"""The /scan page: the running audits with their counts, the rooms this person
said they are in, and the lists the modes pick from."""

from __future__ import annotations

from ..audits import audits
from ..audits import rooms as audit_rooms
from ..custody import batch
from ..custody.rules import may_check_out_to_others
from ..models import User
from ..register import people, places


def page(viewer: User, walking_id: int | None, *, checked: int | None, unmatched: str) -> dict:
    """`walking_id`: the audit walked on this device (the Audit mode starts
    there); `checked`/`unmatched`: a typed code, sent without JavaScript, that
    matched nothing in that audit and comes back to be asked about."""
    running = audits.running()
    chosen = walking_id if any(a.id == walking_id for a in running) else None
    if chosen is None and running:
        chosen = running[0].id
    counted = batch.summaries(running)
    return {
        "running": [(audit, counted[audit.id]) for audit in running],
        "rooms": audit_rooms.rooms_of(viewer),
        "checked": checked,
        "unmatched": unmatched,
        "question": audits.typing_mistake(unmatched) if unmatched else None,
        "chosen_audit": chosen,
        # "Check out to…": a member only ever to themselves.
        "to_anyone": may_check_out_to_others(viewer),
        "holders": list(people.people(include_inactive=False))
        if may_check_out_to_others(viewer)
        else [viewer],
        "places": places.location_options(),
    }
