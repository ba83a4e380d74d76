"""The reports on a real PostgreSQL server: the same figures as on SQLite."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from app.reports import breakdown, maintenance_costs
from app.reports import idle as reports_idle
from app.reports import utilisation as reports_usage
from app.reports import value as reports_value

from . import factories
from .test_reports import rows_of
from .test_reports_usage import JANUARY, NOW, build_january, by_name
from .test_reports_value import build_holdings


def test_utilisation_on_postgresql(pg_app):
    """The hand-worked utilisation comes out the same on PostgreSQL (MAX per asset,
    timestamps from the driver as datetimes rather than text)."""
    build_january()
    usage = reports_usage.utilisation(JANUARY, ZoneInfo("UTC"), NOW)
    assert by_name(usage)["Retired mid"] == ("3.3", "2.3", "69.2")
    assert by_name(usage)["Twice"] == ("10.0", "3.0", "30.0")
    assert (usage.total.owned_days, usage.total.out_days, usage.total.percent) == (
        "57.3",
        "17.5",
        "30.6",
    )
    # Idle: the MAX(at) per asset joined back, retired ones left out, oldest first.
    idle = reports_idle.idle(30, NOW.date(), ZoneInfo("UTC"), 1, 50)
    assert [r.name for r in idle.rows] == [
        "Back before",
        "Open before",
        "Imported",
        "Twice",
        "Bought mid",
        "Out at the end",
        "Added after",
    ]
    assert maintenance_costs.maintenance(JANUARY, ZoneInfo("UTC")).jobs == 0


def test_value_and_breakdown_on_postgresql(pg_app):
    """Book values (dates from the driver as dates) and the grouped sums with CASE."""
    build_holdings()
    value = reports_value.valuation(date(2025, 1, 1), ZoneInfo("UTC"))
    assert {h.name: h.book_cents for h in value.holdings}["Laptop A"] == 69_938
    assert value.total.book_cents == 146_819
    laptops = {g.name: g for g in breakdown.breakdown("category").groups}["Laptops"]
    assert (laptops.in_service, laptops.retired, laptops.no_cost) == (5, 2, 1)


def test_report_pages_on_postgresql(pg_app):
    from .conftest import AuthActions

    client = pg_app.test_client()
    factories.make_user("admin")
    AuthActions(client).login("lead")
    factories.make_asset(name="Drill", cost_cents=12_345)
    for url in ("/reports/assets", "/reports/idle", "/reports/utilisation", "/reports/value"):
        assert client.get(url).status_code == 200, url
    header, *rows = rows_of(client.get("/reports/assets.csv?by=category"))
    assert rows[-1] == ["All assets", "1", "123.45", "0", "0", "0"]
