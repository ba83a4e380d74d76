"""How far an audit has got: counts, what is still unseen, per room, and how long
it took. Reads only; audits.py and walk.py do the writing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from peewee import JOIN, fn

from ..models import Asset, Audit, AuditItem, AuditTick, Location, User, utcnow
from ..register import places
from . import rules


@dataclass
class Progress:
    expected: int
    seen: int
    out: list = field(default_factory=list)  # expected, unseen, with someone (first few)
    out_count: int = 0
    remaining: list = field(default_factory=list)  # (location id, name, unseen count)
    elsewhere: list = field(default_factory=list)
    unexpected: list = field(default_factory=list)
    recent: list = field(default_factory=list)
    left_alone: int = 0  # unseen and nobody has them, but not for close to mark

    @property
    def percent(self) -> int:
        return round(100 * self.seen / self.expected) if self.expected else 100

    @property
    def remaining_count(self) -> int:
        return sum(count for _, _, count in self.remaining)


def _ticks(audit: Audit):
    return (
        AuditTick.select(AuditTick, Asset, User, Location)
        .join(Asset, JOIN.LEFT_OUTER, on=(AuditTick.asset == Asset.id))
        .switch(AuditTick)
        .join(User, on=(AuditTick.by == User.id))
        .switch(AuditTick)
        .join(Location, JOIN.LEFT_OUTER, on=(AuditTick.room == Location.id))
        .where(AuditTick.audit == audit, AuditTick.undone_at.is_null())
        .order_by(AuditTick.at.desc(), AuditTick.id.desc())
    )


def progress(audit: Audit, show_out: int = 20) -> Progress:
    """Where the audit stands, in a fixed number of queries whatever its size: counts
    per location are aggregated in SQL; lists are short (a room's own page lists all
    of what remains there). "Still to find" is rules.still_to_find, the same
    rule close marks by."""
    unseen = rules.unseen(audit)
    expected = AuditItem.select().where(AuditItem.audit == audit).count()
    per_place = (
        rules.still_to_find(audit)
        .select(Asset.location, fn.COUNT(Asset.id))
        .group_by(Asset.location)
        .tuples()
    )
    remaining = sorted(
        (
            (loc_id, places.location_label(loc_id) or "No recorded place", count)
            for loc_id, count in per_place
        ),
        key=lambda row: row[1].lower(),
    )
    held = (
        Asset.select(Asset, User)
        .join(User, on=(Asset.holder == User.id))
        .where(Asset.id.in_(unseen))
        .order_by(Asset.name)
    )
    out_count = held.count()
    unseen_count = unseen.count()
    ticks = _ticks(audit)
    progress = Progress(
        expected=expected,
        seen=expected - unseen_count,
        out=list(held.limit(show_out)),
        out_count=out_count,
        remaining=remaining,
        elsewhere=list(
            ticks.where(AuditTick.wrong_place == True, AuditTick.expected == True).limit(200)  # noqa: E712
        ),
        unexpected=list(ticks.where(AuditTick.expected == False).limit(200)),  # noqa: E712
        recent=list(ticks.limit(10)),
    )
    # Unseen, nobody holds them, but close leaves them be (in repair, already missing).
    progress.left_alone = unseen_count - out_count - progress.remaining_count
    return progress


def counts(audit_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(expected, seen) for each audit, in two queries however many audits: the
    scanner sums up every running audit. Seen is what `rules.unseen` leaves out."""
    if not audit_ids:
        return {}
    expected = dict(
        AuditItem.select(AuditItem.audit, fn.COUNT(AuditItem.id))
        .where(AuditItem.audit.in_(audit_ids))
        .group_by(AuditItem.audit)
        .tuples()
    )
    ticked = (AuditTick.audit == AuditItem.audit) & (AuditTick.asset == AuditItem.asset)
    seen = dict(
        AuditItem.select(AuditItem.audit, fn.COUNT(AuditItem.id.distinct()))
        .join(AuditTick, on=ticked & AuditTick.undone_at.is_null())
        .where(AuditItem.audit.in_(audit_ids))
        .group_by(AuditItem.audit)
        .tuples()
    )
    return {i: (expected.get(i, 0), seen.get(i, 0)) for i in audit_ids}


def remaining_at(audit: Audit, location_id: int | None) -> list[Asset]:
    """Everything still to find at one location (the same rule as the count)."""
    query = rules.still_to_find(audit).order_by(Asset.name)
    if location_id:
        return list(query.where(Asset.location == location_id))
    return list(query.where(Asset.location.is_null()))


def duration(audit: Audit) -> timedelta:
    return (audit.closed_at or utcnow()) - audit.started_at
