"""A subscription's history: every change is one SubscriptionEvent, written in
the same write as the change (call `record` inside database.write()), and
what each kind of event is called on the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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


# What an edit's fields are called in its history line.
FIELD_WORDS = {
    "vendor_id": "Vendor",
    "product": "Product",
    "kind": "Kind",
    "seats": "Seats",
    "cost_cents": "Cost",
    "period": "Paid",
    "starts_on": "Started",
    "renews_on": "Renews on",
    "auto_renews": "Renews by itself",
    "remind_days": "Remind days before",
    "owner_id": "Owner",
    "owner_team_id": "Owner team",
    "notes": "Notes",
}


def _shown(field: str, value) -> str:
    if field in ("vendor_id", "owner_id", "owner_team_id", "notes"):
        return ""  # ids and long text: the field's name says enough
    if value is None or value == "":
        return "none"
    if field == "cost_cents" and isinstance(value, int):
        return f"{value // 100:,}.{value % 100:02d}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in ("starts_on", "renews_on", "ended_on") and isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {day:%b %Y}"
    return str(value)


def details(kind: str, data: dict) -> str:
    """What a history line's data says, in words: an edit's fields before and
    after, a renewal's new date, a cancellation's last day."""
    if kind == "edited":
        parts = []
        order = [n for n in FIELD_WORDS if n in data] + [n for n in data if n not in FIELD_WORDS]
        for name in order:  # the form's order (the data's keys come back sorted)
            change = data[name]
            if not isinstance(change, list) or len(change) != 2:
                continue
            before, after = (_shown(name, v) for v in change)
            words = FIELD_WORDS.get(name, name)
            parts.append(f"{words}: {before} → {after}" if before or after else f"{words} changed")
        return "; ".join(parts)
    if kind == "renewed" and isinstance(data.get("renews_on"), list):
        return f"next renewal {_shown('renews_on', data['renews_on'][-1])}"
    if kind == "cancelled" and data.get("ended_on"):
        return f"runs to {_shown('ended_on', data['ended_on'])}"
    return ""


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

    @property
    def details(self) -> str:
        return details(self.kind, self.data)


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
