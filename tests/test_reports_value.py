"""Book value: straight-line depreciation worked out by hand, rounding, and what is left out."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models import Asset, Category
from app.reports import value as reports_value
from app.reports.value import book_value
from app.spreadsheets.csvfiles import money, to_csv

from . import factories
from .conftest import FIXED_NOW

UTC = ZoneInfo("UTC")


def category(name: str, life: int | None, salvage: int | None) -> Category:
    row = factories.make_category(name)
    Category.update(useful_life_months=life, salvage_percent=salvage).where(
        Category.id == row.id
    ).execute()
    return row


def asset(name, cat=None, cost=None, bought=None, **extra) -> Asset:
    values = {"name": name, "cost_cents": cost}
    if cat:
        values["category"] = cat.id
    if bought:
        values["purchase_date"] = date.fromisoformat(bought)
    row = factories.make_asset(**values)
    if extra.get("retired_at"):
        extra["status"] = "retired"  # as retiring does: the status follows retired_at
    if extra:
        Asset.update(**extra).where(Asset.id == row.id).execute()
    return row


def test_one_year_into_three_with_ten_percent_salvage():
    """1,000.00 bought 2024-01-01, seen 2025-01-01: 366 days = 12.0246 months of 36.
    Lost = 900.00 × 12.0246/36 = 300.616; book value 699.384 → 699.38."""
    assert book_value(100_000, 10, 36, 366) == 69_938
    assert reports_value.months_elapsed_text(366) == "12.0"


def test_months_elapsed_round_as_the_rule_says():
    """Worked in whole numbers, the months equal days × 16 / 487 to one decimal,
    halves away from zero, for every day count a report can meet."""
    for days in range(-800, 80_000, 7):
        exact = Decimal(days * 16) / 487
        rounded = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert reports_value.months_elapsed_text(days) == str(rounded), days
    assert reports_value.months_elapsed_text(487 * 5) == "80.0"


def test_the_useful_life_ends_at_the_salvage_value():
    assert book_value(100_000, 10, 36, 365 * 10) == 10_000
    # 36 months is 1095.75 days: one day short still has a little to lose.
    assert book_value(100_000, 10, 36, 1095) > 10_000
    assert book_value(100_000, 10, 36, 1096) == 10_000
    assert book_value(100_000, 0, 12, 1000) == 0


def test_nothing_is_lost_on_the_purchase_date():
    assert book_value(100_000, 10, 36, 0) == 100_000


def test_rounding_is_to_whole_cents_halves_up():
    """9.99 after 30 days of 36 months at 10 % salvage is 9.7438… → 9.74; a half cent goes up."""
    assert book_value(999, 10, 36, 30) == 974
    assert book_value(1, 50, 1, 31) == 1  # 0.5 cent
    assert book_value(3, 50, 1, 31) == 2  # 1.5 cents


@given(
    cost=st.integers(0, 10**12),
    salvage=st.integers(0, 100),
    life=st.integers(1, 600),
    days=st.integers(0, 40_000),
)
def test_book_value_stays_between_salvage_and_cost_and_never_rises(cost, salvage, life, days):
    value = book_value(cost, salvage, life, days)
    floor = (cost * salvage * 2 + 100) // 200
    assert floor <= value <= cost
    assert book_value(cost, salvage, life, days + 1) <= value


@pytest.fixture
def holdings(app):
    build_holdings()


def build_holdings() -> None:
    laptops = category("Laptops", 36, 10)
    phones = category("Phones", 24, None)  # no salvage set: 0 %
    no_life = category("Furniture", None, 5)
    asset("Laptop A", laptops, 100_000, "2024-01-01")
    asset("Laptop B", laptops, 250_000, "2021-06-30")  # past its life: 10 % left
    asset("Phone", phones, 60_000, "2024-07-01")  # 184 days = 6.0452 months of 24
    asset("Desk", no_life, 40_000, "2024-01-01")
    asset("No cost", laptops, None, "2024-01-01")
    asset("No date", laptops, 50_000, created_at=datetime(2024, 1, 1))
    asset("Loose", None, 10_000, "2024-01-01")
    asset("Bought later", laptops, 10_000, "2025-06-01")
    asset("Sold", laptops, 10_000, "2024-01-01", retired_at=datetime(2024, 12, 1))
    asset("Sold later", laptops, 10_000, "2024-01-01", retired_at=datetime(2025, 3, 1))


def test_per_asset_values_and_reasons(holdings):
    report = reports_value.valuation(date(2025, 1, 1), UTC)
    rows = {h.name: (h.book_cents, h.depreciation_cents, h.reason) for h in report.holdings}
    # Phone: 60,000 − 60,000 × (184 × 16 / 487) / 24 = 60,000 − 15,113.0… = 44,886.96… → 44,887
    # Sold later: 10,000 − 9,000 × 12.0246/36 = 6,993.84 → 6,994
    assert rows == {
        "Laptop A": (69_938, 30_062, ""),
        "Laptop B": (25_000, 225_000, ""),
        "Phone": (44_887, 15_113, ""),
        "Sold later": (6_994, 3_006, ""),
        "Desk": (None, None, "Its category has no useful life"),
        "No cost": (None, None, "No purchase cost"),
        "No date": (None, None, "No purchase date"),
        "Loose": (None, None, "No category, so no useful life"),
    }
    # By category, then name, with no category last.
    assert [h.name for h in report.holdings] == [
        "Desk",
        "Laptop A",
        "Laptop B",
        "No cost",
        "No date",
        "Sold later",
        "Phone",
        "Loose",
    ]


def test_category_totals_add_up_the_rounded_rows(holdings):
    report = reports_value.valuation(date(2025, 1, 1), UTC)
    totals = {
        c.name: (c.depreciated, c.not_depreciated, c.cost_cents, c.depreciation_cents, c.book_cents)
        for c in report.categories
    }
    assert totals == {
        # Cost counts every asset with one: the desk, "No date" and "Loose" too.
        "Furniture": (0, 1, 40_000, 0, 0),
        "Laptops": (3, 2, 410_000, 258_068, 101_932),
        "Phones": (1, 0, 60_000, 15_113, 44_887),
        "No category": (0, 1, 10_000, 0, 0),
    }
    t = report.total
    assert (t.depreciated, t.not_depreciated, t.cost_cents, t.book_cents) == (
        4,
        4,
        520_000,
        146_819,
    )


def test_page_and_csv_show_the_same_figures(client, auth, holdings):
    auth.login("lead")
    soup, response = client.soup("/reports/value?as_of=2025-01-01")
    assert response.status_code == 200
    total = soup.select_one("#value-categories tfoot tr")
    assert [c.get_text(" ", strip=True) for c in total.find_all(["th", "td"])] == [
        "All assets",
        "5,200.00",
        "1,468.19 lost 2,731.81",
    ]
    headline = soup.select_one("p.report-total").get_text(" ", strip=True)
    assert headline == (
        "Book value on 01 Jan 2025: 1,468.19 of the 4,200.00 that the 4 depreciated assets "
        "cost (lost 2,731.81). 4 assets are not depreciated: they cost 1,000.00, counted "
        "in the costs below but in no book value."
    )
    desk = next(tr for tr in soup.select("#value-assets tbody tr") if "Desk" in tr.get_text())
    assert "Not depreciated: its category has no useful life" in desk.get_text(" ", strip=True)
    body = client.get("/reports/value.csv?as_of=2025-01-01").get_data(as_text=True)
    header, *rows = csv.reader(io.StringIO(body.lstrip("\ufeff")))
    assert header[-3:] == ["Depreciation", "Book value", "Not depreciated because"]
    by_name = {r[1]: r for r in rows}
    assert by_name["Laptop A"][3:] == [
        "2024-01-01",
        "1000.00",
        "36",
        "10",
        "12.0",
        "300.62",
        "699.38",
        "",
    ]
    assert by_name["Desk"][-3:] == ["", "", "Its category has no useful life"]
    page_names = [tr.find("a").get_text() for tr in soup.select("#value-assets tbody tr")]
    assert [r[1] for r in rows] == page_names
    body = client.get("/reports/value.csv?as_of=2025-01-01&table=categories").get_data(as_text=True)
    *_, last = csv.reader(io.StringIO(body.lstrip("\ufeff")))
    assert last == ["All assets", "4", "4", "5200.00", "2731.81", "1468.19"]
    # Written as lines, the file is byte for byte what to_csv makes of the list,
    # names that could start a formula or hold commas and costs below 0 too.
    odd = category('=Odd, "kit"', 12, 0)
    asset('@Sum, "x"', odd, 1_250, "2024-06-01")
    refund = asset("-Refund", None, 10, "2024-06-01")
    Asset.update(cost_cents=-99).where(Asset.id == refund.id).execute()  # around the forms
    body = client.get("/reports/value.csv?as_of=2025-01-01").get_data(as_text=True)
    report = reports_value.valuation(date(2025, 1, 1), UTC)
    assert body.encode("utf-8") == to_csv(
        header,
        [
            (h.code, h.name, h.category, h.purchase_date, money(h.cost_cents), h.life_months,
             h.salvage_percent, h.months, money(h.depreciation_cents), money(h.book_cents),
             h.reason)
            for h in report.holdings
        ],
    )  # fmt: skip


def test_as_of_defaults_to_today(client, auth, clock):
    auth.login("lead")
    soup, _ = client.soup("/reports/value")
    assert date.fromisoformat(soup.select_one("#as_of")["value"]) == FIXED_NOW.date()
    clock.shift(timedelta(days=1))  # the next day, the page says so
    soup, _ = client.soup("/reports/value")
    assert date.fromisoformat(soup.select_one("#as_of")["value"]) == date(2026, 3, 12)
