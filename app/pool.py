"""Pooled connections: a request hands its connection back instead of closing it.

Opening a SQLite file and reading its schema costs more than the asset page's
queries put together, and a kept connection also keeps its page cache and its
prepared statements. (On PostgreSQL, a new connection costs a round of
authentication and a server process.)

A connection going back to the pool must carry nothing into the next request:

- no transaction: peewee's pool rolls back one left open;
- no read snapshot: in WAL mode, a SQLite statement stepped part way keeps
  its connection reading the database as it was, so the next request on that
  connection would not see newer writes. CPython finishes a cursor when it is
  dropped, which a request's cursors are by its end; to make that certain
  rather than likely, each SQLite connection tracks its cursors and closes any
  still alive when it goes back.
"""

from __future__ import annotations

import sqlite3
import weakref

from playhouse.db_url import parse
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

# peewee measures this from when a connection was opened: one older than this
# is closed instead of reused, when it is next taken or handed back.
STALE_SECONDS = 300
# No cap: the server's threads already bound how many are in use at once, and
# a capped pool would refuse a request when all were busy.
MAX_CONNECTIONS = None


class _TrackedConnection(sqlite3.Connection):
    """A SQLite connection that knows its live cursors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.live_cursors: weakref.WeakSet = weakref.WeakSet()

    def cursor(self, *args, **kwargs):
        cursor = super().cursor(*args, **kwargs)
        self.live_cursors.add(cursor)
        return cursor


class SqlitePool(PooledSqliteDatabase):
    def _can_reuse(self, conn) -> bool:
        for cursor in list(getattr(conn, "live_cursors", ())):
            cursor.close()  # ends the statement, and with it any read snapshot
        return super()._can_reuse(conn)


def sqlite_pool(url: str, pragmas: dict) -> SqlitePool:
    # The pool's connections move between the server's threads, one at a time.
    return SqlitePool(
        parse(url)["database"],
        pragmas=pragmas,
        check_same_thread=False,
        factory=_TrackedConnection,
        stale_timeout=STALE_SECONDS,
        max_connections=MAX_CONNECTIONS,
    )


def postgres_pool(url: str) -> PooledPostgresqlDatabase:
    return PooledPostgresqlDatabase(
        **parse(url), stale_timeout=STALE_SECONDS, max_connections=MAX_CONNECTIONS
    )
