"""The custody rules, spelled once: which actions a person may take on an asset
now, and what counts as overdue.

`refusal` says why an action may not be taken (or None when it may). The
services' guards raise that refusal inside the action's transaction, and the
status card shows exactly the buttons `allowed_actions` returns, so a button
is never offered for an action the service would refuse, and the other way
round.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from ..errors import Forbidden, OverReservation, Refused, ServiceError
from ..models import Asset, Location, User, utcnow
from ..receipts import rules as receipt_rules
from ..register.rules import in_service, is_lead, is_unusable
from ..reservations import moments as reservation_moments
from ..reservations import rules as reservation_rules
from . import condition

# Every action on an asset, with the words that finish "Only a lead can ..."
# for those that need a lead.
ACTIONS = (
    "check_out",  # to oneself, one tap
    "check_out_to_other",  # to someone else (leads)
    "check_out_anyway",  # a faulty or in-repair item, knowingly (leads)
    "return",
    "transfer",
    "report_fault",
    "move",
    "start_repair",
    "mark_fixed",
    "service",
    "retire",
    "relabel",
    "print_label",
    "checked_ready",  # the check a category asks after each return (condition.py)
)
LEAD_ONLY = {
    "check_out_to_other": "check items out to someone else",
    "check_out_anyway": "check out a faulty item",
    "move": "move items",
    "start_repair": "start a repair",
    "mark_fixed": "mark items fixed",
    "service": "record a service",
    "retire": "retire items",
    "relabel": "re-label items",
    "print_label": "print labels",
}


def when(asset: Asset) -> str:
    """ "just now" for a change in the last two minutes, else the date."""
    if asset.updated_at and utcnow() - asset.updated_at < timedelta(minutes=2):
        return "just now"
    return f"since {asset.updated_at:%d %b}" if asset.updated_at else ""


def held_message(asset: Asset, person: User) -> str:
    if asset.holder_id == person.id:
        return "You already have this item."
    return f"Already checked out to {asset.holder.name} {when(asset)}."


def return_location(asset: Asset, put_back_at: Location | None) -> Location | None:
    """Where a returned item is now: where the person returning it says they put
    it back, or, when they do not say, where the register had it.

    Members may say so too, although "Move" is for leads: returning an item to
    where you put it is part of returning it, and the register should match
    where things are. The history then reads "Returned to Yard (was at Van 3)",
    so a return that changed the place is plain to see."""
    return put_back_at or asset.location


def may_check_out_to_others(person: User | None) -> bool:
    """Leads check items out to anyone; a member only to themselves."""
    return is_lead(person)


def refusal(
    action: str,
    asset: Asset,
    person: User | None,
    *,
    has_open_fault: bool = False,
    in_hand: bool = False,
) -> ServiceError | None:
    """Why `person` may not take `action` on `asset` now, or None if they may.

    `has_open_fault`: the item has a fault nobody has closed (for "Mark fixed").
    `in_hand`: the action comes from a scan of the item's label (the scanner),
    so the person has it in hand (see `may_take_over`).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not in_service(asset):
        return Refused("This item is retired.")
    if action == "check_out_to_other" and not may_check_out_to_others(person):
        return Forbidden("Members can only check items out to themselves.")
    if action in LEAD_ONLY and not is_lead(person):
        return Forbidden(f"Only a lead can {LEAD_ONLY[action]}.")
    if action in ("check_out", "check_out_to_other", "check_out_anyway"):
        if asset.holder_id:
            return Refused(held_message(asset, person))
        if action == "check_out" and is_unusable(asset):
            return Refused(
                f"This item is {asset.status_label.lower()}: do not use it. "
                "A lead can check it out anyway."
            )
        if action == "check_out_anyway" and not is_unusable(asset):
            return Refused("Nothing stops this item being checked out as usual.")
        # Even a lead's "anyway" waits for the check a category asks after a return.
        waiting = condition.check_refusal(asset, person)
        if waiting is not None:
            return waiting
    elif action in ("return", "transfer"):
        if not asset.holder_id:
            return Refused(f"This item is not checked out (returned {when(asset)}).")
        if action == "transfer" and not may_take_over(asset, person, in_hand=in_hand):
            return Forbidden(TAKE_OVER_IN_HAND)
    elif action == "start_repair":
        if asset.status == "in_repair":
            return Refused("A repair is already under way.")
        if asset.holder_id:
            return Refused(f"{asset.holder.name} still has it. Return it first.")
    elif action == "checked_ready":
        return condition.ready_refusal(asset, person)
    elif action == "mark_fixed":
        if asset.status != "in_repair" and not has_open_fault:
            return Refused("There is no open fault or repair to close.")
    return None


def require(
    action: str, asset: Asset, person: User | None, *, has_open_fault=False, in_hand=False
) -> None:
    """Raise the refusal for `action`, if there is one (the services' guard)."""
    refused = refusal(action, asset, person, has_open_fault=has_open_fault, in_hand=in_hand)
    if refused is not None:
        raise refused


def allowed_actions(
    asset: Asset, person: User | None, *, has_open_fault: bool = False
) -> frozenset[str]:
    """Every action `person` may take on `asset` now: the status card's buttons.
    `sign_to_check_out`: checking it out needs a signature, so "Check out to me"
    opens the form (with the signing pad) instead of acting in one tap."""
    allowed = {
        action
        for action in ACTIONS
        if refusal(action, asset, person, has_open_fault=has_open_fault) is None
    }
    if "check_out" in allowed and receipt_rules.needs_signature(asset):
        allowed.add("sign_to_check_out")
    return frozenset(allowed)


TAKE_OVER_IN_HAND = (
    "Members can only hand over their own items, or take one over with it in hand: "
    "scan its label with the scanner."
)


def may_take_over(asset: Asset, person: User | None, *, in_hand: bool) -> bool:
    """Whether `person` may start a transfer of `asset` (the card's "Transfer to…").

    Leads transfer anything; a member hands over what they hold. A member may
    take over an item someone else holds only when they have it in hand, which
    is when the transfer comes from scanning its label: otherwise any member
    could take anyone's items from the register without ever seeing them."""
    if person is None:
        return False
    return is_lead(person) or asset.holder_id == person.id or in_hand


def transfer_refusal(
    asset: Asset, person: User, to: User, *, in_hand: bool = False
) -> ServiceError | None:
    """A member may hand over only what they hold, or take over (to themselves)
    an item they have in hand."""
    if is_lead(person) or person.id == asset.holder_id:
        return None
    if to.id != person.id:
        return Forbidden("Members can only hand over their own items, or take one over.")
    if not may_take_over(asset, person, in_hand=in_hand):
        return Forbidden(TAKE_OVER_IN_HAND)
    return None


def reservation_in_the_way(
    asset: Asset,
    holder: User,
    due_back: date | None,
    zone: tzinfo,
    *,
    until: datetime | None = None,
    now: datetime | None = None,
):
    """Someone else's booking that checking `asset` out to `holder` would run into:
    it is out until the end of its due date (`until` when given), or for good with
    no due date. None when nothing is in the way. The overlap is the reservations'
    rule (reservations/rules.py)."""
    now = now or utcnow()
    if until is None and due_back is not None:
        until = reservation_moments.end_of_day(due_back, zone)
    policy = reservation_rules.current_policy()
    return reservation_rules.check_out_clash(asset, holder, until, now, policy)


def require_over_reservation(clash, asset: Asset, person: User, override: bool, zone) -> None:
    """Only a lead checks out over someone's booking, and only knowingly."""
    if override and is_lead(person):
        return
    message = reservation_rules.clash_message(clash, asset, zone, utcnow())
    if is_lead(person):
        raise OverReservation(f"{message} Give a due date before then, or check it out anyway.")
    raise Refused(f"{message} Give a due date before then.")


def may_read_finder(viewer: User | None) -> bool:
    """Who may read a public report's words, sender and contact: leads and admins.
    Everyone else learns only that someone who scanned the label wrote in."""
    return bool(viewer is not None and viewer.is_authenticated and is_lead(viewer))


def is_overdue(asset: Asset, today: date) -> bool:
    """Held past its due date. `today` is the organisation's local date."""
    return bool(asset.holder_id and asset.due_back and asset.due_back < today)


def overdue_sql(today: date):
    """`is_overdue` as a condition on Asset (the dashboard, the register, the Overdue page)."""
    return Asset.holder.is_null(False) & (Asset.due_back < today)


def is_not_back(asset: Asset) -> bool:
    """Flagged: it did not come back with its kit and is still with its holder
    (any change of hands clears the flag, in engine.perform)."""
    return asset.not_back_since is not None


def not_back_sql():
    """`is_not_back` as a condition on Asset (the dashboard's list), from its index."""
    return Asset.not_back_since.is_null(False)
