"""The rules the reports share: which dates a report may be asked about, the
period each report shows when none is chosen, and how long "idle" may be."""

from __future__ import annotations

from datetime import date

# Dates outside these are typing mistakes (a year of 20245), not history.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

UTILISATION_DAYS = 90  # utilisation: the last 90 days, today included
MAINTENANCE_DAYS = 365  # maintenance costs: the last year

IDLE_DAYS = 90  # idle assets: not used or moved for this many days
IDLE_DAYS_MAX = 3650  # ten years; more is a typing mistake
