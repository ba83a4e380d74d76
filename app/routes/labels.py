"""Printing labels (leads): choose, preview, download; blanks; calibration."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

import labels as engine
from labels import formats as engine_formats

from ..errors import Busy, Invalid
from ..pages import printing as page
from ..permissions import role
from ..printing import blanks, formats, print_job, selection
from ..templating import local_today, site
from ..worker import run
from .helpers import current_actor, form_int, no_store

bp = Blueprint("labels", __name__, url_prefix="/labels")


def _whole(values, name: str) -> int:
    raw = (values.get(name) or "1").strip()
    if not raw.lstrip("-").isdecimal() or len(raw) > 6:
        raise Invalid({name: "Give a whole number."})
    return int(raw)


def _as_int(values, name: str) -> int | None:
    raw = values.get(name, "")
    return int(raw) if raw.isdecimal() and len(raw) < 18 else None


def _default_format() -> str:
    return formats.default_format_name(site()["paper_size"])


def _job(values) -> print_job.Job:
    """The print job described by a request's values (query or form)."""
    since = values.get("since", "")
    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError:
        raise Invalid({"since": "Give a date as YYYY-MM-DD."}) from None
    return print_job.make(
        format_name=values.get("format") or _default_format(),
        choice=values.get("choice") or "selected",
        # One kit's label (its page's "Print label") names the kit; else the assets.
        codes=values.getlist("kit") if values.get("choice") == "kit" else values.getlist("asset"),
        category_id=_as_int(values, "category"),
        location_id=_as_int(values, "location"),
        since=since_date,
        start=_whole(values, "start"),
        copies=_whole(values, "copies"),
        org_line=values.get("org_line", ""),
        tags=values.get("tags") == "1",
    )


def _pdf(data: bytes, stem: str) -> Response:
    name = f"{stem}-{local_today():%Y%m%d}.pdf"
    return no_store(
        Response(
            data,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    )


def _page(job=None, errors=None, status=200):
    context = page.print_page(
        job,
        format_name=request.values.get("format", ""),
        codes=request.values.getlist("asset"),
        kit_codes=request.values.getlist("kit"),
        paper_size=site()["paper_size"],
        public_url=site()["public_url"],
    )
    return render_template(
        "labels/print.html", errors=errors or {}, values=request.values, **context
    ), status


@bp.route("")
@role("lead")
def index():
    """Print labels: which, on what stock, from which position; preview first."""
    if not request.args:
        return _page()
    try:
        job = _job(request.args)
    except Invalid as exc:
        return _page(errors=exc.errors, status=exc.status)
    return _page(job)


@bp.route("/preview.svg")
@role("lead")
def preview():
    """The first page of the job as it will print, label outlines included."""
    try:
        job = _job(request.args)
    except Invalid:
        job = None
    fmt = job.fmt if job else formats.get_format(_default_format())
    svg = print_job.preview_svg(job, fmt, site()["public_url"])
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.route("/pdf", methods=["POST"])
@role("lead")
def pdf():
    """Download the PDF and record that these assets' labels were printed."""
    try:
        job = _job(request.form)
        data = print_job.print_pdf(job, site()["public_url"], current_actor())
    except Invalid as exc:
        return _page(errors=exc.errors, status=exc.status)
    except engine.TooManyLabels as exc:
        return _page(errors={"": str(exc)}, status=422)
    except Busy as exc:
        return _page(errors={"": str(exc)}, status=exc.status)
    return _pdf(data, f"labels-{job.fmt.name}")


def _blank_page(errors=None, status=200, line=None):
    """The blank labels form; `line`: the line on each label as sent, once read
    (the page then says what the stock does with it)."""
    context = page.blank_page(
        format_name=request.values.get("format", ""),
        org_line=line,
        paper_size=site()["paper_size"],
        public_url=site()["public_url"],
    )
    return render_template(
        "labels/blank.html", errors=errors or {}, values=request.values, **context
    ), status


@bp.route("/blank", methods=["GET", "POST"])
@role("lead")
def blank():
    """Blank labels: fresh codes printed now, bound to assets when first scanned.

    As on the print page, the line on each label has one limit, and the page
    says first when the stock cuts it or leaves it off: sending the same line
    again prints it so."""
    if request.method == "GET":
        return _blank_page(line=request.args.get("org_line", ""))
    line = None  # until read: no notes beside the stock before then
    try:
        fmt = formats.get_format(request.form.get("format", ""))
        count = form_int("count") or 0
        start = 1 if fmt.roll else _whole(request.form, "start")
        line = selection.org_line(request.form.get("org_line", ""))
        pdf_bytes = blanks.print_blanks(
            fmt,
            count,
            start,
            line,
            seen_line=request.form.get("org_seen"),
            public_url=site()["public_url"],
            actor=current_actor(),
        )
    except blanks.LineNotConfirmed:
        return _blank_page(line=line, status=422)  # nothing reserved
    except Invalid as exc:
        return _blank_page(exc.errors, exc.status, line)
    except Busy as exc:
        return _blank_page({"": str(exc)}, exc.status, line)
    except ValueError as exc:
        return _blank_page({"": str(exc)}, 422, line)
    return _pdf(pdf_bytes, f"blank-labels-{fmt.name}")


@bp.route("/calibrate", methods=["GET", "POST"])
@role("lead")
def calibrate():
    """A calibration page with outlines and rulers, and the nudge for this printer."""
    # One form holds the stock and the nudge, so a save always goes to the stock
    # on screen; its buttons say what to do with it ("do"; a plain POST saves).
    name = request.values.get("format") or _default_format()
    wants = request.form.get("do", "save") if request.method == "POST" else "show"
    errors, status = {}, 422  # a refused nudge or stock; a busy worker says its own
    if wants == "show" and request.method == "POST":
        return redirect(url_for("labels.calibrate", format=name), 303)
    if wants == "save":
        try:
            x = float(request.form.get("nudge_x") or 0)
            y = float(request.form.get("nudge_y") or 0)
            formats.save_nudge(name, x, y)
        except ValueError:
            errors = {"nudge": "Give the nudge in millimetres, e.g. 0.5 or -1."}
        except Invalid as exc:
            errors = exc.errors
        else:
            flash(
                f"Saved: later prints on this format move {x:+.1f} mm across and {y:+.1f} mm down.",
                "ok",
            )
            return redirect(url_for("labels.calibrate", format=name), 303)
    if wants == "download" or request.args.get("download"):
        try:
            fmt = formats.get_format(name)
            data = run(engine.calibration_pdf, fmt, formats.nudge(name))
        except (Invalid, Busy) as exc:
            errors = getattr(exc, "errors", None) or {"": str(exc)}
            status = exc.status
        else:
            return _pdf(data, f"calibration-{name}")
    x, y = formats.nudge(name)
    return render_template(
        "labels/calibrate.html",
        name=name,
        nudge_x=x,
        nudge_y=y,
        errors=errors,
        formats=formats.formats(),
    ), (status if errors else 200)


@bp.route("/formats/new", methods=["GET", "POST"])
@role("lead")
def new_format():
    """Save a custom label format: name and all the numbers of the stock."""
    errors = {}
    if request.method == "POST":
        fields = ("name", "columns", "rows", "layout", *engine_formats.NUMBERS)
        data = {f: request.form.get(f, "").strip() for f in fields}
        data["roll"] = request.form.get("roll") == "1"
        data["title"] = request.form.get("title", "").strip()[:80] or data["name"]
        try:
            fmt = formats.save_custom_format(data)
        except Invalid as exc:
            errors = exc.errors
        else:
            flash(f"Saved format {fmt.title}. Print a calibration page to check it.", "ok")
            return redirect(url_for("labels.calibrate", format=fmt.name), 303)
    return render_template("labels/format.html", errors=errors, values=request.form), (
        422 if errors else 200
    )
