"""Where each person says they are ("I am in…"), one room per person per audit:
the audit page, the location page and /scan show and change the same one."""

from __future__ import annotations

from ..models import Audit, AuditRoom, Location, User, utcnow


def room_of(audit_id: int, person: User) -> Location | None:
    """The room this person last said they are in, in this audit."""
    row = (
        AuditRoom.select(AuditRoom, Location)
        .join(Location, on=(AuditRoom.room == Location.id))
        .where(AuditRoom.audit == audit_id, AuditRoom.person == person.id)
        .first()
    )
    return row.room if row else None


def rooms_of(person: User) -> dict[int, int | None]:
    """Every running audit this person said where they are in → the room id."""
    return {
        audit_id: room_id
        for audit_id, room_id in AuditRoom.select(AuditRoom.audit, AuditRoom.room)
        .join(Audit, on=(AuditRoom.audit == Audit.id))
        .where(AuditRoom.person == person.id, Audit.status == "running")
        .tuples()
    }


def covering(location: Location) -> list[Audit]:
    """The running audits whose scope takes in this place (it, or a place above it,
    or everywhere): each may use it as someone's "I am in…"."""
    parents = dict(Location.select(Location.id, Location.parent).tuples())
    chain, node = [], location.id
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(node)
    return list(
        Audit.select()
        .where(
            Audit.status == "running",
            Audit.scope_location.is_null() | Audit.scope_location.in_(chain),
        )
        .order_by(Audit.started_at)
    )


def set_room(audit_id: int, person: User, room_id: int | None) -> None:
    """Remember where this person is (None: nowhere in particular). Inside a write."""
    updated = (
        AuditRoom.update(room=room_id, at=utcnow())
        .where(AuditRoom.audit == audit_id, AuditRoom.person == person.id)
        .execute()
    )
    if not updated:
        AuditRoom.create(audit=audit_id, person=person.id, room=room_id)
