"""The time, in the form every timestamp is stored in (naive UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

_STORED_LENGTHS = (19, 26)  # str(datetime): seconds, or with microseconds


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """A stored (naive UTC) time as the time it was in `zone`."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


class LocalDays:
    """The local calendar day of stored (naive UTC) times in a zone, for long lists
    such as a report's CSV: each day's span is worked out once and the times
    within it are only compared, where converting each one costs more than
    reading its row.

    A whole local day at one UTC offset is kept, found by the UTC dates it
    touches, so times in any order are looked up (a list by cost visits each
    day again and again); the span last used is tried first (a list in time
    order stays in it). A day on which the clocks change keeps the span from
    the time it was worked out for to its end when the offset is the same
    there, and otherwise is worked out time by time (no zone changes its
    clocks twice within a day)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.start = self.end = datetime.max
        self.day = date.min
        self.spans: dict[date, list[tuple[datetime, datetime, date]]] = {}

    def _offset(self, moment: datetime) -> timedelta | None:
        return moment.replace(tzinfo=UTC).astimezone(self.zone).utcoffset()

    def __call__(self, moment: datetime) -> date:
        if self.start <= moment < self.end:
            return self.day
        for start, end, day in self.spans.get(moment.date(), ()):
            if start <= moment < end:
                self.start, self.end, self.day = start, end, day
                return day
        here = moment.replace(tzinfo=UTC).astimezone(self.zone)
        offset = here.utcoffset()
        self.day = here.date()
        shift = offset or timedelta()
        begin = datetime.combine(self.day, time()) - shift
        end = datetime.combine(self.day + timedelta(days=1), time()) - shift
        if self._offset(end - timedelta(microseconds=1)) != offset:
            self.start = self.end = datetime.max
        elif self._offset(begin) != offset:
            self.start, self.end = moment, end
        else:  # the whole day at one offset: kept
            self.start, self.end = begin, end
            span = (begin, end, self.day)
            for utc_day in {begin.date(), (end - timedelta(microseconds=1)).date()}:
                self.spans.setdefault(utc_day, []).append(span)
        return self.day


class StoredDays:
    """The local day of each stored time, for long lists read in any order, as
    the database driver hands the times over (SQLite: text; PostgreSQL:
    datetime), such as the idle report's CSV.

    A day is worked out for the first time in it, and the other times within
    that day are only compared: at 70,000 rows, converting each one cost a
    third of the file. Text is compared only in the form the database keeps
    (str(datetime): "2026-03-01 09:30:00[.000000]"), in which its order is the
    time's; any other text is converted."""

    def __init__(self, zone: tzinfo) -> None:
        self.local_day = LocalDays(zone)
        self.lo = self.hi = datetime.max  # [lo, hi): times on `day`
        self.lo_text = self.hi_text = ""
        self.day = date.min

    def __call__(self, stored: str | datetime) -> date:
        if type(stored) is str:
            if (
                self.lo_text <= stored < self.hi_text
                and len(stored) in _STORED_LENGTHS
                and stored[10] == " "
            ):
                return self.day
            moment = datetime.fromisoformat(stored)
        else:
            if self.lo <= stored < self.hi:
                return self.day
            moment = stored
        self.day = self.local_day(moment)
        if self.local_day.start <= moment < self.local_day.end:  # the day's span is kept
            self.lo, self.hi = self.local_day.start, self.local_day.end
        else:  # a day when the clocks change: this time only
            self.lo = self.hi = moment
        self.lo_text, self.hi_text = str(self.lo), str(self.hi)
        return self.day
