"""Printing labels in Chromium at 360 px on the demo organisation: choosing a
category, a place or a day beside its button picks that button, so the preview
the page refreshes to is what the lead meant."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from .browser_kit import assert_no_sideways_scroll, browser, phone, sign_in  # noqa: F401
from .test_browser import ARTIFACTS, PASSWORD
from .test_replacement_browser import site as site  # noqa: F401 (the demo server fixture)

pytestmark = pytest.mark.browser


def _heading(page) -> str:
    return page.locator("h2", has_text="Preview").inner_text()


def test_choosing_a_place_picks_everything_at_that_place(site, browser):  # noqa: F811
    page = phone(browser, "360")
    sign_in(page, site["url"], "lead@demo.tagtrail", PASSWORD)
    page.goto(site["url"] + "/labels")
    place = page.locator("select[name=location]")
    office = place.locator("option", has_text="Office").first.get_attribute("value")
    place.select_option(office)
    expect(page.locator("input[name=choice][value=location]")).to_be_checked()
    expect(page).to_have_url(re.compile(r"[?&]choice=location\b"))
    expect(page).to_have_url(re.compile(rf"[?&]location={office}\b"))
    shown = _heading(page)
    # What the page refreshed to is what the same choice gives without JavaScript.
    plain = page.request.get(f"{site['url']}/labels?choice=location&location={office}")
    heading = BeautifulSoup(plain.text(), "html.parser").select_one("h2:-soup-contains('Preview')")
    assert shown == heading.get_text(strip=True)
    assert re.fullmatch(r"Preview: \d+ labels?", shown)
    category = page.locator("select[name=category]")
    category.select_option(index=1)
    expect(page.locator("input[name=choice][value=category]")).to_be_checked()
    assert_no_sideways_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "labels-choice-360.png", full_page=True)
