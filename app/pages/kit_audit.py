"""The audit band on a kit's page: scanning a kit's label while walking an audit
lists the kit's items that audit expects, each with its own "Seen ✓". The kit's
label proves nothing about its items, so opening the kit ticks none of them."""

from __future__ import annotations

from dataclasses import dataclass

from ..audits import audits
from ..audits import rooms as audit_rooms
from ..kits import kits
from ..models import Audit, AuditItem, AuditTick, Kit, User


@dataclass
class ItemRow:
    code: str
    name: str
    tick: AuditTick | None


@dataclass
class KitAuditBand:
    audit: Audit
    items: list[ItemRow]  # the kit's items this audit expects, in the kit's order
    others: int  # the kit's items this audit does not expect


def band(kit: Kit, viewer: User, walking_id: int | None) -> KitAuditBand | None:
    """The band for the audit this person walks on this device (else one they
    said where they are in), or None when they walk none."""
    running = list(audits.running())
    if not running:
        return None
    said = audit_rooms.rooms_of(viewer)
    audit = next((a for a in running if a.id == walking_id), None) or next(
        (a for a in running if a.id in said), None
    )
    if audit is None:
        return None
    items = kits.items(kit)
    ids = [a.id for a in items]
    expected = {
        i
        for (i,) in AuditItem.select(AuditItem.asset)
        .where(AuditItem.audit == audit.id, AuditItem.asset.in_(ids))
        .tuples()
    }
    ticks = {
        t.asset_id: t
        for t in AuditTick.select(AuditTick, User)
        .join(User, on=(AuditTick.by == User.id))
        .where(
            AuditTick.audit == audit.id,
            AuditTick.asset.in_(ids),
            AuditTick.undone_at.is_null(),
        )
    }
    rows = [ItemRow(a.code, a.name, ticks.get(a.id)) for a in items if a.id in expected]
    return KitAuditBand(audit, rows, len(items) - len(rows))
