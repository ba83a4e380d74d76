"""The calendar link on a phone in a real Chromium (390x844): book an item, get
the link from the Reservations page, read the feed a calendar app would read,
then renew the link and see the old one stop working."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from .browser_kit import set_up_organisation
from .test_browser import PASSWORD, _assert_no_horizontal_scroll, _shot, _watch

pytestmark = pytest.mark.browser

ZONE = "Europe/London"


def test_book_then_add_the_bookings_to_a_calendar(server, page):
    problems = _watch(page)
    set_up_organisation(page, server, PASSWORD, time_zone=ZONE)
    page.get_by_label("Name", exact=True).fill("Camera kit")
    page.get_by_label("Name", exact=True).press("Enter")
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))

    page.locator("#status-card").get_by_role("link", name="Reserve", exact=True).tap()
    start = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    page.locator("#starts_at_date").fill(f"{start:%Y-%m-%d}")
    page.locator("#starts_at_time").fill("09:00")
    page.locator("#ends_at_date").fill(f"{start:%Y-%m-%d}")
    page.locator("#ends_at_time").fill("17:00")
    page.get_by_role("button", name="Reserve").tap()
    expect(page.locator("#flash")).to_contain_text("Reserved:")

    page.goto(server + "/reservations")
    expect(page.get_by_role("heading", name="Add to your calendar")).to_be_visible()
    page.get_by_role("button", name="Get my calendar link").tap()
    expect(page.get_by_role("heading", name="Add to your calendar")).to_be_visible()
    link = page.get_by_label("Copy this link into Google Calendar, Outlook or Apple Calendar:")
    address = link.input_value()
    assert address.startswith(server + "/feeds/") and address.endswith(".ics")
    webcal = page.get_by_role("link", name="open it in Apple Calendar").get_attribute("href")
    assert webcal == "webcal://" + address.split("://", 1)[1]
    _assert_no_horizontal_scroll(page)
    _shot(page, "calendar-feed-1-link")

    feed = page.request.get(address)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    [event] = Calendar.from_ical(feed.body()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Reserved: Camera kit"
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start.replace(hour=17)

    page.get_by_role("button", name="Renew the link").tap()
    expect(link).not_to_have_value(address)
    assert page.request.get(address).status == 404
    assert page.request.get(link.input_value()).status == 200
    _shot(page, "calendar-feed-2-renewed")
    assert not problems, "\n".join(problems)
