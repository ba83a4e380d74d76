"""Signing in Chromium at a phone's size: draw on the pad with the mouse and
submit (one request: the check-out, the receipt and the signature), and with
JavaScript off, the pad hidden and the typed full name as the signature."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .browser_kit import (
    add_asset,
    assert_no_sideways_scroll,
    db_rows,
    phone,
    set_up_organisation,
)

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"


def _person(page, server: str, name: str) -> None:
    page.goto(server + "/people/new")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name=re.compile("^(Add|Save)")).click()
    page.wait_for_url(re.compile(re.escape(server) + r"/people/\d+$"))


def test_draw_with_the_mouse_and_submit(browser, server, tmp_path):
    page = phone(browser, "360")
    set_up_organisation(page, server, PASSWORD)
    code = add_asset(page, server, "Cordless drill")
    _person(page, server, "Ann Lee")
    page.goto(f"{server}/A/{code}/checkout")
    page.get_by_label("Ann Lee").check()
    canvas = page.locator("#signing canvas")
    expect(canvas).to_be_visible()  # the script shows the pad
    assert_no_sideways_scroll(page)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None and box["width"] <= 360
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 20 + step * 25, y + box["height"] * (0.7 - (step % 3) * 0.2))
    page.mouse.up()
    value = page.locator("input[name=signature]").input_value()
    assert value.startswith("data:image/png;base64,")
    page.screenshot(path=str(tmp_path / "signing.png"), full_page=True)
    requests = []
    page.on("request", lambda r: requests.append(r) if r.method == "POST" else None)
    page.get_by_role("button", name="Check out").click()
    page.wait_for_url(f"{server}/A/{code}")
    assert len(requests) == 1  # the check-out, the receipt and the signature: one request
    page.get_by_role("link", name="Receipt").first.click()
    page.wait_for_url(re.compile(re.escape(server) + r"/receipts/\d+$"))
    image = page.locator("#receipt-signature img")
    expect(image).to_be_visible()
    assert page.evaluate("document.querySelector('#receipt-signature img').naturalWidth") == 600
    page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)
    [(state, signature_file, pdf_file)] = db_rows(
        tmp_path, "SELECT state, signature_file, pdf_file FROM receipt"
    )
    assert state == "signed" and signature_file.endswith(".png") and pdf_file
    assert (tmp_path / "instance" / "uploads" / signature_file).stat().st_size > 100


def test_clear_empties_the_pad(browser, server, tmp_path):
    page = phone(browser)
    set_up_organisation(page, server, PASSWORD)
    code = add_asset(page, server, "Tripod")
    page.goto(f"{server}/A/{code}/checkout")
    page.locator("#signing canvas").scroll_into_view_if_needed()
    box = page.locator("#signing canvas").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 60)
    page.mouse.up()
    assert page.locator("input[name=signature]").input_value() != ""
    page.get_by_role("button", name="Clear").click()
    assert page.locator("input[name=signature]").input_value() == ""


def test_typed_name_without_javascript(browser, server, tmp_path):
    lead = phone(browser)
    set_up_organisation(lead, server, PASSWORD)
    code = add_asset(lead, server, "Laser level")
    _person(lead, server, "Zoë Ångström")
    cookies = lead.context.cookies()
    page = phone(browser, "360", js=False)
    page.context.add_cookies(cookies)  # the lead, signed in, on a phone without JavaScript
    page.goto(f"{server}/A/{code}/checkout")
    expect(page.locator("[data-signature-pad]")).to_be_hidden()
    assert_no_sideways_scroll(page)
    page.get_by_label("Zoë Ångström").check()
    page.get_by_label("Or type your full name").fill("zoe angstrom")
    page.get_by_role("button", name="Check out").click()
    page.wait_for_url(f"{server}/A/{code}")
    expect(page.locator("#flash")).to_contain_text("Checked out to Zoë Ångström.")
    [(state, typed, signature_file)] = db_rows(
        tmp_path, "SELECT state, signature_name, signature_file FROM receipt"
    )
    assert (state, typed, signature_file) == ("signed", "zoe angstrom", "")


def test_a_refused_form_keeps_the_drawing(browser, server, tmp_path):
    """Drawn, then sent with a due date the server refuses (a date picker that let
    a past day through): the form comes back refused with the drawing still on
    the pad, and sending again, nothing redrawn, signs."""
    page = phone(browser, "360")
    set_up_organisation(page, server, PASSWORD)
    code = add_asset(page, server, "Cordless drill")
    _person(page, server, "Ann Lee")
    page.goto(f"{server}/A/{code}/checkout")
    page.get_by_label("Ann Lee").check()
    page.evaluate("document.getElementById('due_back').removeAttribute('min')")
    page.locator("#due_back").fill("2020-01-01")
    canvas = page.locator("#signing canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(
            box["x"] + 20 + step * 25, box["y"] + box["height"] * (0.3 + step % 2 * 0.4)
        )
    page.mouse.up()
    drawn = page.locator("input[name=signature]").input_value()
    assert drawn.startswith("data:image/png;base64,")
    page.get_by_role("button", name="Check out").click()
    expect(page.locator(".field.has-error .error").first).to_be_visible()
    assert db_rows(tmp_path, "SELECT id FROM receipt") == []
    assert page.locator("input[name=signature]").input_value() == drawn
    inked = (
        "(() => { const c = document.querySelector('#signing canvas');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; })()"
    )
    page.wait_for_function(inked + " > 100")  # repainted, not just kept in the input
    page.locator("#due_back").fill("")
    page.get_by_role("button", name="Check out").click()
    page.wait_for_url(f"{server}/A/{code}")
    [(state, signature_file)] = db_rows(tmp_path, "SELECT state, signature_file FROM receipt")
    assert state == "signed" and signature_file.endswith(".png")
    # The lead's own list of receipts (the one they handed over), at a phone's width.
    page.goto(f"{server}/receipts")
    expect(page.locator("#receipt-list li")).to_have_count(1)
    expect(page.locator("#receipt-list li .row-main")).to_have_text("Handover · Cordless drill")
    assert_no_sideways_scroll(page)
