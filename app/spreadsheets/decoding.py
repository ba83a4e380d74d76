"""Text decoding: an uploaded file's bytes to a table of rows, whatever its
encoding, line endings and delimiter; binary files and workbooks refused with
a message. Nothing here touches the database."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from ..errors import Invalid
from . import rules
from .headers import guess_field

DELIMITERS = (",", ";", "\t")

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
