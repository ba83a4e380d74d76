"""Custom fields in the register's search and filters.

The search box also finds assets by their custom text, link and choice values
(text_search.py).
Each custom field can be a filter, read from the register's query string:
`cf<id>=<value>` (equals: text and links ignoring case, a choice or yes/no as
kept; a number or a date too, though the form offers ranges for those),
`cf<id>-after` / `cf<id>-before` (dates, the day itself left out) and
`cf<id>-min` / `cf<id>-max` (numbers, at least / at most). Values are read by
the one rule for custom values (custom_field_rules.parse_custom_value).

Filters join the asset to its values of the fields they name (see `joins`):
the (field, text), (field, number) and (field, day) indexes find the values
a filter asks for, and the (asset, field) index looks up an asset's value.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce

from peewee import OP, SQL, Expression, NodeList, Value, fn

from ..models import Asset, CustomField, CustomValue
from . import custom_field_rules as rules
from . import custom_fields

# The filters each kind offers, beside equals ("").
RANGES = {"date": ("after", "before"), "number": ("min", "max")}
SEARCHED = ("text", "link", "choice")  # kinds the search box looks in
_PARAM = re.compile(r"^cf(\d{1,18})(?:-(after|before|min|max))?$")
OP_WORDS = {"": "is", "after": "after", "before": "before", "min": "at least", "max": "at most"}


def param(field_id: int, op: str = "") -> str:
    """The query string name of one filter."""
    return f"cf{field_id}-{op}" if op else f"cf{field_id}"


@dataclass(frozen=True)
class Filter:
    field_id: int
    kind: str
    op: str  # "" (equals), "after", "before", "min" or "max"
    value: object  # the kept text, the day or the number


@dataclass
class FilterField:
    """One custom field as the register's filter form offers it, with what was asked."""

    id: int
    name: str
    kind: str
    choices: tuple[str, ...]
    category: str  # the category it belongs to, "" for every asset
    asked: dict[str, str] = field(default_factory=dict)  # op -> the value as typed

    @property
    def ops(self) -> tuple[str, ...]:
        return RANGES.get(self.kind, ("",))

    def input(self, op: str = "") -> str:
        return param(self.id, op)


@dataclass
class Custom:
    """What the register was asked of custom fields: the filters, their form and
    what is wrong with any of them (by query string name)."""

    fields: list[FilterField] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    searched: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.filters or self.errors)


def read(args: Mapping[str, str], fields: Iterable[CustomField] | None = None) -> Custom:
    """The custom filters a query string asks for, checked against the fields
    there are (all of them unless given). A value that does not fit its field, a
    filter a field does not offer, or a field that does not exist is an error
    naming it, and that filter is not applied."""
    if fields is None:
        fields = custom_fields.all_fields()
    custom = Custom()
    by_id: dict[int, FilterField] = {}
    for f in rules.in_order(fields):
        shown = FilterField(f.id, f.name, f.kind, tuple(f.choices or ()), _category(f))
        by_id[f.id] = shown
        custom.fields.append(shown)
        if f.kind in SEARCHED:
            custom.searched.append((f.id, f.kind, shown.choices))
    for key, raw in args.items():
        match = _PARAM.match(key)
        if not match:
            continue
        raw = (raw or "").strip()
        field_id, op = int(match.group(1)), match.group(2) or ""
        target = by_id.get(field_id)
        if target is None:
            if raw:
                custom.errors[key] = (
                    "A filter names a custom field that does not exist (it may have been "
                    "removed). Clear the filters and choose again."
                )
            continue
        target.asked[op] = raw
        if not raw:
            continue
        if op and op not in target.ops:
            custom.errors[key] = f"{target.name} cannot be filtered by “{OP_WORDS[op]}”."
            continue
        try:
            text, number, day = rules.parse_custom_value(target.kind, list(target.choices), raw)
        except ValueError as exc:
            custom.errors[key] = f"{target.name} {OP_WORDS[op]}: {exc}"
            continue
        value = {"number": number, "date": day}.get(target.kind, text)
        custom.filters.append(Filter(field_id, target.kind, op, value))
    return custom


def _category(f: CustomField) -> str:
    return f.category.name if f.category_id else ""


def _like(text: str):
    """`text` as a LIKE pattern that matches only itself (ignoring case)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return NodeList((Value(escaped, converter=False), SQL("ESCAPE"), Value("\\", converter=False)))


def _test(f: Filter, value=CustomValue):
    """The test of one filter on custom values (`value`: the table or an alias of it)."""
    if f.kind == "number":
        column = value.number
    elif f.kind == "date":
        column = value.day
    else:
        column = value.text
    if f.op == "after":
        return column > f.value
    if f.op == "before":
        return column < f.value
    if f.op == "min":
        return column >= f.value
    if f.op == "max":
        return column <= f.value
    if f.kind in ("text", "link"):
        # `text > ''` (no kept value is blank) steers SQLite to the (field, text)
        # index, where LIKE is tested on the index entry and the row is read only
        # for a match: scanning the field's values through another index read
        # every row, 2-3 times slower.
        return (value.text > "") & Expression(column, OP.ILIKE, _like(str(f.value)))
    return column == f.value


def _tests(field_id: int, group: list[Filter], value=CustomValue):
    """All of one field's filters as one test of its values."""
    return reduce(operator.and_, (_test(f, value) for f in group), value.field == field_id)


# The index an asset's value of a field is read from, value and all (schema 14).
LOOKUP_INDEX = "custom_value_asset_id_field_id_text_number_day"


def joins(filters: list[Filter]) -> list[tuple]:
    """The filters as inner joins of Asset to its custom values, one per field
    named (so that "at least" and "at most" of one field are one range in its
    index): (the values' alias, the join's condition, whether it is looked up
    per asset). An asset has at most one value of a field, so a join never
    repeats an asset.

    The first field's values are found in its own index (equals goes first: it
    is usually the narrowest); each other field's value is looked up per asset
    in LOOKUP_INDEX, which holds the value, so its row is never read (SQLite
    would otherwise take the unique (asset, field) index and read each row, and,
    without statistics, might start from a wide range instead). Joins, not `IN`
    and `EXISTS` tests: SQLite runs a correlated EXISTS as a subprogram per
    asset, which cost twice the join's lookup when 12,000 assets were tested."""
    out = []
    for n, (field_id, group) in enumerate(_by_field(filters)):
        value = CustomValue.alias(f"cf{n}")
        on = (value.asset == Asset.id) & _tests(field_id, group, value)
        out.append((value, on, n > 0))
    return out


def _by_field(filters: list[Filter]) -> list[tuple[int, list[Filter]]]:
    """The filters grouped by the field they name, equals first in each."""
    by_field: dict[int, list[Filter]] = {}
    for f in sorted(filters, key=lambda f: f.op != ""):
        by_field.setdefault(f.field_id, []).append(f)
    return list(by_field.items())


def scans(filters: list[Filter]) -> bool:
    """Whether a filter reads every value of its field (text equal ignoring case)."""
    return any(f.kind in ("text", "link") and f.op == "" for f in filters)


def count_alone(filters: list[Filter]):
    """A query counting the assets the filters match when they name one field and
    nothing else narrows the register: its values counted in its index (each asset
    has at most one value of a field). None when they name several fields."""
    groups = _by_field(filters)
    if len(groups) != 1:
        return None
    return CustomValue.select(fn.COUNT(SQL("*"))).where(_tests(*groups[0]))
