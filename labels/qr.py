"""QR codes as vector paths, and the URL a label carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from . import masking

QUIET_ZONE = 2  # modules of white kept around the symbol, inside the label edge


def qr_url(public_url: str, kind: str, code: str) -> str:
    """`{PUBLIC_URL}/A/{CODE}` in upper case, so the QR can use alphanumeric mode.

    Scheme and host ignore case, and so do the app's /A/ and /L/ routes; a path
    prefix (e.g. a proxy at /Tags/) may not, so it is kept exactly as configured.
    """
    parts = urlsplit(public_url.strip().rstrip("/"))
    base = f"{parts.scheme.upper()}://{parts.netloc.upper()}{parts.path}"
    return f"{base}/{kind.upper()}/{code.upper()}"


@dataclass(frozen=True)
class Symbol:
    path: str  # SVG path data in modules: stroked runs and finder rings, stroke width 1
    eyes: str  # the three finder centres, stroke width 3
    size: int  # modules across, quiet zone included
    version: int
    mode: str | None  # None when segno mixes modes in one symbol
    error: str
    rects: str  # the same dark modules as PDF rectangles (`re`), to fill even-odd


def _finder_corners(width: int) -> tuple[tuple[int, int], ...]:
    return (0, 0), (width - 7, 0), (0, width - 7)


DARK_RUN = re.compile(rb"1+")


@lru_cache(maxsize=8192)
def symbol(data: str) -> Symbol:
    """Encode `data` at error-correction level M or better (segno raises it for
    free when the symbol has room) with the best data mask, and trace it for
    drawing.

    Drawing cost grows with the number of path commands, so the three finder
    patterns are drawn as one square ring and one thick centre stroke each,
    and everything else as horizontal runs of dark modules. The PDF draws the
    same modules as rectangles: each run, and each finder as three nested
    squares.
    """
    rows, version, mode, error, _ = masking.encode(data)
    width = len(rows)
    finders = _finder_corners(width)
    q = QUIET_ZONE
    runs = [f"M{fx + q + 0.5} {fy + q + 0.5}h6v6h-6z" for fx, fy in finders]
    # Ring and centre as three nested squares: even-odd filling leaves the gap white.
    rects = [
        f"{x + q + d} {y + q + d} {7 - 2 * d} {7 - 2 * d} re" for x, y in finders for d in (0, 1, 2)
    ]
    blank = b"0" * 7
    for y, row in enumerate(rows):
        if y < 7:  # the finders' rows are traced without them
            row = blank + row[7:-7] + blank
        elif y >= width - 7:
            row = blank + row[7:]
        for run in DARK_RUN.finditer(row):
            start, end = run.span()
            runs.append(f"M{start + q} {y + q + 0.5}h{end - start}")
            rects.append(f"{start + q} {y + q} {end - start} 1 re")
    eyes = "".join(f"M{fx + q + 2} {fy + q + 3.5}h3" for fx, fy in finders)
    return Symbol(
        path="".join(runs),
        eyes=eyes,
        size=width + 2 * q,
        version=version,
        mode=mode,
        error=error,
        rects=" ".join(rects),
    )
