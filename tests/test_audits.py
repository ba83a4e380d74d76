"""Audits on /audits: starting one (the snapshot of what is expected), "Seen ✓"
ticks from the asset page and the audit page, and who may do what.

Every test reads the page with BeautifulSoup and checks the rows behind it.
The walk itself (rooms, unexpected codes, undo, several auditors) is in
test_audit_walk.py; closing and the report are in test_audit_report.py.
"""

from __future__ import annotations

import pytest

from app.audits import audits
from app.custody import custody
from app.errors import Refused
from app.models import Asset, Audit, AuditItem, AuditTick, Category, Event

from . import factories
from .audit_kit import (
    CARD,
    LIVE,
    active_ticks,
    audit_page,
    events_of,
    flash,
    fresh,
    hidden_values,
    live_cards,
    page_after,
    progress_line,
    seen_count,
    set_room,
    signed_in,
    still_to_find,
    tick,
    walk_audit,
)
from .custody_kit import new_key
from .pages import field_error, path_of, soup_of


def items_of(audit: Audit) -> dict[int, int]:
    """The snapshot: asset id → where it was expected."""
    rows = AuditItem.select().where(AuditItem.audit == audit.id)
    return {row.asset_id: row.expected_location_id for row in rows}


# Starting: the snapshot ------------------------------------------------------------


def test_start_snapshots_the_active_assets_in_the_subtree(client, auth, site):
    """Starting an audit of the building expects exactly its in-service assets, where they were."""
    lead = auth.login("lead")
    response = client.form("/audits/new", {"name": "Q4 building", "location": site.building.id})
    [audit] = Audit.select()
    assert response.status_code == 303 and path_of(response) == f"/audits/{audit.id}"
    assert (audit.name, audit.status, audit.started_by_id) == ("Q4 building", "running", lead.id)
    assert (audit.scope_location_id, audit.scope_category_id) == (site.building.id, None)
    assert items_of(audit) == {
        site.drill.id: site.room_one.id,
        site.saw.id: site.room_two.id,
        site.cable.id: site.room_one.id,
    }
    [started] = events_of("audit_started")
    assert started.data == {"audit_id": audit.id, "name": "Q4 building", "expected": 3}
    soup = page_after(client, response)
    assert flash(soup).startswith("Audit started.")
    assert progress_line(soup) == "0 of 3 seen (0 %)"
    assert still_to_find(client, soup) == {"Room One": ["Cable", "Drill"], "Room Two": ["Saw"]}

    # Assets added or moved in after the start are not expected.
    factories.make_asset(site.lead, name="New kettle", location=site.room_one.id)
    custody.move(site.ladder.code, actor=site.lead, location_id=site.room_one.id)
    assert len(items_of(audit)) == 3
    soup = audit_page(client, audit)
    assert progress_line(soup) == "0 of 3 seen (0 %)"
    assert still_to_find(client, soup) == {"Room One": ["Cable", "Drill"], "Room Two": ["Saw"]}


def test_a_category_narrows_the_scope(client, auth, site):
    """Building + Tools expects the drill and the saw, not the cable."""
    auth.login("lead")
    tools = Category.get(Category.name == "Tools")
    data = {"name": "Tools check", "location": site.building.id, "category": tools.id}
    response = client.form("/audits/new", data)
    [audit] = Audit.select()
    assert audit.scope_category_id == tools.id
    assert set(items_of(audit)) == {site.drill.id, site.saw.id}
    soup = page_after(client, response)
    assert soup.select_one("main p.muted").get_text(strip=True).startswith("Building · Tools")


def test_a_second_running_audit_for_the_same_scope_is_refused(client, auth, site, audit):
    """The same scope again is a 409 naming the running audit; nothing more is written."""
    auth.login("lead")
    before = (Audit.select().count(), AuditItem.select().count(), Event.select().count())
    response = client.form("/audits/new", {"name": "Again", "location": site.building.id})
    assert response.status_code == 409
    alert = soup_of(response).select_one("main .flash-error").get_text(strip=True)
    assert "“Q4 building” is already running for that scope." in alert
    assert (Audit.select().count(), AuditItem.select().count(), Event.select().count()) == before
    with pytest.raises(Refused):
        audits.start("Again", actor=site.lead, location_id=site.building.id)


@pytest.mark.parametrize(
    "scope, expected",
    [
        ({"location": "shed"}, ["ladder"]),
        ({"location": "building", "category": "Tools"}, ["drill", "saw"]),
        ({}, ["drill", "saw", "cable", "ladder"]),
    ],
)
def test_a_different_scope_may_run_alongside(client, auth, site, audit, scope, expected):
    """Another place, a narrower category or everywhere may start while the building runs."""
    auth.login("lead")
    data = {"name": "Alongside"}
    if "location" in scope:
        data["location"] = getattr(site, scope["location"]).id
    if "category" in scope:
        data["category"] = Category.get(Category.name == scope["category"]).id
    response = client.form("/audits/new", data)
    second = Audit.get(Audit.name == "Alongside")
    assert response.status_code == 303 and path_of(response) == f"/audits/{second.id}"
    assert set(items_of(second)) == {getattr(site, name).id for name in expected}
    assert [a.status for a in Audit.select()] == ["running", "running"]


def test_members_cannot_start_an_audit(client, auth, site):
    """A member gets 403 on the form and on the post, and sees no "Start audit" link."""
    auth.login("member")
    soup, response = client.soup("/audits/new")
    assert response.status_code == 403
    assert soup.h1.get_text(strip=True) == "Not allowed"
    response = client.form("/audits/new", {"name": "Sneaky", "location": site.building.id})
    assert response.status_code == 403
    assert Audit.select().count() == 0 and events_of("audit_started") == []
    soup, _ = client.soup("/audits")
    assert soup.select_one("a[href='/audits/new']") is None


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "   "}, "name", "Give the audit a name"),
        ({"name": "Q4", "location": "99999"}, "location", "Choose a location"),
        ({"name": "Q4", "category": "99999"}, "category", "Choose a category"),
    ],
)
def test_bad_input_is_422_and_starts_nothing(client, auth, site, data, field, message):
    """No name, or an unknown place or category: the form again with the error, nothing saved."""
    auth.login("lead")
    response = client.form("/audits/new", data)
    assert response.status_code == 422
    assert message in field_error(soup_of(response), field)
    assert (Audit.select().count(), AuditItem.select().count()) == (0, 0)
    assert events_of("audit_started") == []


# Ticking -----------------------------------------------------------------------------


def test_plain_tick_redirects_with_one_tick_and_one_event(app, site, audit):
    """A typed code posted as a plain form: 303 to the audit, a tick, an `audited` event."""
    me, c = signed_in(app, "member", "Mo Member")
    key = new_key()
    response = tick(c, audit, site.drill.code, key=key)
    assert path_of(response) == f"/audits/{audit.id}"
    [row] = active_ticks(audit)
    assert (row.asset_id, row.by_id, row.expected, row.wrong_place, row.room_id) == (
        site.drill.id,
        me.id,
        True,
        False,
        None,
    )
    [event] = events_of("audited", site.drill)
    assert (event.actor_id, event.key) == (me.id, key)
    assert event.data == {"audit_id": audit.id, "expected": True, "wrong_place": False}
    assert fresh(site.drill).last_audited_at is not None
    soup = page_after(c, response)
    assert flash(soup) == "Seen ✓ Drill"
    assert progress_line(soup) == "1 of 3 seen (33 %)"
    assert live_cards(soup)["Recent ticks"] == [f"Drill · Mo Member at {row.at:%H:%M} Undo"]
    assert still_to_find(c, soup) == {"Room One": ["Cable"], "Room Two": ["Saw"]}


def test_seen_button_on_the_asset_page_ticks_by_htmx(app, site, audit):
    """The asset page's "Seen ✓" swaps #audit-card to "Already seen by me" with an OOB flash."""
    me, c = signed_in(app, "member", "Mo Member")
    soup, _ = c.soup(f"/A/{site.drill.code}")
    form = soup.select_one("section#audit-card form")
    assert form.select_one("button.seen-button").get_text(strip=True) == "Seen ✓"
    assert form["hx-target"] == "#audit-card"
    values = hidden_values(form)
    assert values["code"] == site.drill.code
    response = c.form(form["action"], values, htmx=CARD)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    fragment = soup_of(response)
    [row] = active_ticks(audit)
    assert (row.asset_id, row.by_id) == (site.drill.id, me.id)
    assert [e.key for e in events_of("audited", site.drill)] == [values["key"]]
    card = fragment.select_one("section#audit-card")
    assert card.select_one("button.seen-button") is None
    done = f"✓ Seen by you at {row.at:%H:%M}"  # Mo ticked it: the card says so
    assert card.select_one(".seen-done").get_text(strip=True) == done
    flashed = fragment.select_one('div#flash[hx-swap-oob="true"]').get_text(strip=True)
    assert flashed == "Seen ✓ Drill"
    soup, _ = c.soup(f"/A/{site.drill.code}")
    assert soup.select_one("button.seen-button") is None
    assert soup.select_one("#audit-card .seen-done").get_text(strip=True) == done


def test_typed_tick_by_htmx_returns_the_live_section(app, site, audit):
    """Typed on the audit page with HX-Target audit-live: only that section, plus the OOB flash."""
    _, c = signed_in(app)
    response = tick(c, audit, site.saw.code, htmx=LIVE)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    soup = soup_of(response)
    assert soup.select_one("section#audit-live") is not None
    assert progress_line(soup) == "1 of 3 seen (33 %)"
    assert soup.select_one('div#flash[hx-swap-oob="true"]').get_text(strip=True) == "Seen ✓ Saw"
    assert [t.asset_id for t in active_ticks(audit)] == [site.saw.id]


def test_audit_page_is_a_whole_page_or_the_live_fragment(app, site, audit):
    """A plain GET is the whole page; an htmx poll of #audit-live gets the section alone."""
    _, c = signed_in(app)
    plain = c.get(f"/audits/{audit.id}")
    assert "<html" in plain.get_data(as_text=True)
    assert soup_of(plain).select_one("main section#audit-live") is not None
    poll = c.get(f"/audits/{audit.id}", headers={"HX-Request": "true", "HX-Target": LIVE})
    assert "<html" not in poll.get_data(as_text=True)
    soup = soup_of(poll)
    assert [el.name for el in soup.find_all(recursive=False)] == ["section"]
    assert soup.section["id"] == "audit-live" and progress_line(soup) == "0 of 3 seen (0 %)"


def test_a_second_tick_of_the_same_asset_writes_nothing(app, site, audit):
    """Ticked again by someone else (new key, or a stale "Seen ✓"): "Already seen by", no row."""
    _, ann = signed_in(app, "member", "Ann First")
    _, bob = signed_in(app, "member", "Bob Second")
    stale, _ = bob.soup(f"/A/{site.drill.code}")  # Bob opens the page before Ann ticks
    tick(ann, audit, site.drill.code, key=new_key())
    [row] = active_ticks(audit)
    already = f"Already seen by Ann First at {row.at:%H:%M}."
    before = (AuditTick.select().count(), Event.select().count())

    soup = soup_of(tick(bob, audit, site.drill.code, htmx=LIVE, key=new_key()))
    assert flash(soup) == already
    assert progress_line(soup) == "1 of 3 seen (33 %)"

    form = stale.select_one("section#audit-card form")
    fragment = soup_of(bob.form(form["action"], hidden_values(form), htmx=CARD))
    assert flash(fragment) == already
    assert (
        fragment.select_one("#audit-card .seen-done")
        .get_text(strip=True)
        .startswith("✓ Already seen by Ann First")
    )
    assert (AuditTick.select().count(), Event.select().count()) == before
    assert active_ticks(audit) == [row] and len(events_of("audited", site.drill)) == 1
    assert seen_count(audit) == 1


def test_already_seen_message_uses_the_sites_time_zone(app, site, audit):
    """The "Already seen … at HH:MM" flash shows the same local time as the card beside it."""
    from app.ops import settings

    settings.save({"timezone": "Asia/Tokyo"})  # UTC+9 all year: the hours always differ
    _, ann = signed_in(app, "member", "Ann First")
    _, bob = signed_in(app, "member", "Bob Second")
    tick(ann, audit, site.drill.code)
    soup, _ = bob.soup(f"/A/{site.drill.code}")
    card = soup.select_one("#audit-card .seen-done").get_text(strip=True)
    local = card.rsplit(" ", 1)[1]
    fragment = soup_of(tick(bob, audit, site.drill.code, htmx=CARD))
    assert flash(fragment) == f"Already seen by Ann First at {local}."


def test_the_same_key_twice_is_one_tick(app, site, audit):
    """A resent form (same key) writes one tick and one event."""
    _, c = signed_in(app)
    key = new_key()
    assert tick(c, audit, site.cable.code, key=key).status_code == 303
    soup = soup_of(tick(c, audit, site.cable.code, key=key, htmx=LIVE))
    assert flash(soup).startswith("You already ticked this at")
    assert len(active_ticks(audit)) == 1 and AuditTick.select().count() == 1
    assert [e.key for e in events_of("audited", site.cable)] == [key]
    assert seen_count(audit) == 1


@pytest.mark.parametrize(
    "typed",
    [str.lower, lambda c: f"{c[:3]}-{c[3:]}".lower(), lambda c: f" {c[:3]} {c[3:]} "],
    ids=["lower", "lower-hyphen", "spaces"],
)
def test_a_code_typed_loosely_still_ticks(app, site, audit, typed):
    """Lower case, a hyphen or spaces in a typed code still tick the right asset."""
    _, c = signed_in(app)
    soup = soup_of(tick(c, audit, typed(site.drill.code), htmx=LIVE))
    assert flash(soup) == "Seen ✓ Drill"
    assert [t.asset_id for t in active_ticks(audit)] == [site.drill.id]
    assert len(events_of("audited", site.drill)) == 1


def test_asset_pages_offer_seen_only_while_an_audit_expects_them(app, site):
    """No audit: no card. Running: in-scope pages show "Seen ✓"; others once you walk it."""
    _, c = signed_in(app)
    soup, _ = c.soup(f"/A/{site.drill.code}")
    assert soup.select_one("#audit-card") is None
    audit = audits.start("Q4 building", actor=site.lead, location_id=site.building.id)
    soup, _ = c.soup(f"/A/{site.drill.code}")
    assert soup.select_one("#audit-card button.seen-button") is not None
    assert soup.select_one("#audit-card .hint") is None
    soup, _ = c.soup(f"/A/{site.ladder.code}")
    assert soup.select_one("#audit-card") is None  # not expected, and not walking this audit
    walk_audit(c, audit)  # "Walk this audit" makes it the one this person walks
    soup, _ = c.soup(f"/A/{site.ladder.code}")
    assert soup.select_one("#audit-card button.seen-button") is not None
    assert "Not expected in this audit" in soup.select_one("#audit-card .hint").get_text()


# Who may do what -------------------------------------------------------------------------


def _walking(client) -> int | None:
    with client.session_transaction() as session:
        return session.get("audit")


def test_opening_an_audit_does_not_switch_the_one_walked(app, site, audit):
    """A GET changes nothing: only "Walk this audit" (a POST), starting an audit or
    saying where you are in it makes it the audit your scans count for."""
    _, c = signed_in(app)
    other = audits.start("Shed check", actor=site.lead, location_id=site.shed.id)
    walk_audit(c, audit)
    assert _walking(c) == audit.id
    page = audit_page(c, other)
    assert _walking(c) == audit.id  # opened, not switched
    assert page.select_one("form.walk-form button").get_text(strip=True) == "Walk this audit"
    page = walk_audit(c, other)
    assert _walking(c) == other.id
    assert page.select_one("form.walk-form") is None
    assert "You are walking this audit" in page.select_one(".walking").get_text()
    set_room(c, audit, site.room_one)  # "I am in…" walks that audit again
    assert _walking(c) == audit.id
    lead, leads = signed_in(app, "lead")
    started = page_after(leads, leads.form("/audits/new", {"name": "Yard", "location": ""}))
    assert "You are walking this audit" in started.select_one(".walking").get_text()


def test_members_walk_audits_but_do_not_run_them(app, site, audit, elsewhere):
    """Members view, set the room and tick; new, close, missing, elsewhere and reports are 403."""
    me, c = signed_in(app, "member")
    soup, response = c.soup("/audits")
    assert response.status_code == 200
    assert [a["href"] for a in soup.select("main ul.rows a")] == [f"/audits/{audit.id}"]
    soup = audit_page(c, audit)
    assert soup.select_one(f"main a[href='/audits/{audit.id}/close']") is None
    assert soup.select_one(f"main a[href='/audits/{audit.id}/report']") is None
    set_room(c, audit, site.room_two)
    assert tick(c, audit, site.drill.code).status_code == 303
    assert [t.by_id for t in active_ticks(audit, site.drill)] == [me.id]

    before = Event.select().count()
    refused = [
        c.get("/audits/new"),
        c.form("/audits/new", {"name": "Mine", "location": site.shed.id}),
        c.get(f"/audits/{audit.id}/close"),
        c.form(f"/audits/{audit.id}/close"),
        c.form(f"/audits/{audit.id}/missing", {"code": site.cable.code}),
        c.form(f"/audits/{audit.id}/ticks/{elsewhere.id}/elsewhere", {"move": "1"}),
        c.get(f"/audits/{audit.id}/report"),
        c.get(f"/audits/{audit.id}/report.csv"),
        c.get(f"/audits/{audit.id}/report.pdf"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert all(soup_of(r).h1.get_text(strip=True) == "Not allowed" for r in refused)
    assert Event.select().count() == before and Audit.select().count() == 1
    assert fresh(audit).status == "running" and fresh(elsewhere).resolution == ""
    assert fresh(site.cable).status == "available"


def test_signed_out_visitors_are_sent_to_sign_in(app, site, audit):
    """Every audit URL, read or write, redirects a signed-out visitor to sign in."""
    c = app.test_client()
    base = f"/audits/{audit.id}"
    reads = [
        "/audits",
        "/audits/new",
        base,
        f"{base}/close",
        f"{base}/report",
        f"{base}/report.csv",
    ]
    for url in reads:
        response = c.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url
    for url in [f"{base}/tick", f"{base}/room", f"{base}/close", f"{base}/missing"]:
        response = c.form(url, {"code": site.drill.code, "location": site.room_one.id})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url
    assert AuditTick.select().count() == 0 and fresh(audit).status == "running"
    assert Asset.get_by_id(site.drill.id).status == "available"


@pytest.mark.parametrize("field", ["location", "category"])
def test_an_audit_scoped_to_a_place_or_category_that_does_not_exist_is_refused(client, auth, field):
    """Id 0 (no row has it) was taken for "everywhere" by the check and then
    refused by the database: a 500. It is "choose from the list", and nothing starts."""
    auth.login("lead")
    response = client.form("/audits/new", {"name": "Ghost", field: "0"})
    assert response.status_code == 422
    assert "Choose a" in response.get_data(as_text=True)
    assert not Audit.select().where(Audit.name == "Ghost").exists()
