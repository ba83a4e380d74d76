"""What a label uses its room for, measured on every shipped format: the QR as
large as the safe height allows, no ink inside the safe margin, names and the
organisation and tag lines wrapped rather than cut, location labels that look
like nothing else, and a calibration page whose words clear the outlines."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import labels
from labels import text

from .label_kit import FORMATS, SVG, first_fast, text_ink

PUBLIC_URL = "HTTP://TAGS.EXAMPLE.TEST"
ORG = "Property of Acme Tools Ltd — if found please call 0161 555 0100"
TRANSLATE = re.compile(r"translate\(([-\d.]+) ([-\d.]+)\)")
QR_TRANSFORM = re.compile(r"^translate\(([-\d.]+) ([-\d.]+)\) scale\(([-\d.]+)\)$")
EPS = 0.002  # the SVG carries mm to 3 decimals
DPI = 300


def asset(n: int, name: str = "Angle grinder #12", tag: str = "") -> labels.Label:
    code = f"7K3M{n:02d}"
    return labels.Label(labels.qr_url(PUBLIC_URL, "A", code), code, name, tag)


def place_(n: int, name: str = "Workshop bench A") -> labels.Label:
    code = f"9P2Q{n:02d}"
    return labels.Label(labels.qr_url(PUBLIC_URL, "L", code), code, name, kind="location")


def drawing(one: labels.Label, fmt: labels.Format, org_line: str = "") -> ET.Element:
    svg = labels.render.draw_label(one, fmt, org_line)
    return ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg">{svg}</svg>')


def qr_of(root: ET.Element, one: labels.Label) -> tuple[float, float, float, float]:
    """(x, y, side, module) of the drawn QR symbol, quiet zone included."""
    group = root.find(f"{SVG}g")
    x, y, scale = map(float, QR_TRANSFORM.fullmatch(group.get("transform")).groups())
    return x, y, scale * labels.symbol(one.url).size, scale


def lines(root: ET.Element, role: str) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text") if t.get("class") == role]


def ink_boxes(root: ET.Element, one: labels.Label):
    """Every inked box of one drawn label: the QR's dark modules, each text line's
    glyph outlines, each filled band."""
    x, y, side, module = qr_of(root, one)
    quiet = labels.qr.QUIET_ZONE * module
    yield "QR", (x + quiet, y + quiet, x + side - quiet, y + side - quiet)
    for line in root.iter(f"{SVG}text"):
        box = text_ink(line)
        if box and line.get("fill", "#000") != "#fff":  # white type sits on a band
            yield line.text, box
    for rect in root.iter(f"{SVG}rect"):
        x0, y0 = float(rect.get("x")), float(rect.get("y"))
        yield "band", (x0, y0, x0 + float(rect.get("width")), y0 + float(rect.get("height")))


LONG = "Makita DHP482 18 V cordless combi drill with two batteries and case #17"
RUNS = {
    "assets": [asset(0), asset(1, LONG, "LEGACY-000123"), asset(2, "Ladder", "TAG 7")],
    "locations": [place_(0), place_(1, "Van 3 (Ford Transit) — back shelf, left"), place_(2, "B")],
}


# 14: the QR --------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_the_qr_is_as_large_as_the_margins_allow(name):
    """The QR's dark modules stay in the safe area and its quiet zone no nearer
    the edge than half the safe margin; within that it is as large as it can be:
    one of the two reaches its limit (or, on a wide label, 60 % of the width)."""
    fmt = FORMATS[name]
    w, h, sx, sy = fmt.label_width_mm, fmt.label_height_mm, fmt.safe_x_mm, fmt.safe_y_mm
    for one in (asset(0), place_(0)):
        x, y, side, module = qr_of(drawing(one, fmt, ORG), one)
        modules = labels.symbol(one.url).size
        quiet = labels.qr.QUIET_ZONE * module
        assert x >= sx / 2 - EPS and y >= sy / 2 - EPS, name
        assert x + side <= w - sx / 2 + EPS and y + side <= h - sy / 2 + EPS, name
        assert x + quiet >= sx - EPS and y + quiet >= sy - EPS, name
        assert y + side - quiet <= h - sy + EPS, name
        dark = (modules - 4) / modules
        limit = min((h - 2 * sy) / dark, h - sy)
        if fmt.layout == "wide":
            limit = min(limit, 0.6 * min((w - 2 * sx) / dark, w - sx))
        assert side >= limit - 0.001 * modules - EPS, (name, side, limit)
        assert labels.qr_box(fmt, modules) == pytest.approx((x, y, side), abs=EPS)


def test_the_qr_sizes_the_issue_measured():
    """L7160 had 28.6 mm where 35 fits; L7651 17 mm with 19.5 mm of height free."""
    assert labels.qr_box(FORMATS["avery-l7160"])[2] >= 35
    assert labels.qr_box(FORMATS["avery-l7651"])[2] >= 19.5


@pytest.mark.parametrize("name", FORMATS)
def test_module_size_is_the_drawn_one_and_small_only_on_the_smallest_stock(name):
    fmt = FORMATS[name]
    one = asset(0)
    _, _, _, drawn = qr_of(drawing(one, fmt), one)
    assert labels.module_mm(fmt, one.url) == pytest.approx(drawn, abs=1e-3)
    small = labels.module_mm(fmt, one.url) < labels.SMALL_MODULE_MM
    assert small == (name in {"avery-5167", "avery-l4732"}), labels.module_mm(fmt, one.url)


# 16: safe margins --------------------------------------------------------------------


@pytest.mark.parametrize("name", first_fast(FORMATS))
@pytest.mark.parametrize("kind", RUNS)
@pytest.mark.parametrize("org_line", ["", ORG])
def test_no_ink_inside_the_safe_margin(name, kind, org_line):
    """Every ink bounding box (QR modules, each line's glyphs, bands) of every label
    lies inside the format's safe area."""
    fmt = FORMATS[name]
    left, top, right, bottom = fmt.safe_area
    for one in RUNS[kind]:
        root = drawing(one, fmt, org_line)
        for what, (x0, y0, x1, y1) in ink_boxes(root, one):
            assert x0 >= left - EPS and y0 >= top - EPS, (name, what, (x0, y0), fmt.safe_area)
            assert x1 <= right + EPS and y1 <= bottom + EPS, (name, what, (x1, y1), fmt.safe_area)


def test_every_format_file_carries_its_safe_margin():
    for name in FORMATS:
        data = (labels.formats.FORMATS_DIR / f"{name}.json").read_text()
        assert '"safe_x_mm"' in data and '"safe_y_mm"' in data, name
    assert (FORMATS["brother-dk-22205"].safe_x_mm, FORMATS["brother-dk-22205"].safe_y_mm) == (
        1.5,
        3.0,
    )
    assert (FORMATS["dymo-30252"].safe_x_mm, FORMATS["dymo-30252"].safe_y_mm) == (6.0, 1.5)
    sheets = [fmt for fmt in FORMATS.values() if not fmt.roll]
    assert {(fmt.safe_x_mm, fmt.safe_y_mm) for fmt in sheets} == {(1.5, 1.5)}


@pytest.mark.parametrize("name", first_fast(FORMATS))
def test_printed_pages_have_no_ink_in_the_margins_and_every_qr_reads(name, tmp_path):
    """The PDF as a printer gets it, at 300 dpi: not one dark pixel between a
    label's edge and its safe area, and each QR reads as its own /A/ or /L/ URL."""
    fmt = FORMATS[name]
    run = RUNS["assets"] + RUNS["locations"]
    if not fmt.roll:
        run = run[: fmt.per_page]
    pdf = labels.render_pdf(run, fmt, org_line=ORG)
    source = tmp_path / "labels.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(source), str(tmp_path / "p")],
        check=True,
    )
    pages = sorted(tmp_path.glob("p*.png"))
    spots = labels.place(fmt, len(run))
    px = DPI / 25.4
    read = []
    for page, path in enumerate(pages):
        with Image.open(path) as image:
            grey = image.convert("L")
        read += [b.text for b in zxingcpp.read_barcodes(grey)]
        pixels = grey.load()
        for spot in (s for s in spots if s.page == page):
            left, top, right, bottom = fmt.safe_area
            # One pixel of slack for anti-aliasing, inside the label's edge.
            x0, y0 = round(spot.x * px) + 1, round(spot.y * px) + 1
            x1 = round((spot.x + fmt.label_width_mm) * px) - 2
            y1 = round((spot.y + fmt.label_height_mm) * px) - 2
            sx0, sy0 = (spot.x + left) * px - 1, (spot.y + top) * px - 1
            sx1, sy1 = (spot.x + right) * px + 1, (spot.y + bottom) * px + 1
            for j in range(y0, y1, 2):
                for i in range(x0, x1, 2):
                    if sx0 <= i <= sx1 and sy0 <= j <= sy1:
                        continue
                    assert pixels[i, j] > 200, (name, page, i / px - spot.x, j / px - spot.y)
    assert sorted(read) == sorted(one.url for one in run)
    assert all(re.fullmatch(rf"{PUBLIC_URL}/[AL]/[0-9A-Z]{{6}}", url) for url in read)


# 15: the organisation and tag lines --------------------------------------------------


def test_on_l7651_the_org_line_takes_no_room_from_the_name():
    """L7651 is too small for the organisation line: a name wraps exactly as it
    does without it, so "#12" still tells identical items apart."""
    fmt = FORMATS["avery-l7651"]
    one = asset(0, "Angle grinder #12")
    with_org, without = drawing(one, fmt, ORG), drawing(one, fmt)
    assert lines(with_org, "name") == lines(without, "name")
    assert " ".join(lines(with_org, "name")) == "Angle grinder #12"
    assert lines(with_org, "org") == []
    fit = labels.fit([one], fmt, ORG)
    assert fit.org == "left off"


def test_the_org_line_wraps_where_there_is_room():
    fmt = FORMATS["avery-l7160"]
    one = asset(0, "Angle grinder #12")
    shown = lines(drawing(one, fmt, ORG), "org")
    assert len(shown) >= 2
    assert " ".join(shown) == ORG  # whole: the phone number is not cut off
    assert labels.fit([one], fmt, ORG).org == "printed"


def test_an_org_line_that_still_does_not_fit_is_reported_cut():
    fmt = FORMATS["avery-l7160"]
    org = ORG + " or write to Acme Tools Ltd, 1 Long Lane, Manchester M1 1AA, United Kingdom"
    one = asset(0, LONG, "LEGACY-000123")
    shown = lines(drawing(one, fmt, org), "org")
    assert shown and shown[-1].endswith(text.ELLIPSIS)
    fit = labels.fit([one], fmt, org)
    assert fit.org == "cut"
    assert fit.org_shown == " ".join(shown)


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if f.layout == "wide"])
def test_a_long_tag_wraps_before_it_is_cut_and_a_cut_is_reported(name):
    fmt = FORMATS[name]
    tag = "ACME-WORKSHOP-EQUIPMENT-REGISTER-000123"
    one = asset(0, "Drill", tag)
    shown = lines(drawing(one, fmt), "tag")
    fit = labels.fit([one], fmt, "")
    if "".join(shown) == tag:
        assert fit.tags_cut == []
        assert len(shown) >= 1
    else:
        assert shown[-1].endswith(text.ELLIPSIS)
        assert fit.tags_cut == [(one.code, tag, "".join(shown))]
    short = asset(1, "Drill", "TAG-7")
    assert lines(drawing(short, fmt), "tag") == ["TAG-7"]


def test_on_l7160_a_long_tag_takes_a_second_line():
    fmt = FORMATS["avery-l7160"]
    tag = "ACME-WORKSHOP-REGISTER-0001234"
    shown = lines(drawing(asset(0, "Drill", tag), fmt), "tag")
    assert len(shown) == 2 and "".join(shown) == tag


# 17: location labels -----------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_location_labels_carry_a_band_and_their_name_large(name):
    fmt = FORMATS[name]
    loc, thing = place_(0, "Store room 2"), asset(0, "Store room 2")
    root, other = drawing(loc, fmt), drawing(thing, fmt)
    bands = root.findall(f"{SVG}rect")
    assert len(bands) == 1 and bands[0].get("fill") == "#000"
    assert lines(root, "kind") == ["LOCATION"]
    assert other.findall(f"{SVG}rect") == [] and lines(other, "kind") == []
    assert lines(root, "code") == ["9P2-Q00"]
    if fmt.layout == "wide":
        assert " ".join(lines(root, "name")) == "Store room 2"
        size = {t.get("class"): float(t.get("font-size")) for t in root.iter(f"{SVG}text")}
        asset_name = max(
            float(t.get("font-size")) for t in other.iter(f"{SVG}text") if t.get("class") == "name"
        )
        assert size["name"] > 1.4 * asset_name  # the place's name is what reads first
        assert size["name"] > size["code"]


# 18: the calibration page ------------------------------------------------------------


def overlaps(a, b, gap: float = 0.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


CALIBRATION_NUDGES = [(0.0, 0.0), (1.5, -1.0), (-1.0, 2.0)]


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("nudge", CALIBRATION_NUDGES)
def test_calibration_words_clear_the_outlines_and_stay_on_the_page(name, nudge):
    fmt = FORMATS[name]
    root = ET.fromstring(labels.calibration_svg(fmt, nudge))
    outlines = []
    for rect in root.findall(f"{SVG}rect"):
        x, y = float(rect.get("x")), float(rect.get("y"))
        outlines.append((x, y, x + float(rect.get("width")), y + float(rect.get("height"))))
    page = (0, 0, fmt.page_width_mm, fmt.page_height_mm)
    texts = list(root.iter(f"{SVG}text"))
    assert texts
    for line in texts:
        if fmt.roll and nudge != (0.0, 0.0) and line.get("class") == "ruler":
            continue  # the rulers stay at the page's edges; the roll's outline moves
        box = text_ink(line)
        assert box is not None
        assert box[0] >= page[0] and box[1] >= page[1], (line.text, box)
        assert box[2] <= page[2] and box[3] <= page[3], (line.text, box)
        assert text.ELLIPSIS not in line.text, line.text  # nothing is cut off
        for outline in outlines:
            if fmt.roll:  # the roll's label is the page: words stay clear of its edge
                inner = (outline[0] + 0.5, outline[1] + 0.5, outline[2] - 0.5, outline[3] - 0.5)
                assert inner[0] <= box[0] and box[2] <= inner[2], (line.text, box)
                assert inner[1] <= box[1] and box[3] <= inner[3], (line.text, box)
            else:
                assert not overlaps(box, outline, 0.3), (line.text, box, outline)
    note = " ".join(t.text for t in texts if t.get("class") == "note")
    assert fmt.title in note
    assert "Print at 100 %" in note


@pytest.mark.parametrize("name", FORMATS)
def test_calibration_ruler_numbers_clear_the_ticks_and_each_other(name):
    fmt = FORMATS[name]
    root = ET.fromstring(labels.calibration_svg(fmt))
    numbers = [text_ink(t) for t in root.iter(f"{SVG}text") if t.get("class") == "ruler"]
    assert len(numbers) >= 8
    ticks = []
    for line in root.iter(f"{SVG}line"):
        x1, y1, x2, y2 = (float(line.get(k)) for k in ("x1", "y1", "x2", "y2"))
        ticks.append(
            (min(x1, x2) - 0.08, min(y1, y2) - 0.08, max(x1, x2) + 0.08, max(y1, y2) + 0.08)
        )
    for i, box in enumerate(numbers):
        assert all(not overlaps(box, tick) for tick in ticks), box
        assert all(not overlaps(box, other) for other in numbers[i + 1 :]), box


def phone_photo(label_png: Image.Image, distance_mm: float, tilt: float) -> Image.Image:
    """A label as a phone's camera preview sees it: about 1,920 pixels across a
    field 1.4 times the distance wide, turned and sheared, a little out of
    focus, and JPEG-compressed."""
    import io

    from PIL import ImageFilter

    scale = 1920 / (1.4 * distance_mm) * 25.4 / 600
    image = label_png.resize(
        (int(label_png.width * scale), int(label_png.height * scale)), Image.LANCZOS
    )
    image = image.rotate(tilt, resample=Image.BICUBIC, expand=True, fillcolor=255)
    shear = 0.1
    image = image.transform(
        (image.width + int(image.height * shear), image.height),
        Image.AFFINE,
        (1, shear, -image.height * shear, 0, 1, 0),
        Image.BICUBIC,
        fillcolor=255,
    ).filter(ImageFilter.GaussianBlur(0.8))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=50)
    return Image.open(buffer)


@pytest.mark.parametrize("name", first_fast(FORMATS))
def test_a_phone_reads_every_label_from_its_distance(name, tmp_path):
    """From 30 cm, or from 20 cm on stock whose modules the print page calls
    small ("scan from closer than 20 cm"), tilted, blurred and compressed."""
    fmt = FORMATS[name]
    one = asset(0, "Angle grinder #12", "LEGACY-000123")
    source = tmp_path / "label.pdf"
    source.write_bytes(labels.render_pdf([one], fmt, org_line=ORG))
    dpi = 600
    box = [round(v / 25.4 * dpi) for v in (fmt.left_mm, fmt.top_mm)]
    box += [round(v / 25.4 * dpi) for v in (fmt.label_width_mm, fmt.label_height_mm)]
    command = ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1"]
    crop = ["-x", str(box[0]), "-y", str(box[1]), "-W", str(box[2]), "-H", str(box[3])]
    subprocess.run([*command, *crop, str(source), str(tmp_path / "label")], check=True)
    with Image.open(tmp_path / "label.png") as image:
        label_png = image.convert("L")
    small = labels.module_mm(fmt, one.url) < labels.SMALL_MODULE_MM
    distance = 200 if small else 300
    for tilt in (0, 12):
        found = zxingcpp.read_barcodes(phone_photo(label_png, distance, tilt))
        assert [b.text for b in found] == [one.url], (name, distance, tilt)


# 15: whatever the line, a print that differs from it is reported ----------------------

WORDS = st.text(alphabet="abcdefghijklmnop0123456789+@.,:—", min_size=1, max_size=14)
LINE = st.lists(WORDS, min_size=1, max_size=30).map(" ".join)
TAG = st.text(alphabet="ABCDEFGHXYZ0123456789-# ", min_size=1, max_size=60)


def _same(printed: list[str], given: str) -> bool:
    """Printed lines say the whole of `given`: broken at its spaces, or inside
    a word too long for a line, and nothing else."""
    given = text.clean(given)
    return text.ELLIPSIS not in "".join(printed) and (
        " ".join(printed) == given or "".join(printed).replace(" ", "") == given.replace(" ", "")
    )


@pytest.mark.parametrize("name", FORMATS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=LINE, tag=TAG, location=st.booleans())
def test_whenever_a_printed_line_differs_from_the_given_one_fit_says_so(name, org, tag, location):
    """On every format, sheets and rolls, for asset and location labels: if the
    organisation line or the external tag printed is not the whole of what was
    given, `fit` reports it (so the print page warns), showing what prints."""
    fmt = FORMATS[name]
    one = place_(0) if location else asset(0, "Angle grinder #12", tag)
    root = drawing(one, fmt, org)
    fit = labels.fit([one], fmt, org)
    shown = lines(root, "org")
    if _same(shown, org):
        assert fit.org == "printed", (shown, org)
    else:
        assert fit.org in ("cut", "left off"), (shown, org)
        assert fit.org_shown == " ".join(shown)
        assert fit.org == ("cut" if shown else "left off")
    if location:
        return
    shown_tag = lines(root, "tag")
    if _same(shown_tag, tag) and text.clean(tag):
        assert fit.tags_cut == []
    elif text.clean(tag):
        assert fit.tags_cut == [(one.code, tag, "".join(shown_tag))]
