"""Static files on the wire: versioned URLs, and Brotli or gzip, compressed
once per file and kept.

Every static URL carries ?v=<content hash>, so browsers may keep the file for
a year (a changed file gets a new URL).

Flask-Compress does the negotiation (Accept-Encoding, Vary, ETag). Flask sends
static files as a stream from disk, and Flask-Compress would compress such a
stream anew on every request without closing the file; so static responses
are read into memory first (they are small), which lets each file be
compressed once per encoding and served from memory afterwards.
"""

from __future__ import annotations

import hashlib
import re
import threading
from functools import cache
from pathlib import Path

from flask import Flask, g, has_request_context, request, url_for

from .extensions import compress


def _is_static() -> bool:
    return has_request_context() and request.endpoint == "static"


class _Compressed:
    """Compressed static bodies by encoding and path. Bounded by the files that
    exist: only 200 responses are compressed, and the key ignores the query string.

    Flask-Compress asks this cache for every response it compresses, dynamic ones
    too (an SVG preview of labels, say), and its key is the path alone. Only
    files of the `static` endpoint are the same for everyone at one path, so
    anything else is neither looked up nor kept: it is compressed afresh."""

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return self._data.get(key) if _is_static() else None

    def set(self, key: str, value: bytes) -> None:
        if not _is_static():
            return
        with self._lock:
            self._data[key] = value


def _cache_key(req) -> str:
    return req.path


def _buffer_static(response):
    if request.endpoint != "static" or response.status_code != 200:
        return response
    # A stylesheet goes out lean (below), whatever the server wraps the file in
    # (waitress hands a file buffer with a length, which is not "streamed").
    css = response.mimetype == "text/css"
    if response.is_streamed or css:
        # Read the file now; it is closed with the response. A passthrough
        # response would hand the list itself to the server, skipping that close.
        response.direct_passthrough = False
        response.make_sequence()
        if css:
            response.set_data(_lean_css(response.get_data()))
    return response


# A comment, or the blank run between two lines. The stylesheets hold no strings
# or URLs with "/*" in them (tests/test_static_files.py checks), so no parser
# is needed.
_CSS_COMMENT = re.compile(rb"/\*.*?\*/", re.S)
_CSS_GAP = re.compile(rb"\s*\n\s*")


@cache
def _lean_css(css: bytes) -> bytes:
    """A stylesheet without its comments and indentation: they are for the next
    engineer, and a third of the bytes a phone would fetch on its first visit."""
    return _CSS_GAP.sub(b"\n", _CSS_COMMENT.sub(b"", css)).strip() + b"\n"


@cache
def _version(folder: str, filename: str) -> str | None:
    """A static file's content hash, or None if there is no such file. Files
    do not change while the server runs, so each is read once."""
    path = Path(folder) / filename
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else None


def _add_version(app: Flask):
    def add(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            version = _version(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    return add


def static_url(filename: str) -> str:
    """url_for("static", filename=...), built once per request: a list draws
    its icons from one file on every row, and url_for is the dearest call in a
    row. (Keyed by the script root too: `g` can outlive a request, as in a test
    that sends several in one app context.)"""
    if not has_request_context():
        return url_for("static", filename=filename)
    built = g.setdefault("static_urls", {})
    key = (request.script_root, filename)
    url = built.get(key)
    if url is None:
        url = built[key] = url_for("static", filename=filename)
    return url


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version(app))
    app.jinja_env.globals["static_url"] = static_url
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", _Compressed)
    app.config.setdefault("COMPRESS_CACHE_KEY", _cache_key)
    compress.init_app(app)
    # Registered after Flask-Compress, so it runs before it (Flask runs
    # after_request hooks in reverse order).
    app.after_request(_buffer_static)
