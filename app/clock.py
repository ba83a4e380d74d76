"""The time, in the form every timestamp is stored in (naive UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


class LocalDays:
    """The local calendar day of stored (naive UTC) times in a zone, for long lists
    read in time order, such as a report's CSV: each day's span is worked out once
    and the times within it are only compared, where converting each one costs
    more than reading its row.

    A span runs from the time it was worked out for to the next local midnight at
    the same UTC offset, and is only kept when the offset is the same at its end
    (a day on which the clocks change is worked out time by time; no zone changes
    its clocks twice within a day)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.start = self.end = datetime.max
        self.day = date.min

    def __call__(self, moment: datetime) -> date:
        if self.start <= moment < self.end:
            return self.day
        here = moment.replace(tzinfo=UTC).astimezone(self.zone)
        offset = here.utcoffset()
        self.day = here.date()
        end = datetime.combine(self.day + timedelta(days=1), time()) - (offset or timedelta())
        last = (end - timedelta(microseconds=1)).replace(tzinfo=UTC).astimezone(self.zone)
        if last.utcoffset() == offset:
            self.start, self.end = moment, end
        else:
            self.start = self.end = datetime.max
        return self.day
