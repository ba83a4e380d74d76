"""In Chromium at 360 and 390 px: from deep in the app (an asset's page) every page a
role has is at most two taps away (the bar's Home, Scan and Assets, or Menu and then
the page), nothing scrolls sideways, the bar stays on screen with fingertip-sized
cells, and "Sign out" is in the menu. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import Page, expect

from .browser_kit import PHONES, browser, demo_site, phone, sign_in  # noqa: F401 (browser is a fixture)
from .test_browser import ARTIFACTS, PASSWORD
from .test_menu import PAGES

pytestmark = pytest.mark.browser

TAP = 44
SIGN_INS = {
    "admin": "admin@demo.tagtrail",
    "lead": "lead@demo.tagtrail",
    "member": "sam@demo.tagtrail",
}
BAR = {"/": "Home", "/scan": "Scan", "/assets": "Assets"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with demo_site(tmp_path_factory.mktemp("menu"), PASSWORD) as running:
        db = sqlite3.connect(running["db"])
        try:
            running["code"] = db.execute(
                "SELECT code FROM asset WHERE status = 'available' ORDER BY id LIMIT 1"
            ).fetchone()[0]
        finally:
            db.close()
        yield running


def _sign_in(page: Page, url: str, email: str) -> None:
    sign_in(page, url, email, PASSWORD)


def _no_sideways_scroll(page: Page) -> None:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px in {viewport}px"


def _screen(page: Page, name: str) -> None:
    """What the phone shows (not the whole page: the bar stays put as it scrolls)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


def _bar(page: Page):
    return page.locator("header nav.nav")


def _on_screen_and_big_enough(page: Page, link) -> None:
    """In the viewport without scrolling, and at least a fingertip in each direction."""
    box = link.bounding_box()
    assert box is not None, link
    viewport = page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    assert box["width"] >= TAP and box["height"] >= TAP, box
    # Nothing lies over it (the bar over the page's last button, say).
    assert link.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"
    ), link


@pytest.mark.parametrize("size", PHONES)
@pytest.mark.parametrize("who", SIGN_INS)
def test_every_page_of_a_role_is_two_taps_from_an_asset(site, browser, who, size):  # noqa: F811
    url, deep = site["url"], site["url"] + f"/A/{site['code']}"
    page = phone(browser, size)
    _sign_in(page, url, SIGN_INS[who])
    page.goto(deep)
    _no_sideways_scroll(page)
    bar = _bar(page)
    expect(bar.get_by_role("link")).to_have_text(["Home", "Scan", "Assets", "Menu"])
    for i in range(4):
        _on_screen_and_big_enough(page, bar.get_by_role("link").nth(i))
    _screen(page, f"menu-asset-{who}-{size}")

    reached = []
    for path, name in PAGES[who].items():
        page.goto(deep)
        if path in BAR:  # one tap
            bar.get_by_role("link", name=name, exact=True).tap()
        else:  # two taps: Menu, then the page
            bar.get_by_role("link", name="Menu", exact=True).tap()
            page.wait_for_url(url + "/menu")
            _no_sideways_scroll(page)
            link = page.locator("main nav.menu a").filter(
                has=page.locator(".row-main", has_text=name)
            )
            expect(link).to_have_count(1)
            link.tap()
        page.wait_for_url(url + path)
        expect(page.locator("main h1")).to_be_visible()
        _no_sideways_scroll(page)
        reached.append(path)
    assert reached == list(PAGES[who])

    page.goto(deep)
    bar.get_by_role("link", name="Menu", exact=True).tap()
    page.wait_for_url(url + "/menu")
    _no_sideways_scroll(page)
    expect(bar.get_by_role("link", name="Menu", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    _screen(page, f"menu-{who}-{size}")
    for i in range(page.locator("main a, main button").count()):
        item = page.locator("main a, main button").nth(i)
        item.scroll_into_view_if_needed()
        box = item.bounding_box()
        assert box["width"] >= TAP and box["height"] >= TAP, (item.inner_text(), box)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    _on_screen_and_big_enough(page, page.get_by_role("button", name="Sign out"))
    _screen(page, f"menu-end-{who}-{size}")  # scrolled to the last: Sign out above the bar
    page.get_by_role("button", name="Sign out").tap()
    page.wait_for_url(url + "/login")
    page.goto(deep)
    expect(page.locator("header nav")).to_have_count(0)  # signed out: the public card
    page.context.close()


def test_the_menu_works_without_javascript(site, browser):  # noqa: F811
    """JavaScript off: Menu is a plain link to a whole page, and its Sign out a plain form."""
    url = site["url"]
    page = phone(browser, "360", js=False)
    _sign_in(page, url, SIGN_INS["lead"])
    page.goto(url + f"/A/{site['code']}")
    _bar(page).get_by_role("link", name="Menu", exact=True).tap()
    page.wait_for_url(url + "/menu")
    page.locator("main nav.menu a").filter(
        has=page.locator(".row-main", has_text="Print labels")
    ).tap()
    page.wait_for_url(url + "/labels")
    _bar(page).get_by_role("link", name="Menu", exact=True).tap()
    page.get_by_role("button", name="Sign out").tap()
    page.wait_for_url(url + "/login")
    page.context.close()
