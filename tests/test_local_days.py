"""LocalDays gives the same local calendar day as converting each stored time,
whatever the zone, however the clocks change and in whatever order the times
come."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from app.clock import LocalDays, StoredDays
from app.templating import in_zone

# Clocks changing forwards and back at midnight or in the small hours, by an hour
# or half of one, and offsets that are not whole hours.
ZONES = [
    "UTC",
    "Europe/London",
    "America/Santiago",  # its clocks change at midnight
    "America/Havana",  # and so do these
    "Australia/Lord_Howe",  # by half an hour
    "Asia/Kathmandu",  # +05:45
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -03:30 / -02:30
    "Pacific/Apia",  # skipped a whole day at the end of 2011
]

moments = st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2030, 12, 31))


@given(st.sampled_from(ZONES), st.lists(moments, max_size=60), st.data())
def test_each_time_gets_the_day_it_was_in_the_zone(name, times, data):
    zone = ZoneInfo(name)
    # Some runs of times close together, as a long list has: minutes apart,
    # across midnight and across a change of the clocks.
    start = data.draw(moments)
    times += [start + timedelta(minutes=17 * i) for i in range(data.draw(st.integers(0, 300)))]
    day_of = LocalDays(zone)
    for moment in sorted(times):
        assert day_of(moment) == in_zone(moment, zone).date(), moment
    # And in any order, as a list by cost reads them: each day kept is found again.
    shuffled = data.draw(st.permutations(times))
    for moment in shuffled:
        assert day_of(moment) == in_zone(moment, zone).date(), moment
    fresh = LocalDays(zone)
    for moment in shuffled:
        assert fresh(moment) == in_zone(moment, zone).date(), moment


def test_around_the_clock_changes():
    """Every ten minutes across days when the clocks change, in order and out of it."""
    for name, days in [
        ("Europe/London", ["2026-03-29", "2026-10-25"]),
        ("America/Santiago", ["2026-04-05", "2026-09-06"]),
        ("Australia/Lord_Howe", ["2026-04-05", "2026-10-04"]),
        ("Pacific/Apia", ["2011-12-29", "2011-12-30"]),
    ]:
        zone = ZoneInfo(name)
        for day in days:
            first = datetime.fromisoformat(day) - timedelta(days=1)
            times = [first + timedelta(minutes=10 * i) for i in range(3 * 144)]
            for order in (times, times[::-1]):
                day_of = LocalDays(zone)
                assert [day_of(m) for m in order] == [in_zone(m, zone).date() for m in order]


@given(st.sampled_from(ZONES), st.lists(moments, max_size=60), st.data())
def test_stored_days_gives_each_time_its_local_day(name, times, data):
    """As each stored time would convert on its own, in any order: read as SQLite
    hands it over (text, in the stored form and in others) and as PostgreSQL
    does (datetime), including times right on either side of a local midnight."""
    zone = ZoneInfo(name)
    start = data.draw(moments)
    times += [start + timedelta(minutes=17 * i) for i in range(data.draw(st.integers(0, 300)))]
    midnights = [
        in_zone(t, zone).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
        .replace(tzinfo=None)
        for t in times[:30]
    ]  # fmt: skip
    times += midnights + [m - timedelta(microseconds=1) for m in midnights]
    styles = [str, datetime.isoformat, lambda t: t, lambda t: t.strftime("%Y-%m-%d %H:%M")]
    day_of = StoredDays(zone)
    for moment in data.draw(st.permutations(times)):
        stored = data.draw(st.sampled_from(styles))(moment)
        if isinstance(stored, str):
            moment = datetime.fromisoformat(stored)  # as it reads back
        assert day_of(stored) == in_zone(moment, zone).date(), stored
