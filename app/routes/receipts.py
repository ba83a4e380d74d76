"""A receipt: its page, its PDF and its signature image, for signed-in people
who may see it (anyone else gets 404, as if it did not exist)."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    render_template,
    send_from_directory,
)

from ..errors import Busy
from ..pages import receipts as receipt_page
from ..permissions import role
from ..receipts import receipts
from ..templating import local_zone, site
from .helpers import current_actor, int_arg, no_store, page_arg

bp = Blueprint("receipts", __name__, url_prefix="/receipts")


def _uploads() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _private(response):
    no_store(response)  # signed-in people only: no cache may keep a copy
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("", strict_slashes=False)
@role("member")
def index():
    """The signed-in person's receipts; a lead's ?person=<id> lists someone else's."""
    context = receipt_page.listing(current_actor(), int_arg("person"), page_arg()) or abort(404)
    return _private(current_app.make_response(render_template("receipts/index.html", **context)))


@bp.route("/<int:receipt_id>")
@role("member")
def show(receipt_id: int):
    """The receipt: items, people, terms, signature, state, and its PDF."""
    context = receipt_page.page(receipt_id, current_actor()) or abort(404)
    return _private(current_app.make_response(render_template("receipts/show.html", **context)))


@bp.route("/<int:receipt_id>.pdf")
@role("member")
def pdf(receipt_id: int):
    """The receipt's PDF: the stored one, or, until it is stored, made now."""
    stored = receipt_page.file_for(receipt_id, current_actor(), "pdf")
    if stored is None:
        abort(404)
    name = f"receipt-{receipt_id}.pdf"
    if stored:
        response = send_from_directory(
            _uploads(), stored, mimetype="application/pdf", download_name=name, as_attachment=True
        )
    else:
        # A GET never writes: made here, it is shown but not kept (delivery keeps it).
        try:
            data = receipts.render(
                receipt_id,
                uploads_dir=_uploads(),
                org_name=site()["org_name"],
                zone=local_zone(),
            )
        except Busy as exc:
            flash(str(exc), "error")
            context = receipt_page.page(receipt_id, current_actor()) or abort(404)
            return render_template("receipts/show.html", **context), exc.status
        response = Response(data, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # A PDF can carry scripts and forms: never part of this site.
    response.headers["Content-Security-Policy"] = "sandbox"
    return _private(response)


@bp.route("/<int:receipt_id>/signature.png")
@role("member")
def signature(receipt_id: int):
    """The drawn signature, to people who may see the receipt."""
    stored = receipt_page.file_for(receipt_id, current_actor(), "signature")
    if not stored:
        abort(404)
    response = send_from_directory(_uploads(), stored, mimetype="image/png")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return _private(response)
