"""Backups carry the uploads too: fault photos, attachments and their thumbnails."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from app.cli import main
from app.models import Attachment, db
from app.ops import backup
from app.register import attachments, uploads

from . import factories

pytestmark = pytest.mark.sqlite_only  # `tagtrail backup` copies the SQLite file

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def env(app, monkeypatch):
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    return Path(app.instance_path)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "JPEG")
    return out.getvalue()


def _attach(instance: Path, content: bytes, name: str) -> Attachment:
    asset = factories.make_asset(name=f"Thing for {name}")
    lead = factories.make_user("lead")
    return attachments.add(
        asset.code,
        actor=lead,
        stream=io.BytesIO(content),
        original_name=name,
        folder=instance / "uploads",
    ).attachment


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_backup_copies_attachments_thumbnails_and_fault_photos(env, tmp_path):
    """`tagtrail backup DIR` puts every upload in DIR/uploads; a second run copies only
    what is new, and never drops a file an older database copy may still need."""
    photo = _attach(env, _jpeg(), "photo.jpg")
    doc = _attach(env, PDF, "manual.pdf")
    uploads.save_image(io.BytesIO(_jpeg()), env / "uploads")  # a fault photo
    dest = tmp_path / "backups"
    dest.mkdir()

    result = CliRunner().invoke(main, ["backup", str(dest)])
    assert result.exit_code == 0, result.output
    assert "4 new file(s)" in result.output
    copied = _files(dest / "uploads")
    assert copied == _files(env / "uploads")
    assert photo.stored_name in copied and doc.stored_name in copied
    assert str(uploads.thumb_path(Path(""), photo.stored_name)) in copied

    lead = factories.make_user("lead")
    attachments.remove(photo.asset.code, photo.id, actor=lead, folder=env / "uploads")
    newer = _attach(env, PDF, "receipt.pdf")
    result = CliRunner().invoke(main, ["backup", str(dest)])
    assert result.exit_code == 0, result.output
    assert "1 new file(s)" in result.output
    kept = _files(dest / "uploads")
    assert newer.stored_name in kept and photo.stored_name in kept
    assert len(list(dest.glob("tagtrail-*.sqlite3"))) >= 1
    assert not list(dest.rglob("*.partial"))


def test_restore_brings_back_missing_uploads(env, tmp_path):
    """After losing the instance folder's files, a restore puts the files back beside the
    database that refers to them."""
    doc = _attach(env, PDF, "manual.pdf")
    CliRunner().invoke(main, ["backup", str(tmp_path / "nightly.sqlite3")])
    for path in (env / "uploads").rglob("*"):
        if path.is_file():
            path.unlink()
    db.close()
    result = CliRunner().invoke(main, ["restore", str(tmp_path / "nightly.sqlite3"), "--yes"])
    assert result.exit_code == 0, result.output
    assert (env / "uploads" / doc.stored_name).read_bytes() == PDF
    assert "Copied 1 upload(s)" in result.output


def test_backup_into_a_missing_folder_is_refused_cleanly(env, tmp_path):
    _attach(env, PDF, "manual.pdf")
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "nowhere" / "copy.sqlite3")])
    assert result.exit_code != 0
    assert "There is no folder" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_copy_uploads_skips_a_file_removed_while_walking(tmp_path, monkeypatch):
    """A file deleted between listing and copying is skipped, not a crash."""
    source, dest = tmp_path / "src", tmp_path / "dst"
    source.mkdir()
    (source / "a.pdf").write_bytes(PDF)
    (source / "b.pdf").write_bytes(PDF)
    real_copy = backup.shutil.copy2

    def vanish(src, dst):
        if Path(src).name == "a.pdf":
            Path(src).unlink()
        return real_copy(src, dst)

    monkeypatch.setattr(backup.shutil, "copy2", vanish)
    assert backup.copy_uploads(source, dest) == 1
    assert sorted(p.name for p in dest.iterdir()) == ["b.pdf"]
