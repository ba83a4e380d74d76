"""Teams in the reports: assets by team and spend and book value by department,
with figures worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from app.custody import custody
from app.models import Asset, User
from app.register import places, teams
from app.reports import breakdown
from app.reports import value as reports_value

from . import factories

pytestmark = pytest.mark.usefixtures("app")


def build_departments() -> dict:
    """Studio keeps a printer; Pat (Site crew) holds a drill, and the crew keeps a
    van kit; a ladder and a retired lamp belong to no team.

    As of 2025-01-01:
    - Printer: 1,000.00 bought 2024-01-01, Laptops (36 months, 10 %): 366 days =
      12.0246 months, 900.00 × 12.0246 ÷ 36 = 300.62 lost, book 699.38.
    - Drill: 200.00 bought 2024-01-01, Tools (12 months, 0 %): 366 days is more
      than 12 months (365.25 days), so all is lost: book 0.00.
    - Van kit: 300.00 bought 2024-06-01, no category: not depreciated (spend only).
    - Ladder: 50.00 bought 2024-07-01, Tools: 184 days = 6.0452 months, 50.00 ×
      6.0452 ÷ 12 = 25.19 lost, book 24.81.
    - Lamp: retired, no cost: in the assets-by report only, as retired.
    """
    lead = factories.make_user("lead")
    laptops = places.save_category("Laptops", useful_life_months=36, salvage_percent=10)
    tools = places.save_category("Tools", useful_life_months=12, salvage_percent=0)
    studio, crew = teams.save_team("Studio"), teams.save_team("Site crew")
    pat = factories.make_holder("Pat")
    User.update(team=crew).where(User.id == pat.id).execute()

    def add(name, **values):
        return factories.make_asset(lead, name=name, **values)

    add(
        "Printer",
        team=studio.id,
        category=laptops.id,
        cost_cents=100_000,
        purchase_date=date(2024, 1, 1),
    )
    drill = add("Drill", category=tools.id, cost_cents=20_000, purchase_date=date(2024, 1, 1))
    custody.check_out(drill.code, actor=lead, holder_id=pat.id, today=date.today())
    add("Van kit", team=crew.id, cost_cents=30_000, purchase_date=date(2024, 6, 1))
    add("Ladder", category=tools.id, cost_cents=5_000, purchase_date=date(2024, 7, 1))
    lamp = add("Lamp")
    custody.retire(lamp.code, actor=lead, reason="scrapped")
    return {"studio": studio, "crew": crew}


def test_assets_by_team():
    made = build_departments()
    report = breakdown.breakdown("team")
    rows = [
        (g.key, g.name, g.in_service, g.cost_cents, g.no_cost, g.retired) for g in report.groups
    ]
    assert rows == [
        (made["crew"].id, "Site crew", 2, 50_000, 0, 0),
        (made["studio"].id, "Studio", 1, 100_000, 0, 0),
        (None, "No team", 1, 5_000, 0, 1),
    ]
    t = report.total
    assert (t.in_service, t.cost_cents, t.retired) == (4, 155_000, 1)


def test_spend_and_book_value_by_department():
    build_departments()
    report = reports_value.valuation(date(2025, 1, 1), UTC)
    rows = [
        (d.name, d.assets, d.not_depreciated, d.spend_cents, d.book_cents)
        for d in report.departments
    ]
    assert rows == [
        ("Site crew", 2, 1, 50_000, 0),
        ("Studio", 1, 0, 100_000, 69_938),
        ("No team", 1, 0, 5_000, 2_481),
    ]
    t = report.departments_total
    assert (t.assets, t.spend_cents, t.book_cents) == (4, 155_000, 72_419)
    assert {h.name: report.department_of(h) for h in report.holdings} == {
        "Printer": "Studio",
        "Drill": "Site crew",
        "Van kit": "Site crew",
        "Ladder": "",
    }


def test_report_pages_and_csvs_show_the_department_figures(client, auth):
    made = build_departments()
    auth.login("lead")
    soup, response = client.soup("/reports/assets?by=team")
    assert response.status_code == 200
    assert soup.select_one("nav.tabs a[aria-current=page]").get_text(strip=True) == "Team"
    links = {a.get_text(strip=True): a["href"] for a in soup.select("#report-assets tbody a")}
    assert links == {
        "Site crew": f"/assets?team={made['crew'].id}",
        "Studio": f"/assets?team={made['studio'].id}",
        "No team": "/assets?team=none",
    }
    body = client.get("/reports/assets.csv?by=team").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:5] == ["Team", "In service", "Cost", "Without cost", "Retired"]
    assert rows[1:] == [
        ["Site crew", "2", "500.00", "0", "0", "0"],
        ["Studio", "1", "1000.00", "0", "0", "0"],
        ["No team", "1", "50.00", "0", "1", "0"],
        ["All assets", "4", "1550.00", "0", "1", "0"],
    ]

    soup, response = client.soup("/reports/value?as_of=2025-01-01")
    table = soup.select_one("#value-departments")
    assert table.find_previous("h2").get_text(strip=True) == "Spend and book value by department"
    cells = [
        [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        for tr in table.select("tbody tr, tfoot tr")
    ]
    assert cells == [
        ["Site crew 2 assets, 1 not depreciated", "500.00", "0.00"],
        ["Studio 1 asset", "1,000.00", "699.38"],
        ["No team 1 asset", "50.00", "24.81"],
        ["All assets", "1,550.00", "724.19"],
    ]
    body = client.get("/reports/value.csv?table=departments&as_of=2025-01-01").get_data(
        as_text=True
    )
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows == [
        ["Department", "Assets", "Not depreciated", "Spend", "Book value"],
        ["Site crew", "2", "1", "500.00", "0.00"],
        ["Studio", "1", "0", "1000.00", "699.38"],
        ["No team", "1", "0", "50.00", "24.81"],
        ["All assets", "4", "1", "1550.00", "724.19"],
    ]


def test_every_value_table_totals_the_same_cost_with_an_undepreciated_team_asset(client, auth):
    """A shared printer kept by the Studio, 329.00, with no category and no
    purchase date (added 2024-01-01), is not depreciated but its cost counts in
    every table. As of 2025-01-01, with the assets of build_departments:

    - by category: Laptops 1,000.00 (book 699.38, lost 300.62); Tools 200.00 +
      50.00 = 250.00 (book 0.00 + 24.81 = 24.81, lost 225.19); No category: van
      kit 300.00 + printer 329.00 = 629.00, 2 not depreciated; all assets
      1,879.00, book 724.19, lost 525.81;
    - by department: Site crew 500.00 (book 0.00); Studio 1,000.00 + 329.00 =
      1,329.00 (book 699.38); No team 50.00 (book 24.81); all 1,879.00, 724.19.
    """
    made = build_departments()
    lead = User.get(User.role == "lead")
    printer = factories.make_asset(lead, name="Shared printer", team=made["studio"].id)
    Asset.update(cost_cents=32_900, created_at=datetime(2024, 1, 1, tzinfo=UTC)).where(
        Asset.id == printer.id
    ).execute()

    report = reports_value.valuation(date(2025, 1, 1), UTC)
    categories = {
        c.name: (c.depreciated, c.not_depreciated, c.cost_cents, c.depreciation_cents, c.book_cents)
        for c in report.categories
    }
    assert categories == {
        "Laptops": (1, 0, 100_000, 30_062, 69_938),
        "Tools": (2, 0, 25_000, 22_519, 2_481),
        "No category": (0, 2, 62_900, 0, 0),
    }
    t = report.total
    assert (t.depreciated, t.not_depreciated, t.cost_cents, t.depreciation_cents) == (
        3,
        2,
        187_900,
        52_581,
    )
    assert t.book_cents == 72_419
    departments = [
        (d.name, d.assets, d.not_depreciated, d.spend_cents, d.book_cents)
        for d in report.departments
    ]
    assert departments == [
        ("Site crew", 2, 1, 50_000, 0),
        ("Studio", 2, 1, 132_900, 69_938),
        ("No team", 1, 0, 5_000, 2_481),
    ]
    d = report.departments_total
    assert (d.assets, d.not_depreciated, d.spend_cents, d.book_cents) == (5, 2, 187_900, 72_419)

    auth.login("lead")
    soup, _ = client.soup("/reports/value?as_of=2025-01-01")
    headline = soup.select_one("p.report-total").get_text(" ", strip=True)
    # Its figures add up: 724.19 + 525.81 lost = 1,250.00; + 629.00 = 1,879.00.
    assert headline.endswith(
        ": 724.19 of the 1,250.00 that the 3 depreciated assets cost (lost 525.81). "
        "2 assets are not depreciated: they cost 629.00, counted in the costs below "
        "but in no book value."
    )

    def cells(selector):
        return [
            [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
            for tr in soup.select(selector)
        ]

    assert cells("#value-categories tbody tr")[-1] == [
        "No category 0 depreciated, 2 not",
        "629.00",
        "none depreciated",
    ]
    assert cells("#value-categories tfoot tr") == [["All assets", "1,879.00", "724.19 lost 525.81"]]
    assert cells("#value-departments tfoot tr") == [["All assets", "1,879.00", "724.19"]]

    def last_row(table):
        url = f"/reports/value.csv?table={table}&as_of=2025-01-01"
        body = client.get(url).get_data(as_text=True)
        return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[-1]

    assert last_row("categories") == ["All assets", "3", "2", "1879.00", "525.81", "724.19"]
    assert last_row("departments") == ["All assets", "5", "2", "1879.00", "724.19"]


def test_assets_by_team_totals_match_assets_by_category():
    """The shared printer (329.00, no category, kept by the Studio) counts once
    in each grouping: in service 5, cost 1,550.00 + 329.00 = 1,879.00."""
    made = build_departments()
    lead = User.get(User.role == "lead")
    factories.make_asset(lead, name="Shared printer", team=made["studio"].id, cost_cents=32_900)
    totals = {
        by: (r.total.in_service, r.total.cost_cents, r.total.no_cost, r.total.retired)
        for by in ("team", "category", "location", "holder")
        for r in [breakdown.breakdown(by)]
    }
    assert set(totals.values()) == {(5, 187_900, 0, 1)}
    studio = next(g for g in breakdown.breakdown("team").groups if g.name == "Studio")
    assert (studio.in_service, studio.cost_cents) == (2, 132_900)
