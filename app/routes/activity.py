"""Across assets: the activity feed, overdue items, and fault photos."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory

from ..custody import reminders
from ..models import Asset, Event, Fault, Location
from ..permissions import role
from ..register import events
from ..register.events import one_page
from ..templating import local_today
from .helpers import int_arg

bp = Blueprint("activity", __name__)

PER_PAGE = 50


def feed(*conditions, page: int = 1) -> tuple[list[Event], bool]:
    """One page of events newest first (asset, actor, holder and location joined in
    one query), and whether older ones exist."""
    Actor, Holder = events.people_and_place()
    query = events.in_context(
        Event.select(Event, Asset, Actor, Holder, Location),
        Actor,
        Holder,
    )
    for condition in conditions:
        query = query.where(condition)
    return one_page(query.order_by(Event.at.desc(), Event.id.desc()), page, PER_PAGE)


@bp.route("/activity")
@role("lead")
def index():
    """Everything that happened, newest first, including reports from the public."""
    page = max(int_arg("page") or 1, 1)
    events, older = feed(page=page)
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
    fault = Fault.get_or_none(Fault.id == fault_id)
    if fault is None or not fault.photo:
        abort(404)
    folder = Path(current_app.instance_path) / "uploads"
    response = send_from_directory(folder, fault.photo, max_age=3600)
    # Only signed-in people may see it: a shared proxy must not keep a copy.
    response.cache_control.public = False
    response.cache_control.private = True
    return response
