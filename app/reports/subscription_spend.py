"""Subscription spend: what the subscriptions running today cost per month and
per year (the monthly and yearly equivalents of each one's cost, as
subscriptions.rules works them out), by team and by vendor.

A subscription's team is its owner team, else its owner's team, else "No
team". Both tables add up the same rounded figures of the same
subscriptions, so their totals agree. Each table is one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import JOIN, SQL, Case, fn

from ..models import Subscription, Team, User, Vendor
from ..register.teams_rules import NO_TEAM
from ..subscriptions import rules


@dataclass
class Line:
    """One team's or vendor's running subscriptions, or the total."""

    name: str
    subscriptions: int = 0
    without_cost: int = 0  # running, but no cost recorded
    month_cents: int = 0
    year_cents: int = 0


@dataclass
class Spend:
    today: date
    teams: list[Line]
    vendors: list[Line]
    total: Line


def _figures(query, name_column) -> list[Line]:
    query = query.select(
        name_column.alias("name"),
        fn.COUNT(SQL("*")).alias("n"),
        fn.SUM(Case(None, [(Subscription.cost_cents.is_null(), 1)], 0)).alias("nc"),
        fn.SUM(rules.cost_per_month_sql()).alias("month"),
        fn.SUM(rules.cost_per_year_sql()).alias("year"),
    )
    return [
        Line(name or NO_TEAM, n, int(nc or 0), int(month or 0), int(year or 0))
        for name, n, nc, month, year in query.tuples()
    ]


def _ordered(lines: list[Line], last: str | None = None) -> list[Line]:
    """Costliest a year first, then by name; `last` (No team) at the end."""
    return sorted(lines, key=lambda x: (x.name == last, -x.year_cents, x.name.lower()))


def spend(today: date) -> Spend:
    """Running subscriptions' cost per month and per year, by team and by vendor."""
    owner = User.alias("owner")
    team_id = fn.COALESCE(Subscription.owner_team, owner.team)
    by_team = (
        Subscription.select()
        .join(owner, JOIN.LEFT_OUTER, on=(Subscription.owner == owner.id))
        .join(Team, JOIN.LEFT_OUTER, on=(Team.id == team_id))
        .where(rules.running_sql(today))
        .group_by(Team.id, Team.name)
    )
    by_vendor = (
        Subscription.select()
        .join(Vendor)
        .where(rules.running_sql(today))
        .group_by(Vendor.id, Vendor.name)
    )
    teams = _ordered(_figures(by_team, Team.name), last=NO_TEAM)
    vendors = _ordered(_figures(by_vendor, Vendor.name))
    total = Line(
        "Total",
        sum(x.subscriptions for x in teams),
        sum(x.without_cost for x in teams),
        sum(x.month_cents for x in teams),
        sum(x.year_cents for x in teams),
    )
    return Spend(today, teams, vendors, total)
