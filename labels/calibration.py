"""The calibration page: label outlines where the labels will print, with mm and
inch rulers along the edges and a note saying how to print it.

Nothing written on it may touch an outline, or the page would not show where
the labels sit: ruler ticks and numbers keep to the strip between the page edge
and the first outline, and the note goes in the free band above or below the
grid (on a roll, whose label is the page, inside the rulers).
"""

from __future__ import annotations

from . import text
from .formats import Format
from .render import _n, _outline, _pdf, _text

RULER_MM = 4.0  # the depth of the ruler strips where the margin allows
CLEAR = 0.6  # kept between anything written and an outline


def _strips(fmt: Format, boxes: list[tuple[float, float, float, float]]) -> dict[str, float]:
    """How deep each edge's ruler may reach without touching an outline."""
    if fmt.roll:  # the outline is the page's edge: the rulers lie inside it
        return dict.fromkeys(("top", "left", "bottom", "right"), RULER_MM)
    w, h = fmt.page_width_mm, fmt.page_height_mm
    room = {
        "top": min(b[1] for b in boxes),
        "left": min(b[0] for b in boxes),
        "bottom": h - max(b[3] for b in boxes),
        "right": w - max(b[2] for b in boxes),
    }
    return {edge: max(1.5, min(RULER_MM, space - CLEAR)) for edge, space in room.items()}


def _ruler(length: float, unit: float, every: int, numbered: int, edge: str, depth: float, fmt):
    """Ticks along one edge, from the page edge inwards: each `unit` mm, longer each
    `every`, longest and numbered each `numbered`. Numbers sit beside the longest
    tick, clear of the shorter ones (which reach 30 % and 60 % of the strip)."""
    w, h = fmt.page_width_mm, fmt.page_height_mm
    unit_name = "cm" if unit == 1.0 else "in"
    widest = text.width(str(int(length / unit / numbered)), 1.0)
    size = min(2.0, (depth * 0.68 - 0.3) / max(widest, 0.6), depth * 0.55)
    if edge in ("top", "bottom"):  # between the page edge's mid ticks and the strip's end
        size = min(size, (depth * 0.4 - 0.3) / 0.73)
    out, n = [], 0
    while n * unit <= length + 0.001:
        pos = n * unit
        tick = depth if n % numbered == 0 else depth * 0.6 if n % every == 0 else depth * 0.3
        a, b = (0.0, tick) if edge in ("top", "left") else (-tick, 0.0)
        base = 0.0 if edge in ("top", "left") else (h if edge == "bottom" else w)
        if edge in ("top", "bottom"):
            out.append(_line(pos, base + a, pos, base + b))
        else:
            out.append(_line(base + a, pos, base + b, pos))
        if n % numbered == 0 and n and pos + 3 < length:
            label = str(n // numbered) + (
                f" {unit_name}" if n == numbered and edge in ("top", "bottom") else ""
            )
            # Beside the tick, in the inner part of the strip the short ticks leave free.
            inner = depth * 0.3 + 0.25
            if edge == "top":
                out.append(_text(pos + 0.5, depth - 0.1, size, label, class_="ruler"))
            elif edge == "bottom":
                out.append(
                    _text(pos + 0.5, h - depth + 0.1 + size * 0.73, size, label, class_="ruler")
                )
            elif edge == "left":
                out.append(_text(inner, pos + 0.5 + size * 0.73, size, label, class_="ruler"))
            else:
                out.append(
                    _text(
                        w - inner,
                        pos + 0.5 + size * 0.73,
                        size,
                        label,
                        anchor="end",
                        class_="ruler",
                    )
                )
        n += 1
    return "".join(out)


def _line(x1, y1, x2, y2) -> str:
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="#000" stroke-width="0.15"/>'
    )


def _free_bands(fmt, boxes, strips) -> list[tuple[float, float, float, float]]:
    """Boxes (x0, y0, x1, y1) where the note may go, largest first."""
    w, h = fmt.page_width_mm, fmt.page_height_mm
    x0, x1 = strips["left"] + 1.0, w - strips["right"] - 1.0
    if fmt.roll:  # inside the rulers and inside the (nudged) label, clear of its corners
        (bx0, by0, bx1, by1), r = boxes[0], fmt.corner_radius_mm * 0.3
        return [
            (
                max(x0, bx0 + 1.0) + r,
                max(strips["top"], by0) + CLEAR,
                min(x1, bx1 - 1.0) - r,
                min(h - strips["bottom"], by1) - CLEAR,
            )
        ]
    above = (x0, strips["top"] + 0.4, x1, min(b[1] for b in boxes) - CLEAR)
    below = (x0, max(b[3] for b in boxes) + CLEAR, x1, h - strips["bottom"] - 0.4)
    return sorted((above, below), key=lambda b: b[3] - b[1], reverse=True)


def _set(paragraphs: list[str], box, biggest: float = 3.0) -> tuple[float, list[str]] | None:
    """The largest size (down to 1.4 mm) at which every paragraph fits the box
    whole, and its lines; None when none does."""
    width, height = box[2] - box[0], box[3] - box[1]
    size = biggest
    while size >= 1.4:
        lines = [line for p in paragraphs for line in text.wrap(p, size, width, 99)]
        whole = all(text.ELLIPSIS not in line for line in lines)
        if whole and len(lines) * size * 1.25 - size * 0.25 <= height:
            return size, lines
        size = round(size - 0.1, 2)
    return None


def _note(fmt: Format, nudge, bands) -> str:
    """The title and what to do, in the free bands: all in one if it fits, else
    the title in one and the instructions in the other."""
    title = fmt.title
    how = (
        f"Print at 100 % (actual size, never “fit to page”). "
        f"Nudge x {nudge[0]:+.1f} mm, y {nudge[1]:+.1f} mm."
    )
    for plan in ([(bands[0], [title, how])], list(zip(bands, [[title], [how]], strict=False))):
        # Only the boxes whose paragraphs fit; the plan is taken if every one does.
        placed = [(box, fit) for box, paragraphs in plan if (fit := _set(paragraphs, box))]
        if len(placed) == len(plan) and len(plan) <= len(bands):
            break
    else:  # nothing fits whole (a huge nudge): the smallest type in the biggest band
        box = bands[0]
        lines = text.wrap(f"{how} {title}", 1.4, box[2] - box[0], 99)
        placed = [(box, (1.4, lines))]
    out = []
    for box, (size, lines) in placed:
        height = len(lines) * size * 1.25 - size * 0.25
        y = (box[1] + box[3]) / 2 - height / 2 + size * 0.76
        for i, line in enumerate(lines):
            out.append(
                _text(
                    (box[0] + box[2]) / 2,
                    y + i * size * 1.25,
                    size,
                    line,
                    anchor="middle",
                    class_="note",
                )
            )
    return "".join(out)


def calibration_svg(fmt: Format, nudge=(0.0, 0.0)) -> str:
    """Label outlines where the labels will print, with mm and inch rulers."""
    w, h = fmt.page_width_mm, fmt.page_height_mm
    cells = [(fmt.left_mm, fmt.top_mm)] if fmt.roll else [fmt.cell(i) for i in range(fmt.per_page)]
    cells = [(x + nudge[0], y + nudge[1]) for x, y in cells]
    boxes = [(x, y, x + fmt.label_width_mm, y + fmt.label_height_mm) for x, y in cells]
    strips = _strips(fmt, boxes)
    parts = [_outline(fmt, x, y, stroke="#000") for x, y in cells]
    parts.append(_ruler(w, 1.0, 5, 10, "top", strips["top"], fmt))
    parts.append(_ruler(h, 1.0, 5, 10, "left", strips["left"], fmt))
    parts.append(_ruler(w, 25.4 / 8, 4, 8, "bottom", strips["bottom"], fmt))
    parts.append(_ruler(h, 25.4 / 8, 4, 8, "right", strips["right"], fmt))
    parts.append(_note(fmt, nudge, _free_bands(fmt, boxes, strips)))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(w)}mm" height="{_n(h)}mm" '
        f'viewBox="0 0 {_n(w)} {_n(h)}">{"".join(parts)}</svg>'
    )


def calibration_pdf(fmt: Format, nudge=(0.0, 0.0)) -> bytes:
    return _pdf(iter([calibration_svg(fmt, nudge)]), fmt)
