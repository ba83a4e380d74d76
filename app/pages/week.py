"""One asset's week: each day of a Monday-to-Sunday week in the organisation's
time zone, with the bookings that hold it and the times it was (or is) out on
loan. Days are local days, so a day in a clock-change week is 23 or 25 hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from peewee import JOIN

from ..models import Asset, Event, Reservation, ReservationItem, User
from ..reservations import moments as reservation_moments
from ..reservations import rules as reservation_rules

# Events that hand an item to someone (Event.holder) or take it back.
OUT = ("checked_out", "transferred")
BACK = "checked_in"
SHOWN_STATES = ("started", "ended")  # besides bookings that still hold their items


@dataclass(frozen=True)
class Span:
    kind: str  # "booking" or "loan"
    who: str
    starts_at: datetime  # naive UTC
    ends_at: datetime | None  # None: no end known (out with no due date)
    note: str = ""


@dataclass(frozen=True)
class Entry:
    """A span as one day shows it: the local times it starts and ends that day,
    blank where it runs on from the day before or into the next."""

    kind: str
    label: str
    who: str
    starts: str
    ends: str
    note: str


@dataclass(frozen=True)
class Day:
    day: date
    today: bool
    entries: list[Entry]


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def _bookings(asset: Asset, start: datetime, end: datetime, now: datetime) -> list[Span]:
    rules = reservation_rules.current_policy()
    items = (
        ReservationItem.select(ReservationItem, Reservation, User)
        .join(Reservation, JOIN.INNER, on=(ReservationItem.reservation == Reservation.id))
        .join(User, JOIN.INNER, on=(Reservation.person == User.id))
        .where(
            (ReservationItem.asset == asset.id)
            & (ReservationItem.ends_at > start)
            & (ReservationItem.starts_at < end)
        )
        .order_by(ReservationItem.starts_at, ReservationItem.id)
    )
    return [
        Span("booking", i.reservation.person.name, i.starts_at, i.ends_at, i.reservation.note)
        for i in items
        if i.reservation.state in SHOWN_STATES
        or reservation_rules.holds(i.reservation.state, i.reservation.starts_at, now, rules)
    ]


def _loans(asset: Asset, start: datetime, end: datetime, zone: tzinfo, now: datetime) -> list[Span]:
    """Who had it between `start` and `end`: from the hand-over events, the last
    one before the week and those in it; a loan still open runs to when it is
    due back (its booking's end or the end of its due date), at least until now."""
    kinds = (*OUT, BACK)
    before = (
        Event.select(Event.kind, Event.at, Event.holder)
        .where((Event.asset == asset.id) & Event.kind.in_(kinds) & (Event.at < start))
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(1)
    )
    during = (
        Event.select(Event.kind, Event.at, Event.holder)
        .where(
            (Event.asset == asset.id)
            & Event.kind.in_(kinds)
            & (Event.at >= start)
            & (Event.at < end)
        )
        .order_by(Event.at, Event.id)
    )
    events = list(before) + list(during)
    names = (
        {
            u.id: u.name
            for u in User.select(User.id, User.name).where(
                User.id.in_([e.holder_id for e in events if e.holder_id])
            )
        }
        if any(e.holder_id for e in events)
        else {}
    )
    spans: list[Span] = []
    holder, since = None, None
    for event in events:
        if holder is not None and since is not None:
            spans.append(Span("loan", names.get(holder, "someone"), since, event.at))
        if event.kind in OUT and event.holder_id:
            holder, since = event.holder_id, event.at
        else:
            holder, since = None, None
    if holder is not None and since is not None and asset.holder_id == holder:
        rules = reservation_rules.current_policy()
        until = reservation_rules.out_until(asset, zone, now, rules)
        spans.append(
            Span("loan", names.get(holder, "someone"), since, max(until, now) if until else None)
        )
    return [s for s in spans if (s.ends_at is None or s.ends_at > start) and s.starts_at < end]


def _entry(span: Span, day_start: datetime, day_end: datetime, zone: tzinfo) -> Entry:
    starts = (
        f"{reservation_moments.local(span.starts_at, zone):%H:%M}"
        if span.starts_at >= day_start
        else ""
    )
    ends = (
        f"{reservation_moments.local(span.ends_at, zone):%H:%M}"
        if span.ends_at is not None and span.ends_at < day_end
        else ""
    )
    if span.ends_at is not None and span.ends_at == day_end:
        ends = "24:00"
    label = "Booked" if span.kind == "booking" else "Out"
    return Entry(span.kind, label, span.who, starts, ends, span.note)


def week(asset: Asset, monday: date, zone: tzinfo, now: datetime) -> dict:
    """The grid of `asset`'s week starting on `monday` (a local date)."""
    monday = week_of(monday)
    days = [monday + timedelta(days=n) for n in range(7)]
    edges = [reservation_moments.to_utc(d, time(0), zone) for d in [*days, monday + timedelta(7)]]
    start, end = edges[0], edges[-1]
    spans = sorted(
        _bookings(asset, start, end, now) + _loans(asset, start, end, zone, now),
        key=lambda s: s.starts_at,
    )
    today = reservation_moments.local(now, zone).date()
    grid = []
    for n, day in enumerate(days):
        day_start, day_end = edges[n], edges[n + 1]
        entries = [
            _entry(s, day_start, day_end, zone)
            for s in spans
            if s.starts_at < day_end and (s.ends_at is None or s.ends_at > day_start)
        ]
        grid.append(Day(day, day == today, entries))
    return {
        "asset": asset,
        "days": grid,
        "monday": monday,
        "sunday": days[-1],
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "this_week": week_of(today),
    }
