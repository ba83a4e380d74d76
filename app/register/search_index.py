"""Keeping the search box's word-part index up to date (SQLite, schema version 12).

`asset_search` is an FTS5 table with one row per asset: its own searched fields
and its text, link and choice values. Triggers on `asset`, `custom_value` and
`custom_field` only list the assets whose row is out of date in
`asset_search_stale`; `catch_up` rewrites those rows, all in one statement, and
`database.write()` runs it at the end of every write transaction, before it
commits, so a search never sees a change without its row. (An FTS5 write made
by a trigger costs many times one made by a statement of its own: an import of
10,000 assets with five custom values each took nine times as long.)

PostgreSQL keeps its trigram indexes itself; nothing here runs there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from peewee import OperationalError

from ..database import is_sqlite
from ..models import db
from .custom_search import SEARCHED

# The asset's own columns the index holds (the search box looks in the code as
# a code is written, in the others as typed: text_search.py).
OWN = ("code", "name", "serial", "model", "manufacturer", "external_tag")
_KINDS = ", ".join(f"'{kind}'" for kind in SEARCHED)
_COLUMNS = ", ".join(f'"{c}"' for c in OWN)
_FROM_ASSET = ", ".join(f'a."{c}"' for c in OWN)
_SEARCHED_VALUES = (
    """SELECT coalesce(group_concat(v."text", char(31)), '') FROM "custom_value" v """
    """JOIN "custom_field" f ON f."id" = v."field_id" """
    f"""WHERE v."asset_id" = a."id" AND f."kind" IN ({_KINDS})"""
)
CATCH_UP = (
    'DELETE FROM "asset_search" WHERE rowid IN (SELECT "asset_id" FROM "asset_search_stale")',
    f'INSERT INTO "asset_search" (rowid, {_COLUMNS}, "custom") '
    f'SELECT a."id", {_FROM_ASSET}, ({_SEARCHED_VALUES}) FROM "asset" a '
    'WHERE a."id" IN (SELECT "asset_id" FROM "asset_search_stale")',
    'DELETE FROM "asset_search_stale"',
)


def catch_up(execute: Callable | None = None) -> None:
    """Rewrite the rows of the assets listed as stale, through `execute` (the
    app's database unless given a sqlite3 connection's execute). Nothing to do
    costs one lookup; a database older than version 12 has no list."""
    if execute is None:
        if not is_sqlite():
            return
        execute = db.execute_sql
    try:
        if execute('SELECT 1 FROM "asset_search_stale" LIMIT 1').fetchone() is None:
            return
    except (OperationalError, sqlite3.OperationalError):  # no such table: not upgraded yet
        return
    for statement in CATCH_UP:
        execute(statement)
