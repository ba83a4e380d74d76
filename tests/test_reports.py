"""Reports: assets by location/category/holder, idle assets, maintenance costs, bad
parameters and who may see them."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from functools import partial
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from app.custody import custody, maintenance
from app.models import Asset, Event, utcnow
from app.ops import settings
from app.reports import breakdown, common, maintenance_costs
from app.reports import idle as reports_idle
from app.spreadsheets.csvfiles import money, to_csv

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
            in_service, retired = int(cells(tr)[1].split()[0]), int(cells(tr)[3])
            query = parse_qs(urlsplit(link["href"]).query)
            assert list(query) == [by]
            listing, _ = client.soup(link["href"])
            shown = listing.select_one("#asset-results p.muted").get_text()
            assert shown.startswith(f"{in_service + retired} asset"), (by, link["href"], shown)


def test_missing_items_are_in_service_and_counted_as_missing(client, auth, register):
    """A missing item stays in service until someone retires it; the table says
    how many of those in service are missing, on the page and in the file."""
    Asset.update(status="missing").where(Asset.name == "Ladder").execute()
    auth.login("lead")
    soup, _ = client.soup("/reports/assets?by=location")
    rows = [cells(tr)[:2] for tr in soup.select("#report-assets tbody tr, #report-assets tfoot tr")]
    assert rows == [["Site", "4 1 missing"], ["Room A", "2"], ["Room B", "1 1 missing"],
                    ["All assets", "4 1 missing"]]  # fmt: skip
    _header, *lines = rows_of(client.get("/reports/assets.csv?by=location"))
    assert [(line[0], line[1], line[-1]) for line in lines] == [
        ("Site", "4", "1"), ("Site › Room A", "2", "0"), ("Site › Room B", "1", "1"),
        ("All assets", "4", "1"),
    ]  # fmt: skip


def test_breakdown_csv_matches_the_page(client, auth, register):
    auth.login("lead")
    soup, _ = client.soup("/reports/assets?by=location")
    page = [cells(tr) for tr in soup.select("#report-assets tbody tr, #report-assets tfoot tr")]
    header, *rows = rows_of(client.get("/reports/assets.csv?by=location"))
    assert header == [
        "Location", "In service", "Cost", "Without cost", "Retired", "Missing (of those in service)"
    ]  # fmt: skip
    assert rows == [
        ["Site", "4", "270.50", "1", "1", "0"],
        ["Site › Room A", "2", "250.50", "0", "0", "0"],
        ["Site › Room B", "1", "0.00", "1", "1", "0"],
        ["All assets", "4", "270.50", "1", "1", "0"],
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
    page = reports_idle.idle(30, idle_world.date(), ZoneInfo("UTC"), 1, 50)
    # An audit tick is not use; a return is. Held and retired items are not idle.
    assert [(r.name, r.idle_days, r.last_used is None) for r in page.rows] == [
        ("Long idle", 370, False),
        ("Never used", 200, True),
    ]
    assert page.total == 2
    names = [r.name for r in reports_idle.idle(15, idle_world.date(), ZoneInfo("UTC"), 1, 50).rows]
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


def test_idle_csv_writes_names_safely_and_each_day_in_the_local_zone(client, auth, app, clock):
    """The CSV's rows come from the idle index with the names looked up apart:
    text that could start a formula is defused, commas and quotes are quoted,
    the place is its whole path, and the day it was last used is the
    organisation's day, not UTC's. The page names the place as the register
    does: as much of its path as tells it from another of that name.

    Now is 01:00 on 12 March in Auckland (noon on the 11th in UTC), so the
    idle days are calendar days there: 283 from 2 June, where whole 24-hour
    spans from the moment would say 282."""
    settings.change({"timezone": "Pacific/Auckland"})  # UTC+12 in June, +13 in March
    lead = factories.make_user("lead")
    tools = factories.make_category('=HYPERLINK("x")')
    yard = factories.make_location("Yard")
    shed = factories.make_location('Shed, "back"', parent=yard)
    factories.make_location('Shed, "back"', parent=factories.make_location("Depot"))
    drill = factories.make_asset(actor=lead, name="@Drill", category=tools, location=shed)
    Asset.update(last_used_at=datetime(2025, 6, 1, 20, 0)).where(Asset.id == drill.id).execute()
    auth.login("lead")
    data = client.get("/reports/idle.csv?days=15").get_data()
    assert data.decode("utf-8-sig").split("\r\n")[1] == (
        f'{drill.code},\'@Drill,Available,"\'=HYPERLINK(""x"")","Yard › Shed, ""back""",'
        "2025-06-02,283"
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
    today = date.today()
    period = common.Period(today - timedelta(days=30), today + timedelta(days=1))
    report = maintenance_costs.maintenance(period, ZoneInfo("UTC"))
    assert [(a.name, a.jobs, a.cost_cents) for a in report.per_asset] == [
        ("Pump", 2, 17_550),
        ("Saw", 3, 3_000),
    ]
    assert (report.jobs, report.assets, report.cost_cents, report.costed) == (5, 2, 20_550, 3)
    assert {j.kind_label for j in report.every_job} == {"Repair started", "Fixed", "Serviced"}
    # The service 400 days ago only shows in a period that reaches back to it.
    day = repairs["old"].date()
    old = maintenance_costs.maintenance(common.Period(day, day), ZoneInfo("UTC"))
    assert (old.cost_cents, [a.name for a in old.per_asset]) == (99_999, ["Saw"])


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


@pytest.fixture
def workshop(app):
    """Work on six assets in January 2025 (UTC), worked out by hand: ties in
    cost, costs the rule refuses, work just either side of the month and an
    event that is not work. Assets are added in this order (so by id)."""
    lead = factories.make_user("lead", name="Lee")
    tools = factories.make_category("Tools")

    def add(name, *jobs, category=None):
        values = {"category": category.id} if category else {}
        asset = factories.make_asset(actor=lead, name=name, **values)
        for kind, at, data in jobs:
            Event.create(asset=asset, kind=kind, actor=lead, at=at, data=data, note=f"{name} job")
        return asset

    def cost(cents):
        return {"cost_cents": cents}

    jan = partial(datetime, 2025, 1)
    assets = {
        "Zed": add(
            "Zed",
            ("serviced", jan(3, 9), cost(3_000)),
            ("serviced", datetime(2024, 12, 31, 23, 59, 59), cost(99_999)),  # before the month
            ("serviced", datetime(2025, 2, 1), cost(99_999)),  # after it
            category=tools,
        ),
        "b drill": add(
            "b drill",
            ("serviced", jan(5, 9), cost(1_000)),
            ("repair_started", jan(12, 9), cost(0)),  # a cost of nothing is a cost
            ("repaired", jan(20, 9), cost(500)),
            ("audited", jan(15, 9), cost(7_777)),  # not work
        ),
        "axe": add("axe", ("serviced", jan(31, 23, 59, 59), cost(1_500))),
        "Axe": add("Axe", ("repair_started", jan(10, 9), cost(1_500)), category=tools),
        "Crane": add(
            "Crane", ("serviced", jan(1, 0, 0, 0), None), ("repaired", jan(4, 9), cost(True))
        ),
        "dolly": add(
            "dolly",
            ("serviced", jan(4, 9), cost(-5)),  # the same moment as Crane's, written later
            ("repair_started", jan(7, 9), cost(1.5)),
        ),
    }
    add("Old", ("serviced", datetime(2024, 12, 15), cost(400)))  # no work in January
    return assets


JANUARY_2025 = common.Period(date(2025, 1, 1), date(2025, 1, 31))
# Costliest first (none of its jobs with a cost: no cost, as nothing), then by
# name lowered, then as added.
WORKSHOP_ASSETS = [
    ("Zed", "Tools", 1, 3_000, datetime(2025, 1, 3, 9)),
    ("axe", "", 1, 1_500, datetime(2025, 1, 31, 23, 59, 59)),
    ("Axe", "Tools", 1, 1_500, datetime(2025, 1, 10, 9)),
    ("b drill", "", 3, 1_500, datetime(2025, 1, 20, 9)),
    ("Crane", "", 2, None, datetime(2025, 1, 4, 9)),
    ("dolly", "", 2, None, datetime(2025, 1, 7, 9)),
]
# Newest first; of two at the same moment, the one written later first.
WORKSHOP_JOBS = [
    ("axe", datetime(2025, 1, 31, 23, 59, 59), "serviced", 1_500),
    ("b drill", datetime(2025, 1, 20, 9), "repaired", 500),
    ("b drill", datetime(2025, 1, 12, 9), "repair_started", 0),
    ("Axe", datetime(2025, 1, 10, 9), "repair_started", 1_500),
    ("dolly", datetime(2025, 1, 7, 9), "repair_started", None),
    ("b drill", datetime(2025, 1, 5, 9), "serviced", 1_000),
    ("dolly", datetime(2025, 1, 4, 9), "serviced", None),
    ("Crane", datetime(2025, 1, 4, 9), "repaired", None),
    ("Zed", datetime(2025, 1, 3, 9), "serviced", 3_000),
    ("Crane", datetime(2025, 1, 1), "serviced", None),
]


def test_maintenance_totals_and_rows_are_worked_out_in_sql(workshop):
    """Ten jobs on six assets, 75.00 in all, four of them (true, -5, 1.5 and no
    data) with no cost; equal costs in name order (lowered), equal names as added."""
    report = maintenance_costs.maintenance(JANUARY_2025, ZoneInfo("UTC"))
    assert (report.jobs, report.assets, report.cost_cents, report.costed) == (10, 6, 7_500, 6)
    assert [
        (a.code, a.name, a.category, a.jobs, a.cost_cents, a.last) for a in report.per_asset
    ] == [(workshop[name].code, name, *rest) for name, *rest in WORKSHOP_ASSETS]
    jobs = [(j.name, j.at, j.kind, j.cost_cents) for j in report.every_job]
    assert jobs == WORKSHOP_JOBS
    first = report.every_job[0]
    assert (first.code, first.note, first.by, first.kind_label) == (
        workshop["axe"].code,
        "axe job",
        "Lee",
        "Serviced",
    )
    # Every page of either list, read on its own, is the list's slice.
    for per_page in (1, 3, 4, 7):
        for rows, every in ((report.per_asset, WORKSHOP_ASSETS), (report.every_job, jobs)):
            count = common.page_of(rows, 1, per_page).pages
            pages = [common.page_of(rows, n, per_page) for n in range(1, count + 1)]
            assert [r.name for p in pages for r in p.rows] == [e[0] for e in every], per_page
    period = common.Period(date(2020, 1, 1), date(2020, 1, 2))
    nothing = maintenance_costs.maintenance(period, ZoneInfo("UTC"))
    assert (nothing.jobs, nothing.assets, nothing.cost_cents, nothing.costed) == (0, 0, 0, 0)
    assert (list(nothing.per_asset), list(nothing.every_job)) == ([], [])


def test_maintenance_pages_read_the_right_rows(client, auth, app, workshop):
    auth.login("lead")
    app.config["PAGE_SIZE"] = 3
    dates = "from=2025-01-01&to=2025-01-31"
    soup, _ = client.soup(f"/reports/maintenance?{dates}")
    total = soup.select_one("#report-maintenance .report-total").get_text(" ", strip=True)
    assert "10 jobs on 6 assets, costing 75.00 in all (4 with no cost recorded)." in total
    # The three assets at 15.00 run across the end of page 1.
    soup, _ = client.soup(f"/reports/maintenance?{dates}&page=2")
    page = [cells(tr) for tr in soup.select("#maintenance-assets tbody tr")]
    assert [[p[0].rsplit(" ", 1)[0], p[1], p[2]] for p in page] == [
        ["b drill", "3", "15.00"],
        ["Crane", "2", "—"],
        ["dolly", "2", "—"],
    ]
    total = ["Total, all pages", "10", "75.00"]
    assert cells(soup.select_one("#maintenance-assets tfoot tr")) == total
    assert soup.select_one(".pager").get_text(" ", strip=True) == "Previous Page 2 of 2"
    soup, _ = client.soup(f"/reports/maintenance?view=jobs&{dates}&page=3")
    jobs = [tr.get_text(" ", strip=True) for tr in soup.select("#maintenance-jobs tbody tr")]
    assert [j.split(" ")[3] for j in jobs] == ["dolly", "Crane", "Zed"]
    assert jobs[0].startswith("04 Jan 2025 dolly") and jobs[0].endswith("dolly job —")
    assert soup.select_one(".pager").get_text(" ", strip=True) == "Previous Page 3 of 4 Next"
    soup, _ = client.soup(f"/reports/maintenance?view=jobs&{dates}&page=99")  # the last
    [last] = soup.select("#maintenance-jobs tbody tr")
    assert "Crane" in last.get_text() and "01 Jan 2025" in last.get_text()


def test_maintenance_csvs_are_the_bytes_to_csv_makes(client, auth, workshop):
    """Written as lines, each file is what `to_csv` makes of the rows as the
    report has always listed them, with the total row under the assets."""
    auth.login("lead")
    dates = "from=2025-01-01&to=2025-01-31"
    response = client.get(f"/reports/maintenance.csv?view=assets&{dates}")
    name = 'attachment; filename="maintenance-assets-2025-01-01-to-2025-01-31.csv"'
    assert response.headers["Content-Disposition"] == name
    header = ["Code", "Name", "Category", "Jobs", "Cost", "Last job"]
    rows = [
        (workshop[n].code, n, category, jobs, money(cost), last.date().isoformat())
        for n, category, jobs, cost, last in WORKSHOP_ASSETS
    ]
    assert response.data == to_csv(header, [*rows, ("", "Total", "", 10, "75.00", "")])
    assert rows_of(response)[-1] == ["", "Total", "", "10", "75.00", ""]
    response = client.get(f"/reports/maintenance.csv?view=jobs&{dates}")
    assert response.headers["Content-Disposition"] == name.replace("assets", "jobs")
    labels = {"serviced": "Serviced", "repair_started": "Repair started", "repaired": "Fixed"}
    rows = [
        (at.date().isoformat(), workshop[n].code, n, labels[kind], f"{n} job", "Lee", money(cost))
        for n, at, kind, cost in WORKSHOP_JOBS
    ]
    assert response.data == to_csv(["Date", "Code", "Name", "What", "Note", "By", "Cost"], rows)


def test_maintenance_csvs_write_text_safely_and_days_in_the_local_zone(client, auth):
    """Names, notes and categories that could start a formula or hold commas,
    quotes and line breaks come out as `to_csv` writes them; the day is the
    organisation's day, on the day the clocks change too."""
    settings.change({"timezone": "Pacific/Auckland"})
    lead = factories.make_user("lead", name="@Lee, the lead")
    odd = factories.make_category('=HYPERLINK("x")')
    pump = factories.make_asset(actor=lead, name='-Pump, "big"', category=odd)

    def job(kind, at, actor=lead, note="", cost=None):
        data = None if cost is None else {"cost_cents": cost}
        Event.create(asset=pump, kind=kind, actor=actor, at=at, note=note, data=data)

    # 20:00 UTC on 10 January is the 11th there (UTC+13). The clocks went
    # forward at 14:00 UTC on 27 September, so 28 September ran from 12:00 UTC
    # on the 27th to 11:00 UTC on the 28th: 23 hours.
    job("serviced", datetime(2025, 1, 10, 20), note='Seal,\n"new"')
    job("repaired", datetime(2025, 9, 27, 11, 30), cost=12_345)
    job("repair_started", datetime(2025, 9, 28, 10, 30), actor=None, note="=1+1")
    job("serviced", datetime(2025, 9, 28, 11, 30), cost=5)
    auth.login("lead")
    dates = "from=2025-01-01&to=2025-09-30"
    jobs = client.get(f"/reports/maintenance.csv?view=jobs&{dates}").data
    assert jobs == to_csv(
        ["Date", "Code", "Name", "What", "Note", "By", "Cost"],
        [
            ("2025-09-29", pump.code, pump.name, "Serviced", "", lead.name, "0.05"),
            ("2025-09-28", pump.code, pump.name, "Repair started", "=1+1", "", ""),
            ("2025-09-27", pump.code, pump.name, "Fixed", "", lead.name, "123.45"),
            ("2025-01-11", pump.code, pump.name, "Serviced", 'Seal,\n"new"', lead.name, ""),
        ],
    )
    assert '"\'-Pump, ""big"""' in jobs.decode("utf-8")  # defused, then quoted
    assets = client.get(f"/reports/maintenance.csv?view=assets&{dates}").data
    assert assets == to_csv(
        ["Code", "Name", "Category", "Jobs", "Cost", "Last job"],
        [
            (pump.code, pump.name, odd.name, 4, "123.50", "2025-09-29"),
            ("", "Total", "", 4, "123.50", ""),
        ],
    )


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
        # No end date: it is today, so a start after it is the start's fault.
        ("/reports/maintenance?from=2100-01-01", "from", "after today: choose an end date"),
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


def test_pages_of_a_default_period_keep_its_dates(client, auth, app, clock):
    """A report opened without dates shows the default period; its Next and
    Previous name that period, so a page read after midnight is still the
    same list's, and the as-of day of the value report likewise."""
    lead = factories.make_user("lead")
    for n in range(3):
        pump = factories.make_asset(
            actor=lead, name=f"Pump {n}", cost_cents=10_000, purchase_date=date(2025, 1, 1)
        )
        maintenance.start_repair(pump.code, actor=lead, cost_cents=1_000)
    auth.login("lead")
    app.config["PAGE_SIZE"] = 1
    for address, pinned, heading in [
        ("/reports/utilisation", {"from": ["2025-12-12"], "to": ["2026-03-11"]}, "by-asset"),
        ("/reports/maintenance", {"from": ["2025-03-12"], "to": ["2026-03-11"]}, ""),
        ("/reports/value", {"as_of": ["2026-03-11"]}, "by-asset"),
    ]:
        soup, _ = client.soup(address)
        following = soup.select_one(".pager a")["href"]
        assert parse_qs(urlsplit(following).query) == {**pinned, "page": ["2"]}
        # A list below other tables: the next page opens at its heading.
        assert urlsplit(following).fragment == heading
        assert not heading or soup.select_one(f"h2#{heading}")
        clock.shift(timedelta(days=1))  # after midnight, page 2 is still that period's
        soup, _ = client.soup(following)
        assert soup.select_one(".pager").get_text(" ", strip=True).startswith("Previous Page 2")
        back = soup.select_one(".pager a")["href"]
        assert parse_qs(urlsplit(back).query) == {**pinned, "page": ["1"]}
        clock.shift(timedelta(days=-1))


def test_idle_days_are_calendar_days_in_the_organisations_zone(client, auth, app, clock):
    """Now is 23:00 on 11 March in Sydney. Two items last moved on 10 March there,
    at 00:30 and at 23:30, read the same: 29 days, beside the same date; the one
    moved at 23:30 on the 9th, 30. "Idle for 30 days" is the last one alone."""
    settings.save({"timezone": "Australia/Sydney"})
    lead = factories.make_user("lead")
    moved = {
        "Early": datetime(2026, 2, 9, 13, 30),  # 10 Feb, 00:30 in Sydney
        "Late": datetime(2026, 2, 10, 12, 30),  # 10 Feb, 23:30
        "Before": datetime(2026, 2, 9, 12, 30),  # 9 Feb, 23:30
    }
    for name, at in moved.items():
        asset = factories.make_asset(actor=lead, name=name)
        Asset.update(created_at=at - timedelta(days=100)).where(Asset.id == asset.id).execute()
        Event.create(asset=asset, kind="moved", at=at)
    auth.login("lead")
    for days, expected in [
        (29, [("Before", "30", "09 Feb 2026"), ("Early", "29", "10 Feb 2026"),
              ("Late", "29", "10 Feb 2026")]),
        (30, [("Before", "30", "09 Feb 2026")]),
    ]:  # fmt: skip
        soup, _ = client.soup(f"/reports/idle?days={days}")
        shown = [cells(tr) for tr in soup.select("#report-idle tbody tr")]
        assert [(c[0].rsplit(" ", 1)[0], *c[-1].split(" ", 1)) for c in shown] == expected
        _header, *rows = rows_of(client.get(f"/reports/idle.csv?days={days}"))
        assert [(r[1], r[6], r[5]) for r in rows] == [
            (name, idle, str(datetime.strptime(day, "%d %b %Y").date()))
            for name, idle, day in expected
        ]
