"""Fitting text on a label: exact widths from the font that will be drawn.

Pango finds fonts through fontconfig, so we ask fontconfig for the same file
and read its advance widths with fontTools (a WeasyPrint dependency). If
either is missing we fall back to a deliberately wide estimate, so text may
be cut a little early but never runs off the label.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

ELLIPSIS = "…"
SANS = "DejaVu Sans"
MONO = "DejaVu Sans Mono"


@lru_cache(maxsize=8)
def _advances(family: str, bold: bool) -> tuple[dict[int, float], float] | None:
    """Advance widths in em by code point, and the widest, for a font family."""
    if shutil.which("fc-match") is None:
        return None
    pattern = f"{family}:bold" if bold else family
    try:
        path = subprocess.run(
            ["fc-match", pattern, "--format=%{file}"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        from fontTools.ttLib import TTFont

        font = TTFont(path, lazy=True)
        per_em = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        widths = {cp: metrics[name][0] / per_em for cp, name in font.getBestCmap().items()}
        font.close()
    except (OSError, subprocess.SubprocessError, KeyError, ImportError):
        return None
    return widths, max(widths.values(), default=1.0)


def width(text: str, size: float, family: str = SANS, bold: bool = False) -> float:
    """The width of `text` at font size `size` (same unit as the result)."""
    table = _advances(family, bold)
    if table is None:
        return len(text) * size * 0.75  # generous: no real glyph is this wide on average
    widths, widest = table
    return sum(widths.get(ord(ch), widest) for ch in text) * size


def _printable(ch: str) -> bool:
    # XML 1.0 cannot hold C0 controls, surrogates, U+FFFE or U+FFFF: a page SVG
    # with one would not parse, and the page would print blank.
    if ch < " ":
        return ch in "\t\n"
    return ch != "\x7f" and not "\ud800" <= ch <= "\udfff" and ch not in "\ufffe\uffff"


def clean(text: str) -> str:
    """One line of printable text: control characters and what else XML cannot
    hold dropped, runs of white space made one space."""
    return " ".join("".join(filter(_printable, text)).split())


def fit(text: str, size: float, room: float, family: str = SANS, bold: bool = False) -> str:
    """`text` as it fits in `room`: whole if it fits, else cut with an ellipsis."""
    text = clean(text)
    if width(text, size, family, bold) <= room:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if width(text[:mid].rstrip() + ELLIPSIS, size, family, bold) <= room:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ELLIPSIS if low else ""


def wrap(text: str, size: float, room: float, lines: int, family: str = SANS) -> list[str]:
    """Up to `lines` lines of `text` broken at spaces (a word too long for a line
    anywhere); the last one cut if needed."""
    words = clean(text).split(" ")
    out: list[str] = []
    while words and len(out) < lines - 1:
        line = words.pop(0)
        if width(line, size, family) > room:  # a word longer than a line goes on over two
            n = len(line) - 1
            while n > 1 and width(line[:n], size, family) > room:
                n -= 1
            words.insert(0, line[n:])
            line = line[:n]
        while words and width(f"{line} {words[0]}", size, family) <= room:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words:
        out.append(fit(" ".join(words), size, room, family))
    return [line for line in out if line]
