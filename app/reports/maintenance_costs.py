"""Maintenance and repair history with costs, per asset and in total, over a period.

Three kinds of event carry work done on an item (register/rules.py WORK_KINDS):
`repair_started` and `repaired` (the fault workflow, app/custody/maintenance.py)
and `serviced` ("Service done"). Each may carry a cost, which the event's
`cost_cents` column keeps (rules.cost_of); one without a cost counts as a job
with no cost recorded.

The totals, the jobs per asset and their costs are added up in SQL from that
column, along the (kind, asset, at, cost) index; a page reads one page of
assets or of jobs, and a CSV reads every row without peewee's conversions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from peewee import JOIN, SQL, fn

from ..clock import LocalDays
from ..models import Asset, Category, Event, User
from ..register import event_kinds
from ..register.rules import WORK_KINDS
from .common import LazyRows, Period, as_datetime, raw_rows


@dataclass(slots=True)
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


@dataclass(slots=True)
class AssetCosts:
    code: str
    name: str
    category: str
    jobs: int
    cost_cents: int | None  # None when none of its jobs has a cost
    last: datetime  # its latest job in the period


@dataclass
class Maintenance:
    """The period's totals, and its rows to be read a page at a time."""

    period: Period
    jobs: int  # repair and service events
    assets: int  # assets with any
    cost_cents: int
    costed: int  # jobs that have a cost recorded
    per_asset: Sequence[AssetCosts]  # costliest first
    every_job: Sequence[Job]  # newest first


def _work(start: datetime, end: datetime):
    """SQL: the work events in [start, end) (on an asset, as every one is)."""
    return (
        Event.kind.in_(list(WORK_KINDS))
        & (Event.at >= start)
        & (Event.at < end)
        & Event.asset.is_null(False)
    )


def maintenance(period: Period, zone: ZoneInfo) -> Maintenance:
    """The totals of every repair and service event in the period, in one query;
    the rows per asset and per job are read only as far as they are shown."""
    start, end = period.bounds(zone)
    totals = Event.select(
        fn.COUNT(SQL("*")),
        fn.COUNT(fn.DISTINCT(Event.asset)),
        fn.COALESCE(fn.SUM(Event.cost_cents), 0),
        fn.COUNT(Event.cost_cents),
    ).where(_work(start, end))
    jobs, assets, cost, costed = raw_rows(totals).fetchone()
    return Maintenance(
        period,
        jobs,
        assets,
        cost,
        costed,
        _PerAsset(start, end, assets),
        _EveryJob(start, end, jobs),
    )


# Per asset -----------------------------------------------------------------------


def _per_asset(start: datetime, end: datetime):
    """SQL: (code, name, category, jobs, cost, last job) of each asset worked on in
    [start, end) (its cost NULL when none of its jobs has one), costliest first
    (no cost as nothing), then by name as the database lowers and orders it
    (as the register's lists: SQLite lowers only A to Z), then as added.
    The events are grouped per asset from the index alone, then named."""
    work = (
        Event.select(
            Event.asset.alias("asset_id"),
            fn.COUNT(SQL("*")).alias("jobs"),
            fn.SUM(Event.cost_cents).alias("cost"),  # NULL: none of its jobs has one
            fn.MAX(Event.at).alias("last"),
        )
        .where(_work(start, end))
        .group_by(Event.asset)
        .alias("work")
    )
    return (
        Asset.select(Asset.code, Asset.name, Category.name, work.c.jobs, work.c.cost, work.c.last)
        .join(work, on=(work.c.asset_id == Asset.id))
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .order_by(fn.COALESCE(work.c.cost, 0).desc(), fn.LOWER(Asset.name), Asset.id)
    )


class _PerAsset(LazyRows[AssetCosts]):
    """Each asset's jobs and cost, costliest first: a page reads its own rows."""

    def __init__(self, start: datetime, end: datetime, total: int):
        self.start, self.end, self.total = start, end, total

    def __len__(self) -> int:
        return self.total

    def _rows(self, query) -> Iterator[AssetCosts]:
        for code, name, category, jobs, cost, last in raw_rows(query):
            yield AssetCosts(code, name, category or "", jobs, cost, _at(last))

    def __iter__(self) -> Iterator[AssetCosts]:
        return self._rows(_per_asset(self.start, self.end))

    def _slice(self, first: int, stop: int) -> list[AssetCosts]:
        return list(self._rows(_per_asset(self.start, self.end).limit(stop - first).offset(first)))


def asset_rows(period: Period, zone: ZoneInfo) -> Iterator[tuple]:
    """Every asset's row for the CSV, in the page's order: (code, name, category,
    jobs, cost, local date of the last job)."""
    start, end = period.bounds(zone)
    day = _local_dates(zone)
    for code, name, category, jobs, cost, last in raw_rows(_per_asset(start, end)):
        yield code, name, category or "", jobs, cost, day(last)


# Job by job ----------------------------------------------------------------------


def _jobs(where):
    """SQL: (at, code, name, kind, note, by, cost) of the events `where` picks,
    newest first."""
    Actor = User.alias("actor")
    return (
        Event.select(
            Event.at,
            Asset.code,
            Asset.name,
            Event.kind,
            Event.note,
            Actor.name,
            Event.cost_cents,
        )
        .join(Asset, on=(Event.asset == Asset.id))
        .join(Actor, JOIN.LEFT_OUTER, on=(Event.actor == Actor.id))
        .where(where)
        .order_by(Event.at.desc(), Event.id.desc())
    )


class _EveryJob(LazyRows[Job]):
    """Every job, newest first: a page picks its events' ids from the index
    alone, then reads those events."""

    def __init__(self, start: datetime, end: datetime, total: int):
        self.start, self.end, self.total = start, end, total

    def __len__(self) -> int:
        return self.total

    def _rows(self, query) -> Iterator[Job]:
        for at, code, name, kind, note, by, cost in raw_rows(query):
            yield Job(_at(at), code, name, kind, note or "", by or "", cost)

    def __iter__(self) -> Iterator[Job]:
        return self._rows(_jobs(_work(self.start, self.end)))

    def _slice(self, first: int, stop: int) -> list[Job]:
        ids = (
            Event.select(Event.id)
            .where(_work(self.start, self.end))
            .order_by(Event.at.desc(), Event.id.desc())
            .limit(stop - first)
            .offset(first)
        )
        return list(self._rows(_jobs(Event.id.in_(ids))))


def job_rows(period: Period, zone: ZoneInfo) -> Iterator[tuple]:
    """Every job's row for the CSV, newest first: (local date, code, name, what,
    note, by, cost or None)."""
    start, end = period.bounds(zone)
    day = _local_dates(zone)
    labels = {kind: event_kinds.brief(kind) for kind in WORK_KINDS}
    for at, code, name, kind, note, by, cost in raw_rows(_jobs(_work(start, end))):
        yield day(at), code, name, labels[kind], note or "", by or "", cost


def _local_dates(zone: ZoneInfo):
    """The local date ("YYYY-MM-DD", as `localtime(at, "%Y-%m-%d")` writes it) of
    stored times as the driver hands them over, in any order: clock.LocalDays
    works each day out once, where converting each of 40,000 times costs more
    than the query."""
    day_of = LocalDays(zone)

    def date_text(value) -> str:
        return day_of(_at(value)).isoformat()

    return date_text


def _at(value) -> datetime:
    """An event's time as the driver hands it over (never NULL)."""
    at = as_datetime(value)
    assert at is not None
    return at
