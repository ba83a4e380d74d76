"""Utilisation: days checked out over days owned, against figures worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models import Asset, Event
from app.reports import common
from app.reports import utilisation as reports_usage
from app.spreadsheets.csvfiles import to_csv

from . import factories

UTC = ZoneInfo("UTC")
NOW = datetime(2025, 6, 1, 12, 0)
JANUARY = common.Period(date(2025, 1, 1), date(2025, 1, 10))  # 10 whole days


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def asset(name: str, *, category=None, created="2024-12-01 09:00", bought=None, retired=None):
    """An asset added at `created` (UTC); custody is written as events below."""
    values = {"name": name}
    if category:
        values["category"] = category.id
    if bought:
        values["purchase_date"] = date.fromisoformat(bought)
    row = factories.make_asset(**values)
    Asset.update(created_at=at(created), retired_at=at(retired) if retired else None).where(
        Asset.id == row.id
    ).execute()
    return row


def custody(row: Asset, *steps: tuple[str, str]) -> None:
    """Events as the custody service writes them, at the given UTC times, in order."""
    for kind, when in steps:
        Event.create(asset=row, kind=kind, at=at(when))


@pytest.fixture
def january(app):
    build_january()


def build_january() -> None:
    """Nine assets covering the tricky cases; see each comment for the hand count."""
    drills, laptops = factories.make_category("Drills"), factories.make_category("Laptops")
    # Out since before the period and never returned: out all 10 days of 10.
    custody(asset("Open before", category=drills), ("checked_out", "2024-12-20 10:00"))
    # Out twice: 12 h on the 2nd; then the 5th 00:00 to the 7th 12:00 through a
    # hand-over (still out). 0.5 + 2.5 = 3 days of 10.
    custody(
        asset("Twice", category=drills),
        ("checked_out", "2025-01-02 06:00"),
        ("checked_in", "2025-01-02 18:00"),
        ("checked_out", "2025-01-05 00:00"),
        ("transferred", "2025-01-06 00:00"),
        ("checked_in", "2025-01-07 12:00"),
    )
    # Retired mid-period while out: owned 1st 00:00 to 4th 06:00 = 3.25 days,
    # out from the 2nd 00:00 to the retirement = 2.25 days.
    custody(
        asset("Retired mid", category=laptops, retired="2025-01-04 06:00"),
        ("checked_out", "2025-01-02 00:00"),
        ("retired", "2025-01-04 06:00"),
    )
    # Bought on the 7th (owned from its midnight: 4 days), out from the 9th: 2 days.
    custody(
        asset("Bought mid", category=laptops, bought="2025-01-07", created="2025-01-07 09:00"),
        ("checked_out", "2025-01-09 00:00"),
    )
    # Returned before the period began: 0 of 10.
    custody(
        asset("Back before"),
        ("checked_out", "2024-12-10 08:00"),
        ("checked_in", "2024-12-20 08:00"),
    )
    # Out across the end: 18:00 on the last day to midnight = 0.25 day.
    custody(
        asset("Out at the end"),
        ("checked_out", "2025-01-10 18:00"),
        ("checked_in", "2025-01-12 09:00"),
    )
    # Bought long before it was added on the 5th: owned (idle) all 10 days.
    asset("Imported", bought="2024-06-01", created="2025-01-05 10:00")
    # Not owned in the period at all: left out.
    asset("Gone before", retired="2024-12-15 00:00")
    asset("Added after", created="2025-02-01 00:00")


def by_name(report) -> dict[str, tuple[str, str, str]]:
    return {u.name: (u.owned_days, u.out_days, u.percent) for u in report.assets}


def test_each_tricky_case_against_hand_counted_days(january):
    """Open before the start, out twice, retired mid-period, bought mid-period, across the end."""
    report = reports_usage.utilisation(JANUARY, UTC, NOW)
    assert by_name(report) == {
        "Open before": ("10.0", "10.0", "100.0"),
        "Twice": ("10.0", "3.0", "30.0"),
        "Retired mid": ("3.3", "2.3", "69.2"),  # 3.25 and 2.25 round half up; 2.25/3.25
        "Bought mid": ("4.0", "2.0", "50.0"),
        "Back before": ("10.0", "0.0", "0.0"),
        "Out at the end": ("10.0", "0.3", "2.5"),  # 0.25 day of 10
        "Imported": ("10.0", "0.0", "0.0"),
    }
    exact = {u.name: (u.owned_us, u.out_us) for u in report.assets}
    hour = 3_600_000_000
    assert exact["Retired mid"] == (78 * hour, 54 * hour)
    assert exact["Twice"] == (240 * hour, 72 * hour)


def test_a_few_assets_figures_are_the_reports(january):
    """`percent_for` (another report's chunk of assets) adds up the spells of the
    assets owned all the period in SQL and cuts the others' in Python: the same
    figures as the report, for each tricky case."""
    report = {u.name: u.percent for u in reports_usage.utilisation(JANUARY, UTC, NOW).assets}
    rows = Asset.select(Asset.id, Asset.purchase_date, Asset.created_at, Asset.retired_at)
    names = dict(Asset.select(Asset.id, Asset.name).tuples())
    few = reports_usage.percent_for(rows.tuples(), JANUARY, UTC, NOW)
    assert {names[asset_id]: percent for asset_id, percent in few.items()} == report
    assert report["Open before"] == "100.0" and report["Twice"] == "30.0"


def test_most_used_first_then_by_name(january):
    report = reports_usage.utilisation(JANUARY, UTC, NOW)
    assert [u.name for u in report.assets] == [
        "Open before",
        "Retired mid",
        "Bought mid",
        "Twice",
        "Out at the end",
        "Back before",
        "Imported",
    ]


def test_every_page_is_that_part_of_the_whole_list(january):
    """A page is read on its own (the database ranks the assets owned all period, the
    few owned for part of it are merged in): any slice equals that slice of the whole."""
    report = reports_usage.utilisation(JANUARY, UTC, NOW)
    whole = [u.name for u in report.assets]
    assert len(report.assets) == len(whole) == 7
    for first in range(len(whole) + 1):
        for stop in range(first, len(whole) + 2):
            assert [u.name for u in report.assets[first:stop]] == whole[first:stop]
    assert report.assets[4].name == "Out at the end" and report.assets[-1].name == "Imported"


def test_category_figures_add_up_time_not_percentages(january):
    """Drills 13 of 20 days; Laptops 4.25 of 7.25; the rest 0.25 of 30; all 17.5 of 57.25."""
    report = reports_usage.utilisation(JANUARY, UTC, NOW)
    rows = {(u.name, u.assets, u.owned_days, u.out_days, u.percent) for u in report.categories}
    assert rows == {
        ("Drills", 2, "20.0", "13.0", "65.0"),
        ("Laptops", 2, "7.3", "4.3", "58.6"),
        ("No category", 3, "30.0", "0.3", "0.8"),
    }
    assert [u.name for u in report.categories][-1] == "No category"
    total = report.total
    assert (total.assets, total.owned_days, total.out_days, total.percent) == (
        7,
        "57.3",
        "17.5",
        "30.6",
    )


def test_days_run_midnight_to_midnight_in_the_organisations_zone(app):
    """In Amsterdam (UTC+1 in January) 1 January is 23:00 UTC on the 31st to 23:00 on the 1st."""
    row = asset("Local", created="2024-12-01 00:00")
    custody(row, ("checked_out", "2024-12-31 23:30"), ("checked_in", "2025-01-01 11:30"))
    one_day = common.Period(date(2025, 1, 1), date(2025, 1, 1))
    amsterdam = reports_usage.utilisation(one_day, ZoneInfo("Europe/Amsterdam"), NOW)
    assert by_name(amsterdam)["Local"] == ("1.0", "0.5", "50.0")
    # The same events counted in UTC: out from midnight to 11:30, 11.5 hours.
    utc = reports_usage.utilisation(one_day, UTC, NOW)
    assert by_name(utc)["Local"] == ("1.0", "0.5", "47.9")


def test_the_period_stops_at_now(app):
    """Today is only owned (and out) up to now, not to midnight."""
    row = asset("Today", created="2024-12-01 00:00")
    custody(row, ("checked_out", "2025-01-01 18:00"))
    period = common.Period(date(2025, 1, 1), date(2025, 1, 2))
    report = reports_usage.utilisation(period, UTC, at("2025-01-02 12:00"))
    assert by_name(report)["Today"] == ("1.5", "0.8", "50.0")  # out 18 h of 36 h


def test_a_period_entirely_in_the_future_is_empty(app):
    asset("Anything")
    period = common.Period(date(2030, 1, 1), date(2030, 1, 5))
    report = reports_usage.utilisation(period, UTC, NOW)
    assert report.assets == [] and report.total.assets == 0 and report.total.percent == ""


def test_page_and_csv_show_the_same_figures(client, auth, january):
    auth.login("lead")
    soup, response = client.soup("/reports/utilisation?from=2025-01-01&to=2025-01-10")
    assert response.status_code == 200
    page_rows = [
        [cell.get_text(" ", strip=True) for cell in tr.find_all(["td", "th"])]
        for tr in soup.select("#usage-assets tbody tr")
    ]
    assert page_rows[0][0].startswith("Open before") and page_rows[0][1:] == [
        "100.0%",
        "10.0",
        "10.0",
    ]
    data = client.get("/reports/utilisation.csv?from=2025-01-01&to=2025-01-10")
    assert data.mimetype == "text/csv"
    assert "utilisation-assets-2025-01-01-to-2025-01-10.csv" in data.headers["Content-Disposition"]
    header, *rows = csv.reader(io.StringIO(data.get_data(as_text=True).lstrip("\ufeff")))
    assert header == ["Code", "Name", "Category", "Days owned", "Days checked out", "Utilisation %"]
    assert [[r[1], r[5] + "%", r[4], r[3]] for r in rows] == [
        [p[0].rsplit(" ", 1)[0], *p[1:]] for p in page_rows
    ]
    cats = client.get(
        "/reports/utilisation.csv?table=categories&from=2025-01-01&to=2025-01-10"
    ).get_data(as_text=True)
    header, *rows = csv.reader(io.StringIO(cats.lstrip("\ufeff")))
    page_cats = [
        [cell.get_text(" ", strip=True) for cell in tr.find_all(["td", "th"])]
        for tr in soup.select("#usage-categories tbody tr, #usage-categories tfoot tr")
    ]
    plural = {"1": "asset"}
    assert [
        [f"{r[0]} {r[1]} {plural.get(r[1], 'assets')}", r[4] + "%", r[3], r[2]] for r in rows
    ] == page_cats
    assert rows[-1] == ["All assets", "7", "57.3", "17.5", "30.6"]


def test_the_csv_lists_what_the_page_lists(client, auth, january):
    """The CSV reads the unused owned all period from the name index alone and
    merges in the few owned for part of it: the same rows, in the same order,
    as the list the pages are cut from; names alike sort as added."""
    tools = factories.make_category('=Tools, "misc"')
    asset("Imported", category=tools)  # the same name as one owned all period
    asset("Imported", bought="2025-01-04", created="2025-01-04 09:00")  # part of it
    asset("Aardvark", bought="2025-01-08", created="2025-01-08 09:00")  # part, first
    asset("Zebra", bought="2025-01-03", created="2025-01-03 09:00")  # part, last
    asset('=Sum, "x"', category=tools)
    asset("Imported")
    report = reports_usage.utilisation(JANUARY, UTC, NOW)
    listed = [u.row for u in report.assets]
    unused = [
        (name, category, owned) for _code, name, category, owned, out, _ in listed if out == "0.0"
    ]
    assert unused == [
        ('=Sum, "x"', '=Tools, "misc"', "10.0"),
        ("Aardvark", "", "3.0"),  # owned from the 8th
        ("Back before", "", "10.0"),
        ("Imported", "", "10.0"),  # the first added (bought long before)
        ("Imported", '=Tools, "misc"', "10.0"),
        ("Imported", "", "7.0"),  # owned from the 4th
        ("Imported", "", "10.0"),
        ("Zebra", "", "8.0"),  # owned from the 3rd
    ]
    auth.login("lead")
    data = client.get("/reports/utilisation.csv?from=2025-01-01&to=2025-01-10").get_data()
    assert data == to_csv(
        ["Code", "Name", "Category", "Days owned", "Days checked out", "Utilisation %"], listed
    )
    assert list(reports_usage.asset_rows(JANUARY, UTC, NOW)) == listed


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Drill", "drill", "Saw", "saw ", "Ladder"]),
            st.sampled_from([None, "2025-01-04"]),  # owned all period, or from the 4th
            st.sampled_from([0, 6, 12, 24]),  # hours out on the 5th
        ),
        max_size=12,
    )
)
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_csvs_rows_are_the_lists_whatever_the_ties(app, names):
    """Shares out alike are ordered by name, then code, in the CSV as in the list,
    whether the asset is owned all period or part of it; the unused follow by name."""
    # The examples share one database: the rows of all of them are compared.
    for name, bought, hours in names:
        created = f"{bought} 09:00" if bought else "2024-12-01 09:00"
        row = asset(name, bought=bought, created=created)
        if hours:
            custody(row, ("checked_out", "2025-01-05 00:00"),
                    ("checked_in", f"2025-01-05 {hours - 1:02d}:59"))  # fmt: skip
    report = reports_usage.utilisation(JANUARY, UTC, NOW)
    assert list(reports_usage.asset_rows(JANUARY, UTC, NOW)) == [u.row for u in report.assets]


def test_default_period_is_the_last_90_days(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/reports/utilisation")
    start = date.fromisoformat(soup.select_one("#from")["value"])
    end = date.fromisoformat(soup.select_one("#to")["value"])
    assert (end - start).days == 89
    # Today is not over: the headline says the period is counted up to now.
    assert ", counted up to now:" in soup.select_one("#report-utilisation p").get_text()
    soup, _ = client.soup(f"/reports/utilisation?from={start}&to={end - timedelta(days=1)}")
    assert "counted up to now" not in soup.select_one("#report-utilisation p").get_text()


def test_time_out_is_exact_to_the_microsecond(app):
    """Spells are summed in SQL: fractions of a second near the next whole second
    (which SQLite's own date functions round to the millisecond) still count exactly."""
    custody(
        asset("Fractions"),
        ("checked_out", "2025-01-02 06:00:00.999600"),
        ("checked_in", "2025-01-02 07:00:00.000001"),
        ("checked_out", "2025-01-03 06:00:00.000400"),
        ("checked_in", "2025-01-03 06:00:59.999999"),
    )
    report = reports_usage.utilisation(JANUARY, UTC, NOW)
    (row,) = [u for u in report.assets if u.name == "Fractions"]
    assert row.out_us == (3_600_000_000 - 999_599) + (59_999_599)


@given(
    part=st.integers(-(10**15), 10**15),
    whole=st.integers(1, 10**15),
)
def test_days_and_percentages_round_as_decimals_do(part, whole):
    """The figures are worked out in whole numbers (every row of a 100,000-row CSV
    has three); they equal the decimal rule: to one decimal, halves away from zero."""

    def decimal_rule(value: Decimal) -> str:
        return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    assert common.days_text(part) == decimal_rule(Decimal(part) / 86_400_000_000)
    assert common.percent_text(part, whole) == decimal_rule(Decimal(part) * 100 / whole)
    assert common.tenths_text(part, whole) == decimal_rule(Decimal(part) / whole)
    assert common.percent_text(part, 0) == ""
    assert common.days_text(43_200_000_000) == "0.5" and common.days_text(4_320_000_000) == "0.1"


def test_an_item_owned_less_than_a_day_has_no_figure_and_is_not_ranked(app):
    """Added at 11:00 and checked out at once: 55 minutes out of an hour owned is
    no reason to head the list. It shows no percentage and comes after the ranked
    ones; a category of such items has none either."""
    brand_new = factories.make_category("Brand new")
    old = asset("Old drill", created="2024-12-01 00:00")
    custody(old, ("checked_out", "2025-05-20 12:00"), ("checked_in", "2025-05-21 12:00"))
    new = asset("A new laptop", category=brand_new, created="2025-06-01 11:00")
    custody(new, ("checked_out", "2025-06-01 11:05"))
    idle = asset("Idle ladder", created="2024-12-01 00:00")
    period = common.Period(date(2025, 5, 1), date(2025, 6, 1))
    report = reports_usage.utilisation(period, UTC, NOW)
    assert [u.name for u in report.assets] == ["Old drill", "A new laptop", "Idle ladder"]
    shown = by_name(report)
    assert shown["A new laptop"] == ("0.0", "0.0", "")
    assert shown["Old drill"][2] != "" and shown["Idle ladder"][2] == "0.0"
    [group] = [c for c in report.categories if c.name == "Brand new"]
    assert group.percent == "" and report.total.percent != ""
    assert len(report.assets) == 3 == len(list(report.assets)) and idle.name == "Idle ladder"
    # A day later it has a figure, and ranks by it: out all of its day and more.
    later = reports_usage.utilisation(
        common.Period(date(2025, 5, 1), date(2025, 6, 2)), UTC, at("2025-06-02 12:00")
    )
    assert [u.name for u in later.assets][0] == "A new laptop"
    assert by_name(later)["A new laptop"][2] == "99.7"


def test_a_period_shorter_than_a_day_still_has_figures(app):
    """Today, asked at 06:00: everything owned all of it has a figure."""
    row = asset("Early", created="2024-12-01 00:00")
    custody(row, ("checked_out", "2025-01-01 03:00"))
    today = common.Period(date(2025, 1, 1), date(2025, 1, 1))
    report = reports_usage.utilisation(today, UTC, at("2025-01-01 06:00"))
    assert by_name(report)["Early"][2] == "50.0"


def test_a_period_reaching_back_before_the_records_says_when_they_begin(client, auth, clock):
    """Imported with purchase dates years back, the register's time before its
    first record counts as owned and never out: the page says so."""
    asset("Old drill", bought="2020-01-01")
    Event.update(at=at("2025-06-01 09:00")).execute()  # added then, with its history
    auth.login("lead")
    soup, _ = client.soup("/reports/utilisation?from=2025-01-01&to=2026-03-10")
    note = soup.select_one("#records-begin").get_text(" ", strip=True)
    assert note.startswith("Records begin on 01 Jun 2025: no check-out before then")
    soup, _ = client.soup("/reports/utilisation")  # the last 90 days: all recorded
    assert soup.select_one("#records-begin") is None
