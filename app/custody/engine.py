"""The mechanics every asset action shares: lock, idempotency, found, settle.

An action is a function that changes an asset and records events. `perform`
runs it inside the write transaction with the asset row locked, writes
nothing when the action's key was already used (a double tap or a resent
form), records `found` first when a missing item turns up, and leaves the
status consistent with the facts afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from ..audits import in_hand, rules
from ..database import is_sqlite, write
from ..errors import Invalid, NotFound, Refused
from ..models import Asset, Event, Fault, User, utcnow
from ..prepared import Prepared
from ..register import events

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass
class Outcome:
    asset: Asset
    message: str
    events: list[Event] = field(default_factory=list)
    duplicate: bool = False


Apply = Callable[[Asset], tuple[str, list[Event]]]


@Prepared
def _by_code(code):
    return Asset.select().where(Asset.code == code).limit(1)


@Prepared
def _by_code_for_update(code):
    return Asset.select().where(Asset.code == code).limit(1).for_update()


@Prepared
def _key_used_on(key):
    return Event.select(Event.asset).where(Event.key == key).limit(1)


@Prepared
def _blocking_faults(asset_id):
    return (
        Fault.select(Fault.id)
        .where(Fault.asset == asset_id, Fault.closed_at.is_null(), Fault.severity == "do_not_use")
        .limit(1)
    )


def locked(code: str) -> Asset:
    """The asset with this code, read inside the write transaction: SQLite
    already runs one writer at a time; PostgreSQL locks the row."""
    asset = (_by_code if is_sqlite() else _by_code_for_update).first(code)
    if asset is None:
        raise NotFound("No asset has that code.")
    return asset


def clean_key(key: str | None) -> str | None:
    """A usable idempotency key, or None (a form without one still works)."""
    return key if key and KEY_PATTERN.match(key) else None


def key_used(key: str | None) -> Event | None:
    """The event that already carries this idempotency key, if any: the action
    was done (a double tap or a resent form). Its `asset_id` says on what."""
    key = clean_key(key)
    return _key_used_on.first(key) if key else None


def perform(
    code: str,
    actor: User | None,
    apply: Apply,
    *,
    key: str | None = None,
    proves_presence: bool = True,
    scanned_at: datetime | None = None,
) -> Outcome:
    """`scanned_at`: when a scanner made the scan (it may arrive later, from an
    offline queue); kept on every event the action writes, beside `at`."""
    key = clean_key(key)
    with write():
        asset = locked(code)
        used = key_used(key)
        if used and used.asset_id == asset.id:
            return Outcome(asset, "Already done.", duplicate=True)
        if used:
            raise Refused("This form was already used for another item. Reload the page.")
        found = []
        if asset.status == "missing" and proves_presence:
            # Someone has it in hand: it is found. If the action is refused,
            # the whole transaction, this event included, rolls back.
            with events.stamped(None, scanned_at):
                found.append(
                    events.record("found", asset=asset, actor=actor, location=asset.location)
                )
            asset.status = "available"
        holder_before, awaiting_before = asset.holder_id, asset.awaiting_since
        # The key goes on the action's own first event.
        with events.stamped(key, scanned_at):
            message, written = apply(asset)
        if asset.not_back_since is not None and asset.holder_id != holder_before:
            asset.not_back_since = None  # it changed hands: no longer "not back with its kit"
        if awaiting_before is not None and asset.holder_id != holder_before:
            if asset.awaiting_since == awaiting_before:  # not handed on to be accepted again
                asset.awaiting_since = None  # it changed hands: nobody is to accept it now
        if proves_presence:
            asset.last_seen_at = utcnow()  # someone had it in hand just now
            # ...so every running audit that expects it has seen it, too.
            shown = rules.proof(found + written, holder_before)
            if shown is not None:
                in_hand.count_as_seen(asset, shown)
        settle(asset)
        asset.version += 1
        asset.updated_at = utcnow()
        # Only what the action changed: the row was read under the lock above.
        asset.save(only=asset.dirty_fields)
        return Outcome(asset, message, found + written)


def has_blocking_fault(asset: Asset) -> bool:
    return bool(_blocking_faults(asset.id))


def settle(asset: Asset) -> None:
    """Status from the facts, worst first: retired, in repair, missing, faulty, held.

    Missing outranks faulty: an item nobody can find is first of all missing.
    It stays missing until someone acts on it (which records `found`).
    """
    if asset.retired_at:
        asset.status = "retired"
    elif asset.status in ("in_repair", "missing"):
        pass  # until a lead marks it fixed, or it turns up
    elif has_blocking_fault(asset):
        asset.status = "faulty"
    elif asset.holder_id:
        asset.status = "checked_out"
    else:
        asset.status = "available"


def check_due(due_back: date | None, today: date) -> None:
    if due_back is not None and due_back < today:
        raise Invalid({"due_back": "The due date is in the past."})
