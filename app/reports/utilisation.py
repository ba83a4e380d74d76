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

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from peewee import JOIN, fn

from ..models import Asset, Category, Event
from .common import Period, as_date, as_datetime, days_text, local_midnight, percent_text, raw_rows

CUSTODY_KINDS = ("checked_out", "transferred", "checked_in", "retired")
OPENS = ("checked_out", "transferred")  # someone holds it afterwards
CLOSES = ("checked_in", "retired")  # nobody does
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
    assets: list[Usage]  # most used first
    categories: list[Usage]
    total: Usage = field(default_factory=lambda: Usage("All assets", assets=0))


def _owned(period: Period, start: datetime, end: datetime, zone: ZoneInfo) -> dict[int, tuple]:
    """Assets owned at some time in [start, end): id -> (code, name, category, from, to)."""
    query = (
        Asset.select(
            Asset.id,
            Asset.code,
            Asset.name,
            Category.name,
            Asset.purchase_date,
            Asset.created_at,
            Asset.retired_at,
        )
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(
            (Asset.retired_at.is_null() | (Asset.retired_at > start))
            & (
                (Asset.purchase_date.is_null() & (Asset.created_at < end))
                | (Asset.purchase_date <= period.end)
            )
        )
    )
    owned = {}
    midnights: dict[date, datetime] = {}  # many assets share a purchase date
    for asset_id, code, name, category, bought, created, retired in raw_rows(query):
        if bought is not None:
            bought = as_date(bought)
            if bought not in midnights:
                midnights[bought] = local_midnight(bought, zone)
            since = midnights[bought]
        else:
            since = as_datetime(created)
        begin = max(start, since)
        finish = min(end, as_datetime(retired)) if retired else end
        if finish > begin:
            owned[asset_id] = (code, name, category or "", begin, finish)
    return owned


def _held_at(start: datetime) -> set[int]:
    """Assets someone held at `start`: their last custody event before it opened custody.
    "Last" is by order of recording (the event id), which follows time per asset."""
    last = (
        Event.select(fn.MAX(Event.id))
        .where(Event.kind.in_(CUSTODY_KINDS), Event.at < start, Event.asset.is_null(False))
        .group_by(Event.asset)
    )
    query = Event.select(Event.asset).where(Event.id.in_(last), Event.kind.in_(OPENS))
    return {asset_id for (asset_id,) in raw_rows(query)}


def _custody(start: datetime, end: datetime) -> dict[int, list[tuple[str, datetime]]]:
    """The custody events in [start, end), per asset, in the order they were recorded."""
    out: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    query = (
        Event.select(Event.asset, Event.kind, Event.at)
        .where(Event.kind.in_(CUSTODY_KINDS), Event.at >= start, Event.at < end)
        .order_by(Event.id)
    )
    for asset_id, kind, at in raw_rows(query):
        if asset_id is not None:
            out[asset_id].append((kind, as_datetime(at)))
    return out


def checked_out_time(
    held_at_start: bool,
    events: list[tuple[str, datetime]],
    start: datetime,
    end: datetime,
    begin: datetime,
    finish: datetime,
) -> timedelta:
    """Time held within [begin, finish) (the owned part of the period [start, end))."""
    total = timedelta(0)
    held_since = start if held_at_start else None

    def add(a: datetime, b: datetime) -> None:
        nonlocal total
        a, b = max(a, begin), min(b, finish)
        if b > a:
            total += b - a

    for kind, at in events:
        if kind in OPENS and held_since is None:
            held_since = at
        elif kind in CLOSES and held_since is not None:
            add(held_since, at)
            held_since = None
    if held_since is not None:
        add(held_since, end)
    return total


def utilisation(period: Period, zone: ZoneInfo, now: datetime) -> Utilisation:
    """Per asset (most used first) and per category (by name), for the period."""
    start, end = period.bounds(zone)
    end = min(end, now)
    report = Utilisation(period, [], [])
    if end <= start:
        return report
    owned = _owned(period, start, end, zone)
    held = _held_at(start)
    custody = _custody(start, end)
    categories: dict[str, Usage] = {}
    for asset_id, (code, name, category, begin, finish) in owned.items():
        out = checked_out_time(
            asset_id in held, custody.get(asset_id, []), start, end, begin, finish
        )
        row = Usage(name, code, category, (finish - begin) // MICRO, out // MICRO)
        report.assets.append(row)
        group = categories.setdefault(
            category, Usage(category or "No category", category=category, assets=0)
        )
        for usage in (group, report.total):
            usage.owned_us += row.owned_us
            usage.out_us += row.out_us
            usage.assets += 1
    # Most used first (a float is plenty to order by; the figures shown are exact).
    report.assets.sort(key=lambda u: (-u.out_us / u.owned_us, u.name.lower(), u.code))
    report.categories = sorted(
        categories.values(), key=lambda u: (u.category == "", u.name.lower())
    )
    return report


def for_assets(
    asset_ids: list[int], period: Period, zone: ZoneInfo, now: datetime
) -> dict[int, Usage]:
    """The same figures as `utilisation`, for just these assets (a page of another
    report), read along the (asset, at) index: id -> Usage; an asset not owned in
    the period is left out."""
    start, end = period.bounds(zone)
    end = min(end, now)
    ids = sorted(set(asset_ids))
    if end <= start or not ids:
        return {}
    owned: dict[int, tuple] = {}
    rows = Asset.select(
        Asset.id, Asset.code, Asset.name, Asset.purchase_date, Asset.created_at, Asset.retired_at
    ).where(Asset.id.in_(ids))
    for asset_id, code, name, bought, created, retired in raw_rows(rows):
        since = local_midnight(as_date(bought), zone) if bought else as_datetime(created)
        begin = max(start, since)
        finish = min(end, as_datetime(retired)) if retired else end
        if finish > begin:
            owned[asset_id] = (code, name, begin, finish)
    if not owned:
        return {}
    last = (
        Event.select(fn.MAX(Event.id))
        .where(Event.asset.in_(list(owned)), Event.kind.in_(CUSTODY_KINDS), Event.at < start)
        .group_by(Event.asset)
    )
    held = {
        asset_id
        for (asset_id,) in raw_rows(
            Event.select(Event.asset).where(Event.id.in_(last), Event.kind.in_(OPENS))
        )
    }
    custody: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    query = (
        Event.select(Event.asset, Event.kind, Event.at)
        .where(
            Event.asset.in_(list(owned)),
            Event.kind.in_(CUSTODY_KINDS),
            Event.at >= start,
            Event.at < end,
        )
        .order_by(Event.id)
    )
    for asset_id, kind, at in raw_rows(query):
        custody[asset_id].append((kind, as_datetime(at)))
    usage = {}
    for asset_id, (code, name, begin, finish) in owned.items():
        out = checked_out_time(
            asset_id in held, custody.get(asset_id, []), start, end, begin, finish
        )
        usage[asset_id] = Usage(name, code, "", (finish - begin) // MICRO, out // MICRO)
    return usage
