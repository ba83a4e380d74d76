"""Page SVGs and QR codes to PDF bytes: the WeasyPrint side of the engine.

Two things keep a sheet of 1,000 labels within a few seconds:

- Each page SVG reaches WeasyPrint as an image served from memory, not inline
  in the HTML: the C XML parser reads it, where inline SVG went through the
  pure-Python HTML tokenizer and the CSS cascade one element at a time.
- QR codes are not in those SVGs. WeasyPrint's SVG renderer parses every path
  command in Python and writes every coordinate through pydyf one number at a
  time; a QR code is only rectangles, so each page gets one extra content
  stream of PDF `re` operators (Symbol.rects, in modules) placed with one `cm`
  per symbol, added by WeasyPrint's documented finisher hook. The codes stay
  vector and draw exactly the modules the SVG preview draws.

Nothing else may be loaded: names and organisation lines are user input, and
the fetcher refuses every URL but the pages it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

PT_PER_MM = 72 / 25.4
PAGE_URL = "tagtrail-label-page:"  # page n of a sheet is PAGE_URL + n, served from memory


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def qr_content(page_height_mm: float, symbols: Sequence[tuple[float, float, float, str]]) -> bytes:
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
        import pydyf  # WeasyPrint's PDF writer, installed with it

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


def _fetcher(pages: dict[str, bytes]):
    """A URL fetcher that serves `pages` and fails the whole render on anything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Pages(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in pages:
                raise ValueError("label rendering loads nothing")
            return URLFetcherResponse(url, pages[url], {"Content-Type": "image/svg+xml"})

    return Pages(fail_on_errors=True)


def document(svgs: Iterable[str], width_mm: str, height_mm: str):
    """The WeasyPrint HTML document: one page per SVG, each SVG an image."""
    from weasyprint import HTML  # imported here: the web app loads without Pango

    pages = {f"{PAGE_URL}{n}": svg.encode() for n, svg in enumerate(svgs)}
    css = (
        f"@page{{size:{width_mm}mm {height_mm}mm;margin:0}}html,body{{margin:0}}"
        f"img{{display:block;width:{width_mm}mm;height:{height_mm}mm;break-after:page}}"
    )
    body = "".join(f'<img src="{url}" alt="">' for url in pages)
    html = f"<!doctype html><html><head><style>{css}</style></head><body>{body}</body></html>"
    return HTML(string=html, url_fetcher=_fetcher(pages))


def write(svgs: Iterable[str], width_mm: str, height_mm: str, qr_pages: Sequence[bytes]) -> bytes:
    """The PDF of `svgs`, with `qr_pages` (PDF content, one per page, may be empty)."""
    add_qr = finisher(qr_pages) if qr_pages else None
    return document(svgs, width_mm, height_mm).write_pdf(finisher=add_qr)
