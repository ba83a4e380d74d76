"""Other trackers' exports through the import pages: columns shown with what is
left out, a choice per unknown status value, the quantity choice, and the
choices carried to the confirm and remembered for the next file."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from app.models import Asset, Event, User

from .import_kit import counts
from .test_import_pages import preview_url, soup, upload

DATA = Path(__file__).parent / "data" / "imports"


def form_fields(form) -> MultiDict:
    """What a browser sends for a form: each input, each select's chosen option."""
    sent = MultiDict()
    for element in form.select("input[name], select[name]"):
        if element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            sent.add(element["name"], chosen["value"] if chosen else "")
        elif element.get("type") != "submit":
            sent.add(element["name"], element.get("value", ""))
    return sent


def choose(form, name: str, value: str) -> None:
    """Pick an option of the select with this id, as a person would."""
    select = form.select_one(f"select#{name}")
    for option in select.select("option"):
        if option["value"] == value:
            option["selected"] = "selected"
        elif option.has_attr("selected"):
            del option["selected"]


def again(client, page: BeautifulSoup) -> BeautifulSoup:
    """Press "Preview again" with the choices as they stand on the page."""
    form = page.select_one("form#mapping")
    response = client.get(form["action"], query_string=form_fields(form))
    assert response.status_code == 200, response.get_data(as_text=True)
    return soup(response)


def confirm(client, page: BeautifulSoup, mode: str = "import"):
    form = page.select_one("#import-confirm form")
    assert form is not None, page.select_one("#import-confirm").text
    sent = form_fields(form)
    sent["mode"] = mode
    return client.post(form["action"], data=sent)


def test_snipeit_statuses_chosen_on_the_preview(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, (DATA / "snipeit.csv").read_bytes(), "snipeit.csv"))
    page, _ = client.soup(url)
    assert page.select_one("#left-out").text == (
        "Left out: “ID”, “Company”, “Warranty Months”, “Asset EOL Date”"
    )
    labels = [label.text for label in page.select("#status-values label")]
    assert labels == ["“Undeployable” (2 rows) means", "“Pending Diagnostics” (1 row) means"]
    assert page.select_one("#import-confirm form") is None  # nothing imports until chosen
    alerts = [p.text for p in page.select("[role=alert]")]
    assert "2 status values are not ours: choose what each one means." in alerts

    choose(page, "status-undeployable", "faulty")
    page = again(client, page)
    assert page.select_one("#import-confirm form") is None  # one still to choose
    assert "1 status value is not ours" in page.text
    choose(page, "status-pendingdiagnostics", "in_repair")
    page = again(client, page)
    assert page.select_one("[data-count=new]").text == "7"
    response = confirm(client, page)
    assert response.status_code == 303, response.get_data(as_text=True)
    statuses = {a.name: a.status for a in Asset.select()}
    assert statuses["Spare laptop"] == statuses["Field camera"] == "faulty"
    assert statuses["Loan laptop"] == "in_repair" and statuses["Old tablet"] == "retired"
    assert Asset.get(Asset.name == "Board room screen").holder is None
    assert not User.select().where(User.name.in_(["Tom Reed", "Board room"])).exists()

    # The same header row again: the columns and statuses are remembered.
    before = counts()
    url = preview_url(upload(client, (DATA / "snipeit.csv").read_bytes(), "again.csv"))
    page, _ = client.soup(url)
    chosen = {
        s["name"]: s.find("option", selected=True)["value"]
        for s in page.select("#status-values select")
    }
    assert chosen == {"status-undeployable": "faulty", "status-pendingdiagnostics": "in_repair"}
    assert page.select_one("[data-count=unchanged]").text == "7"
    assert counts() == before


def test_a_mapping_chosen_on_the_preview_is_remembered(client, auth):
    auth.login("lead")
    data = (DATA / "shelf.csv").read_bytes()
    url = preview_url(upload(client, data))
    page, _ = client.soup(url)
    headers = [label.text for label in page.select("#mapping .field label[for^=col-]")]
    kit, custodian = headers.index("“kit” is"), headers.index("“custodian” is")
    choose(page, f"col-{kit}", "notes")
    choose(page, f"col-{custodian}", "")
    page = again(client, page)
    assert "“custodian”" in page.select_one("#left-out").text
    response = confirm(client, page)
    assert response.status_code == 303
    assert (
        Asset.get(Asset.name == "Sound desk").notes == "16-channel mixer for events\n\nEvent kit A"
    )
    assert not User.select().where(User.name == "Dana Ortiz").exists()
    url = preview_url(upload(client, data, "next.csv"))
    page, _ = client.soup(url)
    chosen = form_fields(page.select_one("form#mapping")).getlist("col")
    assert chosen[kit] == "notes" and chosen[custodian] == ""


def test_quantity_choice_on_the_preview(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, (DATA / "homebox.csv").read_bytes(), "homebox.csv"))
    page, _ = client.soup(url)
    assert page.select_one("#quantity option[selected]")["value"] == "each"
    assert page.select_one("[data-count=new]").text == "6"
    assert page.select_one("#import-confirm button.primary").text == "Import 3 rows"
    assert "“HB.sold_price”" in page.select_one("#left-out").text
    choose(page, "quantity", "one")
    page = again(client, page)
    assert page.select_one("[data-count=new]").text == "3"
    dry = soup(confirm(client, page, "dry"))
    assert "would add 3" in dry.select_one("#dry-run").text and counts() == (0, 0)
    response = confirm(client, page)
    assert response.status_code == 303
    clamp = Asset.get(Asset.name == "Bar clamp")
    assert Asset.select().count() == 3
    assert clamp.notes == "Quick-release clamp\nQuantity: 4"
    assert clamp.events.where(Event.kind == "created").count() == 1


def test_damaged_status_choice_is_a_message(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, (DATA / "snipeit.csv").read_bytes()))
    page, response = client.soup(url + "?status-undeployable=broken")
    assert response.status_code == 422
    assert "damaged" in page.select_one(".flash-error").text
    response = client.form(url, {"status-undeployable": "nonsense", "mode": "import"})
    assert response.status_code == 422 and counts()[0] == 0


@pytest.mark.parametrize(
    "name, statuses, assets",
    [
        (
            "snipeit.csv",
            {"status-undeployable": "faulty", "status-pendingdiagnostics": "missing"},
            7,
        ),
        ("snipeit_legacy.csv", {"status-inservice": "available"}, 4),
        ("homebox.csv", {}, 6),
        ("homebox_old.tsv", {}, 3),
        ("shelf.csv", {}, 6),
    ],
)
def test_each_system_imports_through_the_preview_and_again_changes_nothing(
    client, auth, name, statuses, assets
):
    auth.login("lead")
    data = (DATA / name).read_bytes()
    page, _ = client.soup(preview_url(upload(client, data, name)))
    for select, value in statuses.items():
        choose(page, select, value)
    if statuses:
        page = again(client, page)
    headers = [label.text[1:-4] for label in page.select("#mapping label[for^=col-]")]
    left_out = page.select_one("#left-out").text if page.select_one("#left-out") else ""
    chosen = form_fields(page.select_one("form#mapping")).getlist("col")
    for header, field in zip(headers, chosen, strict=True):
        assert field or f"“{header}”" in left_out  # nothing dropped without a word
    response = confirm(client, page)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert Asset.select().count() == assets
    before = counts()
    page, _ = client.soup(preview_url(upload(client, data, name)))
    assert page.select_one("[data-count=unchanged]").text == str(assets)
    assert page.select_one("#import-confirm form") is None
    assert "nothing to import" in page.select_one("#import-confirm").text
    assert counts() == before
