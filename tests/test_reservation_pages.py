"""Reservations on screen, through the real forms: Reserve on an asset's page
(times typed in the organisation's zone), what the asset page then says, Start
reservation (htmx and plain), the Reservations page in the Menu, the check-out
form over a booking, bad input, and the four rules on the Settings page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.kits import kits
from app.models import Asset, Event, Reservation
from app.ops import settings

from . import factories
from .custody_kit import CARD, flash
from .pages import soup_of

pytestmark = pytest.mark.usefixtures("clock")  # now: Wed 2026-03-11 12:00 UTC, 13:00 in Berlin


@pytest.fixture
def berlin(app):
    settings.change({"timezone": "Europe/Berlin"})


@pytest.fixture
def camera(auth, berlin):
    return factories.make_asset(factories.make_user("lead", name="Lee Lead"), name="Camera")


def switch(auth, role: str, name: str | None = None):
    """Sign out, then in as someone else."""
    auth.logout()
    return auth.login(role, factories.make_user(role, name=name) if name else None)


def reserve_form(client, camera, start=("2026-03-12", "14:00"), end=("2026-03-14", "17:00"), **kw):
    data = {
        "starts_at_date": start[0],
        "starts_at_time": start[1],
        "ends_at_date": end[0],
        "ends_at_time": end[1],
        **kw,
    }
    return client.form(f"/A/{camera.code}/reserve", data)


def test_reserve_from_the_asset_page_then_it_says_so(client, auth, camera):
    sam = auth.login("member")
    soup, _ = client.soup(f"/A/{camera.code}")
    [link] = [a for a in soup.select("#status-card a.button") if a.get_text() == "Reserve"]
    form, response = client.soup(link["href"])
    assert response.status_code == 200 and form.select_one("h1").get_text() == "Reserve"
    assert form.select_one("#person") is None  # a member books for themselves
    response = reserve_form(client, camera, note="Client shoot, Leeds")
    assert response.status_code == 303
    booking = Reservation.get()
    # Typed in Berlin's time (UTC+1 in March), stored as UTC.
    assert (booking.person_id, booking.starts_at, booking.ends_at, booking.note) == (
        sam.id,
        datetime(2026, 3, 12, 13, 0),
        datetime(2026, 3, 14, 16, 0),
        "Client shoot, Leeds",
    )
    soup, _ = client.soup(f"/A/{camera.code}")
    assert flash(soup) == "Reserved: Thu 14:00 – Sat 17:00."
    assert soup.select_one("#booking").get_text() == "Free until Thu 14:00"
    assert [li.get_text() for li in soup.select("#status-card .bookings li")] == [
        f"{sam.name}, Thu 14:00 – Sat 17:00"
    ]
    assert "Reserved for" in soup.select_one("#timeline").get_text(" ", strip=True)


def test_a_booking_in_progress_reads_reserved_by(client, auth, camera, clock):
    sam = auth.login("member")
    reserve_form(client, camera, start=("2026-03-11", "14:00"), end=("2026-03-13", "17:00"))
    clock.shift(timedelta(hours=1, minutes=30))  # 14:30 in Berlin
    switch(auth, "member", "Kim")
    soup, _ = client.soup(f"/A/{camera.code}")
    assert (
        soup.select_one("#booking").get_text() == f"Reserved by {sam.name}, Wed 14:00 – Fri 17:00"
    )
    assert soup.select_one("#status-card .bookings") is None
    assert "Start reservation" not in soup.select_one("#status-card").get_text()  # not hers


@pytest.mark.parametrize("via", ["htmx", "form"])
def test_start_reservation_checks_out_to_me_due_on_its_last_day(client, auth, camera, via):
    sam = auth.login("member")
    reserve_form(client, camera, start=("2026-03-11", "13:30"), end=("2026-03-13", "17:00"))
    soup, _ = client.soup(f"/A/{camera.code}")
    buttons = soup.select("#status-card form button")
    [button] = [b for b in buttons if b.get_text() == "Start reservation"]
    form = button.find_parent("form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    response = client.form(form["action"], data, htmx=CARD if via == "htmx" else None)
    if via == "htmx":
        assert response.status_code == 200
        soup = soup_of(response)
        assert soup.select_one("section#status-card")
        assert soup.select_one("html") is None
        [new] = soup.select("[hx-swap-oob^='afterbegin:#timeline'] li")
        assert new.get_text(" ", strip=True).startswith("Checked out")
        assert "reservation started" in new.get_text()
    else:
        assert response.status_code == 303
        soup, _ = client.soup(f"/A/{camera.code}")
    assert "Reservation started" in flash(soup)
    # Started half an hour early: it is in force now.
    assert (
        soup.select_one("#booking").get_text() == f"Reserved by {sam.name}, Wed 13:30 – Fri 17:00"
    )
    fresh = Asset.get_by_id(camera.id)
    assert (fresh.holder_id, fresh.due_back) == (sam.id, date(2026, 3, 13))
    assert Reservation.get().state == "started"
    # Return ends it.
    client.form(f"/A/{camera.code}/return", {"holder": sam.id})
    assert Reservation.get().state == "ended"


def test_bad_input_gets_a_message_and_saves_nothing(client, auth, camera):
    auth.login("member")
    cases = [
        (("2026-03-14", "10:00"), ("2026-03-12", "10:00"), "The end must be after the start."),
        (("2026-03-01", "10:00"), ("2026-03-02", "10:00"), "That period is over."),
        (("2026-03-12", "10:00"), ("2026-04-12", "10:00"), "A booking lasts at most 14 days."),
        (("", ""), ("2026-03-12", "10:00"), "Give a date."),
        (("2026-03-12", "25:99"), ("2026-03-13", "10:00"), "Give a time such as 14:00."),
        (("2026-13-45", "10:00"), ("2026-03-13", "10:00"), "Pick a date from the calendar"),
    ]
    for start, end, message in cases:
        response = reserve_form(client, camera, start=start, end=end)
        assert response.status_code == 422, (start, end)
        soup = soup_of(response)
        assert "Nothing was saved." in flash(soup)
        assert message in soup.select_one("form.stack").get_text(" ", strip=True)
    response = reserve_form(client, camera, note="x" * 501)
    assert response.status_code == 422
    assert Reservation.select().count() == 0
    assert not Event.select().where(Event.kind == "reserved").exists()


def test_a_retired_item_offers_no_reserve_and_refuses_one(client, auth, camera):
    lead = auth.login("lead")
    client.form(f"/A/{camera.code}/retire", {"reason": "sold"})
    soup, _ = client.soup(f"/A/{camera.code}")
    assert "Reserve" not in [a.get_text() for a in soup.select("#status-card a")]
    response = reserve_form(client, camera, person=lead.id)
    assert response.status_code == 409
    assert flash(soup_of(response)) == "Camera is retired. Nothing was saved."
    assert Reservation.select().count() == 0


def test_double_booking_through_the_form_names_who_and_when_free(client, auth, camera):
    sam = auth.login("member")
    reserve_form(client, camera)
    switch(auth, "member", "Kim")
    response = reserve_form(
        client, camera, start=("2026-03-13", "09:00"), end=("2026-03-15", "09:00")
    )
    assert response.status_code == 409
    assert flash(soup_of(response)) == (
        f"Camera is reserved by {sam.name}, Thu 14:00 – Sat 17:00. "
        "It is free from Sat 17:00. Nothing was saved."
    )
    assert Reservation.select().count() == 1


def test_a_lead_books_for_someone_and_checks_out_over_a_booking_knowingly(client, auth, camera):
    lead = auth.login("lead")
    kim = factories.make_user("member", name="Kim")
    response = reserve_form(client, camera, person=kim.id)
    assert response.status_code == 303
    assert Reservation.get().person_id == kim.id
    soup, _ = client.soup(f"/A/{camera.code}")
    assert flash(soup) == "Reserved for Kim: Thu 14:00 – Sat 17:00."
    # Check out to me with no due date runs into Kim's booking.
    response = client.form(f"/A/{camera.code}/checkout", {})
    assert response.status_code == 409
    assert "reserved by Kim" in flash(soup_of(response))
    assert Asset.get_by_id(camera.id).holder_id is None
    form, _ = client.soup(f"/A/{camera.code}/checkout")
    assert form.select_one("input[name=override]")  # offered to a lead over a booking
    response = client.form(f"/A/{camera.code}/checkout", {"holder": lead.id, "override": "1"})
    assert response.status_code == 303
    soup, _ = client.soup(f"/A/{camera.code}")
    assert "over Kim's reservation" in soup.select_one("#timeline li").get_text(" ", strip=True)


def test_the_reservations_page_is_in_the_menu_with_mine_and_for_leads_everyones(
    client, auth, camera
):
    sam = auth.login("member")
    reserve_form(client, camera, note="Shoot")
    menu, _ = client.soup("/menu")
    assert "/reservations" in [a["href"] for a in menu.select("nav.menu a")]
    soup, _ = client.soup("/reservations")
    [row] = soup.select("#my-reservations li[id]")
    assert "Camera" in row.get_text() and "Shoot" in row.get_text()
    assert soup.select_one("#all-reservations") is None
    booking = Reservation.get()
    [cancel] = [f for f in row.select("form") if f["action"].endswith("/cancel")]
    assert client.form(cancel["action"]).status_code == 303
    assert Reservation.get_by_id(booking.id).state == "cancelled"
    switch(auth, "lead")
    reserve_form(client, camera)
    soup, _ = client.soup("/reservations")
    assert len(soup.select("#all-reservations li[id]")) == 1
    assert sam.name not in soup.select_one("#all-reservations").get_text()


def test_someone_else_cannot_cancel_a_members_booking(client, auth, camera):
    auth.login("member")
    reserve_form(client, camera)
    booking = Reservation.get()
    switch(auth, "member", "Kim")
    response = client.form(f"/reservations/{booking.id}/cancel")
    assert response.status_code == 403
    assert Reservation.get_by_id(booking.id).state == "booked"
    assert client.form("/reservations/999999/cancel").status_code == 404


def test_the_settings_page_edits_the_four_reservation_rules(app, client, auth, berlin):
    app.config["PUBLIC_URL"] = ""
    auth.login("admin")
    vans = factories.make_category("Vans")
    soup, _ = client.soup("/admin/settings")
    assert soup.select_one("#reserve_ahead_days")["value"] == "90"
    assert soup.select_one("#reserve_lapse_minutes")["value"] == "120"
    base = {
        "org_name": "Studio",
        "timezone": "Europe/Berlin",
        "audit_interval_days": "90",
        "paper_size": "a4",
    }
    bad = {**base, "reserve_ahead_days": "0", "reserve_longest_days": "x"}
    response = client.form("/admin/settings", bad)
    assert response.status_code == 422
    text = soup_of(response).get_text(" ", strip=True)
    assert text.count("Give a number of days from 1 to") == 2
    good = {
        **base,
        "reserve_ahead_days": "30",
        "reserve_longest_days": "3",
        "reserve_lapse_minutes": "45",
        "reserve_closed_categories": str(vans.id),
    }
    assert client.form("/admin/settings", good).status_code == 303
    settings.clear_cache()
    shown = settings.effective(app.config)
    assert (
        shown["reserve_ahead_days"],
        shown["reserve_longest_days"],
        shown["reserve_lapse_minutes"],
        shown["reserve_closed_categories"],
    ) == (30, 3, 45, [vans.id])
    soup, _ = client.soup("/admin/settings")
    assert soup.select_one(f"input[name=reserve_closed_categories][value='{vans.id}']").has_attr(
        "checked"
    )


def test_the_reserve_form_by_htmx_swaps_itself_with_errors_or_moves_on(client, auth, camera):
    """htmx: a refused booking gets the form back (422) with the flash out of band;
    a good one an HX-Redirect to the asset page. A plain GET is a whole page."""
    auth.login("member")
    page, _ = client.soup(f"/A/{camera.code}/reserve")
    assert page.select_one("html") and page.select_one("form#reserve-form")["hx-post"]
    bad = {
        "starts_at_date": "2026-03-14",
        "starts_at_time": "10:00",
        "ends_at_date": "2026-03-12",
        "ends_at_time": "10:00",
    }
    response = client.form(f"/A/{camera.code}/reserve", bad, htmx="reserve-form")
    assert response.status_code == 422
    soup = soup_of(response)
    assert soup.select_one("html") is None
    assert soup.select_one("form#reserve-form .error").get_text() == (
        "The end must be after the start."
    )
    assert soup.select_one("#flash[hx-swap-oob]")
    good = {**bad, "starts_at_date": "2026-03-12", "ends_at_date": "2026-03-14"}
    response = client.form(f"/A/{camera.code}/reserve", good, htmx="reserve-form")
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/A/{camera.code}"
    assert Reservation.select().count() == 1


def test_change_times_from_the_reservations_page(client, auth, camera):
    """The form starts on the booking's times (in the organisation's zone); a
    clash or a bad period is refused and changes nothing; good times move it."""
    auth.login("member")
    reserve_form(client, camera)
    booking = Reservation.get()
    soup, _ = client.soup("/reservations")
    form = soup.select_one(f"#reservation-{booking.id} details form")
    assert form.select_one("input[name=starts_at_date]")["value"] == "2026-03-12"
    assert form.select_one("input[name=starts_at_time]")["value"] == "14:00"
    url = form["action"]
    switch(auth, "lead")
    reserve_form(client, camera, start=("2026-03-20", "09:00"), end=("2026-03-21", "09:00"))
    auth.logout()
    auth.login("member", booking.person)
    clash = {
        "starts_at_date": "2026-03-19",
        "starts_at_time": "09:00",
        "ends_at_date": "2026-03-20",
        "ends_at_time": "10:00",
    }
    response = client.form(url, clash)
    assert response.status_code == 409
    assert "is reserved by" in flash(soup_of(response))
    response = client.form(url, {**clash, "ends_at_date": "2026-03-18"})
    assert response.status_code == 422
    assert "The end must be after the start. Nothing was changed." in flash(soup_of(response))
    assert (Reservation.get_by_id(booking.id).starts_at) == datetime(2026, 3, 12, 13, 0)
    response = client.form(url, {**clash, "ends_at_date": "2026-03-19", "ends_at_time": "18:00"})
    assert response.status_code == 303
    moved = Reservation.get_by_id(booking.id)
    assert (moved.starts_at, moved.ends_at) == (
        datetime(2026, 3, 19, 8, 0),
        datetime(2026, 3, 19, 17, 0),
    )
    soup, _ = client.soup(f"/A/{camera.code}")
    line = soup.select_one("#timeline li").get_text(" ", strip=True)
    assert line.startswith("Reservation changed") and "(was Thu 14:00 – Sat 17:00)" in line


@pytest.mark.parametrize("via", ["plain", "htmx"])
def test_a_leads_refused_check_out_comes_back_as_typed_with_the_override_box(
    client, auth, camera, via
):
    auth.login("lead")
    kim = factories.make_user("member", name="Kim")
    alice = factories.make_user("member", name="Alice")
    assert reserve_form(client, camera, person=kim.id).status_code == 303
    typed = {"holder": alice.id, "due_back": "2026-03-13", "note": "For the Leeds shoot"}
    response = client.form(
        f"/A/{camera.code}/checkout", typed, htmx=CARD if via == "htmx" else None
    )
    assert response.status_code == 409
    if via == "htmx":
        assert response.headers["HX-Retarget"] == "body"
        assert response.headers["HX-Push-Url"] == f"/A/{camera.code}/checkout"
    soup = soup_of(response)
    assert "reserved by Kim" in flash(soup) and "check it out anyway" in flash(soup)
    assert soup.select_one("input[name=holder][checked]")["value"] == str(alice.id)
    assert soup.select_one("input[name=due_back]")["value"] == "2026-03-13"
    assert soup.select_one("textarea[name=note]").get_text() == "For the Leeds shoot"
    box = soup.select_one("input[name=override]")
    assert box is not None and not box.has_attr("checked")
    assert Asset.get_by_id(camera.id).holder_id is None
    # Ticking the box on that same form goes ahead.
    response = client.form(f"/A/{camera.code}/checkout", {**typed, "override": "1"})
    assert response.status_code == 303
    assert Asset.get_by_id(camera.id).holder_id == alice.id


def test_a_retired_items_reserve_page_says_it_cannot_be_reserved(client, auth, camera):
    auth.login("lead")
    form, _ = client.soup(f"/A/{camera.code}/reserve")
    assert form.select_one("#reserve-form") is not None
    Asset.update(status="retired").where(Asset.id == camera.id).execute()
    page, response = client.soup(f"/A/{camera.code}/reserve")
    assert response.status_code == 200
    assert page.select_one("#reserve-form") is None
    assert page.select_one("#not-reservable").get_text() == (
        "Camera is retired. It cannot be reserved."
    )
    # A post anyway is refused and books nothing.
    response = reserve_form(client, camera)
    assert response.status_code == 409
    assert "Camera is retired." in flash(soup_of(response))
    assert Reservation.select().count() == 0


def test_a_booking_within_one_day_names_its_day_once_everywhere(client, auth, camera):
    """Page, flash, Reservations page and Change times all read "Thu 09:00 – 17:00"."""
    sam = auth.login("member")
    reserve_form(client, camera, start=("2026-03-12", "09:00"), end=("2026-03-12", "17:00"))
    soup, _ = client.soup(f"/A/{camera.code}")
    assert flash(soup) == "Reserved: Thu 09:00 – 17:00."
    assert [li.get_text() for li in soup.select("#status-card .bookings li")] == [
        f"{sam.name}, Thu 09:00 – 17:00"
    ]
    soup, _ = client.soup("/reservations")
    [row] = soup.select("#my-reservations li[id]")
    assert "Thu 09:00 – 17:00 · Booked" in row.get_text(" ", strip=True)
    booking = Reservation.get()
    client.form(
        f"/reservations/{booking.id}/change",
        {
            "starts_at_date": "2026-03-12",
            "starts_at_time": "10:00",
            "ends_at_date": "2026-03-12",
            "ends_at_time": "15:00",
        },
    )
    soup, _ = client.soup("/reservations")
    assert flash(soup) == "Reservation changed: Thu 10:00 – 15:00."


def test_the_reserve_form_books_a_whole_working_day_when_only_dates_are_typed(client, auth, camera):
    """From 09:00 until 17:00 by default, so a date typed in both boxes is a good booking."""
    auth.login("member")
    form, _ = client.soup(f"/A/{camera.code}/reserve")
    data = {i["name"]: i.get("value", "") for i in form.select("#reserve-form input")}
    assert (data["starts_at_time"], data["ends_at_time"]) == ("09:00", "17:00")
    data.update(starts_at_date="2026-03-12", ends_at_date="2026-03-12")
    assert client.form(f"/A/{camera.code}/reserve", data).status_code == 303
    booking = Reservation.get()
    assert (booking.starts_at, booking.ends_at) == (
        datetime(2026, 3, 12, 8, 0),
        datetime(2026, 3, 12, 16, 0),
    )


def test_a_closed_categorys_item_says_which_category_cannot_be_reserved(client, auth, berlin):
    lead = factories.make_user("lead", name="Lee Lead")
    radios = factories.make_category("Radios")
    radio = factories.make_asset(lead, name="Radio 3", category=radios.id)
    settings.change({"reserve_closed_categories": [str(radios.id)]})
    auth.login("member")
    page, _ = client.soup(f"/A/{radio.code}/reserve")
    assert page.select_one("#reserve-form") is None
    assert page.select_one("#not-reservable").get_text() == "Radio 3: Radios cannot be reserved."
    response = reserve_form(client, radio)
    assert response.status_code == 409
    assert flash(soup_of(response)) == "Radio 3: Radios cannot be reserved. Nothing was saved."
    assert Reservation.select().count() == 0


def _cancel_details(soup, booking_id: int):
    """The fold that cancels a booking: its summary, and the form it opens."""
    details = soup.select_one(f"details#cancel-{booking_id}")
    [form] = details.select("form")
    assert form.find_parent("details") is details  # no button to tap before it opens
    return details.select_one("summary").get_text(), form


def test_cancel_asks_first_on_the_reservations_page(client, auth, camera):
    auth.login("member")
    reserve_form(client, camera)
    booking = Reservation.get()
    soup, _ = client.soup("/reservations")
    [row] = soup.select("#my-reservations li[id]")
    # Outside any fold, nothing cancels; Change times comes before Cancel.
    assert [b.get_text() for b in row.select("button") if not b.find_parent("details")] == []
    assert [s.get_text() for s in row.select("summary")] == ["Change times", "Cancel reservation…"]
    summary, form = _cancel_details(row, booking.id)
    assert form.select_one("button").get_text() == "Yes, cancel it"
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    response = client.form(form["action"], data)
    assert response.status_code == 303 and response.location.endswith("/reservations")
    assert Reservation.get_by_id(booking.id).state == "cancelled"
    soup, _ = client.soup("/reservations")
    assert flash(soup) == "Reservation cancelled."
    assert soup.select("#my-reservations li[id]") == []


def test_cancel_from_the_item_page_asks_first_and_comes_back_to_it(client, auth, camera):
    sam = auth.login("member")
    reserve_form(client, camera, start=("2026-03-12", "09:00"), end=("2026-03-12", "17:00"))
    reserve_form(client, camera, start=("2026-03-13", "09:00"), end=("2026-03-13", "17:00"))
    first, second = Reservation.select().order_by(Reservation.starts_at)
    soup, _ = client.soup(f"/A/{camera.code}")
    # Two of mine: each fold names its times.
    summary, form = _cancel_details(soup.select_one("#status-card"), second.id)
    assert summary == "Cancel reservation Fri 09:00 – 17:00…"
    assert form.select_one("button").get_text() == "Yes, cancel it"
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    response = client.form(form["action"], data)
    assert response.status_code == 303 and response.location.endswith(f"/A/{camera.code}")
    assert Reservation.get_by_id(second.id).state == "cancelled"
    assert Reservation.get_by_id(first.id).state == "booked"
    soup, _ = client.soup(f"/A/{camera.code}")
    assert flash(soup) == "Reservation cancelled."
    summary, _ = _cancel_details(soup.select_one("#status-card"), first.id)
    assert summary == "Cancel reservation…"  # only one left: no need to say which
    # Someone else sees the booking but no way to cancel it.
    switch(auth, "member", "Kim")
    soup, _ = client.soup(f"/A/{camera.code}")
    assert [li.get_text() for li in soup.select("#status-card .bookings li")] == [
        f"{sam.name}, Thu 09:00 – 17:00"
    ]
    assert soup.select("#status-card details[id^=cancel-]") == []
    # A post anyway is refused, says so on the item page, and changes nothing.
    response = client.form(f"/reservations/{first.id}/cancel", {"code": camera.code})
    assert response.status_code == 403
    assert "Nothing was changed." in flash(soup_of(response))
    assert soup_of(response).select_one("#status-card h1")
    assert Reservation.get_by_id(first.id).state == "booked"


def test_a_kit_booking_reads_as_the_kits_name_then_its_items_on_one_line(client, auth, camera):
    """One link, to the kit; its items follow as plain words, not a link each."""
    lead = factories.make_user("lead", name="Kit Maker")
    lens = factories.make_asset(lead, name="Lens")
    kit = kits.create("Camera kit", f"{camera.code}\n{lens.code}", actor=lead)
    sam = auth.login("member")
    response = client.form(
        f"/kits/{kit.code}/reserve",
        {
            "starts_at_date": "2026-03-12",
            "starts_at_time": "09:00",
            "ends_at_date": "2026-03-12",
            "ends_at_time": "17:00",
        },
    )
    # The kit's page writes a one-day period as every other page does.
    soup, _ = client.soup(response.location)
    assert flash(soup) == "Kit reserved: Thu 09:00 – 17:00."
    assert [li.get_text() for li in soup.select("#kit-bookings li")] == [
        f"Reserved by {sam.name}, Thu 09:00 – 17:00"
    ]
    soup, _ = client.soup("/reservations")
    [row] = soup.select("#my-reservations li[id]")
    assert row.select_one(".row-main").get_text() == "Camera kit: Camera, Lens"
    assert [(a.get_text(), a["href"]) for a in row.select("a")] == [
        ("Camera kit", f"/A/{kit.code}")
    ]
