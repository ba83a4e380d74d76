"""Photos and documents kept with an asset: receipts, manuals, pictures.

The file is checked and written first (outside the transaction, so a slow disk
never holds the write lock); the row and its `attachment_added` event are then
written together. Anything that goes wrong after the file is written removes it
again, so a refused upload leaves nothing behind: uploads.store_under_key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from peewee import JOIN, fn

from ..database import write
from ..errors import Invalid, NotFound
from ..models import Asset, Attachment, Event, User
from ..prepared import Prepared
from . import events, uploads
from .rules import require_lead

log = logging.getLogger(__name__)

MAX_NAME = 255
# The asset page shows this many of each; the rest are one tap away.
PAGE_PHOTOS = 6
PAGE_DOCUMENTS = 5


@dataclass
class Change:
    message: str
    attachment: Attachment | None = None
    duplicate: bool = False


def for_asset(asset: Asset) -> list[Attachment]:
    """Every attachment of an asset, newest first, with who uploaded it (one query)."""
    return list(
        Attachment.select(Attachment, User)
        .join(User, JOIN.LEFT_OUTER, on=(Attachment.uploaded_by == User.id))
        .where(Attachment.asset == asset)
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
    )


def summary(asset: Asset) -> tuple[list[Attachment], list[Attachment], int]:
    """What the asset page shows: a few photos, a few documents, and the total."""
    rows = _of_asset(asset.id)
    photos = [a for a in rows if a.kind == "photo"][:PAGE_PHOTOS]
    documents = [a for a in rows if a.kind == "document"][:PAGE_DOCUMENTS]
    return photos, documents, len(rows)


@Prepared
def _of_asset(asset_id):
    return (
        Attachment.select()
        .where(Attachment.asset == asset_id)
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
    )


def cover_photos(asset_ids: list[int]) -> dict[int, int]:
    """Each listed asset's newest photo (asset id to attachment id), for the
    register's thumbnails: one query for a page of rows."""
    if not asset_ids:
        return {}
    query = (
        Attachment.select(Attachment.asset, fn.MAX(Attachment.id))
        .where(Attachment.asset.in_(asset_ids) & (Attachment.kind == "photo"))
        .group_by(Attachment.asset)
    )
    return dict(query.tuples())


def get(attachment_id: int) -> Attachment | None:
    return Attachment.get_or_none(Attachment.id == attachment_id)


def file_type(attachment: Attachment) -> uploads.FileType:
    return uploads.TYPES[attachment.stored_name.rsplit(".", 1)[-1]]


def download_name(attachment: Attachment) -> str:
    return uploads.download_name(attachment.original_name, file_type(attachment))


def _asset(code: str) -> Asset:
    asset = Asset.get_or_none(Asset.code == code)
    if asset is None:
        raise NotFound("No asset has that code.")
    return asset


def add(
    code: str,
    *,
    actor: User,
    stream: BinaryIO | None,
    original_name: str,
    folder: Path,
    key: str | None = None,
) -> Change:
    """Attach a photo or PDF to an asset (leads). A resent form adds nothing."""
    require_lead(actor, "add attachments")
    asset = _asset(code)
    if stream is None:
        raise Invalid({"file": "Choose a photo or a PDF to upload."})
    return uploads.store_under_key(
        stream,
        folder,
        key,
        lambda stored, key: _record(asset, actor, stored, original_name, key),
        already=Change("Already added.", duplicate=True),
    )


def _record(asset: Asset, actor: User, stored, original_name: str, key: str | None) -> Change:
    name = uploads.download_name(original_name or "", stored.type)[:MAX_NAME]
    with write():
        used = Event.select(Event.asset).where(Event.key == key).first() if key else None
        if used and used.asset_id == asset.id:
            return Change("Already added.", duplicate=True)
        if used:
            raise Invalid({"": "This form was already used for another item. Reload the page."})
        attachment = Attachment.create(
            asset=asset,
            kind=stored.type.kind,
            stored_name=stored.name,
            original_name=name,
            content_type=stored.type.content_type,
            size_bytes=stored.size,
            uploaded_by=actor,
        )
        event = events.record(
            "attachment_added", asset=asset, actor=actor, data=_event_data(attachment)
        )
        if key:
            event.key = key
            event.save()
    what = "Photo" if stored.type.kind == "photo" else "Document"
    return Change(f"{what} added.", attachment)


def _event_data(attachment: Attachment) -> dict:
    return {
        "attachment_id": attachment.id,
        "kind": attachment.kind,
        "name": attachment.original_name,
        "size_bytes": attachment.size_bytes,
    }


def remove(code: str, attachment_id: int, *, actor: User, folder: Path) -> Change:
    """Delete an attachment and its file (leads). Its event keeps the record."""
    require_lead(actor, "remove attachments")
    asset = _asset(code)
    with write():
        attachment = Attachment.get_or_none(
            Attachment.id == attachment_id, Attachment.asset == asset
        )
        if attachment is None:
            # A double tap, or someone else was quicker: the wish is fulfilled.
            return Change("Already removed.", duplicate=True)
        events.record("attachment_removed", asset=asset, actor=actor, data=_event_data(attachment))
        attachment.delete_instance()
    # After the commit: a file must never go while its row could still roll back.
    try:
        uploads.discard(folder, attachment.stored_name)
    except OSError:
        log.exception("could not delete %s", attachment.stored_name)
    what = "Photo" if attachment.kind == "photo" else "Document"
    return Change(f"{what} removed.", attachment)
