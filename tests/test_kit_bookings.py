"""A booking made for a kit names the kit wherever the booking is shown: the
Reservations page, each item's page and history, the calendar feeds and the
reminders (the kit's name first, then its items where there is room)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from app.cli import main
from app.codes import pretty
from app.custody import custody
from app.kits import kits
from app.models import Kit, Reservation
from app.ops import settings

from . import factories
from .pages import soup_of

# Now: Wed 2026-03-11 12:00 UTC, 13:00 in Berlin.
pytestmark = pytest.mark.usefixtures("clock")

PERIOD = {
    "starts_at_date": "2026-03-12",
    "starts_at_time": "14:00",
    "ends_at_date": "2026-03-14",
    "ends_at_time": "17:00",
}
PUBLIC = "http://tags.example.test"


@pytest.fixture
def kit(app, auth) -> Kit:
    settings.change({"timezone": "Europe/Berlin"})
    lead = factories.make_user("lead", name="Lee Lead")
    body = factories.make_asset(lead, name="Camera body")
    lens = factories.make_asset(lead, name="Lens 1")
    return kits.create("Camera kit", f"{body.code}\n{lens.code}", actor=lead)


@pytest.fixture
def sam(auth):
    return auth.login("member", factories.make_user("member", name="Sam"))


def item(kit: Kit, name: str):
    return next(a for a in kits.items(kit) if a.name == name)


def book(client, kit: Kit, **extra) -> Reservation:
    response = client.form(f"/kits/{kit.code}/reserve", {**PERIOD, **extra})
    assert response.status_code == 303, response.get_data(as_text=True)
    return Reservation.select().order_by(Reservation.id.desc()).first()


def timeline(client, asset) -> list[str]:
    soup, _ = client.soup(f"/A/{asset.code}")
    return [li.get_text(" ", strip=True) for li in soup.select("#timeline li")]


def test_the_reservations_page_names_the_kit_then_its_items(client, kit, sam):
    booking = book(client, kit)
    soup, _ = client.soup("/reservations")
    row = soup.select_one(f"#my-reservations #reservation-{booking.id}")
    assert row.select_one(".row-main").get_text() == "Camera kit: Camera body, Lens 1"
    first = row.select_one(".row-main a")
    assert (first.get_text(), first["href"]) == ("Camera kit", f"/A/{kit.code}")
    # A booking of a single item names no kit.
    other = factories.make_asset(factories.make_user("lead"), name="Tripod")
    client.form(f"/A/{other.code}/reserve", PERIOD)
    soup, _ = client.soup("/reservations")
    texts = [r.get_text() for r in soup.select("#my-reservations .row-main")]
    assert sorted(texts) == ["Camera kit: Camera body, Lens 1", "Tripod"]


def test_an_items_page_names_the_kit_it_is_booked_with(client, kit, sam, clock):
    book(client, kit)
    lens = item(kit, "Lens 1")
    soup, _ = client.soup(f"/A/{lens.code}")
    assert soup.select_one("#booking").get_text() == "Free until Thu 14:00"
    assert [li.get_text() for li in soup.select("#status-card .bookings li")] == [
        "Camera kit: Sam, Thu 14:00 – Sat 17:00"
    ]
    clock.shift(timedelta(days=1, hours=1, minutes=30))  # Thu 14:30 in Berlin: in force
    soup, _ = client.soup(f"/A/{lens.code}")
    in_force = soup.select_one("#booking").get_text()
    assert in_force == "Camera kit, reserved by Sam, Thu 14:00 – Sat 17:00"


def test_the_items_histories_name_the_kit_booked_started_and_cancelled(client, kit, sam, clock):
    booking = book(client, kit)
    body = item(kit, "Camera body")
    assert timeline(client, body)[0].startswith("Reserved with Camera kit for Sam · Thu 14:00")
    # Changed, then cancelled: both say which kit.
    client.form(f"/reservations/{booking.id}/change", {**PERIOD, "starts_at_time": "15:00"})
    assert timeline(client, body)[0].startswith("Reservation changed with Camera kit for Sam")
    client.form(f"/reservations/{booking.id}/cancel")
    assert Reservation.get_by_id(booking.id).state == "cancelled"
    assert timeline(client, body)[0].startswith("Reservation cancelled with Camera kit for Sam")
    # A new booking, started from the kit's label: each check-out names the kit.
    book(client, kit)
    clock.shift(timedelta(days=1, hours=1))  # Thu 14:00 in Berlin
    response = client.form(f"/kits/{kit.code}/start")
    assert response.status_code == 303, response.get_data(as_text=True)
    for name in ("Camera body", "Lens 1"):
        latest = timeline(client, item(kit, name))[0]
        assert latest.startswith("Checked out to Sam"), latest
        assert "reservation of Camera kit started" in latest


def test_retiring_an_item_of_a_booked_kit_says_which_kits_booking_it_left(client, kit, sam):
    book(client, kit)
    lens = item(kit, "Lens 1")
    lead = factories.make_user("lead")
    custody.retire(lens.code, actor=lead, reason="scrapped", zone=ZoneInfo("Europe/Berlin"))
    left = next(line for line in timeline(client, lens) if line.startswith("Reservation"))
    assert left.startswith("Reservation cancelled with Camera kit for Sam · Thu 14:00")
    assert f"Sat 17:00: the item was retired by {lead.name}" in left


def feed_events(client, url: str) -> list:
    posted = client.form(url)
    assert posted.status_code == 303
    soup = soup_of(client.get(posted.headers["Location"]))
    link = soup.select_one("#feed-address").get_text()
    response = client.get(link.removeprefix(PUBLIC))
    assert response.status_code == 200
    return list(Calendar.from_ical(response.get_data()).walk("VEVENT"))


def test_the_calendar_feeds_name_the_kit_first(client, auth, kit, sam):
    book(client, kit, note="Client shoot, Leeds")
    [event] = feed_events(client, "/feeds/mine")
    assert str(event["SUMMARY"]) == "Reserved: Camera kit"
    body, lens = item(kit, "Camera body"), item(kit, "Lens 1")
    assert str(event["DESCRIPTION"]).split("\n") == [
        "Client shoot, Leeds",
        f"Camera kit: {PUBLIC}/A/{kit.code}",
        f"Camera body: {PUBLIC}/A/{body.code}",
        f"Lens 1: {PUBLIC}/A/{lens.code}",
    ]
    assert str(event["URL"]) == f"{PUBLIC}/A/{kit.code}"
    # Times still in the organisation's zone.
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 3, 12, 14, 0)
    # An item's feed (for leads): the kit, then who.
    auth.logout()
    auth.login("lead")
    [event] = feed_events(client, f"/A/{lens.code}/feed")
    assert str(event["SUMMARY"]) == "Camera kit: reserved by Sam"
    assert str(event["URL"]) == f"{PUBLIC}/A/{kit.code}"


@pytest.fixture
def cli_env(app, monkeypatch):
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    monkeypatch.setenv("TAGTRAIL_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("TAGTRAIL_TIMEZONE", "Europe/Berlin")
    monkeypatch.delenv("TAGTRAIL_SMTP_HOST", raising=False)


def test_the_reminders_name_the_kit_before_it_starts_and_when_it_is_due(
    client, kit, sam, clock, cli_env
):
    book(client, kit)
    result = CliRunner().invoke(main, ["remind"])  # Wed: it starts tomorrow
    assert result.exit_code == 0, result.output
    assert "reminder: your reservation of Camera kit starts Thu 14:00" in result.output
    assert "Your reservation of Camera kit at" in result.output
    # The kit and its label's link first, then its items.
    kit_line = result.output.index(f"Camera kit ({pretty(kit.code)})")
    assert kit_line < result.output.index("- Camera body (") < result.output.index("- Lens 1 (")
    assert f"{PUBLIC}/A/{kit.code}" in result.output
    # Started on Thursday, due back Saturday: Saturday's reminder names the kit.
    clock.shift(timedelta(days=1, hours=1))
    assert client.form(f"/kits/{kit.code}/start").status_code == 303
    clock.shift(timedelta(days=2))  # Sat 14:00 in Berlin
    result = CliRunner().invoke(main, ["remind"])
    assert result.exit_code == 0, result.output
    assert "reminder: Camera kit: 2 due back today" in result.output
    assert "- Camera kit: Camera body (" in result.output
    assert "- Camera kit: Lens 1 (" in result.output
