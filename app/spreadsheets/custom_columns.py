"""Custom fields as spreadsheet columns.

A column is mapped to an existing custom field as "cf:<id>", or to a field
the import makes as "cf+<kind>" (named after the column: Homebox's
HB.field.<name> and Shelf.nu's "cf: <name>, type:<type>" columns are mapped so
from the start). A column whose header is a custom field's name maps to it.
The values in those columns, row by row, are custom_values.py's job.

`infer_kind` types a column nobody recognised from its values, for "Keep as a
custom field" on the preview page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import Invalid
from ..models import CustomField
from ..register import custom_field_rules as cf_rules
from ..register import custom_fields
from . import values as iv
from .custom_values import is_placeholder
from .exports import REGISTER_HEADER

EXISTING, NEW = "cf:", "cf+"
_EXISTING = re.compile(r"^cf:(\d{1,18})$")
# What Shelf.nu calls its custom field types; anything else is read as text.
SHELF_KINDS = {
    "text": "text",
    "multilinetext": "text",
    "multiline": "text",
    "boolean": "yes_no",
    "option": "choice",
    "date": "date",
    "amount": "number",
    "number": "number",
}
CHOICES_AT_MOST = 12  # distinct values a column may have to be offered as a list of choices


def is_custom(name: str) -> bool:
    return name.startswith((EXISTING, NEW))


def well_formed(name: str) -> bool:
    """A mapping value naming a custom field (that it exists is checked later)."""
    return bool(_EXISTING.match(name)) or (
        name.startswith(NEW) and name[len(NEW) :] in cf_rules.KIND_LABELS
    )


def existing(field_id: int) -> str:
    return f"{EXISTING}{field_id}"


def new(kind: str) -> str:
    return f"{NEW}{kind}"


def field_name(header: str) -> str:
    """The name a column's field has (or gets): another system's custom field's
    own name, a Homebox column's without "HB." ("HB.insured": "Insured"), else
    the header. Fields are matched to it ignoring case."""
    if iv.custom_field_header(header) or iv.is_homebox([header or ""]):
        return iv.readable_header(header)
    return " ".join((header or "").split())


def stated_kind(header: str, cells: list[str] | None = None) -> str | None:
    """The kind another system's custom field column gives its field: Shelf.nu's
    stated type; with none stated (Homebox's HB.field.<name>), the kind the
    column's `cells` suggest (text without them). None for any other header."""
    found = iv.custom_field_header(header)
    if found is None:
        return None
    if found[1]:
        return SHELF_KINDS.get(iv.header_key(found[1]), "text")
    return infer_kind(cells) if cells is not None else "text"


def all_fields() -> dict[int, CustomField]:
    return {f.id: f for f in custom_fields.all_fields()}


# Our export's own headers, which stay ours even when a custom field has the name
# (its column comes later in the file, and takes the field); and the fields
# that say which asset a row is, which a custom field never takes from a column.
_OURS = {iv.header_key(h) for h in REGISTER_HEADER}
_IDENTITY = ("name", "tag", "serial", "external_tag")


def _custom_wins(header: str, guessed: str) -> bool:
    """Whether a custom field of this column's name takes it from the field of
    ours its header also suggests ("Description" is a custom field's column when
    there is such a field, though it would otherwise go into the notes)."""
    return guessed not in _IDENTITY and iv.header_key(header) not in _OURS


def guess(
    headers: list[str],
    mapping: list[str],
    fields: dict[int, CustomField],
    table: iv.Table | None = None,
) -> list[str]:
    """Custom fields for the columns: a header that is a field's name ignoring
    case (after another system's prefix: HB.field.<name>, "cf: <name>, type:…",
    HB.<name>) is that field, unless it is one of our export's headers or names
    the asset; another system's custom field column with no field of its name
    is a new field of its stated type (or, with none stated, the kind the
    column's values in `table` suggest), listed on the preview. No other
    column becomes a new field unless someone says so."""
    out = list(mapping)
    taken = {name for name in out if name}
    for i, header in enumerate(headers):
        if out[i] and not _custom_wins(header, out[i]):
            continue
        name = field_name(header)
        match = next((f for f in fields.values() if cf_rules.same_name(f.name, name)), None)
        if match is not None and existing(match.id) not in taken:
            out[i] = existing(match.id)
            taken.add(out[i])
        elif match is None and not out[i]:
            kind = stated_kind(header, _cells(table, i) if table is not None else None)
            if kind:
                out[i] = new(kind)
    return out


@dataclass
class Column:
    """One custom column of the file: which field (None: made by the import),
    its name, kind and choices."""

    index: int
    field_id: int | None
    name: str
    kind: str
    choices: list[str]
    category_id: int | None = None

    @property
    def key(self) -> str:
        return custom_fields.EVENT_PREFIX + self.name

    @property
    def label(self) -> str:
        return f"{self.name} ({cf_rules.KIND_LABELS[self.kind]})"

    @property
    def kind_words(self) -> str:
        return cf_rules.KIND_LABELS[self.kind].lower()


@dataclass
class Columns:
    """The custom columns of a mapping, and what is wrong with the mapping of any."""

    by_index: dict[int, Column] = field(default_factory=dict)
    problems: dict[int, str] = field(default_factory=dict)
    current: dict[int, dict[int, str]] = field(default_factory=dict)  # asset → field → text
    rows: dict[int, CustomField] | None = None  # the fields, once the import writes
    # What a column can be mapped to: each field there is, and a new field of each kind.
    options: list[tuple[str, str]] = field(default_factory=list)
    kinds: list[tuple[str, str]] = field(
        default_factory=lambda: [(new(k), label) for k, label in cf_rules.KIND_LABELS.items()]
    )

    @property
    def made(self) -> list[Column]:
        """The fields the import makes."""
        return [c for c in self.by_index.values() if c.field_id is None]


def _cells(table: iv.Table, index: int) -> list[str]:
    out = []
    for _, row in table.rows:
        cell = row[index].strip() if index < len(row) else ""
        if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@"):
            cell = cell[1:]
        if cell:
            out.append(cell)
    return out


def _choices(cells: Iterable[str]) -> list[str]:
    """The distinct values of a column as a list of choices (first spelling of
    each, ignoring case), in alphabetical order."""
    seen: dict[str, str] = {}
    for cell in cells:
        seen.setdefault(" ".join(cell.split()).casefold(), " ".join(cell.split()))
    return sorted(seen.values(), key=str.casefold)


def resolve(table: iv.Table, mapping: list[str], fields: dict[int, CustomField]) -> Columns:
    """Each custom column's field, checked: a field that no longer exists or
    two columns on one field is a problem at its column. A new field whose name
    a field has already is that field (`mapping` is changed to say so)."""
    out = Columns()
    out.options = [(existing(f.id), f.name) for f in cf_rules.in_order(fields.values())]
    names: dict[str, int] = {}
    for i, name in enumerate(mapping):
        if not is_custom(name):
            continue
        match = _EXISTING.match(name)
        if match:
            f = fields.get(int(match.group(1)))
            if f is None:
                out.problems[i] = "That custom field no longer exists: choose again."
                continue
            column = Column(i, f.id, f.name, f.kind, list(f.choices or ()), f.category_id)
        else:
            kind = name[len(NEW) :]
            label = field_name(table.headers[i])
            try:
                label = cf_rules.check_name(label)
            except ValueError as exc:
                out.problems[i] = f"{exc} (a new custom field is named after its column)"
                continue
            named = next((f for f in fields.values() if cf_rules.same_name(f.name, label)), None)
            if named is not None:  # made by an earlier import of this file, or by hand
                mapping[i] = existing(named.id)
                column = Column(
                    i, named.id, named.name, named.kind, list(named.choices), named.category_id
                )
            else:
                cells = [c for c in _cells(table, i) if not is_placeholder(c)]
                choices = _choices(cells)[: cf_rules.CHOICES_MAX] if kind == "choice" else []
                try:
                    choices = cf_rules.check_choices(kind, choices)
                except ValueError as exc:
                    out.problems[i] = f"{label}: {exc}"
                    continue
                column = Column(i, None, label, kind, choices)
        other = names.get(column.name.casefold())
        if other is not None:
            said = f"Two columns are mapped to the custom field “{column.name}”: choose one."
            out.problems[i] = said
            continue
        names[column.name.casefold()] = i
        out.by_index[i] = column
    return out


def infer_kind(cells: list[str]) -> str:
    """The kind a column's values suggest: yes/no, number, date, link, a list
    of a few choices repeated, else text."""
    values = [c for c in (" ".join(c.split()) for c in cells) if c and not is_placeholder(c)]
    if not values:
        return "text"

    def all_fit(kind: str) -> bool:
        try:
            for value in values:
                cf_rules.parse_custom_value(kind, None, value)
        except ValueError:
            return False
        return True

    if all_fit("yes_no") and not all(v.isdecimal() for v in values):
        return "yes_no"
    if all_fit("number"):
        return "number"
    orders = iv.date_order_evidence(values) or {"dmy"}
    for order in orders:
        try:
            for value in values:
                iv.parse_date(value, order)
        except ValueError:
            continue
        return "date"
    if all_fit("link"):
        return "link"
    distinct = _choices(values)
    if len(values) >= 4 and len(distinct) <= min(CHOICES_AT_MOST, len(values) // 2):
        return "choice"
    return "text"


def keepable(table: iv.Table, mapping: list[str]) -> list[tuple[int, str, str]]:
    """Columns nobody recognises that hold values, each with the kind its values
    suggest: (index, header, what that kind is called), for "Keep as a custom field"."""
    out = []
    for i, header in enumerate(table.headers):
        if i < len(mapping) and mapping[i]:
            continue
        ours = iv.guess_field(header)
        if ours and ours not in mapping:
            continue  # one of ours, left out on purpose
        # (One of ours that another column took, as Team takes the field from a
        # Department column beside it, is offered: otherwise its values are lost.)
        cells = _cells(table, i)
        if cells and header.strip():
            out.append((i, header, cf_rules.KIND_LABELS[infer_kind(cells)]))
    return out


def keep(table: iv.Table, index: int, *, actor=None) -> int:
    """Make a custom field from one column (named after it, typed from its
    values), or find the field of that name; returns its id."""
    return keep_made(table, index, actor=actor)[0]


def keep_made(table: iv.Table, index: int, *, actor=None) -> tuple[int, bool]:
    """`keep`, saying too whether the field was made now (False: it existed)."""
    if not 0 <= index < len(table.headers):
        raise Invalid({"mapping": "That column is not in the file: choose again."})
    name = field_name(table.headers[index])
    for f in custom_fields.all_fields():
        if cf_rules.same_name(f.name, name):
            return f.id, False
    cells = _cells(table, index)
    kind = stated_kind(table.headers[index], cells) or infer_kind(cells)
    choices = _choices(c for c in cells if not is_placeholder(c)) if kind == "choice" else []
    try:
        made = custom_fields.create_field(
            name, kind, choices=choices[: cf_rules.CHOICES_MAX], actor=actor
        )
    except Invalid as exc:
        raise Invalid({"mapping": " ".join(exc.errors.values())}) from None
    return made.id, True


def unkeep(name: str, *, made: bool, actor=None) -> None:
    """Undo "Keep as a custom field": the field the tap made goes again, if it
    still holds no values (a field that existed before, or has values, stays)."""
    match = _EXISTING.match(name or "")
    if not made or match is None:
        return
    field_id = int(match.group(1))
    if custom_fields.get_field(field_id) is not None and not custom_fields.value_count(field_id):
        custom_fields.delete_field(field_id, actor=actor)


def label(name: str, header: str, fields: dict[int, CustomField]) -> str:
    """What a custom column's mapping means, in words (for the command line)."""
    match = _EXISTING.match(name)
    if match:
        f = fields.get(int(match.group(1)))
        return f"custom field “{f.name}”" if f else "a custom field that no longer exists"
    kind = cf_rules.KIND_LABELS.get(name[len(NEW) :], "?")
    return f"new custom field “{field_name(header)}” ({kind})"


# Carrying out a plan (inside the import's transaction) ------------------------


def make_fields(columns: Columns, actor=None) -> int:
    """Make the fields the import makes; returns how many."""
    made = columns.made
    for column in made:
        try:
            column.field_id = custom_fields.create_field(
                column.name, column.kind, choices=column.choices, actor=actor
            ).id
        except Invalid as exc:
            said = " ".join(exc.errors.values())
            raise Invalid({"mapping": f"Custom field “{column.name}”: {said}"}) from None
    return len(made)


# The command line's --map -------------------------------------------------------


def map_flag(flag: str, fields: dict[int, CustomField]) -> str:
    """A --map "Header=…" flag with a custom field on the right said our way:
    "Header=custom:number" (a new field of that kind, named after the column)
    or "Header=Voltage" (the custom field of that name, when it is not one of
    our fields' names). Any other flag comes back as it was."""
    header, sep, wanted = flag.partition("=")
    wanted = wanted.strip()
    if not sep or not wanted:
        return flag
    word, colon, kind = wanted.partition(":")
    if colon and iv.header_key(word) in ("custom", "customfield"):
        keys = {iv.header_key(k): k for k in cf_rules.KIND_LABELS}
        keys.update({iv.header_key(label): k for k, label in cf_rules.KIND_LABELS.items()})
        found = keys.get(iv.header_key(kind))
        if found is None:
            kinds = ", ".join(cf_rules.KIND_LABELS)
            raise ValueError(f"“{kind.strip()}” in “{flag}” is not a kind of field: {kinds}.")
        return f"{header}={new(found)}"
    if iv.guess_field(wanted) or wanted in iv.FIELDS:
        return flag
    match = next((f for f in fields.values() if cf_rules.same_name(f.name, wanted)), None)
    return f"{header}={existing(match.id)}" if match else flag
