"""A new lead's first hour in a real Chromium at phone size (issue: lead and owner
journeys): set up on US Letter, add an asset making its category and location in
place, print labels, calibrate a printer."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .browser_kit import set_up_organisation
from .test_browser import PASSWORD, _assert_no_horizontal_scroll, _shot, _watch

pytestmark = pytest.mark.browser


def _set_up_on_letter(page: Page, server: str) -> None:
    def look(form_page: Page) -> None:
        _assert_no_horizontal_scroll(form_page)
        _shot(form_page, "lead-1-setup")

    set_up_organisation(
        page, server, PASSWORD, org="Main Street Makerspace", paper="US Letter", before_submit=look
    )


def _nudges(instance: Path) -> dict[str, tuple[float, float]]:
    with sqlite3.connect(instance / "tagtrail.sqlite3") as con:
        rows = con.execute("SELECT name, nudge_x_mm, nudge_y_mm FROM label_format_setting")
        return {name: (x, y) for name, x, y in rows}


def test_a_lead_adds_an_asset_making_category_and_location_in_place(server, page):
    """Type the asset, add a category and a location from the form: each time the
    form comes back with everything typed and the new one chosen; Enter adds it."""
    problems = _watch(page)
    _set_up_on_letter(page, server)
    page.get_by_label("Name", exact=True).fill("Rope access harness")
    page.get_by_label("Serial number").fill("HRN-0042")
    page.get_by_text("More details").click()
    page.get_by_label("Manufacturer").fill("Petzl")
    page.get_by_label("Notes").fill("Inspect before each use.")

    page.get_by_text("Add a category").click()
    page.get_by_label("Name of the new category").fill("Height safety")
    _assert_no_horizontal_scroll(page)
    _shot(page, "lead-2-add-category")
    page.get_by_role("button", name="Add this category").click()
    expect(page.locator("#flash")).to_contain_text("Added Height safety, chosen below.")
    expect(page.get_by_label("Category", exact=True)).to_have_value(re.compile(r"^\d+$"))
    chosen = page.get_by_label("Category", exact=True).locator("option:checked")
    expect(chosen).to_have_text("Height safety")

    page.get_by_text("Add a location").click()
    page.get_by_label("Name of the new location").fill("Rope store")
    page.get_by_role("button", name="Add this location").click()
    expect(page.locator("#flash")).to_contain_text("Added Rope store, chosen below.")
    expect(page.get_by_label("Location", exact=True).locator("option:checked")).to_have_text(
        "Rope store"
    )
    expect(page.get_by_label("Category", exact=True).locator("option:checked")).to_have_text(
        "Height safety"
    )
    expect(page.get_by_label("Name", exact=True)).to_have_value("Rope access harness")
    expect(page.get_by_label("Serial number")).to_have_value("HRN-0042")
    expect(page.get_by_label("Manufacturer")).to_be_visible()
    expect(page.get_by_label("Manufacturer")).to_have_value("Petzl")
    expect(page.get_by_label("Notes")).to_have_value("Inspect before each use.")
    _assert_no_horizontal_scroll(page)
    _shot(page, "lead-3-kept")

    # Enter in a box adds the asset (not a category), with everything kept.
    page.get_by_label("Serial number").press("Enter")
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))
    card = page.locator("#status-card")
    expect(card).to_contain_text("Rope access harness")
    expect(card).to_contain_text("Rope store")
    assert not problems, "\n".join(problems)


def test_a_lead_prints_on_letter_and_a_changed_stock_gets_the_nudge(server, page, tmp_path):
    """On US Letter every print form starts on Avery 5160. On the calibration page,
    choose another stock and save a nudge without "Show nudge": it is saved for the
    stock chosen (by the button, and by Enter in a box)."""
    problems = _watch(page)
    _set_up_on_letter(page, server)
    page.get_by_label("Name", exact=True).fill("Bandsaw")
    page.get_by_role("button", name="Add asset", exact=True).click()
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))

    page.get_by_role("link", name="Print label", exact=True).click()
    expect(page.get_by_label("Label stock")).to_have_value("avery-5160")
    expect(page.locator("label.check", has_text="This asset: Bandsaw")).to_be_visible()
    expect(page.get_by_text("ticked in the asset list")).to_have_count(0)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 1 label")).to_be_visible()
    expect(page.locator("label.check", has_text="This asset: Bandsaw")).to_be_visible()
    _assert_no_horizontal_scroll(page)
    _shot(page, "lead-4-print")

    page.goto(server + "/labels/blank")
    expect(page.get_by_label("Label stock")).to_have_value("avery-5160")

    page.goto(server + "/labels/calibrate")
    stock = page.get_by_label("Label stock")
    expect(stock).to_have_value("avery-5160")
    stock.select_option("avery-5163")
    # The form comes back with that stock's saved nudge: type once it has.
    expect(page.get_by_text("Shown: the nudge saved for Avery 5163")).to_be_visible()
    page.get_by_label("Across, mm").fill("1.5")
    page.get_by_label("Down, mm").fill("-0.5")
    _shot(page, "lead-5-calibrate")
    page.get_by_role("button", name="Save nudge").click()
    expect(page.locator("#flash")).to_contain_text("+1.5 mm across and -0.5 mm down")
    expect(stock).to_have_value("avery-5163")
    assert _nudges(tmp_path / "instance") == {"avery-5163": (1.5, -0.5)}

    # Choosing another stock shows its own saved nudge, not the last one's numbers.
    stock.select_option("avery-5167")
    expect(page.get_by_text("Shown: the nudge saved for Avery 5167")).to_be_visible()
    expect(page.get_by_label("Across, mm")).to_have_value("0.0")
    stock.select_option("avery-5163")
    expect(page.get_by_label("Across, mm")).to_have_value("1.5")
    expect(page.get_by_label("Down, mm")).to_have_value("-0.5")
    stock.select_option("avery-5167")
    expect(page.get_by_label("Across, mm")).to_have_value("0.0")
    page.get_by_label("Down, mm").fill("2")
    page.get_by_label("Down, mm").press("Enter")
    expect(page.locator("#flash")).to_contain_text("+0.0 mm across and +2.0 mm down")
    expect(stock).to_have_value("avery-5167")
    assert _nudges(tmp_path / "instance") == {"avery-5163": (1.5, -0.5), "avery-5167": (0.0, 2.0)}
    # Choices in quick succession: the nudge shown is the last stock's, under its
    # name, so a save cannot store one stock's numbers for another.
    stock.select_option("avery-5163")
    stock.select_option("avery-5167")
    stock.select_option("avery-5163")
    expect(page.get_by_text("Shown: the nudge saved for Avery 5163")).to_be_visible()
    expect(page.get_by_label("Across, mm")).to_have_value("1.5")
    expect(stock).to_have_value("avery-5163")
    _assert_no_horizontal_scroll(page)
    _shot(page, "lead-6-calibrated")
    assert not problems, "\n".join(problems)
