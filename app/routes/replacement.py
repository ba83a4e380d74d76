"""The replacement plan (leads): what is due for replacement and why, and the
forecast of the next eight quarters, each a page section and a CSV."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..clock import utcnow
from ..permissions import role
from ..replacement import coming as replacement_coming
from ..replacement import forecast as replacement_forecast
from ..replacement import plan as replacement_plan
from ..replacement import settings as replacement_settings
from ..spreadsheets import report_lines
from ..spreadsheets.csvfiles import money
from ..templating import local_today, local_zone, site
from .helpers import csv_download, page_arg

bp = Blueprint("replacement", __name__, url_prefix="/reports")


def _plan() -> replacement_plan.Plan:
    thresholds = replacement_settings.thresholds(site())
    return replacement_plan.plan(local_today(), local_zone(), thresholds, site()["currency"])


@bp.route("/replacement")
@role("lead")
def page():
    """What is due for replacement and why, and what the next eight quarters will cost."""
    plan = _plan()
    due = plan.page(page_arg(), utcnow())
    outlook = replacement_forecast.forecast(
        local_today(), local_zone(), plan.thresholds, plan.due_active
    )
    coming = replacement_coming.by_next_quarter_end(local_today())
    return render_template("reports/replacement.html", due=due, forecast=outlook, coming=coming)


@bp.route("/replacement.csv")
@role("lead")
def due_csv():
    """Every item due for replacement, with its figures and reasons."""
    lines = report_lines.due(_plan().csv_rows(utcnow()))
    name = f"replacement-due-{local_today()}.csv"
    return csv_download(name, report_lines.DUE_HEADER, lines=lines)


@bp.route("/replacement-forecast.csv")
@role("lead")
def forecast_csv():
    """The forecast: items coming due and their cost per quarter, by category and by team."""
    thresholds = replacement_settings.thresholds(site())
    outlook = replacement_forecast.forecast(local_today(), local_zone(), thresholds)
    header = ["By", "Name", "Quarter", "First day", "Last day", "Items", "Cost", "Without cost"]
    rows = []
    for by, lines in (("All", [outlook.total]), ("Category", outlook.categories),
                      ("Team", outlook.teams)):  # fmt: skip
        for line in lines:
            for quarter, cell in zip(outlook.quarters, line.cells, strict=True):
                rows.append(
                    (by, line.name, quarter.label, quarter.first_day, quarter.last_day,
                     cell.items, money(cell.cost_cents), cell.no_cost)
                )  # fmt: skip
    return csv_download(f"replacement-forecast-{local_today()}.csv", header, rows)
