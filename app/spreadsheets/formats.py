"""Other systems' exports (Snipe-IT, Homebox, Shelf.nu): the cells of a row made
into the ones our plan reads. A holder from first and last name, full name,
email or (last) username; a check-out to a place as a location; a Homebox
"/" path; a description joined to the notes; a model number as the model when
there is no model name (else as a line of the notes); status values the person chose a
meaning for; a quantity as several assets or as a line of the notes.

Works on one row's cells (field → text) before they are parsed; nothing here
touches the database."""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from ..models import STATUS_LABELS
from . import custom_columns
from . import values as iv

STATUS_CHOICES = STATUS_LABELS  # what the person may say an unknown status value means
QUANTITY_MODES = ("each", "one")  # separate assets (the default) or one with a note
MAX_QUANTITY = 1000
_PLACE_TYPES = ("location", "place", "asset")  # Snipe-IT's checkout types that are no person


@dataclass
class Choices:
    """What the person chose for the whole file besides its columns."""

    statuses: dict[str, str] = field(default_factory=dict)  # value key → our status
    quantity: str = "each"


@dataclass
class Row:
    """What a row's cells said that the plan carries on: how many assets it
    makes, whether it was checked out to a place, a status nobody chose for."""

    copies: int = 1
    placed: bool = False
    unknown_status: tuple[str, str] | None = None  # (key, text as written): not ours
    holder_was: str = ""  # the person a retired row names: for its history only
    errors: list[str] = field(default_factory=list)


def status_key(text: str) -> str:
    """How status values are compared: "Pending Diagnostics" and "pending-diagnostics" are one."""
    return iv.header_key(text)


def known_status(text: str) -> bool:
    try:
        iv.parse_status(text)
    except ValueError:
        return False
    return True


def _people_and_places(cells: dict[str, str], row: Row) -> None:
    """A holder's name from a full name, or first + last name; a username only
    when the row has neither a name nor an email. A check-out to a place (a
    Checkout Type of Location, or a "Checked Out To: Location" cell) sets the
    location, over the row's own, and names no holder."""
    first, last = cells.pop("holder_first", ""), cells.pop("holder_last", "")
    username = cells.pop("holder_username", "")
    kind = cells.pop("checkout_type", "").strip().lower()
    place = cells.pop("holder_location", "")
    if not cells.get("holder") and (first or last):
        cells["holder"] = " ".join(part for part in (first, last) if part)
    if kind in _PLACE_TYPES:
        place = place or (cells.pop("holder", "") if kind != "asset" else "")
        cells.pop("holder", None)
        cells.pop("holder_email", None)
        username = ""
        row.placed = True
    elif place and not (cells.get("holder") or cells.get("holder_email") or username):
        row.placed = True
    if username and not cells.get("holder") and not cells.get("holder_email"):
        cells["holder"] = username
    if place:
        cells["location"] = place  # where it was checked out to is where it is now


def _quantity(cells: dict[str, str], choices: Choices, row: Row) -> None:
    text = cells.pop("quantity", "").strip()
    if not text:
        return
    whole = re.fullmatch(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?", text)  # 3, 1,500, 2.0
    number = int(whole.group(1).replace(",", "")) if whole else -1
    if number < 0:
        row.errors.append(f"Quantity: “{text}” is not a whole number.")
        return
    if number == 1:
        return
    if choices.quantity == "one" or number == 0:
        note = f"Quantity: {number}"
        cells["notes"] = "\n".join(part for part in (cells.get("notes", ""), note) if part)
        return
    if number > MAX_QUANTITY:
        row.errors.append(
            f"Quantity {number:,} is more than {MAX_QUANTITY:,} separate assets: split the "
            "row, or import each row as one asset with its quantity in the notes."
        )
        return
    row.copies = number


def _status(cells: dict[str, str], choices: Choices, row: Row) -> None:
    text = cells.get("status", "").strip()
    if not text or known_status(text):
        return
    key = status_key(text)
    row.unknown_status = (key, text)  # listed, chosen or not, so the choice can change
    if key in choices.statuses:
        cells["status"] = choices.statuses[key]
    else:
        cells.pop("status")


def prepare(cells: dict[str, str], choices: Choices, slashes: bool = False) -> Row:
    """Turn another system's cells into ours, in place; what is left to say
    about the row is returned."""
    row = Row()
    _people_and_places(cells, row)
    description = cells.pop("description", "")
    if description:
        notes = cells.get("notes", "")
        cells["notes"] = "\n\n".join(part for part in (description, notes) if part)
    number = cells.pop("model_number", "")
    if number and not cells.get("model_name"):
        cells["model_name"] = number
    elif number and number.lower() != cells["model_name"].lower():
        note = f"Model number: {number}"
        cells["notes"] = "\n".join(part for part in (cells.get("notes", ""), note) if part)
    if slashes and cells.get("location"):
        cells["location"] = " > ".join(iv.location_path(cells["location"], slashes=True))
    _status(cells, choices, row)
    _retired_holder(cells, row)
    _quantity(cells, choices, row)
    return row


def _retired_holder(cells: dict[str, str], row: Row) -> None:
    """Archived items still carry the last person's name in some exports: a
    retired row keeps that name for its history, and names no holder."""
    status = cells.get("status", "").strip()
    if status and known_status(status) and iv.parse_status(status) == "retired":
        name, email = cells.pop("holder", "").strip(), cells.pop("holder_email", "").strip()
        row.holder_was = name or email


def copies(first, count: int) -> list:
    """A row's plan (preview.RowPlan) with a quantity, as `count` separate assets:
    the first keeps the row's tag and serial, the others (returned) only get
    codes of their own. A re-import finds them again as it finds identical
    rows (Lookup.match_unidentified)."""
    values = {k: v for k, v in first.values.items() if k not in ("serial", "external_tag")}
    return [
        replace(
            first, values=copy.deepcopy(values), errors=[], changes={}, asset_id=None, code=None
        )
        for _ in range(count - 1)
    ]


def statuses_words(waiting: int) -> str:
    """What the preview says while status values wait for a meaning."""
    return (
        f"{waiting} status value{'s are' if waiting > 1 else ' is'} not ours: "
        "choose what each one means."
    )


def unknown_statuses(found: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """(key, the value as first written, how many rows) per status value that
    is not one of ours (chosen for or not), most rows first."""
    counts = Counter(key for key, _ in found)
    shown: dict[str, str] = {}
    for key, text in found:
        shown.setdefault(key, text)
    return [(key, shown[key], n) for key, n in counts.most_common()]


def parse_status_choice(text: str) -> tuple[str, str]:
    """ "VALUE=status" (from --status) as (value key, our status); the status may
    be our key (in_repair) or its label (In repair)."""
    value, sep, ours = text.partition("=")
    if not sep or not value.strip():
        raise ValueError(f"“{text}” is not VALUE=status.")
    try:
        status = iv.parse_status(ours) if ours.strip() else ""
    except ValueError:
        status = ""
    if status not in STATUS_LABELS:
        known = ", ".join(STATUS_LABELS)
        raise ValueError(f"“{ours.strip()}” in “{text}” is not one of our statuses: {known}.")
    return status_key(value), status


def check_status_choices(chosen: dict[str, str]) -> dict[str, str]:
    """Status choices sent back by the preview form: every one must be ours."""
    bad = [v for v in chosen.values() if v not in STATUS_LABELS]
    if bad:
        raise ValueError("A status choice is damaged; choose the statuses again.")
    return {status_key(k): v for k, v in chosen.items() if status_key(k)}


def field_named(text: str) -> str:
    """Our field for what a person typed after "=" in --map: its key (model_name),
    its label (Model) or a header that means it ("Model No."); "" leaves out."""
    text = text.strip()
    if not text:
        return ""
    if text in iv.FIELDS or custom_columns.well_formed(text):
        return text
    for name, (label, _) in iv.FIELDS.items():
        if iv.header_key(label) == iv.header_key(text):
            return name
    found = iv.guess_field(text)
    if not found:
        raise ValueError(f"“{text}” is not one of our fields: {', '.join(iv.FIELDS)}.")
    return found


def remap(headers: list[str], mapping: list[str], flags: list[str]) -> list[str]:
    """The mapping with each "Header=field" (from --map) applied; a field taken
    from another column leaves that column out."""
    out = list(mapping)
    for flag in flags:
        header, sep, wanted = flag.partition("=")
        if not sep:
            raise ValueError(f"“{flag}” is not Header=field.")
        matches = [i for i, h in enumerate(headers) if h == header.strip()] or [
            i for i, h in enumerate(headers) if iv.header_key(h) == iv.header_key(header)
        ]
        if not matches:
            raise ValueError(f"The file has no column “{header.strip()}”.")
        name = field_named(wanted)
        if name:
            out = ["" if other == name else other for other in out]
        out[matches[0]] = name
    return out
