"""Hot read queries whose SQL is built once, then run with fresh parameters.

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
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from peewee import Model, Query, Value

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
