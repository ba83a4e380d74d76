"""Files whose encoding is not written in them: old Mac exports (Mac Roman,
carriage returns only), Windows code pages. Read as the likeliest, named as a
guess, and the person can choose another; binary files are still refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.errors import Invalid
from app.models import Asset, Location
from app.spreadsheets import values as iv

from .import_kit import run, sheet
from .test_import_pages import preview_url, soup, upload

MAC_ROMAN = (Path(__file__).parent / "data" / "imports" / "mac-roman-cr.csv").read_bytes()
NAMES = ["Façade lamp", "Fête banner", "Café table"]


def test_mac_roman_with_carriage_returns_reads_as_rows():
    assert b"\n" not in MAC_ROMAN and b"\x8d" in MAC_ROMAN  # undefined in Windows-1252
    table = iv.read_table(MAC_ROMAN)
    assert table.encoding == "mac_roman" and table.encoding_guessed
    assert [row[1] for _, row in table.rows] == NAMES
    assert [line for line, _ in table.rows] == [2, 3, 4]
    assert table.rows[1][1][4] == "où est-il ?"


@pytest.mark.parametrize(
    "data",
    [
        "Name,Notes\rCafé,Zürich\r".encode("mac_roman"),  # decodes as Windows-1252 too
        b"Name,Notes\r\nBox,\x81\x8d\x8f\x90\x9d\r\n",  # only bytes Windows-1252 leaves out
    ],
)
def test_text_that_is_not_windows_1252_is_never_binary(data):
    table = iv.read_table(data)
    assert table.encoding_guessed and table.encoding == "mac_roman"
    assert table.rows[0][1][0] in ("Café", "Box")


def test_certain_encodings_are_not_guesses():
    for data, codec in [
        ("\ufeffName\r\nCafé\r\n".encode(), "utf-8"),
        ("Name\r\nCafé\r\n".encode(), "utf-8"),
        ("Name\tCost\r\nCafé\t£5\r\n".encode("utf-16"), "utf-16"),
    ]:
        table = iv.read_table(data)
        assert (table.encoding, table.encoding_guessed) == (codec, False)


def test_windows_1252_is_still_read_as_windows_1252():
    table = iv.read_table("Name;Notes\r\nCafé;“smart” – €5\r\n".encode("cp1252"))
    assert table.encoding == "cp1252" and table.rows[0][1] == ["Café", "“smart” – €5"]


def test_a_chosen_encoding_overrules_the_guess():
    table = iv.read_table(MAC_ROMAN, "iso8859_1")
    assert table.encoding_chosen and not table.encoding_guessed
    assert table.rows[0][1][1] != NAMES[0]
    with pytest.raises(Invalid) as caught:
        iv.read_table(MAC_ROMAN, "utf-8")
    assert "cannot be read as UTF-8" in caught.value.errors["encoding"]
    with pytest.raises(Invalid):
        iv.read_table(MAC_ROMAN, "ebcdic")
    # The names people write for the same encodings are understood.
    assert iv.read_table(MAC_ROMAN, "Mac Roman").encoding == "mac_roman"
    assert iv.read_table(MAC_ROMAN, "latin-1").encoding == "iso8859_1"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"Name\r\nA\x00B\r\n",
        bytes(range(1, 32)) * 20,
    ],
)
def test_binary_files_are_still_refused(data):
    with pytest.raises(Invalid) as caught:
        iv.read_table(data)
    assert "binary" in caught.value.errors["file"]


def test_service_imports_mac_roman(app):
    with app.app_context():
        summary = run(MAC_ROMAN)
        assert summary.new == 3
        assert sorted(a.name for a in Asset.select()) == sorted(NAMES)
        assert {loc.name for loc in Location.select()} == {"Åland office", "Zürich store"}


def test_preview_names_the_guess_and_a_choice_travels_to_the_import(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, MAC_ROMAN, "old-mac.csv"))
    page, _ = client.soup(url)
    assert "Read as Mac Roman (a guess)" in page.select_one("#import-encoding").text
    select = page.select_one("select[name=encoding]")
    assert select.find("option", selected=True)["value"] == "mac_roman"
    assert {"utf-8", "cp1252", "mac_roman", "iso8859_1", "utf-16"} <= {
        o["value"] for o in select.find_all("option")
    }
    # Choosing another encoding re-reads the file, and the choice goes with the confirm form.
    page, response = client.soup(url + "?encoding=iso8859_1")
    assert response.status_code == 200
    assert page.select_one("#import-encoding") is None
    form = page.select_one("#import-confirm form")
    assert form.select_one("input[name=encoding]")["value"] == "iso8859_1"
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]") if i["name"] != "col"}
    data["col"] = [i["value"] for i in form.select("input[name=col]")]
    data["mode"] = "import"
    assert client.post(form["action"], data=data).status_code == 303
    assert sorted(a.name for a in Asset.select()) == sorted(
        t.encode("mac_roman").decode("iso8859_1") for t in NAMES
    )


def test_an_encoding_the_file_does_not_fit_is_a_message(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, MAC_ROMAN))
    response = client.get(url + "?encoding=utf-8")
    assert response.status_code == 422
    page = soup(response)
    assert "cannot be read as UTF-8" in page.select_one("[role=alert]").text
    response = client.form(url, {"encoding": "utf-8", "mode": "import"})
    assert response.status_code == 422 and Asset.select().count() == 0


def test_cli_says_the_guess_and_takes_encoding(app, monkeypatch, tmp_path):
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    source = tmp_path / "old.csv"
    source.write_bytes(MAC_ROMAN)
    runner = CliRunner()
    result = runner.invoke(main, ["import-csv", str(source), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Read as Mac Roman (a guess)" in result.output and "--encoding" in result.output
    result = runner.invoke(main, ["import-csv", str(source), "--encoding", "cp1252"])
    assert result.exit_code == 1 and "cannot be read as Windows-1252" in result.output
    result = runner.invoke(main, ["import-csv", str(source), "--encoding", "ebcdic"])
    assert result.exit_code == 1 and "Choose an encoding from the list" in result.output
    result = runner.invoke(main, ["import-csv", str(source), "--encoding", "macroman"])
    assert result.exit_code == 0 and "Imported: 3 new" in result.output
    assert "a guess" not in result.output
    with app.app_context():
        assert sorted(a.name for a in Asset.select()) == sorted(NAMES)


def test_utf8_sheet_helper_still_plain():
    assert iv.read_table(sheet("Name\nCafé\n")).encoding == "utf-8"


@pytest.mark.parametrize("codec", ["utf_16_le", "utf_16_be"])
def test_utf16_without_a_byte_order_mark_is_text(codec):
    table = iv.read_table("Name\tCost\r\nCafé\t£5\r\nSaw\t€7\r\n".encode(codec))
    assert (table.encoding, table.encoding_guessed) == (codec, True)
    assert table.rows == [(2, ["Café", "£5"]), (3, ["Saw", "€7"])]
