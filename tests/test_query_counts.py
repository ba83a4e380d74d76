"""Query budgets for the pages opened all day: home, the asset list, the
scanner and an asset's page. Each runs a fixed number of statements, the same
with three times the data, and no more than its budget. A budget is raised
only deliberately, in the commit that needs the extra query."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from app.audits import audits
from app.custody import custody, maintenance
from app.kits import kits, taking
from app.models import utcnow
from app.register import custom_fields, places
from app.reservations import reservations

from . import factories
from .subscription_kit import make_subscription
from .test_dashboard import build, days, today

pytestmark = pytest.mark.usefixtures("clock")  # the dashboard's data is built around today

URLS = {"home": "/", "assets": "/assets", "scan": "/scan", "asset": "/A/{code}"}
# Cold caches (settings, location paths), a signed-in lead, one running audit.
BUDGET = {
    # user, settings, my items, the counts, eight lists (not back with its kit, and
    # needs check, only when something is), recent activity, and the items due for
    # replacement this quarter for a reason other than their age with the
    # categories' figures they are judged by (those due by age, and the
    # subscriptions renewing in the next 30 days, are counted in the counts' query),
    # and the places' labels in the lists (the tree, kept a few seconds per process)
    "home": 16,
    # user, settings, custom fields, the page's ids, its rows, their photos (one query
    # for the page's thumbnails), categories, places, holders, and the places' labels
    # in the rows (the tree, which each process keeps for a few seconds)
    "assets": 10,
    "scan": 8,  # user, audits, their counts (2), rooms, people, places, settings
    # the asset, user, history, faults, audits, rooms, audit items, settings, files,
    # custom values, its current and next reservations, the kit it is in
    "asset": 12,
}


def _grow(lead, asset) -> None:
    """Three times the data, and the same audits: assets in and out, faults, history."""
    holder = factories.make_holder("Another Holder")
    room = factories.make_location("Back store")
    cat = factories.make_category("Ladders")
    for n in range(40):
        added = factories.make_asset(lead, name=f"Ladder {n}", location=room.id, category=cat.id)
        if n % 2:
            custody.check_out(
                added.code, actor=lead, today=days(-60), holder_id=holder.id, due_back=days(-n)
            )
        if n % 5 == 0:
            maintenance.report_fault(added.code, actor=lead, description="Bent", severity="usable")
    fields = [custom_fields.create_field(f"Field {n}", "text") for n in range(5)]
    fields.append(custom_fields.create_field("Rungs", "number", category_id=cat.id))
    custom_fields.set_values(asset.code, {f.id: f"Value {f.id}" for f in fields[:5]})
    for _ in range(12):  # a long history on the measured asset
        custody.check_in(asset.code, actor=lead)
        custody.check_out(asset.code, actor=lead, today=today())
    for n in range(3):  # bookings of it: the page shows them from one query
        start = utcnow() + timedelta(days=2 * n + 1)
        reservations.reserve(
            [asset.code], actor=lead, starts_at=start, ends_at=start + timedelta(hours=5), zone=UTC
        )


def _one_not_back(lead) -> None:
    """An item left out when its kit came back, so Home's not-back list has a row."""
    body, lens = (factories.make_asset(lead, name=n) for n in ("Kit body", "Kit lens"))
    kit = kits.create("Camera kit", f"{body.code}\n{lens.code}", actor=lead)
    taking.check_out(kit.code, actor=lead, today=today())
    taking.check_in(kit.code, actor=lead, present={body.code}, confirmed=True)


def _one_waiting_for_check(lead) -> None:
    """An item returned in a category that asks for a check: Home lists it."""
    radios = factories.make_category("Radios")
    places.save_category("Radios", radios.id, check_after_return="Clean and recharge")
    radio = factories.make_asset(lead, name="Radio", category=radios.id)
    custody.check_out(radio.code, actor=lead, today=today())
    custody.check_in(radio.code, actor=lead)


def _one_renewal(lead) -> None:
    """A subscription renewing within 30 days: Home lists it."""
    make_subscription(lead, renews_on=today() + timedelta(days=10))


def _get(client, count_queries, url: str):
    with count_queries() as log:
        response = client.get(url)
    assert response.status_code == 200
    return log


@pytest.mark.parametrize("page", URLS)
def test_a_hot_page_runs_a_fixed_number_of_queries_within_its_budget(
    client, auth, count_queries, page
):
    """Three times the assets, people, faults and history: not one query more."""
    lead = auth.login("lead")
    asset = build(lead)["overdue-3"]
    _one_not_back(lead)
    _one_waiting_for_check(lead)
    _one_renewal(lead)
    url = URLS[page].format(code=asset.code)
    small = _get(client, count_queries, url)
    _grow(lead, asset)
    large = _get(client, count_queries, url)
    assert len(large) == len(small), f"{small}\n--- grew to ---\n{large}"
    assert len(large) <= BUDGET[page], f"{len(large)} queries:\n{large}"


def test_the_scanner_costs_the_same_however_many_audits_run(client, auth, count_queries):
    """Every running audit's counts come from the same two grouped queries."""
    lead = auth.login("lead")
    build(lead)
    one = _get(client, count_queries, "/scan")
    for n in range(2):
        room = factories.make_location(f"Shed {n}")
        factories.make_asset(lead, name=f"Mower {n}", location=room.id)
        audits.start(f"Shed check {n}", actor=lead, location_id=room.id)
    three = _get(client, count_queries, "/scan")
    assert len(three) == len(one), f"{one}\n--- with three audits ---\n{three}"
