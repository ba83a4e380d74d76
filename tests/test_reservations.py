"""Reservations through the service: booking, no double booking (also against
items out with someone), changing, cancelling, starting (a check-out of every
item), ending by returning, lapsing, and eight people booking one slot at once
on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import models
from app.custody import custody
from app.errors import Forbidden, Invalid, Refused
from app.models import Asset, Event, Reservation, ReservationItem, User
from app.ops import settings
from app.reservations import reservations
from app.reservations import rules as reservation_rules

from . import factories

pytestmark = pytest.mark.usefixtures("clock")  # now is 2026-03-11 12:00 UTC

ZONE = ZoneInfo("Europe/Berlin")  # 13:00 there: a zone mistake shows as an hour off
NOW = datetime(2026, 3, 11, 12, 0)


def at(days: float, hour: int = 9) -> datetime:
    """UTC, `days` from today at `hour` o'clock UTC."""
    return datetime(2026, 3, 11, hour) + timedelta(days=days)


def book(asset, person, start, end, actor=None, **kwargs) -> Reservation:
    return reservations.reserve(
        [asset.code],
        actor=actor or person,
        person_id=person.id,
        starts_at=start,
        ends_at=end,
        zone=ZONE,
        **kwargs,
    )


def kinds(asset) -> list[str]:
    return [e.kind for e in Event.select().where(Event.asset == asset.id).order_by(Event.id)]


@pytest.fixture
def people(app):
    return {
        "lead": factories.make_user("lead", name="Lee Lead"),
        "sam": factories.make_user("member", name="Sam"),
        "kim": factories.make_user("member", name="Kim"),
    }


@pytest.fixture
def camera(people):
    return factories.make_asset(people["lead"], name="Camera")


def test_a_booking_is_saved_with_an_event_naming_whom_and_when(people, camera):
    sam = people["sam"]
    booking = book(camera, sam, at(6, 13), at(8, 16), note="Client shoot, Leeds")
    assert (booking.person_id, booking.made_by_id, booking.state) == (sam.id, sam.id, "booked")
    [item] = ReservationItem.select().where(ReservationItem.reservation == booking)
    assert (item.asset_id, item.starts_at, item.ends_at, item.active) == (
        camera.id,
        at(6, 13),
        at(8, 16),
        True,
    )
    event = Event.select().where(Event.asset == camera.id).order_by(Event.id.desc()).first()
    assert (event.kind, event.actor_id, event.note) == ("reserved", sam.id, "Client shoot, Leeds")
    # Shown in the organisation's zone (an hour ahead of UTC in March).
    assert event.data == {
        "reservation": booking.id,
        "for": "Sam",
        "period": "Tue 17 Mar 14:00 – Thu 19 Mar 17:00",
    }


def test_an_overlapping_booking_is_refused_saying_who_and_when_it_is_free(people, camera):
    book(camera, people["sam"], at(1, 13), at(3, 16))
    with pytest.raises(Refused) as refused:
        book(camera, people["kim"], at(2), at(4))
    assert str(refused.value) == (
        "Camera is reserved by Sam, Thu 14:00 – Sat 17:00. It is free from Sat 17:00."
    )
    assert Reservation.select().count() == 1
    # Back to back is no overlap.
    book(camera, people["kim"], at(3, 16), at(4))
    book(camera, people["kim"], at(0, 14), at(1, 13))
    assert Reservation.select().count() == 3


def test_an_item_out_with_someone_until_inside_the_period_cannot_be_booked(people, camera):
    sam, kim = people["sam"], people["kim"]
    custody.check_out(camera.code, actor=sam, today=NOW.date(), due_back=date(2026, 3, 13))
    with pytest.raises(Refused, match=r"^Camera is out with Sam until Sat 00:00\.$"):
        book(camera, kim, at(1), at(4))
    book(camera, kim, at(3), at(4))  # after its due date: free
    book(camera, sam, at(1), at(2))  # the holder may book it on for themselves
    custody.check_in(camera.code, actor=sam)
    saw = factories.make_asset(people["lead"], name="Saw")
    custody.check_out(saw.code, actor=sam, today=NOW.date())
    with pytest.raises(Refused, match="^Saw is out with Sam, with no due date.$"):
        book(saw, kim, at(30), at(31))


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (at(2), at(1), "ends_at", "The end must be after the start."),
        (at(2), at(2), "ends_at", "The end must be after the start."),
        (at(-3), at(-2), "ends_at", "That period is over. Choose a time from now on."),
        (at(-1), at(2), "starts_at", "The start is in the past. Choose a time from now on."),
        (at(1), at(16), "ends_at", "A booking lasts at most 14 days."),
        (at(95), at(96), "ends_at", "Bookings end at most 90 days from now."),
    ],
)
def test_bad_periods_get_a_message_and_save_nothing(people, camera, start, end, field, message):
    with pytest.raises(Invalid) as invalid:
        book(camera, people["sam"], start, end)
    assert invalid.value.errors[field] == message
    assert Reservation.select().count() == 0
    assert "reserved" not in kinds(camera)


def test_the_settings_change_how_long_and_how_far_ahead(people, camera):
    settings.change({"reserve_longest_days": "30", "reserve_ahead_days": "200"})
    book(camera, people["sam"], at(95), at(120))
    with pytest.raises(Invalid, match="at most 30 days"):
        book(camera, people["kim"], at(130), at(170))


def test_retired_missing_and_closed_categories_cannot_be_reserved(people, camera):
    lead = people["lead"]
    custody.retire(camera.code, actor=lead, reason="sold")
    with pytest.raises(Refused, match="^Camera is retired.$"):
        book(camera, people["sam"], at(1), at(2))
    lost = factories.make_asset(lead, name="Tripod")
    Asset.update(status="missing").where(Asset.id == lost.id).execute()
    with pytest.raises(Refused, match="^Tripod is missing.$"):
        book(lost, people["sam"], at(1), at(2))
    vans = factories.make_category("Vans")
    van = factories.make_asset(lead, name="Van", category=vans.id)
    settings.change({"reserve_closed_categories": [str(vans.id)]})
    with pytest.raises(Refused, match="^Van: Vans cannot be reserved.$"):
        book(van, people["sam"], at(1), at(2))
    assert Reservation.select().count() == 0


def test_members_reserve_for_themselves_and_leads_for_anyone(people, camera):
    sam, kim, lead = people["sam"], people["kim"], people["lead"]
    with pytest.raises(Forbidden):
        book(camera, kim, at(1), at(2), actor=sam)
    booking = book(camera, kim, at(1), at(2), actor=lead)
    assert (booking.person_id, booking.made_by_id) == (kim.id, lead.id)


def test_change_and_cancel_are_events_and_free_the_old_slot(people, camera):
    sam, kim = people["sam"], people["kim"]
    booking = book(camera, sam, at(1), at(2))
    reservations.change(booking.id, actor=sam, starts_at=at(5), ends_at=at(6), zone=ZONE)
    book(camera, kim, at(1), at(2))  # the old slot is free
    with pytest.raises(Refused, match="reserved by Sam"):
        book(camera, kim, at(5), at(6))
    with pytest.raises(Forbidden):
        reservations.cancel(booking.id, actor=kim, zone=ZONE)
    reservations.cancel(booking.id, actor=sam, zone=ZONE)
    assert Reservation.get_by_id(booking.id).state == "cancelled"
    book(camera, kim, at(5), at(6))
    assert kinds(camera).count("reserved") == 3
    assert "reservation_changed" in kinds(camera) and "reservation_cancelled" in kinds(camera)


def test_start_checks_out_every_item_due_back_the_day_it_ends(people, camera, clock):
    sam, lead = people["sam"], people["lead"]
    lens = factories.make_asset(lead, name="Lens")
    booking = reservations.reserve(
        [camera.code, lens.code],
        actor=sam,
        starts_at=at(1, 13),
        ends_at=at(3, 16),
        zone=ZONE,
    )
    with pytest.raises(Refused, match="from an hour before its start"):
        reservations.start(booking.id, actor=sam, today=NOW.date(), zone=ZONE)
    clock.shift(timedelta(days=1, hours=0, minutes=30))  # 12:30 UTC, half an hour early
    with pytest.raises(Refused, match="Only the person it is for"):
        reservations.start(booking.id, actor=people["kim"], today=NOW.date(), zone=ZONE)
    reservations.start(booking.id, actor=sam, today=date(2026, 3, 12), zone=ZONE)
    for item in (camera, lens):
        fresh = Asset.get_by_id(item.id)
        assert (fresh.holder_id, fresh.due_back, fresh.status) == (
            sam.id,
            date(2026, 3, 14),
            "checked_out",
        )
        event = Event.select().where(Event.asset == item.id).order_by(Event.id.desc()).first()
        assert (event.kind, event.data["reservation"]) == ("checked_out", booking.id)
    assert Reservation.get_by_id(booking.id).state == "started"
    # Returning one item leaves it started; returning the last ends it.
    custody.check_in(camera.code, actor=sam)
    assert Reservation.get_by_id(booking.id).state == "started"
    custody.check_in(lens.code, actor=sam)
    assert Reservation.get_by_id(booking.id).state == "ended"
    assert not ReservationItem.select().where(ReservationItem.active == True).exists()  # noqa: E712


def test_start_moves_nothing_when_one_item_cannot_go(people, camera, clock):
    sam, kim, lead = people["sam"], people["kim"], people["lead"]
    lens = factories.make_asset(lead, name="Lens")
    booking = reservations.reserve(
        [camera.code, lens.code], actor=sam, starts_at=at(0, 13), ends_at=at(1), zone=ZONE
    )
    # A lead hands the lens to Kim over the booking, knowingly.
    custody.check_out(lens.code, actor=lead, today=NOW.date(), holder_id=kim.id, override=True)
    with pytest.raises(Refused, match="^Lens: Already checked out to Kim"):
        reservations.start(booking.id, actor=sam, today=NOW.date(), zone=ZONE)
    assert Asset.get_by_id(camera.id).holder_id is None
    assert Reservation.get_by_id(booking.id).state == "booked"


def test_an_unstarted_booking_frees_its_items_after_the_lapse_time(people, camera, clock):
    sam, kim = people["sam"], people["kim"]
    booking = book(camera, sam, at(0, 13), at(1))
    clock.shift(timedelta(hours=2, minutes=30))  # 14:30: not yet two hours past 13:00
    with pytest.raises(Refused):
        book(camera, kim, at(0, 16), at(0, 18))
    clock.shift(timedelta(minutes=40))  # 15:10: lapsed, so the slot is free already
    book(camera, kim, at(0, 16), at(0, 18))
    with pytest.raises(Refused, match="lapsed"):
        reservations.start(booking.id, actor=sam, today=NOW.date(), zone=ZONE)
    assert reservations.lapse(zone=ZONE) == 1
    assert Reservation.get_by_id(booking.id).state == "lapsed"
    assert kinds(camera)[-2:] == ["reserved", "reservation_lapsed"]
    assert reservations.lapse(zone=ZONE) == 0


def test_check_out_runs_into_a_booking_unless_a_lead_overrides(people, camera):
    sam, kim, lead = people["sam"], people["kim"], people["lead"]
    book(camera, sam, at(3, 13), at(4))
    with pytest.raises(Refused, match="reserved by Sam") as refused:
        custody.check_out(camera.code, actor=kim, today=NOW.date())  # no due date: for good
    assert str(refused.value).endswith("Give a due date before then.")
    with pytest.raises(Refused, match="reserved by Sam"):  # due the day it starts (local)
        custody.check_out(camera.code, actor=kim, today=NOW.date(), due_back=date(2026, 3, 14))
    with pytest.raises(Refused, match="reserved by Sam"):  # a member cannot override
        custody.check_out(camera.code, actor=kim, today=NOW.date(), override=True)
    assert Asset.get_by_id(camera.id).holder_id is None
    custody.check_out(camera.code, actor=kim, today=NOW.date(), due_back=date(2026, 3, 13))
    custody.check_in(camera.code, actor=kim)
    custody.check_out(camera.code, actor=sam, today=NOW.date())  # their own booking
    custody.check_in(camera.code, actor=sam)
    outcome = custody.check_out(
        camera.code, actor=lead, today=NOW.date(), holder_id=kim.id, override=True
    )
    assert outcome.events[-1].data == {"over_reservation": "Sam"}


def _race(slot_start, slot_end, people_count=8):
    """`people_count` members book one item for one slot at the same moment."""
    lead = User.create(name="Lead", role="lead")
    item = factories.make_asset(lead, name="Van")
    racers = [User.create(name=f"Racer {n}", role="member") for n in range(people_count)]
    barrier = threading.Barrier(people_count)
    results: dict[int, str] = {}

    def go(person):
        try:
            barrier.wait(timeout=30)
            book(item, person, slot_start, slot_end)
            results[person.id] = "booked"
        except Refused as exc:
            results[person.id] = str(exc)
        except Exception as exc:  # pragma: no cover - reported by the assert below
            results[person.id] = f"error: {exc!r}"
        finally:
            models.db.close()

    threads = [threading.Thread(target=go, args=(p,)) for p in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [p for p in racers if results[p.id] == "booked"]
    assert len(won) == 1, results
    assert all("is reserved by" in results[p.id] for p in racers if p not in won), results
    assert Reservation.select().count() == 1
    assert ReservationItem.select().where(ReservationItem.asset == item.id).count() == 1
    assert kinds(item).count("reserved") == 1


def test_eight_people_booking_one_slot_at_once_one_wins(app):
    _race(at(1), at(2))


def test_eight_people_booking_one_slot_at_once_one_wins_on_postgresql(pg_app):
    with pg_app.app_context():
        _race(at(1), at(2))


@pytest.mark.sqlite_only
def test_the_overlap_test_is_one_index_lookup(app):
    """The plan reads reservation_item through its (asset, active, ends_at) index."""
    query = reservation_rules.overlapping([1, 2], at(1), at(2))
    sql, params = query.sql()
    plan = " ".join(str(r) for r in models.db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "reservation_item_asset_id_active_ends_at_starts_at" in plan
    assert "SCAN reservation_item" not in plan


def test_tagtrail_remind_lapses_bookings_not_started_in_time(
    app, people, camera, clock, monkeypatch
):
    """The daily `tagtrail remind` marks them lapsed, each item's history says so."""
    from click.testing import CliRunner

    from app.cli import main

    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    monkeypatch.setenv("TAGTRAIL_TIMEZONE", "Europe/Berlin")
    late = book(camera, people["sam"], at(0, 13), at(1))
    on_time = book(factories.make_asset(people["lead"]), people["kim"], at(0, 14), at(1))
    clock.shift(timedelta(hours=3, minutes=1))  # 15:01 UTC: 13:00 + 2 h has passed, 14:00 not
    result = CliRunner().invoke(main, ["remind"])
    assert result.exit_code == 0, result.output
    assert "Reservations not started in time, now lapsed: 1." in result.output
    assert Reservation.get_by_id(late.id).state == "lapsed"
    assert Reservation.get_by_id(on_time.id).state == "booked"
    assert kinds(camera)[-1] == "reservation_lapsed"


def test_tagtrail_remind_tells_people_the_day_before_and_the_day_a_booking_starts(
    app, people, camera, monkeypatch
):
    """Without a mail server it prints what it would send: one email per booking
    starting today or tomorrow (the organisation's days), to its person."""
    from click.testing import CliRunner

    from app.cli import main

    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    monkeypatch.setenv("TAGTRAIL_TIMEZONE", "Europe/Berlin")
    monkeypatch.delenv("TAGTRAIL_SMTP_HOST", raising=False)
    book(camera, people["sam"], at(1, 13), at(2))  # tomorrow 14:00 in Berlin
    later = factories.make_asset(people["lead"], name="Tripod")
    book(later, people["kim"], at(2, 23), at(3))  # Sat 00:00 in Berlin: not yet
    result = CliRunner().invoke(main, ["remind"])
    assert result.exit_code == 0, result.output
    sam = people["sam"]
    assert f"To: Sam <{sam.email}>" in result.output
    assert "reminder: your reservation starts Thu 14:00" in result.output
    assert "Your reservation at" in result.output and "- Camera (" in result.output
    assert "Tripod" not in result.output and "Kim" not in result.output


def test_a_hand_over_into_someone_elses_booking_needs_a_leads_override(people, camera):
    sam, kim, lead = people["sam"], people["kim"], people["lead"]
    custody.check_out(camera.code, actor=kim, today=NOW.date(), due_back=date(2026, 3, 12))
    book(camera, sam, at(3), at(4))
    with pytest.raises(Refused, match="reserved by Sam"):  # to the lead, for good
        custody.transfer(camera.code, actor=kim, today=NOW.date(), to_holder_id=lead.id)
    assert Asset.get_by_id(camera.id).holder_id == kim.id
    custody.transfer(  # back before the booking: fine
        camera.code, actor=kim, today=NOW.date(), to_holder_id=lead.id, due_back=date(2026, 3, 13)
    )
    outcome = custody.transfer(
        camera.code, actor=lead, today=NOW.date(), to_holder_id=kim.id, override=True
    )
    assert outcome.events[-1].data["over_reservation"] == "Sam"
    custody.transfer(camera.code, actor=lead, today=NOW.date(), to_holder_id=sam.id)  # theirs


def test_retiring_an_item_takes_it_out_of_every_booking_not_yet_started(people, camera, client):
    from app.register import event_kinds

    lead, sam, kim = people["lead"], people["sam"], people["kim"]
    tripod = factories.make_asset(lead, name="Tripod")
    alone = book(camera, sam, at(6, 13), at(8, 16))
    both = reservations.reserve(
        [camera.code, tripod.code],
        actor=kim,
        starts_at=at(10),
        ends_at=at(11),
        zone=ZONE,
    )
    other = book(tripod, sam, at(20), at(21))

    custody.retire(camera.code, actor=lead, reason="scrapped", zone=ZONE)

    def state(booking):
        return Reservation.get_by_id(booking.id).state

    def active(booking):
        return sorted(
            i.asset_id
            for i in ReservationItem.select().where(
                ReservationItem.reservation == booking.id,
                ReservationItem.active == True,  # noqa: E712
            )
        )

    # Nothing left in Sam's: cancelled; Kim's keeps the tripod; the other untouched.
    assert (state(alone), active(alone)) == ("cancelled", [])
    assert (state(both), active(both)) == ("booked", [tripod.id])
    assert (state(other), active(other)) == ("booked", [tripod.id])
    lines = [
        event_kinds.line(e)
        for e in Event.select()
        .where(Event.asset == camera.id, Event.kind == "reservation_cancelled")
        .order_by(Event.id)
    ]
    assert ["".join([line.words, *(p.text for p in line.pieces)]) for line in lines] == [
        "Reservation cancelled for Sam · Tue 17 Mar 14:00 – Thu 19 Mar 17:00"
        ": the item was retired by Lee Lead",
        "Reservation cancelled for Kim · Sat 21 Mar 10:00 – Sun 22 Mar 10:00"
        ": the item was retired by Lee Lead",
    ]
    assert "reservation_cancelled" not in kinds(tripod)


def test_a_period_within_one_day_names_the_day_once():
    """ "Mon 09:00 – 17:00", the day in the organisation's zone; across midnight
    there (22:00 UTC is 23:00 in Berlin) both ends have their day."""
    from app.reservations import moments

    now = datetime(2026, 3, 11, 12)
    assert moments.period_text(at(5, 8), at(5, 16), ZONE, now) == "Mon 09:00 – 17:00"
    assert moments.period_text(at(5, 22), at(6, 1), ZONE, now) == "Mon 23:00 – Tue 02:00"
    assert moments.period_text(at(1, 13), at(3, 16), ZONE, now) == "Thu 14:00 – Sat 17:00"
