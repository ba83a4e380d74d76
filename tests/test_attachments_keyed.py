"""One upload stored under an action key (uploads.store_under_key), the flow an
asset's attachments and a subscription's documents share: the file stays only
when its row was written; a repeat, a concurrent twin or a failed write leaves
nothing on disk."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from peewee import IntegrityError
from PIL import Image

from app.errors import Invalid
from app.models import Attachment, SubscriptionAttachment, User
from app.register import attachments, uploads
from app.subscriptions import documents

from . import factories
from .subscription_kit import make_subscription

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
KEY = "upload-key-0001"


@dataclass
class Result:
    message: str
    duplicate: bool = False


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "green").save(out, "PNG")
    return out.getvalue()


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_recorded_upload_keeps_its_file_and_gets_the_cleaned_key(tmp_path):
    seen = []

    def record(stored, key):
        seen.append((stored, key))
        return Result("Added.")

    result = uploads.store_under_key(io.BytesIO(PDF), tmp_path, KEY, record, Result("x", True))
    assert result == Result("Added.")
    [(stored, key)] = seen
    assert key == KEY and stored.type.kind == "document"
    assert files_in(tmp_path) == [stored.name]
    # A key that is not one (too short) is recorded as no key, not refused.
    uploads.store_under_key(io.BytesIO(PDF), tmp_path, "short", record, Result("x", True))
    assert seen[-1][1] is None


def test_a_repeat_keeps_no_file(tmp_path):
    result = uploads.store_under_key(
        io.BytesIO(png()), tmp_path, KEY, lambda s, k: Result("Already added.", True), Result("")
    )
    assert result.duplicate and result.message == "Already added."
    assert files_in(tmp_path) == []  # neither the photo nor its thumbnail


def test_a_concurrent_twin_refused_by_the_unique_key_is_already_added(tmp_path):
    def record(stored, key):
        raise IntegrityError("duplicate key value violates unique constraint")

    already = Result("Already added.", duplicate=True)
    assert uploads.store_under_key(io.BytesIO(png()), tmp_path, KEY, record, already) is already
    assert files_in(tmp_path) == []


def test_a_failed_write_removes_the_file_and_is_not_swallowed(tmp_path):
    def record(stored, key):
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        uploads.store_under_key(io.BytesIO(png()), tmp_path, KEY, record, Result(""))
    assert files_in(tmp_path) == []


def test_a_refused_file_is_never_recorded(tmp_path):
    def record(stored, key):
        raise AssertionError("a refused file must not be recorded")

    with pytest.raises(Invalid):
        uploads.store_under_key(io.BytesIO(b"MZ not a pdf"), tmp_path, KEY, record, Result(""))
    assert files_in(tmp_path) == []


# Both callers, through their services: a write refused by the database ------------


def _asset_attachment(lead: User, folder: Path):
    asset = factories.make_asset(lead, name="Drill")
    return attachments.add(
        asset.code,
        actor=lead,
        stream=io.BytesIO(PDF),
        original_name="r.pdf",
        folder=folder,
        key=KEY,
    )


def _subscription_document(lead: User, folder: Path):
    subscription = make_subscription(lead)
    return documents.add(
        subscription.id,
        actor=lead,
        stream=io.BytesIO(PDF),
        original_name="c.pdf",
        folder=folder,
        key=KEY,
    )


@pytest.mark.parametrize(
    "add, model",
    [(_asset_attachment, Attachment), (_subscription_document, SubscriptionAttachment)],
    ids=["asset attachment", "subscription document"],
)
def test_a_twin_committed_meanwhile_leaves_one_record_and_no_stray_file(
    app, tmp_path, monkeypatch, add, model
):
    lead = factories.make_user("lead")
    folder = tmp_path / "uploads"

    def twin_won(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(model, "create", twin_won)
    result = add(lead, folder)
    assert result.duplicate and result.message == "Already added."
    assert model.select().count() == 0
    assert files_in(folder) == []
