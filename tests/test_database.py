"""The database layer: SQLite settings, the single write path, demo data."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.cli import main
from app.database import write
from app.kits import kits
from app.models import Asset, Category, Event, Kit, Location, User, db
from app.ops import demo

from . import factories


@pytest.mark.sqlite_only
def test_sqlite_runs_with_wal_normal_sync_foreign_keys_and_busy_timeout(app):
    """Every connection gets the pragmas the design asks for."""
    pragma = lambda name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 1  # NORMAL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") >= 5000


@pytest.mark.sqlite_only
def test_write_begins_immediate(app, monkeypatch):
    """The write helper takes the write lock at BEGIN, not at the first write."""
    statements = []
    real = db.obj.execute_sql
    monkeypatch.setattr(
        db.obj, "execute_sql", lambda sql, *a, **k: statements.append(sql) or real(sql, *a, **k)
    )
    cursor_begin = []
    real_begin = db.obj.begin
    monkeypatch.setattr(
        db.obj,
        "begin",
        lambda lock_type=None: cursor_begin.append(lock_type) or real_begin(lock_type),
    )
    with write():
        Category.create(name="Ladders")
    assert cursor_begin == ["IMMEDIATE"]


def test_a_failed_write_leaves_nothing_behind(app):
    """An error inside write() rolls back every statement in it."""
    with pytest.raises(RuntimeError), write():
        Category.create(name="Half")
        raise RuntimeError("boom")
    assert not Category.select().where(Category.name == "Half").exists()


def test_nested_writes_share_the_outer_transaction(app):
    """A service calling another service inside its write commits once, together."""
    with pytest.raises(RuntimeError), write():
        with write():
            Category.create(name="Inner")
        raise RuntimeError("outer fails")
    assert not Category.select().where(Category.name == "Inner").exists()


def test_concurrent_writers_never_see_database_is_locked(app):
    """Sixteen threads creating assets at once all succeed, each with its event."""
    lead = factories.make_user("lead")
    errors = factories.create_assets_concurrently(lead, threads=16, each=5)
    assert errors == []
    assert Asset.select().count() == 80
    assert Event.select().where(Event.kind == "created").count() == 80


def test_demo_builds_a_believable_organisation(app):
    """About 60 assets in 6 categories, a location tree, people, weeks of history."""
    accounts = demo.build(password="demo-password")
    assert {u.role for u in accounts} == {"admin", "lead", "member"}
    assert User.select().where(User.active == True).count() == 5  # noqa: E712
    # and three who have left, still holding subscription seats (demo_subscriptions.py)
    assert User.select().where(User.active == False).count() == 3  # noqa: E712
    assert Category.select().count() == 6
    assert 55 <= Asset.select().count() <= 65
    assert Location.select().where(Location.parent.is_null(False)).exists()
    assert Event.select().where(Event.kind == "checked_out").count() > 10
    # The management pages have something to show: book values and service dates.
    assert not Category.select().where(Category.useful_life_months.is_null()).exists()
    serviced = Asset.select().where(Asset.service_due_on.is_null(False))
    assert 0 < serviced.count() < Asset.select().count()
    # The projection agrees with the history: whoever holds an asset had it checked out last.
    for asset in Asset.select().where(Asset.status == "checked_out"):
        last = asset.events.order_by(Event.at.desc(), Event.id.desc()).first()
        assert (last.kind, last.holder_id) == ("checked_out", asset.holder_id)
    # A kit to book and take: a camera body, two lenses and a battery, all in the store.
    kit = Kit.get(Kit.name == "Camera kit")
    items = kits.items(kit)
    assert [a.model_name for a in items] == list(demo.KIT_MODELS)
    assert all(a.holder_id is None and a.status == "available" for a in items)


def test_demo_command_refuses_a_database_with_data_unless_forced(app, monkeypatch):
    """`tagtrail demo` fills an empty database once; again only with --force."""
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    runner = CliRunner()
    first = runner.invoke(main, ["demo", "--password", "demo-password"])
    assert first.exit_code == 0, first.output
    assert "lead@demo.tagtrail" in first.output and "demo-password" in first.output
    count = Asset.select().count()
    again = runner.invoke(main, ["demo"])
    assert again.exit_code == 1 and "--force" in again.output
    assert Asset.select().count() == count
    forced = runner.invoke(main, ["demo", "--force", "--password", "demo-password"])
    assert forced.exit_code == 0
    assert Asset.select().count() == 2 * count


def test_requests_share_pooled_connections(app, client, auth):
    """Requests hand their connection back instead of closing it: twenty pages
    use one connection, not twenty."""
    used = []

    @app.after_request
    def note_connection(response):
        used.append(db.connection())
        return response

    auth.login("lead")
    asset = factories.make_asset()
    db.close()
    used.clear()
    for _ in range(20):
        assert client.get(f"/A/{asset.code}").status_code == 200
    assert len(used) == 20 and len({id(c) for c in used}) == 1


@pytest.mark.sqlite_only
def test_pooled_connections_hold_no_snapshot_between_requests(app, client, auth):
    """After a walk through the busiest pages, another process's write shows at
    once, and a full checkpoint finds no reader holding the log back: no pooled
    connection keeps a read transaction open while it waits in the pool."""
    import sqlite3

    from app.ops import demo

    demo.build(password="demo-password")
    auth.login("admin")
    asset = Asset.select().order_by(Asset.id).first()
    pages = [f"/A/{asset.code}", "/", "/assets?q=a", "/activity", "/reports", "/export"]
    pages += ["/reports/utilisation", "/reports/value", "/audits", "/people", "/locations"]
    for path in pages:
        assert client.get(path).status_code == 200, path
    db.close()

    other = sqlite3.connect(db.obj.database, isolation_level=None)
    try:
        other.execute("UPDATE asset SET name = 'Renamed elsewhere' WHERE id = ?", (asset.id,))
        assert "Renamed elsewhere" in client.get(f"/A/{asset.code}").get_data(as_text=True)
        db.close()
        busy, _, _ = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        other.close()


@pytest.mark.sqlite_only
def test_a_cursor_kept_past_its_request_cannot_pin_an_old_snapshot(app):
    """Code that keeps a half-read cursor (a bug, but one easily made) would hold
    its pooled connection on an old snapshot; going back to the pool ends it."""
    import sqlite3

    from app.database import close_connection

    asset = factories.make_asset(name="Before")
    factories.make_asset()
    kept = db.execute_sql("SELECT id FROM asset")
    kept.fetchone()
    close_connection()

    other = sqlite3.connect(db.obj.database, isolation_level=None)
    try:
        other.execute("UPDATE asset SET name = 'After' WHERE id = ?", (asset.id,))
        assert Asset.get_by_id(asset.id).name == "After"
        close_connection()
        busy, _, _ = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        other.close()
    assert kept is not None


def test_a_transaction_left_open_is_rolled_back_when_the_connection_goes_back(app):
    """A request that dies inside a transaction cannot leave it to the next one."""
    from app.database import close_connection

    db.begin()
    Category.create(name="Never committed")
    close_connection()
    assert not db.in_transaction()
    assert not Category.select().where(Category.name == "Never committed").exists()


@pytest.mark.sqlite_only
def test_rebinding_closes_the_previous_pool(app, tmp_path):
    """Each app built in one process (tests, commands) leaves no database file open."""
    import os

    from app import create_app

    def open_files():
        return sum(
            1
            for fd in os.listdir("/proc/self/fd")
            if os.path.realpath(f"/proc/self/fd/{fd}").endswith(".sqlite3")
        )

    Category.select().count()
    for n in range(5):
        create_app(
            {"TESTING": True, "SECRET_KEY": "x" * 32, "INSTANCE_PATH": str(tmp_path / f"i{n}")}
        )
        Category.select().count()
    assert open_files() <= 1


def test_more_threads_than_a_default_pool_holds_all_get_a_connection(app):
    """Forty threads reading at once (a server started with --threads 40): none
    is refused for want of a pooled connection."""
    import threading

    from app.database import close_connection

    factories.make_asset()
    barrier, errors = threading.Barrier(40), []

    def read():
        try:
            barrier.wait(timeout=20)
            Asset.select().count()
            barrier.wait(timeout=20)  # every thread holds its connection here
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(repr(exc))
            barrier.abort()
        finally:
            close_connection()

    threads = [threading.Thread(target=read) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
