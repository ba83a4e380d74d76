"""The replacement plan: which assets in service are due for replacement, why,
and what each has cost to keep (rules.py has every rule).

The due set is the union of three sets, none of which reads every asset:
past their useful life (`life_ends_on <= today`, along the (life_ends_on,
status, ...) index, which carries the cost); repairs and services that cost
something in the last 12 months (their costs added up along the events'
(kind, asset, at, cost) index); faults reported in the last 12 months. The
last two are the *active* assets, tens of thousands where every service is
recorded: one query reads them with their details, sifting out in SQL those
the rules find not due (rules.is_due_sql, with `book_on_sql`); each it keeps
is judged again on its row, and only the due become Items. The rest of the
due list (past their life, not among the active due) is paged in SQL; the CSV
reads all of it in one query (`Plan.csv_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from peewee import JOIN, SQL, Case, Select, fn

from ..models import Asset, Category, Event, Fault
from ..register.rules import WORK_KINDS
from ..register.teams_rules import team_sql
from ..reports import utilisation
from ..reports.common import Period, as_date, id_list, local_midnight, raw_rows
from ..reports.value import book_sql, book_value, depreciable, depreciated_sql, exact_in_sql
from . import rules

PER_PAGE = 50


@dataclass(slots=True)
class Item:
    """One asset in service, with what the plan says of it."""

    id: int
    code: str
    name: str
    category_id: int | None
    category: str
    team_id: int | None
    purchase_date: date | None
    cost_cents: int | None
    life_ends: date | None
    life_months: int | None
    salvage_percent: int
    replacement_cents: int | None
    repair_12m_cents: int = 0
    faults_12m: int = 0
    book_cents: int | None = None
    reasons: list[str] = field(default_factory=list)
    repair_to_date_cents: int = 0
    utilisation: str = ""  # percent over the last 365 days, one decimal
    created_at: datetime | str | None = None  # as the driver hands them over,
    retired_at: datetime | str | None = None  # for the utilisation

    @property
    def sort_key(self) -> tuple:
        """Most reasons first, then the costliest to keep, then the dearest to replace."""
        cost = self.replacement_cents
        return (
            -len(self.reasons),
            -self.repair_12m_cents,
            -self.faults_12m,
            cost is None,
            -(cost or 0),
            self.name.lower(),
            self.code,
        )


def book_now(item: Item, today: date) -> int | None:
    return book_on(
        item.cost_cents, item.salvage_percent, item.life_months, item.purchase_date, today
    )


def book_on(
    cost_cents: int | None, salvage: int, months: int | None, bought: date | None, today: date
) -> int | None:
    """Book value today as the value report works it out; an asset it does not
    depreciate (no purchase date or useful life) counts at its purchase cost."""
    if cost_cents is None:
        return None
    if not depreciable(cost_cents, bought, months, salvage):
        return cost_cents
    assert bought is not None and months is not None
    return book_value(cost_cents, salvage, months, (today - bought).days)


def book_on_sql(today: date):
    """`book_on` as a SQL expression on an asset row joined to its category, exact
    for the assets `judged_in_sql`."""
    return Case(None, [(depreciated_sql(), book_sql(today))], Asset.cost_cents)


def judged_in_sql():
    """Assets whose book value `book_on_sql` works out exactly (and those with no cost)."""
    return Asset.cost_cents.is_null() | exact_in_sql()


def window(today: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The last 12 months as naive UTC bounds: the 365 days up to and including today."""
    start, after = rules.window_start(today), today + timedelta(days=1)
    return local_midnight(start, zone), local_midnight(after, zone)


_COLUMNS = (
    Asset.id,
    Asset.code,
    Asset.name,
    Asset.category,
    team_sql(),
    Asset.purchase_date,
    Asset.cost_cents,
    Asset.life_ends_on,
    Asset.created_at,
    Asset.retired_at,
    Asset.upkeep_cents,
)


class _Reader:
    """Items from rows of _COLUMNS as the driver hands them over, each category's
    figures and each day read once: tens of thousands of rows share a dozen
    categories and a few hundred days."""

    def __init__(self) -> None:
        self.categories = {
            cid: (name, months, salvage or 0, replace)
            for cid, name, months, salvage, replace in Category.select(
                Category.id,
                Category.name,
                Category.useful_life_months,
                Category.salvage_percent,
                Category.replacement_cost_cents,
            ).tuples()
        }
        self.days: dict = {}

    def category(self, category_id: int | None) -> tuple[str, int | None, int, int | None]:
        """(name, useful life in months, salvage %, replacement cost)."""
        return self.categories.get(category_id) or ("", None, 0, None)

    def day(self, value) -> date | None:
        if value is None:
            return None
        day = self.days.get(value)
        if day is None:
            day = self.days[value] = as_date(value)
        return day

    def item(self, row) -> Item:
        aid, code, name, cat_id, team, bought, cost, ends, created, retired, upkeep = row[:11]
        category, months, salvage, replace = self.category(cat_id)
        return Item(
            aid,
            code,
            name,
            cat_id,
            category,
            team,
            self.day(bought),
            cost,
            self.day(ends),
            months,
            salvage,
            rules.replacement_cost(replace, cost),
            repair_to_date_cents=upkeep,
            created_at=created,
            retired_at=retired,
        )


def _judge(item: Item, today: date, thresholds: rules.Thresholds, currency: str | None) -> Item:
    item.book_cents = book_now(item, today)
    return _word(item, today, thresholds, currency)


def _word(item: Item, today: date, thresholds: rules.Thresholds, currency: str | None) -> Item:
    """The item's reasons, from its figures (its book value worked out already)."""
    item.reasons = rules.due_reasons(
        today=today,
        life_ends=item.life_ends,
        repair_cents=item.repair_12m_cents,
        book_cents=item.book_cents,
        faults=item.faults_12m,
        thresholds=thresholds,
        currency=currency,
    )
    return item


def _activity(start: datetime, end: datetime):
    """SQL: (asset_id, cost, faults) of every asset with work that cost something
    or a fault reported in [start, end): the work's costs (Event.cost_cents, along
    the (kind, asset, at, cost) index) added up, and its faults counted."""
    work = Event.select(
        Event.asset.alias("asset_id"), Event.cost_cents.alias("cost"), SQL("0").alias("fault")
    ).where(
        Event.kind.in_(list(WORK_KINDS)), Event.at >= start, Event.at < end, Event.cost_cents > 0
    )
    faults = Fault.select(Fault.asset.alias("asset_id"), SQL("0"), SQL("1")).where(
        Fault.reported_at >= start, Fault.reported_at < end
    )
    act = work.union_all(faults).alias("act")
    summed = (fn.SUM(act.c.cost).alias("cost"), fn.SUM(act.c.fault).alias("faults"))
    return Select([act], [act.c.asset_id, *summed]).group_by(act.c.asset_id).alias("activity")


def active_due(
    today: date,
    zone: ZoneInfo,
    thresholds: rules.Thresholds,
    currency: str | None,
    *,
    life_after: date | None = None,
    read: _Reader | None = None,
) -> list[Item]:
    """The assets in service due for replacement among those with work that cost
    something or faults in the last 12 months, judged, from one query. Most of
    those are not due (a service a year is no reason): the query sifts them out
    by `rules.is_due_sql`, each row it keeps is judged again by the rules
    (`_judge`), and only those given a reason are kept. `life_after`: only
    those whose life ends after that day (or never), which the caller has
    counted already; `read`: the caller's reader, when it reads more items."""
    start, end = window(today, zone)
    activity = _activity(start, end)
    due_sql = rules.is_due_sql(
        today=today,
        life_ends=Asset.life_ends_on,
        repair_cents=activity.c.cost,
        book_cents=book_on_sql(today),
        faults=activity.c.faults,
        thresholds=thresholds,
    )
    query = (
        Asset.select(*_COLUMNS, activity.c.cost, activity.c.faults)
        .join(activity, on=(activity.c.asset_id == Asset.id))
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(rules.in_service_sql(), due_sql | ~judged_in_sql())
    )
    if life_after is not None:
        query = query.where(Asset.life_ends_on.is_null() | (Asset.life_ends_on > life_after))
    due = []
    read = read or _Reader()
    for row in raw_rows(query):
        item = read.item(row)
        item.repair_12m_cents, item.faults_12m = int(row[11] or 0), int(row[12] or 0)
        if _judge(item, today, thresholds, currency).reasons:  # due: a reason to give
            due.append(item)
    return due


def _past_life_query(today: date, leave_out: list[int], columns: tuple = _COLUMNS):
    """Assets in service past their useful life, except those `leave_out` (the
    active due, listed first)."""
    query = (
        Asset.select(*columns)
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(Asset.life_ends_on <= today, rules.in_service_sql())
    )
    if leave_out:
        query = query.where(Asset.id.not_in(id_list(leave_out)))
    return query


def _replacement_sql():
    return fn.COALESCE(Category.replacement_cost_cents, Asset.cost_cents)


def _in_list_order(query):
    """The past-life rows' order: dearest to replace first (no cost last), then by name."""
    cost = _replacement_sql()
    return query.order_by(
        Case(None, [(cost.is_null(), 1)], 0), cost.desc(), fn.LOWER(Asset.name), Asset.id
    )


def _past_life(
    today: date, leave_out: list[int], offset: int, limit: int | None, read: _Reader
) -> list[Item]:
    query = _in_list_order(_past_life_query(today, leave_out))
    if offset or limit is not None:
        query = query.offset(offset).limit(limit)
    return [read.item(row) for row in raw_rows(query)]


# What the CSV reads of each past-life row: _COLUMNS but the team, which it does
# not show (a lookup of the holder's team for each of 16,000 rows).
_CSV_COLUMNS = _COLUMNS[:4] + _COLUMNS[5:]


@dataclass
class DuePage:
    rows: list[Item]
    number: int
    per_page: int
    total: int
    today: date
    thresholds: rules.Thresholds

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def _utilisation(
    owned: list[tuple], today: date, zone: ZoneInfo, now: datetime, chunk: int = 5000
) -> dict[int, str]:
    """id -> utilisation % over the last 365 days, of assets given as (id,
    purchase date, added, retired): a chunk of ids at a time in id order, so
    each chunk's spells sit together on disk."""
    period = Period(rules.window_start(today), today)
    owned = sorted(owned, key=lambda row: row[0])
    percent: dict[int, str] = {}
    for first in range(0, len(owned), chunk):
        percent.update(utilisation.percent_for(owned[first : first + chunk], period, zone, now))
    return percent


def _details(items: list[Item], today: date, zone: ZoneInfo, now: datetime) -> None:
    """Utilisation over the last 365 days, for a page of rows."""
    owned = [(i.id, i.purchase_date, i.created_at, i.retired_at) for i in items]
    percent = _utilisation(owned, today, zone, now)
    for item in items:
        item.utilisation = percent.get(item.id, "")


class Plan:
    """The due list for one day and the settings in force."""

    def __init__(
        self, today: date, zone: ZoneInfo, thresholds: rules.Thresholds, currency: str | None
    ):
        self.today, self.zone, self.thresholds = today, zone, thresholds
        self.read = _Reader()  # the categories' figures, read once for every row
        # Listed first; the forecast reuses them rather than read them again.
        self.due_active = sorted(
            active_due(today, zone, thresholds, currency, read=self.read),
            key=lambda i: i.sort_key,
        )
        # Those past their life would be among the past-life rows too: left out there.
        self.left_out = sorted(i.id for i in self.due_active if rules.past_life(i.life_ends, today))
        self.currency = currency

    @cached_property
    def past_life(self) -> int:
        """How many are due only for their age: the rows after the active due."""
        query = _past_life_query(self.today, self.left_out)
        return query.select(fn.COUNT(Asset.id)).scalar() or 0

    @property
    def total(self) -> int:
        return len(self.due_active) + self.past_life

    def rows(self, offset: int, limit: int) -> list[Item]:
        first = self.due_active[offset : offset + limit]
        more = limit - len(first)
        if more > 0:
            first += self._past_life_rows(max(offset - len(self.due_active), 0), more)
        return first

    def page(self, number: int, now: datetime, per_page: int = PER_PAGE) -> DuePage:
        pages = max((self.total + per_page - 1) // per_page, 1)
        number = min(max(number, 1), pages)
        rows = self.rows((number - 1) * per_page, per_page)
        _details(rows, self.today, self.zone, now)
        return DuePage(rows, number, per_page, self.total, self.today, self.thresholds)

    def csv_rows(self, now: datetime) -> list[tuple]:
        """The whole due list in order, as the CSV's rows of plain figures (code,
        name, category, life's end, book value, repairs in 12 months, repairs to
        date, faults in 12 months, utilisation, replacement cost, reasons): the
        rows `page` gives, all of them. Those due only for their age, most of
        the list (16,000 of 27,000 at 100,000 assets), are worked out straight
        from their rows as `_judge` works out an Item's: by the same rules, with
        no repairs or faults in the window (with some, they are active due), and
        their utilisation read with them (`utilisation.columns`)."""
        read, today = self.read, self.today
        used = utilisation.columns(Period(rules.window_start(today), today), self.zone, now)
        assert used is not None  # today has begun
        owned = [(i.id, i.purchase_date, i.created_at, i.retired_at) for i in self.due_active]
        percent = _utilisation(owned, today, self.zone, now)
        rows = [
            (i.code, i.name, i.category, i.life_ends, i.book_cents, i.repair_12m_cents,
             i.repair_to_date_cents, i.faults_12m, percent.get(i.id, ""), i.replacement_cents,
             "; ".join(i.reasons))
            for i in self.due_active
        ]  # fmt: skip
        aged = _in_list_order(
            _past_life_query(today, self.left_out, (*_CSV_COLUMNS, used.whole, used.out_us))
        )
        said: dict[date | None, str] = {}  # the reasons, for each day a life ended
        partly: dict[int, int] = {}  # id -> its row, of those owned for part of the year
        partly_owned = []
        for row in raw_rows(aged):
            asset_id, code, name, category_id, bought, cost, ends, added, retired = row[:9]
            to_date, whole, out_us = row[9:]
            category, months, salvage, replace = read.category(category_id)
            ends = read.day(ends)
            book = book_on(cost, salvage, months, read.day(bought), today)
            reasons = said.get(ends)
            if reasons is None:
                reasons = said[ends] = "; ".join(self._reasons(ends))
            if whole:
                used_percent = used.percent(out_us)
            else:  # worked out below, as the page works it out
                used_percent = ""
                partly[asset_id] = len(rows)
                partly_owned.append((asset_id, bought, added, retired))
            rows.append(
                (code, name, category, ends, book, 0, to_date, 0, used_percent,
                 rules.replacement_cost(replace, cost), reasons)
            )  # fmt: skip
        for asset_id, figure in _utilisation(partly_owned, today, self.zone, now).items():
            at = partly[asset_id]
            rows[at] = (*rows[at][:8], figure, *rows[at][9:])  # the ninth: utilisation
        return rows

    def _reasons(self, life_ends: date | None) -> list[str]:
        """Why an item with no repairs or faults in the window is due (with no
        repairs, its book value plays no part)."""
        return rules.due_reasons(
            today=self.today,
            life_ends=life_ends,
            repair_cents=0,
            book_cents=None,
            faults=0,
            thresholds=self.thresholds,
            currency=self.currency,
        )

    def _past_life_rows(self, offset: int, limit: int | None) -> list[Item]:
        """`limit` None: all of them from `offset` on."""
        return [
            _judge(item, self.today, self.thresholds, self.currency)
            for item in _past_life(self.today, self.left_out, offset, limit, self.read)
        ]


def plan(
    today: date, zone: ZoneInfo, thresholds: rules.Thresholds, currency: str | None = None
) -> Plan:
    return Plan(today, zone, thresholds, currency)
