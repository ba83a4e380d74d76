"""What the browser tests share: the real server, a module's Chromium, phone-sized
pages, the sideways-scroll check, and the `tagtrail` command against a live server's
instance folder."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .live import Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONES = {"390": {"width": 390, "height": 844}, "360": {"width": 360, "height": 740}}
PHONE = PHONES["390"]
STARTUP_SECONDS = 20


def tagtrail(instance: Path, url: str, *args: str) -> str:
    """Run `tagtrail ARGS` on the instance a live server uses; fails on a non-zero exit."""
    script = Path(sys.executable).parent / "tagtrail"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTRAIL_")}
    env.update(TAGTRAIL_INSTANCE=str(instance), TAGTRAIL_PUBLIC_URL=url)
    done = subprocess.run(
        [str(script), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@contextmanager
def demo_site(base: Path, password: str) -> Iterator[dict]:
    """A live server on the demo organisation (every sign-in uses `password`), in
    `base`; yields its URL, database file and folder, and the server itself (for a
    test that takes it away and brings it back), and prints its log at the end."""
    server = Server(base / "instance")
    tagtrail(server.instance, server.url, "demo", "--password", password)
    try:
        server.start()
        yield {
            "url": server.url,
            "db": server.instance / "tagtrail.sqlite3",
            "base": base,
            "server": server,
        }
    finally:
        server.stop()
        print(f"--- {server.log} ---\n{server.log_text()}")


@pytest.fixture(scope="module")
def browser():
    """One Chromium for a module's tests; fails (never skips) when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: sudo apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def server(tmp_path):
    """The real server on a free port, with a fresh instance folder; yields its base URL."""
    running = Server(tmp_path / "instance")
    try:
        running.start(timeout=STARTUP_SECONDS)
        yield running.url
    finally:
        running.stop()
        # pytest shows captured output only when the test fails: that is when the
        # server's traceback is wanted.
        print(f"--- {running.log} ---\n{running.log_text()}")


@pytest.fixture
def page():
    """A Chromium page at phone size; fails (never skips) when Chromium is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser test needs Debian's Chromium: "
            "sudo apt-get install chromium"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
            )
            yield context.new_page()
            context.close()
        finally:
            browser.close()


def phone(browser: Browser, size: str = "390", *, js: bool = True) -> Page:
    """A new page in its own context (its own cookies) at a phone's size."""
    context = browser.new_context(
        viewport=PHONES[size],
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=js,
    )
    return context.new_page()


def assert_no_sideways_scroll(page: Page) -> None:
    """Nothing wider than the phone's screen. (Not window.innerWidth: a mobile
    browser widens its layout to the content, so that grows with the overflow.)"""
    width = page.evaluate("document.documentElement.scrollWidth")
    screen = page.viewport_size["width"]
    assert width <= screen, f"{page.url} scrolls sideways: {width}px on a {screen}px screen"


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    """The sign-in page as a person uses it, ending on Home."""
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(url + "/")


def set_up_organisation(
    page: Page,
    server: str,
    password: str,
    *,
    org: str = "Northwind Studio",
    name: str = "Lee Lead",
    email: str = "lee@example.com",
    time_zone: str | None = None,
    paper: str | None = None,
    currency: str | None = None,
    before_submit=None,
) -> None:
    """A fresh server's first visit: the set-up form filled in as its owner would,
    ending on the first asset form. The time zone, paper ("A4" or "US Letter") and
    currency (a code such as "EUR") keep what the page picked unless given;
    before_submit(page) looks at the filled-in form (a screenshot, a width check)."""
    import re

    from playwright.sync_api import expect

    page.goto(server + "/")
    expect(page).to_have_url(server + "/setup")
    page.get_by_label("Organisation name").fill(org)
    page.get_by_label("Public address phones will use").fill(server)
    if time_zone:
        page.get_by_label("Time zone").select_option(time_zone)
    if paper:
        page.get_by_label(paper).check()
    if currency:
        page.get_by_label("Currency").select_option(currency)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile("^Password")).fill(password)
    if before_submit:
        before_submit(page)
    page.get_by_role("button", name="Create admin account").click()
    page.wait_for_url(re.compile(re.escape(server) + r"/assets/new$"))


def add_asset(page: Page, server: str, name: str) -> str:
    """The first asset form, as a lead fills it; returns the new item's code."""
    page.goto(server + "/assets/new")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Name", exact=True).press("Enter")
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))
    return page.url.rsplit("/", 1)[1]


def db_rows(tmp_path: Path, sql: str) -> list[tuple]:
    """Rows from the live server's SQLite file (instance/ under the test's tmp_path)."""
    db = sqlite3.connect(tmp_path / "instance" / "tagtrail.sqlite3")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()
