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
    # The top of the page says what blocks the import, and links to the questions.
    blocker = page.select_one("#import-blockers[role=alert] li a")
    assert blocker.text == "2 status values need an answer"
    assert blocker["href"] == "#status-values" and page.select_one("#status-values")
    # The import button is there, disabled, and says why.
    button = page.select_one("#import-confirm button.primary")
    assert button.has_attr("disabled") and button.text == "Import 7 rows"
    why = page.select_one("#" + button["aria-describedby"])
    assert "Nothing can be imported yet: 2 status values need an answer" in why.text
    assert why.select_one("a[href='#status-values']")
    # The columns fold away: on a phone the questions are all that is open.
    assert not page.select_one("details#columns").has_attr("open")

    choose(page, "status-undeployable", "faulty")
    page = again(client, page)
    assert page.select_one("#import-confirm form") is None  # one still to choose
    assert page.select_one("#import-blockers li").text == "1 status value needs an answer"
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
    # Rows and assets counted apart: 3 rows, two with a quantity, make 6 assets.
    assert "homebox.csv · 3 rows, 6 assets." in page.select_one("#import-size").text
    # Headers as a person says them, the file's own beside them in small print.
    assert "“Sold price”" in page.select_one("#left-out").text
    assert "HB." not in page.select_one("#left-out").text
    label = page.select_one("label[for=col-2]")
    assert label.text == "“Labels” is"
    assert label.find_next_sibling("small").text == "HB.labels"
    choose(page, "quantity", "one")
    page = again(client, page)
    assert page.select_one("[data-count=new]").text == "3"
    assert "homebox.csv · 3 rows." in page.select_one("#import-size").text
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


def test_the_preview_says_why_a_tag_is_a_code_or_an_old_tag(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, (DATA / "snipeit.csv").read_bytes(), "snipeit.csv"))
    page, _ = client.soup(url)
    why = [p.get_text() for p in page.select("#import-new .tag-why")]
    assert len(why) == 2
    assert why[0].startswith("TV-0007 is kept as the asset's code: it reads as a tagtrail code")
    assert why[1].startswith("LAP-0101 is kept as the asset's old tag, not its code")
    assert "Find by code finds it by the old tag too" in why[1]
    rows = {li["data-line"]: li.get_text() for li in page.select("#import-new li")}
    assert "old tag LAP-0101" in rows["2"] and "keeps code" in rows["3"]


def test_find_by_code_finds_an_old_tag_an_import_kept(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, (DATA / "snipeit.csv").read_bytes(), "snipeit.csv"))
    page, _ = client.soup(url)
    choose(page, "status-undeployable", "faulty")
    choose(page, "status-pendingdiagnostics", "in_repair")
    assert confirm(client, again(client, page)).status_code == 303
    laptop = Asset.get(Asset.name == "Design laptop")
    assert laptop.external_tag == "LAP-0101" and laptop.code != "LAP0101"
    for typed in ("LAP-0101", " lap-0101 "):
        response = client.get("/find", query_string={"code": typed})
        assert response.status_code == 302, typed
        assert response.headers["Location"].endswith(f"/A/{laptop.code}")
    # The kept code still finds its asset as a code.
    screen = Asset.get(Asset.name == "Board room screen")
    response = client.get("/find", query_string={"code": "tv-0007"})
    assert response.headers["Location"].endswith(f"/A/{screen.code}")
    # Two assets with one old tag: the list shows both.
    Asset.update(external_tag="lap-0101").where(Asset.name == "Spare laptop").execute()
    response = client.get("/find", query_string={"code": "LAP-0101"})
    assert "/assets?q=LAP-0101" in response.headers["Location"]
    assert client.get("/find", query_string={"code": "LAP-9999"}).status_code == 404
    # Signed out, an old tag tells a stranger nothing.
    auth.logout()
    assert client.get("/find", query_string={"code": "LAP-0102"}).status_code == 404


def test_the_file_picker_takes_tab_separated_and_plain_text_files(client, auth):
    auth.login("lead")
    page, _ = client.soup("/assets/import")
    accepted = page.select_one("input#file[type=file]")["accept"].split(",")
    for kind in (".csv", ".tsv", ".txt", "text/csv", "text/tab-separated-values", "text/plain"):
        assert kind in accepted
    data = (DATA / "homebox_old.tsv").read_bytes()
    page, _ = client.soup(preview_url(upload(client, data, "homebox_old.tsv")))
    assert page.select_one("[data-count=new]").text == "3"
