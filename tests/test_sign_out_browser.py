"""In Chromium: after sign-out the phone keeps no copy of the scanner page (it
names people, places and audits), whether the person signed out here or their
sessions were ended from another device."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page

from .browser_kit import browser, demo_site, phone, sign_in  # noqa: F401 (browser is a fixture)
from .test_browser import PASSWORD

pytestmark = pytest.mark.browser

CACHE = "tagtrail-scan-v1"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with demo_site(tmp_path_factory.mktemp("sign-out"), PASSWORD) as running:
        yield running


def _sign_in(page: Page, url: str) -> None:
    sign_in(page, url, "lead@demo.tagtrail", PASSWORD)


def _until(page: Page, script: str, seconds: float = 10) -> None:
    """Poll `script` (evaluate awaits its promise) until it answers true."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"never true: {script}"
        time.sleep(0.1)


def _scanner_kept(page: Page, url: str) -> None:
    """Open the scanner and wait until its worker keeps a copy for a dead spot."""
    page.goto(url + "/scan")
    _until(page, "navigator.serviceWorker.ready.then(() => true)")
    _until(page, "caches.match(location.pathname).then(Boolean)")


def _kept(page: Page) -> bool:
    return page.evaluate(f"caches.has('{CACHE}')")


def _forgotten(page: Page) -> None:
    _until(page, f"caches.has('{CACHE}').then(kept => !kept)")


def _offline_scanner_opens(page: Page, url: str) -> bool:
    page.context.set_offline(True)
    try:
        page.goto(url + "/scan")
        return page.locator("#scan-list").count() > 0
    except Exception:  # no copy: the browser's own "no connection" error
        return False
    finally:
        page.context.set_offline(False)


def test_the_worker_forgets_the_scanner_when_told_nobody_is_signed_in(site, browser):  # noqa: F811
    """Sessions ended from another device (no Clear-Site-Data reaches this phone):
    the sign-in page tells the worker, and the worker drops its cache."""
    url = site["url"]
    here = phone(browser)
    _sign_in(here, url)
    _scanner_kept(here, url)
    assert _kept(here) and _offline_scanner_opens(here, url)

    elsewhere = phone(browser)
    _sign_in(elsewhere, url)
    elsewhere.get_by_role("button", name="Sign out").tap()  # ends every session
    elsewhere.wait_for_url(url + "/login")
    elsewhere.context.close()

    here.goto(url + "/login")
    _forgotten(here)
    assert not _offline_scanner_opens(here, url)
    here.context.close()


def test_signing_out_clears_what_the_phone_kept(site, browser):  # noqa: F811
    url = site["url"]
    here = phone(browser)
    _sign_in(here, url)
    _scanner_kept(here, url)
    here.goto(url + "/")
    here.get_by_role("button", name="Sign out").tap()
    here.wait_for_url(url + "/login")
    _forgotten(here)
    assert not _offline_scanner_opens(here, url)
    here.context.close()
