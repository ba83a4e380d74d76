"""Calendar feeds of reservations, through the real pages and the .ics link:
the feed parsed with the icalendar library, its times in the organisation's
zone, stable UIDs, a renewed link dead at once, one person's bookings never in
another's feed, cancelled ones gone, an item's feed for leads, and only a hash
of the link's token kept."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar, vDuration

from app import models
from app.models import CalendarFeed, Reservation, ReservationItem, User
from app.reservations import feed, reservations

from . import factories
from .pages import soup_of

LONDON = ZoneInfo("Europe/London")
# A summer's day: London is on BST (UTC+1).
SUMMER = datetime(2026, 7, 1, 11, 0, tzinfo=UTC)


@pytest.fixture
def summer(app):
    from app.ops import settings

    with time_machine.travel(SUMMER, tick=True) as traveller:
        with app.app_context():
            settings.change({"timezone": "Europe/London"})
        yield traveller


@pytest.fixture
def camera(auth, summer):
    return factories.make_asset(factories.make_user("lead", name="Lee Lead"), name="Camera kit")


def book(client, asset, day="2026-07-07", start="09:00", end="17:00", **kw):
    data = {
        "starts_at_date": day,
        "starts_at_time": start,
        "ends_at_date": day,
        "ends_at_time": end,
        **kw,
    }
    response = client.form(f"/A/{asset.code}/reserve", data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return Reservation.select().order_by(Reservation.id.desc()).first()


def get_link(client, url="/feeds/mine") -> tuple[str, str]:
    """Post "Get my calendar link" (or an item's), follow its redirect, and read the
    link and its webcal twin."""
    posted = client.form(url)
    assert posted.status_code == 303
    response = client.get(posted.headers["Location"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    soup = soup_of(response)
    return soup.select_one("#feed-address").get_text(), soup.select_one("#feed-webcal")["href"]


def fetch(client, link: str):
    assert link.startswith("http://tags.example.test/feeds/") and link.endswith(".ics")
    return client.get(link.removeprefix("http://tags.example.test"))


def events(client, link: str) -> list:
    response = fetch(client, link)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    calendar = Calendar.from_ical(response.get_data())
    return list(calendar.walk("VEVENT"))


def test_my_feed_has_my_booking_at_the_times_booked(client, auth, camera):
    sam = auth.login("member", factories.make_user("member", name="Sam Shooter"))
    booking = book(client, camera, note="Client shoot, Leeds")
    soup, _ = client.soup("/reservations")
    block = soup.select_one("#calendar-feed")
    assert block.select_one("h2").get_text() == "Add to your calendar"
    assert block.select_one("form")["action"] == "/feeds/mine"

    link, webcal = get_link(client)
    assert webcal == "webcal://" + link.removeprefix("http://")
    response = fetch(client, link)
    calendar = Calendar.from_ical(response.get_data())
    assert str(calendar["X-WR-CALNAME"]).endswith("Sam Shooter's reservations")
    # How often calendars look again: written as iCalendar durations (PT1H).
    assert calendar.to_ical().count(b"PT1H") == 2
    for name in ("REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        assert vDuration.from_ical(str(calendar[name].to_ical(), "ascii")) == timedelta(hours=1)
    [tz] = calendar.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/London"
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Reserved: Camera kit"
    # 09:00–17:00 typed in London in summer: 08:00–16:00 UTC, said as 09:00 London.
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (
        datetime(2026, 7, 7, 9, 0),
        datetime(2026, 7, 7, 17, 0),
    )
    assert start.astimezone(UTC) == datetime(2026, 7, 7, 8, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 7, 7, 16, 0, tzinfo=UTC)
    description = str(event["DESCRIPTION"])
    assert "Client shoot, Leeds" in description
    assert f"http://tags.example.test/A/{camera.code}" in description
    assert str(event["URL"]) == f"http://tags.example.test/A/{camera.code}"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["UID"]) == f"reservation-{booking.id}@tags.example.test"
    assert booking.person_id == sam.id


def test_the_uid_stays_when_a_booking_changes(app, client, auth, camera):
    sam = auth.login("member")
    booking = book(client, camera)
    link, _ = get_link(client)
    [before] = events(client, link)
    [again] = events(client, link)
    assert str(again["UID"]) == str(before["UID"])
    with app.app_context():
        reservations.change(
            booking.id,
            actor=User.get_by_id(sam.id),
            starts_at=datetime(2026, 7, 8, 8, 0),
            ends_at=datetime(2026, 7, 8, 12, 0),
            zone=LONDON,
        )
    [after] = events(client, link)
    assert str(after["UID"]) == str(before["UID"])  # the calendar replaces the event
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("DTSTART").astimezone(UTC) == datetime(2026, 7, 8, 8, 0, tzinfo=UTC)


def test_a_renewed_link_stops_working_at_once(client, auth, camera):
    auth.login("member")
    book(client, camera)
    old, _ = get_link(client)
    assert len(events(client, old)) == 1
    new, _ = get_link(client)  # "Renew the link" posts the same form
    assert new != old
    response = fetch(client, old)
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert "not in use" in response.get_data(as_text=True)
    assert len(events(client, new)) == 1
    assert CalendarFeed.select().count() == 1  # one live feed per person


@pytest.mark.parametrize("mine", [True, False], ids=["mine", "an item's"])
def test_reloading_the_link_page_shows_it_no_more_and_renews_nothing(client, auth, camera, mine):
    auth.login("lead" if not mine else "member")
    book(client, camera)
    url = "/feeds/mine" if mine else f"/A/{camera.code}/feed"
    posted = client.form(url)
    assert posted.status_code == 303  # POST, then a GET page a reload cannot re-post
    first = soup_of(client.get(posted.headers["Location"]))
    link = first.select_one("#feed-address").get_text()
    kept = CalendarFeed.get()

    again, response = client.soup(posted.headers["Location"])  # the reload
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert again.select_one("#feed-address") is None
    assert link not in str(again)
    assert "Your link was shown when you made it" in again.select_one("#feed-shown").get_text()
    assert url in [f["action"] for f in again.select("form[method=post]")]  # the Renew button
    assert CalendarFeed.get().token_hash == kept.token_hash
    assert len(events(client, link)) == 1  # the link just copied still works


def test_only_a_hash_of_the_token_is_kept(client, auth, camera):
    auth.login("member")
    link, _ = get_link(client)
    token = link.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes
    [row] = CalendarFeed.select()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.token_hash, str(row.person_id)}
    assert events(client, link) == []  # no bookings yet: an empty calendar


def test_another_persons_bookings_are_not_in_my_feed(client, auth, camera):
    lens = factories.make_asset(name="Long lens")
    auth.login("member", factories.make_user("member", name="Sam"))
    book(client, camera)
    sams, _ = get_link(client)
    auth.logout()
    auth.login("member", factories.make_user("member", name="Ana"))
    book(client, lens, day="2026-07-09")
    anas, _ = get_link(client)
    assert [str(e["SUMMARY"]) for e in events(client, sams)] == ["Reserved: Camera kit"]
    assert [str(e["SUMMARY"]) for e in events(client, anas)] == ["Reserved: Long lens"]


def test_a_cancelled_booking_leaves_the_feed(client, auth, camera):
    auth.login("member")
    keep = book(client, camera, day="2026-07-07")
    gone = book(client, camera, day="2026-07-08")
    link, _ = get_link(client)
    assert len(events(client, link)) == 2
    response = client.form(f"/reservations/{gone.id}/cancel")
    assert response.status_code == 303
    assert Reservation.get_by_id(gone.id).state == "cancelled"
    [event] = events(client, link)
    assert str(event["UID"]).startswith(f"reservation-{keep.id}@")


def test_old_bookings_and_lapsed_ones_are_left_out(client, auth, camera):
    sam = auth.login("member")
    now = datetime(2026, 7, 1, 11, 0)

    def stored(state, starts_at, hours=4):
        r = Reservation.create(
            person=sam.id,
            made_by=sam.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            state=state,
        )
        ReservationItem.create(
            reservation=r, asset=camera, starts_at=r.starts_at, ends_at=r.ends_at, active=False
        )
        return r

    recent = stored("ended", now - timedelta(days=20))
    stored("ended", now - timedelta(days=40))  # ended over 30 days ago
    stored("lapsed", now - timedelta(days=2))
    stored("booked", now - timedelta(hours=5))  # not started: lapsed by the rules already
    link, _ = get_link(client)
    [event] = events(client, link)
    assert str(event["UID"]).startswith(f"reservation-{recent.id}@")


def test_an_items_feed_for_leads(client, auth, camera):
    auth.login("member", factories.make_user("member", name="Sam Shooter"))
    booking = book(client, camera, note="Client shoot")
    soup, _ = client.soup(f"/A/{camera.code}")
    assert soup.select_one("#status-card a[href$='/feed']") is None  # a member gets no item's link
    assert client.get(f"/A/{camera.code}/feed").status_code == 403
    assert client.form(f"/A/{camera.code}/feed").status_code == 403
    auth.logout()
    auth.login("lead")
    soup, _ = client.soup(f"/A/{camera.code}")
    link = soup.select_one("#status-card a[href$='/feed']")
    assert link.get_text() == "Add to your calendar"
    soup, response = client.soup(link["href"])
    assert response.status_code == 200 and not CalendarFeed.select().exists()  # GET makes none
    form = soup.select_one("#calendar-feed form")
    assert form["action"] == f"/A/{camera.code}/feed"
    assert form.select_one("button").get_text() == "Get this item's calendar link"
    link, _ = get_link(client, form["action"])
    [event] = events(client, link)
    assert str(event["SUMMARY"]) == "Reserved by Sam Shooter"
    assert str(event["UID"]) == f"reservation-{booking.id}-{camera.code}@tags.example.test"
    [row] = CalendarFeed.select()
    assert (row.asset_id, row.person_id) == (camera.id, None)


def test_unknown_junk_and_deactivated_links_get_404(client, auth, camera):
    sam = auth.login("member")
    book(client, camera)
    link, _ = get_link(client)
    token = link.rsplit("/", 1)[1].removesuffix(".ics")
    for bad in (
        "/feeds/nope.ics",
        "/feeds/" + "x" * 500 + ".ics",
        "/feeds/.ics",
        f"/feeds/{token}%C3%A9.ics",
        f"/feeds/{token[:-1]}.ics",
        f"/feeds/{token}.ICS",
    ):
        response = client.get(bad)
        assert response.status_code == 404, bad
    User.update(active=False).where(User.id == sam.id).execute()
    assert fetch(client, link).status_code == 404


def test_feeds_are_rate_limited(app, client, auth, camera):
    auth.login("member")
    link, _ = get_link(client)
    app.config["FEED_LIMIT"] = "3 per minute"
    assert [fetch(client, link).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_renewing_someone_elses_feed_is_refused(app, auth, camera):
    sam = factories.make_user("member")
    ana = factories.make_user("member")
    with app.app_context():
        with pytest.raises(Exception, match="your own"):
            feed.renew_person_feed(ana, sam)
        with pytest.raises(Exception, match="leads"):
            feed.renew_asset_feed(ana, camera)
    assert CalendarFeed.select().count() == 0


def _renew_at_once(people_count=8):
    """One person's link renewed by eight requests at the same moment (the first
    link among them): no error, one row, and only the last link works."""
    sam = User.create(name="Sam", role="member")
    barrier = threading.Barrier(people_count)
    results: list[str] = []

    def go():
        try:
            barrier.wait(timeout=30)
            results.append(feed.renew_person_feed(sam, sam))
        except Exception as exc:  # pragma: no cover - reported by the assert below
            results.append(f"error: {exc!r}")
        finally:
            models.db.close()

    threads = [threading.Thread(target=go) for _ in range(people_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [r for r in results if r.startswith("error")], results
    [row] = CalendarFeed.select()
    working = [token for token in results if feed.find(token) is not None]
    assert len(working) == 1 and row.token_hash == feed.token_hash(working[0])


def test_eight_renewals_at_once_leave_one_working_link(app):
    _renew_at_once()


def test_eight_renewals_at_once_leave_one_working_link_on_postgresql(pg_app):
    with pg_app.app_context():
        _renew_at_once()
