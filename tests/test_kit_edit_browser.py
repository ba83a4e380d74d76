"""The kit's edit page on 390 and 360 px phones in a real Chromium: each item's
name over its code, "Remove from kit" beside them; no button covers a code and
no code breaks across lines. Screenshots in the browser artefacts folder."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .browser_kit import add_asset, assert_no_sideways_scroll, phone, set_up_organisation
from .test_browser import PASSWORD, _shot, _watch

pytestmark = pytest.mark.browser

# Long names, as a real store has them, next to short ones.
ITEMS = ("Mirrorless camera #1", "Zoom lens 24-70 #2", "Zoom lens 24-70 #10", "Camera battery #4")


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _lines(element) -> int:
    """How many lines the element's text takes (one box per line of a text node)."""
    return element.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"
    )


def test_the_kit_edit_list_fits_a_phone(server, browser):
    lead = phone(browser, "390")
    problems = _watch(lead)
    set_up_organisation(lead, server, PASSWORD)
    codes = [add_asset(lead, server, name) for name in ITEMS]
    lead.goto(server + "/kits")
    lead.get_by_label("Name", exact=True).fill("Camera kit")
    lead.get_by_label("Item codes, one a line (type or scan)").fill("\n".join(codes))
    lead.get_by_role("button", name="Make kit").tap()
    lead.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))
    edit = lead.url.replace("/A/", "/kits/") + "/edit"
    for width in (390, 360):
        lead.set_viewport_size({"width": width, "height": 844})
        lead.goto(edit)
        assert_no_sideways_scroll(lead)
        rows = lead.locator("#kit-edit-items li")
        assert rows.count() == len(ITEMS)
        for i in range(len(ITEMS)):
            row = rows.nth(i)
            code, button = row.locator(".code"), row.get_by_role("button")
            assert button.inner_text().strip() == "Remove from kit"
            code_box, button_box = code.bounding_box(), button.bounding_box()
            assert code_box and button_box
            assert not _overlap(code_box, button_box), f"{width}px: the button covers a code"
            name_box = row.locator(".row-main").bounding_box()
            assert name_box and not _overlap(name_box, button_box)
            # A code, and the button's words, each on one line.
            assert _lines(code) == 1, f"{width}px: a code breaks across lines"
            assert _lines(button) == 1, f"{width}px: the button's words break"
        _shot(lead, f"kit_edit_{width}")
    # Removing one still works.
    lead.locator("#kit-edit-items li").first.get_by_role("button", name="Remove from kit").tap()
    expect(lead.locator("#kit-edit-items li")).to_have_count(len(ITEMS) - 1)
    assert not problems, problems
