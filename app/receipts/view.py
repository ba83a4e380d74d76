"""A receipt as it reads: on its page, in its PDF and in its email (4 queries)."""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import JOIN

from .. import codes
from ..models import (
    Asset,
    Fault,
    Receipt,
    ReceiptItem,
    ReceiptSeat,
    Subscription,
    SubscriptionSeat,
    User,
    Vendor,
)
from . import rules


@dataclass(frozen=True)
class Line:
    asset_id: int
    name: str
    code: str
    serial: str
    condition: str  # as printed: "Good", "Not recorded"
    fault: str = ""  # a fault reported with it in the same step: "Do not use: Screen cracked"


@dataclass(frozen=True)
class SeatLine:
    """A subscription seat freed in the step (a leaver's Return all)."""

    product: str
    vendor: str
    item: str  # the asset the seat was on, "Laptop 3 (QCE-ZH8)", or ""


@dataclass
class View:
    receipt: Receipt
    person: User
    staff: User
    signed_by: User | None
    kind_label: str
    state_label: str
    lines: list[Line] = field(default_factory=list)
    seats: list[SeatLine] = field(default_factory=list)

    @property
    def giver(self) -> User:
        """Who handed the items over: the staff at a handover, the person at a return."""
        return self.staff if self.receipt.kind == "handover" else self.person

    @property
    def taker(self) -> User:
        return self.person if self.receipt.kind == "handover" else self.staff

    @property
    def people(self) -> list[tuple[str, str]]:
        """(words, name) lines naming who is on the receipt: see rules.people_lines."""
        return rules.people_lines(
            self.receipt.kind, self.person.name, self.staff.name, self.person.id == self.staff.id
        )


def build(receipt_id: int) -> View | None:
    Staff, Signer = User.alias(), User.alias()
    receipt = (
        Receipt.select(Receipt, User, Staff, Signer)
        .join(User, on=(Receipt.person == User.id), attr="person")
        .switch(Receipt)
        .join(Staff, on=(Receipt.staff == Staff.id), attr="staff")
        .switch(Receipt)
        .join(Signer, JOIN.LEFT_OUTER, on=(Receipt.signed_by == Signer.id), attr="signed_by")
        .where(Receipt.id == receipt_id)
        .first()
    )
    if receipt is None:
        return None
    lines = [
        Line(
            item.asset.id,
            item.asset.name,
            item.asset.code,
            item.asset.serial or "",
            rules.condition_label(item.condition),
            f"{item.fault.severity_label}: {item.fault.description}" if item.fault_id else "",
        )
        for item in ReceiptItem.select(ReceiptItem, Asset, Fault)
        .join(Asset, on=(ReceiptItem.asset == Asset.id))
        .switch(ReceiptItem)
        .join(Fault, JOIN.LEFT_OUTER, on=(ReceiptItem.fault == Fault.id))
        .where(ReceiptItem.receipt == receipt.id)
        .order_by(Asset.name, Asset.code)
    ]
    seats = [
        SeatLine(product, vendor, f"{name} ({codes.pretty(code)})" if code else "")
        for product, vendor, name, code in ReceiptSeat.select(
            Subscription.product, Vendor.name, Asset.name, Asset.code
        )
        .join(SubscriptionSeat, on=(ReceiptSeat.seat == SubscriptionSeat.id))
        .join(Subscription, on=(SubscriptionSeat.subscription == Subscription.id))
        .join(Vendor, on=(Subscription.vendor == Vendor.id))
        .switch(SubscriptionSeat)
        .join(Asset, JOIN.LEFT_OUTER, on=(SubscriptionSeat.asset == Asset.id))
        .where(ReceiptSeat.receipt == receipt.id)
        .order_by(Subscription.product, Vendor.name, ReceiptSeat.id)
        .tuples()
    ]
    return View(
        receipt=receipt,
        person=receipt.person,
        staff=receipt.staff,
        signed_by=receipt.signed_by if receipt.signed_by_id else None,
        kind_label=rules.KINDS.get(receipt.kind, receipt.kind),
        state_label=rules.STATES.get(receipt.state, receipt.state),
        lines=lines,
        seats=seats,
    )
