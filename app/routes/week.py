"""One asset's week: its bookings and loans day by day (no JavaScript)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from ..clock import utcnow
from ..errors import Invalid
from ..pages import week as week_page
from ..permissions import role
from ..templating import local_today, local_zone
from .helpers import asset_or_404, query_date

bp = Blueprint("week", __name__)


@bp.route("/A/<code>/week")
@role("member")
def asset_week(code: str):
    """The week holding `?week=YYYY-MM-DD` (default this week)."""
    asset = asset_or_404(code)
    try:
        day = query_date("week") or local_today()
    except Invalid:
        abort(400, description="Give the week as a date, YYYY-MM-DD.")
    return render_template("week/asset.html", **week_page.week(asset, day, local_zone(), utcnow()))
