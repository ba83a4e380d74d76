"""Label formats: sheet and roll geometry, read from one JSON file per format."""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

FORMATS_DIR = Path(__file__).parent / "formats"
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
NUMBERS = (
    "page_width_mm",
    "page_height_mm",
    "label_width_mm",
    "label_height_mm",
    "corner_radius_mm",
    "left_mm",
    "top_mm",
    "pitch_x_mm",
    "pitch_y_mm",
)
# Kept free of ink inside every label edge, unless a format says otherwise: die-cut
# sheet labels sit up to about a millimetre off where the printer puts the page.
SAFE_MARGIN_MM = 1.5
MARGINS = ("safe_x_mm", "safe_y_mm")  # left and right; top and bottom
LAYOUTS = ("wide", "tiny")
# Every size is a finite number of millimetres: a page from 5 mm to 1 m, a label
# at least big enough for a QR code, and no more than this many labels a page.
# Anything else (infinity, NaN, a kilometre) is not label stock, and drawing it
# would keep a renderer busy without end.
MIN_PAGE_MM = 5.0
MIN_LABEL_MM = 8.0
MAX_SIZE_MM = 1000.0
MAX_PER_PAGE = 500
MAX_COLUMNS = 20
MAX_ROWS = 50
WORDS = {
    "page_width_mm": "Page width",
    "page_height_mm": "Page height",
    "label_width_mm": "Label width",
    "label_height_mm": "Label height",
    "corner_radius_mm": "Corner radius",
    "left_mm": "Left margin",
    "top_mm": "Top margin",
    "pitch_x_mm": "Horizontal pitch",
    "pitch_y_mm": "Vertical pitch",
    "safe_x_mm": "Safe margin (left and right)",
    "safe_y_mm": "Safe margin (top and bottom)",
}


class FormatError(ValueError):
    """A format whose numbers cannot describe real label stock. `field` names the
    value at fault, when there is one."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    paper: str
    page_width_mm: float
    page_height_mm: float
    columns: int
    rows: int
    label_width_mm: float
    label_height_mm: float
    corner_radius_mm: float
    left_mm: float
    top_mm: float
    pitch_x_mm: float
    pitch_y_mm: float
    roll: bool = False
    layout: str = "wide"
    source: str = ""
    safe_x_mm: float = SAFE_MARGIN_MM
    safe_y_mm: float = SAFE_MARGIN_MM

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def safe_area(self) -> tuple[float, float, float, float]:
        """Where ink may go on a label: (left, top, right, bottom) in mm from its
        top-left corner."""
        return (
            self.safe_x_mm,
            self.safe_y_mm,
            self.label_width_mm - self.safe_x_mm,
            self.label_height_mm - self.safe_y_mm,
        )

    @property
    def short_title(self) -> str:
        """The stock's name without its details: "Avery L7160"."""
        return self.title.split(" — ")[0]

    def cell(self, index: int) -> tuple[float, float]:
        """Top-left corner (mm from the page's top-left) of cell `index` (0-based,
        row by row, as label sheets are numbered)."""
        row, column = divmod(index, self.columns)
        return self.left_mm + column * self.pitch_x_mm, self.top_mm + row * self.pitch_y_mm

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Format:
        """Build and check a format; FormatError says what is wrong in plain words."""
        try:
            values: dict[str, Any] = {
                "name": str(data["name"]).strip().lower(),
                "title": str(data.get("title") or data["name"]).strip(),
                "paper": str(data.get("paper") or "Custom"),
                "columns": int(data["columns"]),
                "rows": int(data["rows"]),
                "roll": bool(data.get("roll", False)),
                "layout": str(data.get("layout") or "wide"),
                "source": str(data.get("source") or ""),
                **{key: float(data[key]) for key in NUMBERS},
                **{
                    key: float(SAFE_MARGIN_MM if data.get(key) in (None, "") else data[key])
                    for key in MARGINS
                },
            }
        except KeyError as exc:
            raise FormatError(f"Missing value: {exc.args[0]}.", exc.args[0]) from None
        except (TypeError, ValueError, OverflowError):
            raise FormatError(
                "Every size must be a number; columns and rows are whole numbers."
            ) from None
        fmt = cls(**values)
        fmt.check()
        return fmt

    def check(self) -> None:
        if not NAME.match(self.name):
            raise FormatError("A format name uses lower-case letters, digits and hyphens.")
        if self.layout not in LAYOUTS:
            raise FormatError("Layout is 'wide' or 'tiny'.")
        if not (1 <= self.columns <= MAX_COLUMNS and 1 <= self.rows <= MAX_ROWS):
            raise FormatError(f"Columns must be 1–{MAX_COLUMNS} and rows 1–{MAX_ROWS}.")
        if self.per_page > MAX_PER_PAGE:
            raise FormatError(f"A page holds at most {MAX_PER_PAGE} labels.")
        for key in (*NUMBERS, *MARGINS):
            value = getattr(self, key)
            if not math.isfinite(value):
                raise FormatError(f"{WORDS[key]}: give a number of millimetres.", key)
            if value < 0:
                raise FormatError(f"{WORDS[key]} cannot be negative.", key)
            if value > MAX_SIZE_MM:
                raise FormatError(f"{WORDS[key]} is at most {MAX_SIZE_MM:g} mm.", key)
        for key in ("page_width_mm", "page_height_mm"):
            if getattr(self, key) < MIN_PAGE_MM:
                raise FormatError(
                    f"{WORDS[key]} is from {MIN_PAGE_MM:g} to {MAX_SIZE_MM:g} mm.", key
                )
        if self.label_width_mm < MIN_LABEL_MM or self.label_height_mm < MIN_LABEL_MM:
            raise FormatError(
                f"A label must be at least {MIN_LABEL_MM:g} × {MIN_LABEL_MM:g} mm"
                " to hold a QR code."
            )
        if self.pitch_x_mm + 0.01 < self.label_width_mm and self.columns > 1:
            raise FormatError("The horizontal pitch is smaller than the label: labels overlap.")
        if self.pitch_y_mm + 0.01 < self.label_height_mm and self.rows > 1:
            raise FormatError("The vertical pitch is smaller than the label: labels overlap.")
        right = self.left_mm + (self.columns - 1) * self.pitch_x_mm + self.label_width_mm
        bottom = self.top_mm + (self.rows - 1) * self.pitch_y_mm + self.label_height_mm
        if right > self.page_width_mm + 0.01 or bottom > self.page_height_mm + 0.01:
            raise FormatError("The labels run off the page: check margins, pitch and size.")
        if not (0 <= self.safe_x_mm <= 15 and 0 <= self.safe_y_mm <= 15):
            raise FormatError("A safe margin is 0–15 mm.")
        if (
            min(self.label_width_mm - 2 * self.safe_x_mm, self.label_height_mm - 2 * self.safe_y_mm)
            < 4
        ):
            raise FormatError("The safe margins leave no room for a QR code.")
        if self.corner_radius_mm * 2 > min(self.label_width_mm, self.label_height_mm):
            raise FormatError("The corner radius is larger than the label.")


def load(path: Path) -> Format:
    fmt = Format.from_dict(json.loads(path.read_text()))
    if fmt.name != path.stem:
        raise FormatError(f"{path.name}: the name inside must be {path.stem!r}.")
    return fmt


def builtin() -> dict[str, Format]:
    """The shipped formats by name; adding a format means adding a file."""
    return {fmt.name: fmt for fmt in map(load, sorted(FORMATS_DIR.glob("*.json")))}
