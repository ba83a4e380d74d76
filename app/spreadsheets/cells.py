"""Cells to values: dates, amounts, statuses, warranty lengths, location paths
and our codes, each read as the import reads it (a ValueError saying what is
wrong). Nothing here touches the database."""

from __future__ import annotations

import re
from datetime import date, datetime

from .. import codes
from ..models import STATUS_LABELS
from ..ops.money import read_amount
from . import rules
from .headers import header_key

# What other systems call our statuses; our own labels and keys are added below.
_STATUS_WORDS = {
    "deployed": "checked_out",
    "readytodeploy": "available",
    "ready": "available",
    "instock": "available",
    "inuse": "checked_out",
    "broken": "faulty",
    "repair": "in_repair",
    "inrepair": "in_repair",
    "lost": "missing",
    "stolen": "missing",
    "archived": "retired",
    "disposed": "retired",
    "scrapped": "retired",
    "sold": "retired",
    # Snipe-IT's shipped status labels, and Shelf.nu's statuses.
    "outforrepair": "in_repair",
    "outfordiagnostics": "in_repair",
    "brokennotfixable": "faulty",
    "loststolen": "missing",
    "incustody": "checked_out",
}
for _key, _label in STATUS_LABELS.items():
    _STATUS_WORDS[re.sub(r"[^a-z0-9]", "", _key)] = _key
    _STATUS_WORDS[re.sub(r"[^a-z0-9]", "", _label.lower())] = _key


# Cells to values -------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T][\d:.]+Z?)?$")
_NUMERIC = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: [\d:.]+(?: ?[AP]M)?)?$", re.I
)
_WORDY = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d %Y")


def _year(text: str) -> int:
    year = int(text)
    return year + (2000 if year < 70 else 1900) if len(text) == 2 else year


def date_order_evidence(cells: list[str]) -> set[str]:
    """Which day/month orders numeric dates like 03/04/2024 allow: {"dmy"} when
    some first number is over 12, {"mdy"} when some second one is, both when
    nothing settles it (or when the column contradicts itself)."""
    first_big = second_big = seen = False
    for cell in cells:
        match = _NUMERIC.match(cell.strip())
        if match:
            seen = True
            a, b = int(match.group(1)), int(match.group(2))
            first_big |= a > 12
            second_big |= b > 12
    if not seen or first_big == second_big:
        return {"dmy", "mdy"} if seen else set()
    return {"dmy"} if first_big else {"mdy"}


def parse_date(text: str, order: str | None) -> date:
    """ISO, day/month/year or month/day/year (per `order`), or "5 Jan 2024",
    in the years rules.FIRST_YEAR to rules.LAST_YEAR."""
    text = text.strip()
    found = _read_date(text, order)
    problem = rules.date_in_range_words(text, found.year)
    if problem:
        raise ValueError(problem)
    return found


def _read_date(text: str, order: str | None) -> date:
    match = _ISO.match(text)
    try:
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        match = _NUMERIC.match(text)
        if match:
            if order not in ("dmy", "mdy"):
                raise ValueError(f"“{text}” could be day/month or month/day: choose the order.")
            a, b, year = int(match.group(1)), int(match.group(2)), _year(match.group(3))
            day, month = (a, b) if order == "dmy" else (b, a)
            return date(year, month, day)
    except ValueError as exc:
        if "choose the order" in str(exc):
            raise
        raise ValueError(f"“{text}” is not a real date.") from None
    for fmt in _WORDY:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date (use 2024-03-31 or 31/03/2024).")


def parse_cost(text: str) -> int:
    """Cents from "£1,234.50", "1.234,50 €", "EUR 12", "1 234,5" (the rule:
    ops.money.read_amount, which the asset form asks too)."""
    cents = read_amount(text)
    if cents is None:
        raise ValueError("No amount given.")
    return cents


def parse_status(text: str) -> str:
    key = _STATUS_WORDS.get(header_key(text))
    if key is None:
        known = ", ".join(STATUS_LABELS.values())
        raise ValueError(f"Status “{text.strip()}” is not one of: {known}.")
    return key


_MONTHS = re.compile(r"^(\d{1,3})\s*(months?|mos?)?$", re.I)


def warranty_months(text: str) -> int | None:
    """Warranty given as a length ("36 months", "24"), as some systems export it."""
    match = _MONTHS.match(text.strip())
    return int(match.group(1)) if match else None


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError("bad date")  # unreachable: every month has 28 days


def location_path(text: str, slashes: bool = False) -> list[str]:
    """ "Site > Building > Room" (or with ›) as its parts. A path with no ">" may
    use "/" instead: "Home / Office / Desk" (spaces around each "/"), or with
    `slashes` (a Homebox column) "Home/Office/Desk" too. In a ">" path a "/" is
    part of a name, so "HQ > A/V cupboard" is two levels."""
    text = text.strip()
    parts, split = _split_path(text, _ANGLE)
    if not split:
        parts, _ = _split_path(text, _SLASH if slashes else _SPACED_SLASH)
    return [part.strip() for part in parts if part.strip()]


_ANGLE = re.compile(r"\s*[>›]\s*")
_SLASH = re.compile(r"\s*/\s*")
_SPACED_SLASH = re.compile(r"\s+/\s+")


def _split_path(text: str, separator: re.Pattern) -> tuple[list[str], bool]:
    """`text` split where `separator` matches, and whether it did. A backslash
    keeps the next ">", "›", "/" or backslash part of a name: our export writes
    a place called "Shelf A > 2" as "Shelf A \\> 2" (location_cell)."""
    parts: list[str] = []
    current: list[str] = []
    at = 0
    while at < len(text):
        if text[at] == "\\" and text[at + 1 : at + 2] in ("\\", ">", "›", "/"):
            current.append(text[at + 1])
            at += 2
            continue
        found = separator.match(text, at)
        if found:
            parts.append("".join(current))
            current, at = [], found.end()
            continue
        current.append(text[at])
        at += 1
    parts.append("".join(current))
    return parts, len(parts) > 1


def location_cell(parts: list[str]) -> str:
    """A location path as the import reads it back (location_path): names
    joined with " > ", a ">", "›" or backslash inside a name escaped, and a
    spaced "/" too in a one-level path (which would otherwise read as levels)."""
    escaped = [re.sub(r"([\\>›])", r"\\\1", part) for part in parts]
    if len(escaped) == 1 and re.search(r"\s/\s", escaped[0]):
        escaped[0] = escaped[0].replace("/", "\\/")
    return " > ".join(escaped)


def as_code(text: str) -> str | None:
    """The tag as one of our codes, if it is written as one. Only case, spaces
    and hyphens are forgiven here: reading O as 0 would turn someone else's
    "LAP-001" into a code it never was."""
    code = re.sub(r"[\s\-]", "", text).upper()
    return code if codes.is_valid(code) else None
