"""Small pieces shared by the blueprints."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import abort, current_app, flash, request, session
from flask_wtf import FlaskForm

from .. import codes
from ..converters import MAX_ID
from ..custody.maintenance import MAX_TEXT
from ..errors import Invalid
from ..forms import parse_money
from ..receipts import receipts, runs
from ..register import assets
from ..reservations import moments as reservation_moments
from ..templating import local_zone, moment, site


def asset_or_404(code: str):
    """The asset a URL's code names (any spelling a person might type), or a 404."""
    canonical = codes.parse(code)
    found = assets.get_by_code(canonical) if canonical else None
    if found is None:
        abort(404)
    return found


# The audit a person is walking on this device: the one they opened last. The
# room they said they are in is kept per person per audit in the database
# (app/audits/rules.py), so other devices and pages agree on it.
def walking_audit_id() -> int | None:
    return session.get("audit")


def walk(audit_id: int) -> None:
    """Make this the audit this person is walking (they opened it)."""
    session["audit"] = audit_id


def stop_walking(audit_id: int) -> None:
    if session.get("audit") == audit_id:
        session.pop("audit")


def apply_errors(form: FlaskForm, exc: Invalid) -> None:
    """Show a service's refusals on the form fields they belong to."""
    for field, message in exc.errors.items():
        target = form[field] if field in form else None
        if target is None:
            form.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]


def int_arg(name: str) -> int | None:
    """An optional integer query argument; anything else is a 400, not a 500."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=f"'{name}' must be a number.")
    if value < 0 or value > MAX_ID:
        abort(400, description=f"'{name}' is out of range.")
    return value


# Far past the last page of any list, and small enough that the database can
# count its offset (page x page size) in a 64-bit integer.
MAX_PAGE = 1_000_000


def page_arg() -> int:
    """The `page` query argument: 1 when absent, 0 or less; a 400 when it is not a
    whole number or is past MAX_PAGE (only a hand-edited address gets those)."""
    raw = request.args.get("page", "").strip()
    try:
        page = int(raw) if raw else 1
    except ValueError:
        abort(400, description="The page number must be a whole number, such as 2.")
    if page > MAX_PAGE:
        abort(400, description=f"Page {page} is out of range: pages run from 1 to {MAX_PAGE:,}.")
    return max(page, 1)


def current_actor():
    """The signed-in user as a model row (flask-login hands us a proxy)."""
    from flask_login import current_user

    return current_user._get_current_object()


def form_text(name: str, max_length: int = MAX_TEXT) -> str:
    value = request.form.get(name, "").strip()
    if len(value) > max_length:
        raise Invalid({name: f"Keep it under {max_length} characters."})
    return value


def form_int(name: str) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdecimal() or len(raw) > 18:
        raise Invalid({name: "Choose from the list."})
    return int(raw)


def _date(raw: str, name: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid({name: "Pick a date from the calendar, or type it as YYYY-MM-DD."}) from None


def form_date(name: str) -> date | None:
    return _date(request.form.get(name, ""), name)


def form_moment(field: str) -> datetime:
    """The date and time boxes `<field>_date` and `<field>_time` (the
    organisation's clock), as UTC; a bad one is an Invalid named for the pair,
    where the form shows it."""
    try:
        day = form_date(f"{field}_date")
    except Invalid as exc:
        raise Invalid({field: next(iter(exc.errors.values()))}) from None
    return reservation_moments.local_moment(
        day, request.form.get(f"{field}_time", ""), field, local_zone()
    )


def started_message(booking, actor_id: int) -> str:
    """What Start reservation says (an item's or a kit's): to whom everything
    went, and when it is due back, to the minute (the booking's end)."""
    who = "you" if booking.person_id == actor_id else booking.person.name
    due = moment(booking.ends_at)
    return f"Reservation started: everything in it is checked out to {who}, due back {due}."


def query_date(name: str) -> date | None:
    """An optional date in the query string; a bad one is an Invalid for that field."""
    return _date(request.args.get(name, ""), name)


def form_money(name: str) -> int | None:
    try:
        return parse_money(request.form.get(name, ""))
    except ValueError as exc:
        raise Invalid({name: str(exc)}) from None


def csv_download(filename: str, header, rows=(), lines=None):
    """A CSV file as a download, of `rows` or of rows written out as `lines`
    (see app/spreadsheets/csvfiles.py for the escaping rule and `lines_csv`)."""
    from flask import current_app

    from ..spreadsheets.csvfiles import lines_csv, to_csv

    body = to_csv(header, rows) if lines is None else lines_csv(header, lines)
    response = current_app.response_class(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


def no_store(response):
    """Mark a private file (export, report, PDF, attachment, photo) never to be kept:
    not by a shared proxy, and not in the browser's cache on a shared or lost device."""
    response.headers["Cache-Control"] = "no-store"
    return response


def public_link(endpoint: str, **values) -> str:
    """An absolute link for someone elsewhere (an email, a link passed on): on the
    organisation's public address, as labels are, else the address asked here."""
    from flask import url_for

    from ..templating import site

    base = site()["public_url"] or request.host_url.rstrip("/")
    return base + url_for(endpoint, **values)


def mail_settings():
    """The mail server to send through: (settings or None, why it cannot be used)."""
    from flask import current_app

    from ..ops import mail

    try:
        return mail.settings_from(current_app.config), None
    except mail.MailError as exc:
        return None, str(exc)


def signing_from_form(awaiting: bool = False, later_if_required: bool = False):
    """The signature a form sent for a receipt of several items (receipts/runs.py)."""
    return runs.Signing(
        later_if_required=later_if_required,
        uploads_dir=Path(current_app.instance_path) / "uploads",
        drawn=request.form.get("signature", ""),
        typed=form_text("signature_name", 120),
        signer_id=form_int("signer"),
        awaiting=awaiting,
    )


def deliver_receipt(receipt_id: int | None) -> None:
    """After the write: the receipt's PDF made and emailed (or, left to be
    accepted, a link sent); a link to it flashed, and any problem said. Nothing
    here undoes the step."""
    if receipt_id is None:
        return
    smtp, _ = mail_settings()
    delivery = receipts.deliver(
        receipt_id,
        public_url=site()["public_url"] or request.host_url.rstrip("/"),
        smtp=smtp,
        uploads_dir=Path(current_app.instance_path) / "uploads",
        org_name=site()["org_name"],
        zone=local_zone(),
    )
    flash(str(receipt_id), "receipt")
    if delivery.problem:
        flash(delivery.problem, "error")
