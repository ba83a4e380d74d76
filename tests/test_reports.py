"""Reports: assets by location/category/holder, idle assets, maintenance costs, bad
parameters and who may see them."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from app.custody import custody, maintenance
from app.models import Asset, Event, utcnow
from app.ops import settings
from app.reports import breakdown, common
from app.reports import idle as reports_idle

from . import factories

REPORT_URLS = [
    "/reports",
    "/reports/assets",
    "/reports/assets.csv",
    "/reports/idle",
    "/reports/idle.csv",
    "/reports/utilisation",
    "/reports/utilisation.csv",
    "/reports/maintenance",
    "/reports/maintenance.csv",
    "/reports/value",
    "/reports/value.csv",
    "/reports/replacement",
    "/reports/replacement.csv",
    "/reports/replacement-forecast.csv",
]


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def cells(tr) -> list[str]:
    return [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]


# Who may see them --------------------------------------------------------------


def test_members_are_refused_every_report(client, auth):
    auth.login("member")
    for url in REPORT_URLS:
        assert client.get(url).status_code == 403, url


def test_leads_see_every_report_and_the_nav_links_to_them(client, auth):
    auth.login("lead")
    for url in REPORT_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith(".csv"):
            assert response.mimetype == "text/csv"
    soup, _ = client.soup("/menu")
    assert soup.select_one("nav.menu a[href='/reports'] .row-main").get_text() == "Reports"
    soup, _ = client.soup("/reports")
    assert len(soup.select("#report-list a")) == 8


def test_members_get_no_reports_link(client, auth):
    auth.login("member")
    soup, _ = client.soup("/menu")
    assert soup.select_one("nav.menu a[href='/assets']")  # the menu is there, without Reports
    assert soup.select_one("nav a[href='/reports']") is None


# Assets by location, category and holder ----------------------------------------------


@pytest.fixture
def register(app):
    lead = factories.make_user("lead")
    site = factories.make_location("Site")
    room_a = factories.make_location("Room A", parent=site)
    room_b = factories.make_location("Room B", parent=site)
    drills = factories.make_category("Drills")
    sam = factories.make_user("member", name="Sam")

    def add(name, where, cost, cat=None):
        values = {"name": name, "location": where.id, "cost_cents": cost}
        if cat:
            values["category"] = cat.id
        return factories.make_asset(actor=lead, **values)

    add("Drill 1", room_a, 10_000, drills)
    held = add("Drill 2", room_a, 15_050, drills)
    add("Ladder", room_b, None)
    add("Trolley", site, 2_000)
    gone = add("Old drill", room_b, 9_999, drills)
    custody.check_out(held.code, actor=lead, today=date.today(), holder_id=sam.id)
    custody.retire(gone.code, actor=lead, reason="scrapped")
    return {"site": site, "room_a": room_a, "room_b": room_b, "drills": drills, "sam": sam}


def test_locations_count_what_is_below_them(register):
    result = breakdown.breakdown("location")
    rows = {
        g.name: (g.depth, g.in_service, g.retired, g.cost_cents, g.no_cost) for g in result.groups
    }
    assert rows == {
        "Site": (0, 4, 1, 27_050, 1),
        "Room A": (1, 2, 0, 25_050, 0),
        "Room B": (1, 1, 1, 0, 1),
    }
    assert [g.path for g in result.groups] == ["Site", "Site › Room A", "Site › Room B"]
    t = result.total
    assert (t.in_service, t.retired, t.cost_cents, t.no_cost) == (4, 1, 27_050, 1)


def test_categories_and_holders(register):
    by_category = {
        g.name: (g.in_service, g.retired, g.cost_cents)
        for g in breakdown.breakdown("category").groups
    }
    assert by_category == {"Drills": (2, 1, 25_050), "No category": (2, 0, 2_000)}
    by_holder = {g.name: (g.in_service, g.cost_cents) for g in breakdown.breakdown("holder").groups}
    assert by_holder == {"Sam": (1, 15_050), "Not held by anyone": (3, 12_000)}


def test_drill_down_links_open_the_same_assets_in_the_register(client, auth, register):
    """Each group's link filters the register, which then lists in-service plus retired."""
    auth.login("lead")
    for by in ("location", "category", "holder"):
        soup, response = client.soup(f"/reports/assets?by={by}")
        assert response.status_code == 200
        for tr in soup.select("#report-assets tbody tr"):
            link = tr.select_one("th a")
            if link is None:
                continue
            in_service, retired = int(cells(tr)[1]), int(cells(tr)[3])
            query = parse_qs(urlsplit(link["href"]).query)
            assert list(query) == [by]
            listing, _ = client.soup(link["href"])
            shown = listing.select_one("#asset-results p.muted").get_text()
            assert shown.startswith(f"{in_service + retired} asset"), (by, link["href"], shown)


def test_breakdown_csv_matches_the_page(client, auth, register):
    auth.login("lead")
    soup, _ = client.soup("/reports/assets?by=location")
    page = [cells(tr) for tr in soup.select("#report-assets tbody tr, #report-assets tfoot tr")]
    header, *rows = rows_of(client.get("/reports/assets.csv?by=location"))
    assert header == ["Location", "In service", "Cost", "Without cost", "Retired"]
    assert rows == [
        ["Site", "4", "270.50", "1", "1"],
        ["Site › Room A", "2", "250.50", "0", "0"],
        ["Site › Room B", "1", "0.00", "1", "1"],
        ["All assets", "4", "270.50", "1", "1"],
    ]
    assert [p[1] for p in page] == [r[1] for r in rows]
    assert [p[2].split()[0].replace(",", "") for p in page] == [r[2] for r in rows]


# Idle assets -----------------------------------------------------------------------


@pytest.fixture
def idle_world(app):
    lead = factories.make_user("lead")
    now = utcnow()

    def add(name, days_since_added, *uses):
        row = factories.make_asset(actor=lead, name=name)
        Asset.update(created_at=now - timedelta(days=days_since_added)).where(
            Asset.id == row.id
        ).execute()
        for kind, days_ago in uses:
            Event.create(asset=row, kind=kind, at=now - timedelta(days=days_ago))
        return row

    add("Never used", 200)
    add("New", 5)
    add("Moved lately", 300, ("checked_out", 250), ("checked_in", 240), ("moved", 10))
    add("Returned lately", 300, ("checked_out", 200), ("checked_in", 20))
    add("Long idle", 400, ("checked_out", 380), ("checked_in", 370), ("audited", 5))
    held = add("Out now", 300)
    custody.check_out(held.code, actor=lead, today=date.today())
    Event.update(at=now - timedelta(days=100)).where(Event.asset == held).execute()
    gone = add("Retired", 300)
    custody.retire(gone.code, actor=lead, reason="sold")
    return now


def test_idle_counts_from_the_last_use_or_from_when_it_was_added(idle_world):
    page = reports_idle.idle(30, idle_world, 1, 50)
    # An audit tick is not use; a return is. Held and retired items are not idle.
    assert [(r.name, r.idle_days, r.last_used is None) for r in page.rows] == [
        ("Long idle", 370, False),
        ("Never used", 200, True),
    ]
    assert page.total == 2
    names = [r.name for r in reports_idle.idle(15, idle_world, 1, 50).rows]
    assert names == ["Long idle", "Never used", "Returned lately"]


def test_idle_pages_and_csv(client, auth, idle_world, app):
    auth.login("lead")
    app.config["PAGE_SIZE"] = 1
    soup, response = client.soup("/reports/idle?days=15&page=2")
    assert response.status_code == 200
    assert [cells(tr)[0].rsplit(" ", 1)[0] for tr in soup.select("#report-idle tbody tr")] == [
        "Never used"
    ]
    assert soup.select_one(".pager").get_text(" ", strip=True) == "Previous Page 2 of 3 Next"
    header, *rows = rows_of(client.get("/reports/idle.csv?days=15"))
    assert header == ["Code", "Name", "Status", "Category", "Location", "Last used", "Idle days"]
    assert [(r[1], r[5] == "never", r[6]) for r in rows] == [
        ("Long idle", False, "370"),
        ("Never used", True, "200"),
        ("Returned lately", False, "20"),
    ]


def test_idle_csv_writes_names_safely_and_each_day_in_the_local_zone(client, auth, app):
    """The CSV's rows come from the idle index with the names looked up apart:
    text that could start a formula is defused, commas and quotes are quoted,
    the place is its whole path, and the day it was last used is the
    organisation's day, not UTC's. The page names the place as the register
    does: as much of its path as tells it from another of that name."""
    settings.change({"timezone": "Pacific/Auckland"})  # UTC+12 in June
    lead = factories.make_user("lead")
    tools = factories.make_category('=HYPERLINK("x")')
    yard = factories.make_location("Yard")
    shed = factories.make_location('Shed, "back"', parent=yard)
    factories.make_location('Shed, "back"', parent=factories.make_location("Depot"))
    drill = factories.make_asset(actor=lead, name="@Drill", category=tools, location=shed)
    Asset.update(last_used_at=datetime(2026, 6, 1, 20, 0)).where(Asset.id == drill.id).execute()
    auth.login("lead")
    data = client.get("/reports/idle.csv?days=15").get_data()
    idle_days = (utcnow() - datetime(2026, 6, 1, 20, 0)).days
    assert data.decode("utf-8-sig").split("\r\n")[1] == (
        f'{drill.code},\'@Drill,Available,"\'=HYPERLINK(""x"")","Yard › Shed, ""back""",'
        f"2026-06-02,{idle_days}"
    )
    soup, _ = client.soup("/reports/idle?days=15")
    [row] = soup.select("#report-idle tbody tr")
    assert 'Yard › Shed, "back"' in row.get_text(" ", strip=True)


# Maintenance -------------------------------------------------------------------------


@pytest.fixture
def repairs(app):
    lead = factories.make_user("lead")
    pump = factories.make_asset(actor=lead, name="Pump")
    saw = factories.make_asset(actor=lead, name="Saw")
    maintenance.start_repair(pump.code, actor=lead, cost_cents=5_000, note="Seal")
    maintenance.mark_fixed(pump.code, actor=lead, cost_cents=12_550)
    maintenance.start_repair(saw.code, actor=lead)  # no cost recorded
    Event.create(asset=saw, kind="serviced", actor=lead, note="Blade", data={"cost_cents": 3_000})
    Event.create(asset=saw, kind="serviced", actor=lead, data={"cost_cents": "lots"})
    old = utcnow() - timedelta(days=400)
    Event.create(asset=saw, kind="serviced", at=old, data={"cost_cents": 99_999})
    return {"pump": pump, "saw": saw, "old": old}


def test_maintenance_costs_per_asset_and_in_total(repairs):
    from zoneinfo import ZoneInfo

    from app.reports import maintenance_costs

    today = date.today()
    period = common.Period(today - timedelta(days=30), today + timedelta(days=1))
    report = maintenance_costs.maintenance(period, ZoneInfo("UTC"))
    assert [(a.name, a.jobs, a.cost_cents) for a in report.assets] == [
        ("Pump", 2, 17_550),
        ("Saw", 3, 3_000),
    ]
    assert (len(report.jobs), report.cost_cents, report.costed) == (5, 20_550, 3)
    assert {j.kind_label for j in report.jobs} == {"Repair started", "Fixed", "Serviced"}
    # The service 400 days ago only shows in a period that reaches back to it.
    day = repairs["old"].date()
    old = maintenance_costs.maintenance(common.Period(day, day), ZoneInfo("UTC"))
    assert (old.cost_cents, [a.name for a in old.assets]) == (99_999, ["Saw"])


def test_maintenance_page_and_csv_agree(client, auth, repairs):
    auth.login("lead")
    soup, _ = client.soup("/reports/maintenance")
    assert cells(soup.select_one("#maintenance-assets tfoot tr")) == ["Total", "5", "205.50"]
    page = [cells(tr) for tr in soup.select("#maintenance-assets tbody tr")]
    header, *rows = rows_of(client.get("/reports/maintenance.csv?view=assets"))
    assert header == ["Code", "Name", "Category", "Jobs", "Cost", "Last job"]
    assert [[r[1], r[3], r[4]] for r in rows] == [
        ["Pump", "2", "175.50"],
        ["Saw", "3", "30.00"],
        ["Total", "5", "205.50"],
    ]
    assert [[p[0].rsplit(" ", 1)[0], p[1], p[2]] for p in page] == [
        ["Pump", "2", "175.50"],
        ["Saw", "3", "30.00"],
    ]
    jobs, _ = client.soup("/reports/maintenance?view=jobs")
    assert len(jobs.select("#maintenance-jobs tbody tr")) == 5
    header, *rows = rows_of(client.get("/reports/maintenance.csv?view=jobs"))
    assert header == ["Date", "Code", "Name", "What", "Note", "By", "Cost"]
    assert sorted(r[6] for r in rows) == ["", "", "125.50", "30.00", "50.00"]


# Bad parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        ("/reports/idle?days=-1", "days", "from 1 to 3650"),
        ("/reports/idle?days=0", "days", "from 1 to 3650"),
        ("/reports/idle?days=abc", "days", "from 1 to 3650"),
        ("/reports/idle?days=99999", "days", "from 1 to 3650"),
        ("/reports/utilisation?from=2025-03-01&to=2025-02-01", "to", "before the start"),
        ("/reports/utilisation?from=yesterday", "from", "is not a date"),
        ("/reports/utilisation?to=2025-02-30", "to", "is not a date"),
        ("/reports/maintenance?from=0001-01-01", "from", "between 1900 and 2100"),
        ("/reports/maintenance?from=2025-01-01&to=2024-01-01&view=jobs", "to", "before"),
        ("/reports/value?as_of=31/12/2024", "as_of", "is not a date"),
        ("/reports/value?as_of=99999-01-01", "as_of", "is not a date"),
    ],
)
def test_bad_parameters_re_render_the_form_with_a_message(client, auth, url, field, message):
    auth.login("lead")
    soup, response = client.soup(url)
    assert response.status_code == 422
    error = soup.select_one(f"#{field}-error")
    assert error is not None and message in error.get_text()
    assert soup.select_one(f"#{field}")["aria-invalid"] == "true"
    assert soup.select_one("section.report") is None  # no figures from bad input
    # and a word at the top of the page to say why there are none
    assert "to see the report" in soup.select_one("p.flash-error").get_text()


@pytest.mark.parametrize(
    "url",
    [
        "/reports/idle.csv?days=-1",
        "/reports/utilisation.csv?from=2025-03-01&to=2025-02-01",
        "/reports/maintenance.csv?to=nonsense",
        "/reports/value.csv?as_of=2025-13-01",
        "/reports/assets?by=colour",
        "/reports/assets.csv?by=colour",
        "/reports/maintenance?view=everything",
        "/reports/utilisation.csv?table=people",
        "/reports/idle?page=abc",
    ],
)
def test_bad_parameters_elsewhere_are_a_400_with_the_reason(client, auth, url):
    auth.login("lead")
    soup, response = client.soup(url)
    assert response.status_code == 400
    assert soup.select_one("main").get_text(" ", strip=True)  # a page that says why
    assert "went wrong" not in soup.get_text()


def test_a_page_past_the_end_shows_the_last_page(client, auth, idle_world):
    auth.login("lead")
    soup, response = client.soup("/reports/idle?days=15&page=99")
    assert response.status_code == 200
    assert len(soup.select("#report-idle tbody tr")) == 3


def test_idle_says_one_day_in_the_singular(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/reports/idle?days=1")
    text = soup.select_one("section.report p").get_text(" ", strip=True)
    assert text.endswith("in the last 1 day."), text
