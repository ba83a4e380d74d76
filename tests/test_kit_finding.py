"""A kit in an audit walk (its label lists its items, each ticked on its own; opening
it ticks none), members finding a kit (the Kits list, the Menu, Find by code), and
one kit's label printed from its page."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from app.audits import audits
from app.codes import pretty
from app.kits import kits
from app.models import Asset, AuditTick, Event, Kit, User

from . import factories
from .label_kit import PUBLIC, assert_pdf, decode, pdf_text, printed


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.fixture
def lead(auth) -> User:
    return auth.login("lead")


@pytest.fixture
def camera(lead) -> dict:
    """A camera kit of a body and two lenses (Cameras) and a battery (Power)."""
    cameras, power = factories.make_category("Cameras"), factories.make_category("Power")
    gear = {
        name: factories.make_asset(lead, name=name, category=cat.id)
        for name, cat in (
            ("Camera body", cameras),
            ("Lens 1", cameras),
            ("Lens 2", cameras),
            ("Battery", power),
        )
    }
    kit = kits.create("Camera kit", "\n".join(a.code for a in gear.values()), actor=lead)
    return {"kit": kit, "cameras": cameras, **gear}


def band_rows(soup) -> dict[str, object]:
    """The audit band's items by name → the row (its "Seen ✓" form, or the done line)."""
    return {
        li.select_one(".row-main").get_text(strip=True): li
        for li in soup.select("#kit-audit .kit-audit-item")
    }


def test_walking_an_audit_the_kit_page_lists_the_expected_items_each_with_seen(
    client, lead, camera
):
    kit = camera["kit"]
    audit = audits.start("Cameras check", actor=lead, category_id=camera["cameras"].id)
    # Without walking an audit, the kit's page has no band.
    assert soup_of(client.get(f"/A/{kit.code}")).select_one("#kit-audit") is None
    client.form(f"/audits/{audit.id}/walk")  # "Walk this audit" on this device
    before = (AuditTick.select().count(), Event.select().count())
    soup = soup_of(client.get(f"/A/{kit.code}"))
    band = soup.select_one("#kit-audit")
    assert "Audit: Cameras check" in band.get_text(" ", strip=True)
    rows = band_rows(soup)
    # Only the items the audit expects; the battery is in another category.
    assert list(rows) == ["Camera body", "Lens 1", "Lens 2"]
    assert "1 item of this kit is not in this audit." in band.get_text(" ", strip=True)
    for row in rows.values():
        assert row.find("button").get_text(strip=True) == "Seen ✓"
    # Opening the kit's page proves nothing: no tick, no event.
    assert (AuditTick.select().count(), Event.select().count()) == before
    # One item's "Seen ✓" ticks that item alone and comes back to the kit's page.
    form = rows["Lens 1"].find("form")
    fields = {i["name"]: i["value"] for i in form.find_all("input")}
    assert fields["code"] == camera["Lens 1"].code
    response = client.form(form["action"], fields)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/A/{kit.code}")
    ticks = list(AuditTick.select().where(AuditTick.audit == audit.id))
    assert [t.asset_id for t in ticks] == [camera["Lens 1"].id]
    assert Asset.get_by_id(camera["Lens 1"].id).last_audited_at is not None
    assert Asset.get_by_id(camera["Lens 2"].id).last_audited_at is None
    after = band_rows(soup_of(client.get(f"/A/{kit.code}")))
    assert after["Lens 1"].find("form") is None
    assert "Seen by you" in after["Lens 1"].get_text(" ", strip=True)
    assert after["Lens 2"].find("button").get_text(strip=True) == "Seen ✓"


def test_a_finished_audit_leaves_no_band_on_the_kit_page(client, lead, camera):
    audit = audits.start("Spring", actor=lead)
    client.form(f"/audits/{audit.id}/walk")
    assert soup_of(client.get(f"/A/{camera['kit'].code}")).select_one("#kit-audit") is not None
    audits.close(audit.id, actor=lead)
    assert soup_of(client.get(f"/A/{camera['kit'].code}")).select_one("#kit-audit") is None


def test_a_member_finds_a_kit_on_the_kits_page_the_menu_and_find_by_code(client, auth, camera):
    kit = camera["kit"]
    auth.logout()
    auth.login("member")
    response = client.get("/kits")
    assert response.status_code == 200
    soup = soup_of(response)
    link = soup.select_one("#kits").find("a")
    assert link["href"] == f"/A/{kit.code}" and "Camera kit" in link.get_text(" ", strip=True)
    # Making a kit stays the leads': no form for a member, and a post is refused.
    assert soup.select_one("#kit-form") is None
    refused = client.form("/kits", {"name": "Mine", "items": camera["Lens 1"].code})
    assert refused.status_code == 403
    assert Kit.select().count() == 1
    assert soup_of(client.get("/menu")).find("a", href="/kits") is not None
    # Find by code takes a kit's code, as typed.
    found = client.get(f"/find?code={pretty(kit.code).lower()}")
    assert found.headers["Location"].endswith(f"/A/{kit.code}")
    page = soup_of(client.get(f"/A/{kit.code}"))
    assert page.select_one("#kit-name").get_text(strip=True) == "Camera kit"
    assert page.find("a", string="Edit kit…") is None


def test_a_lead_prints_one_kits_label_from_its_page(client, lead, camera, tmp_path):
    radio = factories.make_asset(lead, name="Radio")
    kit, other = camera["kit"], kits.create("Radio kit", radio.code, actor=lead)
    soup = soup_of(client.get(f"/A/{kit.code}"))
    link = next(a for a in soup.select("#kit-card a") if a.get_text(strip=True) == "Print label")
    page = soup_of(client.get(link["href"]))
    chosen = page.find("input", attrs={"name": "choice", "checked": True})
    assert chosen["value"] == "kit"
    assert "This kit: Camera kit" in chosen.parent.get_text(" ", strip=True)
    download = page.find("form", attrs={"action": "/labels/pdf"})
    fields = [(i["name"], i["value"]) for i in download.find_all("input")]
    response = client.post("/labels/pdf", data=dict(fields))
    pdf = assert_pdf(response, "labels-avery-l7160")
    words = " ".join(pdf_text(pdf).split())
    assert "Kit · Camera kit" in words and "Radio kit" not in words
    assert pretty(kit.code) in words and pretty(other.code) not in words
    # One label, its QR opening the kit's page; no item's label is marked printed.
    assert decode(pdf, tmp_path / "raster") == [f"{PUBLIC}/A/{kit.code}"]
    assert printed() == []


def test_only_leads_get_a_kits_print_label_link_and_a_gone_kit_is_said(client, auth, camera):
    kit = camera["kit"]
    missing = client.get("/labels", query_string={"choice": "kit", "kit": "ZZZZZZ"})
    assert missing.status_code == 422
    assert "That kit is not there any more" in soup_of(missing).get_text(" ", strip=True)
    auth.logout()
    auth.login("member")
    soup = soup_of(client.get(f"/A/{kit.code}"))
    assert not [a for a in soup.find_all("a") if a.get_text(strip=True) == "Print label"]
    assert client.get("/labels", query_string={"choice": "kit", "kit": kit.code}).status_code == 403
