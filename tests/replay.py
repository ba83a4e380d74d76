"""The custody rules folded from events alone: what an asset's row must say."""

from __future__ import annotations

from app.models import Event


def replay(events: list[Event]) -> tuple[str, int | None]:
    """Fold an asset's events into (status, holder id), from the design's rules alone."""
    holder, retired, repairing, missing = None, False, False, False
    blocking: set[int] = set()
    for e in events:
        data = e.data or {}
        if e.kind in ("checked_out", "transferred"):
            holder = e.holder_id
        elif e.kind == "checked_in":
            holder = None
        elif e.kind == "retired":
            retired, holder = True, None
        elif e.kind == "fault_reported" and data.get("severity") == "do_not_use":
            blocking.add(data["fault_id"])
        elif e.kind == "repair_started":
            repairing = True
        elif e.kind == "repaired":
            repairing, blocking = False, set()
        elif e.kind == "marked_missing":
            missing = True
        elif e.kind == "found":
            missing = False
    if retired:
        status = "retired"
    elif repairing:
        status = "in_repair"
    elif missing:
        status = "missing"
    elif blocking:
        status = "faulty"
    elif holder:
        status = "checked_out"
    else:
        status = "available"
    return status, holder
