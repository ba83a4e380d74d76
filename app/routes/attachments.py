"""Photos and documents kept with an asset: the list, upload, removal, download.

Upload and removal are leads' work; anyone signed in may look and download.
Files are served only through these views (never as static files), so a
signed-out visitor gets the sign-in page, not the file.
"""

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

from ..errors import Forbidden, Invalid
from ..permissions import role
from ..register import attachments, uploads
from ..templating import wants_fragment
from .helpers import asset_or_404, current_actor, no_store

bp = Blueprint("attachments", __name__)

MANAGER = "attachment-manager"


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    """1234567 → "1.2 MB"."""
    return uploads.size_words(size)


def _folder() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _render(asset, status: int = 200, errors: dict | None = None):
    """The attachment manager: the fragment for an htmx swap, else the whole page."""
    context = {
        "asset": asset,
        "items": attachments.for_asset(asset),
        "errors": errors or {},
    }
    template = "attachments/_result.html" if wants_fragment(MANAGER) else "attachments/index.html"
    return render_template(template, **context), status


@bp.route("/A/<code>/attachments", methods=["GET"])
@role("member")
def index(code: str):
    """Every photo and document of an asset, with the upload form for leads."""
    return _render(asset_or_404(code))


@bp.route("/A/<code>/attachments", methods=["POST"])
@role("lead")
def upload(code: str):
    """Add a photo or a PDF; its type is read from the file itself."""
    asset = asset_or_404(code)
    sent = request.files.get("file")
    try:
        change = attachments.add(
            asset.code,
            actor=current_actor(),
            stream=sent.stream if sent and sent.filename else None,
            original_name=sent.filename if sent else "",
            folder=_folder(),
            key=request.form.get("key"),
        )
    except Invalid as exc:
        flash("Please fix the marked fields. Nothing was saved.", "error")
        return _render(asset, exc.status, exc.errors)
    except uploads.TooLarge as exc:
        flash(f"{exc} Nothing was saved.", "error")
        return _render(asset, exc.status, {"file": str(exc)})
    except Forbidden as exc:
        flash(f"{exc} Nothing was saved.", "error")
        return _render(asset, exc.status)
    flash(change.message, "ok")
    if wants_fragment(MANAGER):
        return _render(asset)
    return redirect(url_for("attachments.index", code=asset.code), 303)


@bp.route("/A/<code>/attachments/<int:attachment_id>/remove", methods=["GET", "POST"])
@role("lead")
def remove(code: str, attachment_id: int):
    """Ask, then remove an attachment and its file (the history keeps a record)."""
    asset = asset_or_404(code)
    if request.method == "GET":
        item = attachments.get(attachment_id)
        if item is None or item.asset_id != asset.id:
            flash("That attachment was already removed.", "ok")
            return redirect(url_for("attachments.index", code=asset.code), 303)
        return render_template("attachments/remove.html", asset=asset, item=item)
    try:
        change = attachments.remove(
            asset.code, attachment_id, actor=current_actor(), folder=_folder()
        )
    except Forbidden as exc:
        flash(f"{exc} Nothing was changed.", "error")
        return _render(asset, exc.status)
    flash(change.message, "ok")
    return redirect(url_for("attachments.index", code=asset.code), 303)


def _serve(item, folder: Path, name: str, mimetype: str):
    # A row whose file has gone (restored from an old backup) is a 404, not a 500.
    response = send_from_directory(
        folder, name, mimetype=mimetype, download_name=attachments.download_name(item)
    )
    no_store(response)  # signed-in people only: no cache may keep a copy
    response.headers["X-Content-Type-Options"] = "nosniff"
    if mimetype.startswith("image/"):
        # Opened on its own, a photo is shown by the browser's image viewer,
        # which styles itself inline; an image runs no script, so allow that.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        )
    return response


@bp.route("/attachments/<int:attachment_id>")
@role("member")
def download(attachment_id: int):
    """The file itself, shown in the browser (photos and PDFs) under a safe name."""
    item = attachments.get(attachment_id) or abort(404)
    response = _serve(item, _folder(), item.stored_name, item.content_type)
    if item.kind == "document":
        # A PDF can carry scripts and forms: open it as a sandboxed, origin-less
        # document, never as part of this site.
        response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.route("/attachments/<int:attachment_id>/thumb")
@role("member")
def thumb(attachment_id: int):
    """A photo's small JPEG for the asset page (a phone need not fetch the original)."""
    item = attachments.get(attachment_id) or abort(404)
    if item.kind != "photo":
        abort(404)
    path = uploads.thumb_path(_folder(), item.stored_name)
    response = _serve(item, path.parent, path.name, "image/jpeg")
    # The thumbnail is a JPEG whatever the original was; it is not for saving.
    del response.headers["Content-Disposition"]
    return response
