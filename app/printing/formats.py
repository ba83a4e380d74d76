"""Label stock: the shipped formats and the ones leads saved, and how far each
printer feeds off (its nudge). The limits are in rules.py."""

from __future__ import annotations

import labels
from labels import Format, FormatError

from ..database import write
from ..errors import Invalid
from ..models import LabelFormatSetting
from ..ops import rules as ops_rules
from . import rules


def default_format_name(paper_size: str) -> str:
    """The label stock a print form starts on for this paper size (see settings)."""
    return rules.DEFAULT_STOCK[ops_rules.paper_size(paper_size)]


def formats() -> dict[str, Format]:
    """Shipped formats, then the custom ones leads saved (a custom one never
    replaces a shipped one of the same name)."""
    found = dict(labels.builtin())
    for row in LabelFormatSetting.select().where(LabelFormatSetting.spec.is_null(False)):
        try:
            found.setdefault(row.name, Format.from_dict(row.spec))
        except FormatError:
            continue  # a stored format that no longer checks out is skipped, not fatal
    return found


def get_format(name: str) -> Format:
    fmt = formats().get(name or "")
    if fmt is None:
        raise Invalid({"format": "Choose a label format from the list."})
    return fmt


def nudge(name: str) -> tuple[float, float]:
    row = LabelFormatSetting.get_or_none(LabelFormatSetting.name == name)
    return (row.nudge_x_mm, row.nudge_y_mm) if row else (0.0, 0.0)


def save_nudge(name: str, x_mm: float, y_mm: float) -> None:
    """Remember how far this printer feeds off, for every later print on `name`."""
    get_format(name)
    if not (abs(x_mm) <= rules.MAX_NUDGE_MM and abs(y_mm) <= rules.MAX_NUDGE_MM):  # and NaN
        raise Invalid({"nudge": f"A nudge is at most {rules.MAX_NUDGE_MM} mm either way."})
    with write():
        LabelFormatSetting.insert(name=name, nudge_x_mm=x_mm, nudge_y_mm=y_mm).on_conflict(
            conflict_target=[LabelFormatSetting.name],
            update={LabelFormatSetting.nudge_x_mm: x_mm, LabelFormatSetting.nudge_y_mm: y_mm},
        ).execute()


def save_custom_format(data: dict) -> Format:
    """Check and store a lead's own format."""
    data = {
        **data,
        "name": "custom-"
        + str(data.get("name", "")).strip().lower().replace(" ", "-").removeprefix("custom-"),
    }
    try:
        fmt = Format.from_dict(data)
    except FormatError as exc:
        raise Invalid({exc.field: str(exc)}) from None
    if fmt.name in labels.builtin():
        raise Invalid({"name": "A shipped format already has that name."})
    with write():
        LabelFormatSetting.insert(name=fmt.name, spec=fmt.to_dict()).on_conflict(
            conflict_target=[LabelFormatSetting.name],
            update={LabelFormatSetting.spec: fmt.to_dict()},
        ).execute()
    return fmt
