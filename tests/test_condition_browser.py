"""Condition on a phone in a real Chromium (390 x 844): a lead checks a laptop out
in one tap, returns it as Broken from "Return with details…" where choosing
Broken brings up "What is wrong?", and the fault is reported in the same step;
then the card's own chips: a one-tap return as Broken opens the fault form.
Screenshots of the card at 390 and 360 px go to tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser_kit import add_asset, assert_no_sideways_scroll, phone, set_up_organisation
from .test_browser import PASSWORD, _shot, _watch

pytestmark = pytest.mark.browser


def test_a_laptop_returned_broken_has_its_fault_reported_in_the_same_step(server, browser):
    page = phone(browser, "390")
    problems = _watch(page)
    set_up_organisation(page, server, PASSWORD)
    code = add_asset(page, server, "Laptop")
    card = page.locator("#status-card")

    # One tap, as before: the chips are there, none chosen, and nothing to add.
    chips = card.locator("form.tap fieldset.chips")
    expect(chips.get_by_role("radio")).to_have_count(5)
    card.get_by_role("button", name="Check out to me").tap()
    expect(page.locator("#flash")).to_contain_text("Checked out to you.")
    assert_no_sideways_scroll(page)
    _shot(page, "condition-card-390")
    narrow = phone(browser, "360")
    narrow.context.add_cookies(page.context.cookies())
    narrow.goto(f"{server}/A/{code}")
    expect(narrow.locator("#status-card fieldset.chips")).to_be_visible()
    assert_no_sideways_scroll(narrow)
    _shot(narrow, "condition-card-360")

    # Return with details: Broken brings up the fault fields.
    card.get_by_role("link", name="Return with details…").tap()
    page.wait_for_url(f"{server}/A/{code}/return")
    fault = page.locator("#return-fault")
    expect(fault).to_be_hidden()
    page.get_by_role("radio", name="Broken").check()
    expect(fault).to_be_visible()
    page.get_by_label("What is wrong?").fill("Screen cracked in the corner")
    page.get_by_role("radio", name="Do not use").check()
    assert_no_sideways_scroll(page)
    _shot(page, "condition-return-broken-390")
    page.get_by_role("button", name="Return", exact=True).tap()
    page.wait_for_url(f"{server}/A/{code}")
    expect(page.locator("#flash")).to_have_text("Returned as Broken. Fault reported. Thank you.")
    expect(card.locator("dl.state")).to_contain_text("ConditionBroken")
    expect(card.locator(".band-do_not_use")).to_contain_text("Screen cracked in the corner")
    expect(page.locator("#timeline > li").nth(1)).to_contain_text("condition: Broken")

    # The card's chips: a one-tap return as Poor opens the fault form in place.
    card.get_by_role("link", name="Check out anyway…").tap()
    page.locator("#people-pick").get_by_label("Lee Lead").check()  # the lead's own
    page.get_by_label("Check it out anyway (recorded in the history)").check()
    page.get_by_role("button", name="Check out").tap()
    page.wait_for_url(f"{server}/A/{code}")
    chosen = card.locator("form.tap fieldset.chips input:checked")
    expect(chosen).to_have_value("broken")  # the current one
    card.locator("form.tap .chips label", has_text="Poor").tap()
    card.get_by_role("button", name="Return", exact=True).tap()
    expect(page.locator("#flash")).to_have_text("Returned as Poor. Report a fault?")
    expect(card.get_by_label("What is wrong?")).to_be_visible()
    _shot(page, "condition-invited-390")
    assert problems == []
