"""The values in a spreadsheet's custom columns, row by row: each cell read by
the custom fields' one rule (dates first through the import's own date
reading, so 31/03/2024 works as for a purchase date), a value that does not fit
an error on its row, compared with what the asset holds, and written. Which
field a column is lives in custom_columns.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..models import CustomField, CustomValue
from ..register import custom_field_rules as cf_rules
from ..register import custom_fields
from . import rules
from . import values as iv

if TYPE_CHECKING:
    from .custom_columns import Column, Columns


def is_placeholder(text: str) -> bool:
    """A cell that means "nothing" (N/A, -, none …): blank for a custom field
    whose kind it does not fit."""
    if not any(c.isalnum() for c in text):
        return True
    return " ".join(text.lower().split()).strip("()[]<>-_*. ") in rules.PLACEHOLDERS


def parse(column: Column, text: str, order: str | None) -> cf_rules.Parsed:
    """One cell as kept (blank: BLANK); ValueError with the row's message."""
    if column.kind == "date" and text.strip():
        try:
            text = iv.parse_date(text, order).isoformat()
        except ValueError:
            if is_placeholder(text):
                return cf_rules.BLANK
            raise
    try:
        return cf_rules.parse_custom_value(column.kind, column.choices, text)
    except ValueError:
        if is_placeholder(text):
            return cf_rules.BLANK
        raise


def read_row(plan, row: list[str], columns: Columns, order: str | None) -> None:
    """The row's custom values into plan.values["custom"] (column index →
    parsed), each value that does not fit an error on the row."""
    found = {}
    for i, column in columns.by_index.items():
        cell = row[i] if i < len(row) else ""
        if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@"):
            cell = cell[1:]
        try:
            parsed = parse(column, cell, order)
        except ValueError as exc:
            plan.errors.append(f"{column.name}: {exc}")
            continue
        if parsed[0]:
            found[i] = parsed
    if found:
        plan.values["custom"] = found


def check_applies(plan, columns: Columns, category_id: int | None, category_names) -> None:
    """A value of a field for one category on an asset of another is an error."""
    for i in plan.values.get("custom", {}):
        column = columns.by_index[i]
        if column.category_id is not None and column.category_id != category_id:
            where = category_names.get(column.category_id, "its category")
            plan.errors.append(f"{column.name}: this field is for {where} only.")


def load_current(columns: Columns, asset_ids: Iterable[int]) -> None:
    """The assets' kept values of the file's existing fields, for comparing."""
    field_ids = [c.field_id for c in columns.by_index.values() if c.field_id]
    ids = sorted(set(asset_ids))
    if not field_ids or not ids:
        return
    for start in range(0, len(ids), 500):
        query = CustomValue.select(CustomValue.asset, CustomValue.field, CustomValue.text).where(
            CustomValue.asset.in_(ids[start : start + 500]), CustomValue.field.in_(field_ids)
        )
        for asset_id, field_id, text in query.tuples():
            columns.current.setdefault(asset_id, {})[field_id] = text


def compare(plan, columns: Columns, asset_id: int) -> None:
    """Each custom value the row changes, in plan.changes (a blank cell changes nothing)."""
    kept = columns.current.get(asset_id, {})
    for i, (text, _, _) in plan.values.get("custom", {}).items():
        column = columns.by_index[i]
        before = kept.get(column.field_id) if column.field_id else None
        if before != text:
            plan.changes[column.key] = (before or "—", text)


def new_values(plan, columns: Columns, asset_id: int) -> tuple[list[dict], dict[str, str]]:
    """A new asset's custom values: rows for CustomValue, and what its `created`
    event says of them ("cf:<name>": text)."""
    rows, said = [], {}
    for i, (text, number, day) in plan.values.get("custom", {}).items():
        column = columns.by_index[i]
        row = {"asset": asset_id, "field": column.field_id, "text": text}
        rows.append({**row, "number": number, "day": day})
        said[column.key] = text
    return rows, said


def write_changes(plan, columns: Columns, asset) -> dict[str, list]:
    """Store an updated asset's changed custom values through the custom fields'
    service; returns the changes for its `edited` event."""
    chosen = plan.values.get("custom", {})
    if not chosen:
        return {}
    if columns.rows is None:
        ids = [c.field_id for c in columns.by_index.values()]
        columns.rows = {f.id: f for f in CustomField.select().where(CustomField.id.in_(ids))}
    rows = columns.rows
    parsed = {rows[columns.by_index[i].field_id or 0]: value for i, value in chosen.items()}
    current = dict(columns.current.get(asset.id, {}))
    return custom_fields.write_values(asset, parsed, current)
