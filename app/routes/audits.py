"""Audits: start one, walk it with a phone, close it, read the report."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..audits import audits
from ..audits import progress as audit_progress
from ..audits import report as audit_report
from ..errors import Busy, Forbidden, Invalid, NotFound, Refused
from ..pages import asset as asset_page
from ..pages import audit as audit_page
from ..permissions import role
from ..register import places
from ..safety import safe_next
from ..templating import local_today, local_zone, localtime, wants_fragment
from ..worker import run
from .helpers import (
    MAX_ID,
    csv_download,
    current_actor,
    form_int,
    no_store,
    stop_walking,
    walk,
    walking_audit_id,
)

bp = Blueprint("audits", __name__, url_prefix="/audits")


def _back(audit):
    """303 to where the form came from (a checked `next`), else the audit page."""
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for("audits.show", audit_id=audit.id), 303)


def _audit(audit_id: int):
    try:
        return audits.get(audit_id)
    except NotFound:
        abort(404)


@bp.route("", strict_slashes=False)
@role("member")
def index():
    """Running and past audits; leads start new ones here."""
    return render_template("audits/index.html", rows=audit_page.index())


@bp.route("/new", methods=["GET", "POST"])
@role("lead")
def new():
    """ "Start audit": a name and a scope (everywhere, or a location; optionally a category)."""
    errors, status = {}, 200
    if request.method == "POST":
        try:
            audit = audits.start(
                request.form.get("name", ""),
                actor=current_actor(),
                location_id=form_int("location"),
                category_id=form_int("category"),
            )
        except Invalid as exc:
            errors, status = exc.errors, exc.status
        except Refused as exc:
            errors, status = {"": str(exc)}, exc.status
        else:
            walk(audit.id)
            flash("Audit started. Scan labels with your phone camera, or type codes below.", "ok")
            return redirect(url_for("audits.show", audit_id=audit.id), 303)
    return render_template(
        "audits/new.html",
        errors=errors,
        values=request.form,
        locations=places.location_options(),
        categories=list(places.categories()),
    ), status


@bp.route("/<int:audit_id>")
@role("member")
def show(audit_id: int):
    """The audit page: progress, what remains by location, elsewhere, unexpected, recent."""
    audit = _audit(audit_id)
    if wants_fragment("audit-live"):
        return render_template("audits/_live.html", **audit_page.live(audit, current_user))
    unmatched = request.args.get("check", "")[:40] if audit.status == "running" else ""
    room = request.args.get("room", "")
    if room.isdecimal() and (len(room) > len(str(MAX_ID)) or int(room) > MAX_ID):
        abort(400, description="'room' is out of range.")
    context = audit_page.show(audit, current_user, room=room, unmatched=unmatched)
    return render_template("audits/show.html", walking=walking_audit_id() == audit.id, **context)


@bp.route("/<int:audit_id>/walk", methods=["POST"])
@role("member")
def walk_this(audit_id: int):
    """ "Walk this audit": the audit that scans, the scanner and asset pages tick.

    A POST, not a side effect of opening the page: a link or a prefetch must
    not switch which audit someone's scans count for."""
    audit = _audit(audit_id)
    if audit.status != "running":
        flash("That audit is closed; there is nothing left to walk.", "error")
    else:
        walk(audit.id)
        flash(f"You are walking {audit.name}: scanned items count as seen in it.", "ok")
    return redirect(url_for("audits.show", audit_id=audit.id), 303)


@bp.route("/<int:audit_id>/room", methods=["POST"])
@role("member")
def set_room(audit_id: int):
    """ "I am in: Room 3" — this person's one room in this audit, on every page."""
    audit = _audit(audit_id)
    try:
        location_id = form_int("location")
    except Invalid:
        abort(400, description="Choose a room from the list.")
    try:
        room = audits.say_room(audit.id, actor=current_actor(), room_id=location_id)
    except NotFound:
        abort(404)
    except Refused as exc:
        flash(str(exc), "error")
        return _back(audit)
    walk(audit.id)
    flash(
        f"You are in {places.location_label(room.id) if room else 'nowhere in particular'}.", "ok"
    )
    return _back(audit)


def _live(audit, status: int = 200, unmatched: str = ""):
    """The audit page's live part after a typed tick, with the flash and the
    typed-code question swapped out of band."""
    return render_template(
        "audits/_live.html",
        **audit_page.live(audit, current_user),
        oob_flash=True,
        unmatched=unmatched,
        question=audits.typing_mistake(unmatched) if unmatched else None,
    ), status


@bp.route("/<int:audit_id>/tick", methods=["POST"])
@role("member")
def tick(audit_id: int):
    """ "Seen ✓": tick a code (from an asset page, or typed on the audit page)."""
    audit = _audit(audit_id)
    status = 200
    typed = request.form.get("code", "")
    try:
        result = audits.tick(
            audit.id,
            typed,
            actor=current_actor(),
            key=request.form.get("key"),
            by_hand=request.form.get("typed") == "1",
            clock=lambda moment: localtime(moment, "%H:%M"),
        )
    except Refused as exc:
        flash(str(exc), "error")
        status, result = exc.status, None
    else:
        if result.kind != "unmatched":  # the question itself says it, with a button
            flash(result.message, "ok" if result.kind in ("seen", "unexpected") else "warn")
    unmatched = typed if result and result.kind == "unmatched" else ""
    if wants_fragment("audit-card"):
        # The card always answers htmx, refusals included (a 303 would be
        # followed and a whole page swapped into the card).
        context = asset_page.after_tick(
            audit,
            result.asset if result else None,
            typed,
            current_user,
            local_today(),
            walking_audit_id(),
        )
        if context is not None:
            return render_template("audits/_seen_result.html", **context), status
    if wants_fragment("audit-live"):
        body, status = _live(audit, status, unmatched)
        response = current_app.make_response((body, status))
        if result and not unmatched:  # ticked: the page empties the box for the next code
            response.headers["HX-Trigger"] = "tagtrail-ticked"
        return response
    if unmatched:  # without JavaScript: the page it was typed on asks the same question
        if request.form.get("next") == url_for("scanner.page"):
            return redirect(url_for("scanner.page", audit=audit.id, check=unmatched), 303)
        return redirect(url_for("audits.show", audit_id=audit.id, check=unmatched), 303)
    return _back(audit)


@bp.route("/<int:audit_id>/ticks/<int:tick_id>/undo", methods=["POST"])
@role("member")
def undo(audit_id: int, tick_id: int):
    """Undo a tick (the history records the undo too)."""
    audit = _audit(audit_id)
    if audits.tick_in(audit.id, tick_id) is None:
        abort(404)
    try:
        audits.undo(tick_id, actor=current_actor())
        flash("Tick undone.", "ok")
    except (NotFound, Refused) as exc:
        flash(str(exc), "error")
    except Forbidden:
        abort(403)
    return _back(audit)


@bp.route("/<int:audit_id>/ticks/<int:tick_id>/elsewhere", methods=["POST"])
@role("lead")
def elsewhere(audit_id: int, tick_id: int):
    """Seen elsewhere: "Update location" (a moved event) or "Leave as is"."""
    audit = _audit(audit_id)
    if audits.tick_in(audit.id, tick_id) is None:
        abort(404)
    move = request.form.get("move") == "1"
    try:
        row = audits.resolve_elsewhere(tick_id, actor=current_actor(), move=move)
    except (NotFound, Refused, Invalid) as exc:
        flash(str(exc) or "Nothing was changed.", "error")
    else:
        flash(f"Location updated to {row.room.name}." if move else "Left as it is.", "ok")
    return _back(audit)


@bp.route("/<int:audit_id>/missing", methods=["POST"])
@role("lead")
def missing(audit_id: int):
    """Mark one unseen item missing now, before closing."""
    audit = _audit(audit_id)
    try:
        audits.mark_missing(audit.id, request.form.get("code", ""), actor=current_actor())
        flash("Marked missing.", "ok")
    except (Refused, NotFound) as exc:
        flash(str(exc), "error")
    return redirect(url_for("audits.show", audit_id=audit.id), 303)


@bp.route("/<int:audit_id>/close", methods=["GET", "POST"])
@role("lead")
def close(audit_id: int):
    """ "Close audit", after a confirmation that says what will happen."""
    audit = _audit(audit_id)
    if request.method == "POST":
        try:
            marked = audits.close(audit.id, actor=current_actor())
        except Refused as exc:
            flash(str(exc), "error")
        else:
            stop_walking(audit.id)
            flash(f"Audit closed. {marked} item{'' if marked == 1 else 's'} marked missing.", "ok")
        return redirect(url_for("audits.report", audit_id=audit.id), 303)
    return render_template("audits/close.html", audit=audit, p=audit_progress.progress(audit))


@bp.route("/<int:audit_id>/report")
@role("lead")
def report(audit_id: int):
    """What was seen, what is missing, what moved, who audited and for how long."""
    audit = _audit(audit_id)
    return render_template("audits/report.html", r=audit_report.build(audit, local_zone()))


@bp.route("/<int:audit_id>/report.csv")
@role("lead")
def report_csv(audit_id: int):
    """The report as a spreadsheet: one row per expected or unexpected item."""
    audit = _audit(audit_id)
    return csv_download(
        f"audit-{audit.id}-{local_today()}.csv",
        audit_report.CSV_HEADER,
        audit_report.csv_rows(audit_report.build(audit, local_zone())),
    )


@bp.route("/<int:audit_id>/report.pdf")
@role("lead")
def report_pdf(audit_id: int):
    """The report as a PDF: text codes only, never a QR, so it cannot pass for an item."""
    audit = _audit(audit_id)
    html = render_template("audits/report_print.html", r=audit_report.build(audit, local_zone()))
    try:
        data = run(audit_report.html_to_pdf, html)
    except Busy as exc:
        flash(str(exc), "error")
        return redirect(url_for("audits.report", audit_id=audit.id), 303)
    name = f"audit-{audit.id}-{local_today()}.pdf"
    return no_store(
        Response(
            data,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    )
