"""An item's week on a 360 px phone in a real Chromium: a booking made on the
Reserve form shows in its day on the week view, the days stack down the page
and nothing scrolls sideways; the register's "Free for booking" boxes leave the
booked item out."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .browser_kit import assert_no_sideways_scroll, phone, set_up_organisation
from .test_browser import PASSWORD, _shot, _watch

pytestmark = pytest.mark.browser

ZONE = "Europe/London"


def test_the_week_view_reads_on_a_small_phone(server, browser):
    page = phone(browser, "360")
    problems = _watch(page)
    set_up_organisation(page, server, PASSWORD, time_zone=ZONE)
    page.get_by_label("Name", exact=True).fill("Camera body")
    page.get_by_label("Name", exact=True).press("Enter")
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))

    page.locator("#status-card").get_by_role("link", name="Reserve", exact=True).tap()
    start = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=1)).replace(hour=22, minute=0)
    end = start + timedelta(hours=10)  # 08:00 the day after: across midnight
    page.locator("#starts_at_date").fill(f"{start:%Y-%m-%d}")
    page.locator("#starts_at_time").fill("22:00")
    page.locator("#ends_at_date").fill(f"{end:%Y-%m-%d}")
    page.locator("#ends_at_time").fill("08:00")
    page.get_by_label("Note (optional)").fill("Night shoot with a long name for a small screen")
    page.get_by_role("button", name="Reserve").tap()
    expect(page.locator("#flash")).to_contain_text("Reserved:")

    page.locator("#status-card").get_by_role("link", name="Week view").tap()
    expect(page.get_by_role("heading", name="Camera body")).to_be_visible()
    if start.weekday() == 0:  # a Monday start is next week's
        page.get_by_role("link", name="Next week").tap()
    first = page.locator(f"#day-{start:%Y-%m-%d}")
    expect(first).to_contain_text("Booked · Lee Lead")
    expect(first).to_contain_text("from 22:00")
    if end.weekday() != 0:
        expect(page.locator(f"#day-{end:%Y-%m-%d}")).to_contain_text("until 08:00")
    days = page.locator(".week-grid > li")
    expect(days).to_have_count(7)
    one, two = days.nth(0).bounding_box(), days.nth(1).bounding_box()
    assert two["y"] >= one["y"] + one["height"], "the days stack down the page on a phone"
    assert_no_sideways_scroll(page)
    _shot(page, "week-360")

    page.goto(server + "/assets")
    page.locator("#filter-panel summary").tap()
    page.locator("input[name=free_from]").fill(f"{start:%Y-%m-%d}")
    page.locator("input[name=free_from_time]").fill("20:00")
    page.locator("input[name=free_to]").fill(f"{start:%Y-%m-%d}")
    page.locator("input[name=free_to_time]").fill("23:00")
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Search").tap()
    expect(page.locator("#asset-results")).to_contain_text("0 assets")
    assert not problems, "\n".join(problems)
