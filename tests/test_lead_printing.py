"""A lead's printing journey through the app (issue: lead and owner journeys):
calibration saves the nudge for the stock on screen, every print form starts on
the stock for the organisation's paper size, and the print page says truly where
the chosen assets came from."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from app.cli import main
from app.models import Asset, LabelFormatSetting, Setting, User
from app.ops import settings

from . import factories
from .label_kit import assert_pdf, pdf_info
from .pages import soup_of

L7160, L7651, US5160 = "avery-l7160", "avery-l7651", "avery-5160"
SETUP = {
    "org_name": "Main Street Makerspace",
    "public_url": "http://tags.example.test",
    "name": "Lee Lead",
    "email": "lee@example.test",
    "password": "a-long-password",
}


@pytest.fixture
def lead(auth):
    return auth.login("lead")


def submitted(soup: BeautifulSoup, button_text: str, **changes) -> tuple[str, dict]:
    """What a browser without JavaScript sends when `button_text` is pressed after
    the person changed `changes`: the fields of that button's own form only."""
    button = next(
        b
        for b in soup.select("main button")
        if b.get_text(strip=True) == button_text and not b.has_attr("hidden")
    )
    form = button.find_parent("form")
    data, visible = {}, set()
    for control in form.find_all(["input", "select", "textarea"]):
        name = control.get("name")
        if not name or control.get("type") in ("submit", "button"):
            continue
        if control.get("type") != "hidden":
            visible.add(name)
        if control.name == "select":
            chosen = control.find("option", selected=True) or control.find("option")
            data[name] = chosen.get("value", "")
        else:
            data[name] = control.get("value", "")
    for name, value in changes.items():
        assert name in visible, f"the form of {button_text!r} shows no field {name!r}"
        data[name] = value
    if button.get("name"):
        data[button["name"]] = button.get("value", "")
    return form["action"], data


# Calibrate ---------------------------------------------------------------------------


def test_a_nudge_is_saved_for_the_stock_chosen_beside_it(client, lead):
    """Change the stock, type a nudge, press Save nudge (no "Show nudge" first, no
    JavaScript): the nudge is saved for the stock chosen, and the other is untouched."""
    soup, _ = client.soup("/labels/calibrate")
    assert soup.select_one("select[name=format] option[selected]")["value"] == L7160
    action, data = submitted(soup, "Save nudge", format=L7651, nudge_x="1.5", nudge_y="-0.5")
    response = client.post(action, data=data)
    assert response.status_code == 303
    saved = {r.name: (r.nudge_x_mm, r.nudge_y_mm) for r in LabelFormatSetting.select()}
    assert saved == {L7651: (1.5, -0.5)}
    after, _ = client.soup(response.headers["Location"])
    assert after.select_one("select[name=format] option[selected]")["value"] == L7651
    assert after.select_one("#nudge_x")["value"] == "1.5"


def test_show_and_download_use_the_stock_chosen_and_save_nothing(client, lead):
    """The same form's other buttons: "Show nudge" goes to that stock's page; the
    download is that stock's calibration page; neither saves a nudge."""
    soup, _ = client.soup("/labels/calibrate")
    action, data = submitted(soup, "Show nudge", format=L7651, nudge_x="3")
    response = client.post(action, data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/labels/calibrate?format={L7651}")
    action, data = submitted(soup, "Download calibration page", format=US5160, nudge_x="3")
    info = pdf_info(assert_pdf(client.post(action, data=data), f"calibration-{US5160}"))
    assert info["Page size"].startswith("612 x 792 pts")  # US Letter
    assert LabelFormatSetting.select().count() == 0


def test_a_nudge_for_an_unknown_stock_is_refused_with_words(client, lead):
    """A damaged or stale stock name is a 422 with a message, and nothing is saved."""
    response = client.form(
        "/labels/calibrate", {"format": "avery-none", "nudge_x": "1", "nudge_y": "0"}
    )
    assert response.status_code == 422
    assert "Choose a label format" in soup_of(response).select_one("main p.error").get_text()
    assert LabelFormatSetting.select().count() == 0


# Paper size ----------------------------------------------------------------------------


def _stock_on(client, url: str) -> str:
    soup, response = client.soup(url)
    assert response.status_code == 200, url
    return soup.select_one("main select[name=format] option[selected]")["value"]


FORMS = ("/labels", "/labels?choice=locations", "/labels/blank", "/labels/calibrate")


@pytest.mark.parametrize(("paper", "stock"), [("a4", L7160), ("letter", US5160)])
def test_set_up_asks_the_paper_size_and_every_print_form_starts_on_its_stock(client, paper, stock):
    """Set-up with A4 or US Letter stores it; the print, location, blank and
    calibration forms all start on that paper's stock, and so does the preview."""
    soup, _ = client.soup("/setup")
    radios = soup.select("main input[type=radio][name=paper_size]")
    assert [r["value"] for r in radios] == ["a4", "letter"]
    response = client.form("/setup", {**SETUP, "paper_size": paper})
    assert response.status_code == 303
    assert Setting.get(Setting.key == "paper_size").value == paper
    client.get("/logout")
    factories.make_user("lead", email="lead@example.test")
    client.form("/login", {"email": "lead@example.test", "password": factories.PASSWORD})
    for url in FORMS:
        assert _stock_on(client, url) == stock, url
    # Blank labels offer one sheet of that stock: 21 on L7160, 30 on 5160.
    soup, _ = client.soup("/labels/blank")
    assert soup.select_one("main input[name=count]")["value"] == (
        "30" if paper == "letter" else "21"
    )
    preview = client.get("/labels/preview.svg").get_data(as_text=True)
    wide = "215.9mm" if paper == "letter" else "210mm"
    assert f'width="{wide}"' in preview or f"width='{wide}'" in preview


def test_a_database_from_before_the_choice_prints_on_a4(client, lead):
    """No paper size saved (an older database): A4 stock, as before."""
    assert not Setting.select().where(Setting.key == "paper_size").exists()
    for url in FORMS:
        assert _stock_on(client, url) == L7160, url


def test_settings_change_the_paper_size_and_refuse_others(client, auth):
    """An admin switches to US Letter on Settings; forms follow. A made-up size is a
    422 with words and changes nothing."""
    auth.login("admin")
    soup, _ = client.soup("/admin/settings")
    assert soup.select_one("input[name=paper_size][checked]")["value"] == "a4"
    values = {
        "org_name": "Works",
        "public_url": "http://tags.example.test",
        "timezone": "UTC",
        "audit_interval_days": "90",
    }
    bad = client.form("/admin/settings", {**values, "paper_size": "a3"})
    assert bad.status_code == 422
    assert "Choose A4 or US Letter." in soup_of(bad).select_one("fieldset p.error").get_text()
    assert not Setting.select().where(Setting.key == "paper_size").exists()
    assert client.form("/admin/settings", {**values, "paper_size": "letter"}).status_code == 303
    assert settings.saved()["paper_size"] == "letter"
    soup, _ = client.soup("/admin/settings")
    assert soup.select_one("input[name=paper_size][checked]")["value"] == "letter"
    assert _stock_on(client, "/labels/calibrate") == US5160


def test_set_up_with_a_made_up_paper_size_creates_nobody(client):
    """A tampered set-up form: 422, the message beside the choice, no user, no settings."""
    response = client.form("/setup", {**SETUP, "paper_size": "tabloid"})
    assert response.status_code == 422
    assert "Choose A4 or US Letter." in soup_of(response).select_one("fieldset p.error").get_text()
    assert User.select().count() == 0
    assert Setting.select().count() == 0


def test_the_command_line_defaults_to_the_paper_sizes_stock(app, monkeypatch, tmp_path):
    """`tagtrail labels --calibrate` without --format uses the organisation's paper."""
    with app.app_context():
        settings.save({"paper_size": "letter"})
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    out = tmp_path / "calibration.pdf"
    result = CliRunner().invoke(main, ["labels", "--calibrate", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pdf_info(out.read_bytes())["Page size"].startswith("612 x 792 pts")


# Where the chosen assets came from -----------------------------------------------------


def _chosen_words(soup) -> str:
    radio = soup.select_one("main input[name=choice][value=selected]")
    return radio.find_parent("label").get_text(" ", strip=True)


def test_after_a_relabel_the_print_page_names_the_asset_not_ticks(client, lead):
    """Re-label lands on the print page with that one asset chosen: it is named, and
    nothing says it was ticked in the asset list."""
    asset = factories.make_asset(lead, name="Harness #7")
    response = client.form(f"/A/{asset.code}/relabel")
    assert response.status_code == 303
    soup, _ = client.soup(response.headers["Location"])
    words = _chosen_words(soup)
    assert "ticked" not in words
    assert words.startswith("This asset: Harness #7")
    fresh = Asset.get_by_id(asset.id)
    assert fresh.code[:3] in words.replace("-", "")
    assert soup.select_one("main input[name=choice][value=selected]").has_attr("checked")


def test_the_asset_pages_print_link_names_the_asset(client, lead):
    """The "Print label" link on an asset's page: the same words, no ticks."""
    asset = factories.make_asset(lead, name="Bandsaw")
    soup, _ = client.soup(f"/A/{asset.code}")
    link = next(a for a in soup.select("main a") if a.get_text(strip=True) == "Print label")
    words = _chosen_words(client.soup(link["href"])[0])
    assert words.startswith("This asset: Bandsaw") and "ticked" not in words


def test_ticks_from_the_asset_list_are_called_ticks(client, lead):
    """From the list's "Print labels for ticked" form the page says how many were
    ticked, and says it again after Preview."""
    two = [factories.make_asset(lead, name=n) for n in ("Anvil", "Chisel set")]
    soup, _ = client.soup("/assets")
    form = soup.select_one("form#print-form")
    query = [(i["name"], i["value"]) for i in form.select("input[type=hidden]")]
    query += [("asset", a.code) for a in two]
    page, _ = client.soup(form["action"], query_string=query)
    assert _chosen_words(page) == "The 2 ticked in the asset list"
    again = [
        (i["name"], i["value"]) for i in page.select("main form[method=get] input[type=hidden]")
    ]
    preview, _ = client.soup("/labels", query_string=[*again, ("choice", "selected")])
    assert _chosen_words(preview) == "The 2 ticked in the asset list"
