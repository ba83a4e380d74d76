"""The label engine: plain label data plus a format in, PDF bytes out.

It knows nothing of Flask or the database. Formats are data files in
labels/formats/; QR codes are vector paths from segno; WeasyPrint draws.
"""

from .calibration import calibration_pdf, calibration_svg
from .formats import Format, FormatError, builtin
from .layout import SMALL_MODULE_MM, Fit, Label, fit, module_mm, qr_box
from .qr import qr_url, symbol
from .render import MAX_LABELS, TooManyLabels, page_svgs, place, render_pdf

__all__ = [
    "MAX_LABELS",
    "SMALL_MODULE_MM",
    "Fit",
    "Format",
    "FormatError",
    "Label",
    "TooManyLabels",
    "builtin",
    "calibration_pdf",
    "calibration_svg",
    "fit",
    "module_mm",
    "page_svgs",
    "place",
    "qr_box",
    "qr_url",
    "render_pdf",
    "symbol",
]
