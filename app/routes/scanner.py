"""The in-browser scanner: the /scan page, the JSON endpoint its scans go to,
and the service worker that lets the page reopen in a dead spot."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request

from ..custody import batch
from ..pages import scanner as scanner_page
from ..permissions import public, role
from ..templating import local_today, localtime, site
from .helpers import current_actor, walking_audit_id

bp = Blueprint("scanner", __name__)

# Fifty actions with their keys and codes fit in a few kilobytes; anything far
# bigger is not from the scanner.
MAX_BODY = 64 * 1024


@bp.route("/scan")
@role("member")
def page():
    """The scanner: camera or typed codes, in Open, Audit, Check out to…, Return or Move to…"""
    # Without JavaScript a typed code that matches nothing comes back here to be asked about.
    checked = request.args.get("audit", type=int)
    unmatched = request.args.get("check", "")[:40] if checked else ""
    context = scanner_page.page(
        current_actor(), walking_audit_id(), checked=checked, unmatched=unmatched
    )
    return render_template("scanner/page.html", public_url=site()["public_url"], **context)


def _refuse(message: str, status: int = 400):
    return jsonify(error=message), status


@bp.route("/scan/actions", methods=["POST"])
@role("member")
def actions():
    """Scanned actions as JSON, one or a queued batch; one answer per action."""
    if (request.content_length or 0) > MAX_BODY:
        return _refuse("Too much at once: send the queue in smaller batches.", 413)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _refuse('Send JSON like {"actions": [...]}.')
    try:
        answer = batch.apply(
            payload.get("actions"),
            actor=current_actor(),
            today=local_today(),
            clock=lambda moment: localtime(moment, "%H:%M"),
        )
    except batch.BadBatch as exc:
        return _refuse(str(exc))
    return jsonify(answer.as_dict())


@bp.route("/scan-sw.js")
@public
def service_worker():
    """The scanner's service worker, served from the root so it may control /scan."""
    path = Path(current_app.static_folder) / "scan-sw.js"
    response = current_app.response_class(path.read_bytes(), mimetype="text/javascript")
    # Browsers check for a new worker on each visit; never let a cache hide one.
    response.headers["Cache-Control"] = "no-cache"
    return response
