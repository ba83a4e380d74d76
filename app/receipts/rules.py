"""The receipt rules, in one place: when a handover or a return makes a
receipt, when it needs a signature, whose signature counts, how a typed name
is matched, the signature's size limit, and who may see a receipt."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from ..custody import condition
from ..models import Asset, Category, Event, Receipt, User
from ..register.rules import is_lead

KINDS = {"handover": "Handover", "return": "Return"}
STATES = {
    "signed": "Signed",
    "unsigned": "Not signed",
    "awaiting": "Waiting to be accepted",
    "accepted": "Accepted",
    "declined": "Declined",
}
# Once in one of these, nothing about the receipt changes (a correction is a new event).
FINAL_STATES = ("signed", "accepted", "declined")
MAX_SIGNATURE_BYTES = 200 * 1024
MAX_SIGNATURE_PIXELS = 4_000_000  # a phone's pad is far smaller; more is not a signature
NOT_RECORDED = "Not recorded"  # an item nobody has said the condition of yet
# Asked whenever a signature is missing or wrong: true with the pad shown and
# without JavaScript (the pad hidden), and never echoing anyone's name.
SIGN_HOW = "type your full name (or sign in the box)"
WRONG_NAME = "That is not the name on this person's account. Type it as it is on their account."


def people_lines(kind: str, person_name: str, staff_name: str, same: bool) -> list[tuple[str, str]]:
    """Who is on a receipt, as it reads on its page and in its PDF: two lines
    between two people, one "(self-service)" line when the person served
    themselves (never one name twice)."""
    if same:
        verb = "Taken by" if kind == "handover" else "Returned by"
        return [(verb, f"{person_name} (self-service)")]
    if kind == "handover":
        return [("Handed over by", staff_name), ("Received by", person_name)]
    return [("Returned by", person_name), ("Taken back by", staff_name)]


def condition_label(value: str) -> str:
    """How an item's condition reads on a receipt: custody's words for it."""
    return condition.label(value) or NOT_RECORDED


def signature_required(assets: Iterable[Asset]) -> bool:
    """Whether handing these over needs the receiver's signature: any of their
    categories says so (one query)."""
    ids = {a.category_id for a in assets if a.category_id}
    if not ids:
        return False
    return (
        Category.select(Category.id)
        .where(Category.id.in_(list(ids)), Category.signature_required == True)  # noqa: E712
        .exists()
    )


def needs_signature(asset: Asset) -> bool:
    """`signature_required` for one asset whose category is already loaded (the
    asset page's query joins it): no query of its own."""
    return bool(asset.category_id and asset.category and asset.category.signature_required)


def wants_receipt(kind: str, actor: User, person: User | None, assets: list[Asset]) -> bool:
    """Whether a handover or return makes a receipt: between two people, several
    items at once, or any item whose category needs a signature. A member's own
    one-tap check-out or return of one item makes none."""
    if kind not in KINDS:
        raise ValueError(kind)
    if person is not None and person.id != actor.id:
        return True
    if len(assets) > 1:
        return True
    return signature_required(assets)


def _folded(text: str) -> str:
    """A name for comparing: no accents, no case, no spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(plain.casefold().split())


def same_name(typed: str, name: str) -> bool:
    """Whether a typed name is this full name, whatever its case, spaces and accents."""
    return bool(_folded(typed)) and _folded(typed) == _folded(name)


def signers(receipt: Receipt) -> tuple[int, ...]:
    """Whose signature counts: at a handover the receiver (on whatever phone); at a
    return the person returning or the staff taking it back."""
    if receipt.kind == "handover":
        return (receipt.person_id,)
    return (receipt.person_id, receipt.staff_id)


def may_sign(receipt: Receipt, signer: User | None) -> bool:
    return signer is not None and signer.id in signers(receipt)


def is_final(receipt: Receipt) -> bool:
    return receipt.state in FINAL_STATES


def may_see(receipt: Receipt, viewer: User | None) -> bool:
    """Signed-in leads see every receipt; anyone else only those they are on."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return is_lead(viewer) or viewer.id in (receipt.person_id, receipt.staff_id)


def may_see_from_event(event: Event, viewer: User | None) -> bool:
    """`may_see` for the receipt an event is on, from the event alone (the history
    shows its link without loading the receipt): its holder is the receipt's
    person and its actor the staff, at a handover and at a return alike."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return is_lead(viewer) or viewer.id in (event.holder_id, event.actor_id)


# To be accepted later ---------------------------------------------------------------

# The leads' digest lists handovers still waiting for acceptance after this long.
ACCEPT_WITHIN_DAYS = 3
DECLINE_NOTE_MAX = 500


def may_decide(receipt: Receipt, viewer: User | None) -> bool:
    """Only the receiver accepts or declines a handover left to be accepted: never
    someone else for them, a lead included."""
    return viewer is not None and receipt.kind == "handover" and viewer.id == receipt.person_id


def may_sign_now(receipt: Receipt, viewer: User | None) -> bool:
    """Who may open a waiting handover's signing page on their phone and hand it to
    the receiver: the staff member who handed the items over, or the receiver."""
    return viewer is not None and viewer.id in (receipt.staff_id, receipt.person_id)
