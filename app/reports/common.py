"""What the reports share: periods, pages, number formats and raw rows.

Each report has a module of its own: assets by location, category and holder
(breakdown), idle assets (idle), utilisation, maintenance costs
(maintenance_costs) and book value (value).
Every report is read-only and aggregates in SQL where the database can do the
sums portably; what needs date arithmetic is done in Python over
already-aggregated or filtered rows.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar, overload
from zoneinfo import ZoneInfo

from peewee import SQL

from ..errors import Invalid
from ..models import db
from . import rules

T = TypeVar("T")

# Parameters -----------------------------------------------------------------


def parse_date(raw: str | None, field_name: str, default: date) -> date:
    """A YYYY-MM-DD date from a query argument, or the default when it is empty."""
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None:
        raise Invalid({field_name: f"“{raw[:40]}” is not a date. Use YYYY-MM-DD."})
    if not rules.EARLIEST <= value <= rules.LATEST:
        years = f"{rules.EARLIEST.year} and {rules.LATEST.year}"
        raise Invalid({field_name: f"Pick a date between {years}."})
    return value


@dataclass(frozen=True)
class Period:
    """Whole local days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC: local midnight of `start` to local midnight after `end`."""
        return local_midnight(self.start, zone), local_midnight(self.end + timedelta(days=1), zone)


def parse_period(raw_from: str | None, raw_to: str | None, *, today: date, days: int) -> Period:
    """From/to dates; by default the `days` days up to and including today."""
    errors: dict[str, str] = {}
    start = end = None
    try:
        end = parse_date(raw_to, "to", today)
    except Invalid as exc:
        errors.update(exc.errors)
    try:
        start = parse_date(raw_from, "from", (end or today) - timedelta(days=days - 1))
    except Invalid as exc:
        errors.update(exc.errors)
    if start and end and start > end:
        if (raw_to or "").strip():
            errors["to"] = "The end date is before the start date."
        else:  # the end left to its default, today
            errors["from"] = "The start date is after today: choose an end date too."
    if errors:
        raise Invalid(errors)
    return Period(start, end)


def parse_idle_days(raw: str | None, default: int = rules.IDLE_DAYS) -> int:
    raw = (raw or "").strip()
    if not raw:
        return default
    # The length first: int() of thousands of digits is itself an error.
    too_long = len(raw) > len(str(rules.IDLE_DAYS_MAX))
    if too_long or not raw.isdecimal() or not 1 <= int(raw) <= rules.IDLE_DAYS_MAX:
        raise Invalid({"days": f"Choose a whole number of days from 1 to {rules.IDLE_DAYS_MAX}."})
    return int(raw)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of a local day as naive UTC, the form timestamps are stored in."""
    return (
        datetime.combine(day, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    )


# Figures as text: the page and the CSV both use these, so they always agree.


def tenths_text(numerator: int, denominator: int) -> str:
    """numerator / denominator (> 0) to one decimal, halves away from zero (a
    decimal's ROUND_HALF_UP), in whole numbers: a report's CSV works out a few
    of these for each of up to 100,000 rows."""
    tenths = (abs(numerator) * 20 + denominator) // (2 * denominator)
    return f"{'-' if numerator < 0 else ''}{tenths // 10}.{tenths % 10}"


def days_text(microseconds: int) -> str:
    """Elapsed time as days (24 hours each) to one decimal, halves rounded up."""
    return tenths_text(microseconds, 86_400_000_000)


def percent_text(part: int, whole: int) -> str:
    """`part` of `whole` as a percentage to one decimal; empty when `whole` is 0."""
    if whole <= 0:
        return ""
    return tenths_text(part * 100, whole)


@dataclass
class Page:
    """One page of a longer list of rows."""

    rows: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def page_of(rows: list, number: int, per_page: int) -> Page:
    number = min(max(number, 1), max((len(rows) + per_page - 1) // per_page, 1))
    start = (number - 1) * per_page
    return Page(rows[start : start + per_page], number, per_page, len(rows))


# Assets by location, category and holder ----------------------------------------


def raw_rows(query):
    """The query's rows straight from the driver. Over 100,000 rows peewee's
    per-value conversion costs more than the query; callers convert the few
    columns they need with `as_datetime` and `as_date`."""
    return db.execute(query)


def id_list(ids: Iterable[int]) -> SQL:
    """Row ids as a literal list for `IN`: peewee builds a parameter per value,
    which for a thousand ids costs more than the query. Only whole numbers go in."""
    return SQL("(" + ",".join(map(str, map(int, ids))) + ")")


def as_datetime(value) -> datetime | None:
    """A timestamp as SQLite (text) or PostgreSQL (datetime) hands it over."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


class LazyRows(Sequence[T]):
    """A report's long list of rows, read only as far as a page or a CSV goes.
    A subclass gives `__len__`, `__iter__` and `_slice(first, stop)` (the rows
    from `first` up to `stop`, both within the length); indexing and slicing
    are here, once."""

    @abstractmethod
    def _slice(self, first: int, stop: int) -> list[T]: ...

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index):
        if isinstance(index, int):
            if index < 0:  # from the end, as a list counts
                index += len(self)
            found = self[index : index + 1] if index >= 0 else []
            if not found:
                raise IndexError(index)
            return found[0]
        first, stop, step = index.indices(len(self))
        if step != 1:
            return list(self)[index]
        return self._slice(first, stop) if stop > first else []
