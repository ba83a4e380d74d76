"""In a real Chromium at phone size: /scan with JavaScript off, and tap targets of
at least 44×44 px on the pages a lead and a member tap through."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .browser_kit import PHONES, assert_no_sideways_scroll, demo_site, phone
from .test_browser import PASSWORD, _shot
from .test_scanner_browser import _query

pytestmark = pytest.mark.browser

TAP = 44


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One server with the demo organisation for this module's tests."""
    with demo_site(tmp_path_factory.mktemp("scanpages"), PASSWORD) as running:
        yield running


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(url + "/")


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


# Tap targets ----------------------------------------------------------------------


def _too_small(locator) -> list[str]:
    """Each matching element narrower or shorter than a fingertip, with its box."""
    assert locator.count() > 0, locator
    small = []
    for i in range(locator.count()):
        element = locator.nth(i)
        element.scroll_into_view_if_needed()
        box = element.bounding_box()
        assert box is not None, f"{locator} #{i} is not shown"
        if box["width"] < TAP or box["height"] < TAP:
            text = element.inner_text().strip() or element.get_attribute("title")
            small.append(f"{text!r}: {box['width']:.0f}×{box['height']:.0f}")
    return small


@pytest.fixture(scope="module")
def faulty(site, browser, tmp_path_factory):
    """An asset with a fault reported with a photo; its code."""
    from PIL import Image

    photo = tmp_path_factory.mktemp("photo") / "crack.png"
    Image.new("RGB", (40, 30), "red").save(photo)
    code = _query(site, "SELECT code FROM asset WHERE status = 'available' ORDER BY id LIMIT 1")
    code = code[0][0]
    page = phone(browser)
    _sign_in(page, site["url"], "lead@demo.tagtrail")
    page.goto(site["url"] + f"/A/{code}")
    card = page.locator("#status-card")
    card.get_by_text("Report a fault", exact=True).tap()
    card.get_by_label("What is wrong?").fill("Cracked casing")
    card.get_by_label("Photo (optional, up to 10 MB)").set_input_files(str(photo))
    card.get_by_role("button", name="Send fault report").tap()
    expect(page.locator("#status-card .band a")).to_have_text("photo")
    page.context.close()
    return code


@pytest.mark.parametrize("size", PHONES)
def test_tap_targets_are_at_least_44_px(site, browser, faulty, size):
    """ "Start at label", the "Scan" menu link, and links used as actions."""
    url = site["url"]
    page = phone(browser, size)
    _sign_in(page, url, "lead@demo.tagtrail")
    problems: dict[str, list[str]] = {}

    def check(name: str, locator) -> None:
        small = _too_small(locator)
        if small:
            problems[name] = small

    check("Scan menu link", page.locator("header nav").get_by_role("link", name="Scan", exact=True))
    check("menu links", page.locator("header nav a"))
    # Side by side in the scrolling menu, each name inside its own box.
    squeezed = page.eval_on_selector_all(
        "header nav a", "els => els.filter(a => a.scrollWidth > a.clientWidth).map(a => a.text)"
    )
    assert squeezed == [], squeezed
    for fmt in ("avery-l7160", "avery-l7651", "avery-l4732", "avery-5167", "avery-l7163"):
        page.goto(url + f"/labels?choice=all&format={fmt}")
        check(f"Start at label ({fmt})", page.locator(".sheet-map label"))
    _shot(page, f"tap-print-{size}")
    for name in ("Blank labels", "Calibrate a printer"):
        check(name, page.locator("main").get_by_role("link", name=name, exact=True))
    for path in ("/labels/blank", "/labels/calibrate"):
        page.goto(url + path)
        check(f"← Print labels on {path}", page.get_by_role("link", name="← Print labels"))
    page.goto(url + f"/A/{faulty}")
    check("fault photo link", page.locator("#status-card").get_by_role("link", name="photo"))
    _shot(page, f"tap-fault-{size}")
    page.context.close()
    assert not problems, problems
