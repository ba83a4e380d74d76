"""The audit this person is walking, as their session remembers it: which
audit, which room they said they are in, and the "Seen ✓" card that asset
pages show while it runs."""

from __future__ import annotations

from dataclasses import dataclass

from flask import session

from ..models import Audit, AuditItem, Location
from ..services import audits


def room_for(audit_id: int) -> int | None:
    """The room this auditor said they are in, for this audit (kept in their session)."""
    return (session.get("audit_rooms") or {}).get(str(audit_id))


def current_audit_id() -> int | None:
    return session.get("audit")


def walk(audit_id: int) -> None:
    """Make this the audit this person is walking."""
    session["audit"] = audit_id


def stop_walking(audit_id: int) -> None:
    if session.get("audit") == audit_id:
        session.pop("audit")


def remember_room(audit_id: int, location_id: int | None) -> None:
    """ "I am in: Room 3" for this audit (None: nowhere in particular)."""
    rooms = dict(session.get("audit_rooms") or {})
    rooms[str(audit_id)] = location_id
    session["audit_rooms"] = rooms
    walk(audit_id)


def current_audit():
    """The running audit this person is walking, if any."""
    current = current_audit_id()
    return Audit.get_or_none(Audit.id == current, Audit.status == "running") if current else None


@dataclass
class SeenCard:
    audit: object
    expected: bool
    tick: object
    room: object


def seen_card(asset, audit=None) -> SeenCard | None:
    """What the asset page shows for the audit this person is walking, if any:
    their current audit, else a running audit that expects this asset."""
    if audit is None:
        running = audits.running()
        if not running:
            return None
        current = current_audit_id()
        audit = next((a for a in running if a.id == current), None)
        if audit is None:
            expecting = {
                i
                for (i,) in AuditItem.select(AuditItem.audit)
                .where(AuditItem.asset == asset.id, AuditItem.audit.in_([a.id for a in running]))
                .tuples()
            }
            audit = next((a for a in running if a.id in expecting), None)
    if audit is None or audit.status != "running":
        return None
    expected = (
        AuditItem.select().where(AuditItem.audit == audit.id, AuditItem.asset == asset.id).exists()
    )
    room_id = room_for(audit.id)
    return SeenCard(
        audit,
        expected,
        audits.active_tick(audit.id, asset.id),
        Location.get_or_none(Location.id == room_id) if room_id else None,
    )
