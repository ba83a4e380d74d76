"""QR data masks chosen the way segno chooses them, at a fraction of the cost.

A conforming encoder tries all eight data masks and keeps the one with the
lowest penalty score (ISO/IEC 18004:2015, 7.8.3). segno does this one module
at a time in Python, which made it most of the time a label sheet took. Here
segno still encodes the symbol (once, with mask 0 fixed) and the same four
penalty rules are scored over whole rows and columns at once: the symbol's
rows and columns are held as one line of text each (a byte per module), so a
mask is one XOR of big integers, and the rules become shifts of those
integers, `bytes.count` and `bytes.find`.

The score follows segno's own evaluation to the letter, including which
modules are scored (format and version areas as light) and how overlapping
1:1:3:1:1 patterns are counted, so the choice is segno's. The tests hold every
mask's score, the chosen mask and the finished matrix against segno on
thousands of random contents.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import segno
from segno import encoder

MASKS = (  # ISO/IEC 18004:2015 Table 10; i is the row, j the column
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)
FINDER_LIKE = b"1011101"  # dark:light:dark:dark:dark:light:dark, rule N3
DIGITS = bytes.maketrans(b"\x00\x01", b"01")


@dataclass(frozen=True)
class Layout:
    """What a symbol of one version looks like to the mask evaluation.

    The text of a symbol is its rows, then its columns, each followed by a
    newline: one byte "0" or "1" per module. The integers below act on that
    text read as one big-endian number, 0x01 at each module they touch.
    """

    width: int
    reserved: int  # format and version information and the dark module: light while scored
    flips: tuple[int, ...]  # per mask: the modules where it differs from mask 0


def _bits(width: int, cells: set[tuple[int, int]]) -> int:
    """The 0x01 bytes of `cells` (row, column) in a symbol's text, as an integer."""
    line = width + 1
    offsets = [i * line + j for i, j in cells] + [(width + j) * line + i for i, j in cells]
    text = bytearray(2 * width * line)
    for offset in offsets:
        text[offset] = 1
    return int.from_bytes(text, "big")


@lru_cache(maxsize=64)
def layout(version: int) -> Layout:
    """Where the data modules and the reserved areas of a symbol of `version` are.

    The function patterns are placed by segno's own helpers, as its mask
    evaluation places them, so both agree on which modules a mask touches.
    """
    width = 17 + 4 * version
    functions = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(functions, width, width)
    encoder.add_alignment_patterns(functions, width, width)
    functions[-8][8] = 0x1  # the dark module
    data = {(i, j) for i in range(width) for j in range(width) if functions[i][j] > 0x1}
    # Format and version areas, before timing is drawn (it crosses them at two modules).
    areas = encoder.make_matrix(width, width, add_timing=False)
    reserved = {
        (i, j) for i in range(width) for j in range(width) if areas[i][j] == 0x0 and 6 not in (i, j)
    }
    flips = tuple(
        _bits(width, {(i, j) for i, j in data if mask(i, j) != MASKS[0](i, j)}) for mask in MASKS
    )
    return Layout(width, _bits(width, reserved), flips)


def as_text(matrix) -> bytes:
    """A matrix (rows of 0/1 bytes) as rows then columns of "0"/"1", newline-ended."""
    rows = [bytes(row).translate(DIGITS) for row in matrix]
    columns = [bytes(column) for column in zip(*rows, strict=True)]
    return b"\n".join(rows + columns) + b"\n"


def _finder_like(text: bytes, width: int) -> int:
    """Rule N3 as segno counts it, line by line: a 1:1:3:1:1 pattern scores 40
    when it touches an edge or has four light modules on either side; after a
    scoring match the search resumes past it, otherwise at its middle."""
    line, score = width + 1, 0
    found = text.find(FINDER_LIKE)
    while found != -1:
        start = found - found % line  # the line's first module
        at = found - start
        resume = found + 7
        if (
            at in (0, width - 7)
            or b"1" not in text[start + max(at - 4, 0) : found]
            or b"1" not in text[found + 7 : start + min(at + 11, width)]
        ):
            score += 40
        else:
            resume = found + 4
        found = text.find(FINDER_LIKE, resume)
    return score


def penalty(masked: int, width: int) -> int:
    """The penalty score (N1 + N2 + N3 + N4) of a symbol's text given as an integer."""
    half = width * (width + 1)
    text = masked.to_bytes(2 * half, "big")
    # N1: each run of 5 + k modules of one colour scores 3 + k. A zero byte in
    # `same` marks a module equal to the one before it on its line (a newline
    # never equals a module), so a run of length L holds L - 4 windows of four
    # zeros and L - 5 windows of five: the score is 3 × fours - 2 × fives.
    same = masked ^ (masked >> 8)
    four = same | (same >> 8) | (same >> 16) | (same >> 24)
    fours = four.to_bytes(2 * half, "big").count(0)
    fives = (four | (same >> 32)).to_bytes(2 * half, "big").count(0)
    n1 = 3 * fours - 2 * fives
    # N2: each 2 × 2 block of one colour scores 3. A zero byte in `blocks` marks
    # a module equal to the one above it, to its left and above-left; newlines
    # and the top row never compare equal, so only whole blocks inside count.
    rows = masked >> (8 * half)
    above = rows ^ (rows >> (8 * (width + 1)))
    blocks = above | (above >> 8) | (rows ^ (rows >> 8))
    n2 = 3 * blocks.to_bytes(half, "big").count(0)
    n3 = _finder_like(text, width)
    dark = text.count(b"1", 0, half)
    n4 = 10 * int(abs(float(dark) / width**2 * 100 - 50) / 5)
    return n1 + n2 + n3 + n4


_RESERVED_DARK: dict[tuple[int, str, int], int] = {}


def _reserved_dark(version: int, error: str, mask: int, data: str) -> int:
    """The dark modules of the format and version information, which depend only
    on the version, error level and mask: taken from segno, encoding `data` with
    that mask the first time each combination is needed."""
    key = version, error, mask
    if key not in _RESERVED_DARK:
        qr = segno.make(data, error="m", micro=False, mask=mask)
        assert (qr.version, qr.error) == (version, error)
        matrix = int.from_bytes(as_text(qr.matrix), "big")
        _RESERVED_DARK[key] = matrix & layout(version).reserved
    return _RESERVED_DARK[key]


def encode(data: str) -> tuple[list[bytes], int, str | None, str, int]:
    """Encode `data` at level M or better with the best data mask.

    Returns the rows as b"0"/b"1" text, the version, mode, error level and mask.
    """
    qr = segno.make(data, error="m", micro=False, mask=0)
    version, error = qr.version, qr.error
    assert isinstance(version, int) and error is not None  # micro=False: never "M1".."M4"
    shape = layout(version)
    width = shape.width
    scored = int.from_bytes(as_text(qr.matrix), "big") & ~shape.reserved
    scores = [penalty(scored ^ flip, width) for flip in shape.flips]
    best = scores.index(min(scores))  # the first of equals, as segno takes it
    final = (scored ^ shape.flips[best]) | _reserved_dark(version, error, best, data)
    half = width * (width + 1)
    rows = final.to_bytes(2 * half, "big")[: half - 1].split(b"\n")
    return rows, version, qr.mode, error, best
