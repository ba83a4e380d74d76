"""Reading a spreadsheet someone saved as CSV: bytes to rows, headers to our
fields, and cells to values. Nothing here touches the database."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from .. import codes
from ..errors import Invalid
from ..models import STATUS_LABELS
from . import rules

DELIMITERS = (",", ";", "\t")

# Our field → (what the preview calls it, header names that mean it; when two
# columns name one field, the earlier name wins). Headers
# are compared with everything but letters and digits removed, lower case, so
# "Model No.", "model_no" and "MODEL NO" are one header.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tag": (
        "Asset tag / code",
        ("code", "assettag", "tag", "assetcode", "tagnumber", "assetno", "assetid", "sequentialid"),
    ),
    "external_tag": ("External tag", ("externaltag", "oldtag", "previoustag", "legacytag")),
    "name": ("Name", ("name", "itemname", "assetname", "item", "title")),
    "category": ("Category", ("category", "assettype", "categoryname")),
    "manufacturer": ("Manufacturer", ("manufacturer", "make", "brand", "maker")),
    "model_name": ("Model", ("model", "modelname", "assetmodel")),
    "model_number": ("Model number (the model, if none)", ("modelno", "modelnumber")),
    "serial": ("Serial", ("serial", "serialnumber", "serialno", "sn")),
    "purchase_date": (
        "Purchase date",
        ("purchasedate", "purchased", "dateofpurchase", "purchasetime", "purchasedtime"),
    ),
    "cost_cents": (
        "Cost",
        (
            "cost",
            "purchasecost",
            "purchaseprice",
            "purchasedprice",
            "price",
            "unitcost",
            "valuation",
            "value",
        ),
    ),
    "supplier": ("Supplier", ("supplier", "vendor", "seller", "purchasefrom", "purchasedfrom")),
    "order_number": ("Order number", ("ordernumber", "orderno", "ponumber", "purchaseorder")),
    "warranty_end": (
        "Warranty end",
        (
            "warrantyexpires",
            "warrantyend",
            "warrantyexpiry",
            "warrantyends",
            "warranty",
            "warrantymonths",
        ),
    ),
    "status": ("Status", ("status", "statuslabel", "state")),
    "location": ("Location", ("location", "locationpath", "place")),
    "holder": (
        "Checked out to",
        ("checkedoutto", "holder", "assignedto", "heldby", "assignee", "fullname", "custodian"),
    ),
    "holder_first": ("Holder first name", ("checkedouttofirstname", "firstname")),
    "holder_last": ("Holder last name", ("checkedouttolastname", "lastname", "surname")),
    "holder_email": (
        "Holder email",
        ("holderemail", "checkedouttoemail", "assignedtoemail", "email"),
    ),
    "holder_username": (
        "Holder username (if no name)",
        ("checkedouttousername", "username", "assignedtousername"),
    ),
    "checkout_type": ("Checked out to a… (person or place)", ("checkouttype", "checkoutclass")),
    "holder_location": (
        "Checked out to a place",
        ("checkedouttolocation", "checkoutlocation", "assignedtolocation"),
    ),
    "due_back": ("Due back", ("dueback", "duedate", "expectedcheckin", "returndate")),
    "quantity": ("Quantity", ("quantity", "qty")),
    "notes": ("Notes", ("notes", "note", "comments", "comment", "assetnotes")),
    "description": ("Description (goes into notes)", ("description", "desc", "details")),
}
DATE_FIELDS = ("purchase_date", "warranty_end", "due_back")
_ALIASES = {alias: field for field, (_, names) in FIELDS.items() for alias in names}

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


_RANKS = {alias: rank for _, names in FIELDS.values() for rank, alias in enumerate(names)}
# Homebox writes its columns as HB.name, HB.serial_number, ...; HB.field.<name>
# columns are its custom fields. Shelf.nu writes custom fields as "cf: <name>, type:<type>".
_HOMEBOX = re.compile(r"^\s*hb\.", re.I)
_HOMEBOX_FIELD = re.compile(r"^\s*hb\.field\.(.+)$", re.I)
_SHELF_FIELD = re.compile(r"^\s*cf\s*:\s*(.+?)\s*(?:,\s*type\s*:\s*(\w[\w -]*?)\s*)?$", re.I)


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def custom_field_header(header: str) -> tuple[str, str | None] | None:
    """(name, stated type or None) when the header is another system's custom
    field column (Homebox HB.field.<name>, Shelf.nu "cf: <name>, type:<type>")."""
    match = _HOMEBOX_FIELD.match(header or "")
    if match and match.group(1).strip():
        return match.group(1).strip(), None
    match = _SHELF_FIELD.match(header or "")
    if match and match.group(1).strip():
        return match.group(1).strip(), (match.group(2) or "").lower() or None
    return None


_CAMEL = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")


def readable_header(header: str) -> str:
    """A header as a person would say it: another system's custom field's own
    name, Homebox's columns without "HB." and underscores ("HB.purchase_price":
    "Purchase price"), Shelf.nu's "assetModel" as "Asset model"; any other
    header as the file has it."""
    text = " ".join((header or "").split())
    found = custom_field_header(text)
    if found:
        return found[0]
    if _HOMEBOX.match(text):
        text = " ".join(_HOMEBOX.sub("", text).replace("_", " ").split())
    elif _CAMEL.match(text):
        text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text).lower()
    else:
        return text
    return text[:1].upper() + text[1:] if text else " ".join((header or "").split())


def is_homebox(headers: list[str]) -> bool:
    """A Homebox file (HB.* columns, or its older "Import Ref"): its location
    paths are written with "/"."""
    return any(_HOMEBOX.match(h or "") or header_key(h) == "importref" for h in headers)


def _alias(header: str) -> str:
    if custom_field_header(header):
        return ""
    return header_key(_HOMEBOX.sub("", header or ""))


def guess_field(header: str) -> str:
    """Our field for a column header, or "" to leave the column out."""
    return _ALIASES.get(_alias(header), "")


def guess_rank(header: str) -> int:
    """How surely the header means its field: 0 for the field's own name. When
    two columns mean one field, the lower rank takes it."""
    return _RANKS.get(_alias(header), 99)


# Bytes to rows ---------------------------------------------------------------


_WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
# Pictures and PDFs people upload by mistake: refused as binary, whatever a
# decoder could make of them.
_BINARY_STARTS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF-", b"\x1f\x8b", b"BM")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_BINARY = "That file is not a CSV text file (it looks like binary data)."


@dataclass
class Decoded:
    text: str
    encoding: str  # a codec name from rules.ENCODINGS
    guessed: bool = False  # the file does not say; a detector chose
    chosen: bool = False  # the person chose it


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if sample.startswith(_BINARY_STARTS) or b"\0" in sample:
        return True
    # A text file has tabs and line endings but hardly any other control bytes.
    return len(_CONTROL.findall(sample)) > max(2, len(sample) // 1000)


def _utf16_without_mark(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark: mostly ASCII, so every
    other byte is zero, on the same side throughout."""
    sample = data[:4096]
    if len(sample) < 8 or b"\0" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.6 and even.count(0) < len(even) * 0.05:
        return "utf_16_le"
    if even.count(0) > len(even) * 0.6 and odd.count(0) < len(odd) * 0.05:
        return "utf_16_be"
    return None


def _guess(data: bytes) -> str:
    """The likelier of the 8-bit encodings old spreadsheets were saved in. A
    file with only carriage returns for line endings comes from a classic Mac."""
    from charset_normalizer import from_bytes

    found = [m.encoding for m in from_bytes(data, cp_isolation=list(rules.GUESSABLE))]
    mac = b"\r" in data and b"\n" not in data
    if "mac_roman" in found and (mac or not found or found[0] == "mac_roman"):
        return "mac_roman"
    if found:
        return found[0]
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "mac_roman"  # every byte means a character in Mac Roman


def read_text(data: bytes, encoding: str | None = None) -> Decoded:
    """Text from an Excel-made CSV. Certain when the file says (a byte-order
    mark) or is valid UTF-8; otherwise a guess the person may overrule with
    `encoding`. Never calls a text file binary."""
    if not data.strip():
        raise Invalid({"file": "That file is empty."})
    if data.startswith(_WORKBOOKS):
        raise Invalid(
            {
                "file": "That is a spreadsheet workbook, not a CSV file. In the spreadsheet, "
                "use File › Save as › CSV (UTF-8), then upload that."
            }
        )
    if encoding:
        encoding = rules.encoding_key(encoding)
        if encoding is None:
            known = ", ".join(rules.ENCODINGS.values())
            raise Invalid({"encoding": f"Choose an encoding from the list: {known}."})
        codec = "utf-8-sig" if encoding == "utf-8" else encoding
        try:
            return Decoded(data.decode(codec), encoding, chosen=True)
        except UnicodeDecodeError:
            name = rules.encoding_name(encoding)
            raise Invalid(
                {"encoding": f"The file cannot be read as {name}: choose another encoding."}
            ) from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            raise Invalid({"file": _BINARY}) from None
    wide = _utf16_without_mark(data)
    if wide:
        try:
            return Decoded(data.decode(wide), wide, guessed=True)
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise Invalid({"file": _BINARY})
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    guess = _guess(data)
    return Decoded(data.decode(guess), guess, guessed=True)


def decode(data: bytes) -> str:
    """The file's text, its encoding found or guessed (see read_text)."""
    return read_text(data).text


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the first lines into the most
    columns, consistently."""
    sample = text[:65536].splitlines()[:30]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(sample, delimiter=delimiter) if any(c.strip() for c in r)]
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows if len(r) == width)
        score = (consistent if width > 1 else 0, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


@dataclass
class Table:
    delimiter: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)
    encoding: str = "utf-8"
    encoding_guessed: bool = False
    encoding_chosen: bool = False
    cut_short: int | None = None  # the last row's line, when the file stops inside it


def _cut_short(text: str, raw: list[list[str]], rows: list, width: int) -> int | None:
    """The line of a last row the file seems to stop in the middle of (as when
    it was truncated): no line ending after it, fewer cells than the header
    and than the row before it."""
    if not rows or text[-1:] in ("\r", "\n") or raw[-1] is not rows[-1][1]:
        return None
    line, last = rows[-1]
    if len(last) >= width or (len(rows) > 1 and len(last) >= len(rows[-2][1])):
        return None
    return line


def read_table(data: bytes, encoding: str | None = None) -> Table:
    """Decode, split and find the header row (the first of the top ten rows that
    names at least two of our fields, else the first non-empty row)."""
    decoded = read_text(data, encoding)
    text = decoded.text
    delimiter = sniff_delimiter(text)
    try:
        raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise Invalid({"file": f"The file is not valid CSV: {exc}."}) from None
    numbered = [(n, row) for n, row in enumerate(raw, start=1) if any(c.strip() for c in row)]
    if not numbered:
        raise Invalid({"file": "That file has no rows."})
    header_at = 0
    for i, (_, row) in enumerate(numbered[:10]):
        if len({guess_field(c) for c in row} - {""}) >= 2:
            header_at = i
            break
    headers = [c.strip() for c in numbered[header_at][1]]
    rows = numbered[header_at + 1 :]
    if not rows:
        raise Invalid({"file": "That file has a header row but no rows under it."})
    if len(rows) > rules.MAX_ROWS:
        raise Invalid({"file": rules.too_many_rows_words(len(rows))})
    table = Table(delimiter, headers, rows, decoded.encoding, decoded.guessed, decoded.chosen)
    table.cut_short = _cut_short(text, raw, rows, len(headers))
    return table


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


_MONEY_JUNK = re.compile(r"[^\d.,\-]")


def parse_cost(text: str) -> int:
    """Cents from "£1,234.50", "1.234,50 €", "EUR 12", "1 234,5"."""
    raw = text.strip()
    cleaned = _MONEY_JUNK.sub("", raw)
    if not cleaned or not re.search(r"\d", cleaned):
        raise ValueError(f"“{raw}” is not an amount.")
    if cleaned.startswith("-") and re.match(r"^[^\w]*-", raw):  # "LAP-0" is no amount
        raise ValueError(f"“{raw}”: a cost cannot be negative.")
    if "-" in cleaned:
        raise ValueError(f"“{raw}” is not an amount.")
    last_dot, last_comma = cleaned.rfind("."), cleaned.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        mark = "." if last_dot >= 0 else ","
        after = len(cleaned) - cleaned.rfind(mark) - 1
        # One mark with three digits after it groups thousands ("1,234", "1.234").
        decimal = "" if cleaned.count(mark) > 1 or after == 3 else mark
    else:
        decimal = ""
    whole, _, fraction = cleaned.rpartition(decimal) if decimal else (cleaned, "", "")
    grouped = re.fullmatch(r"\d+|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?:\.\d{3})+", whole)
    if not grouped or (decimal and not re.fullmatch(r"\d+", fraction)):
        raise ValueError(f"“{raw}” is not an amount.")
    digits = re.sub(r"[.,]", "", whole) + ("." + fraction if decimal else "")
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise ValueError(f"“{raw}” is not an amount.") from None
    if amount.as_tuple().exponent < -2:
        raise ValueError(f"“{raw}” has more than two decimal places.")
    if amount >= Decimal("1e10"):
        raise ValueError(f"“{raw}” is too large.")
    return int(amount * 100)


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
