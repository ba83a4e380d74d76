"""Who has what: check out, return, transfer, move, retire (return all, which
composes returns, is in leavers.py). What counts as overdue is custody's rule,
in rules.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from ..errors import Invalid, Refused
from ..kits import leaving as kit_leaving
from ..models import Asset, Location, Receipt, Reservation, User, utcnow
from ..receipts import receipts
from ..register import events, places
from ..register.rules import is_unusable
from ..reservations import ending
from . import condition as conditions
from . import rules
from .engine import Outcome, check_due, perform

RETIRE_REASONS = {
    "sold": "Sold",
    "scrapped": "Scrapped",
    "lost": "Lost",
    "stolen": "Stolen",
    "other": "Other",
}


def _person(person_id: int | None, field: str = "holder") -> User:
    person = User.get_or_none(User.id == person_id) if person_id else None
    if person is None or not person.active:
        raise Invalid({field: "Choose a person from the list."})
    return person


def _location(location_id: int | None) -> Location | None:
    if location_id is None:
        return None
    location = Location.get_or_none(Location.id == location_id)
    if location is None:
        raise Invalid({"location": "Choose a location from the list."})
    return location


def _expecting(asset: Asset, expected_holder_id: int | None) -> None:
    """Refuse when the item changed hands since the person loaded the page."""
    if expected_holder_id is not None and expected_holder_id != asset.holder_id:
        raise Refused(f"This item is now with {asset.holder.name} ({rules.when(asset)}).")


def check_out(
    code: str,
    *,
    actor: User,
    today: date,
    holder_id: int | None = None,
    due_back: date | None = None,
    note: str = "",
    override: bool = False,
    key: str | None = None,
    scanned_at: datetime | None = None,
    zone: tzinfo = UTC,
    reservation: Reservation | None = None,
    condition: str = "",
    receipt: Receipt | None = None,
) -> Outcome:
    """Hand the item to `holder_id` (default: the actor). One holder at a time.

    `zone`: the organisation's time zone, in which the due date is a day (a
    check-out that would run into someone's reservation is refused unless a lead
    overrides). `reservation`: the booking this check-out starts; the item is then
    out until its end. `condition`: how it goes out (blank: as it was). `receipt`:
    the handover receipt the item goes on."""

    def apply(asset: Asset):
        holder = actor if holder_id in (None, actor.id) else None
        if holder is None:
            rules.require("check_out_to_other", asset, actor)
            holder = _person(holder_id)
        blocked = is_unusable(asset)
        rules.require("check_out_anyway" if blocked and override else "check_out", asset, actor)
        check_due(due_back, today)
        data: dict[str, object] = {"due_back": due_back.isoformat()} if due_back else {}
        if blocked:
            data.update(override=True, status_was=asset.status)
        until = reservation.ends_at if reservation else None
        clash = rules.reservation_in_the_way(asset, holder, due_back, zone, until=until)
        if clash is not None:
            rules.require_over_reservation(clash, asset, actor, override, zone)
            data["over_reservation"] = clash.reservation.person.name
        if reservation is not None:
            data["reservation"] = reservation.id
            if reservation.kit_id:
                data["kit"] = reservation.kit.name
        conditions.say(asset, condition, data)
        if receipt is not None:
            data["receipt"] = receipt.id
        asset.holder, asset.due_back = holder, due_back
        event = events.record(
            "checked_out",
            asset=asset,
            actor=actor,
            holder=holder,
            location=asset.location,
            note=note,
            data=data or None,
        )
        if receipt is not None:
            receipts.add_item(receipt, asset, event)
        who = "you" if holder.id == actor.id else holder.name
        return f"Checked out to {who}.", [event]

    return perform(code, actor, apply, key=key, scanned_at=scanned_at)


def check_in(
    code: str,
    *,
    actor: User,
    expected_holder_id: int | None = None,
    location_id: int | None = None,
    condition: str = "",
    note: str = "",
    key: str | None = None,
    scanned_at: datetime | None = None,
    receipt: Receipt | None = None,
) -> Outcome:
    """Take the item back from whoever holds it, optionally noting where and in
    what condition (blank: as it was). If its category asks for a check after each
    return, it waits for "Checked, ready" before it goes out again.
    `receipt`: the return receipt the item goes on."""

    def apply(asset: Asset):
        rules.require("return", asset, actor)
        _expecting(asset, expected_holder_id)
        before = asset.location
        location = rules.return_location(asset, _location(location_id))
        holder = asset.holder
        ending.returned(asset, holder)
        asset.holder, asset.due_back, asset.location = None, None, location
        data: dict[str, object] = {}
        conditions.say(asset, condition, data)
        if location != before:
            data["moved_from"] = events.plain(before)  # the history says "Returned to ..."
        if check := conditions.check_asked(asset):  # not out again until checked
            asset.needs_check_since = asset.needs_check_since or utcnow()
            data["check"] = check
        if receipt is not None:
            data["receipt"] = receipt.id
        event = events.record(
            "checked_in",
            asset=asset,
            actor=actor,
            holder=holder,
            location=location,
            note=note,
            data=data or None,
        )
        if receipt is not None:
            receipts.add_item(receipt, asset, event)
        message = f"Returned{'' if holder.id == actor.id else ' from ' + holder.name}"
        if "condition" in data:
            message += f" as {conditions.label(asset.condition)}"
        if check:
            message += f". Needs check before it goes out again: {check}"
        return f"{message}.", [event]

    return perform(code, actor, apply, key=key, scanned_at=scanned_at)


def transfer(
    code: str,
    *,
    actor: User,
    today: date,
    to_holder_id: int,
    expected_holder_id: int | None = None,
    due_back: date | None = None,
    note: str = "",
    key: str | None = None,
    scanned_at: datetime | None = None,
    override: bool = False,
    zone: tzinfo = UTC,
    condition: str = "",
    receipt: Receipt | None = None,
) -> Outcome:
    """Hand the item straight from its holder to another person. `scanned_at`:
    the transfer comes from a scan, so the actor has the item in hand (a member
    may then take over someone else's item). Like a check-out, a hand-over that
    would run into someone else's reservation needs a lead's `override`.
    `receipt`: the handover receipt the item goes on."""
    in_hand = scanned_at is not None

    def apply(asset: Asset):
        rules.require("transfer", asset, actor, in_hand=in_hand)
        _expecting(asset, expected_holder_id)
        to = _person(to_holder_id)
        refused = rules.transfer_refusal(asset, actor, to, in_hand=in_hand)
        if refused is not None:
            raise refused
        if to.id == asset.holder_id:
            raise Invalid({"holder": f"{to.name} already has this item."})
        check_due(due_back, today)
        clash = rules.reservation_in_the_way(asset, to, due_back, zone)
        if clash is not None:
            rules.require_over_reservation(clash, asset, actor, override, zone)
        before = asset.holder
        asset.holder, asset.due_back = to, due_back
        data = {"from": before.name, "from_id": before.id, "to": to.name}
        if due_back:
            data["due_back"] = due_back.isoformat()
        if clash is not None:
            data["over_reservation"] = clash.reservation.person.name
        conditions.say(asset, condition, data)
        if receipt is not None:
            data["receipt"] = receipt.id
        event = events.record(
            "transferred",
            asset=asset,
            actor=actor,
            holder=to,
            from_holder=before,
            location=asset.location,
            note=note,
            data=data,
        )
        if receipt is not None:
            receipts.add_item(receipt, asset, event)
        return f"Handed over from {before.name} to {to.name}.", [event]

    return perform(code, actor, apply, key=key, scanned_at=scanned_at)


def move(
    code: str,
    *,
    actor: User,
    location_id: int | None,
    note: str = "",
    key: str | None = None,
    scanned_at: datetime | None = None,
) -> Outcome:
    """Record that the item now lives somewhere else (leads)."""

    def apply(asset: Asset):
        rules.require("move", asset, actor)
        location = _location(location_id)
        if location is None:
            raise Invalid({"location": "Choose where it is now."})
        if location.id == asset.location_id:
            raise Invalid({"location": f"It is already at {places.location_label(location.id)}."})
        before = asset.location
        asset.location = location
        event = events.record(
            "moved",
            asset=asset,
            actor=actor,
            location=location,
            note=note,
            data={"from": events.plain(before), "to": location.name},
        )
        return f"Moved to {places.location_label(location.id)}.", [event]

    return perform(code, actor, apply, key=key, scanned_at=scanned_at)


def retire(
    code: str,
    *,
    actor: User,
    reason: str,
    note: str = "",
    key: str | None = None,
    zone: tzinfo = UTC,
) -> Outcome:
    """Take the item out of service for good; its page and history stay. It
    leaves every booking not yet started (one left with nothing is cancelled)
    and its kit, each with an event saying so; `zone` words the booking's period."""

    def apply(asset: Asset):
        rules.require("retire", asset, actor)
        if reason not in RETIRE_REASONS:
            raise Invalid({"reason": "Choose a reason from the list."})
        data = {"reason": reason}
        if asset.holder_id:
            data["holder_was"] = asset.holder.name
        asset.holder, asset.due_back = None, None
        asset.retired_at, asset.retire_reason = utcnow(), reason
        event = events.record("retired", asset=asset, actor=actor, note=note, data=data)
        dropped = ending.retired(asset, actor, zone, asset.retired_at)
        left = kit_leaving.retired(asset, actor)  # out of its kit too
        return f"Retired ({RETIRE_REASONS[reason].lower()}).", [event, *dropped, *left]

    return perform(code, actor, apply, key=key, proves_presence=False)
