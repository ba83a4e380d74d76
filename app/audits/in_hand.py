"""An action that proves an item was in someone's hands (rules.proof: a return,
a check-out, a move during an audit) counts as seen in every running audit that
expects it. The action engine calls this inside the action's own write."""

from __future__ import annotations

from ..models import Asset, Audit, AuditItem, AuditTick, Event


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
