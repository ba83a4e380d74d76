"""CSV files people open in a spreadsheet: safe cells and Excel-friendly bytes.

Every CSV the app hands out (register export, event history, reports) goes
through `to_csv`, or for the reports' longest, `lines_csv` with each text cell
through `field`, so that one rule (`defuse`) guards all of them against
formula injection: a cell that a spreadsheet would read as a formula is
prefixed with an apostrophe, which spreadsheets show as plain text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

# =, +, -, @ start formulas; a leading tab or carriage return can hide one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The text a cell should hold: empty for None, ISO for dates, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        # Numbers are written as numbers (a negative one is not a formula).
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return defuse(str(value))


def defuse(text: str) -> str:
    """Text a spreadsheet shows as text: one that would start a formula gets an
    apostrophe in front."""
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def field(text: str) -> str:
    """A text cell as it stands in the file: defused, and in quotes (its own
    quotes doubled) if it holds a comma, a quote or a line break."""
    if _PLAIN.fullmatch(text):  # most text: one look
        return text
    text = defuse(text)
    if _QUOTED.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


_QUOTED = re.compile('[,"\r\n]')
# Text that is its own field: no formula start, nothing to quote.
_PLAIN = re.compile(f'(?![{re.escape("".join(FORMULA_STARTS))}])[^,"\r\n]*')
# Whole cents as they follow the point: CENTS[7] == "07".
CENTS = tuple(f"{n:02d}" for n in range(100))


class Fields(dict):
    """`field` of each distinct text once, for the names that repeat down a long
    file (categories, places, statuses): `fields[name]`."""

    def __missing__(self, text: str) -> str:
        cell = self[text] = field(text)
        return cell


class Days(dict):
    """Each distinct day (a date, or None: empty) as it stands in a file, written
    once, for the days that repeat down a long file: `days[day]`."""

    def __missing__(self, day: date | None) -> str:
        cell = self[day] = "" if day is None else day.isoformat()
        return cell


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads accents right), CRLF rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    starts = FORMULA_STARTS

    def cells(row: Sequence[object]) -> list[object]:
        # Most cells are plain text, whole numbers or empty, which the writer
        # writes as safe_cell would (None as ""): only the rest go through it.
        # A report's CSV is up to 100,000 rows, so this is the hot path.
        return [
            v
            if (type(v) is str and not v.startswith(starts)) or type(v) is int or v is None
            else safe_cell(v)
            for v in row
        ]

    writer.writerow(cells(header))
    writer.writerows(map(cells, rows))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def lines_csv(header: Sequence[str], lines: Iterable[str]) -> bytes:
    """The file `to_csv` makes, from rows the caller has written out as lines:
    each text cell through `field` (or `Fields`), each whole number or date as
    it prints, cells joined by commas. A report of every asset (100,000 rows)
    spends less this way than in `to_csv`'s look at each cell and the writer's;
    tests/test_csvfiles.py holds the two to the same bytes."""
    rows = list(lines)
    body = "\r\n".join(rows) + "\r\n" if rows else ""
    return to_csv(header, ()) + body.encode("utf-8")


def money_field(cents: int | None) -> str:
    """`money` as it stands in a file: a negative sum defused, as `to_csv` does."""
    if cents is None:
        return ""
    if cents < 0:
        return "'" + money(cents)
    return f"{cents // 100}.{CENTS[cents % 100]}"


def money(cents: int | None) -> str:
    """Cents as a plain decimal for a spreadsheet column ("1234.50"), empty if unknown."""
    if cents is None:
        return ""
    if cents < 0:
        return "-" + money(-cents)
    return "%d.%02d" % divmod(cents, 100)  # noqa: UP031 (the quickest: 300,000 in a CSV)
