"""The home page: what I hold and, for leads, what needs attention."""

from __future__ import annotations

from datetime import date

from ..custody import servicing
from ..models import User
from ..register import attention, dashboard, people
from ..register.rules import is_lead


def page(viewer: User, today: date, audit_interval_days: int) -> dict:
    mine, more_mine, summary = people.holdings(viewer), False, None
    if is_lead(viewer):
        # A lead's own items come after the dashboard: a few, then a link.
        mine = list(mine.limit(dashboard.ROWS + 1))
        mine, more_mine = mine[: dashboard.ROWS], len(mine) > dashboard.ROWS
        summary = dashboard.summary(today, audit_interval_days)
    return {
        "mine": list(mine),
        "more_mine": more_mine,
        "summary": summary,
        "today": today,
        "interval": audit_interval_days,
        "unseen_days": dashboard.UNSEEN_DAYS,
        "warranty_days": attention.WARRANTY_DAYS,
        "service_horizon": servicing.DUE_HORIZON_DAYS,
    }
