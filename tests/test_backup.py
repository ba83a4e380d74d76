"""Backups: an online, consistent copy; a restore that refuses what it cannot vouch for."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.migrations import LATEST
from app.models import Asset, Event, db
from app.ops import backup

from . import factories

pytestmark = pytest.mark.sqlite_only  # backups here are of the SQLite file


@pytest.fixture
def env(app, monkeypatch):
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    return Path(app.instance_path) / "tagtrail.sqlite3"


def _count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    finally:
        con.close()


def test_backup_while_writers_keep_writing_is_consistent(app, env, tmp_path):
    """Copies taken during a burst of writes are intact, and every asset has its event."""
    lead = factories.make_user("lead")
    stop = threading.Event()

    def write():
        n = 0
        try:
            while not stop.is_set() and n < 300:
                factories.make_asset(actor=lead, name=f"Busy {n}")
                n += 1
        finally:
            db.close()

    writer = threading.Thread(target=write)
    writer.start()
    copies = [backup.backup(env, tmp_path / f"copy-{i}.sqlite3") for i in range(5)]
    stop.set()
    writer.join()
    for copy in copies:
        assert backup.check(copy) == LATEST
        assets, created = _count(copy, "asset"), 0
        con = sqlite3.connect(copy)
        created = con.execute("SELECT COUNT(*) FROM event WHERE kind = 'created'").fetchone()[0]
        con.close()
        assert assets == created  # never an asset without its event, or the reverse


def test_backup_command_writes_a_dated_file_into_a_folder(env, tmp_path):
    """`tagtrail backup DIR` names the copy by date; `tagtrail backup FILE` uses the name."""
    factories.make_asset(name="Drill")
    result = CliRunner().invoke(main, ["backup", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [written] = tmp_path.glob("tagtrail-*.sqlite3")
    assert _count(written, "asset") == 1
    named = tmp_path / "nightly.sqlite3"
    assert CliRunner().invoke(main, ["backup", str(named)]).exit_code == 0
    assert backup.check(named) == LATEST


def test_restore_brings_back_the_backup_and_keeps_the_old_database(env, tmp_path):
    """After a restore the database is the backup's; the replaced one is kept beside it."""
    factories.make_asset(name="Before")
    saved = backup.backup(env, tmp_path / "saved.sqlite3")
    factories.make_asset(name="After the backup")
    db.close()
    result = CliRunner().invoke(main, ["restore", str(saved), "--yes"])
    assert result.exit_code == 0, result.output
    assert sorted(a.name for a in Asset.select()) == ["Before"]
    [kept] = env.parent.glob("tagtrail.before-restore-*.sqlite3")
    assert _count(kept, "asset") == 2
    assert Event.select().count() == 1


@pytest.mark.parametrize("damage", ["random bytes", "truncated", "not ours", "newer schema"])
def test_restore_refuses_what_it_cannot_vouch_for(env, tmp_path, damage):
    """Corrupt, foreign or newer files are refused and the database is left alone."""
    factories.make_asset(name="Keep me")
    bad = tmp_path / "bad.sqlite3"
    if damage == "random bytes":
        bad.write_bytes(b"\x00not a database at all\xff" * 100)
    elif damage == "truncated":
        good = backup.backup(env, tmp_path / "good.sqlite3")
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif damage == "not ours":
        con = sqlite3.connect(bad)
        con.execute("CREATE TABLE notes (text TEXT)")
        con.commit()
        con.close()
    else:
        backup.backup(env, bad)
        con = sqlite3.connect(bad)
        con.execute("UPDATE schema_version SET version = ?", (LATEST + 1,))
        con.commit()
        con.close()
    result = CliRunner().invoke(main, ["restore", str(bad), "--yes"])
    assert result.exit_code != 0
    assert "Error" in result.output
    assert [a.name for a in Asset.select()] == ["Keep me"]
    assert not list(env.parent.glob("*.before-restore-*"))


def test_postgresql_is_pointed_at_pg_dump():
    """Backups here are SQLite's; PostgreSQL gets a clear pointer instead of a failure."""
    with pytest.raises(backup.BackupError, match="pg_dump"):
        backup.database_file("postgresql://u@h/db")
