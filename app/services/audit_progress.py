"""How far an audit has got: counts, what is still unseen, per room, and how long
it took. Reads only; app/services/audits.py does the writing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from peewee import JOIN, fn

from ..models import Asset, Audit, AuditItem, AuditTick, Location, User, utcnow


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


def _unseen(audit: Audit):
    """Expected assets without an active tick (a query, not yet run)."""
    active = AuditTick.select(AuditTick.asset).where(
        AuditTick.audit == audit, AuditTick.undone_at.is_null(), AuditTick.asset.is_null(False)
    )
    return AuditItem.select(AuditItem.asset).where(
        AuditItem.audit == audit, AuditItem.asset.not_in(active)
    )


def progress(audit: Audit, show_out: int = 20) -> Progress:
    """Where the audit stands, in a fixed number of queries whatever its size: counts
    per location are aggregated in SQL; lists are short (a room's own page lists all
    of what remains there)."""
    unseen = _unseen(audit)
    expected = AuditItem.select().where(AuditItem.audit == audit).count()
    per_place = (
        Asset.select(Asset.location, fn.COUNT(Asset.id))
        .where(Asset.id.in_(unseen), Asset.holder.is_null())
        .group_by(Asset.location)
        .tuples()
    )
    names = {loc.id: loc.name for loc in Location.select(Location.id, Location.name)}
    remaining = sorted(
        ((loc_id, names.get(loc_id, "No recorded place"), count) for loc_id, count in per_place),
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
    return Progress(
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


def remaining_at(audit: Audit, location_id: int | None) -> list[Asset]:
    """Everything still to find at one location (nobody holds it)."""
    query = (
        Asset.select()
        .where(Asset.id.in_(_unseen(audit)), Asset.holder.is_null())
        .order_by(Asset.name)
    )
    if location_id:
        return list(query.where(Asset.location == location_id))
    return list(query.where(Asset.location.is_null()))


def duration(audit: Audit) -> timedelta:
    return (audit.closed_at or utcnow()) - audit.started_at
