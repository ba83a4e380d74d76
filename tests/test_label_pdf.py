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
    [("avery-l7651", (0.4, -0.3)), ("avery-l4732", (0.0, 0.0)), ("dymo-30252", (-1.0, 1.5))],
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
