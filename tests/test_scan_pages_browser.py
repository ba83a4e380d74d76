"""In a real Chromium at phone size: /scan with JavaScript off. (Tap targets on every
page are measured in test_axe_browser.py.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .browser_kit import PHONES, assert_no_sideways_scroll, demo_site, phone, sign_in
from .test_browser import PASSWORD, _shot
from .test_scanner_browser import _query

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One server with the demo organisation for this module's tests."""
    with demo_site(tmp_path_factory.mktemp("scanpages"), PASSWORD) as running:
        yield running


def _sign_in(page: Page, url: str, email: str) -> None:
    sign_in(page, url, email, PASSWORD)


def _start_audit(page: Page, url: str, name: str) -> int:
    page.goto(url + "/audits/new")
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Start audit").tap()
    page.wait_for_url(re.compile(re.escape(url) + r"/audits/\d+"))
    return int(re.search(r"/audits/(\d+)", page.url).group(1))


# /scan without JavaScript ---------------------------------------------------------


def test_scan_without_javascript_says_so_and_its_typed_forms_work(site, browser):
    url = site["url"]
    lead = phone(browser)
    _sign_in(lead, url, "lead@demo.tagtrail")
    audit_id = _start_audit(lead, url, "Walk without script")
    lead.context.close()
    (first, second) = [
        code
        for (code,) in _query(
            site,
            "SELECT a.code FROM audit_item i JOIN asset a ON a.id = i.asset_id "
            "WHERE i.audit_id = ? ORDER BY a.id LIMIT 2",
            audit_id,
        )
    ]
    name = _query(site, "SELECT name FROM asset WHERE code = ?", first)[0][0]

    for size in PHONES:
        page = phone(browser, size, js=False)
        _sign_in(page, url, "sam@demo.tagtrail")
        page.goto(url + "/scan")
        note = page.locator("#scan-no-js")
        expect(note).to_be_visible()
        expect(note).to_contain_text("JavaScript is off")
        # No dead buttons: the camera, the modes and the list are not offered.
        for dead in ("#camera-start", "#scan-modes", ".scan-options", "#scan-list", "#scan-type"):
            expect(page.locator(dead)).to_be_hidden()
        assert_no_sideways_scroll(page)
        _shot(page, f"scan-no-js-{size}")
        page.context.close()

    page = phone(browser, js=False)
    _sign_in(page, url, "sam@demo.tagtrail")
    # Open: a typed code, as people type it, opens the item.
    page.goto(url + "/scan")
    page.get_by_label("Open an item").fill(f"{first[:3].lower()}-{first[3:].lower()}")
    page.get_by_role("button", name="Open", exact=True).tap()
    page.wait_for_url(url + f"/A/{first}")
    expect(page.locator("#status-card h1")).to_have_text(name)

    # Audit: a plain POST ticks it and comes back to /scan saying so.
    page.goto(url + "/scan")
    page.get_by_label(re.compile("^Audit “Walk without script”")).fill(second)
    page.get_by_role("button", name="Seen ✓").tap()
    page.wait_for_url(url + "/scan")
    expect(page.locator("#flash")).to_contain_text("Seen ✓")
    ticks = _query(
        site,
        "SELECT u.email FROM audit_tick t JOIN asset a ON a.id = t.asset_id "
        "JOIN user u ON u.id = t.by_id WHERE t.audit_id = ? AND a.code = ? "
        "AND t.undone_at IS NULL",
        audit_id,
        second,
    )
    assert ticks == [("sam@demo.tagtrail",)]
    expect(page.get_by_label(re.compile("^Audit “Walk without script”"))).to_be_visible()
    _shot(page, "scan-no-js-ticked")
    page.context.close()


def test_scan_with_javascript_shows_no_no_script_notice(site, browser):
    page = phone(browser)
    _sign_in(page, site["url"], "sam@demo.tagtrail")
    page.goto(site["url"] + "/scan")
    expect(page.locator("#camera-start")).to_be_visible()
    expect(page.locator("#scan-type")).to_be_visible()
    assert page.locator("#scan-no-js").count() == 0
    page.context.close()
