"""The rules the reports share: which dates a report may be asked about, the
period each report shows when none is chosen, and how idle is counted."""

from __future__ import annotations

from datetime import date, timedelta

# Dates outside these are typing mistakes (a year of 20245), not history.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

UTILISATION_DAYS = 90  # utilisation: the last 90 days, today included
# An asset (or a category) owned for less than this in the period, or than the
# whole period when it is shorter, has no utilisation figure: ten minutes out of
# twelve owned would rank an item added this morning as the most used.
UTILISATION_MIN_OWNED = timedelta(days=1)
_MIN_OWNED_US = UTILISATION_MIN_OWNED // timedelta(microseconds=1)


def has_utilisation(owned_us: int, period_us: int) -> bool:
    """Whether time owned (microseconds) in a period that long (so far) is long
    enough to show a share of: a day, or the whole period if it is shorter."""
    return owned_us > 0 and owned_us >= min(_MIN_OWNED_US, period_us)


MAINTENANCE_DAYS = 365  # maintenance costs: the last year

IDLE_DAYS = 90  # idle assets: not used or moved for this many days
IDLE_DAYS_MAX = 3650  # ten years; more is a typing mistake


def idle_days(last_day: date, today: date) -> int:
    """How long an item has been idle: whole calendar days, in the organisation's
    zone, from the day of its last use (or of its adding) to today, so items last
    used on the same day read the same, whatever the hour."""
    return (today - last_day).days


def idle_since(days: int, today: date) -> date:
    """The first day an item idle for at least `days` days cannot have been used
    on: idle when its last use (or its adding) was before it."""
    return today - timedelta(days=days - 1)
