"""Documents kept with a subscription (the contract, the invoice): the same
checks and storage as an asset's attachments (register/uploads.py: size limit,
type read from the first bytes, random names under instance/uploads/) and the
same flow (uploads.store_under_key): the file is written first, outside the
transaction; the row and its `document_added` event are then written together,
and a refused or repeated upload leaves no file behind."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from peewee import JOIN

from ..database import write
from ..errors import Invalid
from ..models import SubscriptionAttachment, SubscriptionEvent, User
from ..register import uploads
from ..register.rules import require_lead
from . import history
from .subscriptions import get

MAX_NAME = 255


@dataclass(frozen=True)
class Added:
    message: str
    duplicate: bool = False


def of_subscription(subscription_id: int) -> list[SubscriptionAttachment]:
    """Its documents, newest first, with who added each (one query)."""
    return list(
        SubscriptionAttachment.select(SubscriptionAttachment, User)
        .join(User, JOIN.LEFT_OUTER, on=(SubscriptionAttachment.uploaded_by == User.id))
        .where(SubscriptionAttachment.subscription == subscription_id)
        .order_by(SubscriptionAttachment.uploaded_at.desc(), SubscriptionAttachment.id.desc())
    )


def get_document(document_id: int) -> SubscriptionAttachment | None:
    return SubscriptionAttachment.get_or_none(SubscriptionAttachment.id == document_id)


def download_name(document: SubscriptionAttachment) -> str:
    file_type = uploads.TYPES[document.stored_name.rsplit(".", 1)[-1]]
    return uploads.download_name(document.original_name, file_type)


def add(
    subscription_id: int,
    *,
    actor: User,
    stream: BinaryIO | None,
    original_name: str,
    folder: Path,
    key: str | None = None,
) -> Added:
    """Keep a PDF or a photo with a subscription (leads). A resent form adds nothing."""
    require_lead(actor, "add documents")
    subscription = get(subscription_id)
    if stream is None:
        raise Invalid({"file": "Choose a PDF or a photo to upload."})
    return uploads.store_under_key(
        stream,
        folder,
        key,
        lambda stored, key: _record(subscription.id, actor, stored, original_name, key),
        already=Added("Already added.", duplicate=True),
    )


def _record(subscription_id: int, actor: User, stored, original_name: str, key) -> Added:
    name = uploads.download_name(original_name or "", stored.type)[:MAX_NAME]
    with write():
        used = SubscriptionEvent.get_or_none(SubscriptionEvent.key == key) if key else None
        if used is not None:
            if used.subscription_id == subscription_id:
                return Added("Already added.", duplicate=True)
            raise Invalid({"": "This form was already used. Reload the page."})
        subscription = get(subscription_id)
        document = SubscriptionAttachment.create(
            subscription=subscription,
            kind=stored.type.kind,
            stored_name=stored.name,
            original_name=name,
            content_type=stored.type.content_type,
            size_bytes=stored.size,
            uploaded_by=actor,
        )
        history.record(
            subscription,
            "document_added",
            actor=actor,
            note=name,
            data={"document_id": document.id, "size_bytes": stored.size},
            key=key,
        )
    return Added("Document added.")
