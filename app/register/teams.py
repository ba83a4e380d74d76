"""Teams (departments): list, add, rename, remove an unused one, and what a
team's page shows. Which team an asset counts under is teams_rules.py's."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, SQL, IntegrityError, Value, fn

from ..database import write
from ..errors import Invalid, NotFound, Refused
from ..models import Asset, Team, User
from . import events
from .teams_rules import TAKEN, check_name, in_team_sql


@dataclass(frozen=True, slots=True)
class Listed:
    """A team as the list shows it."""

    id: int
    name: str
    people: int
    kept: int


def teams() -> list[Listed]:
    """Every team by name, with how many people it has and how many assets it keeps."""
    people = User.select(fn.COUNT(User.id)).where(User.team == Team.id)
    kept = Asset.select(fn.COUNT(Asset.id)).where(Asset.team == Team.id)
    query = Team.select(Team.id, Team.name, people, kept).order_by(fn.LOWER(Team.name), Team.id)
    return [Listed(*row) for row in query.tuples()]


def options() -> list[tuple[int, str]]:
    """(id, name) of every team, by name: the choices of a Team select."""
    return list(Team.select(Team.id, Team.name).order_by(fn.LOWER(Team.name), Team.id).tuples())


def holders_and_teams() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The register's "held by" and "team" choices, in one statement: (id, name)
    of everyone who holds something now, by name, and of every team, by name.
    One query rather than two keeps the register's page within its budget."""
    held = User.select(User.id, User.name, Value(0).alias("kind")).where(
        User.id.in_(Asset.select(Asset.holder))
    )
    both = (held | Team.select(Team.id, Team.name, Value(1))).order_by(SQL("3"), SQL("2"))
    holders: list[tuple[int, str]] = []
    teams: list[tuple[int, str]] = []
    for id_, name, kind in both.tuples():
        (teams if kind else holders).append((id_, name))
    return holders, sorted(teams, key=lambda t: (t[1].lower(), t[0]))


def get_team(team_id: int) -> Team | None:
    return Team.get_or_none(Team.id == team_id)


def check_team_id(team_id: int | None, field: str = "team") -> Team | None:
    """The team a form chose (None for none); Invalid when it does not exist.
    Call inside write(), so it cannot vanish before the row pointing to it is saved."""
    if team_id is None:
        return None
    team = Team.get_or_none(Team.id == team_id)
    if team is None:
        raise Invalid({field: "That team does not exist."})
    return team


def by_name(name: str) -> Team | None:
    """The team called `name`, case ignored (as the unique index compares)."""
    return Team.get_or_none(fn.LOWER(Team.name) == fn.LOWER(" ".join(name.split())))


def save_team(name: str, team_id: int | None = None, *, actor: User | None = None) -> Team:
    """Add a team, or rename one (recording an asset-less `edited` event). Names
    are unique ignoring case; a name taken meanwhile by someone else (the unique
    index) is the same form error, never a crash."""
    name = check_name(name)
    try:
        with write():
            clash = Team.select().where(fn.LOWER(Team.name) == fn.LOWER(name))
            if team_id is not None:
                clash = clash.where(Team.id != team_id)
            if clash.exists():
                raise Invalid({"name": TAKEN})
            if team_id is None:
                return Team.create(name=name)
            team = Team.get_or_none(Team.id == team_id)
            if team is None:
                raise NotFound("No such team.")
            if team.name != name:
                before, team.name = team.name, name
                team.save()
                events.record(
                    "edited", actor=actor, note=f"Team: {name}", data={"name": [before, name]}
                )
            return team
    except IntegrityError as exc:
        raise Invalid({"name": TAKEN}) from exc


def remove_team(team_id: int) -> str:
    """Remove a team nobody belongs to and that keeps nothing; returns its name.
    A team in use is refused with what still uses it."""
    with write():
        team = Team.get_or_none(Team.id == team_id)
        if team is None:
            raise NotFound("No such team.")
        people = User.select().where(User.team == team.id).count()
        kept = Asset.select().where(Asset.team == team.id).count()
        if people or kept:
            uses = []
            if people:
                uses.append(f"{people} {'person' if people == 1 else 'people'}")
            if kept:
                uses.append(f"{kept} asset{'' if kept == 1 else 's'}")
            raise Refused(
                f"{team.name} still has {' and '.join(uses)}. "
                "Move them to another team (or none) first."
            )
        try:
            with write():  # a savepoint: a refused delete leaves the transaction usable
                team.delete_instance()
        except IntegrityError as exc:  # someone joined it since the counts (PostgreSQL)
            raise Refused(f"{team.name} is in use again. Nothing was removed.") from exc
        return team.name


@dataclass
class Page:
    """A team's page: its people, the assets it keeps, the ones its people hold
    (kept by no team), and how many assets the department counts in all."""

    team: Team
    people: list[User]
    kept: list[Asset]
    held: list[Asset]
    department: int


def page(team_id: int) -> Page | None:
    team = get_team(team_id)
    if team is None:
        return None
    people = list(User.select().where(User.team == team.id).order_by(fn.LOWER(User.name)))
    Holder = User.alias("holder")

    def assets(condition):
        return list(
            Asset.select(Asset, Holder)
            .join(Holder, JOIN.LEFT_OUTER, on=(Asset.holder == Holder.id))
            .where(condition)
            .order_by(fn.LOWER(Asset.name), Asset.id)
        )

    kept = assets(Asset.team == team.id)
    held = assets(Asset.team.is_null() & (Holder.team == team.id)) if people else []
    department = Asset.select().where(in_team_sql(team.id)).count()
    return Page(team, people, kept, held, department)
