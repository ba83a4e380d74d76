"""Binding the database, the single write path, and connection hygiene."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from peewee import Database, OperationalError, SqliteDatabase
from playhouse.db_url import connect
from playhouse.pool import PooledDatabase

from . import pool
from .models import db

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    # Each connection's page cache, in KiB (negative): 32 MB, not SQLite's 2 MB.
    # A register filter over 100,000 assets' custom values reads more pages than
    # 2 MB holds, and fetching them again from the operating system cost a fifth
    # of its time. Memory is taken only as pages are read.
    "cache_size": -32_000,
}

# SQLite allows one writer at a time. Queuing this process's writers on a lock
# before BEGIN IMMEDIATE means they wait their turn here instead of spinning on
# "database is locked"; other processes still wait through busy_timeout.
_write_lock = threading.RLock()


def open_database(url: str, pooled: bool = False) -> Database:
    """Build (but do not connect) the database named by a URL. The app opens it
    `pooled` (see pool.py); commands that copy between databases do not."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite" and pooled:
        return pool.sqlite_pool(url, SQLITE_PRAGMAS)
    if scheme == "sqlite":
        return connect(url, pragmas=SQLITE_PRAGMAS, timeout=10)
    if scheme in ("postgres", "postgresql"):
        return pool.postgres_pool(url) if pooled else connect(url)
    raise ValueError(f"Unsupported database URL scheme: {scheme!r}")


def bind(database: Database) -> None:
    """Point the models at `database`, closing every connection of the one before."""
    previous = db.obj
    if previous is not None:
        if isinstance(previous, PooledDatabase):
            previous.close_all()
        elif not previous.is_closed():
            previous.close()
    db.initialize(database)


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


# What every SQLite write transaction does last, before it commits (the search
# index catching up with the rows it wrote; see register/search_index.py).
_before_commit: list[Callable[[], None]] = []


def before_commit(hook: Callable[[], None]) -> None:
    """Run `hook` at the end of every SQLite write transaction, inside it."""
    if hook not in _before_commit:
        _before_commit.append(hook)


@contextmanager
def write() -> Iterator[None]:
    """The one way to write: a transaction that takes the write lock up front.

    On SQLite this is BEGIN IMMEDIATE under a process-wide lock; a transaction
    that began deferred, read, and then tried to write could fail with
    "database is locked" under load. On PostgreSQL it is a plain transaction.
    Nested calls become savepoints of the outer transaction. The outermost
    runs the before_commit hooks last.
    """
    if is_sqlite():
        try:
            with _write_lock, db.obj.atomic("IMMEDIATE"):
                yield
                if db.obj.transaction_depth() == 1:  # the outermost: about to commit
                    for hook in _before_commit:
                        hook()
        except OperationalError as exc:
            # On a full disk (or an I/O error) SQLite rolls the transaction back
            # itself; peewee's own rollback then fails and would hide the cause.
            cause = exc
            while cause is not None and "no transaction is active" in str(cause):
                cause = cause.__context__
            if cause is None or cause is exc:
                raise
            if isinstance(cause, OperationalError):
                raise cause from None
            raise OperationalError(str(cause)) from cause
    else:
        with db.obj.atomic():
            yield


def close_connection(_exc=None) -> None:
    if db.obj is not None and not db.is_closed():
        db.close()
