"""What the import says: a file over the limit at any size, a whole column's
problem once, a problem many rows share with at most ten row numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.register import uploads
from app.spreadsheets import rules

from .import_kit import counts, preview, sheet
from .test_import_pages import soup, upload

MB = uploads.MEGABYTE


@pytest.mark.parametrize("size", [rules.MAX_BYTES + 1, 12 * MB, 30 * MB])
def test_a_file_over_the_limit_gets_the_import_page_at_every_size(client, auth, size):
    auth.login("lead")
    response = upload(client, b"Name\n" + b"x" * size, "huge.csv")
    assert response.status_code == 413
    page = soup(response)
    assert page.h1.text == "Import a spreadsheet"
    assert f"larger than {uploads.limit_words()}" in page.select_one(".flash-error").text
    assert page.select_one("input[name=file]") is not None  # the person can try again
    assert not list((Path(client.application.instance_path) / "imports").glob("*.csv"))
    assert counts() == (0, 0)


def test_the_request_cap_stays_for_other_pages(client, auth, app):
    """Only the import page answers in its own words; the cap itself is unchanged."""
    assert app.config["MAX_CONTENT_LENGTH"] <= rules.MAX_BYTES + MB
    auth.login("lead")
    token = client.csrf_token()
    response = client.post("/assets/new", data={"csrf_token": token, "name": "x" * (12 * MB)})
    assert response.status_code == 413
    assert "Import a spreadsheet" not in response.get_data(as_text=True)


def test_a_member_over_the_limit_gets_the_plain_page(client, auth):
    auth.login("member")
    response = upload(client, b"Name\n" + b"x" * (12 * MB), "huge.csv")
    assert response.status_code in (403, 413)
    assert "Import a spreadsheet" not in response.get_data(as_text=True)


def _preview_page(client, data: bytes):
    from .test_import_pages import preview_url

    return client.soup(preview_url(upload(client, data)))


def _cli(app, monkeypatch, tmp_path, data: bytes):
    from click.testing import CliRunner

    from app.cli import main

    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    source = tmp_path / "sheet.csv"
    source.write_bytes(data)
    return CliRunner().invoke(main, ["import-csv", str(source)])


NO_NAME = sheet("Serial,Category\n" + "".join(f"S{n},Tools\n" for n in range(50)))
WRONG_COLUMN = sheet("Name,Cost\n" + "".join(f"Drill {n},LAP-{n}\n" for n in range(40)))
DUE_WITHOUT_HOLDER = sheet(
    "Name,Due back\n" + "".join(f"Drill {n},2030-01-01\n" for n in range(127))
)


def test_no_name_column_is_said_once(client, auth, app, monkeypatch, tmp_path):
    from app.spreadsheets import messages

    auth.login("lead")
    page, response = _preview_page(client, NO_NAME)
    assert response.status_code == 200
    text = page.get_text()
    assert text.count("No column is the asset's name: choose one") == 1
    assert "A new asset needs a name" not in text
    assert page.select("#import-errors li[data-line]") == []
    assert page.select_one("#import-confirm form") is None
    result = _cli(app, monkeypatch, tmp_path, NO_NAME)
    assert result.exit_code == 1
    assert result.output.count(messages.NO_NAME_COLUMN) == 1
    assert "needs a name" not in result.output.replace(messages.NO_NAME_COLUMN, "")


def test_a_column_none_of_whose_values_reads_is_said_at_the_column(client, auth, app):
    auth.login("lead")
    page, _ = _preview_page(client, WRONG_COLUMN)
    said = page.select_one("#col-1-error").get_text()
    assert "“Cost”" in said and "row 2: “LAP-0” is not an amount" in said
    assert "has-error" in page.select_one("#col-1-error").parent["class"]
    assert page.get_text().count("is not an amount") == 1
    assert page.select("#import-errors li") == []
    assert page.select_one("#import-confirm form") is None
    # Leaving the column out clears it, and the rows import.
    page, _ = client.soup(page.select_one("#mapping")["action"] + "?col=name&col=")
    assert page.select_one("#col-1-error") is None
    assert page.select_one("[data-count=new]").text == "40"


def test_a_few_bad_values_stay_on_their_rows(client, auth):
    auth.login("lead")
    data = sheet("Name,Cost\nDrill,5\nSaw,lots\nPlane,many\nLevel,heaps\n")
    page, _ = _preview_page(client, data)
    assert page.select_one("#col-1-error") is None
    lines = [li["data-line"] for li in page.select("#import-errors li[data-line]")]
    assert lines == ["3", "4", "5"]


def test_a_message_many_rows_share_lists_ten_row_numbers(client, auth, app, monkeypatch, tmp_path):
    auth.login("lead")
    page, _ = _preview_page(client, DUE_WITHOUT_HOLDER)
    shared = page.select("#import-shared li")
    assert len(shared) == 1 and shared[0]["data-rows"] == "127"
    text = shared[0].get_text()
    assert "Due back is set but the item is not checked out to anyone." in text
    assert "Rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 117 more." in text
    assert page.select("#import-errors li[data-line]") == []
    assert page.select_one("[data-count=error]").text == "127"
    result = _cli(app, monkeypatch, tmp_path, DUE_WITHOUT_HOLDER)
    assert result.exit_code == 1
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 117 more: Due back is set" in result.output
    assert "row 12:" not in result.output


def test_the_same_tag_on_many_rows_names_ten_of_them(app):
    with app.app_context():
        data = sheet("Name,Asset tag\n" + "".join(f"Drill {n},LAP-1\n" for n in range(158)))
        result = preview(data)
    message = (
        "Rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 148 more are the same external tag: keep one."
    )
    assert all(r.errors == [message] for r in result.rows)
