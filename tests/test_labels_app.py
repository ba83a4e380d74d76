"""Printing labels through the app: the print page, its preview, the PDF download
and what it records, offsets, the public-address warning, hostile names,
calibration, custom formats, and the busy worker.

PDFs are read back with poppler and their QR codes decoded with zxing-cpp; the
first render in a session waits a couple of seconds for the worker to start.
"""

from __future__ import annotations

import gzip
import threading
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import brotli
import pytest

from app import create_app
from app import worker as worker_module
from app.models import Asset, LabelCode, LabelFormatSetting
from app.printing import rules
from app.register.label_codes import MAX_BLANKS

from . import factories
from .conftest import AuthActions, Client
from .label_kit import (
    FORMATS,
    PUBLIC,
    SVG,
    assert_pdf,
    decode,
    first_fast,
    label_groups,
    pdf_info,
    pdf_text,
    pretty,
    printed,
)
from .pages import soup_of

L7160 = "avery-l7160"


@pytest.fixture
def lead(auth):
    """Signed in as a lead."""
    return auth.login("lead")


@pytest.fixture
def three(lead):
    """Three assets, listed in the order labels print them (by name)."""
    return [factories.make_asset(lead, name=name) for name in ("Anvil", "Bandsaw", "Chisel set")]


def job(**values) -> dict:
    """The fields the print page's download form sends."""
    return {"choice": "all", "format": L7160, "start": "1", "copies": "1", "org_line": "", **values}


def preview(client, **values):
    response = client.get("/labels/preview.svg", query_string=job(**values))
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    return response.get_data(as_text=True)


# The print page -------------------------------------------------------------------


def test_print_page_is_a_full_page_linked_for_leads(client, lead):
    """GET /labels is a whole page, reached from the lead's "Print labels" link in the Menu."""
    soup, response = client.soup("/menu")
    names = {a.select_one(".row-main").get_text(): a["href"] for a in soup.select("nav.menu a")}
    assert names["Print labels"] == "/labels"
    soup, response = client.soup("/labels")
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)
    assert soup.h1.get_text(strip=True) == "Print labels"
    assert soup.select_one("form[method=get][action='/labels']") is not None
    assert soup.select_one("img.sheet-preview") is None  # nothing chosen yet


def test_a_chosen_job_shows_a_preview_and_a_download_form(client, three):
    """With a choice and a format the page previews the sheet and posts to /labels/pdf."""
    soup, response = client.soup("/labels", query_string={"choice": "all", "format": L7160})
    assert response.status_code == 200
    assert soup.select_one("section.card h2").get_text(strip=True) == "Preview: 3 labels"
    img = soup.select_one("img.sheet-preview")
    src = urlsplit(img["src"])
    assert src.path == "/labels/preview.svg"
    assert parse_qs(src.query) == {"choice": ["all"], "format": [L7160]}
    form = soup.select_one("form[method=post][action='/labels/pdf']")
    hidden = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert hidden.pop("csrf_token")
    assert hidden == {"choice": "all", "format": L7160}

    svg = client.get(img["src"])
    assert svg.mimetype == "image/svg+xml"
    codes_drawn = [code for _, _, code in label_groups(svg.get_data(as_text=True))]
    assert codes_drawn == [pretty(a.code) for a in three]


def test_members_cannot_print(client, auth):
    """Members see no "Print labels" link and get 403 from every printing URL."""
    auth.login("member")
    for url in ("/", "/menu"):
        soup, _ = client.soup(url)
        assert soup.select("nav.menu a, nav.nav a"), url
        assert "/labels" not in [a["href"] for a in soup.select("nav a")], url
    for url in ("/labels", "/labels/preview.svg?choice=all", "/labels/blank", "/labels/calibrate"):
        assert client.get(url).status_code == 403, url
    assert client.form("/labels/pdf", job()).status_code == 403
    assert printed() == []


# Download and what it records ----------------------------------------------------


def test_download_records_one_event_per_asset(client, lead, three):
    """POST /labels/pdf returns the PDF and marks each asset's label printed."""
    response = client.form("/labels/pdf", job(org_line="Property of Acme"))
    pdf = assert_pdf(response, f"labels-{L7160}")
    assert pdf_info(pdf)["Pages"] == "1"
    text = pdf_text(pdf)
    assert all(pretty(a.code) in text for a in three)
    assert "Property of Acme" in text
    events = printed()
    assert sorted(e.asset_id for e in events) == sorted(a.id for a in three)
    assert {(e.actor_id, e.data["format"]) for e in events} == {(lead.id, L7160)}
    for asset in three:
        assert Asset.get_by_id(asset.id).label_printed_at == events[0].at


def test_printed_assets_leave_the_unprinted_choice(client, lead, three):
    """After a download, "never printed" offers only assets added since."""
    client.form("/labels/pdf", job(choice="selected", asset=[three[0].code, three[1].code]))
    newer = factories.make_asset(lead, name="Drill press")
    soup, _ = client.soup("/labels", query_string={"choice": "unprinted", "format": L7160})
    assert soup.select_one("section.card h2").get_text(strip=True) == "Preview: 2 labels"
    codes_drawn = [code for _, _, code in label_groups(preview(client, choice="unprinted"))]
    assert codes_drawn == [pretty(three[2].code), pretty(newer.code)]
    client.form("/labels/pdf", job(choice="unprinted"))
    soup, _ = client.soup("/labels", query_string={"choice": "unprinted", "format": L7160})
    assert soup.select_one("#print-empty").get_text() == (
        "Every asset's label has been printed. A new asset waits here until its label is."
    )
    assert len(printed()) == 4


def test_location_labels_record_nothing_on_assets(client, three):
    """choice=locations prints location labels and writes no label_printed event."""
    factories.make_location("Workshop")
    response = client.form("/labels/pdf", job(choice="locations"))
    assert "Workshop" in pdf_text(assert_pdf(response, f"labels-{L7160}"))
    assert printed() == []
    assert Asset.select().where(Asset.label_printed_at.is_null(False)).count() == 0


# Real decoding ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", first_fast([L7160, "avery-l4732"]))
def test_decoded_asset_labels_open_their_asset_pages(client, three, tmp_path, fmt):
    """Each QR in the PDF reads as PUBLIC/A/<CODE> and opens that asset's page."""
    pdf = assert_pdf(client.form("/labels/pdf", job(format=fmt)), f"labels-{fmt}")
    texts = decode(pdf, tmp_path / "raster")
    assert sorted(texts) == sorted(f"{PUBLIC}/A/{a.code}" for a in three)
    names = {f"/A/{a.code}": a.name for a in three}
    for text in texts:
        soup, response = client.soup(urlsplit(text).path)
        assert response.status_code == 200
        assert soup.select_one("#status-card h1").get_text(strip=True) == names.pop(
            urlsplit(text).path
        )


def test_decoded_location_labels_open_their_location_pages(client, lead, tmp_path):
    """Location labels read as PUBLIC/L/<CODE> and open that location's page."""
    site = factories.make_location("North site")
    rooms = [site, factories.make_location("Tool crib", parent=site)]
    pdf = assert_pdf(client.form("/labels/pdf", job(choice="locations")), f"labels-{L7160}")
    texts = decode(pdf, tmp_path / "raster")
    assert sorted(texts) == sorted(f"{PUBLIC}/L/{room.code}" for room in rooms)
    names = {f"/L/{room.code}": room.name for room in rooms}
    for text in texts:
        soup, response = client.soup(urlsplit(text).path)
        assert response.status_code == 200
        assert soup.select_one("main section.card h1").get_text(strip=True) == names.pop(
            urlsplit(text).path
        )


# Offsets, copies and limits ------------------------------------------------------


def test_start_and_copies_place_labels_from_that_cell(client, three):
    """start=5, copies=2: the preview draws each label twice from the 5th cell on."""
    fmt = FORMATS[L7160]
    drawn = label_groups(preview(client, start="5", copies="2"))
    expected = [pretty(a.code) for a in three for _ in range(2)]
    assert [code for _, _, code in drawn] == expected
    for n, (x, y, _) in enumerate(drawn):
        cx, cy = fmt.cell(4 + n)
        assert (x, y) == (pytest.approx(cx, abs=0.001), pytest.approx(cy, abs=0.001))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"start": "22"}, "Start position must be 1–21 on this sheet."),
        ({"start": "0"}, "Start position must be 1–21 on this sheet."),
        ({"start": "x"}, "Give a whole number."),
        ({"copies": "0"}, "Copies must be 1–100."),
        ({"copies": "101"}, "Copies must be 1–100."),
    ],
    ids=["start-22", "start-0", "start-x", "copies-0", "copies-101"],
)
def test_bad_start_or_copies_are_refused(client, three, values, message):
    """Out-of-range start or copies: 422 with the message shown, nothing recorded."""
    for response in (
        client.form("/labels/pdf", job(**values)),
        client.get("/labels", query_string=job(**values)),
    ):
        assert response.status_code == 422
        soup = soup_of(response)
        assert soup.select_one(".flash-error").get_text(strip=True).startswith("Please fix")
        assert [p.get_text(strip=True) for p in soup.select("main p.error")] == [message]
    assert printed() == []


def test_more_than_2000_labels_are_refused(client, lead):
    """copies=100 of 21 assets is 2100 labels: 422 with the message, no events."""
    for n in range(21):
        factories.make_asset(lead, name=f"Crate {n:02}")
    response = client.form("/labels/pdf", job(copies="100"))
    assert response.status_code == 422
    message = soup_of(response).select_one(".flash-error").get_text(strip=True)
    assert "2100 labels is more than 2000" in message
    assert printed() == []


# The public-address warning --------------------------------------------------------


@pytest.fixture
def site_at(tmp_path, monkeypatch):
    """A separate app whose PUBLIC_URL is given (no saved setting), signed in as a lead."""
    monkeypatch.delenv("TAGTRAIL_PUBLIC_URL", raising=False)

    def build(public_url: str) -> Client:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key-not-for-production",
                "INSTANCE_PATH": str(tmp_path / "other"),
                "PUBLIC_URL": public_url,
            }
        )
        app.test_client_class = Client
        client = app.test_client()
        factories.make_user("admin")
        AuthActions(client).login("lead")
        return client

    return build


@pytest.mark.parametrize(
    ("public_url", "warning"),
    [
        ("", "No public address is set"),
        ("http://localhost:8080", "points at this computer itself"),
        ("http://192.168.1.20:8080", None),
    ],
)
def test_public_address_warning(site_at, public_url, warning):
    """Print and blank pages warn when labels would not reach the server from a phone."""
    client = site_at(public_url)
    for url in ("/labels", "/labels/blank"):
        soup, response = client.soup(url)
        assert response.status_code == 200
        shown = [p.get_text(" ", strip=True) for p in soup.select(".flash-warn")]
        if warning is None:
            assert shown == [], url
        else:
            assert len(shown) == 1 and warning in shown[0], (url, shown)


# Hostile input ---------------------------------------------------------------------

# The longest name the register takes (200 characters; PostgreSQL enforces it).
HOSTILE = ["<script>alert(1)</script>", "url(file:///etc/passwd)", "Long " * 39 + "Long!"]


def test_hostile_names_print_as_plain_text(client, lead):
    """Markup, url() and 200-character names print; the preview escapes them."""
    for name in HOSTILE:
        factories.make_asset(lead, name=name)
    values = {"org_line": '<img src="file:///etc/passwd">'}
    svg = preview(client, **values)
    root = ET.fromstring(svg)  # well-formed: nothing broke out of its element
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}image"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    shown = "".join(t.text for t in root.iter(f"{SVG}text"))
    # Long text is broken over lines and cut to fit, but what shows is the text
    # itself, as text.
    for start in ("<script>alert(", "url(file:///", "LongLong", "<img"):
        assert start in shown, start
    pdf = assert_pdf(client.form("/labels/pdf", job(**values)), f"labels-{L7160}")
    text = pdf_text(pdf)
    assert "root:x:0:0" not in text
    joined = text.replace("\n", "")  # lines broken anywhere read on, as on the label
    assert "<script>alert(" in joined and "url(file:///" in joined
    assert len(printed()) == 3


# Calibration and nudge ---------------------------------------------------------------


def test_calibration_page_downloads_as_one_page(client, lead):
    """GET /labels/calibrate?download=1 returns a one-page PDF at the sheet's size."""
    response = client.get("/labels/calibrate", query_string={"format": L7160, "download": "1"})
    info = pdf_info(assert_pdf(response, f"calibration-{L7160}"))
    assert info["Pages"] == "1"
    assert info["Page size"].startswith("595.276 x 841.89 pts")  # A4


def test_a_saved_nudge_moves_every_label(client, three):
    """nudge 1.5, -0.5 is saved and shifts every label in later previews by exactly that."""
    before = label_groups(preview(client))
    response = client.form(
        "/labels/calibrate", {"format": L7160, "nudge_x": "1.5", "nudge_y": "-0.5"}
    )
    assert response.status_code == 303
    row = LabelFormatSetting.get(LabelFormatSetting.name == L7160)
    assert (row.nudge_x_mm, row.nudge_y_mm, row.spec) == (1.5, -0.5, None)
    soup, _ = client.soup(response.headers["Location"])
    assert "+1.5 mm across and -0.5 mm down" in soup.select_one(".flash-ok").get_text()
    assert soup.select_one("#nudge_x")["value"] == "1.5"
    after = label_groups(preview(client))
    assert len(after) == len(before) == 3
    for (x0, y0, code0), (x1, y1, code1) in zip(before, after, strict=True):
        assert code0 == code1
        assert (round(x1 - x0, 3), round(y1 - y0, 3)) == (1.5, -0.5)
    other = label_groups(preview(client, format="avery-l7163"))
    assert (other[0][0], other[0][1]) == pytest.approx(FORMATS["avery-l7163"].cell(0))


@pytest.mark.parametrize(
    ("x", "y"), [("10.5", "0"), ("0", "-11"), ("abc", "0"), ("1", "nan"), ("inf", "0")]
)
def test_bad_nudges_are_refused(client, lead, x, y):
    """A nudge over 10 mm, or not a number, is 422 and nothing is saved."""
    response = client.form("/labels/calibrate", {"format": L7160, "nudge_x": x, "nudge_y": y})
    assert response.status_code == 422
    assert soup_of(response).select_one(".field.has-error p.error") is not None
    assert LabelFormatSetting.select().count() == 0


# Custom formats ----------------------------------------------------------------------

SPEC = {
    "name": "Office stickers",
    "title": "Office stickers 90 × 60",
    "page_width_mm": "210",
    "page_height_mm": "297",
    "columns": "2",
    "rows": "4",
    "label_width_mm": "90",
    "label_height_mm": "60",
    "corner_radius_mm": "2",
    "left_mm": "10",
    "top_mm": "20",
    "pitch_x_mm": "100",
    "pitch_y_mm": "65",
    "layout": "wide",
}


def test_a_custom_format_is_saved_listed_and_prints(client, three):
    """A sane spec is stored as custom-<name>, offered on the print page, and prints."""
    response = client.form("/labels/formats/new", SPEC)
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).query == "format=custom-office-stickers"
    row = LabelFormatSetting.get(LabelFormatSetting.name == "custom-office-stickers")
    assert row.spec["columns"] == 2 and row.spec["pitch_y_mm"] == 65.0
    soup, _ = client.soup("/labels")
    options = {o["value"]: o.get_text() for o in soup.select("#format option")}
    assert options["custom-office-stickers"] == "Office stickers 90 × 60"
    assert L7160 in options
    drawn = label_groups(preview(client, format="custom-office-stickers"))
    assert [(x, y) for x, y, _ in drawn] == [(10, 20), (110, 20), (10, 85)]
    response = client.form("/labels/pdf", job(format="custom-office-stickers"))
    pdf = assert_pdf(response, "labels-custom-office-stickers")
    assert pdf_info(pdf)["Pages"] == "1"
    assert {e.data["format"] for e in printed()} == {"custom-office-stickers"}


def test_a_format_that_runs_off_the_page_is_refused(client, lead):
    """Three 90 mm columns on A4: 422 naming the problem, and nothing saved."""
    response = client.form("/labels/formats/new", {**SPEC, "columns": "3"})
    assert response.status_code == 422
    message = soup_of(response).select_one(".flash-error").get_text(strip=True)
    assert message == "The labels run off the page: check margins, pitch and size."
    assert LabelFormatSetting.select().count() == 0
    soup, _ = client.soup("/labels")
    assert not [o for o in soup.select("#format option") if o["value"].startswith("custom-")]


# The worker's bounded queue ----------------------------------------------------------


@pytest.fixture
def busy(monkeypatch):
    """Every render slot is taken."""
    slots = threading.BoundedSemaphore(1)
    slots.acquire()
    monkeypatch.setattr(worker_module, "_slots", slots)


def test_a_full_queue_answers_busy_and_records_nothing(client, three, busy):
    """With no free render slot the download is 503 with "busy", and nothing is marked."""
    response = client.form("/labels/pdf", job())
    assert response.status_code == 503
    message = soup_of(response).select_one(".flash-error").get_text(strip=True)
    assert message == "The server is busy making other PDFs. Try again in a minute."
    assert printed() == []
    assert Asset.select().where(Asset.label_printed_at.is_null(False)).count() == 0


def test_a_full_queue_reserves_no_blank_labels(client, lead, busy):
    """Blank labels while busy: 503 like any print, and no codes are reserved."""
    response = client.form("/labels/blank", {"count": "5", "format": L7160})
    assert "busy" in soup_of(response).select_one(".flash-error").get_text()
    assert (response.status_code, LabelCode.select().count()) == (503, 0)


@pytest.mark.parametrize(
    ("accept", "decode"),
    [("br", "brotli"), ("gzip", "gzip")],
)
def test_compressed_previews_are_never_shared_between_selections(client, three, accept, decode):
    """A compressed preview is made for its own request: two selections in a row give
    two different images, each the same as the uncompressed one."""
    unpack = brotli.decompress if decode == "brotli" else gzip.decompress
    drawn = []
    for asset in three[:2]:
        query = job(choice="selected", asset=[asset.code])
        plain = client.get("/labels/preview.svg", query_string=query)
        packed = client.get(
            "/labels/preview.svg", query_string=query, headers={"Accept-Encoding": accept}
        )
        assert packed.headers.get("Content-Encoding") == accept
        image = unpack(packed.get_data()).decode()
        assert image == plain.get_data(as_text=True)
        drawn.append([code for _, _, code in label_groups(image)])
    assert drawn == [[pretty(three[0].code)], [pretty(three[1].code)]]


# A long line on a roll -------------------------------------------------------------

# 160 characters: what a roll has room for, short of its end, which a phone number is.
LONG_LINE = (
    "Property of Hinterbrook Community Workshop, Unit 4, Mill Lane, Hinterbrook HB1 2CD. "
    "If found please return it to the front desk or call +44 7946 0000 or 0161 555 0100"
)


@pytest.mark.parametrize("fmt", ["dymo-30252", "brother-dk-22205"])
def test_a_line_longer_than_a_roll_holds_is_cut_with_an_ellipsis_and_warned(client, lead, fmt):
    """The whole line reaches the label: what does not fit ends in an ellipsis,
    never mid-word with nothing to show it, and the print page says so first."""
    factories.make_asset(lead, name="Anvil")
    soup, _ = client.soup("/labels", query_string=job(format=fmt, org_line=LONG_LINE))
    warning = soup.select_one("#org-cut")
    assert warning is not None
    title = FORMATS[fmt].short_title
    assert warning.get_text(" ", strip=True).startswith(f"The line is cut on {title}: “")
    shown = warning.get_text(strip=True).split("“", 1)[1].split("”", 1)[0]
    assert shown.endswith("…") and LONG_LINE.startswith(shown[:-1].rstrip())
    pdf = assert_pdf(
        client.form("/labels/pdf", job(format=fmt, org_line=LONG_LINE)), f"labels-{fmt}"
    )
    lines = [line for line in pdf_text(pdf).splitlines() if line.strip()]
    footer = lines[lines.index("Anvil") + 1 :]
    assert " ".join(footer) == shown  # the label prints what the warning quotes
    assert len(printed()) == 1


def test_a_line_past_the_limit_is_refused_with_words(client, lead):
    """A line no label could hold is refused, saying so; nothing is recorded."""
    factories.make_asset(lead, name="Anvil")
    response = client.form("/labels/pdf", job(org_line="x" * 301))
    assert response.status_code == 422
    error = soup_of(response).select_one(".flash-error")
    assert "300 characters" in error.get_text()
    assert printed() == []


@pytest.mark.parametrize(
    ("choice", "marks"), [("all", True), ("locations", False)], ids=["assets", "locations"]
)
def test_the_download_hint_says_what_printing_records(client, three, choice, marks):
    """Under Download PDF: asset labels say printing marks them printed; location
    labels, whose printing records nothing, say nothing about marking."""
    factories.make_location("Workshop")
    soup, _ = client.soup("/labels", query_string=job(choice=choice))
    hint = soup.select_one("#download-pdf").find_parent("form").select("p.hint")[-1]
    words = hint.get_text(" ", strip=True)
    assert words.startswith("Print at 100 % / actual size.")
    assert ("Printing marks these assets' labels as printed." in words) is marks
    assert "marks" in words if marks else "mark" not in words
    client.form("/labels/pdf", job(choice=choice))
    assert bool(printed()) is marks


@pytest.mark.parametrize("url", ["/labels", "/labels/blank"])
def test_the_line_box_takes_as_much_as_the_server_allows(client, lead, url):
    """The browser must not cut a pasted line shorter than the server would take it,
    or a roll prints a silently shortened line with no warning. The print and
    blank-label pages have the one limit, and their number boxes theirs."""
    soup, _ = client.soup(url)
    assert soup.select_one("#org_line")["maxlength"] == str(rules.ORG_LINE_MAX)
    box, limit = ("#copies", rules.MAX_COPIES) if url == "/labels" else ("#count", MAX_BLANKS)
    assert soup.select_one(box)["max"] == str(limit)


def blank(**values) -> dict:
    """The fields the blank-labels form sends."""
    return {"count": "3", "format": "brother-dk-22205", "start": "1", "org_line": "", **values}


def test_blank_labels_warn_of_a_cut_line_before_printing_it(client, lead):
    """A line the roll cannot hold: the blank-labels page says so first, as the print
    page does, and reserves nothing; sending the same line again prints it cut."""
    response = client.form("/labels/blank", blank(org_line=LONG_LINE))
    assert (response.status_code, LabelCode.select().count()) == (422, 0)
    soup = soup_of(response)
    warning = soup.select_one("#org-cut").get_text(" ", strip=True)
    assert warning.startswith(f"The line is cut on {FORMATS['brother-dk-22205'].short_title}: “")
    shown = warning.split("“", 1)[1].split("”", 1)[0]
    assert shown.endswith("…") and LONG_LINE.startswith(shown[:-1].rstrip())
    assert soup.select_one("input[name=org_seen]")["value"] == LONG_LINE
    pdf = assert_pdf(
        client.form("/labels/blank", blank(org_line=LONG_LINE, org_seen=LONG_LINE)),
        "blank-labels-brother-dk-22205",
    )
    assert LabelCode.select().count() == 3
    assert " ".join(pdf_text(pdf).split()).count(" ".join(shown.split())) == 3


def test_blank_labels_print_a_line_that_fits_at_once(client, lead):
    """A line the stock holds prints without a second look, however long (a cap of
    120 characters once refused this one, which the print page takes)."""
    response = client.form("/labels/blank", blank(format="avery-l7163", org_line=LONG_LINE))
    text = " ".join(pdf_text(assert_pdf(response, "blank-labels-avery-l7163")).split())
    assert text.count(LONG_LINE) == 3
    assert LabelCode.select().count() == 3


def test_blank_labels_refuse_a_line_past_the_limit(client, lead):
    """Past the one limit the blank-labels page refuses as the print page does."""
    too_long = "x" * (rules.ORG_LINE_MAX + 1)
    response = client.form("/labels/blank", blank(format=L7160, org_line=too_long))
    assert (response.status_code, LabelCode.select().count()) == (422, 0)
    error = soup_of(response).select_one(".flash-error").get_text()
    assert f"at most {rules.ORG_LINE_MAX} characters" in error
