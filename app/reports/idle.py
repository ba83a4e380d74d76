"""Idle assets: in service, and nobody has checked them out, handed them over,
returned them or moved them for N days. Each asset's last use is kept on its row
(Asset.last_used_at, register/last_use.py), so a page is read in order from one
index (asset_idle_since) and counted from it, whatever the history.
What counts as use is register.rules.USE_KINDS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from peewee import JOIN, fn

from ..clock import StoredDays, in_zone
from ..models import STATUS_LABELS, Asset, Category
from ..register import places
from . import rules
from .common import Page, as_datetime, local_midnight, raw_rows


@dataclass
class IdleRow:
    code: str
    name: str
    status_label: str
    category: str
    location: str  # as the register lists it (places.location_labels)
    last_used: datetime | None  # None: never checked out, moved or returned
    created_at: datetime
    idle_days: int  # whole days from the local day of `since` to today (rules.idle_days)

    @property
    def since(self) -> datetime:
        return self.last_used or self.created_at


def _since():
    """Since when an asset has been idle, spelled as the index is (models.py) so
    that the index serves the condition and the order."""
    return fn.COALESCE(Asset.last_used_at, Asset.created_at)


def _idle_where(days: int, today: date, zone: ZoneInfo) -> tuple:
    return (
        Asset.retired_at.is_null(),
        Asset.holder.is_null(),  # out with someone: in use (late ones are on Overdue)
        _since() < local_midnight(rules.idle_since(days, today), zone),
    )


def _idle_query(days: int, today: date, zone: ZoneInfo):
    return (
        Asset.select(
            Asset.code,
            Asset.name,
            Asset.status,
            Category.name.alias("category_name"),
            Asset.location,
            Asset.last_used_at,
            Asset.created_at,
        )
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(*_idle_where(days, today, zone))
        .order_by(_since(), fn.LOWER(Asset.name), Asset.id)
    )


def _idle_rows(rows, today: date, zone: ZoneInfo) -> Iterator[IdleRow]:
    for code, name, status, category, place, last_used, created in rows:
        last_used, created = as_datetime(last_used), as_datetime(created)
        yield IdleRow(
            code,
            name,
            STATUS_LABELS.get(status, status),
            category or "",
            places.location_label(place),
            last_used,
            created,
            rules.idle_days(in_zone(last_used or created, zone).date(), today),
        )


def idle(days: int, today: date, zone: ZoneInfo, page: int, per_page: int) -> Page:
    """In-service items nobody has checked out, handed over, returned or moved for
    `days` days (counting from when they were added if never), longest idle first."""
    # Counted from the index alone, then only the page's rows are joined: a
    # window count on the page's query would join every idle row first.
    total = Asset.select().where(*_idle_where(days, today, zone)).count()
    last = max((total + per_page - 1) // per_page, 1)
    number = min(max(page, 1), last)  # past the end: show the last page
    rows = raw_rows(_idle_query(days, today, zone).paginate(number, per_page))
    return Page(list(_idle_rows(rows, today, zone)), number, per_page, total)


def idle_all(days: int, today: date, zone: ZoneInfo) -> Iterator[tuple]:
    """Every idle row, for the CSV, in the page's order: (code, name, status,
    category, place's whole path, the local day it was last used or None, idle
    days).

    Read from the idle index alone, which carries these columns (models.py), with
    the category and place names from memory: at 70,000 rows, joining them in
    the query and making an IdleRow of each took longer than writing the file."""
    query = (
        Asset.select(
            Asset.code,
            Asset.name,
            Asset.status,
            Asset.category,
            Asset.location,
            _since(),  # one time, as the index keeps it, rather than both
            Asset.last_used_at.is_null(),
        )
        .where(*_idle_where(days, today, zone))
        .order_by(_since(), fn.LOWER(Asset.name), Asset.id)
    )
    categories = dict(Category.select(Category.id, Category.name).tuples())
    paths = places.location_paths()
    day_of = StoredDays(zone)
    for code, name, status, category, place, since, never_used in raw_rows(query):
        day = day_of(since)
        yield (
            code,
            name,
            STATUS_LABELS.get(status, status),
            categories.get(category, ""),
            paths.get(place, ""),
            None if never_used else day,
            rules.idle_days(day, today),
        )
