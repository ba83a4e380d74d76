"""Lists of events across assets: the activity feed and a person's history."""

from __future__ import annotations

from ..models import Asset, Event, Fault, Location, User
from ..register import events
from ..register.events import one_page

PER_PAGE = 50


def feed(*conditions, page: int = 1) -> tuple[list[Event], bool]:
    """One page of events newest first (asset, actor, holder and location joined in
    one query), and whether older ones exist."""
    Actor, Holder = events.actor_and_holder()
    query = events.in_context(
        Event.select(Event, Asset, Actor, Holder, Location),
        Actor,
        Holder,
    )
    for condition in conditions:
        query = query.where(condition)
    return one_page(query.order_by(Event.at.desc(), Event.id.desc()), page, PER_PAGE)


def of_person(person: User, page: int = 1) -> tuple[list[Event], bool]:
    """What a person did, was handed, or handed over, newest first."""
    involved = (Event.holder == person) | (Event.from_holder == person) | (Event.actor == person)
    return feed(involved, page=page)


def fault_photo(fault_id: int) -> str | None:
    """The stored name of the photo sent with a fault report, if there is one."""
    fault = Fault.get_or_none(Fault.id == fault_id)
    return fault.photo if fault is not None and fault.photo else None
