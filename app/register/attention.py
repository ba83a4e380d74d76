"""What needs attention: the conditions behind the dashboard's lists and the
register's filters, so the count on the dashboard and the full list it links
to can never disagree. Overdue is custody's rule (app/custody/rules.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..custody.servicing import DUE_HORIZON_DAYS
from ..models import Asset, Fault
from .rules import in_service_sql as in_service

WARRANTY_DAYS = 30


def not_seen_parts(days: int, now: datetime):
    """`not_seen` as its two halves (never seen, seen too long ago), each a range
    of one index; the dashboard counts them apart and adds them up."""
    cutoff = now - timedelta(days=days)
    known_long = in_service() & (Asset.created_at < cutoff)
    return (
        known_long & Asset.last_seen_at.is_null(),
        known_long & (Asset.last_seen_at < cutoff),
    )


def not_seen(days: int, now: datetime):
    """In service, and no tick or custody event for `days` (new assets get that long)."""
    never, old = not_seen_parts(days, now)
    return never | old


def has_open_fault():
    open_faults = Fault.select(Fault.asset).where(Fault.closed_at.is_null())
    return Asset.id.in_(open_faults)


def warranty_ending(today: date, days: int = WARRANTY_DAYS):
    """In service, warranty ends between today and `days` days from now (both included);
    an ended warranty is no longer "ending"."""
    return (
        in_service()
        & (Asset.warranty_end >= today)
        & (Asset.warranty_end <= today + timedelta(days=days))
    )


def service_horizon(today: date) -> date:
    return today + timedelta(days=DUE_HORIZON_DAYS)


def service_due(today: date):
    """In service, and the next service date is past or within DUE_HORIZON_DAYS."""
    return in_service() & (Asset.service_due_on <= service_horizon(today))
