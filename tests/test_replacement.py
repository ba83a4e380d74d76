"""The replacement plan, against figures worked out by hand (the same example as
docs/replacement.md). Today is 11 March 2026 (the clock fixture), in UTC."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.custody import custody, maintenance, servicing
from app.models import Asset, Category, Event, Fault, utcnow
from app.ops import settings
from app.register import places
from app.replacement import coming as replacement_coming
from app.replacement import forecast, plan, rules
from app.reports.value import book_value
from app.spreadsheets import report_lines
from app.spreadsheets.csvfiles import money, to_csv

from . import factories

UTC = ZoneInfo("UTC")
TODAY = date(2026, 3, 11)
GBP = "GBP"


# The rules on their own -------------------------------------------------------


def test_a_useful_life_ends_on_the_first_day_the_value_report_counts_it_used_up():
    # 36 months = 1095.75 days, rounded up: 1096 days.
    assert rules.life_days(36) == 1096
    assert rules.life_ends_on(date(2023, 1, 10), 36) == date(2026, 1, 10)
    assert rules.life_ends_on(None, 36) is None
    assert rules.life_ends_on(date(2023, 1, 10), None) is None


@given(st.integers(1, 600), st.integers(0, 2000))
def test_life_ends_where_the_book_value_reaches_salvage(months, days):
    used_up = book_value(100_000, 0, months, days) == 0
    ends = rules.life_ends_on(date(2020, 1, 1), months)
    assert used_up == (date(2020, 1, 1) + timedelta(days=days) >= ends)


def test_reasons_are_worded_for_an_owner():
    reasons = rules.due_reasons(
        today=date(2027, 12, 1),
        life_ends=date(2027, 11, 6),
        repair_cents=42_000,
        book_cents=68_000,
        faults=4,
        thresholds=rules.Thresholds(),
        currency=GBP,
    )
    assert reasons == [
        "Past its useful life since 6 Nov 2027",
        "Repairs and services £420 in 12 months, 62 % of its £680 book value",
        "4 faults in 12 months",
    ]


def test_repairs_must_be_above_the_share():
    assert not rules.repairs_too_costly(50_000, 100_000, 50)
    assert rules.repairs_too_costly(50_001, 100_000, 50)
    assert not rules.repairs_too_costly(1, None, 50)  # no book value: not for this reason


def test_a_group_costs_its_categorys_replacement_cost_each_else_what_its_items_cost():
    # Three items, two with a purchase cost (£100 and £50 summed to £150).
    assert rules.replacement_total(120_000, 3, 15_000, 2) == (360_000, 0)
    assert rules.replacement_total(None, 3, 15_000, 2) == (15_000, 1)
    assert rules.replacement_total(None, 2, None, 0) == (0, 2)  # none has a cost


def test_quarters_are_calendar_quarters_from_the_current_one():
    quarters = rules.forecast_quarters(TODAY)
    assert [q.label for q in quarters] == [
        "Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026", "Q1 2027", "Q2 2027", "Q3 2027", "Q4 2027",
    ]  # fmt: skip
    assert (quarters[0].first_day, quarters[0].last_day) == (date(2026, 1, 1), date(2026, 3, 31))
    assert rules.quarter_index(quarters, date(2027, 2, 1), False) == 4
    assert rules.quarter_index(quarters, date(2028, 1, 1), False) is None
    assert rules.quarter_index(quarters, date(2028, 1, 1), True) == 0


# The worked example -----------------------------------------------------------


def _category(name: str, life: int, salvage: int | None, replace: int | None) -> Category:
    return places.save_category(
        name, useful_life_months=life, salvage_percent=salvage, replacement_cost_cents=replace
    )


def _asset(name, category, cost, bought) -> Asset:
    values = {"name": name, "cost_cents": cost, "purchase_date": date.fromisoformat(bought)}
    if category is not None:
        values["category"] = category.id
    return factories.make_asset(**values)


def _older(kind: str, code: str, at: datetime) -> None:
    """Move the newest `kind` event of the asset back in time."""
    asset = Asset.get(Asset.code == code)
    newest = Event.select().where(Event.asset == asset, Event.kind == kind).order_by(-Event.id)
    Event.update(at=at).where(Event.id == newest.get().id).execute()


@pytest.fixture
def example(app, clock):
    settings.save({"currency": GBP})
    lead = factories.make_user("lead")
    laptops = _category("Laptops", 36, 10, 120_000)
    drills = _category("Drills", 60, None, None)
    a = _asset("Laptop A", laptops, 100_000, "2023-01-10")  # life ends 10 Jan 2026
    b = _asset("Laptop B", laptops, 100_000, "2025-03-11")  # book value 700.21 today
    maintenance.start_repair(b.code, actor=lead, cost_cents=30_000)
    maintenance.mark_fixed(b.code, actor=lead, cost_cents=12_000)
    servicing.record_service(b.code, actor=lead, today=TODAY, cost_cents=20_000)
    _older("serviced", b.code, datetime(2025, 3, 10, 9))  # 366 days ago: to date only
    c = _asset("Drill C", drills, 15_000, "2025-06-01")
    for n in range(3):
        maintenance.report_fault(c.code, actor=lead, description=f"Sparks {n}", severity="usable")
    # A fourth fault, older than 12 months, does not count.
    maintenance.report_fault(c.code, actor=lead, description="Old", severity="usable")
    Fault.update(reported_at=datetime(2025, 3, 1)).where(Fault.description == "Old").execute()
    d = _asset("Laptop D", laptops, 90_000, "2024-02-01")  # life ends 1 Feb 2027
    e = _asset("Laptop E", laptops, 90_000, "2020-01-01")  # past its life, but retired
    custody.retire(e.code, actor=lead, reason="scrapped")
    f = _asset("Laptop F", laptops, 100_000, "2025-03-11")  # 100.00 of repairs, 2 faults
    maintenance.start_repair(f.code, actor=lead, cost_cents=10_000)
    for n in range(2):
        maintenance.report_fault(f.code, actor=lead, description=f"Hinge {n}", severity="usable")
    _asset("Old radio", None, 5_000, "2010-01-01")  # no category: no useful life
    return {"A": a, "B": b, "C": c, "D": d, "lead": lead}


def _plan():
    return plan.plan(TODAY, UTC, rules.Thresholds(), GBP)


def test_the_projection_holds_each_end_of_life(example):
    ends = {a.name: a.life_ends_on for a in Asset.select()}
    assert ends["Laptop A"] == date(2026, 1, 10)
    assert ends["Laptop D"] == date(2027, 2, 1)
    assert ends["Drill C"] == date(2025, 6, 1) + timedelta(days=1827)
    assert ends["Old radio"] is None


def test_the_due_list_with_its_reasons_in_order(example):
    due = _plan().page(1, datetime(2026, 3, 11, 12))
    assert due.total == 3
    rows = [(r.name, r.reasons) for r in due.rows]
    assert rows == [
        ("Laptop B", ["Repairs and services £420 in 12 months, 60 % of its £700.21 book value"]),
        ("Drill C", ["3 faults in 12 months"]),
        ("Laptop A", ["Past its useful life since 10 Jan 2026"]),
    ]
    b, c, a = due.rows
    assert (b.book_cents, b.repair_12m_cents, b.repair_to_date_cents) == (70_021, 42_000, 62_000)
    assert (b.replacement_cents, c.replacement_cents) == (120_000, 15_000)
    assert (a.book_cents, a.faults_12m, c.faults_12m) == (10_000, 0, 3)
    assert a.utilisation == "0.0"


def test_the_settings_move_the_thresholds(example):
    strict = plan.plan(TODAY, UTC, rules.Thresholds(share_percent=10, faults=2), GBP)
    names = [r.name for r in strict.page(1, datetime(2026, 3, 11, 12)).rows]
    # Laptop F: 100.00 of repairs is 14 % of its 700.21, and it has 2 faults.
    assert names[0] == "Laptop F" and sorted(names) == [
        "Drill C", "Laptop A", "Laptop B", "Laptop F",
    ]  # fmt: skip


def test_the_forecast_by_quarter_category_and_team(example):
    outlook = forecast.forecast(TODAY, UTC, rules.Thresholds())
    cells = [(c.items, c.cost_cents) for c in outlook.total.cells]
    assert cells == [(3, 255_000), (0, 0), (0, 0), (0, 0), (1, 120_000), (0, 0), (0, 0), (0, 0)]
    by_category = {line.name: (line.items, line.cost_cents) for line in outlook.categories}
    assert by_category == {"Laptops": (3, 360_000), "Drills": (1, 15_000)}
    assert [(t.name, t.items, t.cost_cents) for t in outlook.teams] == [("No team", 4, 375_000)]


def test_an_item_due_now_moves_from_its_life_quarter_to_this_one(example):
    lead = example["lead"]
    for n in range(3):  # Laptop D (life ends Q1 2027) now has three faults
        maintenance.report_fault(
            example["D"].code, actor=lead, description=f"D{n}", severity="usable"
        )
    cells = [c.items for c in forecast.forecast(TODAY, UTC, rules.Thresholds()).total.cells]
    assert cells == [4, 0, 0, 0, 0, 0, 0, 0]
    # The page hands the forecast the active items its plan read: the same figures.
    handed = forecast.forecast(TODAY, UTC, rules.Thresholds(), _plan().due_active)
    assert [c.items for c in handed.total.cells] == cells
    assert handed.categories == forecast.forecast(TODAY, UTC, rules.Thresholds()).categories


def test_the_page_and_its_csvs(client, auth, example):
    auth.login("lead")
    soup, response = client.soup("/reports/replacement")
    assert response.status_code == 200
    rows = soup.select("#replacement-due tbody tr")
    assert [r.select_one("td a").get_text(strip=True) for r in rows] == [
        "Laptop B", "Drill C", "Laptop A",
    ]  # fmt: skip
    assert [li.get_text(strip=True) for li in rows[2].select("ul.reasons li")] == [
        "Past its useful life since 10 Jan 2026"
    ]
    first = soup.select_one("#forecast-quarters tbody tr")
    assert [c.get_text(" ", strip=True) for c in first.find_all(["th", "td"])] == [
        "Q1 2026", "3", "£2,550.00",
    ]  # fmt: skip
    # Each of the two files has a button saying which it is.
    buttons = {a.get_text(strip=True): a["href"] for a in soup.select("main a.button[download]")}
    assert buttons == {
        "Due list as CSV": "/reports/replacement.csv",
        "Forecast as CSV": "/reports/replacement-forecast.csv",
    }
    body = client.get(buttons["Due list as CSV"]).get_data(as_text=True)
    table = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    to_date = "Repairs and services to date"
    assert [(r["Name"], r[to_date], r["Replacement cost"]) for r in table] == [
        ("Laptop B", "620.00", "1200.00"),
        ("Drill C", "0.00", "150.00"),
        ("Laptop A", "0.00", "1200.00"),
    ]
    # Written as lines, the file is byte for byte what to_csv makes of the page's
    # rows, all of them (a reason holds a comma, so it is quoted).
    due = _plan()
    items = due.page(1, utcnow(), per_page=due.total).rows
    assert body.encode("utf-8") == to_csv(
        report_lines.DUE_HEADER,
        [
            (i.code, i.name, i.category, i.life_ends or "", money(i.book_cents),
             money(i.repair_12m_cents), money(i.repair_to_date_cents), i.faults_12m,
             i.utilisation, money(i.replacement_cents), "; ".join(i.reasons))
            for i in items
        ],
    )  # fmt: skip
    assert '"Repairs and services £420 in 12 months, 60 % of its £700.21 book value"' in body
    body = client.get("/reports/replacement-forecast.csv").get_data(as_text=True)
    table = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    drills = [r for r in table if r["Name"] == "Drills" and r["Items"] != "0"]
    assert [(r["By"], r["Quarter"], r["Items"], r["Cost"]) for r in drills] == [
        ("Category", "Q1 2026", "1", "150.00")
    ]


def test_the_page_names_what_comes_due_next_quarter(client, auth, example):
    """An owner budgets by name: Laptop G's life ends in May, next quarter (Q2
    2026); Laptop D's (Feb 2027) is further off, and the due ones are listed above."""
    laptops = example["A"].category
    _asset("Laptop G", laptops, 95_000, "2023-05-20")  # + 1,096 days: 20 May 2026
    auth.login("lead")
    soup, _ = client.soup("/reports/replacement")
    section = soup.select_one("#replacement-next")
    assert section.select_one("p").get_text(" ", strip=True) == (
        "1 item reaches the end of its useful life after today and by the end of Q2 2026: "
        "£1,200.00 to replace."
    )
    [row] = section.select("tbody tr")
    code = Asset.get(Asset.name == "Laptop G").code
    assert [c.get_text(" ", strip=True) for c in row.find_all("td")] == [
        f"Laptop G {code[:3]}-{code[3:]}",
        "Useful life ends 20 May 2026 Laptops",
        "£1,200.00",
    ]
    second = soup.select("#forecast-quarters tbody tr")[1]
    assert [c.get_text(" ", strip=True) for c in second.find_all(["th", "td"])] == [
        "Q2 2026", "1", "£1,200.00",
    ]  # fmt: skip


def test_what_home_counts_this_quarter_is_named_on_the_plan(client, auth, example):
    """An item whose life ends later this quarter is on Home's card, so the plan
    names it too, with next quarter's, rather than leave it between two lists."""
    laptops = example["A"].category
    _asset("Laptop H", laptops, 95_000, "2023-03-25")  # + 1,096 days: 25 Mar 2026
    _asset("Laptop G", laptops, 95_000, "2023-05-20")  # 20 May 2026: next quarter
    auth.login("lead")
    card, _ = client.soup("/")
    assert "4 items" in card.select_one("#replacement-card").get_text(" ", strip=True)
    soup, _ = client.soup("/reports/replacement")
    section = soup.select_one("#replacement-next")
    assert section.select_one("p").get_text(" ", strip=True) == (
        "2 items reach the end of their useful life after today and by the end of Q2 2026: "
        "£2,400.00 to replace."
    )
    named = [r.select_one("td a").get_text(strip=True) for r in section.select("tbody tr")]
    assert named == ["Laptop H", "Laptop G"]


def test_members_may_not_see_the_plan(client, auth, app):
    auth.login("member")
    assert client.get("/reports/replacement").status_code == 403


def test_the_home_card_counts_this_quarter(client, auth, example):
    auth.login("lead")
    soup, _ = client.soup("/")
    card = soup.select_one("#replacement-card")
    assert card is not None
    assert "3 items · £2,550.00" in card.get_text(" ", strip=True)
    assert card.select_one("a")["href"] == "/reports/replacement"


def test_the_page_lists_fifty_at_a_time(client, auth, app, clock):
    laptops = _category("Laptops", 12, None, None)
    for n in range(53):
        _asset(f"Old {n:02d}", laptops, 1_000 * (n + 1), "2020-01-01")
    auth.login("lead")
    soup, _ = client.soup("/reports/replacement")
    rows = soup.select("#replacement-due tbody tr")
    assert len(rows) == 50
    assert rows[0].select_one("td a").get_text(strip=True) == "Old 52"  # dearest first
    soup, _ = client.soup("/reports/replacement?page=2")
    names = [
        r.select_one("td a").get_text(strip=True) for r in soup.select("#replacement-due tbody tr")
    ]
    assert names == ["Old 02", "Old 01", "Old 00"]


# Keeping the projection -------------------------------------------------------


def test_editing_the_category_life_moves_every_end_of_life(app, clock):
    laptops = _category("Laptops", 36, None, None)
    asset = _asset("Laptop", laptops, 1_000, "2023-01-10")
    places.save_category("Laptops", laptops.id, useful_life_months=48)
    assert Asset.get_by_id(asset.id).life_ends_on == rules.life_ends_on(date(2023, 1, 10), 48)
    places.save_category("Laptops", laptops.id, useful_life_months=None)
    assert Asset.get_by_id(asset.id).life_ends_on is None


def test_editing_an_asset_moves_its_end_of_life(app, clock):
    lead = factories.make_user("lead")
    laptops = _category("Laptops", 36, None, None)
    asset = _asset("Laptop", laptops, 1_000, "2023-01-10")
    from app.register import assets

    assets.update_asset(
        asset.code, {"purchase_date": date(2024, 1, 10)}, version=asset.version, actor=lead
    )
    assert Asset.get_by_id(asset.id).life_ends_on == date(2027, 1, 10)


def test_a_replacement_cost_must_be_sensible(client, auth, app):
    auth.login("lead")
    for typed, message in (("-5", "cannot be negative"), ("99999999999", "too large")):
        response = client.form("/categories/new", {"name": "Vans", "replacement_cost_cents": typed})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert not Category.select().where(Category.name == "Vans").exists()
    response = client.form(
        "/categories/new", {"name": "Vans", "replacement_cost_cents": "25,000.50"}
    )
    assert response.status_code == 303
    assert Category.get(Category.name == "Vans").replacement_cost_cents == 2_500_050


def test_the_settings_are_checked(client, auth, app):
    auth.login("admin")
    soup, _ = client.soup("/admin/settings")
    sent = {"timezone": "UTC", "audit_interval_days": "365", "paper_size": "a4"}
    response = client.form(
        "/admin/settings", {**sent, "replace_repair_share": "0", "replace_faults": "101"}
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Give a percentage from 1 to 1000." in text
    assert "Give a number of faults from 1 to 100." in text
    response = client.form(
        "/admin/settings", {**sent, "replace_repair_share": "75", "replace_faults": "5"}
    )
    assert response.status_code == 303
    settings.clear_cache()
    assert settings.replacement_thresholds() == rules.Thresholds(75, 5)


def test_an_import_gives_new_and_changed_assets_their_end_of_life(app, clock):
    from .import_kit import run, sheet

    lead = factories.make_user("lead")
    _category("Laptops", 36, None, None)
    run(sheet("Name,Category,Serial,Purchase date\nLaptop,Laptops,S1,2023-01-10\n"), actor=lead)
    laptop = Asset.get(Asset.serial == "S1")
    assert laptop.life_ends_on == date(2026, 1, 10)
    run(sheet("Name,Category,Serial,Purchase date\nLaptop,Laptops,S1,2024-01-10\n"), actor=lead)
    assert Asset.get_by_id(laptop.id).life_ends_on == date(2027, 1, 10)
    run(sheet("Name,Category,Serial,Purchase date\nLaptop,Laptops,S1,\n"), actor=lead)
    after = Asset.get_by_id(laptop.id)
    assert after.life_ends_on == rules.life_ends_on(after.purchase_date, 36)


@pytest.mark.sqlite_only
def test_step_23_filled_in_the_same_end_of_life_as_the_rule(tmp_path):
    """Assets written at version 22 with many purchase dates and useful lives get,
    from step 23, exactly what rules.life_ends_on says."""
    from app.database import bind, open_database
    from app.migrations import upgrade
    from app.models import db

    from .test_migrations import _build, _sql, _sqlite_site

    site = _sqlite_site(tmp_path)
    _build(site, 22)
    lives = (1, 11, 12, 13, 35, 36, 37, 60, 61, 119, 600)
    days = [date(2019, 2, 28) + timedelta(days=n * 37) for n in range(40)] + [date(2020, 2, 29)]
    bind(open_database(site.url))
    try:
        columns = [r[1] for r in db.execute_sql('PRAGMA table_info("asset")').fetchall()]
        category_columns = [r[1] for r in db.execute_sql('PRAGMA table_info("category")')]
        quoted = {
            table: ", ".join(f'"{c}"' for c in names if c != "id")
            for table, names in (("asset", columns), ("category", category_columns))
        }
        statements = []
        for months in lives:
            copied = [
                f"'Life {months}'" if c == "name" else str(months) if c == "useful_life_months"
                else f'"{c}"' for c in category_columns if c != "id"
            ]  # fmt: skip
            statements.append(
                f'INSERT INTO "category" ({quoted["category"]}) '
                f'SELECT {", ".join(copied)} FROM "category" LIMIT 1'
            )
            for n, day in enumerate(days):
                code = f"L{months:03d}{n:02d}"[:6] if months < 100 else f"M{months:03d}{n:02d}"[:6]
                values = {
                    "code": f"'{code}'",
                    "serial": "NULL",
                    "purchase_date": f"'{day.isoformat()}'",
                    "category_id": (
                        f'(SELECT "id" FROM "category" WHERE "name" = \'Life {months}\')'
                    ),
                }
                picked = [values.get(c, f'"{c}"') for c in columns if c != "id"]
                statements.append(
                    f'INSERT INTO "asset" ({quoted["asset"]}) '
                    f'SELECT {", ".join(picked)} FROM "asset" LIMIT 1'
                )
        _sql(statements)
        upgrade(to=23)
        rows = db.execute_sql(
            'SELECT "asset"."purchase_date", "category"."useful_life_months", '
            '"asset"."life_ends_on" '
            'FROM "asset" JOIN "category" ON "category"."id" = "asset"."category_id" '
            'WHERE "category"."name" LIKE \'Life %\''
        ).fetchall()
    finally:
        db.close()
    assert len(rows) == len(lives) * len(days)
    for bought, months, ends in rows:
        expected = rules.life_ends_on(date.fromisoformat(bought), months)
        assert date.fromisoformat(ends) == expected, (bought, months)


def test_the_demo_has_laptops_to_replace(app):
    from app.models import utcnow
    from app.ops import demo

    demo.build(password="demo-password")
    now = utcnow()
    rows = plan.plan(now.date(), UTC, rules.Thresholds(), GBP).page(1, now).rows
    laptops = {r.name: r.reasons for r in rows if r.category == "Laptops"}
    assert sum(1 for reasons in laptops.values() if "useful life" in reasons[0]) == 2
    assert any(r[0].startswith("Repairs and services £620 in 12 months") for r in laptops.values())
    assert Category.get(Category.name == "Laptops").replacement_cost_cents == 1250_00
    coming = replacement_coming.by_next_quarter_end(now.date())
    assert [(r.category, r.replacement_cents) for r in coming.rows] == [("Laptops", 1250_00)]
    assert coming.rows[0].life_ends == coming.quarter.first_day + timedelta(days=41)


def test_utilisation_for_a_few_assets_matches_the_report(app, clock):
    from app.models import utcnow
    from app.reports import utilisation
    from app.reports.common import Period

    lead = factories.make_user("lead")
    holder = factories.make_holder()
    old = _asset("Old", None, 1_000, "2024-01-01")
    new = _asset("New", None, 1_000, "2026-03-01")
    idle = _asset("Idle", None, 1_000, "2025-01-01")
    custody.check_out(old.code, actor=lead, today=TODAY, holder_id=holder.id)
    clock.shift(timedelta(days=3, hours=6))
    custody.check_in(old.code, actor=lead)
    custody.check_out(new.code, actor=lead, today=TODAY, holder_id=holder.id)
    clock.shift(timedelta(days=2))
    period = Period(date(2025, 3, 17), date(2026, 3, 16))
    now = utcnow()
    report = {u.code: u for u in utilisation.utilisation(period, UTC, now).assets}
    codes = {a.id: a.code for a in (old, new, idle)}
    read = Asset.select(Asset.id, Asset.purchase_date, Asset.created_at, Asset.retired_at)
    rows = read.where(Asset.id.in_(list(codes))).tuples()
    few = utilisation.percent_for(rows, period, UTC, now)
    assert {codes[asset_id]: percent for asset_id, percent in few.items()} == {
        code: report[code].percent for code in codes.values()
    }
    # Out 3.25 days of the whole year (365); out the last 2 days of the 15.75
    # owned since the 1st (now is the 16th, 18:00); never out.
    assert [few[old.id], few[new.id], few[idle.id]] == ["0.9", "12.7", "0.0"]
    assert report[old.code].out_days == "3.3"
    # Read as columns of the assets' own query (the due list's CSV): those owned
    # all year have their figure from the two columns, the new one is left to
    # percent_for.
    used = utilisation.columns(period, UTC, now)
    columns = {
        asset_id: (whole, used.percent(out_us) if whole else None)
        for asset_id, whole, out_us in Asset.select(Asset.id, used.whole, used.out_us)
        .where(Asset.id.in_(list(codes)))
        .tuples()
    }
    assert columns == {old.id: (1, "0.9"), new.id: (0, None), idle.id: (1, "0.0")}
    assert utilisation.columns(Period(date(2026, 3, 17), date(2026, 3, 20)), UTC, now) is None


def test_a_category_edit_shows_the_replacement_cost_as_money(app):
    from app.register import event_kinds

    (change,) = event_kinds._changes({"replacement_cost_cents": [None, 120_000]})
    assert (change.label, change.after, change.money) == ("replacement cost", 120_000, True)


@given(
    life_ends=st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2027, 12, 31))),
    repair=st.integers(0, 10**7),
    book=st.one_of(st.none(), st.integers(0, 10**7)),
    faults=st.integers(0, 6),
    share=st.integers(rules.REPAIR_SHARE_MIN, rules.REPAIR_SHARE_MAX),
    most=st.integers(rules.FAULTS_MIN, 6),
)
def test_is_due_exactly_when_there_is_a_reason(life_ends, repair, book, faults, share, most):
    """`is_due`, which the SQL sift is held to, and `due_reasons`, by which the
    plan keeps an item (a reason given), agree on every item."""
    figures = dict(
        today=TODAY,
        life_ends=life_ends,
        repair_cents=repair,
        book_cents=book,
        faults=faults,
        thresholds=rules.Thresholds(share, most),
    )
    assert rules.is_due(**figures) == bool(rules.due_reasons(**figures, currency="GBP"))


def test_the_page_says_what_replace_for_means_and_where_the_thresholds_are(client, auth, example):
    auth.login("admin")
    soup, _ = client.soup("/reports/replacement")
    hints = [p.get_text(" ", strip=True) for p in soup.select("p.hint")]
    assert "Replace for: the category's replacement cost, else what the item cost." in hints
    assert soup.select_one("p.hint a[href='/admin/settings#replacement-rules']").get_text() == (
        "Settings"
    )
    auth.logout()
    auth.login("lead")  # who may not change them is told who can
    soup, _ = client.soup("/reports/replacement")
    assert not soup.select("p.hint a[href^='/admin/settings']")
    assert any("An admin sets the thresholds" in p.get_text() for p in soup.select("p.hint"))


def test_the_last_12_months_are_the_365_days_to_today(app, clock):
    """Today is 11 March 2026, so the window opens at midnight on 12 March 2025:
    a fault then counts and one a second earlier does not, and an item out
    since that midnight was out for all of its year (100.0 %, not 365 of 366
    days), on the page and in the CSV."""
    settings.save({"currency": GBP})
    lead, holder = factories.make_user("lead"), factories.make_holder()
    for name, first in [
        ("Counted", datetime(2025, 3, 12)),
        ("Missed", datetime(2025, 3, 11, 23, 59, 59)),
    ]:
        asset = _asset(name, None, 10_000, "2025-01-01")
        for n in range(3):
            maintenance.report_fault(asset.code, actor=lead, description=f"F{n}", severity="usable")
        Fault.update(reported_at=first).where(
            Fault.description == "F0", Fault.asset == asset.id
        ).execute()
    aged = _asset("Out all year", _category("Radios", 12, None, None), 10_000, "2010-01-01")
    clock.move_to(datetime(2025, 3, 12, tzinfo=UTC))
    custody.check_out(aged.code, actor=lead, today=date(2025, 3, 12), holder_id=holder.id)
    clock.move_to(datetime(2026, 3, 11, 12, tzinfo=UTC))
    now = utcnow()
    due = _plan().page(1, now)
    assert [(r.name, r.faults_12m, r.utilisation) for r in due.rows] == [
        ("Counted", 3, "0.0"),
        ("Out all year", 0, "100.0"),
    ]
    assert [(row[1], row[7], row[8]) for row in _plan().csv_rows(now)] == [
        ("Counted", 3, "0.0"),
        ("Out all year", 0, "100.0"),
    ]
