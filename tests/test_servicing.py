"""Service intervals and "Service done", warranty wording, and the new asset and
category fields, through the real forms."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app import models
from app.custody import custody, servicing
from app.errors import Invalid
from app.models import Asset, Category, Event
from app.register import assets, places

from . import factories
from .pages import counts, field_error, form_values, soup_of

# Service due dates are counted in days from today.
pytestmark = pytest.mark.usefixtures("clock")


def today() -> date:
    return datetime.now(UTC).date()  # the test organisation's time zone is UTC


def days(n: int) -> date:
    return today() + timedelta(days=n)


def category(interval: int | None, name: str | None = None) -> Category:
    cat = factories.make_category(name)
    if interval is not None:
        places.save_category(cat.name, cat.id, service_interval_days=interval)
    return Category.get_by_id(cat.id)


def due(asset) -> date | None:
    return Asset.get_by_id(asset.id).service_due_on


# The projection ------------------------------------------------------------


def test_due_date_runs_from_purchase_then_from_creation(app):
    """Never serviced: the category's interval counts from the purchase date, or from
    the day the asset was added when there is none; no interval, no date."""
    cat = category(30)
    bought = factories.make_asset(category=cat.id, purchase_date=date(2024, 1, 1))
    unbought = factories.make_asset(category=cat.id)
    plain = factories.make_asset(purchase_date=date(2024, 1, 1))
    assert due(bought) == date(2024, 1, 31)
    assert due(unbought) == Asset.get_by_id(unbought.id).created_at.date() + timedelta(days=30)
    assert due(plain) is None


def test_an_assets_own_interval_overrides_its_category(app):
    cat = category(30)
    lead = factories.make_user("lead")
    asset = factories.make_asset(category=cat.id, purchase_date=date(2024, 1, 1))
    assets.update_asset(asset.code, {"service_interval_days": 10}, version=1, actor=lead)
    assert due(asset) == date(2024, 1, 11)
    assets.update_asset(asset.code, {"service_interval_days": None}, version=2, actor=lead)
    assert due(asset) == date(2024, 1, 31)
    # Moving it to a category without an interval: nothing is due any more.
    other = category(None)
    assets.update_asset(asset.code, {"category": other.id}, version=3, actor=lead)
    assert due(asset) is None


def test_a_category_change_moves_its_followers_in_one_update(app, monkeypatch):
    """A new category interval recomputes every follower's date in one UPDATE
    statement; assets with their own interval, and other categories, stay put."""
    cat, other = category(30), category(30)
    lead = factories.make_user("lead")
    followers = [
        factories.make_asset(category=cat.id, purchase_date=date(2024, 1, d)) for d in (1, 2, 3)
    ]
    own = factories.make_asset(category=cat.id, purchase_date=date(2024, 1, 1))
    assets.update_asset(own.code, {"service_interval_days": 5}, version=1, actor=lead)
    elsewhere = factories.make_asset(category=other.id, purchase_date=date(2024, 1, 1))

    statements = []
    original = models.db.obj.execute_sql

    def counting(sql, *args, **kwargs):
        statements.append(sql)
        return original(sql, *args, **kwargs)

    monkeypatch.setattr(models.db.obj, "execute_sql", counting)
    places.save_category(cat.name, cat.id, actor=lead, service_interval_days=60)
    monkeypatch.undo()

    updates = [s for s in statements if s.startswith('UPDATE "asset"')]
    assert len(updates) == 1, updates
    assert [due(a) for a in followers] == [date(2024, 3, d) for d in (1, 2, 3)]
    assert due(own) == date(2024, 1, 6)
    assert due(elsewhere) == date(2024, 1, 31)
    event = Event.select().order_by(Event.id.desc()).first()
    assert (event.kind, event.asset_id, event.actor_id) == ("edited", None, lead.id)
    assert event.data == {"service_interval_days": [30, 60]}
    assert cat.name in event.note

    places.save_category(cat.name, cat.id, actor=lead, service_interval_days=None)
    assert [due(a) for a in followers] == [None, None, None]
    assert due(own) == date(2024, 1, 6)


def test_category_sql_and_python_agree_after_a_service(app):
    """The one-UPDATE path counts from the last service too, like the Python one."""
    cat = category(30)
    lead = factories.make_user("lead")
    asset = factories.make_asset(category=cat.id, purchase_date=date(2024, 1, 1))
    servicing.record_service(asset.code, actor=lead, today=date(2024, 6, 1))
    assert due(asset) == date(2024, 7, 1)
    places.save_category(cat.name, cat.id, actor=lead, service_interval_days=10)
    assert due(asset) == date(2024, 6, 11)
    fresh = Asset.get_by_id(asset.id)
    assert servicing.due_on(fresh, fresh.category) == date(2024, 6, 11)


# Service done ----------------------------------------------------------------


def test_lead_records_service_done_with_a_cost(client, auth):
    """One `serviced` event with the cost in cents; the next date moves on from today."""
    lead = auth.login("lead")
    asset = factories.make_asset(category=category(90).id, purchase_date=date(2020, 1, 1))
    page = soup_of(client.get(f"/A/{asset.code}/service"))
    response = client.form(
        f"/A/{asset.code}/service", {**form_values(page), "note": "New filter", "cost": "42.50"}
    )
    assert response.status_code == 303
    fresh = Asset.get_by_id(asset.id)
    assert fresh.last_serviced_on == today()
    assert fresh.service_due_on == days(90)
    event = Event.get(Event.kind == "serviced")
    assert event.data["cost_cents"] == 4250
    assert (event.note, event.actor_id, event.asset_id) == ("New filter", lead.id, asset.id)

    soup = soup_of(client.get(f"/A/{asset.code}"))
    assert (
        soup.select_one("#next-service")
        .get_text(strip=True)
        .startswith(days(90).strftime("%d %b %Y"))
    )
    assert "due in 90 days" in soup.select_one("#next-service").get_text()
    assert "Service done" in soup.select_one("#timeline li").get_text()


def test_service_done_twice_with_one_form_writes_once(client, auth):
    auth.login("lead")
    asset = factories.make_asset()
    values = {"key": "service-key-0001", "cost": ""}
    first = client.form(f"/A/{asset.code}/service", values, htmx="status-card")
    second = client.form(f"/A/{asset.code}/service", values, htmx="status-card")
    assert first.status_code == second.status_code == 200
    assert "Already done" in second.get_data(as_text=True)
    events = list(Event.select().where(Event.kind == "serviced"))
    assert len(events) == 1
    assert events[0].data["cost_cents"] is None
    assert Asset.get_by_id(asset.id).service_due_on is None  # no interval anywhere


@pytest.mark.parametrize("cost", ["abc", "-5", "1.234"])
def test_a_bad_cost_is_refused_and_nothing_changes(client, auth, cost):
    auth.login("lead")
    asset = factories.make_asset()
    before = counts()
    response = client.form(f"/A/{asset.code}/service", {"cost": cost})
    assert response.status_code == 422
    assert field_error(soup_of(response), "cost")
    assert counts() == before
    assert Asset.get_by_id(asset.id).last_serviced_on is None


def test_members_cannot_record_a_service(client, auth):
    auth.login("member")
    asset = factories.make_asset()
    assert client.form(f"/A/{asset.code}/service", {}).status_code == 403
    assert not Event.select().where(Event.kind == "serviced").exists()


def test_service_done_on_a_retired_item_is_refused(client, auth):
    lead = auth.login("lead")
    asset = factories.make_asset()
    custody.retire(asset.code, actor=lead, reason="scrapped")
    response = client.form(f"/A/{asset.code}/service", {})
    assert response.status_code == 409
    assert not Event.select().where(Event.kind == "serviced").exists()


# Forms -------------------------------------------------------------------------


def test_asset_form_saves_the_new_fields_as_an_edit(client, auth):
    """Order number, old tag and own interval: saved, recorded before/after, searchable."""
    auth.login("lead")
    cat = category(30)
    asset = factories.make_asset(name="Pump", category=cat.id, purchase_date=date(2024, 1, 1))
    values = form_values(soup_of(client.get(f"/assets/{asset.code}/edit")))
    values.update(order_number="PO-77", external_tag="OLD-0042", service_interval_days="14")
    response = client.form(f"/assets/{asset.code}/edit", values)
    assert response.status_code == 303
    fresh = Asset.get_by_id(asset.id)
    assert (fresh.order_number, fresh.external_tag, fresh.service_interval_days) == (
        "PO-77",
        "OLD-0042",
        14,
    )
    assert fresh.service_due_on == date(2024, 1, 15)
    edit = Event.get(Event.kind == "edited", Event.asset == asset)
    assert edit.data == {
        "order_number": ["", "PO-77"],
        "external_tag": ["", "OLD-0042"],
        "service_interval_days": [None, 14],
    }
    names = [s.get_text() for s in soup_of(client.get("/assets?q=old-0042")).select(".row-main")]
    assert len(names) == 1 and "Pump" in names[0]


@pytest.mark.parametrize("interval", ["0", "3651", "ten", "-3", "1.5"])
def test_asset_form_refuses_a_bad_interval(client, auth, interval):
    auth.login("lead")
    asset = factories.make_asset()
    values = form_values(soup_of(client.get(f"/assets/{asset.code}/edit")))
    before = counts()
    response = client.form(
        f"/assets/{asset.code}/edit", {**values, "service_interval_days": interval}
    )
    assert response.status_code == 422
    assert "whole number from 1 to 3650" in field_error(soup_of(response), "service_interval_days")
    assert counts() == before


def test_category_form_saves_and_validates_the_numbers(client, auth):
    auth.login("lead")
    response = client.form(
        "/categories/new",
        {
            "name": "Pumps",
            "service_interval_days": "180",
            "useful_life_months": "60",
            "salvage_percent": "10",
        },
    )
    assert response.status_code == 303
    cat = Category.get(Category.name == "Pumps")
    assert (cat.service_interval_days, cat.useful_life_months, cat.salvage_percent) == (
        180,
        60,
        10,
    )
    bad = {"name": "Pumps", "useful_life_months": "0", "salvage_percent": "101"}
    response = client.form(f"/categories/{cat.id}/edit", bad)
    assert response.status_code == 422
    soup = soup_of(response)
    assert "0 to 100" in field_error(soup, "salvage_percent")
    assert "1 to 600" in field_error(soup, "useful_life_months")
    fresh = Category.get_by_id(cat.id)
    assert (fresh.useful_life_months, fresh.salvage_percent) == (60, 10)
    # Clearing a number is allowed: blank means none.
    response = client.form(f"/categories/{cat.id}/edit", {"name": "Pumps"})
    assert response.status_code == 303
    fresh = Category.get_by_id(cat.id)
    assert (fresh.service_interval_days, fresh.useful_life_months) == (None, None)


def test_the_service_checks_category_numbers_too(app):
    with pytest.raises(Invalid) as caught:
        places.save_category("Vans", salvage_percent=-1, service_interval_days=0)
    assert set(caught.value.errors) == {"salvage_percent", "service_interval_days"}
    assert not Category.select().exists()


# Warranty on the asset page -------------------------------------------------------


@pytest.mark.parametrize(
    "offset, words",
    [(10, "Ends in 10 days"), (1, "Ends tomorrow"), (0, "Ends today"), (-1, "Ended")],
)
def test_warranty_end_is_said_in_days(client, auth, offset, words):
    auth.login("member")
    asset = factories.make_asset(warranty_end=days(offset))
    text = soup_of(client.get(f"/A/{asset.code}")).select_one("#warranty").get_text(strip=True)
    assert text == f"{words} ({days(offset):%d %b %Y})"
