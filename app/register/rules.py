"""The register's rules, spelled once: the status groups every page and service
uses, and who counts as a lead. Custody, audits and reports build on these.

Each group is a Python test for one asset and the same test as a SQL condition,
so a count on the dashboard and the list it links to cannot disagree.
"""

from __future__ import annotations

from ..errors import Forbidden, Refused
from ..models import STATUSES as STATUSES  # every status, in the order pages list them
from ..models import Asset, User
from ..ops.money import MAX_CENTS

RETIRED = "retired"
MISSING = "missing"  # marked missing by an audit or a person: still in service
# Do not use: checking one out needs a lead's "check out anyway".
UNUSABLE = ("faulty", "in_repair")
# Everything the organisation still has: not retired.
IN_SERVICE = tuple(status for status in STATUSES if status != RETIRED)


def in_service(asset: Asset) -> bool:
    return asset.status != RETIRED


def in_service_sql():
    """`in_service` as a condition on Asset."""
    return Asset.status != RETIRED


# What counts as use (the idle report, from each asset's last use: Asset.last_used_at,
# kept by last_use.py). A return counts too: an item handed back yesterday after
# months out was busy until yesterday, whenever it was checked out.
USE_KINDS = ("checked_out", "transferred", "checked_in", "moved")

# Work done on an item: the fault workflow's repairs (custody/maintenance.py) and
# "Service done". Each may carry {"cost_cents": n} in its data; one without a
# cost is work with no cost recorded (the maintenance report, the replacement plan).
WORK_KINDS = ("repair_started", "repaired", "serviced")


def cost_of(data: object) -> int | None:
    """The cost recorded on an event, if it holds a sensible one: whole cents,
    not negative, and no more than any amount the app takes (money.MAX_CENTS)."""
    if not isinstance(data, dict):
        return None
    cost = data.get("cost_cents")
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0 or cost > MAX_CENTS:
        return None
    return cost


def event_cost(kind: str, data: object) -> int | None:
    """What an event's `cost_cents` column holds, written with it: the cost of
    the work, for the kinds that record work; None for any other."""
    return cost_of(data) if kind in WORK_KINDS else None


def is_unusable(asset: Asset) -> bool:
    return asset.status in UNUSABLE


def is_lead(person: User | None) -> bool:
    """Leads and admins: they may act on any item and keep the register."""
    return person is not None and person.has_role("lead")


def require_lead(person: User | None, what: str) -> None:
    """Refuse anyone below lead; `what` finishes "Only a lead can ..."."""
    if not is_lead(person):
        raise Forbidden(f"Only a lead can {what}.")


def require_in_service(asset: Asset) -> None:
    if not in_service(asset):
        raise Refused("This item is retired.")


def manages_accounts(person: User | None) -> bool:
    """Admins: roles, passwords and who may sign in. Leads keep names and emails."""
    return person is not None and person.has_role("admin")


# The deepest the location tree goes ("Site > Building > Floor > Room > Shelf" is 5).
# Form, move and import all refuse a place below this level.
MAX_LOCATION_DEPTH = 12
TOO_DEEP = f"Places nest at most {MAX_LOCATION_DEPTH} levels deep."


# What a lead may change about a person (only about a member).
LEAD_EDITABLE = ("name", "email", "team")


def may_edit_person(actor: User | None, person: User) -> bool:
    """An admin edits anyone; a lead edits members."""
    return manages_accounts(actor) or (is_lead(actor) and person.role == "member")


# Accounts: people set their own passwords from a link (app/register/accounts.py).
INVITE_LINK_DAYS = 7
RESET_LINK_MINUTES = 60


def may_invite(actor: User | None, role: str) -> bool:
    """Who may invite someone to sign in with `role`: an admin any role, a lead
    members (as a lead adds and edits members)."""
    return manages_accounts(actor) or (is_lead(actor) and role == "member")


def may_send_reset(actor: User | None, person: User) -> bool:
    """Sending someone else a link to set a new password is an admin's: it hands
    over their account, so a lead may not."""
    return manages_accounts(actor)
