"""The home page: what I hold and, for leads, what needs attention (and, in a
new organisation, the first steps still to take)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from ..custody import servicing
from ..models import User
from ..receipts import acceptance
from ..register import attention, dashboard, getting_started, people
from ..register.rules import is_lead
from ..replacement import forecast
from ..replacement import rules as replacement_rules


def page(
    viewer: User,
    today: date,
    audit_interval_days: int,
    checklist_dismissed: bool = False,
    *,
    zone: ZoneInfo | None = None,
    thresholds: replacement_rules.Thresholds | None = None,
) -> dict:
    mine, more_mine, summary, replace = people.holdings(viewer), False, None, None
    if is_lead(viewer):
        # A lead's own items come after the dashboard: a few, then a link.
        mine = list(mine.limit(dashboard.ROWS + 1))
        mine, more_mine = mine[: dashboard.ROWS], len(mine) > dashboard.ROWS
        # Leads and admins can take the first steps; the dashboard's counting
        # query counts them too, until someone hides the list.
        # "Due for replacement this quarter": the items whose life ends by then are
        # counted in the dashboard's query; the others due, in one more.
        summary = dashboard.summary(
            today,
            audit_interval_days,
            first_steps=not checklist_dismissed,
            extra=forecast.counted_by_life(today),
        )
        replace = forecast.this_quarter(
            today,
            zone or ZoneInfo("UTC"),
            thresholds or replacement_rules.Thresholds(),
            summary.extra,
        )
    mine = list(mine)
    return {
        "checklist": getting_started.steps(summary.started if summary else None),
        "mine": mine,
        # Handovers to accept: asked only when something held may be waiting, so
        # home keeps its query budget.
        "waiting": (
            acceptance.waiting_for(viewer)
            if more_mine or any(a.awaiting_since for a in mine)
            else []
        ),
        "more_mine": more_mine,
        "summary": summary,
        "replace": replace,
        "today": today,
        "interval": audit_interval_days,
        "unseen_days": dashboard.UNSEEN_DAYS,
        "warranty_days": attention.WARRANTY_DAYS,
        "service_horizon": servicing.DUE_HORIZON_DAYS,
    }
