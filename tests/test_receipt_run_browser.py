"""The issue's journey: a lead hands three laptops to a new starter on a phone
(390x844): one scanner run of "Check out to…", "Sign for 3 items", a signature
drawn on the pad, one receipt with the three and their condition, one PDF in the
starter's inbox (a real SMTP server on loopback); on their last day "Return
all" gives one return receipt, and the laptop returned Broken has its fault
reported in the same step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .browser_kit import (
    PHONES,
    STARTUP_SECONDS,
    add_asset,
    assert_no_sideways_scroll,
    db_rows,
    phone,
    set_up_organisation,
)
from .live import Server
from .mail_kit import inbox  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"


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


@pytest.fixture
def server(tmp_path, inbox):  # noqa: F811 (the mail fixture)
    """The real server, with mail going to the loopback SMTP server."""
    _, port = inbox
    running = Server(
        tmp_path / "instance",
        env={
            "TAGTRAIL_SMTP_HOST": "127.0.0.1",
            "TAGTRAIL_SMTP_PORT": str(port),
            "TAGTRAIL_SMTP_FROM": "tagtrail@example.test",
            "TAGTRAIL_SMTP_STARTTLS": "false",
        },
    )
    try:
        running.start(timeout=STARTUP_SECONDS)
        yield running.url
    finally:
        running.stop()
        print(f"--- {running.log} ---\n{running.log_text()}")


def test_three_laptops_in_one_run_one_signature_then_return_all(
    browser,
    server,
    tmp_path,
    inbox,  # noqa: F811 (the mail fixture)
):
    mailbox, _ = inbox
    page = phone(browser, "390")
    set_up_organisation(page, server, PASSWORD)
    codes = [add_asset(page, server, f"Laptop {n}") for n in (1, 2, 3)]
    for code in codes:  # new laptops: their condition is on the receipt
        page.goto(f"{server}/assets/{code}/edit")
        page.get_by_label("Condition").select_option("new")
        page.get_by_label("Serial").fill(f"SN5CG1234XYZABCDEFGHJK0987654321{code}")  # one long word
        page.get_by_role("button", name=re.compile("^Save")).click()
        page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))
    page.goto(server + "/people/new")
    page.get_by_label("Name", exact=True).fill("Nina Novak")
    page.get_by_label("Email").fill("nina@example.test")
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
    assert_no_sideways_scroll(page)
    page.set_viewport_size(PHONES["360"])  # the narrowest phone: the serials still fit
    page.reload()
    assert_no_sideways_scroll(page)
    table, card = page.evaluate(
        """() => {
            const table = document.querySelector('#receipt-items');
            const card = table.parentElement, style = getComputedStyle(card);
            const inner = card.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight);
            return [table.scrollWidth, inner];
        }"""
    )
    assert table <= card, f"the items table is {table}px in a card {card}px wide inside"
    page.set_viewport_size(PHONES["390"])
    [(rid, state, signature_file, pdf_file)] = db_rows(
        tmp_path, "SELECT id, state, signature_file, pdf_file FROM receipt"
    )
    assert state == "signed" and signature_file.endswith(".png") and pdf_file
    assert (
        db_rows(tmp_path, f"SELECT condition FROM receipt_item WHERE receipt_id = {rid}")
        == [("new",)] * 3
    )
    assert db_rows(tmp_path, "SELECT COUNT(*) FROM asset WHERE awaiting_since IS NOT NULL") == [
        (0,)
    ]
    # One email to her, with the one PDF.
    mailbox.wait_for(1)
    email = mailbox.to("nina@example.test")
    [pdf] = [
        part for part in email.iter_attachments() if part.get_content_type() == "application/pdf"
    ]
    assert pdf.get_content().startswith(b"%PDF")

    # Her last day: Return all, signed by the lead taking them back (typed name).
    page.goto(f"{server}/people/{person_id}/return-all")
    expect(page.locator("#signing")).to_be_visible()
    # Laptop 2 comes back broken: its fault fields show, and are filled in.
    broken = page.locator("li.return-item", has_text="Laptop 2")
    expect(broken.get_by_label("What is wrong with Laptop 2?")).to_be_hidden()
    broken.locator(".chips label", has_text="Broken").click()
    broken.get_by_label("What is wrong with Laptop 2?").fill("Screen cracked, will not wake")
    broken.get_by_label("Do not use").check()
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "return-all.png"), full_page=True)
    page.locator("#signing input[name=signer]").nth(1).check()
    lead_name = page.locator("#signing input[name=signer]").nth(1).locator("xpath=..").inner_text()
    page.get_by_label("Or type your full name").fill(lead_name.split(",")[0].strip())
    page.get_by_role("button", name="Return all 3").click()
    expect(page.locator("#returned li")).to_have_count(3)
    expect(page.locator("#receipt-link")).to_be_visible()
    page.screenshot(path=str(tmp_path / "returned.png"), full_page=True)
    returns = db_rows(tmp_path, "SELECT id, state FROM receipt WHERE kind = 'return'")
    assert len(returns) == 1 and returns[0][1] == "signed"
    assert sorted(
        db_rows(
            tmp_path,
            "SELECT a.name, i.condition FROM receipt_item i JOIN asset a ON a.id = i.asset_id "
            f"WHERE i.receipt_id = {returns[0][0]}",
        )
    ) == [("Laptop 1", "new"), ("Laptop 2", "broken"), ("Laptop 3", "new")]
    assert db_rows(
        tmp_path,
        "SELECT a.name, a.status, f.description, f.severity FROM fault f "
        "JOIN asset a ON a.id = f.asset_id",
    ) == [("Laptop 2", "faulty", "Screen cracked, will not wake", "do_not_use")]
