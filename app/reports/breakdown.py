"""Assets by location, category or holder: how many are in service (and how many
of those are missing), what they cost, how many have no cost, how many are
retired. One grouped query each."""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import SQL, Case, fn

from ..errors import Invalid
from ..models import Asset, Category, Team, User
from ..register import places
from ..register.rules import MISSING, in_service_sql
from ..register.teams_rules import NO_TEAM, team_sql

GROUPINGS = {"location": "Location", "category": "Category", "holder": "Holder", "team": "Team"}


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
    missing: int = 0  # in-service ones marked missing: in service until retired

    def add(self, other: Group) -> None:
        self.in_service += other.in_service
        self.retired += other.retired
        self.cost_cents += other.cost_cents
        self.no_cost += other.no_cost
        self.missing += other.missing


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
            fn.SUM(Case(None, [(Asset.status == MISSING, 1)], 0)).alias("missing"),
        )
        .group_by(SQL("1"))  # the key: an expression (the team's) is not repeated
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
            missing=int(m or 0),
        )
        for key, n, r, c, nc, m in query
    }


def breakdown(by: str) -> Breakdown:
    """Counts and purchase cost per location (sub-locations included), category,
    holder or team (the department, register.teams_rules)."""
    if by not in GROUPINGS:
        raise Invalid({"by": "Choose location, category, holder or team."})
    column = {
        "location": Asset.location,
        "category": Asset.category,
        "holder": Asset.holder,
        "team": team_sql(),
    }[by]
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
    elif by == "team":
        result.groups = _named(sums, dict(Team.select(Team.id, Team.name).tuples()))
        unplaced = NO_TEAM
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
        seen: set[int] = set()  # each place once: a cycle in a damaged tree must not hang
        while key is not None and key in rows and key not in seen:
            seen.add(key)
            rows[key].add(own)
            key = parents.get(key)
    return [rows[loc.id] for loc, _depth in tree if rows[loc.id].in_service + rows[loc.id].retired]


# Rows straight from the driver ------------------------------------------------------
