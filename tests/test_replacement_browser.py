"""The replacement plan in Chromium at 360 px on the demo organisation: Home's
card leads to the plan, whose due list and forecast fit the phone.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

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
    with demo_site(tmp_path_factory.mktemp("replacement"), PASSWORD) as running:
        yield running


def test_the_plan_from_homes_card_on_a_phone(site, browser):  # noqa: F811
    page = phone(browser, "360")
    sign_in(page, site["url"], "lead@demo.tagtrail", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)
    card = page.locator("#replacement-card")
    expect(card).to_contain_text("Due for replacement this quarter")
    card.get_by_role("link", name="The replacement plan").click()
    expect(page.locator("h1")).to_have_text("Replacement plan")
    reasons = page.locator("#replacement-due ul.reasons li")
    expect(reasons.filter(has_text="Past its useful life since")).to_have_count(2)
    expect(reasons.filter(has_text="Repairs and services £620 in 12 months")).to_have_count(1)
    expect(page.locator("#forecast-quarters tbody tr")).to_have_count(8)
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "replacement-360.png", full_page=True)
    # On a phone each item's reasons take the row's whole width, under its name
    # and price, rather than a column squeezed between the two.
    for table in ("#replacement-due-items", "#replacement-next-items"):
        width = page.locator(table).bounding_box()["width"]
        first = page.locator(f"{table} tbody tr").first
        name, why, price = (first.locator("td").nth(n).bounding_box() for n in range(3))
        assert why["width"] > 0.9 * width
        assert why["y"] >= name["y"] + name["height"] - 1
        assert abs(price["y"] - name["y"]) < 2 and price["x"] > name["x"]
    expect(page.locator("#replacement-due-items thead th").nth(1)).to_be_hidden()
