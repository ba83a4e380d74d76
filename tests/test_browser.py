"""End to end in a real Chromium at phone size: first-run set-up, add an asset, scan its URL;
custody from a scanned label; an audit of a room from start to report.

The server is the real `tagtrail serve` (waitress) in a subprocess with its own instance
folder, so this covers what the Flask test client cannot: the CSP against real script
loading, htmx booting without errors, and the layout at 390 px wide. Screenshots go to
tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, Response, expect

from .browser_kit import PHONE, set_up_organisation, tagtrail

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "correct horse battery"
HARBOUR = {"org": "Harbour Works Co-op", "name": "Alex Admin", "email": "alex@example.com"}


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
    def look(form_page: Page) -> None:
        _assert_no_horizontal_scroll(form_page)
        _shot(form_page, "setup")

    set_up_organisation(page, server, PASSWORD, **HARBOUR, before_submit=look)
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
    tagtrail(
        instance,
        server,
        "create-user",
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
        "--password",
        PASSWORD,
    )


def test_scan_sign_in_check_out_return_and_report_a_fault_on_a_phone(server, page, tmp_path):
    """A member scans a label signed out, signs in, and custody plus a fault take a tap each."""
    problems = _watch(page)
    shots = "custody-{}-{}"

    # Set-up, off camera: the first admin through /setup adds the asset; the CLI adds
    # a member; then the cookies go, so the phone arrives signed out.
    _first_admin(page, server)
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


def _first_admin(page: Page, server: str) -> None:
    """Through /setup, which signs the new admin in and lands on "Add asset"."""
    set_up_organisation(page, server, PASSWORD, **HARBOUR)


def _add_location(page: Page, server: str, name: str) -> str:
    """Add a top-level location through /locations/new; returns its code."""
    page.goto(server + "/locations/new")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(server + "/locations")
    expect(page.locator("#flash")).to_contain_text(f"Added {name}.")
    href = page.get_by_role("link", name=re.compile(rf"^{re.escape(name)} ")).get_attribute("href")
    assert href and re.fullmatch(r"/L/[0-9A-Z]{6}", href), href
    return href.rsplit("/", 1)[1]


def _add_asset(page: Page, server: str, name: str, location: str) -> str:
    """Add an asset kept at `location` through /assets/new; returns its code."""
    page.goto(server + "/assets/new")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Location", exact=True).select_option(label=location)
    page.get_by_role("button", name="Add asset", exact=True).click()
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))
    expect(page.locator("#status-card")).to_contain_text(location)
    return page.url.rsplit("/", 1)[1]


def test_audit_a_room_on_a_phone(server, page):
    """Start an audit of a room, tick what is there, set the room by its label, close, report."""
    problems = _watch(page)

    # Set-up, off camera: two places; four things in Room 3 and one in the Store.
    _first_admin(page, server)
    room = _add_location(page, server, "Room 3")
    _add_location(page, server, "Store")
    in_room = {
        name: _add_asset(page, server, name, "Room 3")
        for name in ("Ladder 3 m", "Projector Epson EB-W51", "Extension lead 25 m", "Fluke 87V")
    }
    ladder, projector, lead, meter = in_room.values()
    trolley = _add_asset(page, server, "Pallet truck", "Store")
    assert not problems, "\n".join(problems)

    # 1. Start the audit: Room 3 and everything inside it.
    page.goto(server + "/audits/new")
    page.get_by_label("Name").fill("Room 3 spot check")
    page.get_by_label("Where").select_option(label="Room 3 (and everything inside)")
    page.get_by_role("button", name="Start audit").tap()
    page.wait_for_url(re.compile(re.escape(server) + r"/audits/\d+$"))
    audit_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Room 3 spot check")
    expect(page.locator("#flash")).to_contain_text("Audit started.")
    expect(page.locator(".progress-line")).to_have_text("0 of 4 seen (0 %)")
    still = page.locator("#audit-live .card", has=page.get_by_role("heading", name="Still to find"))
    expect(still.locator(".row-main")).to_have_text(["Room 3 4"])
    _assert_no_horizontal_scroll(page)
    _shot(page, "audit-1-start")

    def scan(code: str):
        """Open a label's URL as a person typing it would, in lower case."""
        page.goto(f"{server}/a/{code.lower()}")
        card = page.locator("#audit-card")
        expect(card).to_contain_text("Audit: Room 3 spot check")
        return card

    # 2. Scan and tick two of them, before saying which room this is.
    card = scan(ladder)
    card.get_by_role("button", name="Seen ✓").tap()
    expect(page.locator("#flash .flash-ok")).to_have_text("Seen ✓ Ladder 3 m")
    expect(card.locator(".seen-done")).to_contain_text("Seen by you at")
    expect(card.get_by_role("button", name="Seen ✓")).to_have_count(0)
    # The projector is open on a second tab too, as if scanned twice in a hurry.
    card = scan(projector)
    stale = page.context.new_page()
    stale_problems = _watch(stale)
    stale.goto(f"{server}/a/{projector.lower()}")
    card.get_by_role("button", name="Seen ✓").tap()
    expect(page.locator("#flash .flash-ok")).to_have_text("Seen ✓ Projector Epson EB-W51")
    stale.locator("#audit-card").get_by_role("button", name="Seen ✓").tap()
    expect(stale.locator("#flash .flash-warn")).to_contain_text("You already ticked this at")
    expect(stale.locator("#audit-card .seen-done")).to_contain_text("Seen by you at")
    stale.close()
    assert not stale_problems, "\n".join(stale_problems)
    # Scanning it again later: the card says so and offers no second tick.
    card = scan(projector)
    expect(card.locator(".seen-done")).to_contain_text("Seen by you at")
    expect(card.get_by_role("button", name="Seen ✓")).to_have_count(0)
    _assert_no_horizontal_scroll(page)
    _shot(page, "audit-2-scanned")
    assert not problems, "\n".join(problems)

    # 3. Scan the room's own label: "I am in Room 3".
    page.goto(f"{server}/L/{room}")
    page.get_by_role("button", name="I am in Room 3").tap()
    page.wait_for_url(f"{server}/L/{room}")
    expect(page.locator("#flash")).to_contain_text("You are in Room 3.")
    expect(page.locator(".seen-done")).to_have_text("✓ You are in Room 3 for “Room 3 spot check”.")
    expect(page.get_by_role("button", name="I am in Room 3")).to_have_count(0)
    _assert_no_horizontal_scroll(page)
    _shot(page, "audit-3-room")
    # The third Room 3 item, ticked with the room set; then the Store's pallet truck,
    # which is outside the audit's scope.
    card = scan(lead)
    expect(card).to_contain_text("you are in Room 3")
    card.get_by_role("button", name="Seen ✓").tap()
    expect(page.locator("#flash .flash-ok")).to_have_text("Seen ✓ Extension lead 25 m")
    card = scan(trolley)
    expect(card.locator(".hint")).to_contain_text("Not expected in this audit")
    card.get_by_role("button", name="Seen ✓").tap()
    expect(page.locator("#flash .flash-ok")).to_have_text(
        "Seen ✓ Pallet truck (not expected in this audit: noted as unexpected)."
    )
    assert not problems, "\n".join(problems)

    # 4. The audit page: three of the four seen, the meter still to find, the truck unexpected.
    page.goto(audit_url)
    expect(page.locator(".progress-line")).to_have_text("3 of 4 seen (75 %)")
    expect(page.locator("progress")).to_have_attribute("value", "3")
    expect(still.locator(".row-main")).to_have_text(["Room 3 1"])
    still.get_by_role("link").click()  # the room's own list of what is left there
    expect(page.locator("#room-list li > a")).to_have_text(["Fluke 87V"])
    page.goto(audit_url)
    unexpected = page.locator("#audit-live .card", has_text="Unexpected (1)")
    expect(unexpected.locator("li")).to_have_text(
        re.compile(
            r"Pallet truck\s+" + re.escape(f"{trolley[:3]}-{trolley[3:]}") + r"\s+· in Room 3"
        )
    )
    recent = page.locator("#audit-live .card", has=page.get_by_role("heading", name="Recent ticks"))
    expect(recent.locator("li")).to_have_count(4)
    # The room set from the label is the one the audit page's picker shows.
    expect(page.locator("#room option:checked")).to_have_text("Room 3")
    _assert_no_horizontal_scroll(page)
    _shot(page, "audit-4-progress")

    # 5. Close, after a confirmation that says what closing does.
    page.get_by_role("link", name="Close audit…").tap()
    page.wait_for_url(audit_url + "/close")
    expect(page.get_by_role("heading", name="Close this audit?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("3 of 4 expected items were seen.")
    _assert_no_horizontal_scroll(page)
    _shot(page, "audit-5-close")
    page.get_by_role("button", name="Close audit", exact=True).tap()

    # 6. The report: the unticked meter is missing, the truck unexpected.
    page.wait_for_url(audit_url + "/report")
    expect(page.locator("#flash")).to_contain_text("Audit closed. 1 item marked missing.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit report: Room 3 spot check")
    counts = page.locator(".counts-table")
    for label, value in [("Expected", "4"), ("Seen", "3"), ("Missing", "1"), ("Unexpected", "1")]:
        expect(
            counts.locator("tr", has=page.locator(f"th:text-is('{label}')")).locator("td")
        ).to_have_text(value)
    missing = page.locator("h2:text-is('Missing (1)') + table tbody tr")
    expect(missing).to_have_count(1)
    expect(missing.locator("td")).to_have_text(
        [f"{meter[:3]}-{meter[3:]}", "Fluke 87V", re.compile(r"last at Room 3")]
    )
    unexpected_rows = page.locator("h2:text-is('Unexpected (1)') + table tbody tr td")
    expect(unexpected_rows).to_have_text(
        [f"{trolley[:3]}-{trolley[3:]}", "Pallet truck", "seen in Room 3", "Alex Admin"]
    )
    _assert_no_horizontal_scroll(page)
    _shot(page, "audit-6-report")

    # The spreadsheet lists the seen items too: the tick made after "I am in Room 3"
    # carries the room, the ones before it none.
    download = page.request.get(audit_url + "/report.csv")
    assert download.ok, download.status
    lines = {row["name"]: row for row in csv.DictReader(io.StringIO(download.text()))}
    assert {name: lines[name]["result"] for name in in_room} == {
        "Ladder 3 m": "seen",
        "Projector Epson EB-W51": "seen",
        "Extension lead 25 m": "seen",
        "Fluke 87V": "missing",
    }
    assert lines["Extension lead 25 m"]["detail"] == "Room 3"
    assert lines["Ladder 3 m"]["detail"] == lines["Projector Epson EB-W51"]["detail"] == ""
    assert lines["Pallet truck"]["result"] == "unexpected"

    # And the meter's own page now says so.
    page.goto(f"{server}/a/{meter.lower()}")
    expect(page.locator("#status-card .status-line")).to_have_text("Missing")
    assert not problems, "\n".join(problems)
