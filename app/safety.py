"""Validating where a `next` redirect may go."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def is_safe_path(target: str | None) -> bool:
    """True only for a path on this site: "/x", never "//host", "/\\host" or "http:"."""
    if not target or not target.startswith("/"):
        return False
    if target.startswith("//") or target.startswith("/\\"):
        return False
    # Browsers drop tabs and newlines and treat backslashes as slashes.
    if any(ch in target for ch in "\\\t\r\n") or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str:
    return target if is_safe_path(target) else url_for("home.index")


NUL_MESSAGE = (
    "Something you sent contains a NUL character, which cannot be stored. "
    "Remove it (it often comes from copying out of another program) and try again; "
    "nothing was saved."
)


def refuse_nul_characters():
    """before_request hook: no form field or query value may hold U+0000.

    SQLite would store it and PostgreSQL refuses it with an error, so the same
    form must not work on one and fail with a 500 on the other."""
    from flask import abort, request

    values = [*request.args.values(), *request.form.values()]
    values += [f.filename or "" for f in request.files.values()]
    if any("\x00" in value for value in values):
        abort(400, description=NUL_MESSAGE)
