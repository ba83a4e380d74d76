"""Importing a spreadsheet: keep the upload, preview what it would do, then
commit every row or none.

The steps live in their own modules: values (bytes and cells),
lookup and plan (what each row would do), apply (doing
it). This module keeps uploads between the steps and runs the transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import BinaryIO

from ..database import write
from ..errors import Invalid, NotFound, TooLarge
from ..models import Event, Setting, User
from . import custom_columns, rules
from . import values as iv
from .apply import Summary, apply
from .formats import QUANTITY_MODES, check_status_choices
from .formats import STATUS_CHOICES as STATUS_CHOICES  # what the preview offers
from .formats import Choices as Choices
from .headers import ASSET_COLUMNS
from .plan import plan
from .preview import Preview

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class Expired(NotFound):
    """The upload is gone: imported already, or older than a day."""


class Blocked(Invalid):
    """Some rows (or the mapping) have errors: nothing was written."""

    def __init__(self, preview: Preview):
        super().__init__({"": "Fix the errors shown; nothing was imported."})
        self.preview = preview


class WrongEncoding(Invalid):
    """The person chose an encoding the file cannot be read in."""

    def __init__(self, message: str, table: iv.Table, filename: str):
        super().__init__({"encoding": message})
        self.table, self.filename = table, filename


class _Rollback(Exception):
    def __init__(self, summary: Summary):
        self.summary = summary


def guess_mapping(headers: list[str]) -> list[str]:
    """Our asset field for each column (headers.Columns.mapping)."""
    return ASSET_COLUMNS.mapping(headers)


def read(data: bytes, encoding: str | None = None) -> iv.Table:
    if len(data) > rules.MAX_BYTES:
        raise TooLarge(rules.too_large_words())
    return iv.read_table(data, encoding)


# Uploads kept between the steps -----------------------------------------------


def cleanup(folder: Path, now: float | None = None) -> None:
    """Forget uploads nobody confirmed within a day."""
    cutoff = (now or time.time()) - KEEP_SECONDS
    for path in folder.glob("*.csv"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)


def store(stream: BinaryIO, filename: str, folder: Path, kind: str = "assets") -> str:
    """Check an uploaded file reads as CSV and keep it, for one kind of import
    ("assets", "subscriptions"); returns its token."""
    data = stream.read(rules.MAX_BYTES + 1)
    read(data)  # refuse what cannot be read now, not after the person waits
    folder.mkdir(parents=True, exist_ok=True)
    cleanup(folder)
    token = secrets.token_hex(16)
    path = folder / f"{token}.csv"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640), "wb") as fh:
        fh.write(data)
    name = Path(filename or "upload.csv").name[:120]
    (folder / f"{token}.json").write_text(json.dumps({"filename": name, "kind": kind}))
    return token


def load(
    folder: Path, token: str, encoding: str | None = None, kind: str = "assets"
) -> tuple[iv.Table, str]:
    """A kept upload of this kind of import, read in `encoding` when the person
    chose one. A choice the file cannot be read in is an Invalid carrying the
    table as guessed."""
    path = folder / f"{token}.csv"
    gone = Expired(
        "That upload is no longer here: it was imported already, or it is over a day "
        "old. Upload the file again."
    )
    if not _TOKEN.match(token or "") or not path.exists():
        raise gone
    meta = json.loads((folder / f"{token}.json").read_text())
    if meta.get("kind", "assets") != kind:  # kept for the other kind of import
        raise gone
    data = path.read_bytes()
    try:
        return read(data, encoding), meta["filename"]
    except Invalid as exc:
        if "encoding" not in exc.errors:
            raise
        raise WrongEncoding(exc.errors["encoding"], read(data), meta["filename"]) from None


def discard(folder: Path, token: str) -> None:
    if _TOKEN.match(token or ""):
        (folder / f"{token}.csv").unlink(missing_ok=True)
        (folder / f"{token}.json").unlink(missing_ok=True)


# Preview and commit -----------------------------------------------------------


def preview(
    table: iv.Table,
    mapping: list[str] | None = None,
    date_order: str | None = None,
    choices: Choices | None = None,
) -> Preview:
    """What the import would do. Writes nothing. With no mapping (a first
    preview), the choices made for the last file with these headers are used."""
    if mapping is None:
        mapping, kept = suggested(table.headers, table)
        choices = choices or kept
    return plan(table, mapping, date_order, choices)


def run(
    table: iv.Table,
    *,
    actor: User | None,
    key: str,
    note: str,
    mapping: list[str] | None = None,
    date_order: str | None = None,
    dry_run: bool = False,
    choices: Choices | None = None,
) -> Summary:
    """Import every row or none, in one transaction. The plan is made again
    inside it, so nothing that changed since the preview slips through. A dry
    run does all the work and then rolls it back."""
    if mapping is None:
        mapping, kept = suggested(table.headers, table)
        choices = choices or kept
    try:
        with write():
            if Event.select().where(Event.key == key).exists():
                return Summary(already=True)
            checked = plan(table, mapping, date_order, choices)
            if not checked.ok:
                raise Blocked(checked)
            summary = apply(checked, actor=actor, note=note, key=key)
            remember(table.headers, checked.mapping, checked.choices)
            if dry_run:
                raise _Rollback(summary)
            return summary
    except _Rollback as rollback:
        rollback.summary.dry_run = True
        return rollback.summary


def already_imported(token: str) -> bool:
    return bool(_TOKEN.match(token or "")) and (
        Event.select().where(Event.key == f"import-{token}").exists()
    )


def confirm(
    folder: Path,
    token: str,
    table: iv.Table,
    filename: str,
    *,
    actor: User | None,
    mapping: list[str] | None,
    date_order: str | None,
    dry_run: bool = False,
    choices: Choices | None = None,
) -> Summary:
    """Commit (or dry-run) a kept upload (`table`, read by `load`); a committed
    upload is then forgotten, and confirming it again finds its key and does nothing."""
    key = f"import-{token}"
    if already_imported(token):
        return Summary(already=True)
    summary = run(
        table,
        actor=actor,
        key=key,
        note=f"Imported from {filename}",
        mapping=mapping,
        date_order=date_order,
        dry_run=dry_run,
        choices=choices,
    )
    if not summary.dry_run:
        discard(folder, token)
    return summary


def check_mapping_form(values: list[str], width: int) -> list[str]:
    """A mapping sent back by the preview page's form, checked for shape."""
    if len(values) != width or any(
        v and v not in iv.FIELDS and not custom_columns.well_formed(v) for v in values
    ):
        raise Invalid({"mapping": "The column mapping is damaged; choose the columns again."})
    return values


def check_choices_form(statuses: dict[str, str], quantity: str) -> Choices:
    """Status meanings and the quantity choice sent back by the preview page."""
    try:
        chosen = check_status_choices(statuses)
    except ValueError as exc:
        raise Invalid({"mapping": str(exc)}) from None
    return Choices(chosen, quantity if quantity in QUANTITY_MODES else "each")


# Choices remembered per header row --------------------------------------------


def _memory_key(headers: list[str]) -> str:
    digest = hashlib.sha256(json.dumps(headers).encode()).hexdigest()
    return f"import-columns:{digest[:40]}"


def suggested(
    headers: list[str], table: iv.Table | None = None
) -> tuple[list[str], Choices | None]:
    """The mapping and choices last imported with this very header row, else
    the mapping guessed from the headers (and the values in `table`, which
    type another system's custom field columns that state no type)."""
    raw = Setting.get_value(_memory_key(headers))
    try:
        kept: dict = json.loads(raw or "{}")
        mapping = kept["mapping"]
        check_mapping_form(mapping, len(headers))
        return mapping, check_choices_form(kept.get("statuses", {}), kept.get("quantity", ""))
    except (ValueError, KeyError, TypeError, AttributeError, Invalid):  # none, or damaged
        fields = custom_columns.all_fields()
        return custom_columns.guess(headers, guess_mapping(headers), fields, table), None


def remember(headers: list[str], mapping: list[str], choices: Choices) -> None:
    """Keep what this import used for the next file with the same header row.
    Call inside the import's transaction."""
    value = json.dumps(
        {"mapping": mapping, "statuses": choices.statuses, "quantity": choices.quantity}
    )
    Setting.insert(key=_memory_key(headers), value=value).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: value}
    ).execute()


def keep_column(table: iv.Table, mapping: list[str], index: int, *, actor=None) -> list[str]:
    """Keep a column as a custom field (made now, typed from its values, or the
    field of its name if there is one); returns the mapping with the column on it."""
    return keep_column_made(table, mapping, index, actor=actor)[0]


def unkeep_column(
    table: iv.Table, mapping: list[str], index: int, *, made: bool, actor=None
) -> list[str]:
    """Undo a Keep: the column is left out again, and the field the tap made
    goes, while it holds no values. Returns the mapping."""
    if not 0 <= index < len(table.headers):
        raise Invalid({"mapping": "That column is not in the file: choose again."})
    mapping = (list(mapping) + [""] * len(table.headers))[: len(table.headers)]
    name, mapping[index] = mapping[index], ""
    custom_columns.unkeep(name, made=made, actor=actor)
    return mapping


def keep_column_made(
    table: iv.Table, mapping: list[str], index: int, *, actor=None
) -> tuple[list[str], bool]:
    """`keep_column`, saying too whether the field was made by this tap."""
    field_id, made = custom_columns.keep_made(table, index, actor=actor)
    mapping = (list(mapping) + [""] * len(table.headers))[: len(table.headers)]
    mapping = ["" if name == custom_columns.existing(field_id) else name for name in mapping]
    mapping[index] = custom_columns.existing(field_id)
    return mapping, made
