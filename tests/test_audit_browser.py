"""Walking an audit in a real Chromium at phone size: one "I am in…" shown and
changed on both the audit page and /scan, typed mistakes asked about, and the
asset page's "Seen ✓" leading only for whoever walks the audit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .browser_kit import PHONES, assert_no_sideways_scroll, phone
from .test_browser import _shot
from .test_scanner_browser import _mode, _query, _sign_in, _start_audit
from .test_scanner_browser import site as site  # noqa: F401  (the demo server fixture)

pytestmark = pytest.mark.browser


def _room_named(page: Page, select: str, name: str) -> str:
    """The value of the option whose text (without its indent) is `name`."""
    return page.evaluate(
        """([select, name]) => Array.from(document.querySelector(select).options)
             .find(o => o.textContent.replace(/^[\\s–\\u2003]+/, "") === name).value""",
        [select, name],
    )


def test_one_room_on_the_audit_page_and_the_scanner(site, browser):
    """Set on the audit page, /scan shows it; changed on /scan, the audit page shows
    that; a typed tick on /scan is checked against it, and a typed code that matches
    nothing is asked about, recorded only after "Record as unexpected"."""
    url = site["url"]
    page = phone(browser)
    _sign_in(page, url)
    audit_id = _start_audit(page, url, "Room walk")
    (first_room, first_id), (second_room, second_id) = _query(
        site,
        "SELECT l.name, l.id FROM location l WHERE EXISTS (SELECT 1 FROM asset a "
        "WHERE a.location_id = l.id AND a.status = 'available') ORDER BY l.id LIMIT 2",
    )
    page.get_by_label("I am in").select_option(str(first_id))
    page.get_by_role("button", name="Set", exact=True).tap()
    expect(page.locator("#flash")).to_contain_text(f"You are in {first_room}.")

    page.goto(url + "/scan")
    _mode(page, "Audit")
    expect(page.locator("#scan-place")).to_have_value(str(first_id))
    page.locator("#scan-place").select_option(str(second_id))
    expect(page.locator("#scan-status")).to_have_text(f"I am in {second_room}.")
    expect(page.locator("#scan-list .scan-item")).to_have_count(0)
    _shot(page, "audit-room-1-scanner")

    page.goto(f"{url}/audits/{audit_id}")
    expect(page.locator("select#room")).to_have_value(str(second_id))

    [(code, name)] = _query(
        site,
        "SELECT code, name FROM asset WHERE location_id = ? AND status = 'available' LIMIT 1",
        second_id,
    )
    page.goto(url + "/scan")
    _mode(page, "Audit")
    expect(page.locator("#scan-place")).to_have_value(str(second_id))
    page.locator("#scan-code").fill(code.lower())
    page.locator("#scan-code").press("Enter")
    expect(page.locator("#scan-status")).to_contain_text(f"Seen ✓ {name}")
    [(room, wrong)] = _query(
        site,
        "SELECT t.room_id, t.wrong_place FROM audit_tick t JOIN asset a ON a.id = t.asset_id "
        "WHERE t.audit_id = ? AND a.code = ?",
        audit_id,
        code,
    )
    assert (room, wrong) == (second_id, 0)  # no false "seen elsewhere"

    page.locator("#scan-code").fill("zzz-zzz")
    page.locator("#scan-code").press("Enter")
    asked = page.locator("#scan-list .scan-item").first
    expect(asked).to_contain_text("No asset has the code ZZZ-ZZZ: check it.")
    unknown = "SELECT COUNT(*) FROM audit_tick WHERE audit_id = ? AND asset_id IS NULL"
    assert _query(site, unknown, audit_id) == [(0,)]
    assert_no_sideways_scroll(page)
    _shot(page, "audit-room-2-typed-mistake")
    asked.get_by_role("button", name="Record as unexpected").tap()
    expect(page.locator("#scan-list .scan-item.is-noted")).to_have_count(1)
    assert _query(site, unknown, audit_id) == [(1,)]
    page.context.close()


@pytest.mark.parametrize("size", PHONES)
def test_the_audit_screens_at_phone_sizes(site, browser, size):
    """The audit page, its close page, the report and an asset page (walking and
    not) fit the phone; "Seen ✓" leads the asset card only for the walker."""
    url = site["url"]
    lead = phone(browser, size)
    _sign_in(lead, url)
    audit_id = _start_audit(lead, url, f"Phone {size}", where=1)
    [(code,)] = _query(
        site, "SELECT a.code FROM audit_item i JOIN asset a ON a.id = i.asset_id "
        "WHERE i.audit_id = ? AND a.holder_id IS NULL LIMIT 1", audit_id,
    )  # fmt: skip
    lead.goto(f"{url}/A/{code}")
    first = lead.locator("main button").first
    expect(first).to_have_text("Seen ✓")
    assert_no_sideways_scroll(lead)
    _shot(lead, f"audit-{size}-asset-walking")

    member = phone(browser, size)
    _sign_in(member, url, "sam@demo.tagtrail")
    member.goto(f"{url}/A/{code}")
    expect(member.locator("main button").first).to_have_text("Check out to me")
    expect(member.locator("#audit-card.audit-line")).to_be_visible()
    expect(member.get_by_role("link", name="Check out to me until…")).to_be_visible()
    assert_no_sideways_scroll(member)
    _shot(member, f"audit-{size}-asset-member")
    member.context.close()

    for path, name in (
        (f"/audits/{audit_id}", "page"),
        (f"/audits/{audit_id}/close", "close"),
    ):
        lead.goto(url + path)
        assert_no_sideways_scroll(lead)
        _shot(lead, f"audit-{size}-{name}")
    lead.goto(url + "/scan")
    _mode(lead, "Audit")
    assert_no_sideways_scroll(lead)
    _shot(lead, f"audit-{size}-scanner")
    lead.goto(f"{url}/audits/{audit_id}/close")
    lead.get_by_role("button", name="Close audit").tap()
    lead.wait_for_url(re.compile(rf"/audits/{audit_id}/report$"))
    assert_no_sideways_scroll(lead)
    _shot(lead, f"audit-{size}-report")
    lead.context.close()
