"""The value report's totals are summed in SQL; its rows are worked out one by
one in Python, and its CSV's rows again without a Holding each. Whatever the
costs, dates, lives and salvage values, every table's totals equal the rows
added up, and the CSV's rows are the list's."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.database import write
from app.models import Asset, Category, Team
from app.reports import value
from app.reports.common import as_date
from app.reports.value import Totals

from . import factories

UTC = ZoneInfo("UTC")
AS_OF = date(2026, 3, 15)

assets = st.lists(
    st.tuples(
        st.integers(0, 5),  # category (5: none)
        st.one_of(st.none(), st.integers(-5_000, 2_000_000_000)),  # cost
        st.one_of(st.none(), st.integers(-400, 4000)),  # days before AS_OF it was bought
        st.booleans(),  # in the team
    ),
    min_size=1,
    max_size=25,
)


@given(rows=assets)
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_totals_equal_the_rows_added_up(app, rows):
    # The examples share one database: the report covers them all, and so do the sums.
    team, _ = Team.get_or_create(name="Site crew")
    categories = [
        Category.get_or_create(
            name=name, defaults=dict(useful_life_months=life, salvage_percent=s)
        )[0]
        for name, life, s in (
            ("Laptops", 36, 10),
            ("Drills", 600, None),
            ("Odd", None, 120),
            ("Bent", 24, 150),  # a useful life, but a salvage value past 100 %
            ("laptops", 12, 0),  # the same name but for case: one group in the list
        )
    ]
    lead = factories.make_user("lead")
    for category, cost, days, in_team in rows:
        asset = factories.make_asset(actor=lead)
        with write():  # as if typed around the forms: negative costs too
            Asset.update(
                category=categories[category] if category < 5 else None,
                cost_cents=cost,
                purchase_date=AS_OF - timedelta(days=days) if days is not None else None,
                team=team if in_team else None,
            ).where(Asset.id == asset.id).execute()
    report = value.valuation(AS_OF, UTC)
    holdings = list(report.holdings)
    assert len(holdings) == len(report.holdings)

    def added(of) -> tuple:
        t = Totals("")
        for h in of:
            t.add(h)
        return (t.depreciated, t.not_depreciated, t.cost_cents, t.depreciation_cents, t.book_cents)

    def shown(t: Totals) -> tuple:
        return (t.depreciated, t.not_depreciated, t.cost_cents, t.depreciation_cents, t.book_cents)

    assert shown(report.total) == added(holdings) == shown(report.departments_total)
    for totals in report.categories:
        mine = [h for h in holdings if (h.category or "No category") == totals.name]
        assert shown(totals) == added(mine)
    for totals in report.departments:
        mine = [h for h in holdings if (report.department_of(h) or "No team") == totals.name]
        assert shown(totals) == added(mine)
    # The CSV's rows, worked out without a Holding each, are the list's.
    exported = [
        (code, name, category, as_date(bought), cost, life, salvage, months, book, reason)
        for code, name, category, bought, cost, life, salvage, months, book, reason
        in value.holdings_export(AS_OF, UTC)
    ]  # fmt: skip
    assert exported == [
        (h.code, h.name, h.category, h.purchase_date, h.cost_cents, h.life_months,
         h.salvage_percent, h.months, h.book_cents, h.reason)
        for h in holdings
    ]  # fmt: skip
    # A page is the same rows as the whole list, in the same order.
    assert [h.code for h in report.holdings[3:7]] == [h.code for h in holdings[3:7]]

    # In the list's order (by category ignoring case, "No category" last, then by
    # name), and pages of any size, put together, are the whole list: a page reads
    # only the categories it reaches.
    def order(h) -> tuple:
        return (h.category == "", h.category.lower(), h.name.lower())

    assert [order(h) for h in holdings] == sorted(order(h) for h in holdings)
    for size in (1, 2, 7):
        paged = [
            h.code for first in range(0, len(holdings), size)
            for h in report.holdings[first : first + size]
        ]  # fmt: skip
        assert paged == [h.code for h in holdings]
