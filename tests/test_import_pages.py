"""The import pages: upload, preview, re-map, confirm once, dry run, refusals."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.models import Asset, Event
from app.register import uploads
from app.spreadsheets import imports, rules

from .import_kit import counts, sheet

LIMIT = uploads.limit_words()
GOOD = sheet('Item Name,Serial,Purchase Cost\nDrill,D1,£10\nSaw,S1,"1.234,50 €"\n')


def upload(client, data: bytes, name: str = "assets.csv"):
    # Encoded here: for big bodies the test client's own encoder spools to a
    # temporary file it never closes (a ResourceWarning under filterwarnings=error).
    fields = {"csrf_token": client.csrf_token(), "file": FileStorage(io.BytesIO(data), name)}
    boundary, body = encode_multipart(fields)
    return client.post(
        "/assets/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def preview_url(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def test_upload_preview_confirm(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, GOOD))
    page, response = client.soup(url)
    assert response.status_code == 200
    assert page.select_one("[data-count=new]").text == "2"
    chosen = [s.find("option", selected=True)["value"] for s in page.select("select[name=col]")]
    assert chosen == ["name", "serial", "cost_cents"]
    form = page.select_one("#import-confirm form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]") if i["name"] != "col"}
    data["col"] = [i["value"] for i in form.select("input[name=col]")]
    data["mode"] = "import"
    response = client.post(form["action"], data=data)
    assert response.status_code == 303
    assert sorted(a.cost_cents for a in Asset.select()) == [1000, 123450]
    kept = Path(client.application.instance_path) / "imports"
    assert not list(kept.glob("*.csv"))  # a committed upload is forgotten
    # A double tap (the same form again) imports nothing twice.
    before = counts()
    again = client.post(form["action"], data=data, follow_redirects=True)
    assert "already imported" in again.get_data(as_text=True)
    assert counts() == before


def test_dry_run_button_writes_nothing(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, GOOD))
    token = url.rsplit("/", 1)[1]
    response = client.form(url, {"col": ["name", "serial", "cost_cents"], "mode": "dry"})
    assert response.status_code == 200
    assert "would add 2" in soup(response).select_one("#dry-run").text
    assert counts() == (0, 0)
    assert imports.load(Path(client.application.instance_path) / "imports", token)


def test_mapping_adjusted_on_the_preview(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, sheet("Thing,Ref\nDrill,R-1\n")))
    page, _ = client.soup(url)
    assert page.select_one("#import-confirm form") is None  # nothing mapped to Name
    page, _ = client.soup(url + "?col=name&col=serial")
    assert page.select_one("[data-count=new]").text == "1"
    assert page.select_one("#import-confirm form") is not None
    page, response = client.soup(url + "?col=name&col=bogus")
    assert response.status_code == 422 and "damaged" in page.select_one(".flash-error").text


def test_row_errors_block_the_confirm(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, sheet("Name,Cost\nDrill,lots\n,5\n")))
    page, _ = client.soup(url)
    lines = {li["data-line"]: li.text for li in page.select("#import-errors li[data-line]")}
    assert set(lines) == {"2", "3"} and "not an amount" in lines["2"]
    assert page.select_one("#import-confirm form") is None
    response = client.form(url, {"col": ["name", "cost_cents"], "mode": "import"})
    assert response.status_code == 422 and counts() == (0, 0)


@pytest.mark.parametrize(
    "data, name, status, message",
    [
        (b"", "empty.csv", 422, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", 422, "binary"),
        (b"PK\x03\x04" + b"\0" * 100, "book.xlsx", 422, "workbook"),
        (b"Name\n" + b"x" * rules.MAX_BYTES, "huge.csv", 413, f"larger than {LIMIT}"),
    ],
)
def test_bad_uploads_are_refused_clearly(client, auth, data, name, status, message):
    auth.login("lead")
    response = upload(client, data, name)
    assert response.status_code == status
    assert message in soup(response).select_one(".flash-error").text
    assert not list((Path(client.application.instance_path) / "imports").glob("*.csv"))


def test_no_file_chosen(client, auth):
    auth.login("lead")
    response = client.form("/assets/import", {})
    assert response.status_code == 422


def test_unknown_or_old_upload(client, auth):
    auth.login("lead")
    page, response = client.soup("/assets/import/" + "0" * 32)
    assert response.status_code == 404 and "Upload the file again" in page.text
    folder = Path(client.application.instance_path) / "imports"
    token = imports.store(io.BytesIO(GOOD), "a.csv", folder)
    imports.cleanup(folder, now=(folder / f"{token}.csv").stat().st_mtime + 2 * 86400)
    assert client.get(f"/assets/import/{token}").status_code == 404


def test_members_cannot_import_or_export(client, auth):
    auth.login("member")
    assert upload(client, GOOD).status_code == 403
    assert client.get("/export/assets.csv").status_code == 403
    assert client.get("/export/history.csv").status_code == 403
    assert counts()[0] == 0 and not Event.select().exists()


def test_links_for_leads(client, auth):
    auth.login("lead")
    page, _ = client.soup("/assets")
    hrefs = {a["href"] for a in page.select("a")}
    assert {"/assets/import", "/export"} <= hrefs
    page, _ = client.soup("/activity")
    assert "/export" in {a["href"] for a in page.select("a")}
