"""Reports for leads: each one a page and a CSV of the same figures."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from ..clock import utcnow
from ..errors import Invalid
from ..permissions import role
from ..reports import breakdown, common, maintenance_costs, rules, subscription_spend, waste
from ..reports import idle as reports_idle
from ..reports import utilisation as utilisation_report
from ..reports import value as reports_value
from ..spreadsheets import report_lines
from ..spreadsheets.csvfiles import money
from ..templating import local_today, local_zone, localtime
from .helpers import csv_download, page_arg

bp = Blueprint("reports", __name__, url_prefix="/reports")

DATE = "%Y-%m-%d"


def _page_number() -> int:
    return page_arg()


def _per_page() -> int:
    return current_app.config["PAGE_SIZE"]


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    """A query argument that must be one of `allowed` (the first is the default)."""
    value = request.args.get(name, "") or allowed[0]
    if value not in allowed:
        abort(400, description=f"'{name}' must be one of: {', '.join(allowed)}.")
    return value


def _csv_params(parse):
    """Parameters for a CSV: a refusal is a 400 with the reason, not a page."""
    try:
        return parse()
    except Invalid as exc:
        abort(400, description=" ".join(exc.errors.values()))


def _refused(template: str, exc: Invalid, **context):
    return render_template(template, errors=exc.errors, args=request.args, **context), 422


def _period(days: int) -> common.Period:
    args = request.args
    return common.parse_period(args.get("from"), args.get("to"), today=local_today(), days=days)


@bp.route("", strict_slashes=False)
@role("lead")
def index():
    """The list of reports."""
    return render_template("reports/index.html")


@bp.route("/assets")
@role("lead")
def assets():
    """How many assets, and what they cost, per location, category, holder or team."""
    by = _choice("by", tuple(breakdown.GROUPINGS))
    return render_template("reports/assets.html", report=breakdown.breakdown(by))


@bp.route("/assets.csv")
@role("lead")
def assets_csv():
    """The assets-by table as a spreadsheet."""
    report = breakdown.breakdown(_choice("by", tuple(breakdown.GROUPINGS)))
    header = [breakdown.GROUPINGS[report.by], "In service", "Cost", "Without cost", "Retired"]
    header.append("Missing (of those in service)")
    rows = [
        (g.path or g.name, g.in_service, money(g.cost_cents), g.no_cost, g.retired, g.missing)
        for g in [*report.groups, report.total]
    ]
    return csv_download(f"assets-by-{report.by}-{local_today()}.csv", header, rows)


@bp.route("/idle")
@role("lead")
def idle():
    """In-service items nobody has used or moved for N days."""
    try:
        days = common.parse_idle_days(request.args.get("days"))
    except Invalid as exc:
        return _refused(
            "reports/idle.html", exc, page=None, days=None, max_days=rules.IDLE_DAYS_MAX
        )
    page = reports_idle.idle(days, local_today(), local_zone(), _page_number(), _per_page())
    return render_template(
        "reports/idle.html",
        page=page,
        days=days,
        max_days=rules.IDLE_DAYS_MAX,
        errors={},
        args={},
    )


@bp.route("/idle.csv")
@role("lead")
def idle_csv():
    """Every idle item as a spreadsheet."""
    days = _csv_params(lambda: common.parse_idle_days(request.args.get("days")))
    rows = reports_idle.idle_all(days, local_today(), local_zone())
    lines = report_lines.idle(rows)
    header = report_lines.IDLE_HEADER
    return csv_download(f"idle-{days}-days-{local_today()}.csv", header, lines=lines)


@bp.route("/utilisation")
@role("lead")
def utilisation():
    """Days checked out over days owned, per category and per asset, for a period."""
    try:
        period = _period(rules.UTILISATION_DAYS)
    except Invalid as exc:
        return _refused("reports/utilisation.html", exc, report=None)
    report = utilisation_report.utilisation(period, local_zone(), utcnow())
    page = common.page_of(report.assets, _page_number(), _per_page())
    return render_template("reports/utilisation.html", report=report, page=page, errors={}, args={})


@bp.route("/utilisation.csv")
@role("lead")
def utilisation_csv():
    """Utilisation per asset (table=assets) or per category (table=categories)."""
    table = _choice("table", ("assets", "categories"))
    period = _csv_params(lambda: _period(rules.UTILISATION_DAYS))
    name = f"utilisation-{table}-{period.start}-to-{period.end}.csv"
    if table == "assets":
        rows = utilisation_report.asset_rows(period, local_zone(), utcnow())
        lines = report_lines.utilisation(rows)
        return csv_download(name, report_lines.UTILISATION_HEADER, lines=lines)
    report = utilisation_report.utilisation(period, local_zone(), utcnow())
    header = ["Category", "Assets", "Days owned", "Days checked out", "Utilisation %"]
    rows = [
        (u.name, u.assets, u.owned_days, u.out_days, u.percent)
        for u in [*report.categories, report.total]
    ]
    return csv_download(name, header, rows)


@bp.route("/maintenance")
@role("lead")
def maintenance():
    """Repairs and services with their costs, per asset or job by job, for a period."""
    view = _choice("view", ("assets", "jobs"))
    try:
        period = _period(rules.MAINTENANCE_DAYS)
    except Invalid as exc:
        return _refused("reports/maintenance.html", exc, report=None, view=view)
    report = maintenance_costs.maintenance(period, local_zone())
    rows = report.per_asset if view == "assets" else report.every_job
    page = common.page_of(rows, _page_number(), _per_page())
    return render_template(
        "reports/maintenance.html", report=report, page=page, view=view, errors={}, args={}
    )


@bp.route("/maintenance.csv")
@role("lead")
def maintenance_csv():
    """Maintenance costs per asset (view=assets) or every job (view=jobs)."""
    view = _choice("view", ("assets", "jobs"))
    period = _csv_params(lambda: _period(rules.MAINTENANCE_DAYS))
    zone = local_zone()
    name = f"maintenance-{view}-{period.start}-to-{period.end}.csv"
    if view == "jobs":
        lines = report_lines.maintenance_jobs(maintenance_costs.job_rows(period, zone))
        return csv_download(name, report_lines.MAINTENANCE_JOBS_HEADER, lines=lines)
    report = maintenance_costs.maintenance(period, zone)
    rows = maintenance_costs.asset_rows(period, zone)
    lines = report_lines.maintenance_assets(rows, report.jobs, report.cost_cents)
    return csv_download(name, report_lines.MAINTENANCE_ASSETS_HEADER, lines=lines)


def _as_of():
    return common.parse_date(request.args.get("as_of"), "as_of", local_today())


@bp.route("/value")
@role("lead")
def value():
    """Book value after straight-line depreciation, per category and per asset."""
    try:
        as_of = _as_of()
    except Invalid as exc:
        return _refused("reports/value.html", exc, report=None)
    report = reports_value.valuation(as_of, local_zone())
    page = common.page_of(report.holdings, _page_number(), _per_page())
    return render_template("reports/value.html", report=report, page=page, errors={}, args={})


@bp.route("/value.csv")
@role("lead")
def value_csv():
    """Book value per asset (table=assets), per category (table=categories) or
    spend and book value per department (table=departments)."""
    table = _choice("table", ("assets", "categories", "departments"))
    as_of = _csv_params(_as_of)
    name = f"value-{table}-{as_of}.csv"
    if table == "assets":
        rows = reports_value.holdings_export(as_of, local_zone())
        return csv_download(name, report_lines.VALUE_HEADER, lines=report_lines.value(rows))
    report = reports_value.valuation(as_of, local_zone())
    if table == "departments":
        header = ["Department", "Assets", "Not depreciated", "Spend", "Book value"]
        rows = [
            (d.name, d.assets, d.not_depreciated, money(d.spend_cents), money(d.book_cents))
            for d in [*report.departments, report.departments_total]
        ]
        return csv_download(name, header, rows)
    header = ["Category", "Depreciated", "Not depreciated", "Cost", "Depreciation", "Book value"]
    rows = [
        (c.name, c.depreciated, c.not_depreciated, money(c.cost_cents),
         money(c.depreciation_cents), money(c.book_cents))
        for c in [*report.categories, report.total]
    ]  # fmt: skip
    return csv_download(name, header, rows)


# Subscriptions: what they cost, and what is wasted -------------------------------

# How many rows of each waste table the page shows, costliest first; the CSV has all.
WASTE_ROWS = 50


@bp.route("/subscription-spend")
@role("lead")
def subscription_spend_page():
    """Running subscriptions' cost per month and per year, by team and by vendor."""
    report = subscription_spend.spend(local_today())
    return render_template("reports/subscription_spend.html", report=report)


@bp.route("/subscription-spend.csv")
@role("lead")
def subscription_spend_csv():
    """Subscription spend by team (table=teams) or by vendor (table=vendors)."""
    table = _choice("table", ("teams", "vendors"))
    report = subscription_spend.spend(local_today())
    header = [
        "Team" if table == "teams" else "Vendor",
        "Subscriptions", "Without cost", "Per month", "Per year",
    ]  # fmt: skip
    rows = [
        (x.name, x.subscriptions, x.without_cost, money(x.month_cents), money(x.year_cents))
        for x in [*(report.teams if table == "teams" else report.vendors), report.total]
    ]
    return csv_download(f"subscription-spend-by-{table[:-1]}-{report.today}.csv", header, rows)


@bp.route("/waste")
@role("lead")
def waste_page():
    """Seats not assigned, seats held by deactivated people, subscriptions past renewal."""
    report = waste.waste(local_today())
    return render_template("reports/waste.html", report=report, rows=WASTE_ROWS)


@bp.route("/waste.csv")
@role("lead")
def waste_csv():
    """One of the waste report's tables: table=free, deactivated or past."""
    table = _choice("table", ("free", "deactivated", "past"))
    report = waste.waste(local_today())
    name = f"waste-{table}-{report.today}.csv"
    if table == "free":
        header = ["Product", "Vendor", "Seats", "In use", "Free", "Per year", "Counted"]
        rows = [
            (x.product, x.vendor, x.seats, x.in_use, x.free, money(x.year_cents),
             "yes" if x.counted else "no: past renewal")
            for x in report.free
        ]  # fmt: skip
        rows.append(("Total", "", "", "", "", money(report.free_cents), ""))
        return csv_download(name, header, rows)
    if table == "deactivated":
        header = ["Person", "Product", "Vendor", "Since", "Per year", "Counted"]
        rows = [
            (x.person, x.product, x.vendor, localtime(x.since, DATE), money(x.year_cents),
             "yes" if x.counted else "no: past renewal")
            for x in report.held
        ]  # fmt: skip
        rows.append(("Total", "", "", "", money(report.held_cents), ""))
        return csv_download(name, header, rows)
    header = ["Product", "Vendor", "Renewal date", "Auto-renews", "Per year"]
    rows = [
        (x.product, x.vendor, x.renews_on, "yes" if x.auto_renews else "no", money(x.year_cents))
        for x in report.past
    ]
    rows.append(("Total", "", "", "", money(report.past_cents)))
    return csv_download(name, header, rows)
