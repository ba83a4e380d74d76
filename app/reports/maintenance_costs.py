"""Maintenance and repair history with costs, per asset and in total, over a period.

Three kinds of event carry work done on an item: `repair_started` and
`repaired` (the fault workflow, app/custody/maintenance.py) and `serviced`
("Service done"). Each may carry {"cost_cents": n} in its data; one without a
cost counts as a job with no cost recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from peewee import JOIN

from ..models import Asset, Category, Event, User
from ..register import event_kinds
from .common import Period

KINDS = ("repair_started", "repaired", "serviced")


def cost_of(data: object) -> int | None:
    """The cost recorded on an event, if it holds a sensible one."""
    if not isinstance(data, dict):
        return None
    cost = data.get("cost_cents")
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        return None
    return cost


@dataclass
class Job:
    at: datetime
    code: str
    name: str
    kind: str
    note: str
    by: str
    cost_cents: int | None

    @property
    def kind_label(self) -> str:
        return event_kinds.brief(self.kind)


@dataclass
class AssetCosts:
    code: str
    name: str
    category: str
    jobs: int = 0
    cost_cents: int = 0
    last: datetime | None = None


@dataclass
class Maintenance:
    period: Period
    jobs: list[Job] = field(default_factory=list)  # newest first
    assets: list[AssetCosts] = field(default_factory=list)  # costliest first
    cost_cents: int = 0
    costed: int = 0  # jobs that have a cost recorded


def maintenance(period: Period, zone: ZoneInfo) -> Maintenance:
    """Every repair and service event in the period, per asset and in total."""
    start, end = period.bounds(zone)
    Actor = User.alias("actor")
    query = (
        Event.select(
            Event.at,
            Asset.code,
            Asset.name,
            Event.kind,
            Event.note,
            Actor.name,
            Event.data,
            Category.name,
        )
        .join(Asset, on=(Event.asset == Asset.id))
        .switch(Event)
        .join(Actor, JOIN.LEFT_OUTER, on=(Event.actor == Actor.id))
        .switch(Asset)
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(Event.kind.in_(list(KINDS)), Event.at >= start, Event.at < end)
        .order_by(Event.at.desc(), Event.id.desc())
        .tuples()
    )
    report = Maintenance(period)
    per_asset: dict[str, AssetCosts] = {}
    for at, code, name, kind, note, by, data, category in query:
        cost = cost_of(data)
        report.jobs.append(Job(at, code, name, kind, note or "", by or "", cost))
        row = per_asset.setdefault(code, AssetCosts(code, name, category or "", last=at))
        row.jobs += 1
        if cost is not None:
            row.cost_cents += cost
            report.cost_cents += cost
            report.costed += 1
    report.assets = sorted(per_asset.values(), key=lambda r: (-r.cost_cents, r.name.lower()))
    return report
