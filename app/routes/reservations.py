"""Reserving: the Reserve form of an asset, starting and cancelling a booking,
and the Reservations page (mine; everyone's for leads)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import codes
from ..errors import Forbidden, Invalid, NotFound, Refused
from ..pages import asset as asset_page
from ..pages import reservations as reservations_page
from ..permissions import role
from ..register import assets
from ..reservations import reservations
from ..reservations import rules as reservation_rules
from ..templating import local_today, local_zone, period, wants_fragment
from .helpers import (
    asset_or_404,
    current_actor,
    deliver_receipt,
    form_int,
    form_moment,
    form_text,
    signing_from_form,
    started_message,
    walking_audit_id,
)

bp = Blueprint("reservations", __name__)

CARD = "status-card"
FORM = "reserve-form"


@bp.route("/A/<code>/reserve", methods=["GET", "POST"])
@role("member")
def reserve(code: str):
    """Reserve this item for a period (a lead may reserve it for someone else)."""
    errors, status = {}, 200
    if request.method == "POST":
        canonical = codes.parse(code)
        if canonical is None:
            abort(404)
        try:  # the service reads the item (under the write lock): no read before
            booking = reservations.reserve(
                [canonical],
                actor=current_actor(),
                person_id=form_int("person"),
                starts_at=form_moment("starts_at"),
                ends_at=form_moment("ends_at"),
                note=form_text("note", reservation_rules.NOTE_MAX),
                zone=local_zone(),
            )
        except NotFound:
            abort(404)
        except Invalid as exc:
            errors, status = exc.errors, exc.status
            flash("Please fix the marked fields. Nothing was saved.", "error")
        except (Refused, Forbidden) as exc:
            status = exc.status
            flash(f"{exc} Nothing was saved.", "error")
        else:
            who = "" if booking.person_id == current_user.id else f" for {booking.person.name}"
            flash(f"Reserved{who}: {period(booking.starts_at, booking.ends_at)}.", "ok")
            page = url_for("scan.asset", code=canonical)
            if wants_fragment(FORM):  # htmx: on to the asset page, which shows the booking
                return "", 200, {"HX-Redirect": page}
            return redirect(page, 303)
    context = reservations_page.form_page(asset_or_404(code), current_actor())
    if wants_fragment(FORM):
        fragment = render_template(
            "reservations/_form_result.html", **context, errors=errors, values=request.form
        )
        return fragment, status
    return (
        render_template("reservations/reserve.html", **context, errors=errors, values=request.form),
        status,
    )


def _back(code: str | None):
    return redirect(
        url_for("scan.asset", code=code) if code else url_for("reservations.index"), 303
    )


@bp.route("/reservations/<int:reservation_id>/start", methods=["POST"])
@role("member")
def start(reservation_id: int):
    """Start reservation: everything in it is checked out to its person."""
    code = request.form.get("code", "")[:20] or None
    status, written = 200, []
    try:
        booking = reservations.start(
            reservation_id,
            actor=current_actor(),
            today=local_today(),
            zone=local_zone(),
            # Several items, or a handover: one receipt. The one tap has no place to
            # sign: what needs a signature goes out to be accepted later.
            signing=signing_from_form(later_if_required=True),
        )
        written = booking.events
    except NotFound:
        abort(404)
    except (Refused, Forbidden, Invalid) as exc:
        status = exc.status
        flash(f"{exc} Nothing was checked out.", "error")
    else:
        flash(started_message(booking, current_user.id), "ok")
        deliver_receipt(booking.receipt_id)
    asset = assets.get_by_code(code) if code else None
    if asset is not None and wants_fragment(CARD):
        card = asset_page.card(asset, current_user, local_today(), walking_audit_id())
        mine = [e for e in written if e.asset_id == asset.id]  # on top of its history
        response = render_template("scan/_action_result.html", **card, new_events=mine), status
        return response[0], status, {"HX-Reswap": "outerHTML"}
    if status != 200 and asset is not None:
        context = asset_page.page(asset, current_user, local_today(), walking_audit_id())
        return render_template("scan/asset.html", **context), status
    return _back(asset.code if asset else None)


@bp.route("/reservations/<int:reservation_id>/cancel", methods=["POST"])
@role("member")
def cancel(reservation_id: int):
    """Cancel a booking that has not started (from the Reservations page or an item's)."""
    code = codes.parse(request.form.get("code", "")[:20])
    try:
        reservations.cancel(reservation_id, actor=current_actor(), zone=local_zone())
    except NotFound:
        abort(404)
    except (Refused, Forbidden) as exc:
        flash(f"{exc} Nothing was changed.", "error")
        asset = assets.get_by_code(code) if code else None
        if asset is not None:
            context = asset_page.page(asset, current_user, local_today(), walking_audit_id())
            return render_template("scan/asset.html", **context), exc.status
        return render_template(
            "reservations/index.html", **reservations_page.index(current_actor())
        ), exc.status
    flash("Reservation cancelled.", "ok")
    return _back(code)


@bp.route("/reservations/<int:reservation_id>/change", methods=["POST"])
@role("member")
def change(reservation_id: int):
    """Move a booking that has not started to other times, if they are free."""
    try:
        booking = reservations.change(
            reservation_id,
            actor=current_actor(),
            starts_at=form_moment("starts_at"),
            ends_at=form_moment("ends_at"),
            zone=local_zone(),
        )
    except NotFound:
        abort(404)
    except (Invalid, Refused, Forbidden) as exc:
        flash(f"{exc} Nothing was changed.", "error")
        context = reservations_page.index(current_actor())
        return render_template("reservations/index.html", **context, changing=reservation_id), (
            exc.status
        )
    flash(f"Reservation changed: {period(booking.starts_at, booking.ends_at)}.", "ok")
    return redirect(url_for("reservations.index"), 303)


@bp.route("/reservations")
@role("member")
def index():
    """My reservations; for leads, everyone's coming ones too."""
    return render_template("reservations/index.html", **reservations_page.index(current_actor()))
