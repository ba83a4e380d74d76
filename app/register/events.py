"""Appending to the history (call `record` inside database.write(), beside the
change), and reading it back in pages with its people and place joined. What each
kind of event is called and shows is declared in event_kinds.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from peewee import JOIN

from ..models import Asset, Event, Location, User, utcnow
from ..prepared import insert
from . import custody_intervals, last_use, upkeep
from .rules import event_cost


def plain(value):
    """A value as it is kept in an event's data: JSON-friendly and readable."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, User | Location):
        return value.name
    if hasattr(value, "name") and hasattr(value, "id"):  # Category and friends
        return value.name
    return value


class _Stamp:
    """What `stamped` adds to the events recorded inside it."""

    def __init__(self, key: str | None, scanned_at: datetime | None):
        self.key, self.scanned_at = key, scanned_at


_stamp: ContextVar[_Stamp | None] = ContextVar("event_stamp", default=None)


@contextmanager
def stamped(key: str | None, scanned_at: datetime | None) -> Iterator[None]:
    """Inside this block, the first event recorded carries `key` (the action's
    idempotency key) and every event carries `scanned_at`, as they are inserted
    rather than by a second write."""
    token = _stamp.set(_Stamp(key, scanned_at))
    try:
        yield
    finally:
        _stamp.reset(token)


def record(
    kind: str,
    *,
    asset: Asset | None = None,
    actor: User | None = None,
    holder: User | None = None,
    from_holder: User | None = None,
    location: Location | None = None,
    note: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> Event:
    """Write one event. `kind` is a name declared in event_kinds.KINDS (a test
    checks every kind the code writes is), so its history line has words."""
    stamp = _stamp.get()
    extra: dict[str, object] = {}
    if stamp is not None:
        extra["scanned_at"] = stamp.scanned_at
        if stamp.key:
            extra["key"], stamp.key = stamp.key, None
    event = insert(
        Event,
        asset=asset,
        kind=kind,
        actor=actor,
        at=at or utcnow(),
        holder=holder,
        from_holder=from_holder,
        location=location,
        note=note,
        data=data,
        cost_cents=event_cost(kind, data),
        **extra,
    )
    if kind in custody_intervals.KINDS:  # its projection, in the same write
        custody_intervals.follow(event.id, event.asset_id, kind, event.at, event.holder_id)
    last_use.follow(event.asset_id, kind, event.at)  # the idle report's, likewise
    upkeep.follow(event.asset_id, event.cost_cents)  # and the replacement plan's
    return event


def one_page(query, page: int, per_page: int) -> tuple[list, bool]:
    """A page of an (ordered) query and whether more rows follow, from one query:
    it fetches one row past the page instead of counting."""
    rows = list(query.limit(per_page + 1).offset((max(page, 1) - 1) * per_page))
    return rows[:per_page], len(rows) > per_page


def actor_and_holder():
    """Two aliases of User, for the actor and the holder that `in_context` joins
    (the place needs none: Location is joined once, as itself). Fresh for one query."""
    return User.alias("actor"), User.alias("holder")


def in_context(query, actor, holder):
    """Join an Event select to its asset, actor, holder and location (all optional),
    so a list of events is one query however long."""
    return (
        query.join(Asset, JOIN.LEFT_OUTER)
        .switch(Event)
        .join(actor, JOIN.LEFT_OUTER, on=(Event.actor == actor.id))
        .switch(Event)
        .join(holder, JOIN.LEFT_OUTER, on=(Event.holder == holder.id))
        .switch(Event)
        .join(Location, JOIN.LEFT_OUTER, on=(Event.location == Location.id))
    )
