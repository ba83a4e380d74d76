"""The PDF draws each QR code itself (labels/pdfqr.py), not through the page SVG.

So the printed modules are checked against the SVG preview's geometry and
segno's symbol: on a 300 dpi raster of the PDF, the centre of every module of
every QR (quiet zone included) is dark exactly where segno's module is dark.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
import segno
from PIL import Image

import labels

from .label_kit import first_fast

SVG = "{http://www.w3.org/2000/svg}"
TRANSLATE = re.compile(r"translate\(([-\d.]+) ([-\d.]+)\)")
QR_TRANSFORM = re.compile(r"^translate\(([-\d.]+) ([-\d.]+)\) scale\(([-\d.]+)\)$")
DPI = 300
PUBLIC_URL = "http://192.168.1.20:8080"
FORMATS = labels.builtin()


def sample(count: int) -> list[labels.Label]:
    return [
        labels.Label(labels.qr_url(PUBLIC_URL, "A", f"7K{n:04d}"), f"7K{n:04d}", f"Drill {n}")
        for n in range(count)
    ]


def first_page(pdf: bytes, folder) -> Image.Image:
    source = folder / "labels.pdf"
    source.write_bytes(pdf)
    command = ["pdftoppm", "-r", str(DPI), "-png", "-gray", "-l", "1", str(source)]
    subprocess.run([*command, str(folder / "page")], check=True)
    (path,) = folder.glob("page*.png")
    with Image.open(path) as image:
        return image.convert("L")


def modules_in_svg(svg: str):
    """Each label's QR in the preview SVG: its top-left corner and module size (mm)."""
    for group in ET.fromstring(svg).findall(f"{SVG}g"):
        x, y = map(float, TRANSLATE.fullmatch(group.get("transform")).groups())
        tx, ty, scale = map(float, QR_TRANSFORM.fullmatch(group[0].get("transform")).groups())
        yield x + tx, y + ty, scale


@pytest.mark.parametrize(
    ("name", "nudge"),
    first_fast(
        [("avery-l7651", (0.4, -0.3)), ("avery-l4732", (0.0, 0.0)), ("dymo-30252", (-1.0, 1.5))]
    ),
)
def test_every_printed_module_is_segnos_where_the_preview_puts_it(name, nudge, tmp_path):
    fmt = FORMATS[name]
    run = sample(1 if fmt.roll else fmt.per_page)
    pdf = labels.render_pdf(run, fmt, nudge=nudge, org_line="Acme Tools")
    image = first_page(pdf, tmp_path)
    pixels = image.load()
    svg = next(labels.page_svgs(run, fmt, nudge=nudge, org_line="Acme Tools"))
    placed = list(modules_in_svg(svg))
    assert len(placed) == len(run)
    for label, (left, top, scale) in zip(run, placed, strict=True):
        matrix = segno.make(label.url, error="m", micro=False).matrix
        size = len(matrix) + 4  # two modules of quiet zone either side
        assert labels.symbol(label.url).size == size
        wrong = []
        for j in range(size):
            for i in range(size):
                inside = 2 <= i < size - 2 and 2 <= j < size - 2
                dark = inside and bool(matrix[j - 2][i - 2])
                px = (left + (i + 0.5) * scale) / 25.4 * DPI
                py = (top + (j + 0.5) * scale) / 25.4 * DPI
                if not (0 <= px < image.width and 0 <= py < image.height):
                    # A large nudge can move the quiet zone's edge off a roll's page:
                    # nothing is printed there, which is right for white only.
                    if dark:
                        wrong.append((i, j))
                    continue
                if (pixels[int(px), int(py)] < 128) != dark:
                    wrong.append((i, j))
        assert not wrong, f"{label.code}: modules {wrong[:5]} differ from segno's symbol"


def test_the_pdf_keeps_one_page_per_svg_and_the_text(tmp_path):
    fmt = FORMATS["avery-l7160"]
    run = sample(fmt.per_page + 3)
    pdf = labels.render_pdf(run, fmt, start=5)
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    assert re.search(rb"^Pages:\s+2$", info.stdout, re.M)
    shown = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    for label in run:
        assert f"{label.code[:3]}-{label.code[3:]}" in shown.stdout.decode()


@pytest.mark.parametrize("scheme", ["file", "http", "page"])
def test_the_pdf_fetches_nothing_but_its_own_pages(scheme, tmp_path):
    """Pages reach WeasyPrint through a fetcher that serves only the pages of this
    sheet: a reference to a file, the network or another page loads nothing."""
    picture = tmp_path / "secret.png"
    Image.new("L", (8, 8), 0).save(picture)
    url = {
        "file": picture.as_uri(),
        "http": "http://192.0.2.1/secret.png",
        "page": labels.pdf.PAGE_URL + "1",
    }[scheme]
    page = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20mm" height="20mm" viewBox="0 0 20 20">'
        f'<image href="{url}" width="20" height="20"/><text x="1" y="10">kept</text></svg>'
    )
    pdf = labels.pdf.document([page], "20", "20").write_pdf()
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True)
    assert len(images.stdout.decode().strip().splitlines()) == 2  # the header: no image


def test_characters_xml_cannot_hold_are_dropped_not_a_blank_page():
    """Each page reaches WeasyPrint as an XML document, so a name holding a
    character XML 1.0 forbids must lose it rather than stop the page parsing."""
    fmt = FORMATS["avery-l7160"]
    odd = "Drill\ufffe one\uffff two\ud800 three\x0b four"
    run = [labels.Label("HTTP://X/A/7K3M9Q", "7K3M9Q", odd)]
    svg = next(labels.page_svgs(run, fmt, org_line="Acme\uffff Ltd"))
    ET.fromstring(svg.encode())
    pdf = labels.render_pdf(run, fmt, org_line="Acme\uffff Ltd")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    shown = " ".join(out.stdout.decode().split())
    assert "7K3-M9Q Drill one two three four Acme Ltd" in shown
