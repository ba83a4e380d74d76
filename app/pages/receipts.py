"""The receipt page, and a person's list of receipts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN, fn

from ..models import Asset, Receipt, ReceiptItem, User
from ..receipts import rules, view
from ..register.rules import is_lead


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


NAMES_SHOWN = 3  # a row names this many items, then "and N more"
ON_PERSON_PAGE = 5  # the person's page shows their latest receipts, then "All receipts"
PER_PAGE = 50


@dataclass(frozen=True)
class Summary:
    id: int
    created_at: datetime
    kind: str
    items: int
    state: str
    names: tuple[str, ...] = ()

    @property
    def more(self) -> int:
        """How many items the row does not name."""
        return max(self.items - len(self.names), 0)


def _names(ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The first NAMES_SHOWN item names of each receipt, by name (one query)."""
    if not ids:
        return {}
    ranked = (
        ReceiptItem.select(
            ReceiptItem.receipt.alias("receipt_id"),
            Asset.name.alias("name"),
            fn.ROW_NUMBER()
            .over(partition_by=[ReceiptItem.receipt], order_by=[Asset.name, Asset.id])
            .alias("n"),
        )
        .join(Asset, on=(ReceiptItem.asset == Asset.id))
        .where(ReceiptItem.receipt.in_(ids))
    )
    rows = (
        ReceiptItem.select(ranked.c.receipt_id, ranked.c.name)
        .from_(ranked)
        .where(ranked.c.n <= NAMES_SHOWN)
        .order_by(ranked.c.receipt_id, ranked.c.n)
        .dicts()
    )
    names: dict[int, list[str]] = {}
    for row in rows:
        names.setdefault(row["receipt_id"], []).append(row["name"])
    return {k: tuple(v) for k, v in names.items()}


def _summaries(where, viewer: User, *, limit: int, offset: int = 0) -> list[Summary]:
    """Receipts matching `where`, newest first, each with its count and first
    item names, as `viewer` may see them (two queries)."""
    query = (
        Receipt.select(Receipt, fn.COUNT(ReceiptItem.id).alias("count"))
        .join(ReceiptItem, JOIN.LEFT_OUTER, on=(ReceiptItem.receipt == Receipt.id))
        .where(where)
        .group_by(Receipt.id)
        .order_by(Receipt.created_at.desc(), Receipt.id.desc())
        .limit(limit)
        .offset(offset)
    )
    found = [r for r in query if rules.may_see(r, viewer)]
    names = _names([r.id for r in found])
    return [
        Summary(
            r.id,
            r.created_at,
            rules.KINDS.get(r.kind, r.kind),
            r.count,
            rules.STATES.get(r.state, r.state),
            names.get(r.id, ()),
        )
        for r in found
    ]


def for_person(person: User, viewer: User, limit: int = ON_PERSON_PAGE) -> list[Summary]:
    """The person's latest receipts, newest first, as `viewer` may see them."""
    return _summaries(Receipt.person == person.id, viewer, limit=limit)


def listing(viewer: User, person_id: int | None, page: int) -> dict | None:
    """The "Receipts" page: the viewer's own receipts (as the person or as the
    staff), or, for a lead, one person's; newest first, PER_PAGE a page. None
    when that person does not exist or is not the viewer's to list."""
    if person_id is None or person_id == viewer.id:
        person, where = viewer, (Receipt.person == viewer.id) | (Receipt.staff == viewer.id)
    else:
        person = User.get_or_none(User.id == person_id)
        if person is None or not is_lead(viewer):
            return None
        where = Receipt.person == person.id
    rows = _summaries(where, viewer, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return {
        "person": person,
        "own": person.id == viewer.id,
        "rows": rows[:PER_PAGE],
        "older": len(rows) > PER_PAGE,
        "page": page,
    }
