"""URL converters: a number in a URL that no row could have is a 404, not a 500."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest id (or page) the app takes from a request: below both SQLite's and
# PostgreSQL's 64-bit integers, with room for arithmetic such as page offsets.
MAX_ID = 2**62


class BoundedInt(IntegerConverter):
    """`<int:id>` that matches only 0..MAX_ID: a 25-digit id is a plain not-found
    (the database would otherwise refuse to compare it and answer 500)."""

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        limit = MAX_ID if max is None else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=limit, signed=signed)


def init_app(app) -> None:
    """Register before any blueprint, so every `<int:…>` rule uses it."""
    app.url_map.converters["int"] = BoundedInt
