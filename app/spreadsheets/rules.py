"""What an import accepts: how big a file, how many rows, how long each cell.

The file limit is the one upload limit every file has (register.uploads); the
cell limits are the lengths of the database columns the cells land in, so an
import can never hold a value the asset form could not save.
"""

from __future__ import annotations

import re

from ..models import Asset, Category, Team, User
from ..register import uploads

MAX_BYTES = uploads.MAX_BYTES
MAX_ROWS = 50_000

# Notes are unlimited text in the database; the asset form takes this many.
NOTES_MAX = 5000

# Longest text per imported field; a field not named here may have NOTES_MAX.
FIELD_MAX = {
    "name": Asset.name.max_length,
    "manufacturer": Asset.manufacturer.max_length,
    "model_name": Asset.model_name.max_length,
    "serial": Asset.serial.max_length,
    "supplier": Asset.supplier.max_length,
    "order_number": Asset.order_number.max_length,
    "external_tag": Asset.external_tag.max_length,
    "notes": NOTES_MAX,
    "category": Category.name.max_length,
    "team": Team.name.max_length,
    "holder": User.name.max_length,
    "holder_email": User.email.max_length,
}


# The encodings a person may choose when the file does not say its own: codec
# name → what the preview calls it. The first ones are also what a guess picks from.
ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "mac_roman": "Mac Roman",
    "iso8859_1": "ISO-8859-1",
    "iso8859_15": "ISO-8859-15",
    "cp1250": "Windows-1250 (Central Europe)",
    "utf-16": "UTF-16",
    "utf_16_le": "UTF-16 little-endian, no byte-order mark",
    "utf_16_be": "UTF-16 big-endian, no byte-order mark",
}
GUESSABLE = ("cp1252", "mac_roman")


def encoding_key(name: str) -> str | None:
    """Our key for an encoding however it is spelt ("Mac Roman", "macroman",
    "windows-1252", "latin-1"), or None when it is not one we offer."""
    import codecs

    wanted = {codecs.lookup(key).name: key for key in ENCODINGS}
    for spelling in (name, name.replace(" ", "_")):
        try:
            found = wanted.get(codecs.lookup(spelling.strip()).name)
        except LookupError:
            continue
        if found:
            return found
    return None


def encoding_name(codec: str) -> str:
    """What the preview calls an encoding."""
    return ENCODINGS.get(codec, codec)


# Cells people fill in to say "nothing here". In these fields they are read as
# blank: otherwise "N/A" becomes a holder, a place or a category, and a column
# of "No tag" makes every row a duplicate of the others. Names, notes and
# status keep what they say (a name "None" is rare but real; a note is free text).
PLACEHOLDERS = frozenset(
    {
        "n/a", "na", "n.a.", "n.a", "#n/a", "nan", "null", "nil", "none", "nothing",
        "tbd", "tba", "tbc", "unknown", "not known", "not applicable", "not set",
        "no tag", "no code", "no serial", "no location", "no category", "no date", "no team",
        "unassigned", "not assigned", "nobody", "no one", "none assigned", "blank",
        "empty", "0000-00-00", "00/00/0000",
    }
)  # fmt: skip
PLACEHOLDER_FIELDS = frozenset(
    {
        "tag", "external_tag", "serial", "holder", "holder_email", "location", "category", "team",
        "purchase_date", "warranty_end", "due_back", "cost_cents", "manufacturer",
        "model_name", "supplier", "order_number", "model_number", "holder_first",
        "holder_last", "holder_username", "holder_location", "checkout_type", "quantity",
        # a subscription's (subscription_columns.py)
        "starts_on", "renews_on", "owner", "owner_email", "licence_key", "remind_days",
        "period", "kind",
    }
)  # fmt: skip


def is_placeholder(field: str, text: str) -> bool:
    """Whether a cell in this field means "nothing": a word from PLACEHOLDERS
    (any case, spacing or brackets) or only dashes, dots and question marks."""
    if field not in PLACEHOLDER_FIELDS:
        return False
    if not any(c.isalnum() for c in text):
        return bool(text.strip())
    return " ".join(text.lower().split()).strip("()[]<>-_*. ") in PLACEHOLDERS


# Years an imported date may have: outside them it is a typing slip ("0202" for
# 2020, "2202" for 2022), never a real purchase or warranty date.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def date_in_range_words(text: str, year: int) -> str | None:
    """Why a date read from `text` cannot be right, or None when it can."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return f"“{text}” is in the year {year}: a date must be between {FIRST_YEAR} and {LAST_YEAR}."


def cut_short_words(line: int, cells: int, width: int) -> str:
    """What the preview says about a last row the file stops in the middle of."""
    return (
        f"Row {line} looks cut short: it has {cells} of the {width} columns and the file "
        "ends inside it, as if it was truncated. Complete the row or remove it, then upload "
        "the file again."
    )


# A holder with no email whose name another person shares is exported as
# "Sam Lee (#12)": the import takes the mark off, finds person 12 if they are
# still called that, and otherwise keeps two such people apart.
_PERSON_MARK = re.compile(r"^(.*?)\s*\(#(\d{1,12})\)$", re.S)


def person_cell(name: str, user_id: int, shared: bool) -> str:
    """A holder's name as the export writes it: marked when it alone would not
    say who (a shared name), or when the name itself ends like a mark."""
    if shared or _PERSON_MARK.match(name):
        return f"{name} (#{user_id})"
    return name


def person_from_cell(text: str) -> tuple[str, int | None]:
    """A holder cell as (name, person id or None): person_cell undone."""
    found = _PERSON_MARK.match(text)
    if not found or not found.group(1).strip():
        return text, None
    return found.group(1).strip(), int(found.group(2))


def field_max(name: str) -> int:
    """The longest text the import takes for this field."""
    return FIELD_MAX.get(name, NOTES_MAX)


def too_large_words() -> str:
    """What the import page says about a file over the limit."""
    return f"That file is larger than {uploads.limit_words()}. Split it and import the parts."


def too_many_assets_words(assets: int) -> str:
    """What the import says when rows with quantities make more assets than MAX_ROWS."""
    return (
        f"With its quantities this file makes {assets:,} assets; import at most {MAX_ROWS:,} "
        "at once, or import each row as one asset."
    )


def too_many_rows_words(rows: int) -> str:
    """What the import page says about a file with more rows than MAX_ROWS."""
    return f"That file has {rows:,} rows; import at most {MAX_ROWS:,}."


DATE_ORDER_PROBLEM = (
    "Some dates could be day/month or month/day (like 03/04/2024). Choose the order."
)
DATE_ORDER_WORDS = "Dates like 03/04/2024 need an order: day/month or month/day"


def waiting_words(waiting: int) -> str:
    """What stops an import while status values wait for a meaning, said at the top."""
    return f"{waiting} status value{'s need' if waiting > 1 else ' needs'} an answer"


def rows_words(rows: int, assets: int) -> str:
    """A file's size on the preview: rows and assets counted apart when
    quantities make several assets of one row ("3 rows, 6 assets")."""
    said = f"{rows:,} row{'' if rows == 1 else 's'}"
    if assets != rows:
        said += f", {assets:,} asset{'' if assets == 1 else 's'}"
    return said


def tag_words(kept: str, old: str) -> list[str]:
    """Why a tag became the asset's code (`kept`) or its old tag (`old`), as the
    preview says it; either may be "" (no such tag in the file)."""
    out = []
    if kept:
        out.append(
            f"{kept} is kept as the asset's code: it reads as a tagtrail code (six letters "
            "and digits) that no asset has, so its printed label keeps working."
        )
    if old:
        out.append(
            f"{old} is kept as the asset's old tag, not its code: a tagtrail code is six "
            "letters and digits (like 7K3-M9Q), so the asset gets a new code, and Find by "
            "code finds it by the old tag too."
        )
    return out
