"""The label engine (labels/): where labels go, what the QR holds, and that it scans.

These tests use the engine alone, never the Flask app. PDFs are checked with
poppler (pdftoppm, pdftotext, pdfinfo, pdfimages) and the QR codes are decoded
with zxing-cpp from a 300 dpi raster, as a phone would see a printed sheet.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

import labels
import labels.render as render_module
from app.codes import ALPHABET
from labels import text

from .label_kit import first_fast

FORMATS = labels.builtin()
SHEETS = [name for name, fmt in FORMATS.items() if not fmt.roll]
ROLLS = [name for name, fmt in FORMATS.items() if fmt.roll]
SVG = "{http://www.w3.org/2000/svg}"
TRANSLATE = re.compile(r"translate\(([-\d.]+) ([-\d.]+)\)")
QR_TRANSFORM = re.compile(r"^translate\(([-\d.]+) ([-\d.]+)\) scale\(([-\d.]+)\)$")
EPS = 0.002  # the SVG carries mm to 3 decimals
DPI = 300
PUBLIC_URL = "http://192.168.1.20:8080"
ORG_LINE = "Property of Acme Tools Ltd — if found please call 0161 555 0100"
NAMES = [
    "Makita DHP482 cordless drill",
    "Fluke 87V multimeter",
    "Dell Latitude 5440 (spare)",
    "Café espresso machine — 2nd floor",
    "Hilti TE 30-A36 rotary hammer",
    "Ladder 3 m, aluminium",
    "Projector Epson EB-W51",
    "First aid kit",
    "Extension lead 25 m / 4-way",
    "Łódź office router",
    "Torque wrench 40–200 N·m",
    'iPad 10.9" (loan pool)',
]
HOSTILE = [
    "<script>alert(1)</script>",
    "url(file:///etc/passwd)",
    '<img src="file:///etc/passwd">',
]
LONG_WORDS = ("Very long description of a thing that goes on and on " * 10)[:500]
LONG_WORD = "X" * 499 + "Y"


def code(n: int) -> str:
    """A distinct six-character Crockford code for each n."""
    digits = [ALPHABET[(n // 32**i) % 32] for i in range(3)]
    return "".join(reversed(digits)) + "K3M"


def sample(count: int, public_url: str = PUBLIC_URL) -> list[labels.Label]:
    return [
        labels.Label(labels.qr_url(public_url, "A", code(n)), code(n), NAMES[n % len(NAMES)])
        for n in range(count)
    ]


def full_page(fmt: labels.Format) -> list[labels.Label]:
    """Enough labels to fill the first page (three pages' worth on a roll)."""
    return sample(3 if fmt.roll else fmt.per_page)


def groups(svg: str) -> list[tuple[float, float, ET.Element]]:
    """Each label's offset on the page and its drawing, in page order."""
    out = []
    for group in ET.fromstring(svg).findall(f"{SVG}g"):
        x, y = map(float, TRANSLATE.fullmatch(group.get("transform")).groups())
        out.append((x, y, group))
    return out


def texts(group: ET.Element) -> list[ET.Element]:
    return list(group.iter(f"{SVG}text"))


def ink(path: str, stroke: float) -> tuple[float, float, float, float]:
    """Bounding box (x0, y0, x1, y1) of what a stroked path of M/h/v/z commands covers.

    Each segment is widened across its direction only, as butt caps are; corners of
    closed rings are then covered by the crossing segment.
    """
    boxes, x, y, sx, sy = [], 0.0, 0.0, 0.0, 0.0
    for op, args in re.findall(r"([MhvHVz])([-\d. ]*)", path):
        values = [float(v) for v in args.split()]
        if op == "M":
            x, y = sx, sy = values
            continue
        old = x, y
        if op == "h":
            x += values[0]
        elif op == "v":
            y += values[0]
        elif op == "z":
            x, y = sx, sy
        half_x = stroke / 2 if old[0] == x else 0
        half_y = stroke / 2 if old[1] == y else 0
        boxes.append(
            (
                min(old[0], x) - half_x,
                min(old[1], y) - half_y,
                max(old[0], x) + half_x,
                max(old[1], y) + half_y,
            )
        )
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def pdf_pages(pdf: bytes) -> int:
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def rasterise(pdf: bytes, folder: Path, last_page: int) -> list[Image.Image]:
    source = folder / "labels.pdf"
    source.write_bytes(pdf)
    command = ["pdftoppm", "-r", str(DPI), "-png", "-l", str(last_page), str(source)]
    subprocess.run([*command, str(folder / "page")], check=True)
    images = []
    for path in sorted(folder.glob("page*.png")):
        with Image.open(path) as image:
            images.append(image.convert("L"))
    return images


# Geometry ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("nudge", [(0.0, 0.0), (1.5, -0.75), (-10.0, 10.0)])
def test_place_follows_the_format_numbers(name, nudge):
    """Every cell is left + column × pitch, top + row × pitch, moved by the nudge."""
    fmt = FORMATS[name]
    count = 3 if fmt.roll else fmt.per_page * 2
    spots = labels.place(fmt, count, 1, nudge)
    assert len(spots) == count
    for n, spot in enumerate(spots):
        if fmt.roll:
            page, row, column = n, 0, 0
        else:
            page, index = divmod(n, fmt.per_page)
            row, column = divmod(index, fmt.columns)
        assert spot.page == page
        assert spot.x == pytest.approx(fmt.left_mm + column * fmt.pitch_x_mm + nudge[0])
        assert spot.y == pytest.approx(fmt.top_mm + row * fmt.pitch_y_mm + nudge[1])


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("nudge", [(0.0, 0.0), (2.0, -1.25)])
def test_every_qr_sits_inside_its_label_with_its_quiet_zone(name, nudge):
    """The page SVG puts each label at its cell, and its QR (quiet zone included)
    inside the label, with text starting to the right of it."""
    fmt = FORMATS[name]
    run = full_page(fmt)
    spots = labels.place(fmt, len(run), 1, nudge)
    pages = list(labels.page_svgs(run, fmt, nudge=nudge, org_line=ORG_LINE))
    drawn = [group for svg in pages for group in groups(svg)]
    assert len(drawn) == len(run)
    w, h = fmt.label_width_mm, fmt.label_height_mm
    for label, spot, (x, y, group) in zip(run, spots, drawn, strict=True):
        assert (x, y) == (pytest.approx(spot.x, abs=EPS), pytest.approx(spot.y, abs=EPS))
        qr = group[0]
        tx, ty, scale = map(float, QR_TRANSFORM.fullmatch(qr.get("transform")).groups())
        sym = labels.symbol(label.url)
        side = scale * sym.size
        box = (x + tx, y + ty, x + tx + side, y + ty + side)
        assert x - EPS <= box[0] and box[2] <= x + w + EPS, f"{label.code}: QR leaves the label"
        assert y - EPS <= box[1] and box[3] <= y + h + EPS, f"{label.code}: QR leaves the label"
        # The dark modules fill exactly [2, size - 2]: two modules of white all round,
        # and that white is inside the label because the whole box is.
        paths = qr.findall(f"{SVG}path")
        assert [p.get("d") for p in paths] == [sym.path, sym.eyes]
        x0, y0, x1, y1 = ink(sym.path, 1.0)
        e0, f0, e1, f1 = ink(sym.eyes, 3.0)
        quiet = 2
        assert (min(x0, e0), min(y0, f0)) == (quiet, quiet)
        assert (max(x1, e1), max(y1, f1)) == (sym.size - quiet, sym.size - quiet)
        for line in texts(group):
            assert float(line.get("x")) > tx + side, f"{label.code}: text over the QR"


# Symbol size -----------------------------------------------------------------------

# A version-2 symbol at level M holds 38 alphanumeric characters; "/A/XXXXXX" takes 9,
# so 29 characters is the longest public URL that fits (DESIGN: "a typical URL fits a
# version-2 symbol ... at error-correction level M").
MAX_PUBLIC_URL = 38 - len("/A/XXXXXX")
HOST_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"
GOOD_ENOUGH = {"M", "Q", "H"}


@st.composite
def public_urls(draw) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    port = draw(st.sampled_from(["", ":80", ":8080", ":5000"]))
    room = MAX_PUBLIC_URL - len(f"{scheme}://{port}")
    host = draw(st.text(HOST_CHARS, min_size=1, max_size=room))
    slash = draw(st.sampled_from(["", "/"]))  # a trailing slash is dropped, so free
    return f"{scheme}://{host}{port}{slash}"


@pytest.mark.parametrize(
    "public_url",
    [
        "http://192.168.1.20:8080",
        "https://tags.example.org",
        "http://10.0.0.5",
        "HTTPS://TAGS.ACME-TOOLS.CO.UK",
        "https://assets.acme-tools.com/",
    ],
)
def test_typical_public_urls_give_a_version_2_alphanumeric_symbol(public_url):
    """The examples from the design: small, alphanumeric, level M or better."""
    sym = labels.symbol(labels.qr_url(public_url, "A", "7K3M9Q"))
    assert (sym.version, sym.mode) == (2, "alphanumeric")
    assert sym.error in GOOD_ENOUGH
    assert sym.size == 25 + 2 * 2  # 25 modules plus the quiet zone either side


@given(public_urls(), st.text(ALPHABET, min_size=6, max_size=6), st.sampled_from("AL"))
def test_any_short_public_url_fits_version_2_at_level_m(public_url, short_code, kind):
    sym = labels.symbol(labels.qr_url(public_url, kind, short_code))
    assert sym.version <= 2
    assert sym.mode == "alphanumeric"
    assert sym.error in GOOD_ENOUGH


def test_a_longer_public_url_needs_version_3():
    """One character more than MAX_PUBLIC_URL no longer fits version 2 at level M.

    This is the QR standard's capacity, not a choice of the engine: it pins the
    limit quoted in the test above.
    """
    at_limit = "https://assets.acme-tools.com"
    assert len(at_limit) == MAX_PUBLIC_URL
    assert labels.symbol(labels.qr_url(at_limit, "A", "7K3M9Q")).version == 2
    for longer in ("https://assets.acme-tools.com1", "HTTPS://ASSETS.ACME-TOOLS.CO.UK"):
        sym = labels.symbol(labels.qr_url(longer, "A", "7K3M9Q"))
        assert (sym.version, sym.mode, sym.error) == (3, "alphanumeric", "Q")


# qr_url ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("http://tags.example.org", "HTTP://TAGS.EXAMPLE.ORG/A/7K3M9Q"),
        ("https://Tags.Example.org/", "HTTPS://TAGS.EXAMPLE.ORG/A/7K3M9Q"),
        ("http://192.168.1.20:8080", "HTTP://192.168.1.20:8080/A/7K3M9Q"),
        ("  https://tags.example.org//  ", "HTTPS://TAGS.EXAMPLE.ORG/A/7K3M9Q"),
        ("https://example.org/Tags", "HTTPS://EXAMPLE.ORG/Tags/A/7K3M9Q"),
        ("https://example.org/Tags/", "HTTPS://EXAMPLE.ORG/Tags/A/7K3M9Q"),
        ("HTTPS://EXAMPLE.ORG/tags/assets", "HTTPS://EXAMPLE.ORG/tags/assets/A/7K3M9Q"),
    ],
)
def test_qr_url_upper_cases_scheme_and_host_and_keeps_the_path(public_url, expected):
    assert labels.qr_url(public_url, "a", "7k3m9q") == expected


@given(public_urls(), st.sampled_from(["", "/Tags", "/x/Inventory"]), st.booleans())
def test_qr_url_keeps_any_path_prefix_exactly(public_url, prefix, slash):
    base = public_url.rstrip("/") + prefix + ("/" if slash else "")
    url = labels.qr_url(base, "L", "7K3M9Q")
    scheme, rest = public_url.rstrip("/").split("://")
    assert url == f"{scheme.upper()}://{rest.upper()}{prefix}/L/7K3M9Q"


# Offsets and copies ----------------------------------------------------------------


@pytest.mark.parametrize("name", SHEETS)
def test_start_skips_the_used_cells_of_the_first_sheet(name):
    fmt = FORMATS[name]
    for start in sorted({1, 2, fmt.columns + 1, fmt.per_page}):
        run = sample(fmt.per_page)
        spots = labels.place(fmt, len(run), start)
        first = [spot for spot in spots if spot.page == 0]
        assert len(first) == fmt.per_page - (start - 1)
        assert (first[0].x, first[0].y) == fmt.cell(start - 1)
        rest = [spot for spot in spots if spot.page == 1]
        assert len(rest) == start - 1
        if rest:
            assert (rest[0].x, rest[0].y) == fmt.cell(0)
        # The drawn pages agree with place().
        pages = list(labels.page_svgs(run, fmt, start=start))
        assert [len(groups(svg)) for svg in pages] == [len(first)] + ([len(rest)] if rest else [])


@pytest.mark.parametrize("name", SHEETS)
@given(data=st.data())
def test_placements_fill_each_sheet_in_order(name, data):
    """Any start and count: no cell used twice, and only the last page is part-filled."""
    fmt = FORMATS[name]
    start = data.draw(st.integers(1, fmt.per_page), label="start")
    count = data.draw(st.integers(1, 3 * fmt.per_page), label="count")
    spots = labels.place(fmt, count, start)
    assert len({(s.page, s.x, s.y) for s in spots}) == count
    assert [s.page for s in spots] == sorted(s.page for s in spots)
    per_page = [sum(1 for s in spots if s.page == page) for page in range(spots[-1].page + 1)]
    assert per_page[0] == min(count, fmt.per_page - start + 1)
    assert all(n == fmt.per_page for n in per_page[1:-1])


@pytest.mark.parametrize("name", SHEETS)
def test_start_outside_the_sheet_is_refused(name):
    fmt = FORMATS[name]
    run = sample(2)
    for start in (0, -1, fmt.per_page + 1):
        with pytest.raises(ValueError, match="Start position"):
            labels.place(fmt, 2, start)
        with pytest.raises(ValueError, match="Start position"):
            labels.render_pdf(run, fmt, start=start)


@pytest.fixture
def captured(monkeypatch) -> list[str]:
    """Page SVGs that render_pdf hands to WeasyPrint, without running WeasyPrint."""
    pages: list[str] = []

    def fake_pdf(svgs, fmt, *qr_pages):
        pages.extend(svgs)
        return b"%PDF-fake"

    monkeypatch.setattr(render_module, "_pdf", fake_pdf)
    return pages


def printed_codes(pages: list[str]) -> list[str]:
    """The code each label shows, in print order (the mono, bold line)."""
    return [
        texts(group)[0].text.replace("-", "")
        for svg in pages
        for _, _, group in groups(svg)
        if texts(group)
    ]


@pytest.mark.parametrize("copies", [1, 2, 5])
def test_copies_repeat_each_label_together(captured, copies):
    fmt = FORMATS["avery-l7160"]
    run = sample(10)
    labels.render_pdf(run, fmt, copies=copies, start=20)
    assert printed_codes(captured) == [label.code for label in run for _ in range(copies)]


def test_copies_are_limited():
    fmt = FORMATS["avery-l7160"]
    for copies in (0, 101):
        with pytest.raises(ValueError, match="Copies"):
            labels.render_pdf(sample(1), fmt, copies=copies)


def test_more_than_2000_labels_is_refused(captured):
    fmt = FORMATS["avery-l4732"]
    assert labels.MAX_LABELS == 2000
    few = sample(8)  # repeated, so that only eight QR codes are encoded
    labels.render_pdf(few * 250, fmt)  # the limit itself is allowed
    assert len(printed_codes(captured)) == 2000
    with pytest.raises(labels.TooManyLabels):
        labels.render_pdf(few * 250 + few[:1], fmt)
    with pytest.raises(labels.TooManyLabels):
        labels.render_pdf(sample(667), fmt, copies=3)
    with pytest.raises(ValueError, match="no labels"):
        labels.render_pdf([], fmt)


@pytest.mark.parametrize("name", ROLLS)
def test_rolls_put_one_label_on_each_page(name, captured):
    fmt = FORMATS[name]
    run = sample(4)
    labels.render_pdf(run, fmt, copies=2)
    assert [len(groups(svg)) for svg in captured] == [1] * 8
    assert printed_codes(captured) == [label.code for label in run for _ in range(2)]
    spots = labels.place(fmt, 4)
    assert [(s.page, s.x, s.y) for s in spots] == [(n, fmt.left_mm, fmt.top_mm) for n in range(4)]


# Real decode -----------------------------------------------------------------------


@pytest.mark.parametrize("name", first_fast(FORMATS))
def test_every_qr_on_a_printed_page_decodes_to_its_label(name, tmp_path):
    """Render a full first page, rasterise it at 300 dpi and read every QR back."""
    fmt = FORMATS[name]
    run = full_page(fmt)
    pdf = labels.render_pdf(run, fmt, org_line=ORG_LINE)
    pages = len(run) if fmt.roll else 1
    assert pdf_pages(pdf) == pages
    spots = labels.place(fmt, len(run))
    for page, image in enumerate(rasterise(pdf, tmp_path, pages)):
        expected = {
            (spot.x, spot.y): label.url
            for label, spot in zip(run, spots, strict=True)
            if spot.page == page
        }
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert {barcode.text for barcode in found} == set(expected.values())
        assert len(found) == len(expected)
        for barcode in found:
            # Each code is read inside the cell of the label it belongs to.
            corners = barcode.position
            cx = (corners.top_left.x + corners.bottom_right.x) / 2 * 25.4 / DPI
            cy = (corners.top_left.y + corners.bottom_right.y) / 2 * 25.4 / DPI
            cell = [
                url
                for (x, y), url in expected.items()
                if x <= cx <= x + fmt.label_width_mm and y <= cy <= y + fmt.label_height_mm
            ]
            assert cell == [barcode.text]


# Hostile input ---------------------------------------------------------------------


def hostile_run() -> list[labels.Label]:
    names = [*HOSTILE, LONG_WORDS, LONG_WORD, "line\none\ttwo\r\n  three"]
    return [
        labels.Label(labels.qr_url(PUBLIC_URL, "A", code(n)), code(n), name)
        for n, name in enumerate(names)
    ]


@pytest.mark.parametrize("name", FORMATS)
def test_hostile_names_are_text_and_fit_the_label(name):
    """Markup in a name stays text, and every line of text ends inside the label."""
    fmt = FORMATS[name]
    run = hostile_run()
    shown = {}  # code -> the name as the label shows it, lines joined
    for svg in labels.page_svgs(run, fmt, org_line=HOSTILE[0] + " " + LONG_WORDS):
        root = ET.fromstring(svg)  # well-formed: nothing in a name closed a tag early
        tags = {element.tag.removeprefix(SVG) for element in root.iter()}
        assert tags <= {"svg", "g", "path", "text"}, tags
        assert "<script>" not in svg and "<img" not in svg
        for _, _, group in groups(svg):
            lines = texts(group)
            for line in lines:
                size = float(line.get("font-size"))
                bold = line.get("font-weight") == "bold"
                right = float(line.get("x")) + text.width(
                    line.text, size, line.get("font-family"), bold
                )
                assert line.get("text-anchor") == "start"
                assert right <= fmt.label_width_mm, f"{line.text!r} runs off {name}"
                baseline = float(line.get("y"))
                # DejaVu capitals rise 0.73 em; descenders drop 0.24 em.
                assert baseline - 0.73 * size >= 0
                assert baseline + 0.24 * size <= fmt.label_height_mm
            if len(lines) > 1:
                # The code comes first, then the name's lines in one size; the
                # organisation line is set smaller.
                name_lines = [
                    t.text for t in lines[1:] if t.get("font-size") == lines[1].get("font-size")
                ]
                shown[lines[0].text.replace("-", "")] = name_lines
    if fmt.layout == "tiny":  # tiny labels show the QR and code only
        assert not shown
        return
    by_name = {label.name: shown[label.code] for label in run}
    for hostile in HOSTILE:
        assert " ".join(by_name[hostile]).startswith(hostile[:8]), by_name[hostile]
    for long in (LONG_WORDS, LONG_WORD):
        assert by_name[long][-1].endswith(text.ELLIPSIS), by_name[long]
        assert len(" ".join(by_name[long])) < 100
    assert " ".join(by_name["line\none\ttwo\r\n  three"]).startswith("line one")


def test_hostile_names_print_as_literal_text():
    """The PDF shows the markup as characters, loads no file and embeds no image."""
    fmt = FORMATS["avery-l7163"]
    run = hostile_run()
    pdf = labels.render_pdf(run, fmt, org_line="url(file:///etc/passwd) <b>Acme</b>")
    shown = pdf_text(pdf)
    assert "<script>al" in shown
    assert "url(file:" in shown
    assert '<img src="fi' in shown
    assert "<b>Acme</b>" in shown
    assert "root:" not in shown and "/bin/" not in shown
    images = subprocess.run(
        ["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert len(images.strip().splitlines()) == 2  # the header only: no image at all


def test_control_characters_in_a_name_keep_the_svg_well_formed():
    """Names come from forms and CSV imports; XML 1.0 forbids most C0 controls, so a
    name with one must not turn the page into a document no XML parser accepts."""
    fmt = FORMATS["avery-l7160"]
    run = [labels.Label("HTTP://X/A/7K3M9Q", "7K3M9Q", "Drill\x07 bell\x00 nul\x1b[31m red")]
    svg = next(labels.page_svgs(run, fmt, org_line="Acme\x0b Ltd\x08"))
    ET.fromstring(svg)


# Calibration -----------------------------------------------------------------------


@pytest.mark.parametrize("name", first_fast(FORMATS))
def test_calibration_sheet_is_one_page(name):
    pdf = labels.calibration_pdf(FORMATS[name], (1.0, -1.0))
    assert pdf.startswith(b"%PDF-")
    assert pdf_pages(pdf) == 1
    # The note wraps on narrow rolls (and pdftotext runs it into the ruler
    # numbers), so the PDF check is the maker's name; the SVG test reads the rest.
    assert FORMATS[name].title.split()[0] in pdf_text(pdf)


@pytest.mark.parametrize("name", FORMATS)
def test_calibration_sheet_says_how_to_print_and_the_nudge(name):
    """The note is what tells someone to print at 100 % and which nudge is in use;
    cutting it with an ellipsis must not drop those."""
    fmt = FORMATS[name]
    root = ET.fromstring(labels.calibration_svg(fmt, (-2.5, 10.0)))
    note = " ".join(t.text for t in root.iter(f"{SVG}text")).lower()
    assert "print at 100 %" in note
    assert "x -2.5 mm, y +10.0 mm" in note


# A lead's own roll format (the format page has a "roll" box) whose label sits
# inside a wider page, as on a printer with a fixed feed guide.
CUSTOM_ROLL = labels.Format.from_dict(
    {
        "name": "custom-roll-with-margin",
        "page_width_mm": 66,
        "page_height_mm": 32,
        "columns": 1,
        "rows": 1,
        "label_width_mm": 62,
        "label_height_mm": 29,
        "corner_radius_mm": 0,
        "left_mm": 2,
        "top_mm": 1.5,
        "pitch_x_mm": 62,
        "pitch_y_mm": 29,
        "roll": True,
    }
)
CALIBRATED = [
    *(pytest.param(fmt, id=name) for name, fmt in FORMATS.items()),
    pytest.param(CUSTOM_ROLL, id=CUSTOM_ROLL.name),
]


@pytest.mark.parametrize("fmt", CALIBRATED)
@pytest.mark.parametrize("nudge", [(0.0, 0.0), (1.5, -2.25), (-10.0, 10.0)])
def test_calibration_outlines_move_by_the_nudge(fmt, nudge):
    """Each outline is drawn exactly where place() puts a label with that nudge."""
    root = ET.fromstring(labels.calibration_svg(fmt, nudge))
    rects = root.findall(f"{SVG}rect")
    spots = labels.place(fmt, 1 if fmt.roll else fmt.per_page, 1, nudge)
    assert len(rects) == len(spots)
    for rect, spot in zip(rects, spots, strict=True):
        assert float(rect.get("x")) == pytest.approx(spot.x, abs=EPS)
        assert float(rect.get("y")) == pytest.approx(spot.y, abs=EPS)
        assert float(rect.get("width")) == pytest.approx(fmt.label_width_mm)
        assert float(rect.get("height")) == pytest.approx(fmt.label_height_mm)
    if not fmt.roll:  # and place() itself follows the format's numbers, tested above
        assert (spots[0].x, spots[0].y) == (
            pytest.approx(fmt.left_mm + nudge[0]),
            pytest.approx(fmt.top_mm + nudge[1]),
        )
