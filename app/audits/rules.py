"""The rules of an audit, spelled once: what it still has to find (and so what
closing it marks missing), which actions prove an item was in someone's hands
while it ran, when an item is due for audit again, and who may undo a tick or
decide about an item seen elsewhere. The audit page, the close page, close
itself, the report, the asset page, the register, the dashboard and /scan all
ask here. Where each person says they are is in rooms.py; ticks made by an
action are written by in_hand.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..errors import Forbidden, Refused, ServiceError
from ..models import Asset, Audit, AuditItem, AuditTick, Event, User
from ..register.rules import in_service, in_service_sql, is_lead

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


def due_sql_parts(interval_days: int, now: datetime):
    """`due_sql` as its two halves, never audited and audited too long ago, each
    a range of one index (the dashboard counts them apart and adds them up)."""
    cutoff = now - timedelta(days=interval_days)
    return (
        in_service_sql() & Asset.last_audited_at.is_null(),
        in_service_sql() & (Asset.last_audited_at <= cutoff),
    )


def due_sql(interval_days: int, now: datetime):
    """In service, and never audited or last audited at least the interval ago:
    the register's "due for audit" filter, and (in halves) the dashboard's count."""
    never, old = due_sql_parts(interval_days, now)
    return never | old


def next_due(asset: Asset, interval_days: int) -> datetime | None:
    """When the audit cycle next asks for this item; None: due now (never audited)."""
    if asset.last_audited_at is None:
        return None
    return asset.last_audited_at + timedelta(days=interval_days)


def is_due(asset: Asset, interval_days: int, now: datetime) -> bool:
    """`due_sql` for one item."""
    due = next_due(asset, interval_days)
    return in_service(asset) and (due is None or due <= now)


def undo_refusal(tick: AuditTick, person: User, audit: Audit | None = None) -> ServiceError | None:
    """Who may take a tick back: whoever made it, or a lead, while the audit runs.
    `audit`: the tick's audit, when the caller has it already."""
    if (audit or tick.audit).status != "running":
        return Refused("This audit is closed.")
    if tick.by_id != person.id and not is_lead(person):
        return Forbidden("Only the person who ticked it, or a lead, can undo a tick.")
    return None


def elsewhere_refusal(audit: Audit, person: User) -> ServiceError | None:
    """Deciding about an item seen elsewhere (update its place, or leave it) is a
    lead's, while the audit runs."""
    if not is_lead(person):
        return Forbidden("Only a lead can decide where an item belongs.")
    if audit.status != "running":
        return Refused("This audit is closed.")
    return None
