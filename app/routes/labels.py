"""Printing labels (leads): choose, preview, download; blanks; calibration."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

import labels as engine
from labels import formats as engine_formats

from ..errors import Busy, Invalid
from ..ops import settings
from ..permissions import role
from ..printing import jobs, rules
from ..register import label_codes, places
from ..templating import local_today, site
from ..worker import run
from .helpers import current_actor, form_int

bp = Blueprint("labels", __name__, url_prefix="/labels")


def _whole(values, name: str) -> int:
    raw = (values.get(name) or "1").strip()
    if not raw.lstrip("-").isdigit() or len(raw) > 6:
        raise Invalid({name: "Give a whole number."})
    return int(raw)


def _as_int(values, name: str) -> int | None:
    raw = values.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


def _default_format() -> str:
    return jobs.default_format_name(site()["paper_size"])


def _job(values) -> dict:
    """The print job described by a request's values (query or form)."""
    since = values.get("since", "")
    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError:
        raise Invalid({"since": "Give a date as YYYY-MM-DD."}) from None
    start, copies = _whole(values, "start"), _whole(values, "copies")
    fmt = jobs.get_format(values.get("format") or _default_format())
    if not (fmt.roll or 1 <= start <= fmt.per_page):
        raise Invalid({"start": f"Start position must be 1–{fmt.per_page} on this sheet."})
    if not 1 <= copies <= rules.MAX_COPIES:
        raise Invalid({"copies": f"Copies must be 1–{rules.MAX_COPIES}."})
    things = jobs.choose(
        values.get("choice") or "selected",
        codes_=values.getlist("asset"),
        category_id=_as_int(values, "category"),
        location_id=_as_int(values, "location"),
        since=since_date,
    )
    return {
        "fmt": fmt,
        "start": 1 if fmt.roll else start,
        "copies": copies,
        "org_line": jobs.org_line(values.get("org_line", "")),
        "tags": values.get("tags") == "1",
        "things": things,
    }


def _render(job: dict) -> bytes:
    label_data = jobs.to_labels(job["things"], site()["public_url"], tags=job["tags"])
    return run(
        engine.render_pdf,
        label_data,
        job["fmt"],
        start=job["start"],
        copies=job["copies"],
        nudge=jobs.nudge(job["fmt"].name),
        org_line=job["org_line"],
    )


def _pdf(data: bytes, stem: str) -> Response:
    name = f"{stem}-{local_today():%Y%m%d}.pdf"
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _notes(job):
    """The notes beside the stock: for the job's run, or the chosen stock alone."""
    public_url = site()["public_url"]
    if job:
        run = jobs.to_labels(job["things"], public_url, preview=True, tags=job["tags"])
        return jobs.stock_notes(job["fmt"], public_url, run, job["org_line"])
    try:
        fmt = jobs.get_format(request.values.get("format") or _default_format())
    except Invalid:
        return None  # the form says what is wrong with the stock
    return jobs.stock_notes(fmt, public_url)


def _page(job=None, errors=None, status=200):
    return render_template(
        "labels/print.html",
        job=job,
        marks=bool(job and jobs.marked(job["things"])),
        notes=_notes(job),
        org_line_max=rules.ORG_LINE_MAX,
        max_copies=rules.MAX_COPIES,
        errors=errors or {},
        values=request.values,
        picked=jobs.picked(request.values.getlist("asset")),
        default_format=_default_format(),
        formats=jobs.formats(),
        categories=list(places.categories()),
        locations=places.location_tree(),
        warning=settings.public_url_warning(site()["public_url"]),
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
        return _page(errors=exc.errors, status=422)
    return _page(job)


@bp.route("/preview.svg")
@role("lead")
def preview():
    """The first page of the job as it will print, label outlines included."""
    try:
        job = _job(request.args)
    except Invalid:
        job = None
    fmt = job["fmt"] if job else jobs.get_format(_default_format())
    data = (
        jobs.to_labels(job["things"], site()["public_url"], preview=True, tags=job["tags"])
        if job
        else []
    )
    per_page = 1 if fmt.roll else fmt.per_page - (job["start"] - 1 if job else 0)
    run_ = [label for label in data for _ in range(job["copies"])][: max(per_page, 0)]
    svg = next(
        engine.page_svgs(
            run_,
            fmt,
            start=job["start"] if job else 1,
            nudge=jobs.nudge(fmt.name),
            org_line=job["org_line"] if job else "",
            outlines=True,
        )
    )
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.route("/pdf", methods=["POST"])
@role("lead")
def pdf():
    """Download the PDF and record that these assets' labels were printed."""
    try:
        job = _job(request.form)
        data = _render(job)
    except Invalid as exc:
        return _page(errors=exc.errors, status=422)
    except engine.TooManyLabels as exc:
        return _page(errors={"": str(exc)}, status=422)
    except Busy as exc:
        return _page(errors={"": str(exc)}, status=503)
    assets = jobs.marked(job["things"])
    if assets:
        jobs.record_printed(assets, current_actor(), job["fmt"])
    return _pdf(data, f"labels-{job['fmt'].name}")


def _blank_page(errors=None, status=200, notes=None, line=""):
    return render_template(
        "labels/blank.html",
        errors=errors or {},
        values=request.values,
        notes=notes,
        warned=bool(notes and jobs.org_line_warned(notes)),
        org_line=line,
        org_line_max=rules.ORG_LINE_MAX,
        max_blanks=label_codes.MAX_BLANKS,
        default_format=_default_format(),
        formats=jobs.formats(),
        warning=settings.public_url_warning(site()["public_url"]),
    ), status


@bp.route("/blank", methods=["GET", "POST"])
@role("lead")
def blank():
    """Blank labels: fresh codes printed now, bound to assets when first scanned.

    As on the print page, the line on each label has one limit, and the page
    says first when the stock cuts it or leaves it off: sending the same line
    again prints it so."""
    public_url = site()["public_url"]
    if request.method == "GET":
        try:
            fmt = jobs.get_format(request.args.get("format") or _default_format())
            line = jobs.org_line(request.args.get("org_line", ""))
        except Invalid:
            return _blank_page()  # the form says what is wrong when it is sent
        return _blank_page(notes=jobs.blank_notes(fmt, public_url, line), line=line)
    notes, line = None, ""
    try:
        fmt = jobs.get_format(request.form.get("format", ""))
        count = form_int("count") or 0
        start = 1 if fmt.roll else _whole(request.form, "start")
        if not (1 <= start <= fmt.per_page):
            raise Invalid({"start": f"Start position must be 1–{fmt.per_page} on this sheet."})
        line = jobs.org_line(request.form.get("org_line", ""))
        notes = jobs.blank_notes(fmt, public_url, line)
        base = jobs.require_public_url(public_url)  # before reserving
        if jobs.org_line_warned(notes) and request.form.get("org_seen") != line:
            return _blank_page(notes=notes, line=line, status=422)  # nothing reserved
        codes_ = label_codes.reserve_blanks(count, current_actor())
        data = jobs.blank_labels(codes_, base)
        try:
            pdf_bytes = run(
                engine.render_pdf,
                data,
                fmt,
                start=start,
                nudge=jobs.nudge(fmt.name),
                org_line=line,
            )
        except Exception:
            label_codes.release_blanks(codes_)  # nothing printed: the codes go back
            raise
    except Invalid as exc:
        return _blank_page(exc.errors, 422, notes, line)
    except Busy as exc:
        return _blank_page({"": str(exc)}, 503, notes, line)
    except ValueError as exc:
        return _blank_page({"": str(exc)}, 422, notes, line)
    return _pdf(pdf_bytes, f"blank-labels-{fmt.name}")


@bp.route("/calibrate", methods=["GET", "POST"])
@role("lead")
def calibrate():
    """A calibration page with outlines and rulers, and the nudge for this printer."""
    # One form holds the stock and the nudge, so a save always goes to the stock
    # on screen; its buttons say what to do with it ("do"; a plain POST saves).
    name = request.values.get("format") or _default_format()
    wants = request.form.get("do", "save") if request.method == "POST" else "show"
    errors = {}
    if wants == "show" and request.method == "POST":
        return redirect(url_for("labels.calibrate", format=name), 303)
    if wants == "save":
        try:
            x = float(request.form.get("nudge_x") or 0)
            y = float(request.form.get("nudge_y") or 0)
            jobs.save_nudge(name, x, y)
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
            fmt = jobs.get_format(name)
            data = run(engine.calibration_pdf, fmt, jobs.nudge(name))
        except (Invalid, Busy) as exc:
            errors = getattr(exc, "errors", None) or {"": str(exc)}
        else:
            return _pdf(data, f"calibration-{name}")
    x, y = jobs.nudge(name)
    return render_template(
        "labels/calibrate.html",
        name=name,
        nudge_x=x,
        nudge_y=y,
        errors=errors,
        formats=jobs.formats(),
    ), 422 if errors else 200


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
            fmt = jobs.save_custom_format(data)
        except Invalid as exc:
            errors = exc.errors
        else:
            flash(f"Saved format {fmt.title}. Print a calibration page to check it.", "ok")
            return redirect(url_for("labels.calibrate", format=fmt.name), 303)
    return render_template("labels/format.html", errors=errors, values=request.form), (
        422 if errors else 200
    )
