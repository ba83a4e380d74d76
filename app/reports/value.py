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

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from peewee import JOIN, fn

from ..models import Asset, Category, Team
from ..register.teams_rules import NO_TEAM, team_sql
from .common import as_date, local_midnight, one_decimal, raw_rows

# 30.4375 days = 487/16 of a day, so months = days × 16 / 487 exactly.
MONTH_NUM, MONTH_DEN = 16, 487


def months_elapsed_text(days: int) -> str:
    return one_decimal(Decimal(days * MONTH_NUM) / MONTH_DEN)


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


@dataclass
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
    team: str = ""  # its department's name (register.teams_rules); "" for none

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

    def add(self, holding: Holding) -> None:
        self.cost_cents += holding.cost_cents or 0
        if holding.book_cents is None:
            self.not_depreciated += 1
            return
        self.depreciated += 1
        self.depreciation_cents += holding.depreciation_cents or 0
        self.book_cents += holding.book_cents


@dataclass
class Valuation:
    as_of: date
    holdings: list[Holding] = field(default_factory=list)  # by category, then name
    categories: list[Totals] = field(default_factory=list)
    total: Totals = field(default_factory=lambda: Totals("All assets"))
    departments: list[Totals] = field(default_factory=list)  # "No team" last
    departments_total: Totals = field(default_factory=lambda: Totals("All assets"))


def _reason(h: Holding, has_category: bool) -> str:
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


def valuation(as_of: date, zone: ZoneInfo) -> Valuation:
    """Book value per asset and totals per category, as of the end of `as_of`."""
    day_after = local_midnight(as_of + timedelta(days=1), zone)
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
            Team.name,
        )
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .switch(Asset)
        .join(Team, JOIN.LEFT_OUTER, on=(Team.id == team_sql()))
        .where(
            (Asset.retired_at.is_null() | (Asset.retired_at >= day_after))
            & (
                (Asset.purchase_date <= as_of)
                | (Asset.purchase_date.is_null() & (Asset.created_at < day_after))
            )
        )
        .order_by(Category.name.is_null(), fn.LOWER(Category.name), fn.LOWER(Asset.name), Asset.id)
    )
    report = Valuation(as_of)
    groups: dict[str, Totals] = {}
    departments: dict[str, Totals] = {}
    for code, name, cost, bought, category_id, category, life, salvage, team in raw_rows(query):
        bought = as_date(bought)
        h = Holding(code, name, category or "", cost, bought, life, salvage or 0, team=team or "")
        h.reason = _reason(h, category_id is not None)
        if not h.reason:
            h.days = (as_of - bought).days
            h.book_cents = book_value(cost, h.salvage_percent, life, h.days)
        report.holdings.append(h)
        groups.setdefault(h.category, Totals(category or "No category")).add(h)
        report.total.add(h)
        departments.setdefault(h.team, Totals(team or NO_TEAM)).add(h)
        report.departments_total.add(h)
    report.departments = [
        departments[key] for key in sorted(departments, key=lambda k: (k == "", k.lower()))
    ]
    report.categories = [groups[key] for key in sorted(groups, key=lambda k: (k == "", k.lower()))]
    return report
