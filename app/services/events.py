"""Appending to the history. Call inside database.write(), beside the change."""

from __future__ import annotations

from datetime import date, datetime

from peewee import JOIN

from ..models import Asset, Event, Location, User, utcnow


def plain(value):
    """A value as it is kept in an event's data: JSON-friendly and readable."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, User | Location):
        return value.name
    if hasattr(value, "name") and hasattr(value, "id"):  # Category and friends
        return value.name
    return value


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
    return Event.create(
        asset=asset,
        kind=kind,
        actor=actor,
        at=at or utcnow(),
        holder=holder,
        from_holder=from_holder,
        location=location,
        note=note,
        data=data,
    )


def one_page(query, page: int, per_page: int) -> tuple[list, bool]:
    """A page of an (ordered) query and whether more rows follow, from one query:
    it fetches one row past the page instead of counting."""
    rows = list(query.limit(per_page + 1).offset((max(page, 1) - 1) * per_page))
    return rows[:per_page], len(rows) > per_page


def people_and_place():
    """The actor and holder aliases for `in_context`, fresh for one query."""
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
