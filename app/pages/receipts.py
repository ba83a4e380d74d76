"""The receipt page, and a person's list of receipts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN, fn

from ..models import Receipt, ReceiptItem, User
from ..receipts import rules, view


def page(receipt_id: int, viewer: User) -> dict | None:
    """What the receipt page shows `viewer`, or None when there is no such
    receipt or it is not theirs to see (both read as "not found")."""
    shown = view.build(receipt_id)
    if shown is None or not rules.may_see(shown.receipt, viewer):
        return None
    return {"v": shown, "receipt": shown.receipt}


def file_for(receipt_id: int, viewer: User, which: str) -> str | None:
    """The stored file of a receipt the viewer may see: "signature" or "pdf";
    "" when it has none (yet), None when it is not theirs to see."""
    receipt = Receipt.get_or_none(Receipt.id == receipt_id)
    if receipt is None or not rules.may_see(receipt, viewer):
        return None
    return receipt.signature_file if which == "signature" else receipt.pdf_file


@dataclass(frozen=True)
class Summary:
    id: int
    created_at: datetime
    kind: str
    items: int
    state: str


def for_person(person: User, viewer: User) -> list[Summary]:
    """The person's receipts, newest first, as `viewer` may see them (one query)."""
    query = (
        Receipt.select(Receipt, fn.COUNT(ReceiptItem.id).alias("count"))
        .join(ReceiptItem, JOIN.LEFT_OUTER, on=(ReceiptItem.receipt == Receipt.id))
        .where(Receipt.person == person.id)
        .group_by(Receipt.id)
        .order_by(Receipt.created_at.desc(), Receipt.id.desc())
    )
    return [
        Summary(
            r.id,
            r.created_at,
            rules.KINDS.get(r.kind, r.kind),
            r.count,
            rules.STATES.get(r.state, r.state),
        )
        for r in query
        if rules.may_see(r, viewer)
    ]
