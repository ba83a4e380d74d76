"""CSV cells are safe to open in a spreadsheet, whatever text they hold."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from app.codes import ALPHABET
from app.spreadsheets.csvfiles import (
    FORMULA_STARTS,
    Fields,
    field,
    lines_csv,
    money,
    safe_cell,
    to_csv,
)


def _read(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@given(st.text())
def test_no_text_cell_can_start_a_formula(text):
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    # Only the apostrophe is added: the person still sees their text.
    assert cell in (text, "'" + text)


@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), max_size=5))
def test_rows_survive_the_file_intact_and_defused(rows):
    width = max((len(r) for r in rows), default=1)
    rows = [r + [""] * (width - len(r)) for r in rows]
    parsed = _read(to_csv(["h"] * width, rows))
    assert parsed[0] == ["h"] * width
    for original, back in zip(rows, parsed[1:], strict=True):
        for cell, got in zip(original, back, strict=True):
            assert got == safe_cell(cell)
            assert not got.startswith(FORMULA_STARTS)


def test_plain_values():
    assert safe_cell(None) == ""
    assert safe_cell(-5) == "-5"
    assert safe_cell(date(2026, 1, 2)) == "2026-01-02"
    assert safe_cell(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02 03:04:05"
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert money(123450) == "1234.50" and money(-5) == "-0.05" and money(None) == ""


def test_every_kind_of_cell_is_written_as_safe_cell_says():
    """The writer's fast path (plain text, whole numbers, None) and the rest agree."""
    row = [None, True, False, -5, 7, 2.5, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4, 5, 6)]
    row += ["plain", "=SUM(A1)", "-1+2", "@x", "a,b", 'say "hi"']
    data = to_csv(["h"] * len(row), [row])
    assert data.decode("utf-8").split("\r\n")[1] == (
        ",yes,no,-5,7,2.5,2026-01-02,2026-01-02 03:04:05,"
        'plain,\'=SUM(A1),\'-1+2,\'@x,"a,b","say ""hi"""'
    )


cells = st.one_of(
    st.text(), st.integers(), st.none(), st.dates(), st.sampled_from(["=1", "+a", "-b", "@c"])
)


@given(st.lists(st.text(), min_size=1, max_size=4), st.lists(st.lists(cells, min_size=2)))
def test_lines_make_the_file_to_csv_makes(header, rows):
    """A report's rows written out as lines (text through field or Fields, whole
    numbers and dates as they print, None empty) give, byte for byte, the file
    to_csv gives."""
    fields = Fields()

    def cell(i, v):
        if isinstance(v, str):
            return fields[v] if i % 2 else field(v)
        return "" if v is None else f"{v}"

    lines = [",".join(cell(i, v) for i, v in enumerate(r)) for r in rows]
    assert lines_csv(header, lines) == to_csv(header, rows)


sums = st.one_of(st.none(), st.integers(-(10**12), 10**12), st.integers(0, 10**6))
due_rows = st.tuples(
    st.text(ALPHABET, min_size=6, max_size=6),  # codes are written as they are
    st.text(),
    st.sampled_from(["Laptops", "", "=Tools", "Vans, large"]),
    st.one_of(st.none(), st.dates()),
    sums,
    st.integers(0, 10**9),
    st.integers(-(10**6), 10**9),
    st.integers(0, 100),
    st.sampled_from(["", "0.0", "12.5", "100.0"]),
    sums,
    st.sampled_from(["Past its useful life since 1 Mar 2026", "", "-3 faults", 'a "b", c']),
)


@given(st.lists(due_rows))
def test_the_due_lines_make_the_file_to_csv_makes(rows):
    """The replacement plan's due list as lines (sums written in place where
    none is missing or negative) is, byte for byte, the file to_csv makes of
    the same rows with their sums as `money`."""
    from app.spreadsheets import report_lines

    as_money = [
        (*r[:4], money(r[4]), money(r[5]), money(r[6]), r[7], r[8], money(r[9]), r[10])
        for r in rows
    ]
    expected = to_csv(report_lines.DUE_HEADER, as_money)
    assert lines_csv(report_lines.DUE_HEADER, report_lines.due(rows)) == expected


idle_rows = st.tuples(
    st.text(ALPHABET, min_size=6, max_size=6),
    st.text(),
    st.sampled_from(["Available", "Checked out", "Missing"]),
    st.sampled_from(["Laptops", "", "=Tools"]),
    st.sampled_from(["Yard › Shed", "", 'Shed, "back"']),
    st.one_of(st.none(), st.dates()),
    st.integers(0, 10**5),
)


@given(st.lists(idle_rows))
def test_the_idle_lines_make_the_file_to_csv_makes(rows):
    """The idle report's lines (each day written once, "never" for an item never
    used) are, byte for byte, the file to_csv makes of the same rows."""
    from app.spreadsheets import report_lines

    as_written = [(*r[:5], "never" if r[5] is None else r[5], r[6]) for r in rows]
    expected = to_csv(report_lines.IDLE_HEADER, as_written)
    assert lines_csv(report_lines.IDLE_HEADER, report_lines.idle(rows)) == expected
