"""Reserving on a phone in a real Chromium (390x844): reserve an item for a
period starting shortly, see the booking on its page, and start it with one tap."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .browser_kit import set_up_organisation
from .test_browser import PASSWORD, _assert_no_horizontal_scroll, _shot, _watch

pytestmark = pytest.mark.browser

ZONE = "Europe/Berlin"


def test_reserve_see_it_on_the_asset_page_then_start_it(server, page):
    problems = _watch(page)
    set_up_organisation(page, server, PASSWORD, time_zone=ZONE)
    page.get_by_label("Name", exact=True).fill("Camera body")
    page.get_by_label("Name", exact=True).press("Enter")
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))
    asset_url = page.url

    page.locator("#status-card").get_by_role("link", name="Reserve", exact=True).tap()
    expect(page.get_by_role("heading", name="Reserve")).to_be_visible()
    start = datetime.now(ZoneInfo(ZONE)) + timedelta(minutes=20)
    end = start + timedelta(days=2)
    page.locator("#starts_at_date").fill(f"{start:%Y-%m-%d}")
    page.locator("#starts_at_time").fill(f"{start:%H:%M}")
    page.locator("#ends_at_date").fill(f"{end:%Y-%m-%d}")
    page.locator("#ends_at_time").fill(f"{end:%H:%M}")
    page.get_by_label("Note (optional)").fill("Client shoot, Leeds")
    _assert_no_horizontal_scroll(page)
    _shot(page, "reserve-1-form")
    page.get_by_role("button", name="Reserve").tap()

    page.wait_for_url(asset_url)
    expect(page.locator("#flash")).to_contain_text("Reserved:")
    expect(page.locator("#booking")).to_have_text(f"Free until {start:%a %H:%M}")
    expect(page.locator("#timeline")).to_contain_text("Reserved for Lee Lead")
    _assert_no_horizontal_scroll(page)
    _shot(page, "reserve-2-asset-page")

    # The Reservations page on a narrow phone: the booking reads as a block, its
    # times on one line (not a letter a line) and its buttons inside the screen.
    for width, height in ((360, 740), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(server + "/reservations")
        row = page.locator("#my-reservations li[id]")
        expect(row.locator(".row-sub").first).to_contain_text(f"{start:%a %H:%M}")
        when = row.locator(".row-sub").first.bounding_box()
        assert when and when["height"] < 40, f"the times wrap at {width}px: {when}"
        for control in (
            row.get_by_role("button", name="Start reservation"),
            row.get_by_text("Change times"),
            row.get_by_text("Cancel reservation…"),
        ):
            box = control.bounding_box()
            assert box and box["x"] + box["width"] <= width and box["height"] >= 44, box
        # Cancel asks first: the fold opens the one button that cancels.
        sure = row.get_by_role("button", name="Yes, cancel it")
        expect(sure).to_be_hidden()
        row.get_by_text("Cancel reservation…").tap()
        expect(sure).to_be_visible()
        box = sure.bounding_box()
        assert box and box["x"] + box["width"] <= width and box["height"] >= 44, box
        _shot(page, f"reserve-2c-cancel-asks-{width}")
        row.get_by_text("Cancel reservation…").tap()
        expect(sure).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        _shot(page, f"reserve-2b-list-{width}")
    page.goto(asset_url)
    card = page.locator("#status-card")
    card.get_by_text("Cancel reservation…").tap()  # my own booking: cancel it here too
    expect(card.get_by_role("button", name="Yes, cancel it")).to_be_visible()
    _assert_no_horizontal_scroll(page)
    _shot(page, "reserve-2d-asset-cancel-asks")
    card.get_by_text("Cancel reservation…").tap()

    page.get_by_role("button", name="Start reservation").tap()
    expect(page.locator("#flash")).to_contain_text("Reservation started")
    expect(page.locator("#status-card")).to_contain_text("Checked out")
    expect(page.locator("#status-card")).to_contain_text("Lee Lead")
    expect(page.get_by_role("button", name="Start reservation")).to_have_count(0)
    # Started early, it is in force: no longer "Free until".
    expect(page.locator("#booking")).to_have_text(
        f"Reserved by Lee Lead, {start:%a %H:%M} – {end:%a %H:%M}"
    )
    _shot(page, "reserve-3-started")
    assert not problems, "\n".join(problems)
