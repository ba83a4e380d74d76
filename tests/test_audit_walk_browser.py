"""Walking an audit in a real Chromium at phone size: "Seen ✓" on a missing item
updates the card at once, the audit page's typed-code box is emptied after each
tick (and kept after a "check it" question), a location label offers "I am in…",
and /scan without JavaScript sets the room and asks about a typed mistake."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .browser_kit import PHONES, assert_no_sideways_scroll, phone
from .test_browser import _shot
from .test_scanner_browser import _query, _sign_in, _start_audit
from .test_scanner_browser import site as site  # noqa: F401  (the demo server fixture)

pytestmark = pytest.mark.browser


def _unseen(site, audit_id: int, count: int) -> list[tuple[str, str, int]]:
    """Expected, available items nobody holds: (code, name, location id)."""
    rows = _query(
        site, "SELECT a.code, a.name, a.location_id FROM audit_item i "
        "JOIN asset a ON a.id = i.asset_id WHERE i.audit_id = ? AND a.holder_id IS NULL "
        "AND a.status = 'available' AND a.location_id IS NOT NULL "
        "AND a.id NOT IN (SELECT asset_id FROM audit_tick WHERE audit_id = ? "
        "AND asset_id IS NOT NULL) ORDER BY a.id LIMIT ?", audit_id, audit_id, count,
    )  # fmt: skip
    assert len(rows) == count
    return rows


def _mark_missing(page: Page, url: str, audit_id: int, code: str, place: int) -> None:
    page.goto(f"{url}/audits/{audit_id}?room={place}")
    row = page.locator("#room-list li").filter(has_text=f"{code[:3]}-{code[3:]}")
    row.get_by_role("button", name="Mark missing").tap()
    expect(page.locator("#flash")).to_contain_text("Marked missing.")


@pytest.mark.parametrize("size", PHONES)
def test_seen_on_a_missing_item_updates_the_status_card(site, browser, size):
    """Tapping "Seen ✓" on a Missing item's page turns its card Available, without a
    reload, and the answer says it was found."""
    url = site["url"]
    page = phone(browser, size)
    _sign_in(page, url)
    audit_id = _start_audit(page, url, f"Missing walk {size}", where=1 if size == "390" else 2)
    [(code, name, place)] = _unseen(site, audit_id, 1)
    _mark_missing(page, url, audit_id, code, place)
    page.goto(f"{url}/A/{code}")
    card = page.locator("#status-card")
    expect(card).to_have_class(re.compile(r"\bstatus-missing\b"))
    page.locator("#audit-card").get_by_role("button", name="Seen ✓").tap()
    expect(page.locator("#flash")).to_have_text(f"Seen ✓ {name}: found, it was missing")
    expect(card.locator(".status-line")).to_have_text("Available")
    expect(card).not_to_have_class(re.compile(r"\bstatus-missing\b"))
    expect(page.locator("#audit-card .seen-done")).to_contain_text("Seen by you")
    assert _query(site, "SELECT status FROM asset WHERE code = ?", code) == [("available",)]
    assert_no_sideways_scroll(page)
    _shot(page, f"audit-found-{size}")
    page.context.close()


def test_the_typed_code_box_is_emptied_after_a_tick(site, browser):
    """On the audit page a typed tick empties the box and keeps the focus there, so
    the next code can be typed at once (and is a new tick); a code that matches
    nothing stays in the box to be corrected."""
    url = site["url"]
    page = phone(browser)
    _sign_in(page, url)
    audit_id = _start_audit(page, url, "Typed walk", where=3)
    (first, first_name, _), (second, second_name, _) = _unseen(site, audit_id, 2)
    box = page.locator("#code")
    box.fill(first.lower())
    box.press("Enter")
    expect(page.locator("#flash")).to_contain_text(f"Seen ✓ {first_name}")
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    box.fill(second)
    box.press("Enter")
    expect(page.locator("#flash")).to_contain_text(f"Seen ✓ {second_name}")
    expect(box).to_have_value("")
    box.fill("zzz-zzz")
    box.press("Enter")
    expect(page.locator("#typed-check")).to_contain_text("No asset has the code ZZZ-ZZZ")
    expect(box).to_have_value("zzz-zzz")
    ticks = "SELECT COUNT(*) FROM audit_tick WHERE audit_id = ? AND undone_at IS NULL"
    assert _query(site, ticks, audit_id) == [(2,)]
    _shot(page, "audit-typed-kept")
    page.context.close()


@pytest.mark.parametrize("size", PHONES)
def test_a_location_label_offers_i_am_in(site, browser, size):
    """A member who never opened the audit scans a room's label: "I am in <room>"."""
    url = site["url"]
    lead = phone(browser, size)
    _sign_in(lead, url)
    audit_id = _start_audit(lead, url, f"Label walk {size}", where=4 if size == "390" else 5)
    lead.context.close()
    [(place, code)] = _query(
        site, "SELECT l.name, l.code FROM location l JOIN audit a ON a.id = ? "
        "WHERE l.id = a.scope_location_id", audit_id,
    )  # fmt: skip
    member = phone(browser, size)
    _sign_in(member, url, "sam@demo.tagtrail")
    member.goto(f"{url}/L/{code}")
    assert_no_sideways_scroll(member)
    _shot(member, f"audit-location-offer-{size}")
    form = member.locator(f"form[action='/audits/{audit_id}/room']")
    form.get_by_role("button", name=f"I am in {place}").tap()
    expect(member.locator("main")).to_contain_text(f"✓ You are in {place} for “Label walk {size}”.")
    assert_no_sideways_scroll(member)
    _shot(member, f"audit-location-{size}")
    member.context.close()


@pytest.mark.parametrize("size", PHONES)
def test_scan_without_javascript_sets_the_room_and_asks(site, browser, size):
    """/scan with JavaScript off: "I am in…" is set with a plain form, and a typed code
    that matches nothing is asked about on /scan, recorded after "Record as unexpected"."""
    url = site["url"]
    lead = phone(browser, size)
    _sign_in(lead, url)
    audit_id = _start_audit(lead, url, f"No script {size}", where=6 if size == "390" else 7)
    lead.context.close()
    [(place_id, place)] = _query(
        site, "SELECT l.id, l.name FROM location l JOIN audit a ON a.id = ? "
        "WHERE l.id = a.scope_location_id", audit_id,
    )  # fmt: skip
    page = phone(browser, size, js=False)
    _sign_in(page, url, "sam@demo.tagtrail")
    page.goto(url + "/scan")
    page.locator(f"#nojs-room-{audit_id}").select_option(str(place_id))
    page.locator(f"#nojs-room-{audit_id}").locator("xpath=..").get_by_role("button").tap()
    page.wait_for_url(url + "/scan")
    expect(page.locator("#flash")).to_have_text(f"You are in {place}.")
    expect(page.locator(f"#nojs-room-{audit_id}")).to_have_value(str(place_id))
    page.locator(f"#nojs-audit-{audit_id}").fill("zzz-zzz")
    page.locator(f"#nojs-audit-{audit_id}").press("Enter")
    expect(page.locator("#typed-check")).to_contain_text("No asset has the code ZZZ-ZZZ: check it.")
    assert page.url.startswith(url + "/scan?")
    assert_no_sideways_scroll(page)
    _shot(page, f"scan-nojs-asked-{size}")
    page.get_by_role("button", name="Record as unexpected").tap()
    page.wait_for_url(url + "/scan")
    unknown = "SELECT COUNT(*) FROM audit_tick WHERE audit_id = ? AND asset_id IS NULL"
    assert _query(site, unknown, audit_id) == [(1,)]
    page.context.close()
