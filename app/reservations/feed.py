"""Calendar feeds of reservations: each person and each asset has an iCalendar
(.ics) feed at a secret link, for Google Calendar, Outlook and Apple Calendar
to subscribe to.

The link carries a random token (secrets.token_urlsafe, 256 bits); the table
keeps only its SHA-256 hash, so a copy of the database or a backup opens no
one's calendar. Renewing a link replaces the hash: the old link stops working
at once. A deactivated person's feed answers as an unknown link.

What a feed shows (the feed's rules live in rules.py: `in_calendar`,
`FEED_WINDOW`, who may renew which link): bookings that hold or held their
items, booked, started or ended, from FEED_WINDOW ago onwards.
Cancelled and lapsed ones are left out: a subscribed calendar re-reads the
whole feed and drops what is gone, which every calendar app handles, whereas
STATUS:CANCELLED in a subscription is shown as a normal event by some. Times
carry the organisation's time zone (TZID with its VTIMEZONE), so an event
reads as it was booked; each event's UID is the reservation's, so a changed
booking replaces its event, and SEQUENCE is its version.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vDuration
from peewee import IntegrityError

from ..database import write
from ..errors import Forbidden, NotFound
from ..models import Asset, CalendarFeed, Reservation, ReservationItem, User, utcnow
from . import listing, moments, rules

# At most this many events, the soonest to end first after the window's start.
MOST_EVENTS = 500
TOKEN_BYTES = 32
# What a token we make looks like (43 URL-safe characters), with room to spare:
# anything else is refused before hashing.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")
NAMES_IN_SUMMARY = 3
PRODID = "-//tagtrail//Reservations//EN"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Making, renewing and finding feeds.


def _renew(where, fields: dict, now: datetime) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    for attempt in (1, 2):
        try:
            with write():
                feed = CalendarFeed.get_or_none(where)
                if feed is None:
                    CalendarFeed.create(token_hash=token_hash(token), created_at=now, **fields)
                else:
                    feed.token_hash, feed.created_at = token_hash(token), now
                    feed.save()
            return token
        except IntegrityError:
            # On PostgreSQL two first links for one person can race: the loser's
            # insert meets the unique index, and the second try renews the winner's.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def renew_person_feed(actor: User, person: User, now: datetime | None = None) -> str:
    """A new secret link token for `person`'s feed; the old one stops working."""
    if not rules.may_renew_person_feed(actor, person):
        raise Forbidden("You can only get the calendar link of your own reservations.")
    return _renew(CalendarFeed.person == person.id, {"person": person.id}, now or utcnow())


def renew_asset_feed(actor: User, asset: Asset, now: datetime | None = None) -> str:
    """A new secret link token for `asset`'s feed; the old one stops working."""
    if not rules.may_renew_asset_feed(actor):
        raise Forbidden("Only leads can get an item's calendar link.")
    return _renew(CalendarFeed.asset == asset.id, {"asset": asset.id}, now or utcnow())


def find(token: str) -> CalendarFeed | None:
    """The feed whose link carries `token`, or None (unknown, renewed since, or
    its person deactivated)."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    feed = CalendarFeed.get_or_none(CalendarFeed.token_hash == token_hash(token))
    if feed is None:
        return None
    if feed.person_id is not None and not feed.person.active:
        return None
    return feed


# The calendar.


@dataclass(frozen=True)
class Entry:
    """One event: a booking, as one feed shows it; `kit`: the name of the kit
    booked, if the booking was made for one."""

    reservation: Reservation
    assets: list[Asset]

    @property
    def kit(self) -> str:
        return listing.kit_name(self.reservation)


def _person_entries(person_id: int, since: datetime, now, policy) -> list[Entry]:
    found = [
        r
        for r in listing.with_kit(Reservation.select(Reservation))
        .where(
            Reservation.person == person_id,
            Reservation.state.in_(rules.IN_CALENDAR),
            Reservation.ends_at > since,
        )
        .order_by(Reservation.ends_at, Reservation.id)
        .limit(MOST_EVENTS)
        if rules.in_calendar(r, now, policy)
    ]
    assets: dict[int, list[Asset]] = {r.id: [] for r in found}
    if found:
        for item in (
            ReservationItem.select(ReservationItem, Asset)
            .join(Asset)
            .where(ReservationItem.reservation.in_(list(assets)))
            .order_by(Asset.name, Asset.id)
        ):
            assets[item.reservation_id].append(item.asset)
    return [Entry(r, assets[r.id]) for r in found]


def _asset_entries(asset: Asset, since: datetime, now, policy) -> list[Entry]:
    items = (
        listing.with_kit(
            ReservationItem.select(ReservationItem, Reservation, User)
            .join(Reservation, on=(ReservationItem.reservation == Reservation.id))
            .join(User, on=(Reservation.person == User.id))
        )
        .where(
            ReservationItem.asset == asset.id,
            Reservation.state.in_(rules.IN_CALENDAR),
            Reservation.ends_at > since,
        )
        .order_by(Reservation.ends_at, Reservation.id)
        .limit(MOST_EVENTS)
    )
    return [
        Entry(i.reservation, [asset])
        for i in items
        if rules.in_calendar(i.reservation, now, policy)
    ]


def _names(assets: list[Asset]) -> str:
    names = [a.name for a in assets[:NAMES_IN_SUMMARY]]
    more = len(assets) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _domain(public_url: str) -> str:
    return urlsplit(public_url).hostname or "tagtrail.invalid"


def _event(
    entry: Entry,
    summary: str,
    uid: str,
    zone: tzinfo,
    link: Callable[[str], str],
    now: datetime,
) -> Event:
    r = entry.reservation
    event = Event()
    event.add("uid", uid)
    event.add("sequence", r.version)
    event.add("dtstamp", now.replace(tzinfo=UTC))
    event.add("created", r.created_at.replace(tzinfo=UTC))
    event.add("summary", summary)
    event.add("dtstart", moments.local(r.starts_at, zone))
    event.add("dtend", moments.local(r.ends_at, zone))
    event.add("status", "CONFIRMED")
    lines = [r.note] if r.note else []
    if entry.kit:  # the kit first, then its items
        lines.append(f"{entry.kit}: {link(r.kit.code)}")
    lines += [f"{a.name}: {link(a.code)}" for a in entry.assets]
    if lines:
        event.add("description", "\n".join(lines))
    if entry.kit:
        event.add("url", link(r.kit.code))
    elif len(entry.assets) == 1:
        event.add("url", link(entry.assets[0].code))
    return event


def _calendar(name: str, events: list[Event]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    # How often to look again: Apple and Outlook read these; Google chooses its own.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(timedelta(hours=1)))  # PT1H, not "1:00:00"
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()  # a VTIMEZONE for the organisation's zone
    return calendar.to_ical()


def calendar(
    feed: CalendarFeed,
    *,
    zone: tzinfo,
    public_url: str,
    link: Callable[[str], str],
    org_name: str = "",
    now: datetime | None = None,
) -> bytes:
    """The feed's calendar, as .ics bytes. `link(code)` is an asset page's
    address for someone elsewhere; `public_url` names the events' UIDs."""
    now = now or utcnow()
    policy = rules.current_policy()
    since = now - rules.FEED_WINDOW
    domain = _domain(public_url)
    prefix = f"{org_name}: " if org_name else ""
    if feed.person_id is not None:
        person = feed.person
        events = [
            _event(
                e,
                f"Reserved: {e.kit or _names(e.assets)}",
                f"reservation-{e.reservation.id}@{domain}",
                zone,
                link,
                now,
            )
            for e in _person_entries(person.id, since, now, policy)
        ]
        return _calendar(f"{prefix}{person.name}'s reservations", events)
    asset = feed.asset
    if asset is None:
        raise NotFound("This calendar link is not in use.")
    events = [
        _event(
            e,
            f"{e.kit}: reserved by {e.reservation.person.name}"
            if e.kit
            else f"Reserved by {e.reservation.person.name}",
            f"reservation-{e.reservation.id}-{asset.code}@{domain}",
            zone,
            link,
            now,
        )
        for e in _asset_entries(asset, since, now, policy)
    ]
    return _calendar(f"{prefix}{asset.name} ({asset.code}): reservations", events)
