"""Spreadsheet downloads (leads): the whole register, and the history for a date range."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..errors import Invalid
from ..permissions import role
from ..spreadsheets import exports
from ..templating import local_today, site
from .helpers import csv_download, query_date

bp = Blueprint("exports", __name__, url_prefix="/export")


@bp.route("")
@role("lead")
def index():
    """Choose a download: the register, or the history between two dates."""
    return render_template("exports/index.html", errors={}, values=request.args)


@bp.route("/assets.csv")
@role("lead")
def register():
    """Every asset as a CSV file that imports back as it was."""
    name = f"assets-{local_today():%Y%m%d}.csv"
    return csv_download(name, *exports.register_export())


@bp.route("/subscriptions.csv")
@role("lead")
def subscriptions():
    """Every subscription as a CSV file (no licence keys) that imports back as it was."""
    name = f"subscriptions-{local_today():%Y%m%d}.csv"
    return csv_download(name, *exports.subscription_export(local_today()))


@bp.route("/history.csv")
@role("lead")
def history():
    """The event history from one local day to another (both included), as CSV."""
    try:
        start, end = query_date("from"), query_date("to")
        rows = exports.event_rows(start, end, site()["timezone"])
    except Invalid as exc:
        return render_template(
            "exports/index.html", errors=exc.errors, values=request.args
        ), exc.status
    span = f"{start or 'start'}-to-{end or local_today()}"
    return csv_download(f"history-{span}.csv", exports.EVENTS_HEADER, rows)
