"""The kit's card after review: a flagged item starts unticked, one primary button,
"Free until" before a coming booking, the kit named in its own booking's refusals,
kit names unique ignoring case, a retired item leaving its kit, and the edit list."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.custody import custody
from app.kits import taking
from app.models import Event, Kit, KitItem, Reservation
from app.reservations import reservations

from . import factories
from .test_kits import flash, fresh, make_kit, out_kit, return_without, soup_of, the_kit


def ticks(client, kit) -> dict[str, bool]:
    soup = soup_of(client.get(f"/A/{kit.code}"))
    return {b["value"]: b.has_attr("checked") for b in soup.select("#kit-return [name=present]")}


def test_an_item_flagged_not_back_starts_unticked_on_the_return_form(client, gear, lead):
    kit = out_kit(client, gear)
    lens = gear["Lens 2"]
    return_without(client, kit, lens)
    since = fresh(lens).not_back_since
    assert since is not None
    # Alone on the form, unticked: one tap on Return does not clear the flag.
    assert ticks(client, kit) == {lens.code: False}
    form = soup_of(client.get(f"/A/{kit.code}")).select_one("#kit-return")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    data |= {b["name"]: b["value"] for b in form.select("[name=present][checked]")}
    before = Event.select().count()
    client.post(form["action"], data=data)
    assert Event.select().count() == before
    assert fresh(lens).not_back_since == since
    # Beside an item out the ordinary way, that one starts ticked.
    body = gear["Camera body"]
    custody.check_out(body.code, actor=lead, today=date.today())
    assert ticks(client, kit) == {body.code: True, lens.code: False}
    # Ticked on purpose, it comes back and the flag clears.
    data["present"] = [lens.code, body.code]
    assert client.post(form["action"], data=data).status_code == 303
    assert fresh(lens).not_back_since is None and fresh(lens).holder_id is None


def test_the_return_list_names_holders_only_when_they_differ(client, gear, lead):
    """Out whole with one person, the card says so once: the list is just the
    items. Out with two people, each line says whose it is."""
    kit = out_kit(client, gear)
    labels = [
        label.get_text(" ", strip=True)
        for label in soup_of(client.get(f"/A/{kit.code}")).select("#kit-return label.check")
    ]
    assert labels == ["Camera body", "Lens 1", "Lens 2"]
    pat = factories.make_holder("Pat")
    custody.transfer(gear["Lens 2"].code, actor=lead, today=date.today(), to_holder_id=pat.id)
    labels = [
        label.get_text(" ", strip=True)
        for label in soup_of(client.get(f"/A/{kit.code}")).select("#kit-return label.check")
    ]
    assert labels == [f"Camera body ({lead.name})", f"Lens 1 ({lead.name})", "Lens 2 (Pat)"]


def primaries(soup) -> list[str]:
    return [b.get_text(strip=True) for b in soup.select("#kit-card button.primary")]


@pytest.mark.usefixtures("clock")  # now is 2026-03-11 12:00 UTC
def test_start_reservation_is_the_one_primary_button_when_offered(client, auth, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"])
    kit = the_kit()
    # Before any booking of Sam's: Check out to me, as ever.
    auth.logout()
    sam = auth.login("member")
    assert "Check out to me" in primaries(soup_of(client.get(f"/A/{kit.code}")))
    start, end = datetime(2026, 3, 11, 12, 30), datetime(2026, 3, 11, 17, 0)
    taking.reserve(kit.code, actor=sam, starts_at=start, ends_at=end, zone=UTC)
    soup = soup_of(client.get(f"/A/{kit.code}"))
    # Outside the forms that the check-out to others opens, one primary: Start reservation.
    shown = [b for b in primaries(soup) if b not in ("Check out", "Hand over")]
    assert shown == ["Start reservation"]
    assert not soup.select(f"#kit-card form[action='/kits/{kit.code}/checkout']")


@pytest.mark.usefixtures("clock")  # now is 2026-03-11 12:00 UTC, a Wednesday
def test_a_kit_free_now_and_booked_later_says_free_until(client, auth, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"])
    kit = the_kit()
    assert not soup_of(client.get(f"/A/{kit.code}")).select("#kit-free")  # no booking
    sam = factories.make_user("member", name="Sam")
    start, end = datetime(2026, 3, 12, 9, 0), datetime(2026, 3, 12, 17, 0)
    taking.reserve(kit.code, actor=lead, person_id=sam.id, starts_at=start, ends_at=end, zone=UTC)
    auth.logout()
    auth.login("member")
    line = soup_of(client.get(f"/A/{kit.code}")).select_one("#kit-card #kit-free")
    assert line.get_text(" ", strip=True) == "Free until Thu 09:00"
    # Taking it for good runs into Sam's booking: refused, and says it is free until then.
    response = client.form(f"/kits/{kit.code}/checkout", {"key": "kit-take-0101"}, htmx="kit-card")
    assert response.status_code == 409
    message = flash(soup_of(response))
    assert message.startswith("This kit is reserved by Sam, Thu 09:00 – 17:00. ")
    assert "It is free until Thu 09:00 and from Thu 17:00." in message


@pytest.mark.usefixtures("clock")
def test_a_kit_booked_now_or_out_has_no_free_until(clock, client, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"])
    kit = the_kit()
    start, end = datetime(2026, 3, 12, 9, 0), datetime(2026, 3, 12, 17, 0)
    taking.reserve(kit.code, actor=lead, starts_at=start, ends_at=end, zone=UTC)
    assert soup_of(client.get(f"/A/{kit.code}")).select("#kit-free")
    clock.shift(22 * 3600)  # Thu 10:00: the booking is in force
    assert not soup_of(client.get(f"/A/{kit.code}")).select("#kit-free")


@pytest.mark.usefixtures("clock")  # now is 2026-03-11 12:00 UTC, a Wednesday
def test_booking_a_kit_over_its_own_booking_names_the_kit(client, auth, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"])
    kit = the_kit()
    sam = factories.make_user("member", name="Sam")
    start, end = datetime(2026, 3, 17, 9, 0), datetime(2026, 3, 17, 17, 0)
    taking.reserve(kit.code, actor=lead, person_id=sam.id, starts_at=start, ends_at=end, zone=UTC)
    count = Reservation.select().count()
    auth.logout()
    auth.login("member")
    period = {
        "starts_at_date": "2026-03-17",
        "starts_at_time": "12:00",
        "ends_at_date": "2026-03-17",
        "ends_at_time": "18:00",
    }
    response = client.form(f"/kits/{kit.code}/reserve", period)
    assert response.status_code == 409
    message = flash(soup_of(response))
    assert message.startswith("This kit is reserved by Sam, Tue 09:00 – 17:00. "), message
    assert "Camera body" not in message and "Lens 1" not in message
    assert Reservation.select().count() == count
    # An item's own booking still names the item.
    reservations.reserve(
        [gear["Lens 1"].code],
        actor=lead,
        person_id=sam.id,
        starts_at=datetime(2026, 3, 18, 9, 0),
        ends_at=datetime(2026, 3, 18, 17, 0),
        zone=UTC,
    )
    other = client.form(
        f"/kits/{kit.code}/reserve",
        {**period, "starts_at_date": "2026-03-18", "ends_at_date": "2026-03-18"},
    )
    assert flash(soup_of(other)).startswith("Lens 1 is reserved by Sam, ")


def test_kit_names_are_unique_ignoring_case(client, gear):
    make_kit(client, "Camera kit", gear["Lens 1"])
    before = (Kit.select().count(), KitItem.select().count(), Event.select().count())
    response = make_kit(client, "  camera KIT ", gear["Lens 2"], expect=422)
    soup = soup_of(response)
    said = soup.select_one("#kit-form").get_text(" ", strip=True)
    assert "There is already a kit called Camera kit: give this one another name." in said
    assert "Nothing was saved." in flash(soup)
    assert (Kit.select().count(), KitItem.select().count(), Event.select().count()) == before
    # Renaming another kit to it is refused the same way; a kit may change its own case.
    make_kit(client, "Video kit", gear["Lens 2"])
    video = the_kit("Video kit")
    url = f"/kits/{video.code}/edit"
    refused = client.form(url, {"do": "rename", "name": "CAMERA kit", "version": video.version})
    assert refused.status_code == 422
    assert "There is already a kit called Camera kit" in soup_of(refused).get_text(" ")
    assert the_kit("Video kit").id == video.id
    renamed = client.form(url, {"do": "rename", "name": "VIDEO Kit", "version": video.version})
    assert renamed.status_code == 303
    assert Kit.get_by_id(video.id).name == "VIDEO Kit"


def test_retiring_an_item_takes_it_out_of_its_kit(client, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"])
    kit = the_kit()
    version = kit.version
    lens = gear["Lens 1"]
    response = client.form(f"/A/{lens.code}/retire", {"reason": "scrapped"})
    assert response.status_code == 303
    # Out of the kit, with an event on the item naming the kit and why.
    assert not KitItem.select().where(KitItem.asset == lens.id).exists()
    assert Kit.get_by_id(kit.id).version > version
    last = Event.select().where(Event.asset == lens.id).order_by(Event.id.desc()).first()
    assert last.kind == "kit_removed"
    assert last.data["kit"] == "Camera kit" and last.data["why"] == "the item was retired"
    history = soup_of(client.get(f"/A/{lens.code}")).select_one("#timeline").get_text(" ")
    assert "Taken out of a kit" in history and "Camera kit" in history
    # The kit is not a dead end: no retired warning, and it goes out in one tap.
    soup = soup_of(client.get(f"/A/{kit.code}"))
    assert [
        li.get_text(" ", strip=True) for li in soup.select("#kit-card .kit-items .row-main")
    ] == ["Camera body"]
    assert not soup.select("#kit-card .kit-warning")
    assert client.form(f"/kits/{kit.code}/checkout").status_code == 303
    assert fresh(gear["Camera body"]).holder_id == lead.id
    # An item in no kit retires as before, with no kit event.
    battery = gear["Battery"]
    custody.retire(battery.code, actor=lead, reason="sold")
    assert "kit_removed" not in [e.kind for e in Event.select().where(Event.asset == battery.id)]
