"""One receipt for several items moved in one step: a kit, a reservation's start,
"Return all", and the scanner's "Check out to…" run.

The caller opens the receipt inside its own write (`open_for`), passes it as
`receipt=` to each custody call, and closes it (`close`) before the write ends,
so the items, the receipt and the signature commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..custody.engine import Outcome
from ..database import write
from ..errors import Invalid
from ..models import Asset, Receipt, ReceiptItem, User, utcnow
from . import rules, signatures
from .receipts import finish, open_receipt


@dataclass
class Signing:
    """What a form sent to sign a receipt for several items: the pad's PNG data
    URL, the typed full name, at a return who signs (None: the person returning),
    and whether a handover is left to be accepted later."""

    uploads_dir: Path
    drawn: str = ""
    typed: str = ""
    signer_id: int | None = None
    awaiting: bool = False
    receipt_id: int | None = None  # set by `close`: the receipt made, if any
    # A step with no place to sign (a reservation's one-tap start): items that
    # need a signature go out awaiting the person's acceptance, not refused.
    later_if_required: bool = False


def open_for(
    kind: str,
    actor: User,
    person: User | None,
    assets: list[Asset],
    signing: Signing | None,
    *,
    seats: int = 0,
) -> Receipt | None:
    """A receipt for these items (and `seats` seats freed with them: Return all),
    inside the caller's write, when the rules want one (and the caller can sign:
    `signing` given); else None."""
    if signing is None or person is None or not (assets or seats):
        return None
    if not rules.wants_receipt(kind, actor, person, assets):
        return None
    return open_receipt(kind, person=person, staff=actor)


def close(receipt: Receipt | None, signing: Signing | None) -> int | None:
    """Finish the receipt with the form's signature, inside the caller's write
    (a refusal rolls the whole step back). Returns its id, or None."""
    if receipt is None or signing is None:
        return None
    signer = User.get_by_id(receipt.person_id)
    if receipt.kind == "return" and signing.signer_id not in (None, receipt.person_id):
        if signing.signer_id != receipt.staff_id:
            raise Invalid({"signer": "Choose who signs from the list."})
        signer = User.get_by_id(receipt.staff_id)
    signature = signatures.read(signing.drawn, signing.typed, signer)
    finish(
        receipt,
        signature=signature,
        signer=signer,
        awaiting=signing.awaiting and receipt.kind == "handover" and signature is None,
        uploads_dir=signing.uploads_dir,
        later_if_required=signing.later_if_required,
    )
    signing.receipt_id = receipt.id
    return receipt.id


# The scanner's "Check out to…" run -------------------------------------------------

RUN_GONE = "That handover is closed: a new receipt was started for {name}."


def run_receipt(receipt_id: int | None, *, actor: User, person: User) -> Receipt:
    """The receipt a scanner run adds this check-out to, inside the caller's
    write: the run's receipt when it is still open (awaiting), the same staff
    and person, and made today; else a new one, awaiting the person's signature."""
    if receipt_id is not None:
        receipt = Receipt.get_or_none(Receipt.id == receipt_id)
        if (
            receipt is not None
            and receipt.kind == "handover"
            and receipt.state == "awaiting"
            and receipt.staff_id == actor.id
            and receipt.person_id == person.id
            and receipt.created_at.date() == utcnow().date()
        ):
            return receipt
    receipt = open_receipt("handover", person=person, staff=actor)
    Receipt.update(state="awaiting").where(Receipt.id == receipt.id).execute()
    receipt.state = "awaiting"  # its items are awaiting from the first (add_item)
    return receipt


@dataclass
class RunStep:
    """One check-out of a scanner run: the custody outcome, the receipt it went
    on, and how many items that receipt now has."""

    outcome: Outcome
    receipt_id: int | None = None
    items: int = 0


class _Again(Exception):
    """Rolls back a receipt opened for a check-out that was already done."""

    def __init__(self, outcome: Outcome):
        self.outcome = outcome


def check_out_in_run(
    *,
    actor: User,
    person_id: int,
    receipt_id: int | None,
    check_out: Callable[[Receipt], Outcome],
) -> RunStep:
    """`check_out(receipt)`, a scanner run's check-out to another person, on the
    run's receipt (`receipt_id`, when it can take more: see `run_receipt`) or on
    a new one awaiting the person's signature, all in one write. A check-out
    already done (a resent scan) leaves no receipt behind."""
    try:
        with write():
            person = User.get_or_none(User.id == person_id)
            if person is None or not person.active:
                raise Invalid({"holder": "Choose a person from the list."})
            receipt = run_receipt(receipt_id, actor=actor, person=person)
            outcome = check_out(receipt)
            if outcome.duplicate:
                raise _Again(outcome)
            count = ReceiptItem.select().where(ReceiptItem.receipt == receipt.id).count()
    except _Again as again:
        return RunStep(again.outcome)
    return RunStep(outcome, receipt.id, count)
