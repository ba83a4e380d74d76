"""A handover left to be accepted: the receiver's page to accept (signing) or
decline it, and the page a lead hands their phone over on ("Sign for N items")."""

from __future__ import annotations

from ..models import User
from ..receipts import rules, view


def page(receipt_id: int, viewer: User, mode: str) -> dict | None:
    """What the accept page (`mode` "accept": the receiver only) or the sign page
    ("sign": the staff member on the receipt, or the receiver) shows; None when
    it is not theirs to open (read as "not found")."""
    shown = view.build(receipt_id)
    if shown is None or shown.receipt.kind != "handover":
        return None
    receipt = shown.receipt
    allowed = rules.may_decide if mode == "accept" else rules.may_sign_now
    if not allowed(receipt, viewer):
        return None
    count = len(shown.lines)
    return {
        "v": shown,
        "receipt": receipt,
        "mode": mode,
        "waiting": receipt.state == "awaiting",
        "count": count,
        "note_max": rules.DECLINE_NOTE_MAX,
        "signing": {
            "kind": "handover",
            "legend": f"Signature of {shown.person.name}",
            "required": True,
            "required_words": "Accepting these items needs a signature.",
            "terms": receipt.terms,
            "signers": [],
        },
    }


def return_all_signing(person: User, viewer: User, held: int) -> dict | None:
    """The signing part of "Return all": either the person returning or the lead
    taking the items back signs; None when the step makes no receipt."""
    if not held or person.id == viewer.id:
        return None
    return {
        "kind": "return",
        "legend": "Signature",
        "required": False,
        "terms": "",
        "signers": [
            {"id": person.id, "label": f"{person.name}, returning them"},
            {"id": viewer.id, "label": f"{viewer.name}, taking them back"},
        ],
    }
