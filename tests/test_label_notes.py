"""The print page says beside the stock, before anyone prints, what the labels
will lose for room: QR modules too small for an easy scan, an organisation line
or external tag cut or left off. And location labels through the app look like
location labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import labels
from app.database import write
from app.models import Asset

from . import factories
from .label_kit import FORMATS, PUBLIC, SVG, assert_pdf, decode

ORG = "Property of Acme Tools Ltd — if found please call 0161 555 0100"
TOO_LONG = ORG + " or write to Acme Tools Ltd, 1 Long Lane, Manchester M1 1AA, United Kingdom"


@pytest.fixture
def lead(auth):
    return auth.login("lead")


def job(**values) -> dict:
    return {"choice": "all", "format": "avery-l7160", "start": "1", "copies": "1", **values}


def notes(client, **values):
    soup, response = client.soup("/labels", query_string=job(**values))
    assert response.status_code == 200
    box = soup.select_one("#stock-notes")
    # Beside the stock: in the same field as its select.
    assert box is not None and box.find_parent(class_="field").select_one("select#format")
    return box


def preview_lines(client, role: str, **values) -> list[str]:
    svg = client.get("/labels/preview.svg", query_string=job(**values)).get_data(as_text=True)
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("class") == role]


@pytest.mark.parametrize("name", FORMATS)
def test_the_stock_note_gives_the_module_size_for_this_address(client, lead, name):
    factories.make_asset(lead, name="Drill")
    size = labels.module_mm(FORMATS[name], labels.qr_url(PUBLIC, "A", "000000"))
    for query in (job(format=name), {"format": name}):  # after Preview, and before
        soup, _ = client.soup("/labels", query_string=query)
        note = soup.select_one("#module-size").get_text(" ", strip=True)
        assert f"{size:.2f} mm" in note
        small = "scan from closer than 20 cm" in note
        assert small == (name in {"avery-5167", "avery-l4732"}), (name, note)


def test_a_cut_org_line_is_named_before_printing(client, lead):
    factories.make_asset(lead, name="Angle grinder #12")
    box = notes(client, org_line=TOO_LONG)
    warning = box.select_one("#org-cut").get_text(" ", strip=True)
    shown = " ".join(preview_lines(client, "org", org_line=TOO_LONG))
    assert warning.startswith("The line is cut on Avery L7160: “")
    assert f"“{shown}”" in warning and shown.endswith("…")


def test_an_org_line_that_fits_gets_no_warning_and_wraps(client, lead):
    factories.make_asset(lead, name="Angle grinder #12")
    assert notes(client, org_line=ORG).select_one("#org-cut") is None
    shown = preview_lines(client, "org", org_line=ORG)
    assert len(shown) >= 2 and " ".join(shown) == ORG


def test_on_l7651_the_line_is_said_to_be_left_off_and_names_keep_two_lines(client, lead):
    factories.make_asset(lead, name="Angle grinder #12")
    box = notes(client, format="avery-l7651", org_line=ORG)
    assert box.select_one("#org-cut").get_text(" ", strip=True) == (
        "The line is left off Avery L7651 labels: they are too small for it."
    )
    assert preview_lines(client, "org", format="avery-l7651", org_line=ORG) == []
    names = preview_lines(client, "name", format="avery-l7651", org_line=ORG)
    assert " ".join(names) == "Angle grinder #12"


def test_a_cut_external_tag_is_named_before_printing(client, lead):
    tag = "ACME-WORKSHOP-EQUIPMENT-REGISTER-ENTRY-000123"
    asset = factories.make_asset(lead, name="Drill")
    other = factories.make_asset(lead, name="Saw")
    with write():
        Asset.update(external_tag=tag).where(Asset.id == asset.id).execute()
        Asset.update(external_tag="T-7").where(Asset.id == other.id).execute()
    warning = notes(client, format="avery-l7651", tags="1").select_one("#tags-cut")
    shown = "".join(preview_lines(client, "tag", format="avery-l7651", tags="1")[:-1])
    text = warning.get_text(" ", strip=True)
    assert text.startswith(f"External tags are cut on Avery L7651: {tag} (prints as “")
    assert shown in text and "T-7" not in text
    assert notes(client, format="avery-l7651").select_one("#tags-cut") is None  # not asked


def test_location_labels_through_the_app_are_banded_and_decode(client, lead, tmp_path):
    site = factories.make_location("North site")
    room = factories.make_location("Tool crib", parent=site)
    svg = client.get("/labels/preview.svg", query_string=job(choice="locations"))
    root = ET.fromstring(svg.get_data(as_text=True))
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "band"]) == 2
    words = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "kind"]
    assert words == ["LOCATION", "LOCATION"]
    pdf = assert_pdf(client.form("/labels/pdf", job(choice="locations")), "labels-avery-l7160")
    assert sorted(decode(pdf, tmp_path / "r")) == sorted(
        f"{PUBLIC}/L/{place.code}" for place in (site, room)
    )


@pytest.mark.parametrize("stock", ["avery-l7651", "avery-l7160", "avery-5160"])
def test_every_demo_name_prints_whole(app, client, auth, stock):
    """Demo data names items "Angle grinder #12": each label must show the whole
    name, with or without the organisation line, so identical items can be told
    apart (on L7651 the line once took the room and cut 50 of them to one line)."""
    from app.ops import demo

    with app.app_context():
        demo.build(password="a-long-demo-password", force=True)
    auth.login("lead")
    names = {a.code: a.name for a in Asset.select().where(Asset.status != "retired")}
    for org_line in ("", ORG):
        svg = client.get("/labels/preview.svg", query_string=job(format=stock, org_line=org_line))
        shown = {}
        for group in ET.fromstring(svg.get_data(as_text=True)).findall(f"{SVG}g"):
            texts = list(group.iter(f"{SVG}text"))
            code = next(t.text for t in texts if t.get("class") == "code").replace("-", "")
            shown[code] = " ".join(t.text for t in texts if t.get("class") == "name")
        assert shown, stock
        assert all(shown[code] == names[code] for code in shown), {
            code: text for code, text in shown.items() if text != names[code]
        }
