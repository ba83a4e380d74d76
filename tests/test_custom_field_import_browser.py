"""A lead moving in with a spreadsheet that has a column tagtrail does not know,
in a real Chromium at 390×844: "Keep as a custom field", import, then find the
assets with the new field's filter in the register."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from .browser_kit import PHONE, set_up_organisation
from .test_browser import PASSWORD, _assert_no_horizontal_scroll, _shot, _watch

pytestmark = pytest.mark.browser

SHEET = (
    "Name,Serial,Voltage,Cost centre\r\n"
    "Drill,S-1,18,Workshop\r\n"
    "Heater,S-2,230,Facilities\r\n"
    "Kettle,S-3,230,Facilities\r\n"
    "Torch,S-4,4.5,Workshop\r\n"
)


def test_a_lead_keeps_an_unknown_column_and_filters_by_it(server, page, tmp_path):
    assert page.viewport_size == PHONE
    problems = _watch(page)
    set_up_organisation(page, server, PASSWORD)

    sheet = tmp_path / "register.csv"
    sheet.write_text(SHEET)
    page.goto(server + "/assets/import")
    page.get_by_label(re.compile(r"^CSV file")).set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(re.escape(server) + r"/assets/import/[0-9a-f]{32}$"))
    keep = page.locator("#keep-columns form[data-column='2']")
    expect(keep).to_contain_text("“Voltage” (Number)")
    expect(page.locator("#keep-columns form[data-column='3']")).to_contain_text(
        "“Cost centre” (List of choices)"
    )
    _assert_no_horizontal_scroll(page)
    _shot(page, "custom-import-1-offered")

    keep.get_by_role("button", name="Keep as a custom field").click()
    kept = page.locator("#kept-column")
    expect(kept.get_by_role("status")).to_have_text(
        "Voltage will be kept as a custom field (number)."
    )
    # Undone with one tap, and kept again.
    kept.get_by_role("button", name="Leave it out again").click()
    expect(page.locator("#kept-column")).to_have_count(0)
    page.locator("#keep-columns form[data-column='2']").get_by_role(
        "button", name="Keep as a custom field"
    ).click()
    expect(kept).to_be_visible()
    expect(page.locator("#keep-columns form[data-column='2']")).to_have_count(0)
    expect(page.get_by_label("“Voltage” is")).to_have_value(re.compile(r"^cf:\d+$"))
    page.locator("#keep-columns form[data-column='3']").get_by_role(
        "button", name="Keep as a custom field"
    ).click()
    expect(page.locator("#keep-columns")).to_have_count(0)
    expect(page.locator("[data-count=new]")).to_have_text("4")
    _shot(page, "custom-import-2-kept")
    page.get_by_role("button", name=re.compile(r"^Import 4 rows$")).click()
    page.wait_for_url(re.compile(re.escape(server) + r"/assets$"))
    expect(page.locator("#flash")).to_contain_text("4 new")

    # The register's filters: a plain form under "Custom fields".
    page.locator("#custom-filters summary").click()
    page.get_by_label("Voltage at least").fill("100")
    page.get_by_label("Cost centre").select_option("Facilities")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#asset-results .row-main strong")).to_have_text(["Heater", "Kettle"])
    assert not problems, "\n".join(problems)
    page.get_by_label("Voltage at least").fill("lots")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#filter-errors")).to_contain_text("“lots” is not a number")
    _assert_no_horizontal_scroll(page)
    _shot(page, "custom-import-3-filtered")

    db = tmp_path / "instance" / "tagtrail.sqlite3"
    with sqlite3.connect(db) as con:
        kinds = dict(con.execute("SELECT name, kind FROM custom_field"))
        kept = con.execute(
            "SELECT a.name, v.text FROM custom_value v JOIN asset a ON a.id = v.asset_id "
            "JOIN custom_field f ON f.id = v.field_id WHERE f.name = 'Voltage' ORDER BY a.name"
        ).fetchall()
    assert kinds == {"Voltage": "number", "Cost centre": "choice"}
    assert kept == [("Drill", "18"), ("Heater", "230"), ("Kettle", "230"), ("Torch", "4.5")]
    # The bad value's answers are 422s (the browser logs them); nothing else went wrong.
    problems = [p for p in problems if "status of 422" not in p]
    assert not problems, "\n".join(problems)
