"""Forms sent twice (a double tap, a resent page) do what they ask once.

Adding a subscription carries an action key: the `created` event keeps it,
and the same key again answers with the subscription it made. An edit sent
twice is refused the second time as stale (its version moved on); when the
subscription already holds exactly what that form asked for, it is done,
not a conflict."""

from __future__ import annotations

from dataclasses import asdict

from peewee import IntegrityError

from ..custody.engine import clean_key
from ..database import write
from ..errors import Invalid
from ..models import Subscription, SubscriptionEvent, User
from . import rules, subscriptions


def made_with(key: str | None) -> Subscription | None:
    """The subscription an add form with this action key already made."""
    key = clean_key(key)
    if not key:
        return None
    event = SubscriptionEvent.get_or_none(SubscriptionEvent.key == key)
    return event.subscription if event is not None else None


def create(
    values: dict, *, actor: User, licence_key: str = "", key: str | None = None
) -> Subscription:
    """subscriptions.create, once per action key."""
    key = clean_key(key)
    try:
        with write():
            done = made_with(key)
            if done is not None:
                return done
            subscription = subscriptions.create(values, actor=actor, licence_key=licence_key)
            if key:
                SubscriptionEvent.update(key=key).where(
                    SubscriptionEvent.subscription == subscription.id,
                    SubscriptionEvent.kind == "created",
                ).execute()
            return subscription
    except IntegrityError:  # the same key committed meanwhile (PostgreSQL)
        done = made_with(key)
        if done is None:
            raise
        return done


def already_so(subscription_id: int, values: dict) -> bool:
    """Whether the subscription already holds these form values (a resent edit)."""
    try:
        fields = rules.check_fields(**values)
    except Invalid:
        return False
    current = Subscription.get_or_none(Subscription.id == subscription_id)
    return current is not None and all(
        getattr(current, name) == value for name, value in asdict(fields).items()
    )
