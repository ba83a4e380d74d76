"""The rules of an audit, spelled once: what it still has to find (and so what
closing it marks missing), which actions prove an item was in someone's hands
while it ran, and the room each person says they are in. The audit page, the
close page, close itself, the report, the asset page and /scan all ask here."""

from __future__ import annotations

from ..models import Asset, Audit, AuditItem, AuditRoom, AuditTick, Event, Location, User, utcnow

# Statuses an unseen item may be in for close to mark it missing. The others
# stay as they are: out with someone, in repair, already missing, retired.
MARKABLE = ("available", "faulty")

# Actions that prove someone had the item in hand. A fault report proves it
# only when its holder sends it (anyone else may be reporting from memory).
IN_HAND = {
    "found": "found",
    "checked_out": "checked out",
    "checked_in": "returned",
    "transferred": "handed over",
    "moved": "moved",
    "fault_reported": "fault reported",
}
# The actions that prove it only when the item's holder does them.
BY_HOLDER_ONLY = ("fault_reported",)


def unseen(audit: Audit | int):
    """The expected assets without an active tick (a sub-query)."""
    active = AuditTick.select(AuditTick.asset).where(
        AuditTick.audit == audit, AuditTick.undone_at.is_null(), AuditTick.asset.is_null(False)
    )
    return AuditItem.select(AuditItem.asset).where(
        AuditItem.audit == audit, AuditItem.asset.not_in(active)
    )


def still_to_find(audit: Audit | int):
    """THE rule: expected, not seen, nobody holds it, and in a status close may
    change. "Still to find" counts it, the close page counts it, close marks it."""
    return Asset.select().where(
        Asset.id.in_(unseen(audit)), Asset.holder.is_null(), Asset.status.in_(MARKABLE)
    )


def why_not_missing(asset: Asset) -> str | None:
    """Why one item is not marked missing, or None when the rule allows it."""
    if asset.holder_id:
        return f"{asset.holder.name} has it: it is out, not missing."
    if asset.status not in MARKABLE:
        return f"It is {asset.status_label.lower()}, so it is not marked missing."
    return None


def via_label(via: str) -> str:
    """How an action-made tick is described ("returned"); empty for a "Seen ✓"."""
    return IN_HAND.get(via, via)


def via_words(via: str, who: str) -> str:
    """The action and who did it, as a sentence reads: "fault reported by Sam
    Member (its holder)", "returned by you"."""
    holder = " (its holder)" if via in BY_HOLDER_ONLY else ""
    return f"{via_label(via)} by {who}{holder}"


def proof(written: list[Event], holder_before: int | None) -> Event | None:
    """The first event of an action that proves the item was in someone's hands."""
    for event in written:
        if event.kind not in IN_HAND or event.actor_id is None:
            continue
        if event.kind in BY_HOLDER_ONLY and event.actor_id != holder_before:
            continue
        return event
    return None


def count_as_seen(asset: Asset, event: Event) -> int:
    """Tick the item, via `event`, in every running audit that expects it and has
    not seen it yet. Runs inside the action's write. Returns how many."""
    running = [i for (i,) in Audit.select(Audit.id).where(Audit.status == "running").tuples()]
    if not running:  # the usual case: one indexed look-up and done
        return 0
    seen = AuditTick.select(AuditTick.audit).where(
        AuditTick.audit.in_(running), AuditTick.asset == asset.id, AuditTick.undone_at.is_null()
    )
    waiting = [
        audit_id
        for (audit_id,) in AuditItem.select(AuditItem.audit)
        .where(
            AuditItem.audit.in_(running),
            AuditItem.asset == asset.id,
            AuditItem.audit.not_in(seen),
        )
        .tuples()
    ]
    for audit_id in waiting:
        AuditTick.create(
            audit=audit_id,
            asset=asset.id,
            by=event.actor_id,
            at=event.at,
            expected=True,
            via=event.kind,
            scanned_at=event.scanned_at,
        )
    if waiting:  # seen in an audit: the audit cycle starts again, as for a tick
        asset.last_audited_at = event.at
    return len(waiting)


# "I am in…" -------------------------------------------------------------------------


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


def is_walking(audit_id: int, person: User) -> bool:
    """Said where they are in this audit (opening its page counts too: routes know)."""
    return (
        AuditRoom.select()
        .where(AuditRoom.audit == audit_id, AuditRoom.person == person.id)
        .exists()
    )


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
