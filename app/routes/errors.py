"""Friendly pages for every error; a plain status page is a bug report waiting."""

from __future__ import annotations

import errno

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from peewee import OperationalError
from werkzeug.exceptions import HTTPException

from ..errors import Invalid, ServiceError
from ..permissions import may
from ..register import uploads
from ..spreadsheets import rules as import_rules

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: ("That request did not make sense", "Something in it was missing or malformed."),
    403: ("Not allowed", "Your account cannot do that. Ask a lead or an admin."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Not allowed", "That page does not take this kind of request."),
    409: ("Not done", "That cannot be done now: something changed. Reload and try again."),
    413: ("Too large", f"That upload is too large. The limit is {uploads.limit_words()} per file."),
    422: ("Check what was entered", "Something entered was not right."),
    429: ("Slow down", "Too many attempts in a short time. Wait a minute and try again."),
    500: (
        "Something went wrong",
        "Nothing was saved. Try again; if it keeps happening, tell whoever runs this server.",
    ),
    503: ("Busy", "The server is busy. Nothing was saved; try again in a moment."),
}
STORAGE_FULL = (
    "Storage full",
    "Storage full, nothing was saved. The server's disk has no room left: tell whoever "
    "runs it. Everything saved before is safe.",
)


def _not_allowed() -> str:
    """Who to ask: a lead is refused only what needs an admin; an admin has no
    one to ask."""
    user = current_user
    if user.is_authenticated and user.has_role("admin"):
        return "Your account cannot do that."
    if user.is_authenticated and user.has_role("lead"):
        return "Your account cannot do that. Ask an admin."
    return MESSAGES[403][1]


def _page(code: int, detail: str | None = None):
    title, text = MESSAGES.get(code, MESSAGES[500])
    if code == 403 and not detail:
        text = _not_allowed()
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


@bp.app_errorhandler(CSRFError)
def csrf_error(exc):
    return _page(
        400,
        "This form has expired or came from elsewhere. Reload the page and "
        "try again; nothing was saved.",
    )


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.code == 413 and request.endpoint == "imports.upload" and may(request.endpoint):
        # A file far over the limit is refused before the view reads it (the request
        # cap); the person still gets the import page saying so, as for one just over.
        page = render_template("imports/upload.html", error=import_rules.too_large_words())
        return page, 413
    detail = exc.description if exc.code == 400 and exc.description else None
    if exc.code == 400 and detail and detail.startswith("The browser (or proxy)"):
        detail = None
    return _page(exc.code or 500, detail)


@bp.app_errorhandler(ServiceError)
def refused(exc: ServiceError):
    # A safety net: routes turn refusals into messages where they expect them;
    # one that slips through is still the person's mistake or a race, not a 500.
    # Each kind carries its status (app/errors.py); nothing else maps them.
    code = exc.status
    text = "; ".join(exc.errors.values()) if isinstance(exc, Invalid) else str(exc)
    return _page(code, f"{text} Nothing was saved.")


def _storage_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    # SQLite says "database or disk is full"; PostgreSQL "No space left on device".
    text = str(exc).lower()
    return "database or disk is full" in text or "no space left on device" in text


def _full_page():
    title, text = STORAGE_FULL
    page = render_template("errors/error.html", code=503, title=title, text=text)
    return page, 503, {"X-Tagtrail-Error": "storage-full", "Retry-After": "600"}


@bp.app_errorhandler(OperationalError)
def database_busy(exc):
    # A lock that outlived busy_timeout, or a full disk: nothing was committed.
    if _storage_full(exc):
        current_app.logger.error("Storage full: %s", exc)
        return _full_page()
    current_app.logger.warning("Database unavailable: %s", exc)
    return _page(503)


@bp.app_errorhandler(OSError)
def os_error(exc: OSError):
    # An upload or a backup that hit a full disk. Anything else is a real bug.
    if _storage_full(exc):
        current_app.logger.error("Storage full: %s", exc)
        return _full_page()
    raise exc
