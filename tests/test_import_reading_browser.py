"""Files that used to be refused or misread, through the real server in
Chromium at 390×844: an old Mac export (Mac Roman, carriage returns only), a
sheet of placeholders with a cut-off last row, and a file far over the limit."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .browser_kit import PHONE, set_up_organisation
from .test_browser import PASSWORD, _assert_no_horizontal_scroll, _shot, _watch

pytestmark = pytest.mark.browser

MAC_ROMAN = Path(__file__).parent / "data" / "imports" / "mac-roman-cr.csv"


def _set_up(page, server: str) -> None:
    set_up_organisation(page, server, PASSWORD, org="Harbour Workshop")


def _upload(page, server: str, path: Path) -> None:
    page.goto(server + "/assets/import")
    page.get_by_label(re.compile(r"^CSV file")).set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()


def test_old_mac_file_placeholders_cut_row_and_a_huge_file(server, page, tmp_path):
    assert page.viewport_size == PHONE
    problems = _watch(page)
    _set_up(page, server)

    # An old Mac export: read as a guess, which the lead can change and change back.
    _upload(page, server, MAC_ROMAN)
    page.wait_for_url(re.compile(re.escape(server) + r"/assets/import/[0-9a-f]{32}$"))
    expect(page.locator("#import-encoding")).to_contain_text("Read as Mac Roman (a guess)")
    expect(page.locator("#import-new")).to_contain_text("Façade lamp")
    _assert_no_horizontal_scroll(page)
    _shot(page, "import-reading-1-mac-roman-guessed")
    choice = page.locator("#encoding-choice")
    choice.get_by_label("The file's encoding is").select_option(label="Windows-1252")
    choice.get_by_role("button", name="Preview again").click()
    expect(page.get_by_role("alert").first).to_contain_text("cannot be read as Windows-1252")
    choice.get_by_label("The file's encoding is").select_option(label="ISO-8859-1")
    choice.get_by_role("button", name="Preview again").click()
    expect(page.locator("#import-new")).not_to_contain_text("Façade lamp")
    choice.get_by_label("The file's encoding is").select_option(label="Mac Roman")
    choice.get_by_role("button", name="Preview again").click()
    expect(page.locator("#import-new")).to_contain_text("Façade lamp")
    page.get_by_role("button", name=re.compile(r"^Import 3 rows$")).click()
    page.wait_for_url(re.compile(re.escape(server) + r"/assets$"))
    expect(page.locator("#flash")).to_contain_text("Imported mac-roman-cr.csv: 3 new")

    # Placeholders are blank; the cut-off last row blocks the file until fixed.
    lines = ["Name,Asset tag,Checked out to,Location"]
    lines += [f"Chair {n},No tag,N/A,-" for n in range(2, 201)]
    cut = tmp_path / "cut.csv"
    cut.write_bytes(("\r\n".join(lines) + "\r\nChair 201,No").encode())
    _upload(page, server, cut)
    page.wait_for_url(re.compile(re.escape(server) + r"/assets/import/[0-9a-f]{32}$"))
    errors = page.locator("#import-errors li[data-line]")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("Row 201 looks cut short")
    expect(page.locator("#import-confirm")).to_contain_text("Nothing can be imported")
    expect(page.locator("#import-counts")).not_to_contain_text("New holders")
    _assert_no_horizontal_scroll(page)
    _shot(page, "import-reading-2-cut-short")

    # Far over the limit: the import page says so, from the real server.
    huge = tmp_path / "huge.csv"
    huge.write_bytes(b"Name\r\n" + b"x" * (30 * 1024 * 1024))
    _upload(page, server, huge)
    expect(page.locator("h1")).to_have_text("Import a spreadsheet")
    expect(page.get_by_role("alert")).to_contain_text("larger than 10 MB")
    _shot(page, "import-reading-3-too-large")

    with sqlite3.connect(tmp_path / "instance" / "tagtrail.sqlite3") as con:
        names = sorted(n for (n,) in con.execute("SELECT name FROM asset"))
        people = [n for (n,) in con.execute("SELECT name FROM user")]
    assert names == ["Café table", "Façade lamp", "Fête banner"]
    assert people == ["Lee Lead"]
    # The refusals above answer 422 and 413 on purpose; Chromium logs those.
    unexpected = [p for p in problems if not re.search(r"status of (413|422) ", p)]
    assert not unexpected, "\n".join(unexpected)
