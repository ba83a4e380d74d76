"""Helpers and fixtures shared by the custody tests."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from app.custody import custody
from app.models import Asset, Event

from . import factories
from .pages import path_of, soup_of

CARD = "status-card"
TIMELINE_OOB = 'ol[hx-swap-oob="afterbegin:#timeline"]'
SOON = date.today() + timedelta(days=7)


def new_key() -> str:
    return uuid.uuid4().hex


def fresh(asset: Asset) -> Asset:
    return Asset.get_by_id(asset.id)


def state(asset: Asset) -> tuple:
    """What an action may change: the projection plus how many events exist."""
    a = fresh(asset)
    return (a.status, a.holder_id, a.due_back, a.location_id, a.version, Event.select().count())


def new_events(asset: Asset, since: int) -> list[Event]:
    return list(Event.select().where(Event.asset == asset.id, Event.id > since).order_by(Event.id))


def last_event_id() -> int:
    return Event.select().order_by(Event.id.desc()).first().id


def flash(soup) -> str:
    return soup.select_one("#flash").get_text(" ", strip=True)


def card(soup) -> dict[str, str]:
    """The status card's status line and its Held by / Where / Due back pairs."""
    section = soup.select_one("section#status-card")
    found = {"status": section.select_one(".status-line").get_text(" ", strip=True)}
    for dt in section.select("dl.state dt"):
        found[dt.get_text(strip=True)] = dt.find_next_sibling("dd").get_text(strip=True)
    return found


def custody_controls(soup) -> list[str]:
    return [
        c.get_text(strip=True) for c in soup.select("#status-card .card-actions :is(a, button)")
    ]


def act(client, asset, action: str, data: dict | None = None, *, via: str, expect: int = 200):
    """POST an action the way `via` says, check the answer's shape, return its soup.

    htmx: the card fragment alone, with the out-of-band flash (and on success the
    out-of-band history). Plain: a 303 to the asset page on success (whose page is
    then fetched, so the flash is there), else a whole page with the message.
    """
    response = client.form(
        f"/A/{asset.code}/{action}", data or {}, htmx=CARD if via == "htmx" else None
    )
    body = response.get_data(as_text=True)
    if via == "htmx":
        assert response.status_code == expect, body
        assert "<html" not in body
        soup = soup_of(response)
        assert soup.select_one("section#status-card") is not None
        assert soup.select_one('div#flash[hx-swap-oob="true"]') is not None
        assert (soup.select_one(TIMELINE_OOB) is not None) == (expect == 200)
        return soup
    if expect == 200:
        assert response.status_code == 303, body
        assert path_of(response) == f"/A/{asset.code}"
        soup, page = client.soup(path_of(response))
        assert page.status_code == 200
        return soup
    assert response.status_code == expect, body
    assert "<html" in body
    return soup_of(response)


def history(soup) -> list[str]:
    """History lines: the out-of-band items of an htmx answer, else the page's timeline."""
    items = soup.select(f"{TIMELINE_OOB} > li") or soup.select("#timeline > li")
    return [li.p.get_text(" ", strip=True) for li in items]


@pytest.fixture(params=["htmx", "plain"])
def via(request) -> str:
    return request.param


@pytest.fixture
def places():
    return factories.make_location("Store room"), factories.make_location("Workshop")


@pytest.fixture
def item(auth, places):
    """An available asset kept in the store room."""
    return factories.make_asset(a_lead(), name="Laser level", location=places[0].id)


def a_lead():
    """A lead who never signs in (no password to hash, so tests stay quick)."""
    return factories.make_user("lead", password=None)


def hand_to(asset, person, due_back=None) -> Asset:
    """Check the item out to `person` through the service, as a lead would."""
    lead = a_lead()
    custody.check_out(
        asset.code, actor=lead, today=date.today(), holder_id=person.id, due_back=due_back
    )
    return fresh(asset)
