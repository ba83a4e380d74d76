"""Friendly pages for every error; a plain status page is a bug report waiting."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError
from peewee import OperationalError
from werkzeug.exceptions import HTTPException

from ..services.actions import Forbidden, Refused
from ..services.errors import Invalid, NotFound, ServiceError

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: ("That request did not make sense", "Something in it was missing or malformed."),
    403: ("Not allowed", "Your account cannot do that. Ask a lead or an admin."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Not allowed", "That page does not take this kind of request."),
    413: ("Too large", "That upload is too large. The limit is 10 MB per file."),
    429: ("Slow down", "Too many attempts in a short time. Wait a minute and try again."),
    500: (
        "Something went wrong",
        "Nothing was saved. Try again; if it keeps happening, tell whoever runs this server.",
    ),
    503: ("Busy", "The server is busy. Nothing was saved; try again in a moment."),
}


def _page(code: int, detail: str | None = None):
    title, text = MESSAGES.get(code, MESSAGES[500])
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
    detail = exc.description if exc.code == 400 and exc.description else None
    if exc.code == 400 and detail and detail.startswith("The browser (or proxy)"):
        detail = None
    return _page(exc.code or 500, detail)


@bp.app_errorhandler(ServiceError)
def refused(exc: ServiceError):
    # A safety net: routes turn refusals into messages where they expect them;
    # one that slips through is still the person's mistake or a race, not a 500.
    code = {Invalid: 422, NotFound: 404, Refused: 409, Forbidden: 403}.get(type(exc), 409)
    text = "; ".join(exc.errors.values()) if isinstance(exc, Invalid) else str(exc)
    return _page(code, f"{text} Nothing was saved.")


@bp.app_errorhandler(OperationalError)
def database_busy(exc):
    # A lock that outlived busy_timeout, or a full disk: nothing was committed.
    return _page(503)
