"""The audit this person is walking: the one their session opened last, and
the "Seen ✓" card that asset pages show while it runs. The room they said
they are in is kept per person per audit (app/audits/rules.py), so the
audit page, the location page and /scan show and change the same one."""

from __future__ import annotations

from dataclasses import dataclass

from flask import session
from flask_login import current_user

from ..audits import audits
from ..audits import rules as audit_rules
from ..models import Audit, AuditItem, Location


def room_for(audit_id: int) -> int | None:
    """The room this person said they are in, for this audit."""
    room = audit_rules.room_of(audit_id, current_user)
    return room.id if room else None


def current_audit_id() -> int | None:
    return session.get("audit")


def walk(audit_id: int) -> None:
    """Make this the audit this person is walking (they opened it)."""
    session["audit"] = audit_id


def stop_walking(audit_id: int) -> None:
    if session.get("audit") == audit_id:
        session.pop("audit")


def walking(audit_id: int) -> bool:
    """Walking an audit: they opened it here, or said where they are in it."""
    return current_audit_id() == audit_id or audit_rules.is_walking(audit_id, current_user)


def current_audit():
    """The running audit this person is walking, if any: the one opened here, else
    one they said where they are in (on /scan, or on another device)."""
    current = current_audit_id()
    audit = Audit.get_or_none(Audit.id == current, Audit.status == "running") if current else None
    if audit is None:
        said = audit_rules.rooms_of(current_user)
        audit = Audit.get_or_none(Audit.id.in_(list(said))) if said else None
    return audit


@dataclass
class SeenCard:
    audit: object
    expected: bool
    tick: object
    room: object
    walking: bool  # leads the page; for anyone else a small line


def seen_card(asset, audit=None) -> SeenCard | None:
    """What the asset page shows for a running audit: the one this person is
    walking, else one they said where they are in, else one that expects it."""
    if audit is None:
        running = audits.running()
        if not running:
            return None
    said = audit_rules.rooms_of(current_user)
    current = current_audit_id()
    if audit is None:
        audit = next((a for a in running if a.id == current), None) or next(
            (a for a in running if a.id in said), None
        )
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
    room_id = said.get(audit.id)
    return SeenCard(
        audit,
        expected,
        audits.active_tick(audit.id, asset.id),
        Location.get_or_none(Location.id == room_id) if room_id else None,
        audit.id == current or audit.id in said,
    )
