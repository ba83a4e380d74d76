"""Times of bookings: typed and shown in the organisation's time zone, stored as
naive UTC. Converting between the two, reading the dates and times a form sent,
and the words a booking's times read as ("Tue 14:00"). No rules: what a period
may be is rules.py's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..clock import in_zone as local  # a stored time as it was in the zone
from ..errors import Invalid


def to_utc(day: date, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def moment_text(moment: datetime, zone: tzinfo, now: datetime) -> str:
    """ "Tue 14:00" within six days either side of now, else "Tue 03 Feb 14:00"."""
    when = local(moment, zone)
    if abs(moment - now) < timedelta(days=6):
        return f"{when:%a %H:%M}"
    return f"{when:%a %d %b %H:%M}"


def period_text(start: datetime, end: datetime, zone: tzinfo, now: datetime) -> str:
    """ "Thu 14:00 – Sat 17:00"; within one day "Tue 09:00 – 17:00"."""
    if local(start, zone).date() == local(end, zone).date():
        return f"{moment_text(start, zone, now)} – {local(end, zone):%H:%M}"
    return f"{moment_text(start, zone, now)} – {moment_text(end, zone, now)}"


def due_day(end: datetime, zone: tzinfo) -> date:
    """The due date a started booking's items get: the local day it ends on."""
    return local(end, zone).date()


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """When an item due back on `day` is due at the latest (the day is overdue after)."""
    return to_utc(day + timedelta(days=1), time(0), zone)


def local_moment(day: date | None, clock: str, field: str, zone: tzinfo) -> datetime:
    """A date and an "HH:MM" from a form, in the organisation's zone, as UTC."""
    if day is None:
        raise Invalid({field: "Give a date."})
    try:
        parsed = time.fromisoformat(clock.strip()) if clock.strip() else time(0)
    except ValueError:
        raise Invalid({field: "Give a time such as 14:00."}) from None
    return to_utc(day, parsed.replace(second=0, microsecond=0), zone)


def asked_period(
    from_day: date | None, from_clock: str, to_day: date | None, to_clock: str, zone: tzinfo
) -> tuple[datetime, datetime]:
    """The period typed as two dates and times in the organisation's zone, as
    UTC; Invalid (field: message) when a part is missing or the end is not after
    the start. A date with no time is the whole day: "from" its start, "to" its
    end, so from Tue to Tue is all of Tuesday."""
    errors: dict[str, str] = {}
    moments = []
    for field, day, clock in (("free_from", from_day, from_clock), ("free_to", to_day, to_clock)):
        try:
            if field == "free_to" and day is not None and not clock.strip():
                moments.append(end_of_day(day, zone))
            else:
                moments.append(local_moment(day, clock, field, zone))
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    start, end = moments
    if end <= start:
        raise Invalid({"free_to": "The end must be after the start."})
    return start, end
