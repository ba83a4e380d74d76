"""A lead moving in from Snipe-IT, in a real Chromium at 390×844: upload the
export, say what its unknown status values mean, import."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .browser_kit import PHONE, set_up_organisation
from .test_browser import PASSWORD, _assert_no_horizontal_scroll, _shot, _watch

pytestmark = pytest.mark.browser

SNIPEIT = Path(__file__).parent / "data" / "imports" / "snipeit.csv"


def test_a_lead_imports_a_snipeit_export_choosing_its_statuses(server, page, tmp_path):
    assert page.viewport_size == PHONE
    problems = _watch(page)
    set_up_organisation(page, server, PASSWORD)

    page.goto(server + "/assets/import")
    page.get_by_label(re.compile(r"^CSV file")).set_input_files(str(SNIPEIT))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(re.escape(server) + r"/assets/import/[0-9a-f]{32}$"))
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator("#import-confirm")).to_contain_text("Nothing can be imported")
    # The first screen says what blocks the import; its link reaches the questions.
    blocker = page.locator("#import-blockers").get_by_role(
        "link", name="2 status values need an answer"
    )
    expect(blocker).to_be_in_viewport()
    expect(page.locator("#import-confirm button.primary")).to_be_disabled()
    # One screen of choices: the questions fit a phone's screen, and the
    # columns fold away (the whole page was some 4,400 px with them open).
    asked = page.locator("#status-values").bounding_box()
    assert asked and asked["height"] < PHONE["height"], asked
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3200, f"the preview is {height}px tall"
    blocker.click()
    expect(page.get_by_label("“Undeployable” (2 rows) means")).to_be_in_viewport()
    expect(page.locator("#left-out")).to_have_text(
        "Left out: “ID”, “Company”, “Warranty Months”, “Asset EOL Date”"
    )
    _assert_no_horizontal_scroll(page)
    _shot(page, "import-1-statuses-asked")

    page.get_by_label("“Undeployable” (2 rows) means").select_option(label="Faulty")
    page.get_by_label("“Pending Diagnostics” (1 row) means").select_option(label="In repair")
    # The button beside the statuses: no scrolling past every column on a phone.
    page.locator("#status-values").get_by_role("button", name="Preview again").click()
    expect(page.locator("[data-count=new]")).to_have_text("7")
    expect(page.get_by_label("“Undeployable” (2 rows) means")).to_have_value("faulty")
    _assert_no_horizontal_scroll(page)
    _shot(page, "import-2-statuses-chosen")

    page.get_by_role("button", name=re.compile(r"^Import 7 rows$")).click()
    page.wait_for_url(re.compile(re.escape(server) + r"/assets$"))
    expect(page.locator("#flash")).to_contain_text("Imported snipeit.csv: 7 new")
    _shot(page, "import-3-done")

    db = tmp_path / "instance" / "tagtrail.sqlite3"
    with sqlite3.connect(db) as con:
        rows = dict(con.execute("SELECT name, status FROM asset"))
        held = con.execute(
            "SELECT u.name FROM asset a JOIN user u ON u.id = a.holder_id WHERE a.name = ?",
            ("Design laptop",),
        ).fetchone()
    assert rows["Spare laptop"] == rows["Field camera"] == "faulty"
    assert rows["Loan laptop"] == "in_repair" and rows["Old tablet"] == "retired"
    assert rows["Board room screen"] == "available"
    assert held == ("Priya Shah",)
    assert not problems, "\n".join(problems)
