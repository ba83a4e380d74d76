"""A new owner on a phone in Auckland: set-up picks the phone's time zone and that
zone's currency, takes the three choices, and home's getting-started list ticks
off a step once it is done. Screenshots of each screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .browser_kit import browser, set_up_organisation  # noqa: F401 (a fixture)
from .test_browser import PASSWORD, _assert_no_horizontal_scroll, _shot, _watch

pytestmark = pytest.mark.browser


def test_set_up_with_the_three_choices_then_the_checklist_ticks_off(
    server,
    browser,  # noqa: F811
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        timezone_id="Pacific/Auckland",
    )
    page = context.new_page()
    problems = _watch(page)

    page.goto(server + "/")
    expect(page).to_have_url(server + "/setup")
    # forms.js picked the phone's own zone, and that zone's currency.
    expect(page.get_by_label("Time zone")).to_have_value("Pacific/Auckland")
    expect(page.get_by_label("Currency")).to_have_value("NZD")
    expect(page.get_by_label("A4")).to_be_checked()
    # The person's own choice of currency is not undone by a later zone change.
    page.get_by_label("Currency").select_option("AUD")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    expect(page.get_by_label("Currency")).to_have_value("AUD")
    page.get_by_label("Time zone").select_option("Pacific/Auckland")

    # "Show password" shows what was typed, and hides it again.
    box = page.get_by_label(re.compile("^Password"))
    box.fill(PASSWORD)
    show = page.get_by_label("Show password")
    expect(show).to_be_visible()
    show.check()
    expect(box).to_have_attribute("type", "text")
    show.uncheck()
    expect(box).to_have_attribute("type", "password")
    _assert_no_horizontal_scroll(page)
    _shot(page, "onboarding-1-setup")

    set_up_organisation(
        page,
        server,
        PASSWORD,
        org="Kauri Tools",
        name="Aroha Admin",
        email="aroha@example.com",
        paper="US Letter",
        currency="AUD",
    )

    # The chosen currency shows with the cost of the first asset.
    page.get_by_label("Name", exact=True).fill("Cordless drill")
    page.locator("details.more summary").click()
    page.get_by_label("Cost").fill("249.50")
    page.get_by_role("button", name="Add asset", exact=True).click()
    page.wait_for_url(f"{server}/A/*")
    expect(page.locator("dd", has_text="A$249.50")).to_be_visible()

    page.goto(server + "/")
    checklist = page.locator("#getting-started")
    expect(checklist).to_be_visible()
    expect(checklist.locator("li[data-step=assets]")).to_have_class("done")
    expect(checklist.locator("li[data-step=locations]")).to_have_class("to-do")
    expect(checklist.locator("li[data-step=labels]")).to_contain_text(
        "1 asset never had a label printed."
    )
    _assert_no_horizontal_scroll(page)
    _shot(page, "onboarding-2-checklist")

    checklist.get_by_role("link", name="Add a location").click()
    expect(page).to_have_url(server + "/locations/new")
    page.get_by_label("Name").fill("Workshop")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(re.escape(server) + r"/locations$"))
    page.goto(server + "/")
    expect(checklist.locator("li[data-step=locations]")).to_have_class("done")
    expect(checklist.locator("h2")).to_contain_text("2 of 5 done")
    _shot(page, "onboarding-3-ticked")

    # Settings show the three choices as saved.
    page.goto(server + "/admin/settings")
    expect(page.get_by_label("Time zone")).to_have_value("Pacific/Auckland")
    expect(page.get_by_label("Currency")).to_have_value("AUD")
    expect(page.get_by_label("US Letter")).to_be_checked()
    _assert_no_horizontal_scroll(page)
    _shot(page, "onboarding-4-settings")
    context.close()
    assert problems == []
