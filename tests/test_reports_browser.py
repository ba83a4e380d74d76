"""The register's reports in Chromium at 360 px on the demo organisation: they
fit the phone and read as sentences and names, not fragments."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser_kit import assert_no_sideways_scroll, browser, phone, sign_in  # noqa: F401
from .test_browser import PASSWORD
from .test_replacement_browser import site as site  # noqa: F401 (the demo server fixture)

pytestmark = pytest.mark.browser


def test_place_names_break_between_words_on_a_phone(site, browser):  # noqa: F811
    """Assets by location at 360 px: each place's name wraps at its spaces, never
    inside a word ("Worksh/op"): no name has more lines than words."""
    page = phone(browser, "360")
    sign_in(page, site["url"], "admin@demo.tagtrail", PASSWORD)
    page.goto(site["url"] + "/reports/assets?by=location")
    names = page.locator("main table tbody tr > :first-child a")
    expect(names.first).to_be_visible()
    broken = page.evaluate(
        """names => names.filter(a => {
            const text = document.createRange();
            text.selectNodeContents(a);
            const lines = new Set([...text.getClientRects()].map(r => Math.round(r.top))).size;
            return lines > a.textContent.trim().split(/\\s+/).length;
        }).map(a => a.textContent)""",
        names.element_handles(),
    )
    assert broken == []
    assert_no_sideways_scroll(page)


def test_report_tables_fit_inside_the_page_on_a_phone(site, browser):  # noqa: F811
    """Each table fits the width it is given, so no column is cut off at the
    screen's edge (the page itself may not scroll sideways either way)."""
    page = phone(browser, "360")
    sign_in(page, site["url"], "admin@demo.tagtrail", PASSWORD)
    for address in ("/reports/assets?by=location", "/reports/assets?by=holder",
                    "/reports/value", "/reports/utilisation", "/reports/replacement"):  # fmt: skip
        page.goto(site["url"] + address)
        over = page.evaluate(
            """() => [...document.querySelectorAll('main table')].filter(t => {
                const right = t.getBoundingClientRect().right;
                return right > t.parentElement.getBoundingClientRect().right + 0.5;
            }).map(t => t.id || t.className)"""
        )
        assert over == [], address
