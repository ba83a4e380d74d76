"""Helpers and fixtures shared by the audit tests: a small site to walk, people
signed in on their own clients, and readers for the audit page's sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from app.audits import audits, progress
from app.custody import custody
from app.models import Asset, Audit, AuditTick, Event, Location, User

from . import factories
from .pages import path_of

LIVE = "audit-live"
CARD = "audit-card"


def a_lead(name: str | None = None) -> User:
    """A lead who never signs in (no password to hash, so tests stay quick)."""
    return factories.make_user("lead", name=name, password=None)


def fresh(row):
    return type(row).get_by_id(row.id)


def signed_in(app, role: str = "member", name: str | None = None):
    """A new test client signed in as a new user of `role`; returns (user, client)."""
    user = factories.make_user(role, name=name)
    client = app.test_client()
    response = client.form("/login", {"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return user, client


@dataclass
class Site:
    """A building with two rooms, a shed outside it, and what is kept in each."""

    lead: User
    building: Location
    room_one: Location
    room_two: Location
    shed: Location
    drill: Asset  # tools, room one
    saw: Asset  # tools, room two
    cable: Asset  # cables, room one
    ladder: Asset  # tools, the shed (outside the building)
    scrapped: Asset  # tools, room one, retired


@pytest.fixture
def site(auth) -> Site:
    lead = a_lead("Lena Lead")
    building = factories.make_location("Building")
    room_one = factories.make_location("Room One", building)
    room_two = factories.make_location("Room Two", building)
    shed = factories.make_location("Shed")
    tools, cables = factories.make_category("Tools"), factories.make_category("Cables")

    def asset(name, where, kind):
        return factories.make_asset(lead, name=name, location=where.id, category=kind.id)

    scrapped = asset("Old drill", room_one, tools)
    custody.retire(scrapped.code, actor=lead, reason="scrapped")
    return Site(
        lead=lead,
        building=building,
        room_one=room_one,
        room_two=room_two,
        shed=shed,
        drill=asset("Drill", room_one, tools),
        saw=asset("Saw", room_two, tools),
        cable=asset("Cable", room_one, cables),
        ladder=asset("Ladder", shed, tools),
        scrapped=fresh(scrapped),
    )


@pytest.fixture
def audit(site) -> Audit:
    """A running audit of the building (drill, saw and cable expected)."""
    return audits.start("Q4 building", actor=site.lead, location_id=site.building.id)


@pytest.fixture
def elsewhere(app, site, audit) -> AuditTick:
    """The saw, ticked by a member standing in Room One."""
    _, c = signed_in(app, "member", "Mo Member")
    set_room(c, audit, site.room_one)
    tick(c, audit, site.saw.code)
    [row] = active_ticks(audit, site.saw)
    return row


# Acting --------------------------------------------------------------------------


def hidden_values(form) -> dict[str, str]:
    """What a browser would post for a form's hidden fields."""
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


def tick(client, audit: Audit, code: str, *, htmx: str | None = None, key: str | None = None):
    data = {"code": code}
    if key:
        data["key"] = key
    return client.form(f"/audits/{audit.id}/tick", data, htmx=htmx)


def set_room(client, audit: Audit, room: Location):
    response = client.form(f"/audits/{audit.id}/room", {"location": room.id})
    assert response.status_code == 303 and path_of(response) == f"/audits/{audit.id}"
    return response


def hand_to(asset: Asset, person: User) -> Asset:
    custody.check_out(asset.code, actor=a_lead(), today=date.today(), holder_id=person.id)
    return fresh(asset)


# Reading -------------------------------------------------------------------------


def active_ticks(audit: Audit, asset: Asset | None = None) -> list[AuditTick]:
    query = AuditTick.select().where(AuditTick.audit == audit.id, AuditTick.undone_at.is_null())
    if asset is not None:
        query = query.where(AuditTick.asset == asset.id)
    return list(query.order_by(AuditTick.id))


def events_of(kind: str, asset: Asset | None = None) -> list[Event]:
    query = Event.select().where(Event.kind == kind)
    if asset is not None:
        query = query.where(Event.asset == asset.id)
    return list(query.order_by(Event.id))


def seen_count(audit: Audit) -> int:
    return progress.progress(fresh(audit)).seen


def flash(soup) -> str:
    return soup.select_one("#flash").get_text(" ", strip=True)


def progress_line(soup) -> str:
    return soup.select_one("#audit-live .progress-line").get_text(" ", strip=True)


def live_cards(soup) -> dict[str, list[str]]:
    """The audit page's live cards: heading (without its count) → its list lines."""
    cards = {}
    for card in soup.select("#audit-live .card"):
        if card.h2 is None:
            continue
        title = card.h2.get_text(" ", strip=True).split(" (")[0]
        cards[title] = [li.get_text(" ", strip=True) for li in card.select("ul > li")]
    return cards


def still_to_find(client, soup) -> dict[str, list[str]]:
    """The "Still to find" card: place → the names listed on that place's own view.
    The card's count for each place must match its list."""
    found = {}
    card = next(
        c
        for c in soup.select("#audit-live .card")
        if c.h2 and c.h2.get_text(strip=True).startswith("Still to find")
    )
    for link in card.select("ul.rows li a"):
        place = link.select_one(".row-main").find(string=True, recursive=False).strip()
        count = int(link.select_one(".row-main strong").get_text())
        page, _ = client.soup(link["href"])
        names = [a.get_text(strip=True) for a in page.select("#room-list li > a")]
        assert len(names) == count, (place, count, names)
        found[place] = names
    return found


def page_after(client, response):
    """Follow a 303 and return the page's soup (the flash is shown there)."""
    assert response.status_code == 303, response.get_data(as_text=True)
    soup, page = client.soup(path_of(response))
    assert page.status_code == 200
    return soup


def audit_page(client, audit: Audit):
    soup, response = client.soup(f"/audits/{audit.id}")
    assert response.status_code == 200
    return soup


def walk_audit(client, audit: Audit):
    """Press "Walk this audit" on its page; returns the page it leads back to."""
    form = audit_page(client, audit).select_one("form.walk-form")
    assert form is not None, "no Walk this audit button"
    return page_after(client, client.form(form["action"]))


def pretty(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"
