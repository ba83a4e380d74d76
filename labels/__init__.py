"""The label engine: plain label data plus a format in, PDF bytes out.

It knows nothing of Flask or the database. Formats are data files in
labels/formats/; QR codes are vector paths from segno; WeasyPrint draws.
"""

from .formats import Format, FormatError, builtin
from .qr import qr_url, symbol
from .render import (
    MAX_LABELS,
    Label,
    TooManyLabels,
    calibration_pdf,
    calibration_svg,
    page_svgs,
    place,
    render_pdf,
)

__all__ = [
    "MAX_LABELS",
    "Format",
    "FormatError",
    "Label",
    "TooManyLabels",
    "builtin",
    "calibration_pdf",
    "calibration_svg",
    "page_svgs",
    "place",
    "qr_url",
    "render_pdf",
    "symbol",
]
