"""Label formats are checked in the engine's Format, shipped and custom alike:
finite millimetres in sane ranges, a bounded number of labels a page, and
labels inside the page. A format that is not real stock (infinity, NaN, a
kilometre) never reaches the renderer."""

from __future__ import annotations

import math

import pytest

import labels
from app.models import LabelFormatSetting
from app.printing import formats
from labels import Format, FormatError
from labels import formats as engine

from .pages import soup_of

SPEC = {
    "name": "office",
    "page_width_mm": 210,
    "page_height_mm": 297,
    "columns": 2,
    "rows": 4,
    "label_width_mm": 90,
    "label_height_mm": 60,
    "corner_radius_mm": 2,
    "left_mm": 10,
    "top_mm": 20,
    "pitch_x_mm": 100,
    "pitch_y_mm": 65,
}

# (what is changed, the message the lead sees, the field it is shown next to)
BAD = {
    "inf page": (
        {"page_width_mm": "inf"},
        "Page width: give a number of millimetres.",
        "page_width_mm",
    ),
    "nan page": (
        {"page_height_mm": "nan"},
        "Page height: give a number of millimetres.",
        "page_height_mm",
    ),
    "nan margin": ({"left_mm": "NaN"}, "Left margin: give a number of millimetres.", "left_mm"),
    "inf pitch": (
        {"pitch_y_mm": "-inf"},
        "Vertical pitch: give a number of millimetres.",
        "pitch_y_mm",
    ),
    "overflowing float": (
        {"label_width_mm": "1e999"},
        "Label width: give a number of millimetres.",
        "label_width_mm",
    ),
    "negative": ({"top_mm": "-1"}, "Top margin cannot be negative.", "top_mm"),
    "negative page": ({"page_width_mm": "-1"}, "Page width cannot be negative.", "page_width_mm"),
    "huge page": ({"page_width_mm": "1e9"}, "Page width is at most 1000 mm.", "page_width_mm"),
    "huge pitch": ({"pitch_x_mm": "1e9"}, "Horizontal pitch is at most 1000 mm.", "pitch_x_mm"),
    "zero page": ({"page_height_mm": "0"}, "Page height is from 5 to 1000 mm.", "page_height_mm"),
    "zero label": (
        {"label_width_mm": "0"},
        "A label must be at least 8 × 8 mm to hold a QR code.",
        "",
    ),
    "huge columns": (
        {"columns": "1e9"},
        "Every size must be a number; columns and rows are whole numbers.",
        "",
    ),
    "too many labels": (
        {
            "columns": "20",
            "rows": "26",
            "label_width_mm": "8",
            "label_height_mm": "8",
            "pitch_x_mm": "8",
            "pitch_y_mm": "8",
            "left_mm": "0",
            "top_mm": "0",
            "corner_radius_mm": "0",
            "safe_x_mm": "0",
            "safe_y_mm": "0",
        },
        "A page holds at most 500 labels.",
        "",
    ),
    "off the page": (
        {"columns": "3"},
        "The labels run off the page: check margins, pitch and size.",
        "",
    ),
    "off the bottom": (
        {"top_mm": "250"},
        "The labels run off the page: check margins, pitch and size.",
        "",
    ),
}


@pytest.mark.parametrize("change", BAD.values(), ids=BAD.keys())
def test_the_engine_refuses_stock_that_is_not_real(change):
    values, message, field = change
    with pytest.raises(FormatError) as refused:
        Format.from_dict({**SPEC, **values})
    assert str(refused.value) == message
    assert refused.value.field == field


def test_a_format_at_the_limits_is_accepted():
    """500 labels of 8 mm on a page, and a 1 m by 5 mm page, are real enough."""
    fmt = Format.from_dict(
        {
            **SPEC,
            "columns": 20,
            "rows": 25,
            "label_width_mm": 8,
            "label_height_mm": 8,
            "pitch_x_mm": 8,
            "pitch_y_mm": 8,
            "left_mm": 0,
            "top_mm": 0,
            "corner_radius_mm": 0,
            "safe_x_mm": 0,
            "safe_y_mm": 0,
        }
    )
    assert fmt.per_page == engine.MAX_PER_PAGE
    assert Format.from_dict({**SPEC, "page_height_mm": 1000}).page_height_mm == 1000


def test_every_shipped_format_still_loads():
    """Each JSON file in labels/formats passes the same checks."""
    files = sorted(engine.FORMATS_DIR.glob("*.json"))
    shipped = labels.builtin()
    assert sorted(shipped) == [path.stem for path in files]
    for fmt in shipped.values():
        fmt.check()
        assert all(math.isfinite(getattr(fmt, key)) for key in engine.NUMBERS)


# Through the "new format" page --------------------------------------------------


@pytest.mark.parametrize("change", BAD.values(), ids=BAD.keys())
def test_the_new_format_page_refuses_with_a_message_and_saves_nothing(client, auth, change):
    auth.login("lead")
    values, message, field = change
    form = {key: str(value) for key, value in {**SPEC, **values}.items()}
    form["layout"] = "wide"
    response = client.form("/labels/formats/new", form)
    assert response.status_code == 422
    page = soup_of(response)
    assert page.select_one(".flash-error").get_text(strip=True) == message
    if field:
        shown = page.select_one(f"main [name={field}]").find_parent("div", class_="field")
        assert shown.select_one("p.error").get_text(strip=True) == message
    assert LabelFormatSetting.select().count() == 0
    assert not [name for name in formats.formats() if name.startswith("custom-")]


def test_a_stored_format_that_is_not_real_is_never_offered(app):
    """A custom format saved before these checks (an infinite page) is skipped, so
    no print, preview or calibration page can hand it to the renderer."""
    LabelFormatSetting.create(
        name="custom-endless", spec={**SPEC, "name": "custom-endless", "page_width_mm": math.inf}
    )
    assert "custom-endless" not in formats.formats()
    with pytest.raises(formats.Invalid):
        formats.get_format("custom-endless")
