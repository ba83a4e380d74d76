"""Writing receipts: open one inside the caller's write, add each item as its
custody action is recorded, finish it (signed, unsigned or awaiting), then,
once committed, deliver it: the PDF made once and stored, and emailed.

A signed receipt never changes: no function here updates one in a final state.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, tzinfo
from email.message import EmailMessage
from pathlib import Path

from ..custody.engine import Outcome
from ..database import write
from ..errors import Busy, Invalid, NotFound, Refused
from ..models import Asset, Receipt, ReceiptItem, ReceiptSeat, SubscriptionSeat, User, utcnow
from ..ops import mail
from ..ops import settings as org_settings
from ..worker import run
from . import pdf, rules, signatures, view
from .signatures import Signature

NEEDS_SIGNATURE = "Handing over {what} needs a signature: " + rules.SIGN_HOW + "."
ALREADY_FINAL = "This receipt is signed and cannot be changed."
log = logging.getLogger(__name__)


def open_receipt(kind: str, *, person: User, staff: User) -> Receipt:
    """A new receipt, inside the caller's write; a handover keeps the terms as
    they read now."""
    if kind not in rules.KINDS:
        raise ValueError(kind)
    terms = org_settings.handover_terms() if kind == "handover" else ""
    return Receipt.create(kind=kind, person=person, staff=staff, terms=terms)


def add_item(receipt: Receipt, asset: Asset, event) -> ReceiptItem:
    """The item on the receipt, with its condition after the action."""
    if rules.is_final(receipt):
        raise Refused(ALREADY_FINAL)
    if receipt.state == "awaiting":  # a later scan of a run joins a handover not yet accepted
        asset.awaiting_since = utcnow()
    return ReceiptItem.create(
        receipt=receipt, asset=asset, event=event, condition=asset.condition or ""
    )


def add_fault(receipt: Receipt, asset: Asset, fault_id: int) -> None:
    """The fault reported with an item in the same step as its return, on its
    line of the receipt (before the receipt is signed, like the item itself)."""
    if rules.is_final(receipt):
        raise Refused(ALREADY_FINAL)
    ReceiptItem.update(fault=fault_id).where(
        ReceiptItem.receipt == receipt.id, ReceiptItem.asset == asset.id
    ).execute()


def add_seat(receipt: Receipt, seat: SubscriptionSeat) -> ReceiptSeat:
    """A seat freed in the same step (a leaver's Return all), on the receipt
    under "Seats freed", before the receipt is signed like its items."""
    if rules.is_final(receipt):
        raise Refused(ALREADY_FINAL)
    return ReceiptSeat.create(receipt=receipt, seat=seat)


def _assets(receipt: Receipt) -> list[Asset]:
    return list(
        Asset.select(Asset.id, Asset.category, Asset.name)
        .join(ReceiptItem, on=(ReceiptItem.asset == Asset.id))
        .where(ReceiptItem.receipt == receipt.id)
    )


def sign(receipt: Receipt, signature: Signature, signer: User, *, uploads_dir: Path) -> None:
    """Sign the receipt, inside the caller's write. The drawn PNG is written
    before the row (a rolled-back write leaves only an unreferenced file)."""
    if rules.is_final(receipt):
        raise Refused(ALREADY_FINAL)
    if not rules.may_sign(receipt, signer):
        who = (
            "the person receiving the items"
            if receipt.kind == "handover"
            else ("the person returning the items or the person taking them back")
        )
        raise Invalid({"signature": f"Only {who} can sign this receipt."})
    if signature.typed and not rules.same_name(signature.typed, signer.name):
        raise Invalid({"signature_name": rules.WRONG_NAME})
    stored = signatures.store(signature, uploads_dir)
    now = utcnow()
    changed = (
        Receipt.update(
            state="signed",
            signed_by=signer,
            signed_at=now,
            signature_name=signature.typed,
            signature_file=stored,
            version=Receipt.version + 1,
        )
        .where(Receipt.id == receipt.id, Receipt.state.not_in(rules.FINAL_STATES))
        .execute()
    )
    if not changed:
        signatures.discard(uploads_dir, stored)
        raise Refused(ALREADY_FINAL)
    receipt.state, receipt.signed_by, receipt.signed_at = "signed", signer, now
    receipt.signature_name, receipt.signature_file = signature.typed, stored
    receipt.version += 1


def finish(
    receipt: Receipt,
    *,
    signature: Signature | None,
    signer: User | None,
    awaiting: bool = False,
    uploads_dir: Path,
    later_if_required: bool = False,
) -> Receipt:
    """Close the receipt inside the caller's write, after its items: signed when a
    signature came, else awaiting (to be accepted later) or unsigned. A handover
    whose items need a signature is refused without one (the whole write rolls
    back), unless it is left awaiting the receiver's acceptance; from a step with
    no place to sign (`later_if_required`: a reservation's one-tap start) it is
    left awaiting rather than refused."""
    if rules.is_final(receipt):
        raise Refused(ALREADY_FINAL)
    if signature is not None:
        if signer is None:
            raise Invalid({"signature": "Say who signs."})
        sign(receipt, signature, signer, uploads_dir=uploads_dir)
        return receipt
    if awaiting:
        state = "awaiting"
    else:
        assets = _assets(receipt)
        if receipt.kind == "handover" and rules.signature_required(assets):
            if not later_if_required:
                what = assets[0].name if len(assets) == 1 else f"these {len(assets)} items"
                raise Invalid({"signature": NEEDS_SIGNATURE.format(what=what)})
            awaiting = True
        state = "awaiting" if awaiting else "unsigned"
    Receipt.update(state=state).where(
        Receipt.id == receipt.id, Receipt.state.not_in(rules.FINAL_STATES)
    ).execute()
    receipt.state = state
    if awaiting:  # the items show "Awaiting acceptance" until the person decides
        ids = ReceiptItem.select(ReceiptItem.asset).where(ReceiptItem.receipt == receipt.id)
        Asset.update(awaiting_since=utcnow()).where(Asset.id.in_(ids)).execute()
    return receipt


# One request: action, receipt and signature ---------------------------------------


@dataclass
class Handed:
    """What `act` did: the custody outcome, the receipt it made (if any) and how
    delivering it went."""

    outcome: Outcome
    receipt_id: int | None = None
    delivery: Delivery | None = None


class _Nothing(Exception):
    """Rolls back a receipt whose only action was already done (a double tap)."""

    def __init__(self, outcome: Outcome):
        self.outcome = outcome


def _user(user_id: int | None, field: str) -> User:
    person = User.get_or_none(User.id == user_id) if user_id else None
    if person is None or not person.active:
        raise Invalid({field: "Choose a person from the list."})
    return person


def act(
    kind: str,
    code: str,
    action: Callable[[Receipt | None], Outcome],
    *,
    actor: User,
    person_id: int | None,
    drawn: str = "",
    typed: str = "",
    signer_id: int | None = None,
    uploads_dir: Path,
    deliver_with: dict | None = None,
    awaiting: bool = False,
) -> Handed:
    """Run one custody `action` on the item `code` and, when the rules want a
    receipt for it, make the receipt in the same write, signed with what the form
    sent (`drawn`: the pad's PNG data URL; `typed`: the full name). `person_id`:
    who receives the item (handover) or gives it back (return; None means its
    holder). `signer_id`: at a return, who signs (default the person); at a
    handover always the receiver. After the write, deliver (see `deliver`) with
    `deliver_with`'s keyword arguments. `awaiting`: unsigned, it is left for the
    receiver to accept later."""
    asset = Asset.get_or_none(Asset.code == code)
    if asset is None:
        raise NotFound("No asset has that code.")
    if person_id is None:
        person_id = asset.holder_id if kind == "return" else actor.id
    person = User.get_or_none(User.id == person_id) if person_id else None
    if person is None or not rules.wants_receipt(kind, actor, person, [asset]):
        return Handed(action(None))
    signer = person
    if kind == "return" and signer_id is not None:
        signer = _user(signer_id, "signer")
    signature = signatures.read(drawn, typed, signer)
    stored: list[str] = []
    try:
        with write():
            receipt = open_receipt(kind, person=person, staff=actor)
            outcome = action(receipt)
            if outcome.duplicate:
                raise _Nothing(outcome)
            finish(
                receipt,
                signature=signature,
                signer=signer,
                uploads_dir=uploads_dir,
                awaiting=awaiting and kind == "handover",
            )
            stored.append(receipt.signature_file)
    except _Nothing as nothing:
        return Handed(nothing.outcome)
    except BaseException:
        for name in stored:
            signatures.discard(uploads_dir, name)
        raise
    handed = Handed(outcome, receipt.id)
    if deliver_with is not None:
        handed.delivery = deliver(receipt.id, uploads_dir=uploads_dir, **deliver_with)
    return handed


# After the write: the PDF and the email --------------------------------------------


@dataclass
class Delivery:
    """How delivering went: whether the PDF is stored, whether it was emailed
    (None: no mail server, or nobody to send it to), and what went wrong."""

    pdf: bool
    emailed: bool | None = None
    problem: str = ""


def send(
    smtp: mail.SmtpSettings, compose: Callable[[], EmailMessage], *, pdf: bool, failed: str
) -> Delivery:
    """Compose and send one email about a receipt. A failure (the server, a bad
    address) comes back as the Delivery's problem, after `failed`'s words: the
    handover is already written, so nothing here raises."""
    try:
        refused = mail.deliver(smtp, [compose()])
    except (mail.MailError, ValueError) as exc:
        return Delivery(pdf=pdf, emailed=False, problem=f"{failed}: {exc}")
    if refused:
        return Delivery(pdf=pdf, emailed=False, problem=f"{failed}: {refused[0]}")
    return Delivery(pdf=pdf, emailed=True)


def render(receipt_id: int, *, uploads_dir: Path, org_name: str, zone: tzinfo) -> bytes:
    """The receipt's PDF, made in the render worker (raises Busy when it cannot)."""
    shown = view.build(receipt_id)
    if shown is None:
        raise NotFound("No such receipt.")
    image = b""
    if shown.receipt.signature_file:
        image = (uploads_dir / shown.receipt.signature_file).read_bytes()
    page = pdf.html(shown, org_name=org_name, zone=zone, has_image=bool(image))
    return run(pdf.html_to_pdf, page, image)


def ensure_pdf(
    receipt_id: int, *, uploads_dir: Path, org_name: str = "tagtrail", zone: tzinfo = UTC
) -> str:
    """The stored PDF's name under uploads/, made and recorded the first time
    (once: a PDF is never made again). Raises Busy when it cannot be made now."""
    receipt = Receipt.get_or_none(Receipt.id == receipt_id)
    if receipt is None:
        raise NotFound("No such receipt.")
    if receipt.pdf_file:
        return receipt.pdf_file
    data = render(receipt_id, uploads_dir=uploads_dir, org_name=org_name, zone=zone)
    name = signatures.write_new(uploads_dir, "pdf", data)  # before its row, as uploads are
    with write():
        won = (
            Receipt.update(pdf_file=name, pdf_sha256=hashlib.sha256(data).hexdigest())
            .where(Receipt.id == receipt_id, Receipt.pdf_file == "")
            .execute()
        )
    if not won:  # made at the same moment by another request: keep theirs
        (uploads_dir / name).unlink(missing_ok=True)
        return Receipt.get_by_id(receipt_id).pdf_file
    return name


def _email(shown: view.View, pdf_data: bytes, smtp: mail.SmtpSettings, public_url: str):
    receipt = shown.receipt
    count = len(shown.lines)
    items = "1 item" if count == 1 else f"{count} items"
    if receipt.kind == "handover":
        subject = f"Receipt: {items} handed over to you by {shown.staff.name}"
        opening = f"{shown.staff.name} handed over to you:"
    elif count or not shown.seats:
        subject = f"Receipt: {items} you returned to {shown.staff.name}"
        opening = f"You returned to {shown.staff.name}:"
    else:  # Return all for someone who held only seats
        seats = "1 seat" if len(shown.seats) == 1 else f"{len(shown.seats)} seats"
        subject = f"Receipt: {seats} freed by {shown.staff.name}"
        opening = ""
    parts = [f"Hello {shown.person.name},"]
    if count or not shown.seats:
        parts += [opening, "\n".join(f"- {line.name} ({line.code})" for line in shown.lines)]
    if shown.seats:
        parts += ["Seats freed:", "\n".join(f"- {_seat_words(seat)}" for seat in shown.seats)]
    link = f"\n\nThe receipt: {public_url}/receipts/{receipt.id}" if public_url else ""
    body = "\n\n".join(parts) + f"\n\nThe receipt is attached as a PDF.{link}\n"
    return mail.compose(
        smtp.sender,
        mail.address(shown.person.name, shown.person.email),
        subject,
        body,
        (mail.Attachment(f"receipt-{receipt.id}.pdf", "application/pdf", pdf_data),),
    )


def _seat_words(seat: view.SeatLine) -> str:
    """ "Figma Professional (Figma), on Laptop 3 (QCE-ZH8)"."""
    return f"{seat.product} ({seat.vendor})" + (f", on {seat.item}" if seat.item else "")


def deliver(
    receipt_id: int,
    *,
    public_url: str,
    smtp: mail.SmtpSettings | None,
    uploads_dir: Path,
    org_name: str = "tagtrail",
    zone: tzinfo = UTC,
) -> Delivery:
    """After the write: make and store the PDF (once), then email it to the person
    when mail is set up (once). Nothing here undoes the handover: a failure comes
    back as `problem`, and a PDF not made now is made when the receipt is opened."""
    if Receipt.select().where(Receipt.id == receipt_id, Receipt.state == "awaiting").exists():
        from .acceptance import invite  # no PDF until accepted: a link to accept it

        return invite(receipt_id, public_url=public_url, smtp=smtp)
    try:
        name = ensure_pdf(receipt_id, uploads_dir=uploads_dir, org_name=org_name, zone=zone)
    except Busy as exc:
        return Delivery(pdf=False, problem=f"The receipt's PDF will be made later ({exc})")
    except Exception:  # the handover is committed: a failed render must not turn it into a 500
        log.exception("receipt %s: the PDF could not be made", receipt_id)
        return Delivery(pdf=False, problem="The receipt's PDF could not be made now.")
    receipt = Receipt.get_by_id(receipt_id)
    shown = view.build(receipt_id)
    if smtp is None or shown is None or not shown.person.email or receipt.emailed_at:
        return Delivery(pdf=True)
    sent = send(
        smtp,
        lambda: _email(shown, (uploads_dir / name).read_bytes(), smtp, public_url),
        pdf=True,
        failed="The receipt could not be emailed",
    )
    if not sent.emailed:
        return sent
    with write():
        Receipt.update(emailed_at=utcnow()).where(
            Receipt.id == receipt_id, Receipt.emailed_at.is_null()
        ).execute()
    return Delivery(pdf=True, emailed=True)
