"""Subscriptions in Chromium on the demo organisation, at 390 and 360 px: a
lead adds a vendor and a subscription with a licence key, gives two seats
(htmx swaps the seats in place), frees one, and reveals the key, which the
history then records. Every page fits the phone. Screenshots go to
tests/artifacts/."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from .browser_kit import (  # noqa: F401 (browser is a fixture)
    assert_no_sideways_scroll,
    browser,
    demo_site,
    phone,
    sign_in,
)
from .test_browser import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with demo_site(tmp_path_factory.mktemp("subscriptions"), PASSWORD) as running:
        yield running


def _rows(site, sql: str, *args) -> list[tuple]:
    db = sqlite3.connect(site["db"])
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


@pytest.mark.parametrize("size", ["390", "360"])
def test_a_lead_adds_a_subscription_gives_seats_and_reveals_the_key(site, browser, size):  # noqa: F811
    url = site["url"]
    page = phone(browser, size)
    sign_in(page, url, "lead@demo.tagtrail", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{url}/menu")
    page.get_by_role("link", name=re.compile("^Subscriptions")).tap()
    expect(page).to_have_url(f"{url}/subscriptions")
    expect(page.locator("#subscriptions")).to_contain_text("Creative Cloud All Apps")
    expect(page.locator("#subscriptions")).to_contain_text("Past renewal")
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / f"subscriptions-{size}.png", full_page=True)

    page.get_by_role("link", name="Add a subscription").tap()
    page.locator("#add-vendor").tap()
    vendor = f"Penpot {size}"
    page.get_by_label("Name").fill(vendor)
    page.get_by_role("button", name="Add vendor").tap()
    expect(page).to_have_url(re.compile(re.escape(url) + r"/subscriptions/new\?vendor=\d+$"))
    product = f"Penpot Team {size}"
    expect(page.get_by_label("Vendor").locator("option:checked")).to_have_text(vendor)
    page.get_by_label("Product").fill(product)
    page.get_by_label("Seats bought").fill("2")
    page.get_by_label("Cost").fill("12.50")
    page.get_by_label("Paid").select_option(label="Monthly")
    page.get_by_label("Renews on").fill("2027-03-01")
    page.get_by_label("Licence key").fill(f"PENPOT-KEY-{size}")
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / f"subscription-form-{size}.png", full_page=True)
    page.get_by_role("button", name="Save").tap()
    expect(page).to_have_url(re.compile(re.escape(url) + r"/subscriptions/\d+$"))
    expect(page.locator("#key-hidden")).to_have_text("hidden")
    expect(page.locator("body")).not_to_contain_text(f"PENPOT-KEY-{size}")
    expect(page.locator("#per-year")).to_contain_text("150.00")

    for person in ("Sam Member", "Alice Member"):
        page.locator("#seat-person").select_option(label=person)
        page.get_by_role("button", name="Give a seat").tap()
        expect(page.locator("#flash")).to_contain_text(f"Seat given to {person}.")
    expect(page.locator("#seats-text")).to_have_text("2 of 2")
    expect(page.locator("#seats-full")).to_be_visible()  # the last seat went
    expect(page.locator("#sub-history li").first).to_contain_text("Seat given")
    page.get_by_role("button", name="Free Sam Member's seat").tap()
    expect(page.locator("#seats-text")).to_have_text("1 of 2")

    page.get_by_role("button", name="Reveal key").tap()
    expect(page.locator("#licence-key")).to_have_text(f"PENPOT-KEY-{size}")
    expect(page.locator("#sub-history li").first).to_contain_text("Licence key revealed")
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / f"subscription-{size}.png", full_page=True)

    # No label to scan: the register's search box finds it.
    page.goto(f"{url}/assets")
    page.locator("#q").fill(f"Penpot Team {size}")
    expect(page.locator("#subscription-hits a")).to_have_text(f"{product} · {vendor}")
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / f"subscription-search-{size}.png", full_page=True)
    page.locator("#subscription-hits a").tap()
    expect(page.locator("h1")).to_have_text(product)

    [(sid,)] = _rows(site, "SELECT id FROM subscription WHERE product = ?", product)
    kinds = [
        k
        for (k,) in _rows(
            site, "SELECT kind FROM subscription_event WHERE subscription_id = ? ORDER BY id", sid
        )
    ]
    assert kinds == [
        "created",
        "key_changed",
        "seat_assigned",
        "seat_assigned",
        "seat_freed",
        "key_revealed",
    ]
    page.context.close()


def test_without_javascript_seats_and_the_key_still_work(site, browser):  # noqa: F811
    """The same forms with JavaScript off: each answers with the whole page."""
    url = site["url"]
    page = phone(browser, "360", js=False)
    sign_in(page, url, "lead@demo.tagtrail", PASSWORD)
    [(sid,)] = _rows(site, "SELECT id FROM subscription WHERE product = 'Creative Cloud All Apps'")
    page.goto(f"{url}/subscriptions/{sid}")
    # Three of the seats are held by people who have left: marked so.
    expect(page.locator("#seat-list .badge")).to_have_count(3)
    page.locator("#seat-person").select_option(label="Pat Holder")
    page.get_by_role("button", name="Give a seat").click()
    expect(page).to_have_url(f"{url}/subscriptions/{sid}")
    expect(page.locator("#flash")).to_contain_text("Seat given to Pat Holder.")
    page.get_by_role("button", name="Reveal key").click()
    expect(page.locator("#licence-key")).to_have_text("DEMO-ADOBE-7K3M-9QX2-4HTB")
    expect(page.locator("#sub-history li").first).to_contain_text("Licence key revealed")
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "subscription-nojs-360.png", full_page=True)
    page.context.close()
