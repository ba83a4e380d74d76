"""Schema versions: a version-1 file upgrades to the current schema, intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from app import create_app
from app.cli import main
from app.migrations import LATEST, SchemaError, current_version
from app.models import Asset, Event, SchemaVersion

V1 = (Path(__file__).parent / "data" / "schema_v1.sql").read_text()


def _shape(path: Path) -> dict:
    """Tables with their columns (name, type, notnull, pk), indexes and foreign keys."""
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        shape = {}
        for table in tables:
            cols = [(r[1], r[2], r[3], r[5]) for r in con.execute(f'PRAGMA table_info("{table}")')]
            idx = sorted(
                (r[1], r[2], tuple(c[2] for c in con.execute(f'PRAGMA index_info("{r[1]}")')))
                for r in con.execute(f'PRAGMA index_list("{table}")')
            )
            fks = sorted(
                (r[2], r[3], r[4], r[6])  # table, from, to, on_delete
                for r in con.execute(f'PRAGMA foreign_key_list("{table}")')
            )
            shape[table] = (sorted(cols), idx, fks)
        return shape
    finally:
        con.close()


def _v1_file(tmp_path: Path) -> Path:
    instance = tmp_path / "old"
    instance.mkdir()
    db_file = instance / "tagtrail.sqlite3"
    con = sqlite3.connect(db_file)
    con.executescript(V1)
    con.close()
    return instance


def _app(instance: Path, **extra):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "INSTANCE_PATH": str(instance),
            **extra,
        }
    )


def test_start_up_upgrades_a_version_1_file_to_the_fresh_schema(tmp_path):
    """Opening an old file migrates it; its schema then equals a new database's."""
    old = _v1_file(tmp_path)
    app = _app(old)
    fresh = tmp_path / "fresh"
    _app(fresh)
    assert _shape(old / "tagtrail.sqlite3") == _shape(fresh / "tagtrail.sqlite3")
    with app.app_context():
        assert current_version() == LATEST == SchemaVersion.get().version


def test_upgrade_keeps_every_row(tmp_path):
    """Assets, events and settings written by version 1 are all still there."""
    app = _app(_v1_file(tmp_path))
    with app.app_context():
        asset = Asset.get(Asset.code == "ABC123")
        assert (asset.name, asset.serial, asset.cost_cents, asset.status) == (
            "Old drill",
            "SN-OLD",
            12900,
            "checked_out",
        )
        assert asset.holder.name == "Old Admin"
        assert asset.version == 1
        assert [e.kind for e in Event.select().order_by(Event.id)] == ["created", "checked_out"]
        assert Event.get_by_id(1).data == {"name": "Old drill"}


def test_migrate_command_reports_the_upgrade(tmp_path, monkeypatch):
    """`tagtrail migrate` upgrades an old file and says so; a second run has nothing to do."""
    old = _v1_file(tmp_path)
    monkeypatch.setenv("TAGTRAIL_INSTANCE", str(old))
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    first = CliRunner().invoke(main, ["migrate"])
    assert first.exit_code == 0, first.output
    assert f"1 → {LATEST}" in first.output
    second = CliRunner().invoke(main, ["migrate"])
    assert f"Already at schema version {LATEST}" in second.output


def test_a_newer_schema_is_refused(tmp_path):
    """A file from a newer tagtrail is left alone with a clear error."""
    old = _v1_file(tmp_path)
    con = sqlite3.connect(old / "tagtrail.sqlite3")
    con.execute("UPDATE schema_version SET version = ?", (LATEST + 1,))
    con.commit()
    con.close()
    with pytest.raises(SchemaError, match="newer than this tagtrail"):
        _app(old)


def test_foreign_tables_without_a_version_are_refused(tmp_path):
    """A database with our tables but no version row is not guessed at."""
    old = _v1_file(tmp_path)
    con = sqlite3.connect(old / "tagtrail.sqlite3")
    con.execute("DROP TABLE schema_version")
    con.commit()
    con.close()
    with pytest.raises(SchemaError):
        _app(old)
