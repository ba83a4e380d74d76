"""Across assets: the activity feed, overdue items, and fault photos."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory

from ..custody import reminders
from ..pages import activity as activity_page
from ..permissions import role
from ..templating import local_today
from .helpers import no_store, page_arg

bp = Blueprint("activity", __name__)


@bp.route("/activity")
@role("lead")
def index():
    """Everything that happened, newest first, including reports from the public."""
    page = page_arg()
    events, older = activity_page.feed(page=page)
    return render_template("activity/index.html", events=events, page=page, older=older)


@bp.route("/overdue")
@role("member")
def overdue():
    """Items past their due date (who has them, for how long), then those due back
    today or tomorrow: the lists reminder emails carry, so nothing depends on email."""
    today = local_today()
    due = reminders.lists(today)
    return render_template("activity/overdue.html", rows=due.overdue, soon=due.soon, today=today)


@bp.route("/faults/<int:fault_id>/photo")
@role("member")
def fault_photo(fault_id: int):
    """The photo sent with a fault report (signed-in people only)."""
    photo = activity_page.fault_photo(fault_id)
    if photo is None:
        abort(404)
    folder = Path(current_app.instance_path) / "uploads"
    # Only signed-in people may see it: no cache may keep a copy.
    return no_store(send_from_directory(folder, photo))
