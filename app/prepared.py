"""Hot queries whose SQL is built once, then run with fresh parameters.

peewee builds a query's SQL anew every time it runs. For a keyed lookup that
costs several times what SQLite takes to answer it, and the asset page, the
page every scan opens, makes six such lookups. A `Prepared` query is written
with peewee as usual, in a function of its parameters. The function runs once
per kind of database, with placeholders for its arguments; the SQL it builds
is kept, and each call sends that SQL with the real arguments and turns the
rows into models exactly as the query itself would (joins included).

Arguments reach the database driver as they are, without peewee's field
conversions, so pass what the column holds: ids rather than models, strings,
numbers.

Writes have the same cost: `insert` writes one row the way `Model.create`
would (defaults, field conversions, the new id), and `insert_many` many rows
with one statement, both from SQL built once per table, columns and database.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from peewee import Model, PostgresqlDatabase, Query, Value

from .models import db


class _Slot:
    """Where argument `index` goes among a compiled query's parameters."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


class Prepared:
    """A query built by `build(*args)`, compiled once per database class."""

    def __init__(self, build: Callable[..., Query]):
        self._build = build
        self._arity = len(inspect.signature(build).parameters)
        self._compiled: dict[type, tuple[Query, str, tuple]] = {}
        self.__doc__ = build.__doc__

    def _compile(self) -> tuple[Query, str, tuple]:
        kind = type(db.obj)
        found = self._compiled.get(kind)
        if found is None:
            # Value(..., converter=False) keeps a field's db_value from touching
            # the placeholder, so it comes out of .sql() as itself. Two threads
            # compiling at once build the same thing; either result may stay.
            slots = [Value(_Slot(i), converter=False) for i in range(self._arity)]
            query = self._build(*slots)
            sql, params = query.sql()
            found = self._compiled[kind] = (query, sql, tuple(params))
        return found

    def __call__(self, *args) -> list:
        """Every row, as the query's own iteration would give them."""
        if len(args) != self._arity:
            raise TypeError(f"expected {self._arity} arguments, got {len(args)}")
        if any(isinstance(a, Model) for a in args):
            raise TypeError("pass a model's id, not the model")
        query, sql, params = self._compile()
        values = [args[p.index] if isinstance(p, _Slot) else p for p in params]
        return list(query._get_cursor_wrapper(db.execute_sql(sql, values)))

    def first(self, *args):
        """The first row, or None."""
        rows = self(*args)
        return rows[0] if rows else None


_inserts: dict[tuple, str] = {}


def _insert_sql(model: type[Model], names: tuple[str, ...], returning: bool) -> str:
    key = (model, names, type(db.obj))
    sql = _inserts.get(key)
    if sql is None:
        fields = model._meta.fields
        columns = ", ".join(f'"{fields[n].column_name}"' for n in names)
        marks = ", ".join([db.obj.param] * len(names))
        sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
        if returning:
            sql += f' RETURNING "{model._meta.primary_key.column_name}"'
        _inserts[key] = sql
    return sql


def insert(model: type[Model], **values):
    """Write one row, as `model.create(**values)` would (the model's defaults,
    its fields' conversions), and return it with its new id."""
    row = model(**values)
    data = row.__data__
    primary = model._meta.primary_key.name
    names = tuple(f.name for f in model._meta.sorted_fields if f.name in data and f.name != primary)
    postgres = isinstance(db.obj, PostgresqlDatabase)
    fields = model._meta.fields
    params = [fields[n].db_value(data[n]) for n in names]
    cursor = db.execute_sql(_insert_sql(model, names, postgres), params)
    setattr(row, primary, cursor.fetchone()[0] if postgres else cursor.lastrowid)
    row._dirty.clear()
    return row


def insert_many(model: type[Model], rows: list[dict]) -> None:
    """INSERT many rows with one prepared statement. peewee's insert_many builds
    the SQL text value by value, which costs seconds at 10,000 rows; this keeps
    its column names and value conversions but not its SQL building. Every row
    names the same columns; those left out get the model's default."""
    if not rows:
        return
    given = list(rows[0])
    defaults = {
        f.name: f.default() if callable(f.default) else f.default
        for f in model._meta.sorted_fields
        if f.name not in given and f.default is not None
    }
    names = tuple(given + list(defaults))
    fields = [model._meta.fields[n] for n in names]
    values = []
    for row in rows:
        full = {**row, **defaults} if defaults else row
        values.append(tuple(f.db_value(full[n]) for f, n in zip(fields, names, strict=True)))
    db.obj.cursor().executemany(_insert_sql(model, names, False), values)
