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
from .qr import symbol

MAX_LABELS = 2000  # per request: more is refused with a message, not queued


class TooManyLabels(ValueError):
    pass


@dataclass(frozen=True)
class Label:
    """What one label shows. `url` goes into the QR; `code` is printed large;
    `tag` is an older identifier (an external asset tag) printed small."""

    url: str
    code: str
    name: str = ""
    tag: str = ""


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


def _text(x, y, size, content, family=text.SANS, bold=False, anchor="start") -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" font-family="{family}"'
        f'{weight} text-anchor="{anchor}">{escape(content)}</text>'
    )


def _qr_box(fmt: Format) -> tuple[float, float]:
    """The QR's inset from the label's top-left corner and its side, in mm."""
    w, h = fmt.label_width_mm, fmt.label_height_mm
    # Keep clear of the edge: die-cut labels shift a little, and label
    # printers cannot print the outer ~1.5 mm of the tape.
    inset = 1.5 if fmt.roll else max(0.6, min(1.2, h * 0.04))
    # A QR of ~45 % of the width scans easily and leaves the text room to breathe.
    return inset, min(h - 2 * inset, w * 0.45 if fmt.layout == "wide" else w - 2 * inset)


def draw_label(label: Label, fmt: Format, org_line: str = "", qr: bool = True) -> str:
    """SVG for one label, in mm, with its top-left corner at the origin; without
    the QR code when `qr` is false (the PDF draws it itself, see labels.pdf)."""
    w, h = fmt.label_width_mm, fmt.label_height_mm
    inset, q = _qr_box(fmt)
    parts = []
    if qr:
        sym = symbol(label.url)
        parts.append(
            f'<g transform="translate({_n(inset)} {_n(inset)}) scale({_n(q / sym.size)})" '
            f'fill="none" stroke="#000"><path stroke-width="1" d="{sym.path}"/>'
            f'<path stroke-width="3" d="{sym.eyes}"/></g>'
        )
    x0 = inset + q + max(0.8, h * 0.03)
    room = w - x0 - inset
    code = label.code if len(label.code) != 6 else f"{label.code[:3]}-{label.code[3:]}"
    code_size = min(
        h * (0.42 if fmt.layout == "tiny" else 0.24),
        room / (text.width(code, 1.0, text.MONO, True) or 1),
    )
    if room < 4 or code_size < 1.2:
        return "".join(parts)  # too narrow for text: the QR alone
    if fmt.layout == "tiny":
        parts.append(_text(x0, h / 2 + code_size * 0.36, code_size, code, text.MONO, True))
        return "".join(parts)
    y = inset + code_size * 0.95
    parts.append(_text(x0, y, code_size, code, text.MONO, True))
    name_size = min(h * 0.13, 3.6, code_size * 0.8)
    tag_size = min(name_size * 0.85, 3.0)
    tag_room = tag_size * 1.4 if label.tag else 0
    if label.name:
        tall = h - y > name_size * 5.5 + (4 if org_line else 0) + tag_room
        for line in text.wrap(label.name, name_size, room, 2 if tall else 1):
            y += name_size * 1.3
            parts.append(_text(x0, y, name_size, line))
    floor = h - inset  # the lowest baseline the tag line may take
    if org_line and h >= 25:  # below that, 2 mm type is barely legible: QR, code, name
        org_size = min(h * 0.095, 2.6, name_size * 0.85)
        lines = text.wrap(org_line, org_size, room, 2 if h - y > org_size * 3.2 + tag_room else 1)
        base = h - inset - org_size * 0.25 - (len(lines) - 1) * org_size * 1.2
        floor = base - org_size * 1.1
        for i, line in enumerate(lines):
            parts.append(_text(x0, base + i * org_size * 1.2, org_size, line))
    if label.tag and y + tag_size * 1.35 <= floor:  # only where it fits: never over other text
        tag = text.fit(label.tag, tag_size, room, text.MONO)
        parts.append(_text(x0, y + tag_size * 1.35, tag_size, tag, text.MONO))
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
    inset, side = _qr_box(fmt)
    placements = place(fmt, len(run), start, nudge)
    pages: list[list[tuple]] = [[] for _ in range(placements[-1].page + 1)]
    for label, spot in zip(run, placements, strict=True):
        sym = symbol(label.url)
        x, y = float(_n(spot.x)) + float(_n(inset)), float(_n(spot.y)) + float(_n(inset))
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


def _ruler(
    length: float,
    unit: float,
    every: int,
    label_every: int,
    horizontal: bool,
    offset: float,
    suffix: str,
) -> str:
    """Tick marks along one edge: a tick each `unit` mm, longer each `every`, numbered."""
    out, n = [], 0
    while n * unit <= length + 0.001:
        pos = n * unit
        tick = 4.0 if n % label_every == 0 else 2.5 if n % every == 0 else 1.2
        if horizontal:
            out.append(
                f'<line x1="{_n(pos)}" y1="{_n(offset)}" x2="{_n(pos)}" '
                f'y2="{_n(offset + tick)}" stroke="#000" stroke-width="0.15"/>'
            )
            if n % label_every == 0 and n:
                out.append(_text(pos + 0.4, offset + 6.5, 2.2, f"{n // label_every}{suffix}"))
        else:
            out.append(
                f'<line x1="{_n(offset)}" y1="{_n(pos)}" x2="{_n(offset + tick)}" '
                f'y2="{_n(pos)}" stroke="#000" stroke-width="0.15"/>'
            )
            if n % label_every == 0 and n:
                out.append(_text(offset + 5, pos + 0.8, 2.2, f"{n // label_every}{suffix}"))
        n += 1
    return "".join(out)


def calibration_svg(fmt: Format, nudge=(0.0, 0.0)) -> str:
    """Label outlines where the labels will print, with mm and inch rulers."""
    w, h = fmt.page_width_mm, fmt.page_height_mm
    cells = [(fmt.left_mm, fmt.top_mm)] if fmt.roll else [fmt.cell(i) for i in range(fmt.per_page)]
    parts = [_outline(fmt, x + nudge[0], y + nudge[1], stroke="#000") for x, y in cells]
    parts.append(_ruler(w, 1.0, 5, 10, True, 0, "cm"))
    parts.append(_ruler(h, 1.0, 5, 10, False, 0, "cm"))
    parts.append(_ruler(w, 25.4 / 8, 4, 8, True, h - 7, "in"))
    parts.append(_ruler(h, 25.4 / 8, 4, 8, False, w - 7, "in"))
    size = min(3.0, h * 0.08)
    # What to do comes first, so that a narrow roll still shows it.
    note = (
        f"Print at 100 % (actual size). Nudge x {nudge[0]:+.1f} mm, "
        f"y {nudge[1]:+.1f} mm. {fmt.title}"
    )
    for i, line in enumerate(text.wrap(note, size, w - 16, 3)):
        parts.append(
            _text(w / 2, min(h / 2, 12 + size) + i * size * 1.25, size, line, anchor="middle")
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(w)}mm" height="{_n(h)}mm" '
        f'viewBox="0 0 {_n(w)} {_n(h)}">{"".join(parts)}</svg>'
    )


def calibration_pdf(fmt: Format, nudge=(0.0, 0.0)) -> bytes:
    return _pdf(iter([calibration_svg(fmt, nudge)]), fmt)
