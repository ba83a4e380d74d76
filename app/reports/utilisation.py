"""Utilisation: time checked out over time owned, per asset and per category,
computed from the custody events.

The rule, exactly (the page and docs/reports.md say the same):

- The period runs from local midnight at the start of the first day to local
  midnight at the end of the last day, and never past now.
- An asset is owned from the later of the period's start and the start of its
  purchase date (local midnight), or the moment it was added when it has no
  purchase date; until the earlier of the period's end and its retirement.
- It is checked out from a `checked_out` event until the `checked_in` or
  `retired` event that ends that custody; a `transferred` event keeps it out
  (it changes hands). Custody that began before the period counts from the
  period's start; custody still open counts to the period's end.
- Time is measured exactly and shown in days of 24 hours to one decimal;
  utilisation is checked-out time over owned time, to one decimal of a percent.
  A category's figure is its assets' checked-out time over their owned time
  added up (so a long-owned asset weighs more than a new one), not an average
  of percentages. Halves round up.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from peewee import JOIN, SQL, NodeList, fn

from ..database import is_sqlite
from ..models import Asset, Category, CustodyInterval
from .common import (
    LazyRows,
    Period,
    as_date,
    as_datetime,
    days_text,
    id_list,
    local_midnight,
    percent_text,
    raw_rows,
)

MICRO = timedelta(microseconds=1)


@dataclass
class Usage:
    """Checked-out and owned time (microseconds) for an asset or a group of them."""

    name: str
    code: str = ""
    category: str = ""
    owned_us: int = 0
    out_us: int = 0
    assets: int = 1

    @property
    def owned_days(self) -> str:
        return days_text(self.owned_us)

    @property
    def out_days(self) -> str:
        return days_text(self.out_us)

    @property
    def percent(self) -> str:
        return percent_text(self.out_us, self.owned_us)


@dataclass
class Utilisation:
    period: Period
    assets: Sequence[Usage]  # most used first
    categories: list[Usage]
    total: Usage = field(default_factory=lambda: Usage("All assets", assets=0))


class _Window:
    """When each asset counts as owned within [start, end) (the module's rule),
    from its purchase date (local midnight), the moment it was added, and its
    retirement, as the driver hands them over."""

    def __init__(self, start: datetime, end: datetime, zone: ZoneInfo):
        self.start, self.end, self.zone = start, end, zone
        self.midnights: dict[date, datetime] = {}  # many assets share a purchase date

    def __call__(self, bought, created, retired) -> tuple[datetime, datetime] | None:
        if bought is not None:
            bought = as_date(bought)
            since = self.midnights.get(bought)
            if since is None:
                since = self.midnights[bought] = local_midnight(bought, self.zone)
        else:
            since = as_datetime(created)
        begin = max(self.start, since)
        finish = min(self.end, as_datetime(retired)) if retired else self.end
        return (begin, finish) if finish > begin else None


def _whole_period(period: Period, start: datetime, end: datetime):
    """Assets owned for the whole of [start, end): bought (or, with no purchase
    date, added) by its start and not retired before its end."""
    return (
        (Asset.purchase_date <= period.start)
        | (Asset.purchase_date.is_null() & (Asset.created_at <= start))
    ) & (Asset.retired_at.is_null() | (Asset.retired_at >= end))


def _part_of_period(period: Period, start: datetime, end: datetime):
    """Assets that may be owned for part of [start, end) only (`_Window` decides)."""
    return (
        (Asset.retired_at.is_null() | (Asset.retired_at > start))
        & (
            (Asset.purchase_date.is_null() & (Asset.created_at < end))
            | (Asset.purchase_date <= period.end)
        )
        & (
            (Asset.purchase_date > period.start)
            | (Asset.purchase_date.is_null() & (Asset.created_at > start))
            | (Asset.retired_at < end)
        )
    )


_ASSET_COLUMNS = (
    Asset.id,
    Asset.code,
    Asset.name,
    Category.name,
    Asset.purchase_date,
    Asset.created_at,
    Asset.retired_at,
)


def _micros(column):
    """SQL: a SQLite timestamp (text, "YYYY-MM-DD HH:MM:SS[.ffffff]") as whole
    microseconds since 1970, exactly (julianday is a float and is not)."""
    # The whole seconds from the text without its fraction: strftime rounds to the
    # millisecond, which carries .9995 s and more into the next second.
    seconds = fn.strftime("%s", fn.substr(column, 1, 19)).cast("INTEGER") * 1_000_000
    return seconds + fn.substr(column.concat(".000000"), 21, 6).cast("INTEGER")


def _spell_us(start: datetime, end: datetime):
    """SQL: microseconds of a spell of custody within [start, end) (the spell reaches
    into it; one still open runs to `end`)."""
    began, ended = CustodyInterval.started_at, CustodyInterval.ended_at
    if is_sqlite():  # text timestamps of one format: they compare as text
        a = fn.MAX(began, str(start))
        b = fn.MIN(fn.COALESCE(ended, str(end)), str(end))
        return fn.SUM(_micros(b) - _micros(a))
    a = fn.GREATEST(began, start)
    b = fn.LEAST(fn.COALESCE(ended, end), end)
    seconds = NodeList((SQL("EXTRACT(EPOCH FROM"), b, SQL("-"), a, SQL(")")))
    return fn.SUM(NodeList((seconds, SQL("* 1000000"))).cast("BIGINT"))


def _spells_within(start: datetime, end: datetime):
    return CustodyInterval.started_at < end, (
        CustodyInterval.ended_at.is_null() | (CustodyInterval.ended_at > start)
    )


def _used(window: _Window) -> dict[int, Usage]:
    """Assets checked out for some of the time they were owned in the period, with
    that time: their spells of custody (register/custody_intervals.py, the
    projection of the custody events) that reach into it, cut to it.

    The time is summed per asset in SQL, cut to the period; that is the answer for
    an asset owned for the whole period (most of them). An asset owned for part of
    it has its spells read again and cut to the time it was owned."""
    start, end = window.start, window.end
    per_asset = (
        CustodyInterval.select(CustodyInterval.asset, _spell_us(start, end).alias("out_us"))
        .where(*_spells_within(start, end))
        .group_by(CustodyInterval.asset)
    ).alias("spells")
    query = (
        Asset.select(per_asset.c.out_us, *_ASSET_COLUMNS)
        .join(per_asset, on=(per_asset.c.asset_id == Asset.id))
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
    )
    used: dict[int, Usage] = {}
    partly: dict[int, tuple[datetime, datetime]] = {}
    for out_us, asset_id, code, name, category, bought, created, retired in raw_rows(query):
        owned = window(bought, created, retired)
        if owned is None:
            continue
        row = Usage(name, code, category or "", (owned[1] - owned[0]) // MICRO, int(out_us))
        if owned != (start, end):
            partly[asset_id] = owned
            row.out_us = 0
        used[asset_id] = row
    ids = list(partly)
    for i in range(0, len(ids), 1000):
        spells = CustodyInterval.select(
            CustodyInterval.asset, CustodyInterval.started_at, CustodyInterval.ended_at
        ).where(CustodyInterval.asset.in_(ids[i : i + 1000]), *_spells_within(start, end))
        for asset_id, began, ended in raw_rows(spells):
            owned = partly[asset_id]
            a = max(as_datetime(began), owned[0])
            b = min(as_datetime(ended), owned[1]) if ended is not None else owned[1]
            if b > a:
                used[asset_id].out_us += (b - a) // MICRO
    return {asset_id: row for asset_id, row in used.items() if row.out_us > 0}


class _MostUsedFirst(LazyRows[Usage]):
    """Every asset owned in the period, most used first, made only as far as it is
    read: the ones used (a few thousand) are in memory, in order; the rest (used
    0 %, in name order) are read from the register when a page or the CSV gets to
    them, so a page of 100,000 assets does not build 100,000 rows."""

    def __init__(self, used: list[Usage], unused: int, window: _Window, period: Period):
        self.used, self.unused, self.window, self.period = used, unused, window, period
        self.used_codes = {u.code for u in used}

    def __len__(self) -> int:
        return len(self.used) + self.unused

    def _unused(self, skip: int = 0) -> Iterator[Usage]:
        start, end = self.window.start, self.window.end
        query = (
            Asset.select(*_ASSET_COLUMNS)
            .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
            .where(
                _whole_period(self.period, start, end) | _part_of_period(self.period, start, end)
            )
            .order_by(fn.LOWER(Asset.name), Asset.code)
        )
        for _id, code, name, category, bought, created, retired in raw_rows(query):
            if code in self.used_codes:
                continue
            owned = self.window(bought, created, retired)
            if owned is None:
                continue
            if skip:
                skip -= 1
                continue
            yield Usage(name, code, category or "", (owned[1] - owned[0]) // MICRO, 0)

    def __iter__(self) -> Iterator[Usage]:
        yield from self.used
        yield from self._unused()

    def _slice(self, first: int, stop: int) -> list[Usage]:
        rows = self.used[first:stop]
        if stop > len(self.used):
            skip = max(first - len(self.used), 0)
            rows += list(islice(self._unused(skip), max(stop - max(first, len(self.used)), 0)))
        return rows


def utilisation(period: Period, zone: ZoneInfo, now: datetime) -> Utilisation:
    """Per asset (most used first) and per category (by name), for the period.

    The time out comes from the spells of custody, which equal a replay of the
    custody events (register/custody_intervals.py). The
    owned time of the assets owned for the whole period is counted in SQL, per
    category; only the assets used in it and those owned for part of it are
    looked at one by one."""
    start, end = period.bounds(zone)
    end = min(end, now)
    report = Utilisation(period, [], [])
    if end <= start:
        return report
    window = _Window(start, end, zone)
    used = _used(window)
    categories: dict[str, Usage] = {}

    def add(category: str, assets: int, owned_us: int, out_us: int) -> None:
        group = categories.setdefault(
            category, Usage(category or "No category", category=category, assets=0)
        )
        for usage in (group, report.total):
            usage.owned_us += owned_us
            usage.out_us += out_us
            usage.assets += assets

    whole = (
        Asset.select(Category.name, fn.COUNT(Asset.id))
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(_whole_period(period, start, end))
        .group_by(Category.name)
    )
    span = (end - start) // MICRO
    for category, count in raw_rows(whole):
        add(category or "", count, count * span, 0)
    partly = (
        Asset.select(*_ASSET_COLUMNS)
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(_part_of_period(period, start, end))
    )
    for _id, _code, _name, category, bought, created, retired in raw_rows(partly):
        owned = window(bought, created, retired)
        if owned is not None:
            add(category or "", 1, (owned[1] - owned[0]) // MICRO, 0)
    for row in used.values():
        add(row.category, 0, 0, row.out_us)  # owned and counted above
    # Most used first (a float is plenty to order by; the figures shown are exact),
    # then the unused by name.
    ranked = sorted(used.values(), key=lambda u: (-u.out_us / u.owned_us, u.name.lower(), u.code))
    report.assets = _MostUsedFirst(ranked, report.total.assets - len(ranked), window, period)
    report.categories = sorted(
        categories.values(), key=lambda u: (u.category == "", u.name.lower())
    )
    return report


def for_assets(
    asset_ids: list[int], period: Period, zone: ZoneInfo, now: datetime
) -> dict[int, Usage]:
    """The same figures as `utilisation`, for just these assets (a page or a chunk of
    another report): their spells of custody, cut to the time each was owned in
    the period: id -> Usage; an asset not owned in the period is left out."""
    start, end = period.bounds(zone)
    end = min(end, now)
    ids = sorted(set(asset_ids))
    if end <= start or not ids:
        return {}
    window = _Window(start, end, zone)
    usage: dict[int, Usage] = {}
    owned: dict[int, tuple[datetime, datetime]] = {}
    rows = Asset.select(
        Asset.id, Asset.code, Asset.name, Asset.purchase_date, Asset.created_at, Asset.retired_at
    ).where(Asset.id.in_(id_list(ids)))
    for asset_id, code, name, bought, created, retired in raw_rows(rows):
        times = window(bought, created, retired)
        if times is not None:
            owned[asset_id] = times
            usage[asset_id] = Usage(name, code, "", (times[1] - times[0]) // MICRO, 0)
    if not owned:
        return {}
    spells = CustodyInterval.select(
        CustodyInterval.asset, CustodyInterval.started_at, CustodyInterval.ended_at
    ).where(CustodyInterval.asset.in_(id_list(list(owned))), *_spells_within(start, end))
    for asset_id, began, ended in raw_rows(spells):
        begin, finish = owned[asset_id]
        a = max(as_datetime(began), begin)
        b = min(as_datetime(ended), finish) if ended is not None else finish
        if b > a:
            usage[asset_id].out_us += (b - a) // MICRO
    return usage
