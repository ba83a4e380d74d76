"""QR codes as vector paths, and the URL a label carries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import segno

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
    mode: str
    error: str


def _finder_corners(width: int) -> tuple[tuple[int, int], ...]:
    return (0, 0), (width - 7, 0), (0, width - 7)


@lru_cache(maxsize=8192)
def symbol(data: str) -> Symbol:
    """Encode `data` at error-correction level M or better (segno raises it for
    free when the symbol has room) and trace it for drawing.

    Drawing cost grows with the number of path commands, so the three finder
    patterns are drawn as one square ring and one thick centre stroke each,
    and everything else as horizontal runs of dark modules.
    """
    qr = segno.make(data, error="m", micro=False)
    matrix = qr.matrix
    width = len(matrix)
    finders = _finder_corners(width)

    def in_finder(x: int, y: int) -> bool:
        return any(fx <= x < fx + 7 and fy <= y < fy + 7 for fx, fy in finders)

    q = QUIET_ZONE
    runs = [f"M{fx + q + 0.5} {fy + q + 0.5}h6v6h-6z" for fx, fy in finders]
    for y, row in enumerate(matrix):
        x = 0
        while x < width:
            if row[x] and not in_finder(x, y):
                start = x
                while x < width and row[x] and not in_finder(x, y):
                    x += 1
                runs.append(f"M{start + q} {y + q + 0.5}h{x - start}")
            else:
                x += 1
    eyes = "".join(f"M{fx + q + 2} {fy + q + 3.5}h3" for fx, fy in finders)
    return Symbol(
        path="".join(runs),
        eyes=eyes,
        size=width + 2 * q,
        version=qr.version,
        mode=qr.mode,
        error=qr.error,
    )
