"""The forecast: for the current calendar quarter and the seven after it, how
many items come due for replacement and what replacing them costs, by
category and by team (register.teams_rules). An item already due counts in
the current quarter; any other in the quarter its useful life ends.

One GROUP BY (by day, category and team) counts the items whose life ends by
the last quarter's end from the (life_ends_on, status, category, team,
holder, cost) index alone, as do Home's counts; each day's quarter and each
category's replacement cost (rules.py) are applied per group. The active ones
due for another reason (plan.active_due: repairs or faults in the last 12
months) move to the current quarter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from peewee import JOIN, fn

from ..models import Asset, Category, Team
from ..register.teams_rules import NO_TEAM, team_sql
from ..reports.common import as_date, raw_rows
from . import rules
from .plan import Item, active_due

NO_CATEGORY = "No category"


@dataclass
class Cell:
    items: int = 0
    cost_cents: int = 0
    no_cost: int = 0  # items counted without a replacement cost

    def add(self, items: int, cost_cents: int, no_cost: int) -> None:
        self.items += items
        self.cost_cents += cost_cents
        self.no_cost += no_cost


@dataclass
class Line:
    name: str
    cells: list[Cell]

    @property
    def items(self) -> int:
        return sum(c.items for c in self.cells)

    @property
    def cost_cents(self) -> int:
        return sum(c.cost_cents for c in self.cells)

    @property
    def no_cost(self) -> int:
        return sum(c.no_cost for c in self.cells)


@dataclass
class Forecast:
    quarters: list[rules.Quarter]
    total: Line
    categories: list[Line] = field(default_factory=list)  # by name, "No category" last
    teams: list[Line] = field(default_factory=list)  # by name, "No team" last


def counted_by_life(today: date):
    """In service, life ending by the end of this quarter: count, cost and
    items without a cost, as scalar subqueries (Home's card adds them to its
    counting query)."""
    last = rules.quarter_of(today).last_day
    cost = fn.COALESCE(Category.replacement_cost_cents, Asset.cost_cents)

    def part(expression):
        return (
            Asset.select(expression)
            .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
            .where(Asset.life_ends_on <= last, rules.in_service_sql())
        )

    return {
        "replace_items": part(fn.COUNT(Asset.id)),
        "replace_cost": part(fn.SUM(cost)),
        "replace_no_cost": part(fn.COUNT(Asset.id) - fn.COUNT(cost)),
    }


@dataclass
class ThisQuarter:
    items: int
    cost_cents: int
    no_cost: int
    quarter: rules.Quarter


def this_quarter(
    today: date,
    zone: ZoneInfo,
    thresholds: rules.Thresholds,
    counted: dict[str, int],
) -> ThisQuarter:
    """Due for replacement this quarter: what `counted_by_life` counted, plus the
    active items due for another reason whose life ends later (one query)."""
    quarter = rules.quarter_of(today)
    cell = Cell(
        counted.get("replace_items") or 0,
        counted.get("replace_cost") or 0,
        counted.get("replace_no_cost") or 0,
    )
    for item in active_due(today, zone, thresholds, None, life_after=quarter.last_day):
        if item.reasons:
            cost = item.replacement_cents
            cell.add(1, cost or 0, 1 if cost is None else 0)
    return ThisQuarter(cell.items, cell.cost_cents, cell.no_cost, quarter)


def forecast(
    today: date,
    zone: ZoneInfo,
    thresholds: rules.Thresholds,
    active_items: list[Item] | None = None,
) -> Forecast:
    """`active_items`: plan.active_due's for the same day and thresholds, when the
    caller has them already."""
    quarters = rules.forecast_quarters(today)
    count = len(quarters)
    team = team_sql()
    # Grouped by day, category and team from the (life_ends_on, status, category,
    # team, holder, cost) index alone: neither a quarter's CASE nor a category row
    # per item. Each group's quarter and its category's replacement cost are
    # applied below, a few thousand groups rather than 80,000 items.
    query = (
        Asset.select(
            Asset.life_ends_on,
            Asset.category,
            team,
            fn.COUNT(Asset.id),
            fn.SUM(Asset.cost_cents),
            fn.COUNT(Asset.cost_cents),
        )
        .where(Asset.life_ends_on <= quarters[-1].last_day, rules.in_service_sql())
        .group_by(Asset.life_ends_on, Asset.category, team)
    )
    categories = {
        cid: (name, replace)
        for cid, name, replace in Category.select(
            Category.id, Category.name, Category.replacement_cost_cents
        ).tuples()
    }
    cells: dict[tuple[int, int | None, int | None], Cell] = {}

    def cell(index: int, category: int | None, team_id: int | None) -> Cell:
        return cells.setdefault((index, category, team_id), Cell())

    quarter_of_day: dict = {}  # a few hundred days among the groups
    for day, category, team_id, items, summed, costed in raw_rows(query):
        index = quarter_of_day.get(day)
        if index is None:
            index = quarter_of_day[day] = rules.quarter_index(quarters, as_date(day), False)
        assert index is not None  # the query stops at the last quarter's end
        each = categories[category][1] if category in categories else None
        cost, no_cost = rules.replacement_total(each, items, summed, costed)
        cell(index, category, team_id).add(items, cost, no_cost)
    # Active items due now for another reason come due this quarter instead.
    if active_items is None:
        active_items = active_due(today, zone, thresholds, None, life_after=quarters[0].last_day)
    for item in active_items:
        if not item.reasons or (item.life_ends and item.life_ends <= quarters[0].last_day):
            continue  # not due, or counted this quarter by its life already
        cost, no_cost = item.replacement_cents or 0, 1 if item.replacement_cents is None else 0
        moved_from = rules.quarter_index(quarters, item.life_ends, False)
        if moved_from is not None:
            cell(moved_from, item.category_id, item.team_id).add(-1, -cost, -no_cost)
        cell(0, item.category_id, item.team_id).add(1, cost, no_cost)
    return _lines(quarters, count, cells, {cid: name for cid, (name, _) in categories.items()})


def _lines(quarters, count: int, cells: dict, category_names: dict[int, str]) -> Forecast:
    team_ids = {t for (_, _, t) in cells if t is not None}
    team_names: dict[int, str] = {}
    if team_ids:
        team_names = dict(
            Team.select(Team.id, Team.name).where(Team.id.in_(list(team_ids))).tuples()
        )
    total = Line("All items", [Cell() for _ in range(count)])
    by_category: dict[int | None, Line] = {}
    by_team: dict[int | None, Line] = {}
    for (index, category, team_id), value in cells.items():
        for line in (
            total,
            by_category.setdefault(
                category,
                Line(category_names.get(category, NO_CATEGORY), [Cell() for _ in range(count)]),
            ),
            by_team.setdefault(
                team_id, Line(team_names.get(team_id, NO_TEAM), [Cell() for _ in range(count)])
            ),
        ):
            line.cells[index].add(value.items, value.cost_cents, value.no_cost)

    def ordered(lines: dict) -> list[Line]:
        return [
            line
            for key, line in sorted(
                lines.items(), key=lambda kv: (kv[0] is None, kv[1].name.lower())
            )
            if line.items
        ]

    return Forecast(quarters, total, ordered(by_category), ordered(by_team))
