"""Kits: the leads' Kits page (make, rename, fill, empty, delete), and taking
or returning a kit in one tap from its page (which its label opens, /A/<code>)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import codes
from ..errors import Invalid, NotFound, ServiceError
from ..kits import kits, taking
from ..pages import kits as kits_page
from ..permissions import role
from ..reservations import rules as reservation_rules
from ..templating import local_today, local_zone, period, wants_fragment
from .helpers import (
    current_actor,
    deliver_receipt,
    form_date,
    form_int,
    form_moment,
    form_text,
    signing_from_form,
    started_message,
)

bp = Blueprint("kits", __name__)

CARD = "kit-card"
ITEMS_MAX = 4000  # characters of typed codes: a hundred lines and then some


def _kit_or_404(code: str):
    kit = kits.get_by_code(codes.parse(code))
    if kit is None:
        abort(404)
    return kit


def _item_codes() -> str:
    typed = request.form.get("items", "")
    if len(typed) > ITEMS_MAX:
        raise Invalid({"items": "That is more codes than a kit can hold."})
    return typed


@bp.route("/kits")
@role("member")
def index():
    """Every kit, so anyone can find one to book; leads also get the form that makes one."""
    return render_template("kits/index.html", **kits_page.index(), errors={}, values={})


@bp.route("/kits", methods=["POST"])
@role("lead")
def create():
    """Make a kit (name + item codes, one a line); a refusal shows the list and form again."""
    errors, status = {}, 200
    try:
        kit = kits.create(request.form.get("name", "")[:200], _item_codes(), actor=current_actor())
    except Invalid as exc:
        errors, status = exc.errors, exc.status
        flash("Please fix the marked fields. Nothing was saved.", "error")
    except ServiceError as exc:
        status = exc.status
        flash(f"{exc} Nothing was saved.", "error")
    else:
        flash(f"Kit {kit.name} made: {codes.pretty(kit.code)}.", "ok")
        return redirect(url_for("scan.asset", code=kit.code), 303)
    context = kits_page.index()
    return render_template("kits/index.html", **context, errors=errors, values=request.form), status


@bp.route("/kits/<code>/edit", methods=["GET", "POST"])
@role("lead")
def edit(code: str):
    """Rename the kit, add items, take one out, or delete the kit once empty."""
    kit = _kit_or_404(code)
    errors, status = {}, 200
    if request.method == "POST":
        actor = current_actor()
        what = request.form.get("do", "")
        try:
            if what == "rename":
                kit = kits.rename(
                    kit.id,
                    request.form.get("name", "")[:200],
                    actor=actor,
                    version=form_int("version"),
                )
                flash("Kit renamed.", "ok")
            elif what == "add":
                added = kits.add_items(kit.id, _item_codes(), actor=actor)
                flash(f"Added {len(added)} to the kit.", "ok")
            elif what == "remove":
                taken = kits.remove_item(kit.id, request.form.get("asset", ""), actor=actor)
                flash(f"{taken.name} taken out of the kit.", "ok")
            elif what == "delete":
                name = kits.delete(kit.id, actor=actor)
                flash(f"Kit {name} deleted.", "ok")
                return redirect(url_for("kits.index"), 303)
            else:
                raise Invalid({"": "Choose what to change."})
        except NotFound as exc:
            status = exc.status
            flash(str(exc), "error")
        except Invalid as exc:
            errors, status = exc.errors, exc.status
            flash("Please fix the marked fields. Nothing was saved.", "error")
        except ServiceError as exc:
            status = exc.status
            flash(f"{exc} Nothing was saved.", "error")
        else:
            return redirect(url_for("kits.edit", code=kit.code), 303)
    context = kits_page.edit_page(kit)
    return render_template("kits/edit.html", **context, errors=errors, values=request.form), status


def _answer(kit, status: int = 200):
    """The kit's card for htmx (with the flash), else back to the kit's page."""
    if wants_fragment(CARD):
        context = kits_page.page(kit, current_actor())
        return render_template("kits/_result.html", **context), status
    return redirect(url_for("scan.asset", code=kit.code), 303)


@bp.route("/kits/<code>/checkout", methods=["POST"])
@role("member")
def checkout(code: str):
    """Every item of the kit to me (or, for a lead, to the person chosen), in one tap."""
    kit = _kit_or_404(code)
    status = 200
    try:
        taken = taking.check_out(
            kit.code,
            actor=current_actor(),
            today=local_today(),
            holder_id=form_int("holder"),
            due_back=form_date("due_back"),
            key=request.form.get("key"),
            zone=local_zone(),
            signing=(signing := signing_from_form(request.form.get("later") == "1")),
        )
    except ServiceError as exc:
        status = exc.status
        flash(f"{exc} Nothing was checked out.", "error")
    else:
        flash(taken.message, "ok")
        if not taken.duplicate:
            deliver_receipt(signing.receipt_id)
    return _answer(kit, status)


@bp.route("/kits/<code>/return", methods=["POST"])
@role("member")
def checkin(code: str):
    """Return the kit: the items ticked as here come back; for any other the card
    asks first, and once confirmed it stays out, flagged."""
    kit = _kit_or_404(code)
    status = 200
    present = {c for c in (codes.parse(v) for v in request.form.getlist("present")) if c}
    key = request.form.get("key", "")[:64]
    try:
        taken = taking.check_in(
            kit.code,
            actor=current_actor(),
            present=present,
            key=key,
            confirmed=request.form.get("confirm") == "1",
            signing=(signing := signing_from_form()),
        )
    except ServiceError as exc:
        status = exc.status
        flash(f"{exc} Nothing was returned.", "error")
    else:
        if taken.asked:  # nothing returned yet: the card asks about each one
            context = kits_page.page(kit, current_actor())
            question = kits_page.question(taken.asked, present, key)
            page = "kits/_result.html" if wants_fragment(CARD) else "kits/show.html"
            return render_template(page, **context, question=question)
        flash(taken.message, "warn" if taken.not_back else "ok")
        if not taken.duplicate:
            deliver_receipt(signing.receipt_id)
    return _answer(kit, status)


@bp.route("/kits/<code>/reserve", methods=["GET", "POST"])
@role("member")
def reserve(code: str):
    """Reserve every item of the kit for a period (a lead may for someone else)."""
    kit = _kit_or_404(code)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            booking = taking.reserve(
                kit.code,
                actor=current_actor(),
                person_id=form_int("person"),
                starts_at=form_moment("starts_at"),
                ends_at=form_moment("ends_at"),
                note=form_text("note", reservation_rules.NOTE_MAX),
                zone=local_zone(),
            )
        except Invalid as exc:
            errors, status = exc.errors, exc.status
            flash("Please fix the marked fields. Nothing was saved.", "error")
        except ServiceError as exc:
            status = exc.status
            flash(f"{exc} Nothing was saved.", "error")
        else:
            who = "" if booking.person_id == current_actor().id else f" for {booking.person.name}"
            when = f"{period(booking.starts_at, booking.ends_at)}"
            flash(f"Kit reserved{who}: {when}.", "ok")
            return redirect(url_for("scan.asset", code=kit.code), 303)
    context = kits_page.reserve_page(kit, current_actor())
    return render_template(
        "kits/reserve.html", **context, errors=errors, values=request.form
    ), status


@bp.route("/kits/<code>/transfer", methods=["POST"])
@role("lead")
def transfer(code: str):
    """Hand every item of the kit that is out to the person chosen (leads)."""
    kit = _kit_or_404(code)
    status = 200
    try:
        taken = taking.transfer(
            kit.code,
            actor=current_actor(),
            today=local_today(),
            to_holder_id=form_int("holder"),
            signing=(signing := signing_from_form(request.form.get("later") == "1")),
        )
    except ServiceError as exc:
        status = exc.status
        flash(f"{exc} Nothing was handed over.", "error")
    else:
        flash(taken.message, "ok")
        deliver_receipt(signing.receipt_id)
    return _answer(kit, status)


@bp.route("/kits/<code>/start", methods=["POST"])
@role("member")
def start(code: str):
    """Start reservation from the kit's page: every item of the booking goes out."""
    kit = _kit_or_404(code)
    status = 200
    try:
        booking = taking.start_reservation(
            kit.code,
            actor=current_actor(),
            today=local_today(),
            zone=local_zone(),
            # No place to sign on the one tap: what needs a signature goes out
            # to be accepted later.
            signing=signing_from_form(later_if_required=True),
        )
    except ServiceError as exc:
        status = exc.status
        flash(f"{exc} Nothing was checked out.", "error")
    else:
        flash(started_message(booking, current_actor().id), "ok")
        deliver_receipt(getattr(booking, "receipt_id", None))
    return _answer(kit, status)
