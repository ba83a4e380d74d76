"""Availability: the register's "Free from … to …" filter (booked or out over
the period is not free; retired, missing and closed categories never are), its
bad periods, and an asset's week grid with its bookings and loans in the right
day cells, across midnight and over the clock change in Europe/London."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from app.custody import custody
from app.models import Asset, User
from app.ops import settings
from app.reservations import moments as reservation_moments
from app.reservations import reservations
from app.reservations import rules as reservation_rules

from . import factories
from .pages import names_in

pytestmark = pytest.mark.usefixtures("clock")  # now: Wed 2026-03-11 12:00 UTC (GMT in London)


@pytest.fixture
def london(app):
    settings.change({"timezone": "Europe/London"})
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


@pytest.fixture
def lead(auth):
    return factories.make_user("lead", name="Lee Lead")


def book(asset, lead, person, start, end, zone):
    """Book `asset` for `person` from `start` to `end` (local date, "HH:MM")."""
    return reservations.reserve(
        [asset.code],
        actor=lead,
        person_id=person.id,
        starts_at=reservation_moments.to_utc(start[0], time.fromisoformat(start[1]), zone),
        ends_at=reservation_moments.to_utc(end[0], time.fromisoformat(end[1]), zone),
        zone=zone,
    )


def lend(asset, lead, person, due: date | None, zone):
    custody.check_out(
        asset.code,
        actor=lead,
        today=date(2026, 3, 11),
        holder_id=person.id,
        due_back=due,
        zone=zone,
    )


TODAY = date(2026, 3, 11)
MON, FRI = date(2026, 3, 16), date(2026, 3, 20)
FRI_BEFORE, SAT_AFTER = date(2026, 3, 13), date(2026, 3, 21)
PERIOD = {
    "free_from": "2026-03-16",
    "free_from_time": "08:00",
    "free_to": "2026-03-20",
    "free_to_time": "17:00",
}


@pytest.fixture
def shelf(london, lead):
    """Assets around the period Mon 16 March 08:00 – Fri 20 March 17:00."""
    sam = factories.make_user("member", name="Sam Booker")
    cams = factories.make_category("Cameras")
    vans = factories.make_category("Vans")
    studio = factories.make_location("Studio")
    a = {}

    def make(name, **values):
        a[name] = factories.make_asset(lead, name=name, category=cams.id, **values)
        return a[name]

    make("Free camera", location=studio.id)
    make("Free camera elsewhere")
    book(
        make("Booked midweek", location=studio.id),
        lead,
        sam,
        (MON, "10:00"),
        (FRI, "12:00"),
        london,
    )
    book(
        make("Ends at the start", location=studio.id),
        lead,
        sam,
        (FRI_BEFORE, "08:00"),
        (MON, "08:00"),
        london,
    )
    book(
        make("Starts at the end", location=studio.id),
        lead,
        sam,
        (FRI, "17:00"),
        (SAT_AFTER, "10:00"),
        london,
    )
    book(make("One minute over"), lead, sam, (FRI, "16:59"), (SAT_AFTER, "10:00"), london)
    cancelled = book(make("Booking cancelled"), lead, sam, (MON, "09:00"), (FRI, "09:00"), london)
    reservations.cancel(cancelled.id, actor=lead, zone=london)
    lend(make("Out, due Tuesday", location=studio.id), lead, sam, date(2026, 3, 17), london)
    lend(make("Out, due Monday"), lead, sam, MON, london)
    lend(make("Out, due Sunday before"), lead, sam, date(2026, 3, 15), london)
    lend(make("Out, no due date"), lead, sam, None, london)
    Asset.update(status="retired").where(Asset.id == make("Retired camera").id).execute()
    Asset.update(status="missing").where(Asset.id == make("Missing camera").id).execute()
    a["Van"] = factories.make_asset(lead, name="Van", category=vans.id, location=studio.id)
    return {"assets": a, "cameras": cams, "vans": vans, "studio": studio}


FREE = [
    "Booking cancelled",
    "Ends at the start",
    "Free camera",
    "Free camera elsewhere",
    "Out, due Sunday before",
    "Starts at the end",
]


def listed(client, **args):
    soup, response = client.soup("/assets", query_string={**PERIOD, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(names_in(soup))


def test_free_lists_exactly_what_nobody_has_booked_or_out_over_the_period(client, auth, shelf):
    auth.login("member")
    assert listed(client) == sorted([*FREE, "Van"])
    assert listed(client, category=shelf["cameras"].id) == FREE
    assert listed(client, category=shelf["cameras"].id, location=shelf["studio"].id) == [
        "Ends at the start",
        "Free camera",
        "Starts at the end",
    ]
    assert listed(client, location=shelf["studio"].id, q="camera") == ["Free camera"]


def test_the_filter_and_the_booking_service_agree(client, auth, shelf, london):
    """Everything the filter offers can be booked for the period, and nothing it
    leaves out can: the SQL and the service's own test are one rule."""
    lead = User.get(User.name == "Lee Lead")
    auth.login("member")
    offered = set(listed(client))
    start = reservation_moments.to_utc(MON, time(8), london)
    end = reservation_moments.to_utc(FRI, time(17), london)
    wanted = reservation_rules.Wanted(
        start, end, london, datetime(2026, 3, 11, 12), reservation_rules.current_policy()
    )
    booker = factories.make_user("member", name="Kim Later")
    for name, asset in shelf["assets"].items():
        asset = Asset.get_by_id(asset.id)
        assert reservation_rules.is_free(asset, wanted) is (name in offered), name
    for name in sorted(offered):
        book(shelf["assets"][name], lead, booker, (MON, "08:00"), (FRI, "17:00"), london)
    assert listed(client) == []


def test_closed_categories_are_not_offered(client, auth, shelf):
    settings.change({"reserve_closed_categories": str(shelf["vans"].id)})
    auth.login("member")
    assert "Van" not in listed(client)
    assert listed(client, category=shelf["vans"].id) == []


def test_a_booking_that_lapsed_unstarted_frees_the_item(client, auth, london, lead, clock):
    sam = factories.make_user("member", name="Sam Booker")
    kit = factories.make_asset(lead, name="Kit")
    book(kit, lead, sam, (date(2026, 3, 11), "13:00"), (date(2026, 3, 11), "18:00"), london)
    auth.login("member")
    today = {"free_from": "2026-03-11", "free_from_time": "16:00", "free_to": "2026-03-11"}
    today["free_to_time"] = "17:00"
    assert listed(client, **today) == []
    clock.shift(3 * 3600)  # 15:00: two hours after its start, never started
    assert listed(client, **today) == ["Kit"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"free_to": "2026-03-15"}, "Free to: The end must be after the start."),
        (
            {"free_to_time": "08:00", "free_to": "2026-03-16"},
            "Free to: The end must be after the start.",
        ),
        ({"free_from": ""}, "Free from: Give a date."),
        ({"free_to": "next friday"}, "Free to: Pick a date from the calendar"),
        ({"free_from_time": "25:00"}, "Free from: Give a time such as 14:00."),
    ],
)
def test_bad_periods_say_so_and_list_nothing(client, auth, shelf, args, message):
    auth.login("member")
    for htmx in (None, "asset-results"):
        headers = {"HX-Request": "true", "HX-Target": htmx} if htmx else {}
        soup, response = client.soup("/assets", query_string={**PERIOD, **args}, headers=headers)
        assert response.status_code == 422
        errors = soup.select_one("#filter-errors").get_text(" ", strip=True)
        assert message in errors
        assert names_in(soup) == []


def test_the_register_page_has_the_free_boxes_in_its_filters(client, auth, shelf):
    auth.login("member")
    soup, _ = client.soup("/assets", query_string=PERIOD)
    panel = soup.select_one("form.filters #filter-panel")
    for name, value in PERIOD.items():
        assert panel.select_one(f"input[name={name}]")["value"] == value
    assert panel.has_attr("open")  # a filter in use is always in sight
    soup, _ = client.soup("/assets")
    assert not soup.select_one("#filter-panel").has_attr("open")


# The week grid.


def cells(client, asset, week: str | None = None) -> dict[str, list[str]]:
    """Each day's entries, by ISO date: "Booked · Sam Booker 14:00 – 24:00"."""
    url = f"/A/{asset.code}/week" + (f"?week={week}" if week else "")
    soup, response = client.soup(url)
    assert response.status_code == 200
    return {
        li["id"].removeprefix("day-"): [
            " ".join(e.get_text(" ", strip=True).split()) for e in li.select(".week-entries > li")
        ]
        for li in soup.select(".week-grid > li")
    }


def test_the_week_shows_a_booking_across_midnight_and_a_loan(client, auth, london, lead):
    sam = factories.make_user("member", name="Sam Booker")
    kit = factories.make_asset(lead, name="Kit")
    book(kit, lead, sam, (date(2026, 3, 12), "22:00"), (date(2026, 3, 13), "06:30"), london)
    lend(kit, lead, factories.make_holder("Pat Holder"), date(2026, 3, 11), london)
    auth.login("member")
    soup, _ = client.soup(f"/A/{kit.code}")
    link = soup.select_one("#status-card a[href$='/week']")
    days = cells(client, kit)
    assert link["href"] == f"/A/{kit.code}/week"
    assert list(days) == [f"2026-03-{d:02}" for d in range(9, 16)]  # Monday to Sunday
    assert days["2026-03-11"] == ["Out · Pat Holder 12:00 – 24:00"]  # due back today
    assert days["2026-03-12"] == ["Booked · Sam Booker from 22:00"]
    assert days["2026-03-13"] == ["Booked · Sam Booker until 06:30"]
    assert days["2026-03-10"] == days["2026-03-14"] == []
    following = cells(client, kit, "2026-03-18")
    assert list(following)[0] == "2026-03-16" and all(v == [] for v in following.values())


def test_the_week_of_the_clock_change_in_london(client, auth, london, lead):
    """Sunday 29 March 2026 has 23 hours: 01:00 GMT becomes 02:00 BST."""
    sam = factories.make_user("member", name="Sam Booker")
    kit = factories.make_asset(lead, name="Kit")
    # 00:30 GMT – 03:00 BST on the Sunday (01:30 of real time), then Sun 23:00 BST – Mon 01:00.
    book(kit, lead, sam, (date(2026, 3, 29), "00:30"), (date(2026, 3, 29), "03:00"), london)
    book(kit, lead, sam, (date(2026, 3, 29), "23:00"), (date(2026, 3, 30), "01:00"), london)
    auth.login("member")
    days = cells(client, kit, "2026-03-26")
    assert list(days)[0] == "2026-03-23" and list(days)[-1] == "2026-03-29"
    assert days["2026-03-29"] == [
        "Booked · Sam Booker 00:30 – 03:00",
        "Booked · Sam Booker from 23:00",
    ]
    assert days["2026-03-28"] == []
    following = cells(client, kit, "2026-03-30")
    assert following["2026-03-30"] == ["Booked · Sam Booker until 01:00"]


def test_a_week_that_is_not_a_date_is_a_clear_400(client, auth, lead):
    kit = factories.make_asset(lead, name="Kit")
    auth.login("member")
    response = client.get(f"/A/{kit.code}/week?week=soon")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_data(as_text=True)


def test_the_week_shows_a_loan_returned_the_next_morning(client, auth, london, lead, clock):
    kit = factories.make_asset(lead, name="Kit")
    clock.shift(timedelta(hours=8))  # Wed 20:00
    lend(kit, lead, factories.make_holder("Pat Holder"), date(2026, 3, 12), london)
    clock.shift(timedelta(hours=13))  # Thu 09:00
    custody.check_in(kit.code, actor=lead)
    auth.login("member")
    days = cells(client, kit)
    assert days["2026-03-11"] == ["Out · Pat Holder from 20:00"]
    assert days["2026-03-12"] == ["Out · Pat Holder until 09:00"]
    assert days["2026-03-13"] == []
    # Free again from Thursday 09:00 on the register.
    period = {"free_from": "2026-03-12", "free_to": "2026-03-12", "free_to_time": "18:00"}
    assert listed(client, **period, free_from_time="09:00") == ["Kit"]


def test_an_overdue_item_is_free_for_no_period_until_it_comes_back(
    client, auth, london, lead, clock
):
    from app.errors import Refused

    sam = factories.make_user("member", name="Sam Booker")
    alice = factories.make_user("member", name="Alice")
    late = factories.make_asset(lead, name="Late camera")
    back = factories.make_asset(lead, name="Back in time camera")
    sat = date(2026, 3, 14)
    # Sam booked Saturday afternoon before Alice took it, due back Thursday.
    book(late, lead, sam, (sat, "13:00"), (sat, "17:00"), london)
    lend(late, lead, alice, date(2026, 3, 12), london)
    lend(back, lead, alice, date(2026, 3, 19), london)
    clock.shift(timedelta(days=3))  # Sat 14 March 12:00: Alice is two days late

    message = r"^Late camera is out with Alice and overdue: it was due back Thu 12 Mar\.$"
    for start, end in (
        ((sat, "17:00"), (sat, "18:00")),
        ((SAT_AFTER, "09:00"), (SAT_AFTER, "10:00")),
    ):
        with pytest.raises(Refused, match=message):
            book(late, lead, sam, start, end, london)
    # Due back before the period and not overdue: free.
    book(back, lead, sam, (SAT_AFTER, "09:00"), (SAT_AFTER, "10:00"), london)

    # Its page says it is out, not "Free until …", and offers Sam no Start.
    auth.login(user=sam)
    soup, _ = client.soup(f"/A/{late.code}")
    line = soup.find(id="booking").get_text()
    assert "Free until" not in line
    assert "Out and overdue: not free until it comes back" in line
    assert "Start reservation" not in soup.get_text()

    # The free filter leaves it out, over today or any later period; the one
    # due back on the 19th is out today and free after.
    for day, free in (("2026-03-14", []), ("2026-03-22", ["Back in time camera"])):
        period = {"free_from": day, "free_from_time": "15:00", "free_to": day}
        assert listed(client, **period, free_to_time="16:00") == free


def test_dates_with_no_times_ask_for_the_whole_of_those_days(client, auth, shelf):
    auth.login("member")
    monday = {"free_from": "2026-03-16", "free_from_time": "", "free_to": "2026-03-16"}
    # All of Monday, 00:00 to 24:00: not the one booked until 08:00 that day,
    # nor the one due back that day.
    assert listed(client, **monday, free_to_time="") == [
        "Booking cancelled",
        "Free camera",
        "Free camera elsewhere",
        "One minute over",
        "Out, due Sunday before",
        "Starts at the end",
        "Van",
    ]
    # A time typed still counts: Monday 08:00 to 09:00 has the one free from 08:00.
    assert "Ends at the start" in listed(
        client, **{**monday, "free_from_time": "08:00"}, free_to_time="09:00"
    )
