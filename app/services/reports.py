"""Reports for leads: the shared pieces (periods, pages, number formats), assets
by location, category and holder, and idle assets.

Utilisation, maintenance costs and book value have modules of their own
(reports_usage, reports_maintenance, reports_value). Every report is read-only
and aggregates in SQL where the database can do the sums portably; what needs
date arithmetic is done in Python over already-aggregated or filtered rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from peewee import JOIN, SQL, Case, fn

from ..models import STATUS_LABELS, Asset, Category, Event, Location, User, db
from . import places
from .errors import Invalid

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
MAX_IDLE_DAYS = 3650


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
    if not EARLIEST <= value <= LATEST:
        raise Invalid({field_name: f"Pick a date between {EARLIEST.year} and {LATEST.year}."})
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
        errors["to"] = "The end date is before the start date."
    if errors:
        raise Invalid(errors)
    return Period(start, end)


def parse_idle_days(raw: str | None, default: int = 90) -> int:
    raw = (raw or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_IDLE_DAYS:
        raise Invalid({"days": f"Choose a whole number of days from 1 to {MAX_IDLE_DAYS}."})
    return int(raw)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of a local day as naive UTC, the form timestamps are stored in."""
    return (
        datetime.combine(day, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    )


# Figures as text: the page and the CSV both use these, so they always agree.


def one_decimal(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def days_text(microseconds: int) -> str:
    """Elapsed time as days (24 hours each) to one decimal, halves rounded up."""
    return one_decimal(Decimal(microseconds) / 86_400_000_000)


def percent_text(part: int, whole: int) -> str:
    """`part` of `whole` as a percentage to one decimal; empty when `whole` is 0."""
    if whole <= 0:
        return ""
    return one_decimal(Decimal(part) * 100 / Decimal(whole))


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

GROUPINGS = {"location": "Location", "category": "Category", "holder": "Holder"}


@dataclass
class Group:
    """In-service and retired counts and the known purchase cost of a group."""

    key: int | None  # the id the register filters on; None for "no location" etc.
    name: str
    depth: int = 0
    path: str = ""  # for locations: "Site › Building › Room"
    in_service: int = 0
    retired: int = 0
    cost_cents: int = 0  # purchase cost of the in-service ones that have one
    no_cost: int = 0  # in-service ones without a purchase cost

    def add(self, other: Group) -> None:
        self.in_service += other.in_service
        self.retired += other.retired
        self.cost_cents += other.cost_cents
        self.no_cost += other.no_cost


@dataclass
class Breakdown:
    by: str
    groups: list[Group]
    total: Group = field(default_factory=lambda: Group(None, "All assets"))


def _sums(column) -> dict[int | None, Group]:
    """One grouped query: counts and summed cost per value of `column`."""
    in_service = Asset.retired_at.is_null()
    query = (
        Asset.select(
            column.alias("key"),
            fn.SUM(Case(None, [(in_service, 1)], 0)).alias("in_service"),
            fn.SUM(Case(None, [(in_service, 0)], 1)).alias("retired"),
            fn.SUM(Case(None, [(in_service, Asset.cost_cents)], 0)).alias("cost"),
            fn.SUM(Case(None, [(in_service & Asset.cost_cents.is_null(), 1)], 0)).alias("nc"),
        )
        .group_by(column)
        .tuples()
    )
    return {
        key: Group(
            key,
            "",
            in_service=int(n or 0),
            retired=int(r or 0),
            cost_cents=int(c or 0),
            no_cost=int(nc or 0),
        )
        for key, n, r, c, nc in query
    }


def breakdown(by: str) -> Breakdown:
    """Counts and purchase cost per location (sub-locations included), category or holder."""
    if by not in GROUPINGS:
        raise Invalid({"by": "Choose location, category or holder."})
    column = {"location": Asset.location, "category": Asset.category, "holder": Asset.holder}[by]
    sums = _sums(column)
    result = Breakdown(by, [])
    for group in sums.values():
        result.total.add(group)
    if by == "location":
        result.groups = _location_groups(sums)
        unplaced = "No location"
    elif by == "category":
        names = dict(Category.select(Category.id, Category.name).tuples())
        result.groups = _named(sums, names)
        unplaced = "No category"
    else:
        names = dict(
            User.select(User.id, User.name).where(User.id.in_([k for k in sums if k])).tuples()
        )
        result.groups = _named(sums, names)
        unplaced = "Not held by anyone"
    if None in sums:
        none = sums[None]
        none.name = unplaced
        result.groups.append(none)
    return result


def _named(sums: dict[int | None, Group], names: dict[int, str]) -> list[Group]:
    groups = []
    for key, group in sums.items():
        if key is not None:
            group.name = names.get(key, f"#{key}")
            groups.append(group)
    return sorted(groups, key=lambda g: (g.name.lower(), g.key))


def _location_groups(sums: dict[int | None, Group]) -> list[Group]:
    """The location tree, each place counting what is in it and below it (as the
    register's location filter does), leaving out places with nothing in them."""
    tree = places.location_tree()
    paths = places.location_paths()
    rows = {loc.id: Group(loc.id, loc.name, depth, paths[loc.id]) for loc, depth in tree}
    parents = {loc.id: loc.parent_id for loc, _depth in tree}
    for key, own in sums.items():
        seen = 0
        while key is not None and key in rows and seen < 100:  # bounded: a cycle must not hang
            rows[key].add(own)
            key, seen = parents.get(key), seen + 1
    return [rows[loc.id] for loc, _depth in tree if rows[loc.id].in_service + rows[loc.id].retired]


# Idle assets -------------------------------------------------------------------

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


def raw_rows(query):
    """The query's rows straight from the driver. Over 100,000 rows peewee's
    per-value conversion costs more than the query; callers convert the few
    columns they need with `as_datetime` and `as_date`."""
    return db.execute(query)


def as_datetime(value) -> datetime | None:
    """A timestamp as SQLite (text) or PostgreSQL (datetime) hands it over."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


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
