"""What comes due by the end of next quarter, by name: the items in service whose
useful life ends after today and by the end of the next calendar quarter (the
rest of this quarter, then the next), so an owner can budget for them and every
item Home's "due this quarter" counts is named on the plan. (Items due for
another reason are due now, on the plan's due list.) One query on the
(life_ends_on, status, ...) index, at most a page of rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import JOIN, fn

from ..models import Asset, Category, Team
from ..register.teams_rules import team_sql
from . import rules

SHOWN = 50


@dataclass(frozen=True)
class ComingItem:
    code: str
    name: str
    category: str
    team: str
    life_ends: date
    replacement_cents: int | None

    @property
    def reason(self) -> str:
        return rules.coming_reason(self.life_ends)


@dataclass(frozen=True)
class Coming:
    quarter: rules.Quarter  # the next one: the list runs to its last day
    rows: list[ComingItem]  # the first SHOWN, soonest first
    total: int
    cost_cents: int
    no_cost: int


def by_next_quarter_end(today: date, shown: int = SHOWN) -> Coming:
    quarter = rules.quarter_of(today).next()
    where = (
        (Asset.life_ends_on > today)
        & (Asset.life_ends_on <= quarter.last_day)
        & rules.in_service_sql()
    )
    cost = fn.COALESCE(Category.replacement_cost_cents, Asset.cost_cents)
    rows = (
        Asset.select(Asset.code, Asset.name, Category.name, Team.name, Asset.life_ends_on, cost)
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .switch(Asset)
        .join(Team, JOIN.LEFT_OUTER, on=(Team.id == team_sql()))
        .where(where)
        .order_by(Asset.life_ends_on, fn.LOWER(Asset.name), Asset.id)
        .limit(shown)
    )
    totals = (
        Asset.select(fn.COUNT(Asset.id), fn.SUM(cost), fn.COUNT(Asset.id) - fn.COUNT(cost))
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(where)
    )
    total, cost_cents, no_cost = totals.tuples().get()
    return Coming(
        quarter,
        [
            ComingItem(code, name, category or "", team or "", _day(ends), replace)
            for code, name, category, team, ends, replace in rows.tuples()
        ],
        total or 0,
        cost_cents or 0,
        no_cost or 0,
    )


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
