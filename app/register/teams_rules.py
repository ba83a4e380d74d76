"""Which team (department) an asset counts under, spelled once.

An asset's own team is the team that keeps it (a van's tool kit, a shared
printer). Its *department*, for the register's filter, the reports and the
export, is its own team if it has one, else its holder's team, else none
("No team"). Teams group; they never decide who may do what.

`team_of` is the rule for one asset; `team_sql` is the same rule as a SQL
expression on Asset, and `in_team_sql` the same rule as a condition that can
use the indexes on asset.team_id and user.team_id.
"""

from __future__ import annotations

from peewee import fn

from ..errors import Invalid
from ..models import Asset, Team, User

NAME_MAX = Team.name.max_length  # 80
NO_TEAM = "No team"  # the department of an asset with no team of its own or its holder's
# The register's filter value for "No team" (a team id is a number).
NO_TEAM_KEY = "none"

# The holder looked up in a subquery, named apart from any User the outer query joins.
_Holder = User.alias("team_holder")


def team_of(asset: Asset) -> Team | None:
    """The asset's department: its own team, else its holder's, else None."""
    if asset.team_id is not None:
        return asset.team
    if asset.holder_id is not None and asset.holder.team_id is not None:
        return asset.holder.team
    return None


def team_id_of(team_id: int | None, holder_team_id: int | None) -> int | None:
    """`team_of` on plain ids (a row already read with its holder's team)."""
    return team_id if team_id is not None else holder_team_id


def holder_team_sql():
    """The asset's holder's team id (NULL when nobody holds it), as a subquery."""
    return _Holder.select(_Holder.team).where(_Holder.id == Asset.holder)


def team_sql():
    """`team_of`'s id as a SQL expression on Asset (NULL: "No team")."""
    return fn.COALESCE(Asset.team, holder_team_sql())


def in_team_sql(team_id: int | None):
    """Assets whose department is `team_id` (None: "No team"): `team_sql() == team_id`
    written so that the indexes on the two team columns can find them."""
    if team_id is None:
        return Asset.team.is_null() & (
            Asset.holder.is_null()
            | Asset.holder.in_(_Holder.select(_Holder.id).where(_Holder.team.is_null()))
        )
    return (Asset.team == team_id) | (
        Asset.team.is_null()
        & Asset.holder.in_(_Holder.select(_Holder.id).where(_Holder.team == team_id))
    )


def check_name(name: str) -> str:
    """A team's name, trimmed; raises Invalid when empty or too long."""
    name = " ".join((name or "").split())
    if not name:
        raise Invalid({"name": "Give the team a name."})
    if len(name) > NAME_MAX:
        raise Invalid({"name": f"Keep the name to {NAME_MAX} characters or fewer."})
    return name


TAKEN = "There is already a team with that name."
