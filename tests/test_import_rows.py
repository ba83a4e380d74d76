"""Rows that cannot be right as they stand: dates in impossible years, a last
row cut short. Each is an error on its row, and nothing imports."""

from __future__ import annotations

from datetime import date

import pytest

from app.models import Asset
from app.spreadsheets import imports
from app.spreadsheets import values as iv

from . import factories
from .import_kit import counts, preview, run, sheet


@pytest.fixture
def lead(app):
    with app.app_context():
        yield factories.make_user("lead")


@pytest.mark.parametrize(
    "text, year",
    [("09/30/0202", 202), ("0202-09-30", 202), ("12/31/2202", 2202), ("5 Jan 1850", 1850)],
)
def test_dates_outside_1900_to_2100_are_refused(text, year):
    with pytest.raises(ValueError) as caught:
        iv.parse_date(text, "mdy")
    assert f"in the year {year}" in str(caught.value) and "between 1900 and 2100" in str(
        caught.value
    )


def test_dates_at_the_ends_of_the_range_are_fine():
    assert iv.parse_date("1900-01-01", None) == date(1900, 1, 1)
    assert iv.parse_date("12/31/2100", "mdy") == date(2100, 12, 31)


def test_a_year_typed_wrong_is_an_error_on_its_row(lead):
    data = sheet(
        "Name,Serial,Purchase date,Warranty end\n"
        "Drill,D1,09/30/2020,09/30/2023\n"
        "Saw,S1,09/30/0202,\n"
        "Plane,P1,,10/01/2202\n"
    )
    result = preview(data)
    errors = {r.line: r.errors for r in result.rows}
    assert errors[2] == []
    assert errors[3] == [
        "Purchase date: “09/30/0202” is in the year 202: a date must be between 1900 and 2100."
    ]
    assert errors[4] == [
        "Warranty end: “10/01/2202” is in the year 2202: a date must be between 1900 and 2100."
    ]
    before = counts()
    with pytest.raises(imports.Blocked):
        run(data, actor=lead)
    assert counts() == before and not Asset.select().exists()


def _truncated() -> bytes:
    lines = ["Name,Serial,Category,Location,Notes"]
    lines += [f"Drill {n},D{n},Tools,HQ > Store,fine" for n in range(2, 201)]
    # The file stops in the middle of row 201: no line ending after it.
    return ("\r\n".join(lines) + "\r\nDrill 201,X20").encode()


def test_a_last_row_cut_short_is_an_error_on_that_row(lead):
    table = iv.read_table(_truncated())
    assert table.cut_short == 201
    result = preview(_truncated())
    bad = [r for r in result.rows if r.errors]
    assert [r.line for r in bad] == [201]
    assert bad[0].errors[0].startswith("Row 201 looks cut short: it has 2 of the 5 columns")
    before = counts()
    with pytest.raises(imports.Blocked):
        run(_truncated(), actor=lead)
    assert counts() == before
    # With the row completed (or removed) the file imports.
    fixed = _truncated() + b"01,Tools,HQ > Store,fine\r\n"
    assert iv.read_table(fixed).cut_short is None
    assert run(fixed, actor=lead).new == 200


@pytest.mark.parametrize(
    "data",
    [
        b"Name,Serial,Notes\r\nA,1,x\r\nB,2\r\n",  # short, but the line ends
        b"Name,Serial,Notes\r\nA,1\r\nB,2",  # every row leaves the last cells out
        b"Name,Serial,Notes\r\nA,1,x\r\nB,2,y",  # whole, without a last line ending
    ],
)
def test_rows_that_are_merely_short_are_not_cut_short(data):
    assert iv.read_table(data).cut_short is None


def test_preview_page_shows_the_cut_short_row_and_offers_no_import(client, auth):
    from .test_import_pages import preview_url, upload

    auth.login("lead")
    page, _ = client.soup(preview_url(upload(client, _truncated())))
    rows = page.select("#import-errors li[data-line]")
    assert [li["data-line"] for li in rows] == ["201"]
    assert "looks cut short" in rows[0].text
    assert page.select_one("#import-confirm form") is None
