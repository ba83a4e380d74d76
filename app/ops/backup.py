"""Backups of the SQLite database: an online, consistent copy, and a restore
that refuses anything it cannot vouch for."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from .. import migrations


class BackupError(RuntimeError):
    """Why a backup or restore was refused, in words for the operator."""


def database_file(url: str) -> Path:
    """The SQLite file behind a database URL (backups here are for SQLite)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("sqlite"):
        raise BackupError("This database is not SQLite: back PostgreSQL up with pg_dump.")
    return Path(parts.path[1:] if parts.path.startswith("//") else parts.path)


def _copy(source: sqlite3.Connection, dest: Path) -> None:
    """SQLite's online backup into a temporary file, checked, then renamed into
    place: a crash half-way never leaves a half-written backup at `dest`."""
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # consistent even while the server keeps writing
        ok = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
    if ok != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {ok}")
    os.replace(partial, dest)


def backup(db_file: Path, dest: Path) -> Path:
    """Copy the live database to `dest` (a file, or a folder for a dated name)."""
    if not db_file.exists():
        raise BackupError(f"There is no database at {db_file}.")
    if dest.is_dir():
        dest = dest / f"tagtrail-{datetime.now(UTC):%Y%m%d-%H%M%S}.sqlite3"
    source = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30)
    try:
        _copy(source, dest)
    finally:
        source.close()
    return dest


def copy_uploads(source: Path, dest: Path) -> int:
    """Copy the files in `source` (recursively) that `dest` does not have yet;
    return how many. Uploads get random names and never change, so a name that
    is already there is the same file. Nothing is ever deleted from `dest`:
    older database copies may still refer to files removed since."""
    if not source.is_dir():
        return 0
    copied = 0
    for path in sorted(source.rglob("*")):
        target = dest / path.relative_to(source)
        if not path.is_file() or target.exists() or path.name.endswith(".partial"):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        try:
            shutil.copy2(path, partial)
        except FileNotFoundError:
            partial.unlink(missing_ok=True)
            continue  # removed while we walked: its row is gone too
        os.replace(partial, target)  # never a half-copied file under the real name
        copied += 1
    return copied


def backup_all(db_file: Path, uploads: Path, dest: Path) -> tuple[Path, int]:
    """The database (as `backup`) and the uploads (photos, documents, thumbnails)
    into an `uploads/` folder beside the copy. Returns the copy and how many files
    were new.

    Uploads are copied before and after the database: a file is written before
    its row is committed and deleted after its row is, so every row in the copy
    finds its file."""
    folder = dest if dest.is_dir() else dest.parent
    if not folder.is_dir():
        raise BackupError(f"There is no folder at {folder}.")
    if not db_file.exists():
        raise BackupError(f"There is no database at {db_file}.")
    copied = copy_uploads(uploads, folder / "uploads")
    written = backup(db_file, dest)
    copied += copy_uploads(uploads, folder / "uploads")
    return written, copied


def check(candidate: Path) -> int:
    """The schema version of a backup file, after making sure it is one of ours
    and intact. Raises BackupError otherwise."""
    if not candidate.is_file():
        raise BackupError(f"There is no file at {candidate}.")
    try:
        con = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"{candidate} is damaged: {result}")
            tables = {
                row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if not {"schema_version", "asset", "event", "user"} <= tables:
                raise BackupError(f"{candidate} is not a tagtrail database.")
            version = con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{candidate} is not a readable SQLite database ({exc}).") from None
    if version is None or version > migrations.LATEST:
        raise BackupError(
            f"{candidate} is schema version {version}; this tagtrail reads up to "
            f"{migrations.LATEST}. Upgrade tagtrail first."
        )
    return version


def restore(candidate: Path, db_file: Path) -> tuple[int, Path | None]:
    """Replace the database with a checked backup. The current database is kept
    beside it first. Returns the backup's schema version and where the old one went.
    Start-up (or `tagtrail migrate`) then upgrades an older backup."""
    version = check(candidate)
    kept = None
    if db_file.exists():
        kept = backup(
            db_file,
            db_file.with_name(
                f"{db_file.stem}.before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}.sqlite3"
            ),
        )
    source = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
    target = sqlite3.connect(db_file, timeout=30)
    try:
        source.backup(target)  # through SQLite, so the WAL and open readers stay coherent
    finally:
        target.close()
        source.close()
    return version, kept
