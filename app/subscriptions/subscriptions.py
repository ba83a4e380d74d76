"""Adding, editing, renewing and cancelling subscriptions, and their licence
keys. Each change is one write with its event (history.py); the rules are
rules.py's. Leads and admins keep subscriptions; members see their own seats."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from ..database import is_sqlite, write
from ..errors import Invalid, NotFound, Refused
from ..models import Subscription, SubscriptionSeat, Team, User, Vendor, utcnow
from ..register.rules import require_lead
from . import history, rules

STALE = "Someone changed this subscription while you were editing it. Here it is as it is now."

# The fields an edit may change, in the order the history lists them.
FIELDS = (
    "vendor_id",
    "product",
    "kind",
    "seats",
    "cost_cents",
    "period",
    "starts_on",
    "renews_on",
    "auto_renews",
    "remind_days",
    "owner_id",
    "owner_team_id",
    "notes",
)


def get(subscription_id: int) -> Subscription:
    subscription = Subscription.get_or_none(Subscription.id == subscription_id)
    if subscription is None:
        raise NotFound("That subscription does not exist.")
    return subscription


def locked(subscription_id: int) -> Subscription:
    """The subscription, locked for the rest of the write on PostgreSQL (SQLite's
    write already runs one at a time), so two seat requests take turns."""
    query = Subscription.select().where(Subscription.id == subscription_id)
    subscription = (query if is_sqlite() else query.for_update()).first()
    if subscription is None:
        raise NotFound("That subscription does not exist.")
    return subscription


def _current(subscription_id: int, version: int) -> Subscription:
    """The subscription, locked, as the form that changes it last saw it."""
    subscription = locked(subscription_id)
    if subscription.version != version:
        raise Refused(STALE)
    return subscription


def _save(subscription: Subscription) -> None:
    """Keep a change: a new version, so a form from before it is stale."""
    subscription.version += 1
    subscription.updated_at = utcnow()
    subscription.save()


def seats_in_use(subscription_id: int) -> int:
    return (
        SubscriptionSeat.select()
        .where(
            SubscriptionSeat.subscription == subscription_id, SubscriptionSeat.freed_at.is_null()
        )
        .count()
    )


def _check_links(fields: rules.Fields) -> None:
    """The vendor, owner and team must exist (inside the write, so none can
    vanish before the row pointing to it is saved)."""
    errors = {}
    if Vendor.get_or_none(Vendor.id == fields.vendor_id) is None:
        errors["vendor"] = "That vendor does not exist."
    if fields.owner_id is not None and User.get_or_none(User.id == fields.owner_id) is None:
        errors["owner"] = "That person does not exist."
    if (
        fields.owner_team_id is not None
        and Team.get_or_none(Team.id == fields.owner_team_id) is None
    ):
        errors["owner"] = "That team does not exist."
    if errors:
        raise Invalid(errors)


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def create(
    values: dict, *, actor: User, licence_key: str = "", kind: str = "created"
) -> Subscription:
    """A new subscription from the form's (or an import row's) values: the
    keyword arguments of rules.check_fields."""
    require_lead(actor, "add subscriptions")
    fields = rules.check_fields(**values)
    key = rules.check_key(licence_key)
    with write():
        _check_links(fields)
        subscription = Subscription.create(**asdict(fields), licence_key=key)
        data = {name: _plain(value) for name, value in asdict(fields).items()}
        history.record(subscription, kind, actor=actor, data=data)
        if key:
            history.record(subscription, "key_changed", actor=actor)
    return subscription


def update(subscription_id: int, values: dict, *, version: int, actor: User) -> dict:
    """Apply an edit made against `version`. Returns the changes, {} when none."""
    require_lead(actor, "edit subscriptions")
    with write():
        subscription = _current(subscription_id, version)
        fields = rules.check_fields(**values, seats_in_use=seats_in_use(subscription_id))
        _check_links(fields)
        changes = {}
        for name, value in asdict(fields).items():
            if getattr(subscription, name) != value:
                changes[name] = [_plain(getattr(subscription, name)), _plain(value)]
                setattr(subscription, name, value)
        if not changes:
            return {}
        _save(subscription)
        history.record(subscription, "edited", actor=actor, data=changes)
    return changes


def set_key(subscription_id: int, licence_key: str, *, version: int, actor: User) -> None:
    """Replace the licence key (the history says it changed, never what it is)."""
    require_lead(actor, "change licence keys")
    key = rules.check_key(licence_key)
    with write():
        subscription = _current(subscription_id, version)
        if subscription.licence_key == key:
            return
        subscription.licence_key = key
        _save(subscription)
        history.record(subscription, "key_changed", actor=actor, note="" if key else "Removed")


def reveal_key(subscription_id: int, *, actor: User) -> str:
    """The licence key, for a lead, recorded in the history as revealed."""
    require_lead(actor, "see licence keys")
    with write():
        subscription = get(subscription_id)
        if not subscription.licence_key:
            raise Refused("This subscription has no licence key.")
        history.record(subscription, "key_revealed", actor=actor)
        return subscription.licence_key


def renew(
    subscription_id: int, *, version: int, actor: User, renews_on: date | None
) -> Subscription:
    """It renewed: the next renewal date (by default one period on)."""
    require_lead(actor, "renew subscriptions")
    with write():
        subscription = _current(subscription_id, version)
        if rules.is_cancelled(subscription):
            raise Refused("This subscription is cancelled.")
        before = subscription.renews_on
        after = renews_on or rules.next_renewal(subscription)
        if after is None:
            raise Invalid({"renews_on": "Give the next renewal date."})
        if not rules.in_range(after):
            raise Invalid({"renews_on": rules.DATE_RANGE})
        if before and after <= before:
            raise Invalid({"renews_on": "The next renewal must be after the current one."})
        if subscription.starts_on and after < subscription.starts_on:
            raise Invalid({"renews_on": "The renewal date is before the start."})
        subscription.renews_on = after
        _save(subscription)
        history.record(
            subscription,
            "renewed",
            actor=actor,
            data={"renews_on": [_plain(before), after.isoformat()]},
        )
    return subscription


def cancel(
    subscription_id: int, *, version: int, actor: User, ended_on: date | None, note: str = ""
) -> Subscription:
    """Cancel it: it runs to `ended_on`, then stops; no more reminders."""
    require_lead(actor, "cancel subscriptions")
    with write():
        subscription = _current(subscription_id, version)
        if rules.is_cancelled(subscription):
            raise Refused("This subscription is already cancelled.")
        ended_on = rules.check_end(ended_on, subscription)
        subscription.cancelled_at = utcnow()
        subscription.ended_on = ended_on
        subscription.auto_renews = False
        _save(subscription)
        history.record(
            subscription,
            "cancelled",
            actor=actor,
            note=(note or "").strip()[:500],
            data={"ended_on": ended_on.isoformat()},
        )
    return subscription
