"""The reservation rules, spelled once: what may be reserved, for how long and
how far ahead (the policy), by whom for whom, what counts as overlapping, what
is free, when an unstarted booking lapses, whether a check-out would run into
someone's booking, and which bookings the calendar feeds show and who renews
which feed.

Stored times are naive UTC; a `zone` is the organisation's time zone, in which
people type and read times and in which due dates are days (moments.py converts
and words them; settings.py reads the saved policy). The service
(reservations.py), the feeds, custody's check-out and the pages ask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from peewee import JOIN, fn

from ..errors import Forbidden, Invalid
from ..models import Asset, Reservation, ReservationItem, User
from ..prepared import Prepared
from ..register.rules import in_service, in_service_sql, is_lead
from .moments import end_of_day, local, moment_text, period_text

# Holding its items: booked (waiting for its start) or started (checked out).
ACTIVE = ("booked", "started")
STATE_LABELS = {
    "booked": "Booked",
    "started": "Started",
    "ended": "Ended",
    "cancelled": "Cancelled",
    "lapsed": "Lapsed",
}
NOTE_MAX = 500

# The policy's defaults and limits (the Settings page edits them; settings.py reads them).
AHEAD_DAYS, MAX_AHEAD_DAYS = 90, 3650
LONGEST_DAYS, MAX_LONGEST_DAYS = 14, 365
LAPSE_MINUTES, MAX_LAPSE_MINUTES = 120, 7 * 24 * 60
# The person may start their booking this long before its start.
START_EARLY = timedelta(hours=1)


@dataclass(frozen=True)
class Policy:
    ahead_days: int = AHEAD_DAYS  # the latest end, counted from now
    longest_days: int = LONGEST_DAYS  # the longest booking
    lapse_minutes: int = LAPSE_MINUTES  # unstarted this long after its start: lapsed
    closed: frozenset[int] = frozenset()  # ids of categories that cannot be reserved

    @property
    def lapse(self) -> timedelta:
        return timedelta(minutes=self.lapse_minutes)


def current_policy() -> Policy:
    """The rules in force, from what the Settings page saved."""
    # Imported here: ops.settings and .settings (which reads the saved values
    # into a Policy) both build on this module.
    from ..ops import settings as saved_settings
    from .settings import policy

    return policy(saved_settings.saved())


# What may be booked, when and by whom.


def period_errors(start: datetime, end: datetime, now: datetime, rules: Policy) -> dict[str, str]:
    """What is wrong with a period (field: message); empty when it is allowed."""
    if end <= start:
        return {"ends_at": "The end must be after the start."}
    if end <= now:
        return {"ends_at": "That period is over. Choose a time from now on."}
    errors = {}
    if start < now - timedelta(minutes=5):
        errors["starts_at"] = "The start is in the past. Choose a time from now on."
    if end - start > timedelta(days=rules.longest_days):
        errors["ends_at"] = f"A booking lasts at most {_days(rules.longest_days)}."
    elif end > now + timedelta(days=rules.ahead_days):
        errors["ends_at"] = f"Bookings end at most {_days(rules.ahead_days)} from now."
    return errors


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def check_period(start: datetime, end: datetime, now: datetime, rules: Policy) -> None:
    errors = period_errors(start, end, now, rules)
    if errors:
        raise Invalid(errors)


def reservable_refusal(asset: Asset, rules: Policy) -> str | None:
    """Why `asset` cannot be reserved at all, or None."""
    if not in_service(asset):
        return f"{asset.name} is retired."
    if asset.status == "missing":
        return f"{asset.name} is missing."
    if asset.category_id in rules.closed:
        # Named, so a person knows why and which other items are closed too
        # (on the asset page the category comes with the asset: no query).
        return f"{asset.name}: {asset.category.name} cannot be reserved."
    return None


def may_reserve_for(actor: User | None, person: User) -> bool:
    """Anyone for themselves; leads for anyone."""
    return actor is not None and (actor.id == person.id or is_lead(actor))


def require_reserve_for(actor: User | None, person: User) -> None:
    if not may_reserve_for(actor, person):
        raise Forbidden("Members can only reserve for themselves.")


def may_change(actor: User | None, reservation: Reservation) -> bool:
    """The person it is for, whoever made it, and leads."""
    return actor is not None and (
        actor.id in (reservation.person_id, reservation.made_by_id) or is_lead(actor)
    )


def is_lapsed(state: str, starts_at: datetime, now: datetime, rules: Policy) -> bool:
    """Booked, and not started within the lapse time of its start."""
    return state == "booked" and now >= starts_at + rules.lapse


def holds(state: str, starts_at: datetime, now: datetime, rules: Policy) -> bool:
    """Whether a booking still holds its items (a lapsed one frees them even
    before `tagtrail remind` marks it lapsed)."""
    return state in ACTIVE and not is_lapsed(state, starts_at, now, rules)


def in_force(starts_at: datetime, started: bool, now: datetime) -> bool:
    """A holding booking in force now: begun, or started early (its items out
    with its person). One that is not is coming: its items are free until it starts."""
    return started or starts_at <= now


def start_refusal(
    reservation: Reservation, actor: User | None, now: datetime, rules: Policy
) -> str | None:
    """Why `actor` may not start `reservation` now, or None."""
    if actor is None or not (actor.id == reservation.person_id or is_lead(actor)):
        return "Only the person it is for, or a lead, can start this reservation."
    if reservation.state != "booked" or is_lapsed(
        reservation.state, reservation.starts_at, now, rules
    ):
        return f"This reservation is {state_label(reservation, now, rules).lower()}."
    if now < reservation.starts_at - START_EARLY:
        return "This reservation can be started from an hour before its start."
    if now >= reservation.ends_at:
        return "This reservation is over."
    return None


def may_start(reservation: Reservation, actor: User | None, now: datetime, rules: Policy) -> bool:
    return start_refusal(reservation, actor, now, rules) is None


def state_label(reservation: Reservation, now: datetime, rules: Policy) -> str:
    if is_lapsed(reservation.state, reservation.starts_at, now, rules):
        return STATE_LABELS["lapsed"]
    return STATE_LABELS.get(reservation.state, reservation.state)


# The calendar feeds (feed.py): which bookings are events, and who renews which link.

# Booked, started (out with the person) or ended (it happened): in the calendar.
# Cancelled and lapsed ones are left out (feed.py says why).
IN_CALENDAR = ("booked", "started", "ended")
# Bookings that ended longer ago than this are left out, so a feed stays small.
FEED_WINDOW = timedelta(days=30)


def may_renew_person_feed(actor: User | None, person: User) -> bool:
    """Each person renews their own feed."""
    return actor is not None and actor.id == person.id


def may_renew_asset_feed(actor: User | None) -> bool:
    """Leads renew an asset's feed."""
    return actor is not None and is_lead(actor)


def in_calendar(reservation: Reservation, now: datetime, rules: Policy) -> bool:
    """Whether a booking is an event in the feeds: it holds or held its items
    (a booked one past its lapse time is lapsed, even before `tagtrail remind`)."""
    return reservation.state in IN_CALENDAR and not is_lapsed(
        reservation.state, reservation.starts_at, now, rules
    )


# Overlap: the one test every booking, change and check-out goes through.


def _overlap(assets, start: datetime, end: datetime | None):
    condition = (
        assets
        & (ReservationItem.active == True)  # noqa: E712 (peewee builds SQL from ==)
        & (ReservationItem.ends_at > start)
    )
    if end is not None:
        condition &= ReservationItem.starts_at < end
    return (
        ReservationItem.select(ReservationItem, Reservation, User)
        .join(Reservation, JOIN.INNER, on=(ReservationItem.reservation == Reservation.id))
        .join(User, JOIN.INNER, on=(Reservation.person == User.id))
        .where(condition)
        .order_by(ReservationItem.starts_at, ReservationItem.id)
    )


def overlapping(asset_ids, start: datetime, end: datetime | None):
    """Active bookings of these assets that overlap [start, end) (end None: for
    good), with their reservation and person joined, soonest first. One lookup in
    reservation_item's (asset, active, ends_at) index per asset."""
    return _overlap(ReservationItem.asset.in_(list(asset_ids)), start, end)


def one_overlapping(asset_id, start, end):
    """`overlapping` of one asset, as a query to build on (see `overlaps`)."""
    return _overlap(ReservationItem.asset == asset_id, start, end)


# One asset's overlaps (every Reserve form, check-out and asset page asks), with
# the SQL built once.
@Prepared
def _one_overlapping(asset_id, start, end):
    return one_overlapping(asset_id, start, end)


@Prepared
def _one_overlapping_for_good(asset_id, start, limit):
    return one_overlapping(asset_id, start, None).limit(limit)


LOOKED_AT = 50  # of one item's bookings from a moment on: more than any page shows


def overlaps(asset_ids, start: datetime, end: datetime | None) -> list[ReservationItem]:
    """`overlapping`'s rows; for one asset with no end, the soonest LOOKED_AT."""
    ids = list(asset_ids)
    if len(ids) != 1:
        return list(overlapping(ids, start, end))
    if end is None:
        return _one_overlapping_for_good(ids[0], start, LOOKED_AT)
    return _one_overlapping(ids[0], start, end)


def clashes(
    asset_ids,
    start: datetime,
    end: datetime | None,
    now: datetime,
    rules: Policy,
    *,
    besides: int | None = None,
    not_for: int | None = None,
) -> list[ReservationItem]:
    """Bookings that hold these assets during [start, end), except reservation
    `besides` (the one being changed) and bookings for person `not_for`."""
    return [
        item
        for item in overlaps(asset_ids, start, end)
        if holds(item.reservation.state, item.reservation.starts_at, now, rules)
        and item.reservation_id != besides
        and item.reservation.person_id != not_for
    ]


def clash_message(item: ReservationItem, asset: Asset, zone: tzinfo, now: datetime) -> str:
    booking = item.reservation
    return (
        f"{asset.name} is reserved by {booking.person.name}, "
        f"{period_text(booking.starts_at, booking.ends_at, zone, now)}. "
        f"It is free from {moment_text(booking.ends_at, zone, now)}."
    )


def due_at(asset: Asset, items) -> datetime | None:
    """When `asset` is due back to the minute: the end of the started booking its
    holder took it out for, among `items` (the asset's booking items, their
    reservation joined, as `overlapping` gives them); None when it is not out for
    one (its due date, a day, then says). Overdue stays by day (custody's rule)."""
    ends = [
        item.reservation.ends_at
        for item in items
        if item.reservation.state == "started" and item.reservation.person_id == asset.holder_id
    ]
    return max(ends) if ends and asset.holder_id else None


def out_until(asset: Asset, zone: tzinfo, now: datetime, rules: Policy) -> datetime | None:
    """When a held item is back at the latest: the end of its booking if the
    holder took it for one, else the end of its due date; None for no due date
    (out for good, as far as anyone knows)."""
    booked_end = due_at(asset, overlaps([asset.id], now, None))
    if booked_end is not None:
        return max(booked_end, now)
    return end_of_day(asset.due_back, zone) if asset.due_back else None


def out_with_other(asset: Asset, person_id: int | None) -> bool:
    """Someone other than `person_id` (None: anyone) has `asset` out: then
    `held_refusal` refuses every period from now, overdue or not (no lookup)."""
    return bool(asset.holder_id) and asset.holder_id != person_id


def held_refusal(
    asset: Asset, person_id: int | None, start: datetime, zone: tzinfo, now: datetime, rules: Policy
) -> str | None:
    """Why `asset` is not free from `start` for `person_id` (None: for anyone):
    it is out with someone else who has it until after `start`, with no due
    date, or overdue (still out, so free for no period until it comes back).
    `held_sql` is the same test as a condition on Asset."""
    if not out_with_other(asset, person_id):
        return None
    until = out_until(asset, zone, now, rules)
    if until is None or until <= now or until > start:
        return held_message(asset, until, zone, now)
    return None


def held_message(asset: Asset, until: datetime | None, zone: tzinfo, now: datetime) -> str:
    who = asset.holder.name if asset.holder_id else "someone"
    if until is None:
        return f"{asset.name} is out with {who}, with no due date."
    if until <= now:
        due = local(until, zone).date() - timedelta(days=1)
        return f"{asset.name} is out with {who} and overdue: it was due back {due:%a %d %b}."
    return f"{asset.name} is out with {who} until {moment_text(until, zone, now)}."


def check_out_clash(
    asset: Asset,
    holder: User,
    until: datetime | None,
    now: datetime,
    rules: Policy,
) -> ReservationItem | None:
    """The first booking by someone other than `holder` that a check-out of
    `asset` to `holder`, out until `until` (None: no due date), would run into."""
    found = clashes([asset.id], now, until, now, rules, not_for=holder.id)
    return found[0] if found else None


# Availability: free over a period, as one condition on Asset (the register's
# "Free from … to …" filter) and in Python (`is_free`), the same tests the
# service makes before it books.


@dataclass(frozen=True)
class Wanted:
    """A period someone wants an item for, with the clock and rules to judge it by."""

    start: datetime  # naive UTC, like stored times
    end: datetime
    zone: tzinfo
    now: datetime
    rules: Policy


def _holding(now: datetime, rules: Policy):
    """Items of bookings that still hold their assets (`holds`): active, and not
    booked past the lapse time."""
    lapsed = (Reservation.state == "booked") & (Reservation.starts_at <= now - rules.lapse)
    return (
        ReservationItem.select(ReservationItem.id)
        .join(Reservation, JOIN.INNER, on=(ReservationItem.reservation == Reservation.id))
        .where((ReservationItem.active == True) & ~lapsed)  # noqa: E712
    )


def booked_sql(start: datetime, end: datetime, now: datetime, rules: Policy):
    """`clashes` (for anyone) as a condition on Asset: a booking that holds it
    overlaps [start, end). One lookup in the (asset, active, ends_at) index."""
    return fn.EXISTS(
        _holding(now, rules).where(
            (ReservationItem.asset == Asset.id)
            & (ReservationItem.ends_at > start)
            & (ReservationItem.starts_at < end)
        )
    )


def held_sql(start: datetime, zone: tzinfo, now: datetime, rules: Policy):
    """`held_refusal` (for anyone) as a condition on Asset: out with someone until
    after `start`. Until the end of its booking when the holder took it for one
    that has not ended, else until the end of its due date (a due date on or
    after the start's local day), or for good with no due date or when overdue
    (a due date before today's local day)."""
    started = _holding(now, rules).where(
        (ReservationItem.asset == Asset.id)
        & (Reservation.state == "started")
        & (Reservation.person == Asset.holder)
        & (ReservationItem.ends_at > now)
    )
    if now > start:
        past_start = fn.EXISTS(started)
    else:
        past_start = fn.EXISTS(started.where(ReservationItem.ends_at > start))
    by_due = (
        Asset.due_back.is_null()
        | (Asset.due_back >= local(start, zone).date())
        | (Asset.due_back < local(now, zone).date())
    )
    return Asset.holder.is_null(False) & (past_start | (~fn.EXISTS(started) & by_due))


def reservable_sql(rules: Policy):
    """`reservable_refusal` is None, as a condition on Asset."""
    condition = in_service_sql() & (Asset.status != "missing")
    if rules.closed:
        condition &= Asset.category.is_null() | Asset.category.not_in(sorted(rules.closed))
    return condition


def free_sql(wanted: Wanted):
    """`is_free` as a condition on Asset."""
    return (
        reservable_sql(wanted.rules)
        & ~booked_sql(wanted.start, wanted.end, wanted.now, wanted.rules)
        & ~held_sql(wanted.start, wanted.zone, wanted.now, wanted.rules)
    )


def is_free(asset: Asset, wanted: Wanted) -> bool:
    """Anyone could book `asset` for the period: it can be reserved at all, no
    booking holds it then, and nobody has it out past the start."""
    return (
        reservable_refusal(asset, wanted.rules) is None
        and not clashes([asset.id], wanted.start, wanted.end, wanted.now, wanted.rules)
        and held_refusal(asset, None, wanted.start, wanted.zone, wanted.now, wanted.rules) is None
    )
