"""Reports for leads: the shared pieces (periods, pages, number formats, raw rows)
and assets by location, category and holder.

Idle assets, utilisation, maintenance costs and book value have modules of
their own (idle, usage, repair_costs, value).
Every report is read-only and aggregates in SQL where the database can do the
sums portably; what needs date arithmetic is done in Python over
already-aggregated or filtered rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from peewee import Case, fn

from ..errors import Invalid
from ..models import Asset, Category, User, db
from ..register import places
from ..register.rules import in_service_sql
from . import rules

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
        errors["to"] = "The end date is before the start date."
    if errors:
        raise Invalid(errors)
    return Period(start, end)


def parse_idle_days(raw: str | None, default: int = rules.IDLE_DAYS) -> int:
    raw = (raw or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= rules.IDLE_DAYS_MAX:
        raise Invalid({"days": f"Choose a whole number of days from 1 to {rules.IDLE_DAYS_MAX}."})
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
    in_service = in_service_sql()
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


# Rows straight from the driver ------------------------------------------------------


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
