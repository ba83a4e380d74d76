"""End to end in a real Chromium at phone size: first-run set-up, add an asset, scan its URL.

The server is the real `tagtrail serve` (waitress) in a subprocess with its own instance
folder, so this covers what the Flask test client cannot: the CSP against real script
loading, htmx booting without errors, and the layout at 390 px wide. Screenshots go to
tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, Response, expect, sync_playwright

pytestmark = pytest.mark.browser

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
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).parent / "artifacts"
STARTUP_SECONDS = 20
PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture
def server(tmp_path):
    """The real server on a free port, with a fresh instance folder; yields its base URL."""
    # The console script sits beside the interpreter, whichever venv runs the tests.
    script = Path(sys.executable).parent / "tagtrail"
    assert script.exists(), f"{script} not found: install the project (`pip install -e .`)"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # Drop any TAGTRAIL_* from the developer's shell so the test never touches their data.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTRAIL_")}
    env.update(TAGTRAIL_INSTANCE=str(tmp_path / "instance"), TAGTRAIL_PUBLIC_URL=url)
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(script), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"tagtrail serve did not answer /healthz within {STARTUP_SECONDS}s "
                    f"(exit code {process.poll()}). Log:\n{log_path.read_text(errors='replace')}"
                )
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # pytest shows captured output only when the test fails: that is when the
        # server's traceback is wanted.
        print(f"--- {log_path} ---\n{log_path.read_text(errors='replace')}")


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


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def _assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: scrollWidth {width}px"


def _watch(page: Page) -> list[str]:
    """Collect console errors, uncaught JS errors and 5xx responses as they happen."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # CSP violations ("Refused to execute inline script…") arrive as console errors.
        # Chromium asks for /favicon.ico on its own; the app has none, and that 404 is noise.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"console error on {page.url}: {message.text}")

    def on_pageerror(error: Error) -> None:
        problems.append(f"uncaught JS error on {page.url}: {error}")

    def on_response(response: Response) -> None:
        if response.status >= 500:
            problems.append(f"HTTP {response.status} from {response.url} (server log below)")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", on_pageerror)
    return problems


def test_first_run_add_asset_and_scan_on_a_phone(server, page):
    problems = _watch(page)

    # 1. A fresh install sends everyone to the set-up page.
    page.goto(server + "/")
    expect(page).to_have_url(server + "/setup")
    page.get_by_label("Organisation name").fill("Harbour Works Co-op")
    page.get_by_label("Public address phones will use").fill(server)
    page.get_by_label("Your name").fill("Alex Admin")
    page.get_by_label("Email").fill("alex@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    _assert_no_horizontal_scroll(page)
    _shot(page, "setup")
    page.get_by_role("button", name="Create admin account").click()
    page.wait_for_load_state()
    assert not problems, "\n".join(problems)

    # 2. Set-up signs the admin in and lands on "Add asset".
    expect(page).to_have_url(server + "/assets/new")
    expect(page.get_by_role("heading", name="Add asset")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Cordless drill 18V")
    page.get_by_label("Serial number").fill("DRL-18V-000123")
    page.get_by_text("More details").click()  # the optional fields start folded away
    page.get_by_label("Cost").fill("149.90")
    _assert_no_horizontal_scroll(page)
    _shot(page, "add-asset")
    page.get_by_role("button", name="Add asset", exact=True).click()

    # 3. The new asset's page: /A/<CODE>, the form a label's QR carries.
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))
    code = page.url.rsplit("/", 1)[1]
    _assert_no_horizontal_scroll(page)
    _shot(page, "asset-created")

    # 4. A person typing the short URL in lower case reaches the same asset.
    page.goto(f"{server}/a/{code.lower()}")
    card = page.locator("#status-card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Cordless drill 18V")
    expect(card).to_contain_text("Available")
    _assert_no_horizontal_scroll(page)
    _shot(page, "asset-page")

    assert not problems, "\n".join(problems)


def _create_user(server: str, instance: Path, *, email: str, name: str, role: str) -> None:
    """`tagtrail create-user` against the running server's instance folder."""
    script = Path(sys.executable).parent / "tagtrail"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTRAIL_")}
    env.update(TAGTRAIL_INSTANCE=str(instance), TAGTRAIL_PUBLIC_URL=server)
    done = subprocess.run(
        [str(script), "create-user", "--email", email, "--name", name, "--role", role]
        + ["--password", PASSWORD],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_scan_sign_in_check_out_return_and_report_a_fault_on_a_phone(server, page, tmp_path):
    """A member scans a label signed out, signs in, and custody plus a fault take a tap each."""
    problems = _watch(page)
    shots = "custody-{}-{}"

    # Set-up, off camera: the first admin through /setup adds the asset; the CLI adds
    # a member; then the cookies go, so the phone arrives signed out.
    page.goto(server + "/")
    expect(page).to_have_url(server + "/setup")
    page.get_by_label("Organisation name").fill("Harbour Works Co-op")
    page.get_by_label("Public address phones will use").fill(server)
    page.get_by_label("Your name").fill("Alex Admin")
    page.get_by_label("Email").fill("alex@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create admin account").click()
    expect(page).to_have_url(server + "/assets/new")
    page.get_by_label("Name", exact=True).fill("Cordless drill 18V")
    page.get_by_role("button", name="Add asset", exact=True).click()
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))
    code = page.url.rsplit("/", 1)[1]
    asset_url = f"{server}/A/{code}"
    _create_user(
        server, tmp_path / "instance", email="mia@example.com", name="Mia Member", role="member"
    )
    page.context.clear_cookies()

    # 1. The label's URL, typed in lower case, signed out: the public card only.
    page.goto(f"{server}/a/{code.lower()}")
    public_card = page.locator("#public-card")
    expect(public_card).to_be_visible()
    expect(public_card).to_contain_text("Cordless drill 18V")
    expect(public_card.get_by_role("link", name="Report found / Report a problem")).to_be_visible()
    expect(page.locator("#status-card")).to_have_count(0)
    _assert_no_horizontal_scroll(page)
    _shot(page, shots.format(1, "public"))

    # 2. Sign in from the card and land back on the asset.
    public_card.get_by_role("link", name="Sign in").tap()
    page.wait_for_url(re.compile(re.escape(server) + r"/login\?"))
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(asset_url)
    card = page.locator("#status-card")
    expect(card.locator(".status-line")).to_have_text("Available")
    _assert_no_horizontal_scroll(page)
    _shot(page, shots.format(2, "signed-in"))
    assert not problems, "\n".join(problems)

    # From here on every action is an htmx swap: count taps and full-page loads.
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        taps += 1
        locator.tap()

    # 3. Check out to me: one tap.
    tap(card.get_by_role("button", name="Check out to me"))
    expect(card.locator(".status-line")).to_have_text("Checked out")
    expect(page.locator("#flash")).to_contain_text("Checked out to you.")
    expect(card).to_contain_text("Mia Member")
    assert taps == 1 and page.url == asset_url and loads == []
    expect(page.locator("#timeline > li").first).to_contain_text("Checked out")
    _assert_no_horizontal_scroll(page)
    _shot(page, shots.format(3, "checked-out"))

    # 4. Return: one tap.
    taps = 0
    tap(card.get_by_role("button", name="Return", exact=True))
    expect(card.locator(".status-line")).to_have_text("Available")
    expect(page.locator("#flash")).to_contain_text("Returned.")
    assert taps == 1 and page.url == asset_url and loads == []
    _assert_no_horizontal_scroll(page)
    _shot(page, shots.format(4, "returned"))

    # 5. Report a fault: one tap to open, the words, how bad, one tap to send.
    taps = 0
    tap(card.get_by_text("Report a fault", exact=True))
    card.get_by_label("What is wrong?").fill("Chuck wobbles and the motor smells of burning")
    card.get_by_label("Do not use").check()  # a choice, not counted against the budget
    _shot(page, shots.format(5, "fault-form"))
    tap(card.get_by_role("button", name="Send fault report"))
    expect(card.locator(".status-line")).to_have_text("Faulty")
    band = card.locator(".band")
    expect(band).to_have_count(1)
    expect(band).to_contain_text("Do not use")
    expect(band).to_contain_text("Chuck wobbles and the motor smells of burning")
    expect(page.locator("#flash")).to_contain_text("Fault reported. Thank you.")
    # A faulty item offers no "Check out to me".
    expect(card.get_by_role("button", name="Check out to me")).to_have_count(0)
    assert taps == 2 and page.url == asset_url and loads == []
    expect(page.locator("#timeline > li").first).to_contain_text("Fault reported")
    _assert_no_horizontal_scroll(page)
    _shot(page, shots.format(6, "fault"))

    assert not problems, "\n".join(problems)
