"""The replacement plan's two shortcuts agree with its rules, item for item, on
a register of many kinds of asset:

- the active assets' query sifts out in SQL (rules.is_due_sql, plan.book_on_sql)
  those `rules.is_due` would find not due, and keeps every one it finds due;
- the CSV's rows (Plan.csv_rows) are the rows the page gives, all of them.

Today is 11 March 2026 (the clock fixture), in UTC."""

from __future__ import annotations

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.custody import custody, maintenance
from app.database import is_sqlite
from app.models import Asset, Category, Event, Fault, utcnow
from app.register import places
from app.register.rules import WORK_KINDS
from app.replacement import plan, rules
from app.reports.value import SQL_EXACT_BELOW

from . import factories

UTC = ZoneInfo("UTC")
TODAY = date(2026, 3, 11)


def _categories() -> list[Category | None]:
    kinds = [  # (useful life in months, salvage %, replacement cost)
        (36, 10, 120_000), (60, None, None), (1, 0, None), (6, 100, 5_000), (24, 33, None),
    ]  # fmt: skip
    made = [
        places.save_category(
            f"Kind {n}",
            useful_life_months=life,
            salvage_percent=salvage,
            replacement_cost_cents=replace,
        )  # fmt: skip
        for n, (life, salvage, replace) in enumerate(kinds)
    ]
    made.append(places.save_category("No life"))  # no useful life: never past it
    return [*made, None]


@pytest.fixture
def register(app, clock):
    """About 150 assets: every kind of category, costs from none to absurd, bought
    from long ago to within the year, repaired for just under and just over half
    their book value, with two or three faults, some checked out for a while."""
    lead = factories.make_user("lead")
    holder = factories.make_holder()
    kinds = _categories()
    rng = random.Random(20)
    assets = []
    for n in range(150):
        category = kinds[n % len(kinds)]
        bought = TODAY - timedelta(days=rng.choice([10, 45, 200, 400, 800, 1200, 3000]))
        values = {
            "name": rng.choice([f"Laptop {n}", f"Drill, cordless {n}", f"=Sum {n}", f"Van {n}"]),
            "cost_cents": rng.choice([None, 0, 999, 15_000, 100_000, 250_001]),
            "purchase_date": None if n % 11 == 0 else bought,
        }
        if category is not None:
            values["category"] = category.id
        assets.append(factories.make_asset(actor=lead, **values))
    # Costs the forms refuse but an older import or a hand edit may have left.
    Asset.update(cost_cents=-5_000).where(Asset.id == assets[7].id).execute()
    if is_sqlite():  # PostgreSQL's column holds no more than 2**31 - 1
        Asset.update(cost_cents=SQL_EXACT_BELOW * 3).where(Asset.id == assets[8].id).execute()
    for n, asset in enumerate(assets):
        asset = Asset.get_by_id(asset.id)
        book = plan.book_on(
            asset.cost_cents,
            (asset.category.salvage_percent or 0) if asset.category else 0,
            asset.category.useful_life_months if asset.category else None,
            asset.purchase_date,
            TODAY,
        )
        if n % 3 == 0 and book:  # repairs a cent either side of half the book value
            half = book // 2 + (n % 2)
            maintenance.start_repair(asset.code, actor=lead, cost_cents=max(half, 1))
            maintenance.mark_fixed(asset.code, actor=lead)
        elif n % 3 == 1:
            maintenance.start_repair(asset.code, actor=lead, cost_cents=rng.randint(1, 400_000))
            maintenance.mark_fixed(asset.code, actor=lead, cost_cents=rng.choice([None, 50]))
        if n % 4 == 0:
            for fault in range(2 + n % 8 // 4):  # two or three faults
                maintenance.report_fault(
                    asset.code, actor=lead, description=f"Fault {fault}", severity="usable"
                )
        if n % 5 == 0:
            custody.check_out(asset.code, actor=lead, today=TODAY, holder_id=holder.id)
    clock.shift(timedelta(days=2, hours=3))
    for asset in assets[::10]:
        custody.check_in(asset.code, actor=lead)
    custody.retire(assets[12].code, actor=lead, reason="scrapped")
    today = utcnow().date()  # the day the tests judge on
    # Bought 400 days ago with three years of life: due for nothing but repairs,
    # which are a cent under, at, or a cent or two over half the book value.
    for cost in (100_000, 100_001, 99_999, 123_457):
        for over in (-1, 0, 1, 2):
            asset = factories.make_asset(
                actor=lead, name=f"Edge {cost} {over}", category=kinds[0].id, cost_cents=cost,
                purchase_date=today - timedelta(days=400),
            )  # fmt: skip
            book = plan.book_on(cost, 10, 36, today - timedelta(days=400), today)
            repair = (book + over * 2 + 1) // 2  # twice the repairs: book - 1 to book + 5
            maintenance.start_repair(asset.code, actor=lead, cost_cents=repair)
            maintenance.mark_fixed(asset.code, actor=lead)
    return assets


def _figures_by_hand(today: date) -> dict[int, tuple[int, int]]:
    """id -> (repairs, faults) in the last 12 months, of every asset with either."""
    start, end = plan.window(today, UTC)
    found: dict[int, list[int]] = {}
    for asset_id, cost in (
        Event.select(Event.asset, Event.cost_cents)
        .where(Event.kind.in_(list(WORK_KINDS)), Event.at >= start, Event.at < end)
        .tuples()
    ):
        if cost and cost > 0:
            found.setdefault(asset_id, [0, 0])[0] += cost
    for (asset_id,) in (
        Fault.select(Fault.asset)
        .where(Fault.reported_at >= start, Fault.reported_at < end)
        .tuples()
    ):
        found.setdefault(asset_id, [0, 0])[1] += 1
    return {asset_id: (cost, faults) for asset_id, (cost, faults) in found.items()}


@pytest.mark.parametrize("share, faults", [(50, 3), (1, 2), (1000, 100), (100, 1)])
def test_the_sift_keeps_every_active_asset_the_rules_find_due(register, share, faults):
    thresholds = rules.Thresholds(share, faults)
    today = utcnow().date()
    due = set()
    for asset_id, (repair, fault_count) in _figures_by_hand(today).items():
        asset = Asset.get_by_id(asset_id)
        if asset.status == "retired":
            continue
        category = asset.category
        book = plan.book_on(
            asset.cost_cents,
            (category.salvage_percent or 0) if category else 0,
            category.useful_life_months if category else None,
            asset.purchase_date,
            today,
        )
        if rules.is_due(
            today=today,
            life_ends=asset.life_ends_on,
            repair_cents=repair,
            book_cents=book,
            faults=fault_count,
            thresholds=thresholds,
        ):
            due.add(asset_id)
    found = plan.active_due(today, UTC, thresholds, "GBP")
    assert sorted(i.id for i in found) == sorted(due)
    if thresholds == rules.Thresholds():  # many of the active are due, many not
        assert 5 < len(due) < len(_figures_by_hand(today)) - 5


def test_the_csv_rows_are_the_pages_rows(register):
    now = utcnow()
    today = now.date()
    due = plan.plan(today, UTC, rules.Thresholds(), "GBP")
    page = due.page(1, now, per_page=due.total)
    expected = [
        (i.code, i.name, i.category, i.life_ends, i.book_cents, i.repair_12m_cents,
         i.repair_to_date_cents, i.faults_12m, i.utilisation, i.replacement_cents,
         "; ".join(i.reasons))
        for i in page.rows
    ]  # fmt: skip
    assert due.csv_rows(now) == expected
    # The example has items due for their age alone, owned for part of the
    # year, checked out for some of it, and with a cost and without.
    aged = [row for row in expected if row[5] == 0 and row[7] == 0]
    assert len(aged) > 20
    assert {row[8] for row in aged} - {"0.0", ""}  # some were out
    assert {row[9] is None for row in aged} == {True, False}
    assert len({row[10] for row in aged}) > 3
    bought = dict(Asset.select(Asset.code, Asset.purchase_date).tuples())
    assert any(bought[row[0]] > today - timedelta(days=365) for row in aged)  # owned part of it
