"""A handover left to be accepted: the receiver accepts it (signing) or declines
it; the lead's phone, handed to the receiver, signs it there and then."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from ..errors import Invalid, NotFound, Refused
from ..pages import acceptance as acceptance_page
from ..permissions import role
from ..receipts import acceptance
from ..templating import wants_fragment
from .helpers import current_actor, deliver_receipt, form_int, form_text, no_store

bp = Blueprint("acceptance", __name__, url_prefix="/receipts")

TARGET = "acceptance"


def _uploads() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _fragment(receipt_id: int) -> str | None:
    """The element htmx swaps: the accept page's part, or the handover's row on
    home (its Decline); None for a whole page."""
    for target in (TARGET, f"waiting-{receipt_id}"):
        if wants_fragment(target):
            return target
    return None


def _page(receipt_id: int, mode: str, status: int = 200, errors: dict | None = None):
    context = acceptance_page.page(receipt_id, current_actor(), mode) or abort(404)
    box = _fragment(receipt_id)
    context.update(errors=errors or {}, values=request.form, box_id=box or TARGET)
    template = "receipts/_acceptance.html" if box else "receipts/accept.html"
    response = current_app.make_response((render_template(template, **context), status))
    return no_store(response)


def _decide(receipt_id: int, mode: str, run, done_to: str):
    try:
        decided = run()
    except NotFound:
        abort(404)
    except Invalid as exc:
        flash("Please fix the marked fields. Nothing was saved.", "error")
        return _page(receipt_id, mode, exc.status, exc.errors)
    except Refused as exc:
        flash(f"{exc} Nothing was saved.", "error")
        return _page(receipt_id, mode, exc.status)
    flash(decided.message, "ok")
    if not decided.duplicate:
        receipt_state = acceptance_page.page(receipt_id, current_actor(), mode)
        if receipt_state and receipt_state["receipt"].state in ("accepted", "signed"):
            deliver_receipt(receipt_id)
    if _fragment(receipt_id):
        return _page(receipt_id, mode)
    return redirect(done_to, 303)


@bp.route("/<int:receipt_id>/accept", methods=["GET", "POST"])
@role("member")
def accept(receipt_id: int):
    """Accept a handover made to you, signing for the items."""
    if request.method == "GET":
        return _page(receipt_id, "accept")
    return _signed(receipt_id, "accept", url_for("home.index"))


def _signed(receipt_id: int, mode: str, done_to: str):
    """The receiver's signature on a waiting handover: accepted later by them
    (`mode` "accept"), or signed there and then on a lead's phone ("sign")."""
    service = acceptance.accept if mode == "accept" else acceptance.sign_now
    who = {"person" if mode == "accept" else "viewer": current_actor()}
    return _decide(
        receipt_id,
        mode,
        lambda: service(
            receipt_id,
            drawn=request.form.get("signature", ""),
            typed=form_text("signature_name", 120),
            version=form_int("version"),
            uploads_dir=_uploads(),
            **who,
        ),
        done_to,
    )


@bp.route("/<int:receipt_id>/decline", methods=["POST"])
@role("member")
def decline(receipt_id: int):
    """Decline a handover made to you: the items go back to who handed them over."""
    return _decide(
        receipt_id,
        "accept",
        lambda: acceptance.decline(
            receipt_id,
            person=current_actor(),
            note=form_text("decline_note", 2000),
            version=form_int("version"),
        ),
        url_for("home.index"),
    )


@bp.route("/<int:receipt_id>/sign", methods=["GET", "POST"])
@role("member")
def sign(receipt_id: int):
    """Hand the phone to the receiver: they sign for the items there and then."""
    if request.method == "GET":
        return _page(receipt_id, "sign")
    return _signed(receipt_id, "sign", url_for("receipts.show", receipt_id=receipt_id))
