"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from ..custody import servicing
from ..permissions import public, role
from ..register import dashboard, people
from ..templating import local_today, site

bp = Blueprint("home", __name__)


@bp.route("/")
@role("member")
def index():
    """Start here: what I hold and, for leads, what needs attention."""
    today = local_today()
    mine, more_mine, summary = people.holdings(current_user), False, None
    if current_user.has_role("lead"):
        # A lead's own items come after the dashboard: a few, then a link.
        mine = list(mine.limit(dashboard.ROWS + 1))
        mine, more_mine = mine[: dashboard.ROWS], len(mine) > dashboard.ROWS
        summary = dashboard.summary(today, site()["audit_interval_days"])
    return render_template(
        "home/index.html",
        mine=list(mine),
        more_mine=more_mine,
        summary=summary,
        today=today,
        interval=site()["audit_interval_days"],
        unseen_days=dashboard.UNSEEN_DAYS,
        warranty_days=dashboard.attention.WARRANTY_DAYS,
        service_horizon=servicing.DUE_HORIZON_DAYS,
    )


@bp.route("/healthz")
@public
def healthz():
    """Liveness for monitors and the benchmark reference: never touches the database."""
    return current_app.response_class("ok\n", mimetype="text/plain")
