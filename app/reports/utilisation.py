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
- An asset or category owned for less than a day of the period (or than the
  whole period, when that is shorter) has no figure ("—"; rules.has_utilisation)
  and such an asset is listed after the ranked ones, by name, with the unused:
  minutes out of minutes owned say nothing about use.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from peewee import JOIN, Case, Select, fn

from ..clock import in_zone
from ..database import is_sqlite
from ..models import Asset, Category, CustodyInterval, Event
from ..register.custody_intervals import micros
from . import rules
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
    period_us: int = 0  # how long the period is (so far): see `percent`
    asset_id: int = 0  # an asset's (for the order of equal names); 0 for a group

    @property
    def owned_days(self) -> str:
        return days_text(self.owned_us)

    @property
    def out_days(self) -> str:
        return days_text(self.out_us)

    @property
    def percent(self) -> str:
        """The share of time out; "" when owned too short a time to say."""
        return _percent(self.out_us, self.owned_us, self.period_us)

    @property
    def row(self) -> tuple[str, str, str, str, str, str]:
        """An asset's row in the CSV: code, name, category, days owned and out, percent."""
        return _row(self.code, self.name, self.category, self.owned_us, self.out_us, self.period_us)

    @property
    def ranked(self) -> bool:
        """Listed among the most used: out for some of a long enough time owned."""
        return self.out_us > 0 and rules.has_utilisation(self.owned_us, self.period_us)


def _percent(out_us: int, owned_us: int, period_us: int) -> str:
    if not rules.has_utilisation(owned_us, period_us):
        return ""
    return percent_text(out_us, owned_us)


def _row(code: str, name: str, category: str, owned_us: int, out_us: int, period_us: int):
    return (
        code,
        name,
        category,
        days_text(owned_us),
        days_text(out_us),
        _percent(out_us, owned_us, period_us),
    )


@dataclass
class Utilisation:
    period: Period
    assets: Sequence[Usage]  # most used first
    categories: list[Usage]
    total: Usage = field(default_factory=lambda: Usage("All assets", assets=0))
    up_to_now: bool = False  # the period ends after now: counted up to now
    records_begin: date | None = None  # set when the period starts before the first record


def records_begin(zone: ZoneInfo) -> date | None:
    """The local day of the register's first record (its first event): before it
    nothing was recorded, checked out or not. None: nothing recorded yet."""
    first = Event.select(fn.MIN(Event.at)).scalar()
    return in_zone(as_datetime(first), zone).date() if first else None


class _Window:
    """When each asset counts as owned within [start, end) (the module's rule),
    from its purchase date (local midnight), the moment it was added, and its
    retirement, as the driver hands them over."""

    def __init__(self, start: datetime, end: datetime, zone: ZoneInfo):
        self.start, self.end, self.zone = start, end, zone
        self.span = (end - start) // MICRO  # microseconds
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


def _window(period: Period, zone: ZoneInfo, now: datetime) -> _Window | None:
    """The period's window: from local midnight at its start to local midnight at
    its end, and never past now; None if it has not begun."""
    start, end = period.bounds(zone)
    end = min(end, now)
    return _Window(start, end, zone) if end > start else None


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


def _spell_us(began_us, ended_us, start: datetime, end: datetime):
    """SQL: microseconds of spells of custody (their `began_us` and `ended_us`
    columns, custody_intervals.micros) within [start, end), added up (each reaches
    into it; one still open runs to `end`)."""
    first, last = micros(start), micros(end)
    later, earlier = (fn.MAX, fn.MIN) if is_sqlite() else (fn.GREATEST, fn.LEAST)
    return fn.SUM(earlier(fn.COALESCE(ended_us, last), last) - later(began_us, first))


def _every_spell_within(start: datetime, end: datetime):
    """SQL: (asset, started, ended) in microseconds of every spell with some of its
    time in [start, end): those still open, then those that ended after `start`,
    each read along the (ended_us, started_us, asset) index alone (one OR would
    read every spell)."""
    spell = CustodyInterval
    first, last = micros(start), micros(end)
    columns = (spell.asset, spell.started_us, spell.ended_us)
    still_open = spell.select(*columns).where(spell.ended_us.is_null(), spell.started_us < last)
    ended = spell.select(*columns).where(
        spell.ended_us > first, spell.started_us < last, spell.ended_us > spell.started_us
    )
    return still_open.union_all(ended).alias("within")


def _out_per_asset(start: datetime, end: datetime):
    """SQL: (asset_id, out_us) of every asset checked out for some of [start, end)."""
    within = _every_spell_within(start, end)
    out_us = _spell_us(within.c.started_us, within.c.ended_us, start, end)
    return (
        Select([within], [within.c.asset_id, out_us.alias("out_us")])
        .group_by(within.c.asset_id)
        .alias("spells")
    )


def _partly_owned(period: Period, window: _Window) -> list[Usage]:
    """The assets owned for part of the period only (bought, added or retired within
    it: a few), each with the time it was owned and its spells cut to that time."""
    partly = (
        Asset.select(*_ASSET_COLUMNS)
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(_part_of_period(period, window.start, window.end))
    )
    return list(_measured(partly, window).values())


def _measured(assets: Select, window: _Window) -> dict[int, Usage]:
    """id -> Usage of the assets (rows of _ASSET_COLUMNS) owned for some of the
    window, with the time each was owned and was out (`_owned_and_out`)."""
    named = {}
    times = []
    for asset_id, code, name, category, bought, created, retired in raw_rows(assets):
        named[asset_id] = (code, name, category or "")
        times.append((asset_id, bought, created, retired))
    usage: dict[int, Usage] = {}
    for asset_id, (owned_us, out_us) in _owned_and_out(times, window).items():
        code, name, category = named[asset_id]
        usage[asset_id] = Usage(
            name, code, category, owned_us, out_us, period_us=window.span, asset_id=asset_id
        )
    return usage


def _owned_and_out(assets: Iterable[tuple], window: _Window) -> dict[int, list[int]]:
    """id -> [time owned, time out] in microseconds, of the assets (id, purchase
    date, added, retired, as the driver hands them over) owned for some of the
    window: the time each was owned, and its spells of custody within the window
    cut to that time, added up (as the spells keep their times: microseconds)."""
    first, last = micros(window.start), micros(window.end)
    owned: dict[int, tuple[int, int]] = {}  # [begin, finish)
    for asset_id, bought, created, retired in assets:
        times = window(bought, created, retired)
        if times is not None:  # most are owned all of it: their bounds are the window's
            begin = first if times[0] == window.start else micros(times[0])
            finish = last if times[1] == window.end else micros(times[1])
            owned[asset_id] = (begin, finish)
    figures = {asset_id: [finish - begin, 0] for asset_id, (begin, finish) in owned.items()}
    for asset_id, began, ended in _spells_of(list(owned), window.start, window.end):
        begin, finish = owned[asset_id]
        a = max(began, begin)
        b = finish if ended is None else min(ended, finish)
        if b > a:
            figures[asset_id][1] += b - a
    return figures


def _spells_of(ids: list[int], start: datetime, end: datetime) -> Iterator[tuple]:
    """(asset id, started, ended) in microseconds of these assets' spells with some
    of their time in [start, end), along the (asset, ended) index."""
    spell = CustodyInterval
    for i in range(0, len(ids), 5000):
        query = spell.select(spell.asset, spell.started_us, spell.ended_us).where(
            spell.asset.in_(id_list(ids[i : i + 5000])),
            spell.started_us < micros(end),
            spell.ended_us.is_null() | (spell.ended_us > micros(start)),
        )
        yield from raw_rows(query)


def _most_used(u: Usage) -> tuple:
    return _ranked_by(u.out_us, u.owned_us, u.name, u.code)


def _ranked_by(out_us: int, owned_us: int, name: str, code: str) -> tuple:
    """The used's order: the largest share of time out first, then by name and code.
    A float is plenty to order by; the figures shown are exact."""
    return (-out_us / owned_us, name.lower(), code)


def _by_name(u: Usage) -> tuple:
    """The unused's order: by name, then as added (the register's order, and its
    (lower(name), id) index's)."""
    return (u.name.lower(), u.asset_id)


def _whole_used(period: Period, start: datetime, end: datetime) -> list[tuple[int, int, str]]:
    """(asset id, time out, category) of every asset owned for the whole period and
    checked out for some of it: one grouped query, without their codes and names."""
    spells = _out_per_asset(start, end)
    query = (
        Asset.select(Asset.id, spells.c.out_us, Category.name)
        .join(spells, on=(spells.c.asset_id == Asset.id))
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(_whole_period(period, start, end))
    )
    return [
        (asset_id, int(out_us), category or "") for asset_id, out_us, category in raw_rows(query)
    ]


class _MostUsedFirst(LazyRows[Usage]):
    """Every asset owned in the period, most used first, then the unused by name,
    made only as far as it is read, so a page of 100,000 assets does not build
    100,000 rows.

    The used are ranked here by their share of time out alone; only the assets of
    the runs of equal shares a page reaches are read for their codes and names,
    which order each run. The unused are read from the register in name order,
    passing over the used."""

    def __init__(
        self,
        period: Period,
        window: _Window,
        partly: list[Usage],
        whole_used: list[tuple[int, int, str]],
        unused: int,
    ):
        self.period, self.window = period, window
        self.span = window.span
        ranked: list[tuple[float, Usage | tuple[int, int, str]]] = [
            (-u.out_us / u.owned_us, u) for u in partly if u.ranked
        ]
        ranked += [(-row[1] / self.span, row) for row in whole_used]
        ranked.sort(key=lambda entry: entry[0])
        self.ranked = ranked
        self.shares = [share for share, _ in ranked]
        self.partly_unused = sorted((u for u in partly if not u.ranked), key=_by_name)
        self.whole_used_ids = {row[0] for row in whole_used}
        self.unused = unused

    @property
    def used(self) -> int:
        return len(self.ranked)

    def __len__(self) -> int:
        return self.used + self.unused

    def _runs(self, first: int, stop: int) -> tuple[int, int]:
        """[first, stop) widened to whole runs of equal shares."""
        return (
            bisect.bisect_left(self.shares, self.shares[first]),
            bisect.bisect_right(self.shares, self.shares[stop - 1]),
        )

    def _made(self, lo: int, hi: int) -> list[Usage]:
        """The used rows lo..hi (whole runs), with their names, in order."""
        entries = self.ranked[lo:hi]
        ids = [item[0] for _, item in entries if isinstance(item, tuple)]
        named = {}
        if ids:
            rows = Asset.select(Asset.id, Asset.code, Asset.name).where(Asset.id.in_(id_list(ids)))
            named = {asset_id: (code, name) for asset_id, code, name in raw_rows(rows)}
        made = []
        for _, item in entries:
            if isinstance(item, Usage):
                made.append(item)
            else:
                asset_id, out_us, category = item
                code, name = named[asset_id]
                made.append(
                    Usage(name, code, category, self.span, out_us, self.span, asset_id=asset_id)
                )
        made.sort(key=_most_used)
        return made

    def _used_rows(self, first: int, stop: int) -> list[Usage]:
        lo, hi = self._runs(first, stop)
        return self._made(lo, hi)[first - lo : stop - lo]

    def _unused_whole(self) -> Iterator[tuple[int, str, str, str]]:
        """(id, code, name, category) of the unused owned all period, by name then
        as added, passing over the used."""
        used = self.whole_used_ids
        rows, categories = _owned_all_period_by_name(self.period, self.window)
        for asset_id, code, name, category_id in rows:
            if asset_id not in used:
                yield asset_id, code, name, categories.get(category_id, "")

    def _unused_rows(self) -> Iterator[Usage]:
        whole = (
            Usage(name, code, category, self.span, 0, period_us=self.span, asset_id=asset_id)
            for asset_id, code, name, category in self._unused_whole()
        )
        return heapq.merge(self.partly_unused, whole, key=_by_name)

    def _used_in_order(self) -> Iterator[Usage]:
        first = 0
        while first < self.used:  # a thousand or so at a time, in whole runs
            lo, hi = self._runs(first, min(first + 1000, self.used))
            yield from self._made(lo, hi)
            first = hi

    def __iter__(self) -> Iterator[Usage]:
        yield from self._used_in_order()
        yield from self._unused_rows()

    def _slice(self, first: int, stop: int) -> list[Usage]:
        rows: list[Usage] = []
        if first < self.used:
            rows += self._used_rows(first, min(stop, self.used))
        if stop > self.used:
            rows += islice(self._unused_rows(), max(first - self.used, 0), stop - self.used)
        return rows


def _owned_all_period_by_name(period: Period, window: _Window) -> tuple[Iterable[tuple], dict]:
    """(id, code, name, category id) of every asset owned for the whole period, by
    name then as added (the register's order), read from the name index alone,
    which carries these columns; and each category's name by id."""
    query = (
        Asset.select(Asset.id, Asset.code, Asset.name, Asset.category)
        .where(_whole_period(period, window.start, window.end))
        .order_by(fn.LOWER(Asset.name), Asset.id)
    )
    categories = dict(Category.select(Category.id, Category.name).tuples())
    return raw_rows(query), categories


def asset_rows(period: Period, zone: ZoneInfo, now: datetime) -> Iterator[tuple[str, ...]]:
    """Every asset's row for the CSV, in the list's order: (code, name, category,
    days owned, days out, percent).

    The same rows as `utilisation(...).assets`, made without the categories'
    figures or a Usage for each asset: one read of the name index gives the code,
    name and category of every asset owned all period (nearly all); the used
    among them (each one's time out summed in SQL) are ranked with the few owned
    for part of it, and the unused are written as they come, with the part-owned
    unused merged in by name. (The list reads only the names a page needs.)"""
    window = _window(period, zone, now)
    if window is None:
        return
    start, end, span = window.start, window.end, window.span
    partly = _partly_owned(period, window)
    spells = _out_per_asset(start, end)  # of the partly owned too: not looked up
    out_of = dict(raw_rows(Select([spells], [spells.c.asset_id, spells.c.out_us])))
    used = [(_most_used(u), u.row) for u in partly if u.ranked]
    owned, out, percent = _row("", "", "", span, 0, span)[3:]  # the same for each unused
    partly_unused = sorted((u for u in partly if not u.ranked), key=_by_name)
    keys = [_by_name(u) for u in partly_unused]
    i, n = 0, len(keys)
    unused = []  # in name order, as read, with the part-owned merged in as heapq.merge would
    rows, categories = _owned_all_period_by_name(period, window)
    for asset_id, code, name, category_id in rows:
        out_us = out_of.get(asset_id)
        if out_us is not None:
            out_us, category = int(out_us), categories.get(category_id, "")
            key = _ranked_by(out_us, span, name, code)
            used.append((key, _row(code, name, category, span, out_us, span)))
            continue
        if i < n and keys[i][0] <= name.lower():
            while i < n and keys[i] <= (name.lower(), asset_id):
                unused.append(partly_unused[i].row)
                i += 1
        unused.append((code, name, categories.get(category_id, ""), owned, out, percent))
    unused += [u.row for u in partly_unused[i:]]
    used.sort(key=lambda entry: entry[0])
    for _key, row in used:
        yield row
    yield from unused


def utilisation(period: Period, zone: ZoneInfo, now: datetime) -> Utilisation:
    """Per asset (most used first) and per category (by name), for the period.

    The time out comes from the spells of custody, which equal a replay of the
    custody events (register/custody_intervals.py). The assets owned for the
    whole period (nearly all) are counted per category in SQL and their time out
    summed per asset in SQL; only those owned for part of it are looked at one by
    one."""
    report = Utilisation(period, [], [])
    window = _window(period, zone, now)
    if window is None:
        return report
    start, end = window.start, window.end
    report.up_to_now = end < period.bounds(zone)[1]
    begin = records_begin(zone)
    if begin is not None and period.start < begin:
        report.records_begin = begin
    report.total.period_us = window.span
    categories: dict[str, Usage] = {}

    def add(category: str, assets: int, owned_us: int, out_us: int) -> None:
        group = categories.setdefault(
            category,
            Usage(category or "No category", category=category, assets=0, period_us=window.span),
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
    span = window.span
    for category, count in raw_rows(whole):
        add(category or "", count, count * span, 0)
    whole_used = _whole_used(period, start, end)
    out_per_category: dict[str, int] = {}
    for _id, out_us, category in whole_used:
        out_per_category[category] = out_per_category.get(category, 0) + out_us
    for category, out_us in out_per_category.items():
        add(category, 0, 0, out_us)  # owned and counted above
    partly = _partly_owned(period, window)
    for row in partly:
        add(row.category, 1, row.owned_us, row.out_us)
    used = len(whole_used) + sum(1 for row in partly if row.ranked)
    report.assets = _MostUsedFirst(period, window, partly, whole_used, report.total.assets - used)
    report.categories = sorted(
        categories.values(), key=lambda u: (u.category == "", u.name.lower())
    )
    return report


def percent_for(
    assets: Iterable[tuple], period: Period, zone: ZoneInfo, now: datetime
) -> dict[int, str]:
    """id -> utilisation % (as Usage.percent) of just these assets (a chunk of
    another report), which the caller has read already: (id, purchase date,
    added, retired) each, as the driver or the model hands them over. Their
    spells of custody are cut to the time each was owned in the period, by the
    same rule as `utilisation`. An asset not owned in the period is left out."""
    window = _window(period, zone, now)
    if window is None:
        return {}
    span = window.span
    whole, partly = [], []  # most are owned all of it: their spells are added up in SQL
    for row in assets:
        times = window(*row[1:4])
        if times is None:
            continue
        if times == (window.start, window.end):
            whole.append(row[0])
        else:
            partly.append(row)
    never_out = _percent(0, span, span)  # most of them, where few are used
    percent = dict.fromkeys(whole, never_out)
    for asset_id, out_us in _out_of(whole, window.start, window.end).items():
        percent[asset_id] = _percent(out_us, span, span)
    for asset_id, (owned_us, out_us) in _owned_and_out(partly, window).items():
        percent[asset_id] = _percent(out_us, owned_us, span)
    return percent


def _out_of(ids: list[int], start: datetime, end: datetime) -> dict[int, int]:
    """id -> time out within [start, end) in microseconds, of these assets that
    were checked out for some of it (an asset owned all of it: its spells need
    no cutting to the time it was owned), along the (asset, ...) index."""
    spell = CustodyInterval
    out: dict[int, int] = {}
    for i in range(0, len(ids), 5000):
        query = (
            spell.select(spell.asset, _spell_us(spell.started_us, spell.ended_us, start, end))
            .where(spell.asset.in_(id_list(ids[i : i + 5000])), _reaching_into(start, end))
            .group_by(spell.asset)
        )
        out.update((asset_id, int(out_us)) for asset_id, out_us in raw_rows(query))
    return out


def _reaching_into(start: datetime, end: datetime):
    """SQL: the spells with some of their time in [start, end) (an empty one, ended
    as it started, has none)."""
    spell = CustodyInterval
    first, last = micros(start), micros(end)
    return (spell.started_us < last) & (
        spell.ended_us.is_null() | ((spell.ended_us > first) & (spell.ended_us > spell.started_us))
    )


@dataclass(frozen=True)
class Columns:
    """An asset's utilisation over a period as two columns of a query that reads
    assets (a long list's, read in one query): `whole`, 1 when the asset was
    owned all of the period (`_whole_period`) and 0 otherwise, and `out_us`, its
    time out in the period (its spells cut to it and added up, along the (asset,
    ...) index; NULL when it was never out). `percent` gives the figure of an
    asset owned all of it; those owned for part of it (a few) need `percent_for`."""

    whole: object
    out_us: object
    span: int  # the period so far, in microseconds
    never_out: str  # the figure of most, where few are used

    def percent(self, out_us) -> str:
        if not out_us:
            return self.never_out
        span = self.span
        return _percent(int(out_us), span, span)


def columns(period: Period, zone: ZoneInfo, now: datetime) -> Columns | None:
    """The period's `Columns`; None if it has not begun (no asset has a figure)."""
    window = _window(period, zone, now)
    if window is None:
        return None
    spell = CustodyInterval
    start, end = window.start, window.end
    out_us = (
        spell.select(_spell_us(spell.started_us, spell.ended_us, start, end))
        .where(spell.asset == Asset.id, _reaching_into(start, end))
    )  # fmt: skip
    whole = Case(None, [(_whole_period(period, start, end), 1)], 0)
    span = window.span
    return Columns(whole, out_us, span, _percent(0, span, span))
