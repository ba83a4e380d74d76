"""The replacement plan: which assets in service are due for replacement, why,
and what each has cost to keep (rules.py has every rule).

The due set is the union of three small sets, none of which reads every
asset: past their useful life (`life_ends_on <= today`, along the
(life_ends_on, status, ...) index, which carries the cost); repairs and
services in the last 12 months (events along the (kind, asset, at) index);
faults reported in the last 12 months. The
last two are the *active* assets, read with their details in one query and
judged in Python; the rest of the due list (past their life, nothing in 12
months) is paged in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from peewee import JOIN, SQL, Case, fn

from ..models import Asset, Category, Event, Fault
from ..register.teams_rules import team_sql
from ..reports import utilisation
from ..reports.common import Period, as_date, id_list, local_midnight, raw_rows
from ..reports.maintenance_costs import KINDS, cost_of
from ..reports.value import book_value
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
    """Book value today as the value report works it out; an asset it does not
    depreciate (no purchase date or useful life) counts at its purchase cost."""
    if item.cost_cents is None:
        return None
    months, salvage = item.life_months, item.salvage_percent
    if item.purchase_date is None or not months or months <= 0 or not 0 <= salvage <= 100:
        return item.cost_cents
    return book_value(item.cost_cents, salvage, months, (today - item.purchase_date).days)


def window(today: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The last 12 months as naive UTC bounds: the 365 days up to and including today."""
    start = today - timedelta(days=rules.WINDOW_DAYS - 1)
    return local_midnight(start, zone), local_midnight(today + timedelta(days=1), zone)


_COLUMNS = (
    Asset.id,
    Asset.code,
    Asset.name,
    Asset.category,
    Category.name,
    team_sql(),
    Asset.purchase_date,
    Asset.cost_cents,
    Asset.life_ends_on,
    Category.useful_life_months,
    Category.salvage_percent,
    Category.replacement_cost_cents,
    Asset.created_at,
    Asset.retired_at,
)


def _item(row) -> Item:
    (aid, code, name, cat_id, cat, team, bought, cost, ends, months, salvage, replace) = row[:12]
    return Item(
        aid,
        code,
        name,
        cat_id,
        cat or "",
        team,
        as_date(bought) if bought else None,
        cost,
        as_date(ends) if ends else None,
        months,
        salvage or 0,
        rules.replacement_cost(replace, cost),
        created_at=row[12],
        retired_at=row[13],
    )


def _judge(item: Item, today: date, thresholds: rules.Thresholds, currency: str | None) -> Item:
    item.book_cents = book_now(item, today)
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


def active(
    today: date,
    zone: ZoneInfo,
    thresholds: rules.Thresholds,
    currency: str | None,
    *,
    life_after: date | None = None,
) -> list[Item]:
    """Assets in service with repairs that cost something or faults in the last
    12 months, judged, in one query. `life_after`: only those whose life ends
    after that day (or never), which the caller has counted already."""
    start, end = window(today, zone)
    events = Event.select(Event.asset.alias("asset_id"), Event.data, SQL("0").alias("fault")).where(
        Event.at >= start, Event.at < end, Event.kind.in_(list(KINDS))
    )
    faults = Fault.select(Fault.asset.alias("asset_id"), SQL("NULL"), SQL("1")).where(
        Fault.reported_at >= start, Fault.reported_at < end
    )
    act = events.union_all(faults).alias("act")
    query = (
        Asset.select(*_COLUMNS, act.c.data, act.c.fault)
        .join(act, on=(act.c.asset_id == Asset.id))
        .switch(Asset)
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(rules.in_service_sql())
    )
    if life_after is not None:
        query = query.where(Asset.life_ends_on.is_null() | (Asset.life_ends_on > life_after))
    items: dict[int, Item] = {}
    for row in query.tuples():
        item = items.get(row[0]) or items.setdefault(row[0], _item(row))
        data, fault = row[14], row[15]
        if int(fault):
            item.faults_12m += 1
        else:
            cost = cost_of(Event.data.python_value(data) if isinstance(data, str) else data)
            item.repair_12m_cents += cost or 0
    return [
        _judge(item, today, thresholds, currency)
        for item in items.values()
        if item.repair_12m_cents > 0 or item.faults_12m > 0
    ]


def _past_life_query(today: date, leave_out: list[int]):
    """Assets in service past their useful life, except those judged as active."""
    query = (
        Asset.select(*_COLUMNS)
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(Asset.life_ends_on <= today, rules.in_service_sql())
    )
    if leave_out:
        query = query.where(Asset.id.not_in(id_list(leave_out)))
    return query


def _replacement_sql():
    return fn.COALESCE(Category.replacement_cost_cents, Asset.cost_cents)


def _past_life(today: date, leave_out: list[int], offset: int, limit: int) -> list[Item]:
    cost = _replacement_sql()
    query = (
        _past_life_query(today, leave_out)
        .order_by(Case(None, [(cost.is_null(), 1)], 0), cost.desc(), fn.LOWER(Asset.name), Asset.id)
        .offset(offset)
        .limit(limit)
    )
    return [_item(row) for row in raw_rows(query)]  # _item converts what it needs


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


def _details(items: list[Item], today: date, zone: ZoneInfo, now: datetime) -> None:
    """Repairs to date and utilisation over the last 365 days, for a page of rows."""
    if not items:
        return
    ids = [item.id for item in items]
    spent: dict[int, int] = {}
    for asset_id, data in (
        Event.select(Event.asset, Event.data)
        .where(Event.asset.in_(id_list(ids)), Event.kind.in_(list(KINDS)))
        .tuples()
    ):
        spent[asset_id] = spent.get(asset_id, 0) + (cost_of(data) or 0)
    period = Period(today - timedelta(days=rules.WINDOW_DAYS - 1), today)
    owned = [(i.id, i.purchase_date, i.created_at, i.retired_at) for i in items]
    percent = utilisation.percent_for(owned, period, zone, now)
    for item in items:
        item.repair_to_date_cents = spent.get(item.id, 0)
        item.utilisation = percent.get(item.id, "")


class Plan:
    """The due list for one day and the settings in force."""

    def __init__(
        self, today: date, zone: ZoneInfo, thresholds: rules.Thresholds, currency: str | None
    ):
        self.today, self.zone, self.thresholds = today, zone, thresholds
        everyone = active(today, zone, thresholds, currency)
        self.active = everyone  # the forecast reuses them rather than read them again
        self.active_ids = sorted(item.id for item in everyone)
        self.due_active = sorted((i for i in everyone if i.reasons), key=lambda i: i.sort_key)
        self.past_life = (
            _past_life_query(self.today, self.active_ids).select(fn.COUNT(Asset.id)).scalar() or 0
        )
        self.currency = currency

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

    def every_row(self, now: datetime, chunk: int = 5000) -> list[Item]:
        """The whole due list in order (the CSV): the past-life rows in one sorted
        query, their figures read a chunk of ids at a time in id order, so each
        chunk's rows and spells sit together on disk (in the list's order they
        are scattered over the whole table)."""
        rows = self.due_active + self._past_life_rows(0, self.past_life)
        by_id = sorted(rows, key=lambda item: item.id)
        for first in range(0, len(by_id), chunk):
            _details(by_id[first : first + chunk], self.today, self.zone, now)
        return rows

    def _past_life_rows(self, offset: int, limit: int) -> list[Item]:
        return [
            _judge(item, self.today, self.thresholds, self.currency)
            for item in _past_life(self.today, self.active_ids, offset, limit)
        ]


def plan(
    today: date, zone: ZoneInfo, thresholds: rules.Thresholds, currency: str | None = None
) -> Plan:
    return Plan(today, zone, thresholds, currency)
