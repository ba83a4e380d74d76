"""The register's search box: assets whose own fields (name, code, serial,
model, maker, old tag) or custom text, link and choice values contain what was
typed, ignoring case. A code is found typed with or without its dash.

SQLite answers from the word-part index that schema version 12 keeps
(`asset_search`: FTS5 with the trigram tokenizer, one row per asset), so a
search reads only the assets it finds. PostgreSQL reads pg_trgm's indexes on
the same columns. An index of three-letter parts cannot find fewer than three
letters: shorter searches (and text with control characters, which no field
holds) test every asset with LIKE instead, finding the same assets.
"""

from __future__ import annotations

from functools import reduce

from peewee import SQL

from .. import codes
from ..database import is_sqlite
from ..models import Asset, CustomValue
from . import search_index

SHORTEST = 3  # the fewest letters the word-part index can find
# The asset's own columns the typed text is looked for in as typed (the code is
# looked for as a code is written: capitals, no dash).
_AS_TYPED = tuple(column for column in search_index.OWN if column != "code")


def code_part(text: str) -> str:
    """What a code containing `text` contains: "ab-c1" is part of "ABC1...".
    Blank when no code could contain it (it is longer than a code)."""
    code = text.upper().replace("-", "")
    return code if len(code) <= codes.LENGTH else ""


def indexed(text: str) -> bool:
    """Whether the search for `text` (stripped, not blank) reads the word-part
    index rather than every asset (SQLite; PostgreSQL chooses for itself)."""
    return is_sqlite() and _indexable(text, code_part(text))


def condition(text: str, searched: list[tuple[int, str, tuple[str, ...]]]):
    """The search box's `text` (stripped, not blank) as a condition on Asset.
    `searched` is the custom fields it looks in: (id, kind, choices)."""
    if indexed(text):
        return Asset.id.in_(_index_query("rowid", text, searched))
    code = code_part(text)
    # LIKE, its % and _ taken as themselves
    own = [Asset._meta.columns[column].contains(text) for column in _AS_TYPED]
    if code:
        own.append(Asset.code.contains(code))
    own_matches = reduce(lambda a, b: a | b, own)
    custom = _custom_matches(text, searched)
    if custom is None:
        return own_matches
    if is_sqlite():
        return own_matches | Asset.id.in_(custom)
    # PostgreSQL combines the trigram indexes of every column (a bitmap OR) only
    # when each part of the OR can use one, so the custom values are a union.
    return Asset.id.in_(Asset.select(Asset.id).where(own_matches) | custom)


def _indexable(text: str, code: str) -> bool:
    return (
        len(text) >= SHORTEST
        and (not code or len(code) >= SHORTEST)
        and not any(ord(c) < 32 for c in text)
    )


def count_alone(text: str, searched: list[tuple[int, str, tuple[str, ...]]]):
    """How many assets the indexed search for `text` finds, counted in the index
    alone (when nothing else narrows the register)."""
    return _index_query("count(*)", text, searched)


def _index_query(what: str, text: str, searched):
    match = _match(text, code_part(text), custom=bool(searched))
    return SQL(f'(SELECT {what} FROM "asset_search" WHERE "asset_search" MATCH ?)', (match,))


def _phrase(text: str) -> str:
    """`text` as an FTS5 string, every character taken as itself."""
    return '"' + text.replace('"', '""') + '"'


def _match(text: str, code: str, *, custom: bool) -> str:
    """The FTS5 query: a trigram phrase matches exactly the values containing it.
    With `custom`, the custom values too (every text, link and choice value)."""
    columns = " ".join(_AS_TYPED + (("custom",) if custom else ()))
    query = f"{{{columns}}} : {_phrase(text)}"
    if code:
        query += f" OR code : {_phrase(code)}"
    return query


def _custom_matches(text: str, searched: list[tuple[int, str, tuple[str, ...]]]):
    """The assets with a custom text or link value containing `text`, or a choice
    containing it (the choices are worked out here, so the index finds them).
    None when no field could match."""
    parts = []
    free = [field_id for field_id, kind, _ in searched if kind != "choice"]
    if free:
        values = CustomValue.select(CustomValue.asset).where(
            CustomValue.field.in_(free), CustomValue.text.contains(text)
        )
        if is_sqlite():  # (PostgreSQL has the trigram index of the text)
            values = values.where(CustomValue.text > "")  # steers it to the (field, text) index
        parts.append(values)
    folded = text.casefold()
    for field_id, kind, choices in searched:
        if kind != "choice":
            continue
        hits = [c for c in choices if folded in c.casefold()]
        if hits:
            parts.append(
                CustomValue.select(CustomValue.asset).where(
                    CustomValue.field == field_id, CustomValue.text.in_(hits)
                )
            )
    if not parts:
        return None
    return reduce(lambda a, b: a | b, parts)
