"""Label format data files (labels/formats/*.json): shape, and geometry that fits the page.

Only the JSON is read here, with the standard library, so these checks do not depend
on the label engine that renders the formats.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

FORMATS_DIR = Path(__file__).resolve().parent.parent / "labels" / "formats"
FORMAT_FILES = sorted(FORMATS_DIR.glob("*.json"))

# Tolerance for sums of numbers that are each rounded to 0.01 mm.
EPS = 0.01
# Left and right margins of a centred sheet may differ by this much.
CENTRING_MM = 0.5

EXPECTED_KEYS = {
    "name": str,
    "title": str,
    "paper": str,
    "page_width_mm": float,
    "page_height_mm": float,
    "columns": int,
    "rows": int,
    "label_width_mm": float,
    "label_height_mm": float,
    "corner_radius_mm": float,
    "left_mm": float,
    "top_mm": float,
    "pitch_x_mm": float,
    "pitch_y_mm": float,
    "safe_x_mm": float,  # no ink this near the label's left and right edges
    "safe_y_mm": float,  # nor its top and bottom edges
    "roll": bool,
    "layout": str,
    "source": str,
}
MM_KEYS = [key for key, kind in EXPECTED_KEYS.items() if kind is float]
PAPERS = {"A4", "Letter", "Roll"}
LAYOUTS = {"wide", "tiny"}
PAGE_SIZES = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}

# Labels per sheet, from the issue.
SHEET_COUNTS = {
    "avery-l7160": 21,
    "avery-l7163": 14,
    "avery-l7651": 65,
    "avery-l4732": 80,
    "avery-5160": 30,
    "avery-5163": 10,
    "avery-5167": 80,
}
ROLLS = {"brother-dk-22205", "dymo-30252"}


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def formats(kind: str = "all") -> list:
    """The format files as pytest params, one per file, id'd by name; sheets or rolls only."""
    params = []
    for path in FORMAT_FILES:
        data = load(path)
        is_roll = data.get("roll") is True
        if (kind == "sheet" and is_roll) or (kind == "roll" and not is_roll):
            continue
        params.append(pytest.param(path, data, id=path.stem))
    return params


def test_every_shipped_format_has_a_file():
    """Each format the issue asks for is present."""
    names = {path.stem for path in FORMAT_FILES}
    missing = (set(SHEET_COUNTS) | ROLLS) - names
    assert not missing, f"missing format files: {sorted(missing)}"


@pytest.mark.parametrize(("path", "fmt"), formats())
def test_keys_and_types(path, fmt):
    """Exactly the documented keys, each of the right type, and the name is the file stem."""
    assert set(fmt) == set(EXPECTED_KEYS)
    for key, kind in EXPECTED_KEYS.items():
        value = fmt[key]
        if kind is float:
            # JSON numbers: ints are fine for millimetres, booleans are not.
            assert isinstance(value, int | float) and not isinstance(value, bool), key
        elif kind is int:
            assert isinstance(value, int) and not isinstance(value, bool), key
        else:
            assert isinstance(value, kind), key
    assert fmt["name"] == path.stem
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", fmt["name"])
    assert fmt["paper"] in PAPERS
    assert fmt["layout"] in LAYOUTS
    assert fmt["title"].strip() and fmt["source"].strip()


@pytest.mark.parametrize(("path", "fmt"), formats())
def test_dimensions_are_sane(path, fmt):
    """Sizes and counts are positive, offsets not negative, corners fit inside the label."""
    for key in MM_KEYS:
        assert fmt[key] >= 0, key
    for key in ("page_width_mm", "page_height_mm", "label_width_mm", "label_height_mm"):
        assert fmt[key] > 0, key
    assert fmt["columns"] >= 1 and fmt["rows"] >= 1
    assert fmt["corner_radius_mm"] <= min(fmt["label_width_mm"], fmt["label_height_mm"]) / 2
    assert fmt["roll"] == (fmt["paper"] == "Roll")


@pytest.mark.parametrize(("path", "fmt"), formats())
def test_grid_fits_on_the_page(path, fmt):
    """The last column and row end inside the page, and neighbouring labels never overlap."""
    right = fmt["left_mm"] + (fmt["columns"] - 1) * fmt["pitch_x_mm"] + fmt["label_width_mm"]
    bottom = fmt["top_mm"] + (fmt["rows"] - 1) * fmt["pitch_y_mm"] + fmt["label_height_mm"]
    assert right <= fmt["page_width_mm"] + EPS
    assert bottom <= fmt["page_height_mm"] + EPS
    assert fmt["pitch_x_mm"] >= fmt["label_width_mm"] - EPS
    assert fmt["pitch_y_mm"] >= fmt["label_height_mm"] - EPS


@pytest.mark.parametrize(("path", "fmt"), formats("sheet"))
def test_sheet_page_size_and_count(path, fmt):
    """Sheets are A4 or US Letter at their real size and hold the issue's number of labels."""
    assert fmt["paper"] in PAGE_SIZES
    width, height = PAGE_SIZES[fmt["paper"]]
    assert fmt["page_width_mm"] == pytest.approx(width, abs=EPS)
    assert fmt["page_height_mm"] == pytest.approx(height, abs=EPS)
    assert fmt["name"] in SHEET_COUNTS, "new sheet format: add its count to SHEET_COUNTS"
    assert fmt["columns"] * fmt["rows"] == SHEET_COUNTS[fmt["name"]]


@pytest.mark.parametrize(("path", "fmt"), formats("sheet"))
def test_avery_sheets_are_centred_horizontally(path, fmt):
    """Avery grids sit in the middle of the sheet: left and right margins match."""
    if not fmt["name"].startswith("avery-"):
        pytest.skip("only Avery sheets are known to be centred")
    span = (fmt["columns"] - 1) * fmt["pitch_x_mm"] + fmt["label_width_mm"]
    right_margin = fmt["page_width_mm"] - fmt["left_mm"] - span
    assert abs(fmt["left_mm"] - right_margin) <= CENTRING_MM


@pytest.mark.parametrize(("path", "fmt"), formats("roll"))
def test_roll_is_one_label_per_page(path, fmt):
    """Label-printer rolls print one label per page, and the label fits that page."""
    assert fmt["name"] in ROLLS, "new roll format: add it to ROLLS"
    assert fmt["roll"] is True
    assert fmt["paper"] == "Roll"
    assert fmt["columns"] == 1 and fmt["rows"] == 1
    assert fmt["left_mm"] + fmt["label_width_mm"] <= fmt["page_width_mm"] + EPS
    assert fmt["top_mm"] + fmt["label_height_mm"] <= fmt["page_height_mm"] + EPS
