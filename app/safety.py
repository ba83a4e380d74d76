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


# Deeper than any JSON this app reads; the walk below is a loop, so the bound only
# keeps a hostile body from costing more than its size.
MAX_JSON_DEPTH = 64


def _json_has_nul(payload) -> bool | None:
    """True if any key or string in `payload` holds U+0000; None if it nests too deeply."""
    stack = [(payload, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return None
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            stack.extend((key, depth + 1) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return False


def refuse_nul_characters():
    """before_request hook: no query value, form field, file name or JSON string
    may hold U+0000, whichever of a repeated field's values it is in.

    SQLite would store it and PostgreSQL refuses it with an error, so the same
    form must not work on one and fail with a 500 on the other. A JSON request
    is answered in JSON."""
    from flask import abort, jsonify, request

    values = [
        text
        for fields in (request.args, request.form)
        for key, listed in fields.lists()
        for text in (key, *listed)
    ]
    values += [f.filename or "" for _, listed in request.files.lists() for f in listed]
    if any("\x00" in value for value in values):
        abort(400, description=NUL_MESSAGE)
    if request.is_json:
        try:
            found = _json_has_nul(request.get_json(silent=True))
        except RecursionError:
            found = None
        if found is None:
            return jsonify(error="That JSON is nested too deeply; nothing was saved."), 400
        if found:
            return jsonify(error=NUL_MESSAGE), 400
    return None
