"""One "I am in…" per person per audit, shared by the audit page, the location
page and /scan and used by every tick; and the asset page's "Seen ✓", which
leads the page only for someone walking that audit."""

from __future__ import annotations

import time
import uuid

from app.audits import audits
from app.models import AuditTick

from . import factories
from .audit_kit import (
    audit_page,
    set_room,
    walk_audit,
)


def _send(client, actions):
    token = client.csrf_token()
    response = client.post(
        "/scan/actions", json={"actions": actions}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["results"]


def _key() -> str:
    return uuid.uuid4().hex


def _tick(client, audit, code):
    now = int(time.time() * 1000)
    item = {"key": _key(), "action": "tick", "code": code, "audit_id": audit.id, "scanned_at": now}
    return _send(client, [item])[0]


def _scanner_room(client, audit) -> str:
    soup, _ = client.soup("/scan")
    return soup.select_one(f'#scan-audit option[value="{audit.id}"]')["data-room"]


def _page_room(client, audit) -> str:
    return audit_page(client, audit).select_one("select#room option[selected]")["value"]


def _login(app, user):
    client = app.test_client()
    response = client.form("/login", {"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 303
    return client


def test_one_room_shown_and_changed_on_the_audit_page_and_the_scanner(app, site, audit):
    """Said on the audit page, /scan shows it; said on /scan, the audit page shows it
    (on another of the same person's devices too); every tick uses it."""
    mo = factories.make_user("member", name="Mo Member")
    phone, laptop = _login(app, mo), _login(app, mo)
    set_room(laptop, audit, site.room_two)
    assert _scanner_room(phone, audit) == str(site.room_two.id)
    answer = _tick(phone, audit, site.saw.code)  # the saw belongs in Room Two
    assert answer["status"] == "done" and answer["message"] == "Seen ✓ Saw"
    saw = AuditTick.get(AuditTick.asset == site.saw.id)
    assert (saw.room_id, saw.wrong_place) == (site.room_two.id, False)

    now = int(time.time() * 1000)
    [said] = _send(
        phone,
        [{"key": _key(), "action": "room", "audit_id": audit.id, "room_id": site.room_one.id,
          "scanned_at": now}],
    )  # fmt: skip
    assert (said["status"], said["message"]) == ("done", "I am in Room One.")
    assert _page_room(laptop, audit) == str(site.room_one.id)
    assert _scanner_room(phone, audit) == str(site.room_one.id)
    soup, _ = laptop.soup(f"/A/{site.drill.code}")
    laptop.form(
        soup.select_one("#audit-card form")["action"],
        {i["name"]: i.get("value", "") for i in soup.select("#audit-card input[type=hidden]")},
    )
    drill = AuditTick.get(AuditTick.asset == site.drill.id)
    assert (drill.room_id, drill.wrong_place) == (site.room_one.id, False)
    # Each audit keeps its own room.
    other = audits.start("Sheds", actor=site.lead, location_id=site.shed.id)
    assert _scanner_room(phone, other) == ""


def test_a_room_said_on_the_scanner_for_a_closed_audit_is_refused(app, site, audit):
    mo = factories.make_user("member")
    client = _login(app, mo)
    audits.close(audit.id, actor=site.lead)
    [said] = _send(
        client,
        [{"key": _key(), "action": "room", "audit_id": audit.id, "room_id": site.room_one.id}],
    )
    assert said["status"] == "refused" and said["message"] == "This audit is closed."


def test_seen_is_a_small_line_for_someone_not_walking_the_audit(app, site, audit):
    """A member who never opened the audit: the card leads with "Check out to me",
    and the audit is one small line under it with a small "Seen ✓"."""
    client = _login(app, factories.make_user("member"))
    soup, _ = client.soup(f"/A/{site.drill.code}")
    main = soup.select_one("main")
    ids = [el["id"] for el in main.select("#status-card, #audit-card")]
    assert ids == ["status-card", "audit-card"]
    line = soup.select_one("#audit-card")
    assert "audit-line" in line["class"] and "card" not in line["class"]
    assert "primary" not in line.select_one("button.seen-button")["class"]
    first = main.select_one("button")
    assert first.get_text(strip=True) == "Check out to me"


def test_seen_leads_the_page_for_someone_walking_the_audit(app, site, audit):
    """Walking the audit, or said where they are in it (on another device): "Seen ✓"
    is the first big button, above the status card."""
    mo = factories.make_user("member")
    opened, other = _login(app, mo), _login(app, mo)
    walk_audit(opened, audit)
    soup, _ = opened.soup(f"/A/{site.drill.code}")
    ids = [el["id"] for el in soup.select("main #status-card, main #audit-card")]
    assert ids == ["audit-card", "status-card"]
    first = soup.select_one("main button")
    assert first.get_text(strip=True) == "Seen ✓" and "primary" in first["class"]
    soup, _ = other.soup(f"/A/{site.drill.code}")
    assert "audit-line" in soup.select_one("#audit-card")["class"]  # not said anything yet
    set_room(other, audit, site.room_one)
    soup, _ = other.soup(f"/A/{site.drill.code}")
    card = soup.select_one("#audit-card")
    assert "card" in card["class"] and card.find_next(id="status-card") is not None


def test_a_members_longer_check_out_says_what_it_does(app, site):
    """Members check out only to themselves: the second button and its page say
    "Check out to me until…"; leads keep "Check out to…"."""
    member = _login(app, factories.make_user("member"))
    soup, _ = member.soup(f"/A/{site.drill.code}")
    labels = [el.get_text(strip=True) for el in soup.select("#status-card .card-actions a")]
    assert labels == ["Check out to me until…", "Reserve"]
    page, _ = member.soup(f"/A/{site.drill.code}/checkout")
    assert page.h1.get_text(strip=True) == "Check out to me until…"
    assert page.select_one("form.stack button.primary").get_text(strip=True) == "Check out to me"
    lead = _login(app, factories.make_user("lead"))
    soup, _ = lead.soup(f"/A/{site.drill.code}")
    labels = [el.get_text(strip=True) for el in soup.select("#status-card .card-actions a")]
    assert labels == ["Check out to…", "Reserve"]


def test_a_room_said_on_the_scanner_shows_on_the_location_page(app, site, audit):
    """Never opened the audit here, but said on /scan where they are: the room's
    own page knows it too."""
    client = _login(app, factories.make_user("member"))
    _send(
        client,
        [{"key": _key(), "action": "room", "audit_id": audit.id, "room_id": site.room_two.id}],
    )
    soup, _ = client.soup(f"/L/{site.room_two.code}")
    assert soup.select_one(".seen-done").get_text(strip=True) == (
        "✓ You are in Room Two for “Q4 building”."
    )
