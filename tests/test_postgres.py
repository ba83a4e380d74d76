"""The same app on a real PostgreSQL server, through a postgresql:// URL."""

from __future__ import annotations

import pytest
from peewee import PostgresqlDatabase

from app.migrations import LATEST
from app.models import Asset, Event, SchemaVersion, User, db

from . import factories
from .conftest import AuthActions


def test_start_up_creates_the_schema_on_postgresql(pg_app):
    """A postgresql:// URL goes through playhouse.db_url and gets the latest schema."""
    assert isinstance(db.obj, PostgresqlDatabase)
    assert SchemaVersion.get().version == LATEST
    assert {"asset", "event", "user", "location", "category"} <= set(db.get_tables())


def test_register_round_trip_on_postgresql(pg_app):
    """Set-up, sign-in, add, edit, duplicate serial and the scan page all work on PostgreSQL."""
    client = pg_app.test_client()
    factories.make_user("admin")
    auth = AuthActions(client)
    lead = auth.login("lead")
    created = client.form(
        "/assets/new", {"name": "Drill", "serial": "SN-PG-1", "cost_cents": "99.50"}
    )
    assert created.status_code == 303
    asset = Asset.get(Asset.serial == "SN-PG-1")
    assert asset.cost_cents == 9950
    dup = client.form("/assets/new", {"name": "Other", "serial": "sn-pg-1"})
    assert dup.status_code == 422
    assert Asset.select().count() == 1
    edited = client.form(
        f"/assets/{asset.code}/edit", {"name": "Drill 18V", "version": "1", "serial": "SN-PG-1"}
    )
    assert edited.status_code == 303
    kinds = [e.kind for e in Event.select().where(Event.asset == asset).order_by(Event.id)]
    assert kinds == ["created", "edited"]
    assert Event.get(Event.kind == "edited").actor_id == lead.id
    soup, page = client.soup(f"/a/{asset.code.lower()}")
    assert soup.select_one("#status-card h1").get_text(strip=True) == "Drill 18V"
    listing, _ = client.soup("/assets?q=drill")
    assert len(listing.select("#asset-results li")) == 1


def test_concurrent_writers_on_postgresql(pg_app):
    """Eight threads adding assets at once all commit, each with its event."""
    lead = User.create(name="Lead", role="lead")
    errors = factories.create_assets_concurrently(lead, threads=8, each=5)
    assert errors == []
    assert Asset.select().count() == 40
    assert Event.select().count() == 40


def test_custody_and_an_audit_on_postgresql(pg_app):
    """Check-out races lock the row (FOR UPDATE), and an audit closes set-wise, on PostgreSQL."""
    from datetime import date

    from app.audits import audits
    from app.custody import custody
    from app.errors import Refused

    lead = User.create(name="Lead", role="lead")
    sam = User.create(name="Sam", role="member")
    drill = factories.make_asset(actor=lead, name="Drill")
    saw = factories.make_asset(actor=lead, name="Saw")
    custody.check_out(drill.code, actor=sam, today=date.today(), key="pg-key-0001")
    again = custody.check_out(drill.code, actor=sam, today=date.today(), key="pg-key-0001")
    assert again.duplicate
    with pytest.raises(Refused, match="already have"):
        custody.check_out(drill.code, actor=sam, today=date.today())
    audit = audits.start("Quarter", actor=lead)
    assert audits.tick(audit.id, drill.code, actor=lead).kind == "seen"
    assert audits.tick(audit.id, drill.code, actor=lead).kind == "already"
    assert audits.close(audit.id, actor=lead) == 1
    assert Asset.get_by_id(saw.id).status == "missing"
    assert Asset.get_by_id(drill.id).status == "checked_out"
    custody.check_out(saw.code, actor=sam, today=date.today())
    kinds = [e.kind for e in Event.select().where(Event.asset == saw).order_by(Event.id)]
    assert kinds[-3:] == ["marked_missing", "found", "checked_out"]


def test_service_dates_and_the_dashboard_on_postgresql(pg_app):
    """The one-UPDATE category refresh (date + integer) and the dashboard's
    aggregate query work on PostgreSQL as on SQLite."""
    from datetime import date

    from app.custody import servicing
    from app.register import places

    client = pg_app.test_client()
    factories.make_user("admin")
    lead = AuthActions(client).login("lead")
    cat = factories.make_category("Vans")
    van = factories.make_asset(
        actor=lead, name="Van", category=cat.id, purchase_date=date(2024, 1, 1)
    )
    places.save_category(cat.name, cat.id, actor=lead, service_interval_days=30)
    assert Asset.get_by_id(van.id).service_due_on == date(2024, 1, 31)
    servicing.record_service(van.code, actor=lead, today=date(2024, 3, 1), cost_cents=5000)
    places.save_category(cat.name, cat.id, actor=lead, service_interval_days=10)
    assert Asset.get_by_id(van.id).service_due_on == date(2024, 3, 11)
    soup, response = client.soup("/")
    assert response.status_code == 200
    assert soup.select_one("#dash-service h2 .count").get_text() == "1"
    assert soup.select_one("#register-counts-title .count").get_text() == "1"
