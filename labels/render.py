"""Label sheets to PDF: one vector SVG per page, drawn by WeasyPrint.

Each page is a single SVG holding every label's QR path and text (the
on-screen preview shows it as it is). WeasyPrint lays out one box per page
instead of several per label; for the PDF the QR codes are left out of the
SVG and written as rectangles straight into the page (labels.pdf), which
keeps a 1,000-label sheet within a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import escape

from . import pdf, text
from .formats import Format
from .layout import Label, plan, qr_box
from .qr import symbol

MAX_LABELS = 2000  # per request: more is refused with a message, not queued


class TooManyLabels(ValueError):
    pass


@dataclass(frozen=True)
class Placement:
    page: int
    x: float  # mm from the page's left edge, nudge included
    y: float


def place(fmt: Format, count: int, start: int = 1, nudge=(0.0, 0.0)) -> list[Placement]:
    """Where `count` labels go, skipping the first `start - 1` cells of a part-used
    sheet. Rolls put one label on each page."""
    if fmt.roll:
        return [
            Placement(page, fmt.left_mm + nudge[0], fmt.top_mm + nudge[1]) for page in range(count)
        ]
    if not 1 <= start <= fmt.per_page:
        raise ValueError(f"Start position must be 1–{fmt.per_page}.")
    out = []
    for n in range(start - 1, start - 1 + count):
        page, index = divmod(n, fmt.per_page)
        x, y = fmt.cell(index)
        out.append(Placement(page, x + nudge[0], y + nudge[1]))
    return out


def _n(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _text(x, y, size, content, family=text.SANS, bold=False, anchor="start", **attrs) -> str:
    weight = ' font-weight="bold"' if bold else ""
    extra = "".join(f' {key.rstrip("_")}="{value}"' for key, value in attrs.items() if value)
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" font-family="{family}"'
        f'{weight} text-anchor="{anchor}"{extra}>{escape(content)}</text>'
    )


def draw_label(label: Label, fmt: Format, org_line: str = "", qr: bool = True) -> str:
    """SVG for one label, in mm, with its top-left corner at the origin; without
    the QR code when `qr` is false (the PDF draws it itself, see labels.pdf)."""
    parts = []
    if qr:
        sym = symbol(label.url)
        x, y, side = qr_box(fmt, sym.size)
        parts.append(
            f'<g transform="translate({_n(x)} {_n(y)}) scale({_n(side / sym.size)})" '
            f'fill="none" stroke="#000"><path stroke-width="1" d="{sym.path}"/>'
            f'<path stroke-width="3" d="{sym.eyes}"/></g>'
        )
    drawing = plan(label, fmt, org_line)
    for bx, by, bw, bh in drawing.bands:
        parts.append(
            f'<rect class="band" x="{_n(bx)}" y="{_n(by)}" width="{_n(bw)}" height="{_n(bh)}" '
            f'fill="#000"/>'
        )
    for line in drawing.lines:
        fill = line.fill if line.fill != "#000" else ""
        parts.append(
            _text(
                line.x,
                line.y,
                line.size,
                line.text,
                line.family,
                line.bold,
                class_=line.role,
                fill=fill,
            )
        )
    return "".join(parts)


def _outline(fmt: Format, x: float, y: float, stroke="#999") -> str:
    r = _n(fmt.corner_radius_mm)
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(fmt.label_width_mm)}" '
        f'height="{_n(fmt.label_height_mm)}" rx="{r}" ry="{r}" fill="none" '
        f'stroke="{stroke}" stroke-width="0.2"/>'
    )


def page_svgs(
    labels: Sequence[Label],
    fmt: Format,
    *,
    start: int = 1,
    nudge=(0.0, 0.0),
    org_line: str = "",
    outlines: bool = False,
    qr: bool = True,
) -> Iterator[str]:
    """One SVG document (in mm) per page; `qr=False` leaves the QR codes out."""
    placements = place(fmt, len(labels), start, nudge)
    pages = (placements[-1].page + 1) if placements else 1
    drawn = {}
    by_page: list[list[str]] = [[] for _ in range(pages)]
    if outlines and not fmt.roll:
        for page in range(pages):
            by_page[page] += [
                _outline(fmt, *fmt.cell(i), stroke="#ccc") for i in range(fmt.per_page)
            ]
    for label, spot in zip(labels, placements, strict=True):
        if label not in drawn:  # copies of one label share the drawing
            drawn[label] = draw_label(label, fmt, org_line, qr)
        by_page[spot.page].append(
            f'<g transform="translate({_n(spot.x)} {_n(spot.y)})">{drawn[label]}</g>'
        )
    w, h = _n(fmt.page_width_mm), _n(fmt.page_height_mm)
    for parts in by_page:
        yield (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" '
            f'viewBox="0 0 {w} {h}">{"".join(parts)}</svg>'
        )


def _pdf(svgs: Iterator[str], fmt: Format, qr_pages: Sequence[bytes] = ()) -> bytes:
    """WeasyPrint draws the page SVGs; `qr_pages` (PDF content, one per page) is
    drawn under each page's own content (labels.pdf)."""
    return pdf.write(svgs, _n(fmt.page_width_mm), _n(fmt.page_height_mm), qr_pages)


def _qr_pages(run: Sequence[Label], fmt: Format, start: int, nudge) -> list[bytes]:
    """Each page's QR codes as PDF content, placed exactly as draw_label places
    them in the SVG (the same rounded numbers)."""
    placements = place(fmt, len(run), start, nudge)
    pages: list[list[tuple]] = [[] for _ in range(placements[-1].page + 1)]
    for label, spot in zip(run, placements, strict=True):
        sym = symbol(label.url)
        qx, qy, side = qr_box(fmt, sym.size)
        x, y = float(_n(spot.x)) + float(_n(qx)), float(_n(spot.y)) + float(_n(qy))
        pages[spot.page].append((x, y, float(_n(side / sym.size)), sym.rects))
    return [pdf.qr_content(float(_n(fmt.page_height_mm)), symbols) for symbols in pages]


def render_pdf(
    labels: Sequence[Label],
    fmt: Format,
    *,
    start: int = 1,
    copies: int = 1,
    nudge=(0.0, 0.0),
    org_line: str = "",
) -> bytes:
    """A PDF of `labels` (each `copies` times) laid out on `fmt`.

    The QR codes go straight into the PDF (labels.pdf) rather than through
    WeasyPrint's SVG renderer, which spent most of a big sheet's time parsing
    and writing their paths; the text is drawn by WeasyPrint from the page SVGs.
    """
    if not 1 <= copies <= 100:
        raise ValueError("Copies must be 1–100.")
    run = [label for label in labels for _ in range(copies)]
    if len(run) > MAX_LABELS:
        raise TooManyLabels(
            f"{len(run)} labels is more than {MAX_LABELS} in one go; print them in smaller batches."
        )
    if not run:
        raise ValueError("There are no labels to print.")
    svgs = page_svgs(run, fmt, start=start, nudge=nudge, org_line=org_line, qr=False)
    return _pdf(svgs, fmt, _qr_pages(run, fmt, start, nudge))
