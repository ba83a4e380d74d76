"""Starting a booking checks its items out due back at its end, a date and a
time: the item's page, the kit's page and the message after "Start
reservation" say the time ("Due back Fri 17:00"), where a plain check-out's due
date stays a day."""

from __future__ import annotations

from datetime import date

import pytest

from app.kits import kits
from app.models import Asset, Reservation
from app.ops import settings

from . import factories
from .custody_kit import CARD, flash
from .pages import soup_of

# Now: Wed 2026-03-11 12:00 UTC, 13:00 in Berlin.
pytestmark = pytest.mark.usefixtures("clock")

PERIOD = {
    "starts_at_date": "2026-03-11",
    "starts_at_time": "13:30",
    "ends_at_date": "2026-03-13",
    "ends_at_time": "17:00",
}


@pytest.fixture
def lead(app, auth):
    settings.change({"timezone": "Europe/Berlin"})
    return factories.make_user("lead", name="Lee Lead")


def due_shown(soup) -> str:
    dt = next(d for d in soup.select("#status-card dl.state dt") if d.get_text() == "Due back")
    return dt.find_next_sibling("dd").get_text()


def start_form(soup, where: str = "#status-card"):
    buttons = soup.select(f"{where} form button")
    [button] = [b for b in buttons if b.get_text() == "Start reservation"]
    form = button.find_parent("form")
    return form["action"], {i["name"]: i["value"] for i in form.select("input[type=hidden]")}


@pytest.mark.parametrize("via", ["htmx", "form"])
def test_a_started_items_page_says_the_time_it_is_due_back(client, auth, lead, via):
    camera = factories.make_asset(lead, name="Camera")
    sam = auth.login("member", factories.make_user("member", name="Sam"))
    assert client.form(f"/A/{camera.code}/reserve", PERIOD).status_code == 303
    action, data = start_form(client.soup(f"/A/{camera.code}")[0])
    response = client.form(action, data, htmx=CARD if via == "htmx" else None)
    soup = soup_of(response) if via == "htmx" else client.soup(f"/A/{camera.code}")[0]
    assert flash(soup) == (
        "Reservation started: everything in it is checked out to you, due back Fri 17:00."
    )
    assert due_shown(soup) == "Fri 17:00"
    # The custody record keeps the day; the page reads the time from the booking.
    fresh = Asset.get_by_id(camera.id)
    assert (fresh.holder_id, fresh.due_back) == (sam.id, date(2026, 3, 13))
    # Back, then out again on a plain check-out: its due date is a day again.
    client.form(f"/A/{camera.code}/return", {"holder": sam.id})
    client.form(f"/A/{camera.code}/checkout", {"due_back": "2026-03-13"})
    soup, _ = client.soup(f"/A/{camera.code}")
    assert Asset.get_by_id(camera.id).holder_id == sam.id
    assert due_shown(soup) != "Fri 17:00" and "17:00" not in due_shown(soup)


def test_a_lead_starting_someones_booking_is_told_whose_and_until_when(client, auth, lead):
    camera = factories.make_asset(lead, name="Camera")
    sam = factories.make_user("member", name="Sam")
    auth.login("lead", lead)
    data = {**PERIOD, "person": sam.id}
    assert client.form(f"/A/{camera.code}/reserve", data).status_code == 303
    # From everyone's list on the Reservations page.
    booking = Reservation.get()
    page, _ = client.soup("/reservations")
    action, data = start_form(page, f"#all-reservations #reservation-{booking.id}")
    assert client.form(action, data).status_code == 303
    page, _ = client.soup("/reservations")
    # Started by a lead for Sam: a handover between two people, so a receipt.
    assert flash(page) == (
        "Reservation started: everything in it is checked out to Sam, due back Fri 17:00."
        " Open the receipt"
    )
    assert Asset.get_by_id(camera.id).holder_id == sam.id
    assert due_shown(client.soup(f"/A/{camera.code}")[0]) == "Fri 17:00"


def test_a_started_kits_page_and_its_items_say_the_time_it_is_due_back(client, auth, lead):
    body = factories.make_asset(lead, name="Camera body")
    lens = factories.make_asset(lead, name="Lens 1")
    kit = kits.create("Camera kit", f"{body.code}\n{lens.code}", actor=lead)
    auth.login("member", factories.make_user("member", name="Sam"))
    assert client.form(f"/kits/{kit.code}/reserve", PERIOD).status_code == 303
    soup, _ = client.soup(f"/A/{kit.code}")
    assert soup.select_one(".kit-due") is None  # booked, not started
    response = client.form(f"/kits/{kit.code}/start", htmx="kit-card")
    soup = soup_of(response)
    # Several items at once: one receipt for them all.
    assert flash(soup) == (
        "Reservation started: everything in it is checked out to you, due back Fri 17:00."
        " Open the receipt"
    )
    assert soup.select_one("#kit-card .kit-due").get_text() == "Due back Fri 17:00"
    for asset in (body, lens):
        assert due_shown(client.soup(f"/A/{asset.code}")[0]) == "Fri 17:00"
