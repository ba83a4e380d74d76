"""Book value: straight-line depreciation as of a date.

    book value = cost − (cost − salvage) × min(1, months elapsed / useful life)

- cost: the asset's purchase cost; salvage: the category's salvage percentage
  of it (none set counts as 0 %); useful life: the category's, in months.
- months elapsed = days from the purchase date to the as-of date ÷ 30.4375
  (the average month, 365.25 ÷ 12), so value falls a little every day rather
  than in monthly steps. On the purchase date itself nothing has been lost.
- All of it is worked out exactly in whole numbers and rounded once, to whole
  cents, halves up; depreciation is cost minus that book value, so the two
  always add up to the cost.
- Every table's totals (category, department, all assets) add up the purchase
  cost of every asset in them that has one, depreciated or not, and the book
  values and depreciation of the depreciated ones (see Totals).
- Departments (register/teams_rules.py: the asset's own team, else its
  holder's, else "No team") are as they are now, whatever the as-of date.
- Assets bought after the as-of date (or, with no purchase date, added after
  it) and assets retired on or before it are left out. Assets with no cost,
  no purchase date, or no useful life on their category are listed as "not
  depreciated" with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from peewee import JOIN, Case, Value, fn

from ..database import is_sqlite
from ..models import Asset, Category, Team, User
from ..register.teams_rules import NO_TEAM, team_id_of, team_sql
from .common import LazyRows, as_date, local_midnight, raw_rows, tenths_text

# 30.4375 days = 487/16 of a day, so months = days × 16 / 487 exactly.
MONTH_NUM, MONTH_DEN = 16, 487


def months_elapsed_text(days: int) -> str:
    """days × 16 / 487 to one decimal, halves away from zero."""
    return tenths_text(days * MONTH_NUM, MONTH_DEN)


def book_value(cost_cents: int, salvage_percent: int, life_months: int, days: int) -> int:
    """Book value in whole cents after `days` days (see the module's rule)."""
    if days <= 0:
        return cost_cents
    if days * MONTH_NUM >= MONTH_DEN * life_months:  # useful life used up
        numerator, denominator = cost_cents * salvage_percent, 100
    else:
        denominator = 100 * MONTH_DEN * life_months
        lost = (100 - salvage_percent) * MONTH_NUM * days
        numerator = cost_cents * (denominator - lost)
    return (2 * numerator + denominator) // (2 * denominator)  # halves up; all >= 0


@dataclass(slots=True)
class Holding:
    code: str
    name: str
    category: str
    cost_cents: int | None
    purchase_date: date | None
    life_months: int | None
    salvage_percent: int
    days: int = 0
    book_cents: int | None = None
    reason: str = ""  # why it is not depreciated; "" when it is
    team_id: int | None = None  # its own team and who holds it, from which
    holder_id: int | None = None  # `Valuation.department_of` names its department

    @property
    def depreciation_cents(self) -> int | None:
        if self.book_cents is None or self.cost_cents is None:
            return None
        return self.cost_cents - self.book_cents

    @property
    def months(self) -> str:
        return months_elapsed_text(self.days) if self.book_cents is not None else ""


@dataclass
class Totals:
    """The sums of one row of totals (a category, a department, all assets), one
    rule for every table: *cost* (a department's *spend*) adds up the purchase
    cost of every asset in it that has one, depreciated or not, so each table's
    total is the same; depreciation and book value add up the depreciated ones
    (the others have none), and how many are not depreciated is shown."""

    name: str
    depreciated: int = 0
    not_depreciated: int = 0
    cost_cents: int = 0
    depreciation_cents: int = 0
    book_cents: int = 0

    @property
    def assets(self) -> int:
        return self.depreciated + self.not_depreciated

    @property
    def spend_cents(self) -> int:
        return self.cost_cents

    @property
    def depreciated_cost_cents(self) -> int:
        """What the depreciated ones cost: their book value and depreciation."""
        return self.book_cents + self.depreciation_cents

    @property
    def not_depreciated_cost_cents(self) -> int:
        """What the others cost (those that have a cost)."""
        return self.cost_cents - self.depreciated_cost_cents

    def add(self, holding: Holding, count: int = 1) -> None:
        """Add `count` assets alike to `holding` (same cost, date and category)."""
        self.cost_cents += (holding.cost_cents or 0) * count
        if holding.book_cents is None:
            self.not_depreciated += count
            return
        self.depreciated += count
        self.depreciation_cents += (holding.depreciation_cents or 0) * count
        self.book_cents += holding.book_cents * count


@dataclass
class Valuation:
    as_of: date
    holdings: Sequence[Holding] = field(default_factory=list)  # by category, then name
    categories: list[Totals] = field(default_factory=list)
    total: Totals = field(default_factory=lambda: Totals("All assets"))
    departments: list[Totals] = field(default_factory=list)  # "No team" last
    departments_total: Totals = field(default_factory=lambda: Totals("All assets"))
    departments_by_id: _Departments | None = field(default=None, repr=False)

    def department_of(self, h: Holding) -> str:
        """A holding's department's name ("" for none): its own team, else its
        holder's (register.teams_rules). Asked only when needed: the CSV's
        100,000 rows do not show it."""
        assert self.departments_by_id is not None
        return self.departments_by_id(h.team_id, h.holder_id)


def depreciable(
    cost_cents: int | None, purchase_date: date | None, life_months: int | None, salvage: int
) -> bool:
    """Whether the rule depreciates an asset: it has a cost, a purchase date, a
    useful life (its category's) and a salvage value of 0 to 100 %."""
    return (
        cost_cents is not None
        and purchase_date is not None
        and life_months is not None
        and life_months > 0
        and 0 <= salvage <= 100
    )


def _reason(h: Holding, has_category: bool) -> str:
    if has_category and depreciable(
        h.cost_cents, h.purchase_date, h.life_months, h.salvage_percent
    ):
        return ""  # the usual case, asked first: none of the reasons below
    reasons = []
    if h.cost_cents is None:
        reasons.append("no purchase cost")
    if h.purchase_date is None:
        reasons.append("no purchase date")
    if not has_category:
        reasons.append("no category, so no useful life")
    elif not h.life_months or h.life_months <= 0:
        reasons.append("its category has no useful life")
    if not 0 <= h.salvage_percent <= 100:
        reasons.append("its category's salvage value is not 0–100 %")
    text = "; ".join(reasons)
    return text[:1].upper() + text[1:]


def _held_on(as_of: date, day_after: datetime):
    """Assets the report counts: bought by `as_of` (or, with no purchase date, added
    by its end) and not retired on or before it."""
    return (Asset.retired_at.is_null() | (Asset.retired_at >= day_after)) & (
        (Asset.purchase_date <= as_of)
        | (Asset.purchase_date.is_null() & (Asset.created_at < day_after))
    )


def _valued(h: Holding, has_category: bool, as_of: date) -> Holding:
    h.reason = _reason(h, has_category)
    if not h.reason:
        assert h.purchase_date is not None and h.cost_cents is not None and h.life_months
        h.days = (as_of - h.purchase_date).days
        h.book_cents = book_value(h.cost_cents, h.salvage_percent, h.life_months, h.days)
    return h


class _Departments:
    """An asset's department's name from its own team and its holder (the rule:
    register.teams_rules.team_id_of), looked up here rather than per row in SQL."""

    def __init__(self) -> None:
        self.names = dict(Team.select(Team.id, Team.name).tuples())
        self.holder_teams = dict(User.select(User.id, User.team).tuples())

    def __call__(self, team_id: int | None, holder_id: int | None) -> str:
        holder_team = self.holder_teams.get(holder_id) if holder_id is not None else None
        return self.name(team_id_of(team_id, holder_team))

    def name(self, department_id: int | None) -> str:
        """The name of a department already worked out (as `team_sql` does)."""
        return self.names.get(department_id, "") if department_id is not None else ""


class _ByCategoryThenName(LazyRows[Holding]):
    """Every asset's holding, by category then name, read from the register only
    as far as a page or the CSV gets (a page of 100,000 makes 50 rows).

    `groups` are the categories in the list's order, as (ids, assets counted):
    categories whose names differ only in case share a group, and the assets
    with no category come last (ids None). A page reads only the groups it
    reaches, each along the (category, lower(name), id) index, so nothing sorts
    the whole register."""

    def __init__(self, as_of: date, day_after: datetime, groups: list[tuple[list | None, int]]):
        self.as_of, self.day_after, self.groups = as_of, day_after, groups
        self.total = sum(count for _ids, count in groups)

    def __len__(self) -> int:
        return self.total

    def _group(self, ids: list | None, offset: int, limit: int | None) -> Iterator[Holding]:
        in_group = Asset.category.is_null() if ids is None else Asset.category.in_(ids)
        query = (
            Asset.select(
                Asset.code,
                Asset.name,
                Asset.cost_cents,
                Asset.purchase_date,
                Category.id,
                Category.name,
                Category.useful_life_months,
                Category.salvage_percent,
                Asset.team,
                Asset.holder,
            )
            .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
            .where(in_group, _held_on(self.as_of, self.day_after))
            .order_by(fn.LOWER(Asset.name), Asset.id)
        )
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        as_of = self.as_of
        rows = raw_rows(query)
        for code, name, cost, bought, category_id, category, life, salvage, team, holder in rows:
            h = Holding(
                code,
                name,
                category or "",
                cost,
                as_date(bought),
                life,
                salvage or 0,
                team_id=team,
                holder_id=holder,
            )
            yield _valued(h, category_id is not None, as_of)

    def _rows(self, offset: int = 0, limit: int | None = None) -> Iterator[Holding]:
        for ids, count in self.groups:
            if offset >= count:  # the whole group is before the first row wanted
                offset -= count
                continue
            take = None if limit is None else min(limit, count - offset)
            yield from self._group(ids, offset, take)
            offset = 0
            if limit is not None:
                limit -= take or 0
                if limit <= 0:
                    return

    def __iter__(self) -> Iterator[Holding]:
        return self._rows()

    def _slice(self, first: int, stop: int) -> list[Holding]:
        return list(self._rows(first, stop - first))


def holdings_export(as_of: date, zone: ZoneInfo) -> Iterator[tuple]:
    """Every asset's holding for the CSV, in the list's order, as (code, name,
    category, purchase date, cost, useful life, salvage %, months elapsed, book
    value, why not depreciated): for an asset not depreciated the months are
    empty, the book value None, and the reason given.

    Read category by category along the (category, name) index, which carries
    these columns (models.py), without the report's sums: the CSV of 100,000
    assets is mostly this loop, so it works out by the same rules as `_valued`
    without a Holding per row, the category's part once per category and each
    purchase date's days once."""
    day_after = local_midnight(as_of + timedelta(days=1), zone)
    categories = {
        row[0]: row
        for row in Category.select(
            Category.id, Category.name, Category.useful_life_months, Category.salvage_percent
        ).tuples()
    }
    every = {category_id: 1 for category_id in categories} | {None: 1}
    elapsed: dict = {}  # purchase date -> (days to as_of, months text): dates repeat
    for ids, _count in _in_list_order(every):
        in_group = Asset.category.is_null() if ids is None else Asset.category.in_(ids)
        query = (
            Asset.select(
                Asset.code, Asset.name, Asset.cost_cents, Asset.purchase_date, Asset.category
            )
            .where(in_group, _held_on(as_of, day_after))
            .order_by(fn.LOWER(Asset.name), Asset.id)
        )
        current: object = ...  # the category of the row before
        for code, name, cost, bought, category_id in raw_rows(query):
            if category_id != current:
                current = category_id
                _id, category, life, salvage = categories.get(category_id) or (None, "", None, 0)
                salvage = salvage or 0
                # _reason's usual case, as far as the category goes
                usual = category_id is not None and life and life > 0 and 0 <= salvage <= 100
            if usual and cost is not None and bought is not None:
                since = elapsed.get(bought)
                if since is None:
                    days = (as_of - as_date(bought)).days
                    since = elapsed[bought] = (days, months_elapsed_text(days))
                book = book_value(cost, salvage, life, since[0])
                yield code, name, category, bought, cost, life, salvage, since[1], book, ""
            else:
                h = _valued(
                    Holding(code, name, category, cost, as_date(bought), life, salvage),
                    category_id is not None,
                    as_of,
                )
                yield (code, name, category, bought, cost, life, salvage, h.months,
                       h.book_cents, h.reason)  # fmt: skip


# Book values worked out in SQL stay exact in 64-bit integers for costs from 0
# up to below this (the few above it, and negative costs typed around the
# forms, are worked out in Python).
SQL_EXACT_BELOW = 10**11


def book_sql(as_of: date):
    """`book_value` as a SQL expression on an asset row joined to its category:
    the same whole-number rule (all terms are >= 0, so SQL's integer division
    is the floor), for assets `_reason` finds nothing against whose cost is
    from 0 up to below SQL_EXACT_BELOW."""
    if is_sqlite():
        days = (fn.julianday(as_of.isoformat()) - fn.julianday(Asset.purchase_date)).cast("INTEGER")
    else:
        days = Value(as_of).cast("DATE") - Asset.purchase_date
    cost = Asset.cost_cents.cast("BIGINT")
    life = Category.useful_life_months
    salvage = fn.COALESCE(Category.salvage_percent, 0)
    denominator = 100 * MONTH_DEN * life
    lost = (100 - salvage) * MONTH_NUM * days
    return Case(
        None,
        [
            (days <= 0, cost),
            (days * MONTH_NUM >= MONTH_DEN * life, (2 * cost * salvage + 100) / 200),
        ],
        (2 * cost * (denominator - lost) + denominator) / (2 * denominator),
    )


def exact_in_sql():
    """Assets whose book value `book_sql` works out exactly."""
    return (Asset.cost_cents >= 0) & (Asset.cost_cents < SQL_EXACT_BELOW)


def depreciated_sql():
    """`depreciable` (and in a category) as a condition on an asset row joined to
    its category: the assets `_reason` finds nothing against."""
    salvage = fn.COALESCE(Category.salvage_percent, 0)
    return (
        Asset.cost_cents.is_null(False)
        & Asset.purchase_date.is_null(False)
        & Category.id.is_null(False)
        & (Category.useful_life_months > 0)
        & (salvage >= 0)
        & (salvage <= 100)
    )


def _in_list_order(counted: dict[int | None, int]) -> list[tuple[list | None, int]]:
    """The categories with assets in the list, in its order (by name ignoring case,
    "No category" last), as (category ids, assets): one group per name."""
    names = dict(Category.select(Category.id, Category.name).tuples())
    by_name: dict[str, tuple[list, int]] = {}
    for category_id, n in counted.items():
        if category_id is not None:
            key = names.get(category_id, "").lower()
            ids, total = by_name.get(key, ([], 0))
            by_name[key] = ([*ids, category_id], total + n)
    groups: list[tuple[list | None, int]] = [by_name[key] for key in sorted(by_name)]
    if counted.get(None):
        groups.append((None, counted[None]))
    return groups


def valuation(as_of: date, zone: ZoneInfo) -> Valuation:
    """Book value per asset and totals per category, as of the end of `as_of`.

    The totals come from one grouped query (per category and department) that
    works out each asset's book value in SQL by `book_value`'s rule; the
    per-asset list is read a page at a time (`_ByCategoryThenName`)."""
    day_after = local_midnight(as_of + timedelta(days=1), zone)
    depreciated = depreciated_sql()
    summed = depreciated & exact_in_sql()
    query = (
        Asset.select(
            Category.id,
            Category.name,
            team_sql(),
            fn.COUNT(Asset.id),
            fn.SUM(Asset.cost_cents),
            fn.SUM(Case(None, [(depreciated, 1)], 0)),
            fn.SUM(Case(None, [(summed, Asset.cost_cents)], 0)),
            fn.SUM(Case(None, [(summed, book_sql(as_of))], 0)),
            fn.SUM(Case(None, [(summed, 1)], 0)),
        )
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(_held_on(as_of, day_after))
        .group_by(Category.id, Category.name, team_sql())
    )
    department_of = _Departments()
    report = Valuation(as_of, departments_by_id=department_of)
    groups: dict[str, Totals] = {}
    departments: dict[str, Totals] = {}
    counted: dict[int | None, int] = {}  # assets per category id

    def add(category: str, department: str, sums: Totals) -> None:
        each = (
            groups.setdefault(category, Totals(category or "No category")),
            report.total,
            departments.setdefault(department, Totals(department or NO_TEAM)),
            report.departments_total,
        )
        for totals in each:
            totals.cost_cents += sums.cost_cents
            totals.depreciated += sums.depreciated
            totals.not_depreciated += sums.not_depreciated
            totals.depreciation_cents += sums.depreciation_cents
            totals.book_cents += sums.book_cents

    unsummed = 0  # depreciated, but too big (or negative) to sum in SQL
    for category_id, category, team_id, n, cost, dep, dep_cost, book, in_sql in raw_rows(query):
        department = department_of.name(team_id)
        book = int(book or 0)
        sums = Totals(
            "", int(dep or 0), n - int(dep or 0), int(cost or 0), int(dep_cost or 0) - book, book
        )
        add(category or "", department, sums)
        counted[category_id] = counted.get(category_id, 0) + n
        unsummed += int(dep or 0) - int(in_sql or 0)
    # The few too big (or negative) to sum in SQL, if any: one by one, as the list does.
    if unsummed:
        rest = (
            Asset.select(
                Category.name,
                Asset.team,
                Asset.holder,
                Asset.cost_cents,
                Asset.purchase_date,
                Category.useful_life_months,
                Category.salvage_percent,
            )
            .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
            .where(_held_on(as_of, day_after) & depreciated & ~summed)
        )
        for category, team_id, holder_id, cost, bought, life, salvage in raw_rows(rest):
            h = Holding("", "", category, cost, as_date(bought), life, salvage or 0)
            h = _valued(h, True, as_of)
            sums = Totals("", 0, 0, 0, h.depreciation_cents or 0, h.book_cents or 0)  # counted
            add(category, department_of(team_id, holder_id), sums)
    report.holdings = _ByCategoryThenName(as_of, day_after, _in_list_order(counted))
    report.departments = [
        departments[key] for key in sorted(departments, key=lambda k: (k == "", k.lower()))
    ]
    report.categories = [groups[key] for key in sorted(groups, key=lambda k: (k == "", k.lower()))]
    return report
