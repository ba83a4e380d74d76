"""Audits: a snapshot of what should be there, ticks of what was seen, and a
close that marks the rest missing. Every tick, undo, move and mark is an event.
Walking one (ticks, undo, rooms) is in walk.py; its functions are offered
here too, so that callers say audits.tick as they say audits.close."""

from __future__ import annotations

from ..custody.engine import Outcome, perform
from ..database import write
from ..errors import Invalid, Refused
from ..models import Asset, Audit, AuditItem, Category, Event, Location, User, utcnow
from ..register import events, places
from ..register.rules import in_service_sql, require_lead
from . import rules
from .walk import (
    TickResult,
    active_tick,
    get,
    resolve_elsewhere,
    running,
    say_room,
    tick,
    tick_in,
    typing_mistake,
    undo,
)

__all__ = [
    "TickResult",
    "active_tick",
    "close",
    "get",
    "mark_missing",
    "resolve_elsewhere",
    "running",
    "say_room",
    "scope_label",
    "start",
    "tick",
    "tick_in",
    "typing_mistake",
    "undo",
]


def scope_label(audit: Audit) -> str:
    parts = [places.location_label(audit.scope_location_id) or "Everywhere"]
    if audit.scope_category_id:
        parts.append(audit.scope_category.name)
    return " · ".join(parts)


def _scope_query(location_id: int | None, category_id: int | None):
    query = Asset.select(Asset.id, Asset.location).where(in_service_sql())
    if location_id:
        query = query.where(Asset.location.in_(places.subtree_ids(location_id)))
    if category_id:
        query = query.where(Asset.category == category_id)
    return query


NAME_MAX = Audit.name.max_length


def start(
    name: str, *, actor: User, location_id: int | None = None, category_id: int | None = None
) -> Audit:
    """Start an audit: snapshot the active assets in scope as the expected list."""
    require_lead(actor, "start an audit")
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise Invalid({"name": f"Give the audit a name (up to {NAME_MAX} characters)."})
    if location_id is not None and not Location.get_or_none(Location.id == location_id):
        raise Invalid({"location": "Choose a location from the list."})
    if category_id is not None and not Category.get_or_none(Category.id == category_id):
        raise Invalid({"category": "Choose a category from the list."})
    same_place = (
        (Audit.scope_location == location_id) if location_id else (Audit.scope_location.is_null())
    )
    same_kind = (
        (Audit.scope_category == category_id) if category_id else (Audit.scope_category.is_null())
    )
    with write():
        clash = Audit.select().where(Audit.status == "running", same_place, same_kind).first()
        if clash:
            raise Refused(f"“{clash.name}” is already running for that scope. Finish it first.")
        audit = Audit.create(
            name=name, scope_location=location_id, scope_category=category_id, started_by=actor
        )
        rows = [
            {"audit": audit.id, "asset": asset_id, "expected_location": location}
            for asset_id, location in _scope_query(location_id, category_id).tuples()
        ]
        for i in range(0, len(rows), 500):
            AuditItem.insert_many(rows[i : i + 500]).execute()
        events.record(
            "audit_started",
            actor=actor,
            location=audit.scope_location,
            data={"audit_id": audit.id, "name": name, "expected": len(rows)},
        )
        return audit


def mark_missing(audit_id: int, asset_code: str, *, actor: User) -> Outcome:
    """Mark one unseen item missing before closing."""
    require_lead(actor, "mark items missing")
    audit = get(audit_id)

    def apply(asset: Asset):
        if Audit.get_by_id(audit.id).status != "running":
            raise Refused("This audit is closed.")
        if (
            not AuditItem.select()
            .where(AuditItem.audit == audit, AuditItem.asset == asset)
            .exists()
        ):
            raise Refused("It is not expected in this audit.")
        if active_tick(audit.id, asset.id):
            raise Refused("It was seen in this audit.")
        why = rules.why_not_missing(asset)
        if why:
            raise Refused(why)
        asset.status = "missing"
        AuditItem.update(marked_missing=True).where(
            AuditItem.audit == audit, AuditItem.asset == asset
        ).execute()
        event = events.record(
            "marked_missing", asset=asset, actor=actor, data={"audit_id": audit.id}
        )
        return "Marked missing.", [event]

    return perform(asset_code, actor, apply, proves_presence=False)


def close(audit_id: int, *, actor: User) -> int:
    """Close: everything the audit still has to find (rules.still_to_find)
    becomes missing, each with an event. Returns how many were marked missing."""
    require_lead(actor, "close an audit")
    with write():
        audit = get(audit_id)
        if audit.status != "running":
            raise Refused("This audit is already closed.")
        now = utcnow()
        marked = [row.id for row in rules.still_to_find(audit).select(Asset.id)]
        for i in range(0, len(marked), 500):
            chunk = marked[i : i + 500]
            Asset.update(status="missing", version=Asset.version + 1, updated_at=now).where(
                Asset.id.in_(chunk)
            ).execute()
            AuditItem.update(marked_missing=True).where(
                AuditItem.audit == audit, AuditItem.asset.in_(chunk)
            ).execute()
            Event.insert_many(
                [
                    {
                        "asset": asset_id,
                        "kind": "marked_missing",
                        "actor": actor.id,
                        "at": now,
                        "note": "",
                        "data": {"audit_id": audit.id},
                    }
                    for asset_id in chunk
                ]
            ).execute()
        audit.status, audit.closed_by, audit.closed_at = "closed", actor, now
        audit.save()
        events.record(
            "audit_closed",
            actor=actor,
            at=now,
            data={"audit_id": audit.id, "marked_missing": len(marked)},
        )
        return len(marked)
