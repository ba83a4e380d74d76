"""Subscriptions (licences, SaaS, cloud services, domains, support contracts):
the leads' list, adding and editing, one subscription's page with its seats,
licence key, renewal, cancelling and documents; and the vendors."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from ..errors import Invalid, NotFound, Refused, ServiceError
from ..forms import SubscriptionForm
from ..pages import subscriptions as page
from ..permissions import role
from ..register import uploads
from ..subscriptions import documents, once, rules, seats, subscriptions
from ..templating import local_today, wants_fragment
from .helpers import (
    apply_errors,
    current_actor,
    form_date,
    form_int,
    form_text,
    int_arg,
    no_store,
    page_arg,
)

bp = Blueprint("subscriptions", __name__)

SEATS = "sub-seats"
KEY = "sub-key"


def _folder() -> Path:
    return Path(current_app.instance_path) / "uploads"


@bp.route("/subscriptions")
@role("lead")
def index():
    """Every subscription: renewal, seats used of bought, cost per year, owner."""
    context = page.listing(
        request.args.get("q", ""), request.args.get("show", "running"), page_arg(), local_today()
    )
    return render_template("subscriptions/index.html", **context)


def _form(subscription=None) -> SubscriptionForm:
    form = SubscriptionForm(data=page.form_data(subscription) if subscription else None)
    form.fill_choices(*page.form_choices(subscription.owner_id if subscription else None))
    return form


@bp.route("/subscriptions/new", methods=["GET", "POST"])
@bp.route("/subscriptions/<int:subscription_id>/edit", methods=["GET", "POST"])
@role("lead")
def save(subscription_id: int | None = None):
    """Add a subscription, or edit one (a blank licence key keeps the current one)."""
    subscription = None
    if subscription_id is not None:
        try:
            subscription = subscriptions.get(subscription_id)
        except NotFound:
            abort(404)
    form = _form(subscription)
    if subscription is None and not form.is_submitted():
        form.vendor.data = int_arg("vendor")  # back from adding a vendor
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                saved = _save(form, subscription)
            except Invalid as exc:
                apply_errors(form, exc)
            except Refused as exc:
                if subscription is not None and once.already_so(subscription.id, form.values()):
                    # The same form sent twice: the first one saved it.
                    flash(f"Saved {subscription.product}.", "ok")
                    return redirect(url_for(".show", subscription_id=subscription.id), 303)
                flash(str(exc), "error")  # edited meanwhile: show it as it is now
                return redirect(url_for(".save", subscription_id=subscription_id), 303)
            else:
                flash(f"Saved {saved.product}.", "ok")
                return redirect(url_for("subscriptions.show", subscription_id=saved.id), 303)
        status = 422
    return render_template("subscriptions/form.html", form=form, subscription=subscription), status


def _save(form: SubscriptionForm, subscription):
    actor = current_actor()
    key = form.licence_key.data or ""
    if subscription is None:
        action = request.form.get("key", "")[:64]
        return once.create(form.values(), actor=actor, licence_key=key, key=action)
    version = form_int("version")
    if version is None:
        raise Refused(subscriptions.STALE)
    rules.check_key(key)  # before anything is saved: a bad key saves nothing
    changes = subscriptions.update(subscription.id, form.values(), version=version, actor=actor)
    if key.strip():
        subscriptions.set_key(
            subscription.id, key, version=version + (1 if changes else 0), actor=actor
        )
    return subscriptions.get(subscription.id)


def _detail(subscription_id: int, errors: dict | None = None, revealed: str | None = None):
    detail = page.detail(subscription_id, local_today()) or abort(404)
    return {"d": detail, "s": detail.subscription, "errors": errors or {}, "revealed": revealed}


@bp.route("/subscriptions/<int:subscription_id>")
@role("lead")
def show(subscription_id: int):
    """One subscription: its seats, licence key, renewal, documents and history."""
    return render_template("subscriptions/show.html", **_detail(subscription_id))


def _answer(subscription_id: int, target: str, status: int = 200, errors=None):
    """After a seat action: the seats section for htmx (with the flash), else
    back to the page (or the page again with the errors, with no JavaScript)."""
    if wants_fragment(target):
        context = _detail(subscription_id, errors)
        return render_template("subscriptions/_seats_result.html", **context), status
    if status >= 400:  # the page again, with what was refused
        context = _detail(subscription_id, errors)
        return render_template("subscriptions/show.html", **context), status
    return redirect(url_for("subscriptions.show", subscription_id=subscription_id), 303)


@bp.route("/subscriptions/<int:subscription_id>/seats", methods=["POST"])
@role("lead")
def give_seat(subscription_id: int):
    """Give a seat to a person (and optionally name the item it is installed on)."""
    try:
        seat = seats.assign(
            subscription_id,
            form_int("person"),
            actor=current_actor(),
            asset_code=form_text("asset", 40),
            key=request.form.get("key", "")[:64] or None,
        )
    except NotFound:
        abort(404)
    except Invalid as exc:
        flash("Please fix the marked fields. No seat was given.", "error")
        return _answer(subscription_id, SEATS, exc.status, exc.errors)
    except ServiceError as exc:
        flash(f"{exc} No seat was given.", "error")
        return _answer(subscription_id, SEATS, exc.status)
    flash(f"Seat given to {seat.person.name}.", "ok")
    return _answer(subscription_id, SEATS)


@bp.route("/subscriptions/<int:subscription_id>/seats/<int:seat_id>/free", methods=["POST"])
@role("lead")
def free_seat(subscription_id: int, seat_id: int):
    """Take a seat back."""
    if not page.is_seat_of(subscription_id, seat_id):
        abort(404)
    try:
        seat = seats.free(seat_id, actor=current_actor())
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(str(exc), "error")
        return _answer(subscription_id, SEATS, exc.status)
    flash(f"Seat freed: {seat.person.name} no longer has one.", "ok")
    return _answer(subscription_id, SEATS)


@bp.route("/subscriptions/<int:subscription_id>/key", methods=["POST"])
@role("lead")
def reveal_key(subscription_id: int):
    """Show the licence key (recorded in the history each time)."""
    try:
        key = subscriptions.reveal_key(subscription_id, actor=current_actor())
    except NotFound:
        abort(404)
    except ServiceError as exc:  # no key (removed meanwhile): the section says so
        flash(str(exc), "error")
        key, status = None, exc.status
    else:
        status = 200
    context = _detail(subscription_id, revealed=key)
    template = "subscriptions/" + ("_key_result.html" if wants_fragment(KEY) else "show.html")
    return no_store(current_app.make_response((render_template(template, **context), status)))


def _change(subscription_id: int, do, done: str):
    """Renew or cancel: back to the page, or the page with the form's errors."""
    try:
        do()
    except NotFound:
        abort(404)
    except Invalid as exc:
        flash("Please fix the marked fields. Nothing was saved.", "error")
        return render_template(
            "subscriptions/show.html", **_detail(subscription_id, exc.errors)
        ), exc.status
    except ServiceError as exc:
        flash(f"{exc} Nothing was saved.", "error")
        return redirect(url_for("subscriptions.show", subscription_id=subscription_id), 303)
    flash(done, "ok")
    return redirect(url_for("subscriptions.show", subscription_id=subscription_id), 303)


def _version() -> int:
    version = form_int("version")
    if version is None:
        raise Refused(subscriptions.STALE)
    return version


@bp.route("/subscriptions/<int:subscription_id>/renew", methods=["POST"])
@role("lead")
def renew(subscription_id: int):
    """It renewed: the renewal date moves one period on, or to the date typed."""
    return _change(
        subscription_id,
        lambda: subscriptions.renew(
            subscription_id,
            version=_version(),
            actor=current_actor(),
            renews_on=form_date("renews_on"),
        ),
        "Renewed.",
    )


@bp.route("/subscriptions/<int:subscription_id>/cancel", methods=["POST"])
@role("lead")
def cancel(subscription_id: int):
    """Cancel it: it runs to the end date given, then stops."""
    return _change(
        subscription_id,
        lambda: subscriptions.cancel(
            subscription_id,
            version=_version(),
            actor=current_actor(),
            ended_on=form_date("ended_on"),
            note=form_text("note", 500),
        ),
        "Cancelled.",
    )


@bp.route("/subscriptions/<int:subscription_id>/documents", methods=["POST"])
@role("lead")
def upload(subscription_id: int):
    """Keep a document (the contract, the invoice): a PDF or a photo."""
    sent = request.files.get("file")
    try:
        added = documents.add(
            subscription_id,
            actor=current_actor(),
            stream=sent.stream if sent and sent.filename else None,
            original_name=sent.filename if sent else "",
            folder=_folder(),
            key=request.form.get("key"),
        )
    except NotFound:
        abort(404)
    except Invalid as exc:
        flash("Please fix the marked fields. Nothing was saved.", "error")
        return render_template(
            "subscriptions/show.html", **_detail(subscription_id, exc.errors)
        ), exc.status
    except uploads.TooLarge as exc:
        flash(f"{exc} Nothing was saved.", "error")
        errors = {"file": str(exc)}
        return render_template(
            "subscriptions/show.html", **_detail(subscription_id, errors)
        ), exc.status
    flash(added.message, "ok")
    return redirect(url_for("subscriptions.show", subscription_id=subscription_id), 303)


@bp.route("/subscriptions/documents/<int:document_id>")
@role("lead")
def download(document_id: int):
    """A subscription's document, opened as a sandboxed file, never cached."""
    item = documents.get_document(document_id) or abort(404)
    response = send_from_directory(
        _folder(),
        item.stored_name,
        mimetype=item.content_type,
        download_name=documents.download_name(item),
    )
    no_store(response)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "sandbox" if item.kind == "document" else "default-src 'none'; img-src 'self'"
    )
    return response


@bp.route("/my-seats")
@role("member")
def mine():
    """The seats I hold: product, vendor, the item it is on and where it stands."""
    held = page.person_seats(current_actor().id, local_today())
    return render_template("subscriptions/mine.html", seats=held)
