"""QR data masks (labels/masking.py) and what the engine draws of a symbol.

The engine scores the eight data masks itself, because segno's module-by-module
evaluation was most of the time a label sheet took. These tests hold that
evaluation to segno's own: every mask's penalty score, the mask chosen and the
finished symbol must be segno's, on thousands of random contents. Then the SVG
path (the preview) and the PDF rectangles must draw exactly segno's dark modules.
"""

from __future__ import annotations

import random
import re

import pytest
import segno
from segno import encoder

import labels
from app.codes import ALPHABET
from labels import masking

QUIET = 2
URL_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def random_contents(count: int, seed: int) -> list[str]:
    """Mostly label URLs, as printed; then alphanumeric, byte-mode and long numeric
    text, which reach the versions (7 and up) that carry version information."""
    rnd = random.Random(seed)
    out = []
    for n in range(count):
        kind = n % 20
        if kind < 12:
            host = "".join(rnd.choice(URL_CHARS[:36] + ".-") for _ in range(rnd.randint(1, 30)))
            code = "".join(rnd.choice(ALPHABET) for _ in range(6))
            out.append(labels.qr_url(f"http://{host}", rnd.choice("AL"), code))
        elif kind < 16:
            out.append("".join(rnd.choice(URL_CHARS) for _ in range(rnd.randint(1, 80))))
        elif kind < 19:
            text = "abcdefghijklmnopqrstuvwxyzé/:.?=&-_ "
            out.append("".join(rnd.choice(text) for _ in range(rnd.randint(1, 40))))
        else:
            out.append("".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 400))))
    return out


def rows_of(qr) -> list[bytes]:
    return [bytes(row).translate(masking.DIGITS) for row in qr.matrix]


@pytest.mark.slow  # thousands of symbols; every mask is still checked above
def test_mask_and_symbol_are_segnos_on_thousands_of_random_contents():
    """segno's full evaluation and ours choose the same mask and so build the same
    symbol, module for module, for 2,000 contents of versions 1 to 9."""
    contents = random_contents(2000, seed=18004)
    versions = set()
    for data in contents:
        reference = segno.make(data, error="m", micro=False)
        rows, version, mode, error, mask = masking.encode(data)
        assert (mask, version, mode, error) == (
            reference.mask,
            reference.version,
            reference.mode,
            reference.error,
        ), data
        assert rows == rows_of(reference), data
        versions.add(version)
    assert versions >= set(range(1, 9))  # version information appears from 7 up


def test_every_mask_scores_as_segno_scores_it():
    """Not only the winner: each of the eight masked matrices gets segno's penalty."""
    for data in random_contents(300, seed=7):
        qr = segno.make(data, error="m", micro=False, mask=0)
        shape = masking.layout(qr.version)
        width = shape.width
        scored = int.from_bytes(masking.as_text(qr.matrix), "big") & ~shape.reserved
        for flip in shape.flips:
            masked = scored ^ flip
            text = masked.to_bytes(2 * width * (width + 1), "big")
            matrix = [bytearray(b - 48 for b in line) for line in text.split(b"\n")[:width]]
            expected = sum(encoder.mask_scores(matrix, width, width))
            assert masking.penalty(masked, width) == expected, data


def test_masks_follow_the_standard_table():
    """The eight patterns of ISO/IEC 18004 Table 10, as segno defines them too."""
    theirs = encoder.get_data_mask_functions(is_micro=False)
    for ours, reference in zip(masking.MASKS, theirs, strict=True):
        for i in range(30):
            for j in range(30):
                assert bool(ours(i, j)) == bool(reference(i, j))


def dark_modules(data: str) -> set[tuple[int, int]]:
    """segno's dark modules as (x, y) in the engine's module grid (quiet zone included)."""
    qr = segno.make(data, error="m", micro=False)
    return {
        (x + QUIET, y + QUIET)
        for y, row in enumerate(qr.matrix)
        for x, dark in enumerate(row)
        if dark
    }


def path_modules(path: str, stroke: float) -> set[tuple[int, int]]:
    """Modules whose centres a stroked path of M/h/v/z commands (butt caps) covers."""
    covered, x, y, sx, sy = set(), 0.0, 0.0, 0.0, 0.0
    for op, args in re.findall(r"([Mhvz])([-\d. ]*)", path):
        values = [float(v) for v in args.split()]
        if op == "M":
            x, y = sx, sy = values
            continue
        old = x, y
        x, y = (x + values[0], y) if op == "h" else (x, y + values[0]) if op == "v" else (sx, sy)
        half = stroke / 2
        x0, x1 = sorted((old[0], x))
        y0, y1 = sorted((old[1], y))
        if y0 == y1:
            y0, y1 = y0 - half, y1 + half
        else:
            x0, x1 = x0 - half, x1 + half
        covered |= {
            (i, j)
            for i in range(int(x0), int(x1) + 1)
            for j in range(int(y0), int(y1) + 1)
            if x0 <= i + 0.5 <= x1 and y0 <= j + 0.5 <= y1
        }
    return covered


def rect_modules(rects: str) -> set[tuple[int, int]]:
    """Modules inside an odd number of the `x y w h re` rectangles (even-odd fill)."""
    inside: set[tuple[int, int]] = set()
    for x, y, w, h in re.findall(r"(\d+) (\d+) (\d+) (\d+) re", rects):
        x, y, w, h = int(x), int(y), int(w), int(h)
        inside ^= {(i, j) for i in range(x, x + w) for j in range(y, y + h)}
    assert len(re.findall(r" re", rects)) == len(re.findall(r"(\d+) (\d+) (\d+) (\d+) re", rects))
    return inside


@pytest.mark.parametrize(
    "data", random_contents(60, seed=3) + ["HTTP://192.168.1.20:8080/A/7K3M9Q"]
)
def test_the_preview_path_and_the_pdf_rectangles_draw_segnos_modules(data):
    sym = labels.symbol(data)
    expected = dark_modules(data)
    assert path_modules(sym.path, 1.0) | path_modules(sym.eyes, 3.0) == expected
    assert rect_modules(sym.rects) == expected
    assert sym.size == len(segno.make(data, error="m", micro=False).matrix) + 2 * QUIET
