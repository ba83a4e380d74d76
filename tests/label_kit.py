"""Helpers shared by the label-printing app tests: reading the PDFs and preview
SVGs the app returns, the way a printer and a phone would see them."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

import labels
from app.models import Event

FORMATS = labels.builtin()
PUBLIC = "HTTP://TAGS.EXAMPLE.TEST"  # the app fixture's PUBLIC_URL, as a label carries it
SVG = "{http://www.w3.org/2000/svg}"
TRANSLATE = re.compile(r"translate\(([-\d.]+) ([-\d.]+)\)")
DPI = 300


def first_fast(cases) -> list:
    """Parameters for a test that renders (and decodes) a whole sheet per case:
    the first case runs in `make test-fast`, the rest are marked slow, and
    `make test` runs them all."""
    return [
        pytest.param(
            *(case if isinstance(case, tuple) else (case,)), marks=[pytest.mark.slow] * bool(n)
        )
        for n, case in enumerate(cases)
    ]


def pretty(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


def pdf_info(pdf: bytes) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    pairs = (line.split(":", 1) for line in out.stdout.decode().splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def decode(pdf: bytes, folder: Path) -> list[str]:
    """Every QR text on every page, read from a 300 dpi raster as a phone would."""
    folder.mkdir(exist_ok=True)
    source = folder / "labels.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", str(source), str(folder / "page")], check=True
    )
    found = []
    for path in sorted(folder.glob("page*.png")):
        with Image.open(path) as image:
            found += zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found]


def text_boxes(one: labels.Label, fmt, org_line: str):
    """Each text line of one drawn label as (role, text, left, top, right, bottom)
    in mm, and the right edge of its QR symbol."""
    svg = labels.render.draw_label(one, fmt, org_line)
    root = ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg">{svg}</svg>')
    transform = root.find(f"{SVG}g").get("transform")
    inset = float(transform.split("translate(")[1].split()[0])
    scale = float(transform.split("scale(")[1].rstrip(")"))
    qr_right = inset + scale * labels.symbol(one.url).size
    out = []
    for line in root.iter(f"{SVG}text"):
        size, x, y = (float(line.get(k)) for k in ("font-size", "x", "y"))
        bold = line.get("font-weight") == "bold"
        width = labels.text.width(line.text, size, line.get("font-family"), bold)
        out.append((line.get("class"), line.text, x, y - 0.73 * size, x + width, y + 0.24 * size))
    return out, qr_right


def label_groups(svg: str) -> list[tuple[float, float, str]]:
    """Each drawn label's offset on the page (mm) and the code printed on it."""
    out = []
    for group in ET.fromstring(svg).findall(f"{SVG}g"):
        x, y = map(float, TRANSLATE.fullmatch(group.get("transform")).groups())
        first = next(group.iter(f"{SVG}text"), None)
        out.append((x, y, first.text if first is not None else ""))
    return out


def assert_pdf(response, stem: str) -> bytes:
    """A PDF download named `<stem>-YYYYMMDD.pdf`; returns its bytes."""
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="{re.escape(stem)}-\d{{8}}\.pdf"', disposition)
    assert response.data.startswith(b"%PDF-")
    return response.data


def printed() -> list[Event]:
    return list(Event.select().where(Event.kind == "label_printed").order_by(Event.id))


def _glyph_bounds(family: str, bold: bool):
    """Each character's ink box in em (x0, y0 below the baseline as negative, x1, y1),
    from the font file fontconfig gives Pango, as the label engine measures widths."""
    from fontTools.ttLib import TTFont

    path = subprocess.run(
        ["fc-match", f"{family}:bold" if bold else family, "--format=%{file}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    font = TTFont(path)
    per_em, glyf, cmap = font["head"].unitsPerEm, font["glyf"], font.getBestCmap()
    out = {}
    for cp, name in cmap.items():
        glyph = glyf[name]
        glyph.recalcBounds(glyf)
        if getattr(glyph, "numberOfContours", 0):
            out[cp] = tuple(v / per_em for v in (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax))
    return out


_BOUNDS: dict = {}


def text_ink(element) -> tuple[float, float, float, float] | None:
    """The ink box (x0, y0, x1, y1, mm, y down) of an SVG <text> as the font draws it:
    each glyph's own outline bounds, advanced by the engine's widths."""
    from labels import text as engine_text

    family, bold = element.get("font-family"), element.get("font-weight") == "bold"
    if (family, bold) not in _BOUNDS:
        _BOUNDS[family, bold] = _glyph_bounds(family, bold)
    bounds = _BOUNDS[family, bold]
    size, x, y = (float(element.get(k)) for k in ("font-size", "x", "y"))
    content = element.text or ""
    total = engine_text.width(content, size, family, bold)
    anchor = element.get("text-anchor", "start")
    pen = x - (total if anchor == "end" else total / 2 if anchor == "middle" else 0)
    boxes = []
    for ch in content:
        if ord(ch) in bounds:
            x0, y0, x1, y1 = bounds[ord(ch)]
            boxes.append((pen + x0 * size, y - y1 * size, pen + x1 * size, y - y0 * size))
        pen += engine_text.width(ch, size, family, bold)
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
