"""A subscription's history: every change is one SubscriptionEvent, written in
the same write as the change (call `record` inside database.write()), and
what each kind of event is called on the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from ..models import Subscription, SubscriptionEvent, User, utcnow

# Every kind this package writes, and its words in the history.
KINDS = {
    "created": "Added",
    "edited": "Edited",
    "key_changed": "Licence key changed",
    "key_revealed": "Licence key revealed",
    "seat_assigned": "Seat given",
    "seat_freed": "Seat freed",
    "renewed": "Renewed",
    "cancelled": "Cancelled",
    "reminded": "Renewal reminder sent",
    "document_added": "Document added",
    "imported": "Imported",
}


def record(
    subscription: Subscription,
    kind: str,
    *,
    actor: User | None,
    person: User | None = None,
    note: str = "",
    data: dict | None = None,
    key: str | None = None,
) -> SubscriptionEvent:
    if kind not in KINDS:
        raise ValueError(f"unknown subscription event kind {kind!r}")
    return SubscriptionEvent.create(
        subscription=subscription,
        kind=kind,
        actor=actor,
        person=person,
        note=note,
        data=data,
        key=key,
        at=utcnow(),
    )


@dataclass(frozen=True)
class Line:
    """One line of a subscription's history as the page shows it."""

    at: datetime
    kind: str
    words: str
    actor: str
    person: str
    note: str
    data: dict


def lines(subscription_id: int, limit: int = 200) -> list[Line]:
    """Its history, newest first."""
    actor, person = User.alias("actor"), User.alias("person")
    query = (
        SubscriptionEvent.select(
            SubscriptionEvent.at,
            SubscriptionEvent.kind,
            actor.name,
            person.name,
            SubscriptionEvent.note,
            SubscriptionEvent.data,
        )
        .join(actor, JOIN.LEFT_OUTER, on=(SubscriptionEvent.actor == actor.id))
        .switch(SubscriptionEvent)
        .join(person, JOIN.LEFT_OUTER, on=(SubscriptionEvent.person == person.id))
        .where(SubscriptionEvent.subscription == subscription_id)
        .order_by(SubscriptionEvent.at.desc(), SubscriptionEvent.id.desc())
        .limit(limit)
    )
    return [
        Line(at, kind, KINDS.get(kind, kind), a or "", p or "", note or "", data or {})
        for at, kind, a, p, note, data in query.tuples()
    ]
