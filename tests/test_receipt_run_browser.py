"""A lead hands three laptops to a new starter on a phone (390x844): one scanner
run of "Check out to…", "Sign for 3 items", a signature drawn on the pad, and
one receipt with the three; on their last day "Return all" gives one return
receipt."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from .browser_kit import add_asset, assert_no_sideways_scroll, phone, set_up_organisation

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"


def _rows(tmp_path, sql: str) -> list[tuple]:
    db = sqlite3.connect(tmp_path / "instance" / "tagtrail.sqlite3")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _draw(page, selector: str) -> None:
    canvas = page.locator(selector)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 20 + step * 25, y + box["height"] * (0.7 - (step % 3) * 0.2))
    page.mouse.up()


def test_three_laptops_in_one_run_one_signature_then_return_all(browser, server, tmp_path):
    page = phone(browser, "390")
    set_up_organisation(page, server, PASSWORD)
    codes = [add_asset(page, server, f"Laptop {n}") for n in (1, 2, 3)]
    page.goto(server + "/people/new")
    page.get_by_label("Name", exact=True).fill("Nina Novak")
    page.get_by_role("button", name=re.compile("^(Add|Save)")).click()
    page.wait_for_url(re.compile(re.escape(server) + r"/people/\d+$"))
    person_id = page.url.rsplit("/", 1)[1]

    page.goto(server + "/scan")
    page.get_by_role("radio", name="Check out to…", exact=True).check()
    page.locator("#scan-holder").select_option(person_id)
    typed = page.get_by_label("Type a code")
    for n, code in enumerate(codes, start=1):
        typed.fill(code)
        typed.press("Enter")
        expect(page.locator("#scan-list .scan-item.is-done")).to_have_count(n)
        expect(page.locator("#scan-sign-link")).to_have_text(
            f"Sign for {n} item" + ("" if n == 1 else "s")
        )
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "run.png"), full_page=True)
    page.locator("#scan-sign-link").click()
    page.wait_for_url(re.compile(re.escape(server) + r"/receipts/\d+/sign$"))
    expect(page.locator("#accept-items li")).to_have_count(3)
    expect(page.locator("#signing canvas")).to_be_visible()
    assert_no_sideways_scroll(page)
    _draw(page, "#signing canvas")
    page.screenshot(path=str(tmp_path / "sign.png"), full_page=True)
    page.get_by_role("button", name="Sign for 3 items").click()
    page.wait_for_url(re.compile(re.escape(server) + r"/receipts/\d+$"))
    expect(page.locator("#receipt-signature img")).to_be_visible()
    expect(page.locator("#receipt-items tbody tr")).to_have_count(3)
    [(rid, state, signature_file, pdf_file)] = _rows(
        tmp_path, "SELECT id, state, signature_file, pdf_file FROM receipt"
    )
    assert state == "signed" and signature_file.endswith(".png") and pdf_file
    assert _rows(tmp_path, f"SELECT COUNT(*) FROM receipt_item WHERE receipt_id = {rid}") == [(3,)]
    assert _rows(tmp_path, "SELECT COUNT(*) FROM asset WHERE awaiting_since IS NOT NULL") == [(0,)]

    # Her last day: Return all, signed by the lead taking them back (typed name).
    page.goto(f"{server}/people/{person_id}/return-all")
    expect(page.locator("#signing")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.locator("#signing input[name=signer]").nth(1).check()
    lead_name = page.locator("#signing input[name=signer]").nth(1).locator("xpath=..").inner_text()
    page.get_by_label("Or type your full name").fill(lead_name.split(",")[0].strip())
    page.get_by_role("button", name="Return all 3").click()
    expect(page.locator("#returned li")).to_have_count(3)
    expect(page.locator("#receipt-link")).to_be_visible()
    page.screenshot(path=str(tmp_path / "returned.png"), full_page=True)
    returns = _rows(tmp_path, "SELECT id, state FROM receipt WHERE kind = 'return'")
    assert len(returns) == 1 and returns[0][1] == "signed"
    assert _rows(
        tmp_path, f"SELECT COUNT(*) FROM receipt_item WHERE receipt_id = {returns[0][0]}"
    ) == [(3,)]
