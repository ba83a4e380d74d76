"""A lead defines custom fields and fills them in on an asset, in a real Chromium at
phone size: the form shows the chosen category's fields, a bad value is an error
beside its field, and the asset page shows the values."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_browser import _assert_no_horizontal_scroll, _shot, _watch
from .test_browser_lead import _set_up_on_letter

pytestmark = pytest.mark.browser


def test_a_lead_defines_a_field_and_fills_it_in_on_an_asset(server, page):
    problems = _watch(page)
    _set_up_on_letter(page, server)

    page.goto(server + "/categories/new")
    page.get_by_label("Name", exact=True).fill("Ladders")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Custom fields").click()
    expect(page.locator("#custom-fields")).to_contain_text("No custom fields yet.")

    page.get_by_role("link", name="Add field").click()
    page.get_by_label("Name", exact=True).fill("Rungs")
    page.get_by_label("Holds").select_option(label="Number")
    expect(page.get_by_label("Choices, one per line")).to_be_hidden()  # only for a list
    page.get_by_label("For", exact=True).select_option(label="Ladders")
    page.get_by_label("Print on labels that have room").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add field").click()
    page.get_by_label("Name", exact=True).fill("Finish")
    page.get_by_label("Holds").select_option(label="List of choices")
    expect(page.get_by_label("Choices, one per line")).to_be_visible()
    page.get_by_label("Choices, one per line").fill("Aluminium\nWood")
    _assert_no_horizontal_scroll(page)
    _shot(page, "custom-fields-1-add")
    page.get_by_role("button", name="Save").click()
    # Finish first: moved up past Rungs.
    page.get_by_role("button", name="Move Finish up").click()
    expect(page.locator("#custom-fields .row-main")).to_have_text(["Finish", "Rungs"])
    _assert_no_horizontal_scroll(page)
    _shot(page, "custom-fields-2-list")

    page.goto(server + "/assets/new")
    page.get_by_label("Name", exact=True).fill("Step ladder")
    rungs = page.get_by_label("Rungs")
    expect(page.get_by_label("Finish")).to_be_visible()
    expect(rungs).to_be_hidden()  # only for Ladders, and no category is chosen
    page.get_by_label("Category", exact=True).select_option(label="Ladders")
    expect(rungs).to_be_visible()
    rungs.fill("five")
    page.get_by_label("Finish").select_option("Wood")
    page.get_by_role("button", name="Add asset", exact=True).last.click()
    field = page.locator(".field", has=page.get_by_label("Rungs"))
    expect(field.locator(".error")).to_have_text("“five” is not a number.")
    expect(page.get_by_label("Finish")).to_have_value("Wood")
    _assert_no_horizontal_scroll(page)
    _shot(page, "custom-fields-3-error")

    page.get_by_label("Rungs").fill("5")
    page.get_by_role("button", name="Add asset", exact=True).last.click()
    expect(page.locator("#status-card h1")).to_have_text("Step ladder")
    details = page.locator("#details")
    expect(details.locator("dt")).to_contain_text(["Category", "Finish", "Rungs"])
    expect(details.locator("dd", has_text="Wood")).to_be_visible()
    expect(details.locator("dt:has-text('Rungs') + dd")).to_have_text("5")
    _assert_no_horizontal_scroll(page)
    _shot(page, "custom-fields-4-asset")
    # The register's filters for every kind, opened at the narrowest phone: date
    # boxes and long names side by side still fit the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(server + "/custom-fields/new")
    page.get_by_label("Name", exact=True).fill("Last safety inspection before reuse")
    page.get_by_label("Holds").select_option(label="Date")
    page.get_by_role("button", name="Save").click()
    page.goto(server + "/custom-fields/new")
    page.get_by_label("Name", exact=True).fill("Warranty ref")
    page.get_by_label("Holds").select_option(label="Text")
    page.get_by_role("button", name="Save").click()
    page.goto(server + "/assets")
    page.locator("#custom-filters summary").click()
    expect(page.get_by_label("Last safety inspection before reuse after")).to_be_visible()
    _assert_no_horizontal_scroll(page)
    _shot(page, "custom-fields-5-filters-360")
    # The bad value's answer was a 422, as a refused form is: nothing else went wrong.
    assert [p for p in problems if "status of 422" not in p] == []
