"""QR codes drawn straight into the PDF, as filled rectangles.

WeasyPrint's SVG renderer parses every path command in Python and writes every
coordinate through pydyf one number at a time; for a sheet of 1,000 labels the
QR codes were half of the PDF's drawing time. A QR code is only rectangles, so
each page gets one extra content stream of PDF `re` operators (Symbol.rects,
in modules) placed with one `cm` per symbol. WeasyPrint's documented finisher
hook adds it to the page just before the file is written. The codes stay vector
and draw exactly the modules the SVG preview draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

PT_PER_MM = 72 / 25.4


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def content(page_height_mm: float, symbols: Sequence[tuple[float, float, float, str]]) -> bytes:
    """PDF content for one page: each symbol is (x mm, y mm from the page's top
    left, mm per module, Symbol.rects). Black, even-odd, in its own q/Q."""
    if not symbols:
        return b""
    k = f"{PT_PER_MM:.6f}"
    ops = [f"q 0 g {k} 0 0 -{k} 0 {_num(page_height_mm * PT_PER_MM)} cm"]
    for x, y, scale, rects in symbols:
        s = _num(scale)
        ops.append(f"q {s} 0 0 {s} {_num(x)} {_num(y)} cm {rects} f* Q")
    ops.append("Q")
    return "\n".join(ops).encode("ascii")


def finisher(pages: Sequence[bytes]) -> Callable:
    """A WeasyPrint finisher that puts `pages[i]` under page i's own content.

    The stream goes first: WeasyPrint's page content starts from the default
    graphics state, which q/Q leaves as it found it.
    """

    def finish(document, pdf) -> None:
        import pydyf  # WeasyPrint's PDF writer, imported with it

        numbers = pdf.pages["Kids"][::3]
        if len(numbers) != len(pages):
            raise RuntimeError(f"{len(numbers)} PDF pages for {len(pages)} pages of QR codes")
        for number, data in zip(numbers, pages, strict=True):
            if not data:
                continue
            stream = pydyf.Stream([data], compress=True)
            pdf.add_object(stream)
            page = pdf.objects[number]
            page["Contents"] = pydyf.Array([stream.reference, page["Contents"]])

    return finish
