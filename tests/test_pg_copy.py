"""`tagtrail copy-to-postgres`: an SQLite register moves to PostgreSQL whole."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app import create_app
from app.cli import main
from app.models import MODELS, Asset, AuditTick, Event, Location, SchemaVersion, User, db
from app.ops import demo

from .conftest import Client
from .postgres import create_database

CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production"}


def _snapshot() -> dict:
    """Every row of every table, as Python values."""
    return {
        m._meta.table_name: sorted(
            m.select().order_by(m._meta.primary_key).tuples(), key=lambda r: str(r[0])
        )
        for m in MODELS
        if m is not SchemaVersion
    }


@pytest.fixture
def sqlite_app(tmp_path, monkeypatch):
    monkeypatch.delenv("TAGTRAIL_DATABASE_URL", raising=False)
    app = create_app({**CONFIG, "INSTANCE_PATH": str(tmp_path / "sqlite")})
    with app.app_context():
        demo.build(password="demo-password-1")
        # A location whose parent was made after it, as re-parenting leaves them.
        late = Location.create(name="Annex", code="ANNEX1")
        Location.update(parent=late).where(Location.name == "Workshop").execute()
    return app


def test_copy_moves_every_row_and_the_app_carries_on(sqlite_app, pg_server, tmp_path):
    with sqlite_app.app_context():
        before = _snapshot()
        db.close()
    assert before["event"] and before["asset"] and before["location"]
    assert before["custom_field"] and before["custom_value"]  # numbers and dates among them
    url = create_database(pg_server, "copy_target")
    sqlite_url = sqlite_app.config["DATABASE_URL"]

    result = CliRunner().invoke(main, ["copy-to-postgres", url, "--from", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "Copied" in result.output

    pg = create_app({**CONFIG, "INSTANCE_PATH": str(tmp_path / "pg"), "DATABASE_URL": url})
    pg.test_client_class = Client
    with pg.app_context():
        assert _snapshot() == before  # dates, booleans, JSON and ids, all equal
        # Sequences moved on: new rows get fresh ids, not a clash with copied ones.
        newest_copied = Asset.select().order_by(Asset.id.desc()).first()
        highest = newest_copied.id
        lead = User.get(User.role == "lead")
        db.close()
    client = pg.test_client()
    signed_in = client.form("/login", {"email": lead.email, "password": "demo-password-1"})
    assert signed_in.status_code == 303  # the copied password hash still works
    page = client.get(f"/A/{newest_copied.code}")
    assert page.status_code == 200 and newest_copied.name in page.get_data(as_text=True)
    created = client.form("/assets/new", {"name": "First asset on PostgreSQL", "version": ""})
    assert created.status_code == 303, created.get_data(as_text=True)
    with pg.app_context():
        newest = Asset.get(Asset.name == "First asset on PostgreSQL")
        assert newest.id == highest + 1
        assert Event.select().where(Event.asset == newest).count() >= 1
        assert AuditTick.select().count() == len(before["audit_tick"])
        db.close()


def test_copy_refuses_a_database_that_already_has_tables(sqlite_app, pg_server, tmp_path):
    url = create_database(pg_server, "copy_busy")
    create_app({**CONFIG, "INSTANCE_PATH": str(tmp_path / "pg"), "DATABASE_URL": url})
    db.close()
    result = CliRunner().invoke(
        main, ["copy-to-postgres", url, "--from", sqlite_app.config["DATABASE_URL"]]
    )
    assert result.exit_code == 1
    assert "already has tables" in result.output


def test_copy_refuses_a_sqlite_target(sqlite_app, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "copy-to-postgres",
            f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "--from",
            sqlite_app.config["DATABASE_URL"],
        ],
    )
    assert result.exit_code == 1
    assert "must be a PostgreSQL URL" in result.output
