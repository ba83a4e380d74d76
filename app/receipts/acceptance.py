"""Handovers to be accepted later: a receipt left "awaiting" until its receiver
accepts it (signing, on their own account) or declines it (the items go back to
the staff member who handed them over), or signs it there and then on the phone
that made it (the scanner's run: "Sign for N items").

Every item on it gets an event when it is decided, in the same write as the
receipt and the item, and nothing changes when the receipt is no longer waiting,
its items have left the person, or someone else tries to decide for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ..custody.engine import perform
from ..database import write
from ..errors import Invalid, NotFound, Refused
from ..models import Asset, Event, Receipt, ReceiptItem, User, utcnow
from ..ops import mail
from ..register import events
from . import rules, signatures, view
from .receipts import Delivery, send, sign

SOMEONE_ELSE = "Only {name} can accept or decline this handover, signed in as themselves."
SIGN_NEEDED = "Sign with a finger, or type your full name, to accept these items."
NOTE_NEEDED = "Say in a few words why you decline them."
NOTE_TOO_LONG = f"Keep the note under {rules.DECLINE_NOTE_MAX} characters."
DONE_BEFORE = {
    "accepted": "This handover was already accepted.",
    "declined": "This handover was already declined.",
    "signed": "This handover was already signed.",
    "unsigned": "This handover is not waiting to be accepted.",
}
GONE = "{items} no longer with {person} (returned or handed on since): nothing was changed."


@dataclass
class Decided:
    """What accepting, declining or signing did: the receipt, the message, and
    whether it had been done already (a double tap: nothing changed)."""

    receipt_id: int
    message: str
    duplicate: bool = False
    events: list = field(default_factory=list)


@dataclass(frozen=True)
class WaitingItem:
    code: str
    name: str


@dataclass
class Waiting:
    """One handover waiting for its receiver, as their home page lists it."""

    receipt_id: int
    version: int
    staff: str
    since: datetime
    items: list[WaitingItem] = field(default_factory=list)


def waiting_for(person: User) -> list[Waiting]:
    """The handovers waiting for `person` to accept, oldest first, with the items
    still waiting in their hands (one query)."""
    Staff = User.alias()
    rows = (
        ReceiptItem.select(
            ReceiptItem.id,
            Receipt.id,
            Receipt.version,
            Receipt.created_at,
            Staff.name,
            Asset.code,
            Asset.name,
        )
        .join(Receipt, on=(ReceiptItem.receipt == Receipt.id))
        .join(Staff, on=(Receipt.staff == Staff.id), attr="staff")
        .switch(ReceiptItem)
        .join(Asset, on=(ReceiptItem.asset == Asset.id))
        .where(
            Receipt.person == person.id,
            Receipt.state == "awaiting",
            Asset.holder == person.id,
            Asset.awaiting_since.is_null(False),
        )
        .order_by(Receipt.created_at, Receipt.id, Asset.name)
    )
    found: dict[int, Waiting] = {}
    for row in rows:
        receipt = row.receipt
        shown = found.get(receipt.id)
        if shown is None:
            shown = found[receipt.id] = Waiting(
                receipt.id, receipt.version, receipt.staff.name, receipt.created_at
            )
        shown.items.append(WaitingItem(row.asset.code, row.asset.name))
    return list(found.values())


def waiting_longer(now: datetime | None = None) -> list[Asset]:
    """Items handed over to be accepted and still waiting after
    ACCEPT_WITHIN_DAYS, oldest first, with their holder (the leads' digest)."""
    cutoff = (now or utcnow()) - timedelta(days=rules.ACCEPT_WITHIN_DAYS)
    return list(
        Asset.select(Asset, User)
        .join(User, on=(Asset.holder == User.id))
        .where(Asset.awaiting_since.is_null(False), Asset.awaiting_since < cutoff)
        .order_by(Asset.awaiting_since, Asset.name)
    )


def _receipt(receipt_id: int) -> Receipt:
    receipt = Receipt.get_or_none(Receipt.id == receipt_id)
    if receipt is None or receipt.kind != "handover":
        raise NotFound("No such handover.")
    return receipt


def _settled_before(receipt: Receipt, version: int | None) -> bool:
    """Whether this request is a repeat of the one that decided the receipt: it
    was sent from the page that showed the version just before the decision."""
    return version is not None and receipt.state != "awaiting" and version == receipt.version - 1


def _check_waiting(receipt: Receipt, version: int | None) -> None:
    if receipt.state != "awaiting":
        raise Refused(DONE_BEFORE.get(receipt.state, DONE_BEFORE["unsigned"]))
    if version is not None and version != receipt.version:
        raise Refused("This handover changed since the page was opened. Reload it.")


def _items(receipt: Receipt) -> list[Asset]:
    """The items on the receipt, each still in the person's hands and waiting, or
    a refusal naming those that are not."""
    assets = list(
        Asset.select()
        .join(ReceiptItem, on=(ReceiptItem.asset == Asset.id))
        .where(ReceiptItem.receipt == receipt.id)
        .order_by(Asset.name)
    )
    gone = [a for a in assets if a.holder_id != receipt.person_id or a.awaiting_since is None]
    if gone or not assets:
        names = ", ".join(a.name for a in gone) or "The items"
        verb = "is" if len(gone) == 1 else "are"
        raise Refused(GONE.format(items=f"{names} {verb}", person=receipt.person.name))
    return assets


# Each kind written by name, so the history's list of kinds can be checked.
_RECORD: dict[str, Callable[..., Event]] = {
    "handover_accepted": lambda **kw: events.record("handover_accepted", **kw),
    "handover_signed": lambda **kw: events.record("handover_signed", **kw),
    "handover_declined": lambda **kw: events.record("handover_declined", **kw),
}


def _mark(
    receipt: Receipt,
    assets: list[Asset],
    kind: str,
    actor: User,
    *,
    holder: User | None = None,
    note: str = "",
) -> list:
    """One event per item, through the action engine (lock, status), clearing
    the item's "awaiting acceptance"; `holder`: whose hands it goes back to."""
    written = []
    for asset in assets:

        def apply(locked: Asset):
            data = {"receipt": receipt.id}
            if holder is not None:
                data["from"] = receipt.person.name
                locked.holder, locked.due_back = holder, None
            locked.awaiting_since = None
            record = _RECORD[kind]
            event = record(
                asset=locked,
                actor=actor,
                holder=locked.holder,
                from_holder=receipt.person if holder is not None else None,
                location=locked.location,
                note=note,
                data=data,
            )
            return "", [event]

        written += perform(asset.code, actor, apply, proves_presence=False).events
    return written


def _count(assets: list) -> str:
    return "1 item" if len(assets) == 1 else f"{len(assets)} items"


def accept(
    receipt_id: int,
    *,
    person: User,
    drawn: str = "",
    typed: str = "",
    version: int | None = None,
    uploads_dir: Path,
) -> Decided:
    """The receiver accepts a handover left to be accepted, signing as themselves.
    Deliver the receipt (its PDF) after this returns."""
    receipt = _receipt(receipt_id)
    if not rules.may_decide(receipt, person):
        raise Refused(SOMEONE_ELSE.format(name=receipt.person.name))
    return _sign_waiting(
        receipt,
        "accepted",
        by=person,
        drawn=drawn,
        typed=typed,
        version=version,
        uploads_dir=uploads_dir,
    )


def decline(receipt_id: int, *, person: User, note: str, version: int | None = None) -> Decided:
    """The receiver declines: every item goes back to the staff member's hands,
    with the note on each item's event."""
    receipt = _receipt(receipt_id)
    if not rules.may_decide(receipt, person):
        raise Refused(SOMEONE_ELSE.format(name=receipt.person.name))
    if _settled_before(receipt, version) and receipt.state == "declined":
        return Decided(receipt.id, "Already done.", duplicate=True)
    _check_waiting(receipt, version)
    note = " ".join((note or "").split())
    if not note:
        raise Invalid({"decline_note": NOTE_NEEDED})
    if len(note) > rules.DECLINE_NOTE_MAX:
        raise Invalid({"decline_note": NOTE_TOO_LONG})
    with write():
        receipt = _receipt(receipt_id)
        _check_waiting(receipt, version)
        assets = _items(receipt)
        staff = User.get_by_id(receipt.staff_id)
        written = _mark(receipt, assets, "handover_declined", person, holder=staff, note=note)
        Receipt.update(
            state="declined", decided_at=utcnow(), decline_note=note, version=Receipt.version + 1
        ).where(Receipt.id == receipt.id, Receipt.state == "awaiting").execute()
    return Decided(
        receipt.id, f"Declined: {_count(assets)} back with {staff.name}.", events=written
    )


def sign_now(
    receipt_id: int,
    *,
    viewer: User,
    drawn: str = "",
    typed: str = "",
    version: int | None = None,
    uploads_dir: Path,
) -> Decided:
    """The receiver signs a waiting handover there and then, on the phone of the
    staff member who made it (or their own): the receipt becomes "signed". The
    signature is the receiver's: a typed name must be theirs."""
    receipt = _receipt(receipt_id)
    if not rules.may_sign_now(receipt, viewer):
        raise NotFound("No such handover.")
    return _sign_waiting(
        receipt,
        "signed",
        by=viewer,
        drawn=drawn,
        typed=typed,
        version=version,
        uploads_dir=uploads_dir,
    )


# What each way of signing a waiting handover records on its items, and says.
_SIGNING = {
    "accepted": ("handover_accepted", "Accepted {count}. Thank you."),
    "signed": ("handover_signed", "Signed for {count}."),
}


def _sign_waiting(
    receipt: Receipt,
    state: str,
    *,
    by: User,
    drawn: str,
    typed: str,
    version: int | None,
    uploads_dir: Path,
) -> Decided:
    """The receiver's signature on a waiting handover, by `by` (themselves, or the
    staff member whose phone they sign on): the receipt ends `state`, each item
    gets its event, in one write. A double tap is "Already done."."""
    kind, said = _SIGNING[state]
    if _settled_before(receipt, version) and receipt.state == state:
        return Decided(receipt.id, "Already done.", duplicate=True)
    _check_waiting(receipt, version)
    person = User.get_by_id(receipt.person_id)
    signature = signatures.read(drawn, typed, person)
    if signature is None:
        raise Invalid({"signature": SIGN_NEEDED})
    stored = ""
    try:
        with write():
            receipt = _receipt(receipt.id)  # again, under the write lock
            _check_waiting(receipt, version)
            assets = _items(receipt)
            written = _mark(receipt, assets, kind, by)
            sign(receipt, signature, person, uploads_dir=uploads_dir)
            stored = receipt.signature_file
            if state != "signed":  # sign() leaves it "signed"
                Receipt.update(state=state, decided_at=utcnow()).where(
                    Receipt.id == receipt.id
                ).execute()
    except BaseException:
        signatures.discard(uploads_dir, stored)
        raise
    return Decided(receipt.id, said.format(count=_count(assets)), events=written)


def invite(receipt_id: int, *, public_url: str, smtp: mail.SmtpSettings | None) -> Delivery:
    """After the write of a handover left to be accepted: email the person a link
    to accept it. No PDF yet: it is made, and emailed (`emailed_at`), when they
    accept."""
    shown = view.build(receipt_id)
    if smtp is None or shown is None or not shown.person.email:
        return Delivery(pdf=False)
    receipt = shown.receipt
    lines = "\n".join(f"- {line.name} ({line.code})" for line in shown.lines)
    link = f"{public_url}/receipts/{receipt.id}/accept" if public_url else "your home page"
    items = "1 item" if len(shown.lines) == 1 else f"{len(shown.lines)} items"
    body = (
        f"Hello {shown.person.name},\n\n{shown.staff.name} handed over to you, to be "
        f"accepted:\n\n{lines}\n\nAccept them (and sign), or decline them, here:\n"
        f"{link}\n\nUntil you do, they show as awaiting your acceptance.\n"
    )
    subject = f"Please accept: {items} handed over to you by {shown.staff.name}"
    person = shown.person
    return send(
        smtp,
        lambda: mail.compose(smtp.sender, mail.address(person.name, person.email), subject, body),
        pdf=False,
        failed="The email could not be sent",
    )
