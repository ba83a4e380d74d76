"""Kits on a 360 px phone in a real Chromium: a lead makes a kit of three items;
a member opens the kit's page, checks it out in one tap, returns it with one item
unticked, is asked "Lens 2 is not here?", says yes, and Lens 2's page and the
lead's Home show it is not back. The same with JavaScript off, through the plain
forms (each answer a whole page)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .browser_kit import (
    add_asset,
    assert_no_sideways_scroll,
    phone,
    set_up_organisation,
    sign_in,
    tagtrail,
)
from .test_axe_browser import SERIOUS
from .test_browser import PASSWORD, _shot, _watch

pytestmark = pytest.mark.browser

ITEMS = ("Camera body", "Lens 1", "Lens 2")
MEMBER = {"email": "mo@example.com", "name": "Mo Member"}


def _make_kit(page: Page, server: str) -> tuple[str, dict[str, str]]:
    """A lead adds three items and makes them a kit; returns its page and their codes."""
    codes = {name: add_asset(page, server, name) for name in ITEMS}
    page.goto(server + "/kits")
    page.get_by_label("Name", exact=True).fill("Camera kit")
    page.get_by_label("Item codes, one a line (type or scan)").fill("\n".join(codes.values()))
    page.get_by_role("button", name="Make kit").tap()
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))
    expect(page.locator("#kit-name")).to_have_text("Camera kit")
    return page.url, codes


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
def test_a_kit_goes_out_in_one_tap_and_comes_back_without_a_lens(server, browser, tmp_path, js):
    lead = phone(browser, "360")
    problems = _watch(lead)
    set_up_organisation(lead, server, PASSWORD)
    kit_url, codes = _make_kit(lead, server)
    tagtrail(
        tmp_path / "instance",
        server,
        "create-user",
        "--email",
        MEMBER["email"],
        "--name",
        MEMBER["name"],
        "--role",
        "member",
        "--password",
        PASSWORD,
    )

    page = phone(browser, "360", js=js)
    problems += _watch(page)
    sign_in(page, server, MEMBER["email"], PASSWORD)
    page.goto(kit_url)
    card = page.locator("#kit-card")
    expect(card.get_by_role("heading", name="Camera kit")).to_be_visible()
    assert_no_sideways_scroll(page)

    # One tap takes all three.
    card.get_by_role("button", name="Check out to me").tap()
    expect(page.locator("#flash")).to_contain_text("Checked out to you: 3 items.")
    expect(card.locator(".kit-warning")).to_have_text(["Out with you."])

    # Back without Lens 2: the card asks first, and nothing has moved yet.
    card.locator(f"#kit-return input[value='{codes['Lens 2']}']").uncheck()
    card.get_by_role("button", name="Return", exact=True).tap()
    question = page.locator("#kit-question")
    expect(question).to_contain_text("Lens 2 is not here?")
    expect(question.get_by_role("button", name="It is here")).to_be_visible()
    # Under the finger that tapped Return, with the focus on the answer.
    confirm = question.get_by_role("button", name="Yes, return the rest")
    expect(confirm).to_be_focused()
    expect(confirm).to_be_in_viewport()
    expect(card.locator(".kit-warning")).to_have_text(["Out with you."])
    expect(card.locator(f"#kit-return input[value='{codes['Lens 2']}']")).not_to_be_checked()
    assert_no_sideways_scroll(page)
    _shot(page, f"kit-asked-360-{'js' if js else 'nojs'}")
    if js:  # axe runs inside the page: it needs JavaScript
        violations = Axe().run(page).response["violations"]
        assert not [v["id"] for v in violations if v["impact"] in SERIOUS], violations

    confirm.tap()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Returned 2 items.")
    expect(flash).to_contain_text(f"Lens 2 is not here: it stays with {MEMBER['name']}.")
    expect(page.locator("#kit-question")).to_have_count(0)
    expect(card.locator(".kit-warning")).to_have_text(
        ["Lens 2 did not come back with the kit: it is still with you."]
    )

    # Lens 2's page says so, and so does the lead's Home.
    page.goto(f"{server}/A/{codes['Lens 2']}")
    band = page.locator("#not-back")
    expect(band).to_contain_text("Not back with the kit Camera kit since")
    expect(band).to_contain_text(f"still with {MEMBER['name']}.")
    assert_no_sideways_scroll(page)
    _shot(page, f"kit-not-back-360-{'js' if js else 'nojs'}")
    lead.goto(server + "/")
    expect(lead.locator("#dash-not-back")).to_contain_text("Lens 2")
    assert not problems, "\n".join(problems)
