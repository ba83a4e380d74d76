"""Idle assets: in service, and nobody has checked them out, handed them over,
returned them or moved them for N days. One aggregate query (the last use per
asset) joined to the register; the total comes back on the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import JOIN, SQL, fn

from ..models import STATUS_LABELS, Asset, Category, Event, Location
from .common import Page, as_datetime, raw_rows

# A return counts as use too: an item handed back yesterday after months out
# was busy until yesterday, whenever it was checked out.
USE_KINDS = ("checked_out", "transferred", "checked_in", "moved")


@dataclass
class IdleRow:
    code: str
    name: str
    status_label: str
    category: str
    location: str
    last_used: datetime | None  # None: never checked out, moved or returned
    created_at: datetime
    idle_days: int  # whole days since `since`

    @property
    def since(self) -> datetime:
        return self.last_used or self.created_at


def _idle_query(days: int, now: datetime):
    last = (
        Event.select(Event.asset.alias("asset_id"), fn.MAX(Event.at).alias("last_used"))
        .where(Event.kind.in_(USE_KINDS))
        .group_by(Event.asset)
        .alias("last")
    )
    since = fn.COALESCE(last.c.last_used, Asset.created_at)
    return (
        Asset.select(
            Asset.code,
            Asset.name,
            Asset.status,
            Category.name.alias("category_name"),
            Location.name.alias("location_name"),
            last.c.last_used,
            Asset.created_at,
        )
        .join(last, JOIN.LEFT_OUTER, on=(last.c.asset_id == Asset.id))
        .switch(Asset)
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .switch(Asset)
        .join(Location, JOIN.LEFT_OUTER, on=(Asset.location == Location.id))
        .where(
            Asset.retired_at.is_null(),
            Asset.holder.is_null(),  # out with someone: in use (late ones are on Overdue)
            since < now - timedelta(days=days),
        )
        .order_by(since, fn.LOWER(Asset.name), Asset.id)
    )


def _idle_rows(rows, now: datetime) -> Iterator[IdleRow]:
    for code, name, status, category, location, last_used, created, *_total in rows:
        last_used, created = as_datetime(last_used), as_datetime(created)
        yield IdleRow(
            code,
            name,
            STATUS_LABELS.get(status, status),
            category or "",
            location or "",
            last_used,
            created,
            (now - (last_used or created)).days,
        )


def idle(days: int, now: datetime, page: int, per_page: int) -> Page:
    """In-service items nobody has checked out, handed over, returned or moved for
    `days` days (counting from when they were added if never), longest idle first."""
    query = _idle_query(days, now)
    # The total rides along on every row (a window count), saving a second pass.
    counted = query.select_extend(fn.COUNT(SQL("*")).over().alias("total"))
    number = max(page, 1)
    rows = list(raw_rows(counted.paginate(number, per_page)))
    if not rows and number > 1:  # past the end: show the last page
        number = max((query.count() + per_page - 1) // per_page, 1)
        rows = list(raw_rows(counted.paginate(number, per_page)))
    total = rows[0][-1] if rows else 0
    return Page(list(_idle_rows(rows, now)), number, per_page, total)


def idle_all(days: int, now: datetime) -> Iterator[IdleRow]:
    """Every idle row, for the CSV (streamed, not held in memory)."""
    return _idle_rows(raw_rows(_idle_query(days, now)), now)
