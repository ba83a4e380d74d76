"""Copy a tagtrail SQLite database into an empty PostgreSQL one.

The way past one SQLite file: stop the server, copy, point DATABASE_URL at
PostgreSQL, start again. Rows are read through the models (so dates, booleans
and JSON come back as Python values) and written through the same models bound
to PostgreSQL, table by table in foreign-key order, ids kept. Sequences are then
moved past the highest id, and every table's row count is checked.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Database, SqliteDatabase

from ..database import open_database
from ..migrations import LATEST, current_version, upgrade
from ..models import MODELS, SchemaVersion, db

CHUNK = 2000


class CopyError(Exception):
    pass


def _version_of(database: Database) -> int:
    with database.bind_ctx(MODELS):
        db.initialize(database)
        return current_version()


def copy(source_url: str, target_url: str, report: Callable[[str], None] = print) -> dict:
    """Copy every row; returns {table: rows}. The target must hold no tables."""
    source = open_database(source_url)
    target = open_database(target_url)
    if not isinstance(source, SqliteDatabase):
        raise CopyError("The source must be a SQLite database (sqlite:///path).")
    if isinstance(target, SqliteDatabase):
        raise CopyError("The target must be a PostgreSQL URL (postgresql://...).")
    previous = db.obj
    try:
        version = _version_of(source)
        if version != LATEST:
            raise CopyError(
                f"The SQLite database is at schema version {version}; this tagtrail "
                f"expects {LATEST}. Start tagtrail on it once (or run `tagtrail migrate`)."
            )
        if target.get_tables():
            raise CopyError(
                "The PostgreSQL database already has tables. Copy into an empty "
                "database (createdb tagtrail), so nothing there is overwritten."
            )
        db.initialize(target)
        upgrade()  # the current schema, created fresh
        counts = {}
        for model in MODELS:
            if model is SchemaVersion:
                continue
            counts[model._meta.table_name] = _copy_table(model, source, target)
            report(f"{model._meta.table_name}: {counts[model._meta.table_name]} rows")
        _reset_sequences(target)
        _check_counts(source, target, counts)
        return counts
    finally:
        source.close()
        target.close()
        if previous is not None:
            db.initialize(previous)


def _copy_table(model, source: Database, target: Database) -> int:
    fields = list(model._meta.sorted_fields)
    order = model._meta.primary_key
    # Locations point at their parents: write them without, then set parents.
    self_ref = [f for f in fields if getattr(f, "rel_model", None) is model]
    # Fields compare with == into SQL expressions: find them by identity.
    key_at = next(i for i, f in enumerate(fields) if f is order)
    written, last = 0, None
    while True:  # keyset pages: a million events cost no more per page than ten
        with source.bind_ctx([model]):
            query = model.select(*fields).order_by(order).limit(CHUNK)
            if last is not None:
                query = query.where(order > last)
            rows = list(query.tuples())
        if not rows:
            break
        last = rows[-1][key_at]
        if self_ref:
            index = {i for i, f in enumerate(fields) if any(f is r for r in self_ref)}
            plain = [tuple(None if i in index else v for i, v in enumerate(r)) for r in rows]
        else:
            plain = rows
        with target.bind_ctx([model]), target.atomic():
            model.insert_many(plain, fields=fields).execute()
        written += len(rows)
    if self_ref:
        with source.bind_ctx([model]):
            links = list(
                model.select(model._meta.primary_key, *self_ref)
                .where(self_ref[0].is_null(False))
                .tuples()
            )
        with target.bind_ctx([model]), target.atomic():
            for pk, *parents in links:
                model.update(dict(zip(self_ref, parents, strict=True))).where(
                    model._meta.primary_key == pk
                ).execute()
    return written


def _reset_sequences(target: Database) -> None:
    for model in MODELS:
        pk = model._meta.primary_key
        if pk is None or pk.field_type != "AUTO":
            continue
        table, column = model._meta.table_name, pk.column_name
        target.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
            f'COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, false)'
        )


def _check_counts(source: Database, target: Database, counts: dict) -> None:
    for model in MODELS:
        if model is SchemaVersion:
            continue
        with source.bind_ctx([model]):
            expected = model.select().count()
        with target.bind_ctx([model]):
            got = model.select().count()
        if expected != got:
            raise CopyError(f"{model._meta.table_name}: {expected} rows in SQLite, {got} copied.")
