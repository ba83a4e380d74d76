"""Receipts: when one is made, signatures (drawn, typed, refused), a signature
that is required, and that a signed receipt never changes."""

from __future__ import annotations

from datetime import date

import pytest

from app.custody import custody
from app.errors import Invalid, Refused
from app.models import Asset, Event, Receipt, ReceiptItem
from app.receipts import receipts, rules, signatures
from app.register import places

from . import factories
from .custody_kit import a_lead, fresh, new_key, state
from .receipt_kit import data_url, hand_over, noisy_png, png, uploads_dir

# The rules ---------------------------------------------------------------------


def test_wants_receipt(auth, item):
    """Between two people, several items, or a category that needs a signature:
    a receipt. A member's own one-tap check-out of one item: none."""
    lead, member = a_lead(), factories.make_user("member", password=None)
    other = factories.make_asset(lead, name="Tripod")
    assert rules.wants_receipt("handover", lead, member, [item])
    assert rules.wants_receipt("return", lead, member, [item])
    assert not rules.wants_receipt("handover", member, member, [item])
    assert not rules.wants_receipt("return", member, member, [item])
    assert rules.wants_receipt("handover", member, member, [item, other])
    category = places.save_category("Radios", signature_required=True)
    Asset.update(category=category).where(Asset.id == item.id).execute()
    assert rules.signature_required([fresh(item)])
    assert rules.wants_receipt("handover", member, member, [fresh(item)])
    assert not rules.signature_required([other])


@pytest.mark.parametrize(
    "typed, name, same",
    [
        ("Zoë Ångström", "Zoe Angstrom", True),
        ("  zoe   angström ", "Zoë Ångström", True),
        ("ZOEANGSTROM", "Zoë Ångström", True),
        ("Zoe", "Zoë Ångström", False),
        ("", "Zoë Ångström", False),
        ("Zoë Ångström-Smith", "Zoë Ångström", False),
    ],
)
def test_same_name(typed, name, same):
    assert rules.same_name(typed, name) is same


def test_who_signs_and_who_sees(auth, item):
    lead, member = a_lead(), factories.make_user("member", password=None)
    stranger = factories.make_user("member", password=None)
    handover = Receipt(kind="handover", person=member, staff=lead)
    back = Receipt(kind="return", person=member, staff=lead)
    assert rules.may_sign(handover, member) and not rules.may_sign(handover, lead)
    assert rules.may_sign(back, member) and rules.may_sign(back, lead)
    assert not rules.may_sign(back, stranger)
    assert rules.may_see(handover, member) and rules.may_see(handover, lead)
    assert rules.may_see(handover, a_lead())  # any lead
    assert not rules.may_see(handover, stranger)
    assert not rules.may_see(handover, None)


# Signatures --------------------------------------------------------------------


def test_read_a_drawn_signature(auth):
    member = factories.make_user("member", name="Ann Lee", password=None)
    sig = signatures.read(data_url(png()), "", member)
    assert sig is not None and sig.png.startswith(b"\x89PNG") and sig.typed == ""
    assert signatures.read("", "", member) is None
    typed = signatures.read("", " ann  LEE ", member)
    assert typed is not None and typed.png == b"" and typed.typed == "ann LEE"


@pytest.mark.parametrize(
    "drawn, field, message",
    [
        (data_url(png(ink=False)), "signature", signatures.BLANK),
        (data_url(noisy_png()), "signature", "The signature is too large (at most 200 KB)."),
        ("data:image/png;base64," + "A" * 300_000, "signature", "too large"),
        (data_url(b"GIF89a" + b"\0" * 40), "signature", signatures.NOT_A_PICTURE),
        (data_url(png()[:60]), "signature", signatures.NOT_A_PICTURE),  # cut short
        ("data:image/png;base64,!!!", "signature", signatures.NOT_A_PICTURE),
        ("data:text/html,<b>hi</b>", "signature", signatures.NOT_A_PICTURE),
    ],
)
def test_bad_drawn_signatures(auth, drawn, field, message):
    member = factories.make_user("member", password=None)
    with pytest.raises(Invalid) as refused:
        signatures.read(drawn, "", member)
    assert message in refused.value.errors[field]


def test_noisy_png_is_really_over_the_limit():
    assert len(noisy_png()) > rules.MAX_SIGNATURE_BYTES


def test_typed_name_must_be_the_signers(auth):
    member = factories.make_user("member", name="Ann Lee", password=None)
    with pytest.raises(Invalid) as refused:
        signatures.read("", "Bob Stone", member)
    assert refused.value.errors["signature_name"] == (
        "That is not the name on this person's account. Type it as it is on their account."
    )


# One request: action, receipt, signature ------------------------------------------


def test_handover_with_a_drawn_signature(app, auth, item):
    """A lead hands the item over; the receiver signs: one signed receipt, one item,
    the event names the receipt, the PNG is stored."""
    lead = a_lead()
    member = factories.make_user("member", name="Ann Lee", password=None)
    handed = hand_over(app, item, lead, member, drawn=data_url(png()))
    receipt = Receipt.get_by_id(handed.receipt_id)
    assert (receipt.kind, receipt.person_id, receipt.staff_id) == ("handover", member.id, lead.id)
    assert (receipt.state, receipt.signed_by_id) == ("signed", member.id)
    assert receipt.signed_at is not None
    assert (uploads_dir(app) / receipt.signature_file).read_bytes().startswith(b"\x89PNG")
    [line] = ReceiptItem.select().where(ReceiptItem.receipt == receipt.id)
    assert line.asset_id == item.id and line.event_id == handed.outcome.events[-1].id
    assert handed.outcome.events[-1].data["receipt"] == receipt.id
    assert fresh(item).holder_id == member.id


def test_handover_with_a_typed_name(app, auth, item):
    lead = a_lead()
    member = factories.make_user("member", name="Zoë Ångström", password=None)
    handed = hand_over(app, item, lead, member, typed="zoe angstrom")
    receipt = Receipt.get_by_id(handed.receipt_id)
    assert (receipt.state, receipt.signature_name, receipt.signature_file) == (
        "signed",
        "zoe angstrom",
        "",
    )


def test_handover_unsigned_when_not_required(app, auth, item):
    lead, member = a_lead(), factories.make_user("member", password=None)
    handed = hand_over(app, item, lead, member)
    assert Receipt.get_by_id(handed.receipt_id).state == "unsigned"


def test_own_one_tap_check_out_makes_no_receipt(app, auth, item):
    member = factories.make_user("member", password=None)
    handed = hand_over(app, item, member, member)
    assert handed.receipt_id is None and not Receipt.select().exists()
    assert fresh(item).holder_id == member.id


def _required(item):
    category = places.save_category("Radios", signature_required=True)
    Asset.update(category=category).where(Asset.id == item.id).execute()


def test_required_signature_missing_changes_nothing(app, auth, item):
    _required(item)
    lead, member = a_lead(), factories.make_user("member", password=None)
    before = state(item)
    with pytest.raises(Invalid) as refused:
        hand_over(app, item, lead, member)
    assert "needs a signature" in refused.value.errors["signature"]
    assert state(item) == before
    assert not Receipt.select().exists() and not ReceiptItem.select().exists()


def test_own_check_out_of_a_required_item_needs_a_signature(app, auth, item):
    _required(item)
    member = factories.make_user("member", name="Ann Lee", password=None)
    with pytest.raises(Invalid):
        hand_over(app, item, member, member)
    handed = hand_over(app, item, member, member, typed="Ann Lee")
    assert Receipt.get_by_id(handed.receipt_id).state == "signed"


def test_signing_for_someone_else_changes_nothing(app, auth, item):
    """The lead types their own name for the receiver: refused, nothing written."""
    _required(item)
    lead = factories.make_user("lead", name="Lee Lead", password=None)
    member = factories.make_user("member", name="Ann Lee", password=None)
    before = state(item)
    with pytest.raises(Invalid) as refused:
        hand_over(app, item, lead, member, typed="Lee Lead")
    assert refused.value.errors == {
        "signature_name": (
            "That is not the name on this person's account. Type it as it is on their account."
        )
    }
    assert state(item) == before and not Receipt.select().exists()


def test_oversized_signature_changes_nothing(app, auth, item):
    lead, member = a_lead(), factories.make_user("member", password=None)
    before = state(item)
    with pytest.raises(Invalid):
        hand_over(app, item, lead, member, drawn=data_url(noisy_png()))
    assert state(item) == before and not Receipt.select().exists()
    assert not list(uploads_dir(app).glob("receipts/*"))


def test_a_double_tap_makes_one_receipt(app, auth, item):
    lead, member = a_lead(), factories.make_user("member", password=None)
    key = new_key()
    first = hand_over(app, item, lead, member, drawn=data_url(png()), key=key)
    again = hand_over(app, item, lead, member, drawn=data_url(png()), key=key)
    assert again.outcome.duplicate and again.receipt_id is None
    assert [r.id for r in Receipt.select()] == [first.receipt_id]


def test_return_signed_by_the_staff_taking_it_back(app, auth, item):
    lead, member = a_lead(), factories.make_user("member", password=None)
    custody.check_out(item.code, actor=lead, today=date.today(), holder_id=member.id)
    handed = receipts.act(
        "return",
        item.code,
        lambda receipt: custody.check_in(
            item.code, actor=lead, expected_holder_id=member.id, receipt=receipt
        ),
        actor=lead,
        person_id=None,  # its holder
        drawn=data_url(png()),
        signer_id=lead.id,
        uploads_dir=uploads_dir(app),
    )
    receipt = Receipt.get_by_id(handed.receipt_id)
    assert (receipt.kind, receipt.person_id, receipt.staff_id) == ("return", member.id, lead.id)
    assert (receipt.state, receipt.signed_by_id) == ("signed", lead.id)
    assert receipt.terms == ""
    assert fresh(item).holder_id is None


def test_return_cannot_be_signed_by_a_third_person(app, auth, item):
    lead, member = a_lead(), factories.make_user("member", password=None)
    stranger = factories.make_user("member", password=None)
    custody.check_out(item.code, actor=lead, today=date.today(), holder_id=member.id)
    with pytest.raises(Invalid) as refused:
        receipts.act(
            "return",
            item.code,
            lambda receipt: custody.check_in(item.code, actor=lead, receipt=receipt),
            actor=lead,
            person_id=member.id,
            drawn=data_url(png()),
            signer_id=stranger.id,
            uploads_dir=uploads_dir(app),
        )
    assert "Only the person returning" in refused.value.errors["signature"]
    assert fresh(item).holder_id == member.id and not Receipt.select().exists()


# A signed receipt never changes --------------------------------------------------


def test_a_signed_receipt_cannot_change(app, auth, item):
    lead, member = a_lead(), factories.make_user("member", name="Ann Lee", password=None)
    handed = hand_over(app, item, lead, member, typed="Ann Lee")
    receipt = Receipt.get_by_id(handed.receipt_id)
    sig = signatures.read(data_url(png()), "", member)
    assert sig is not None
    with pytest.raises(Refused):
        receipts.sign(receipt, sig, member, uploads_dir=uploads_dir(app))
    with pytest.raises(Refused):
        receipts.finish(receipt, signature=None, signer=None, uploads_dir=uploads_dir(app))
    other = factories.make_asset(lead, name="Tripod")
    event = Event.select().first()
    with pytest.raises(Refused):
        receipts.add_item(receipt, other, event)
    after = Receipt.get_by_id(receipt.id)
    assert (after.state, after.signature_name, after.signature_file, after.version) == (
        "signed",
        "Ann Lee",
        "",
        receipt.version,
    )
    assert ReceiptItem.select().count() == 1


def test_terms_are_a_snapshot(app, auth, item):
    from app.ops import settings

    settings.change({"handover_terms": "I will look after these items."})
    lead, member = a_lead(), factories.make_user("member", password=None)
    handed = hand_over(app, item, lead, member)
    settings.change({"handover_terms": "New terms."})
    assert Receipt.get_by_id(handed.receipt_id).terms == "I will look after these items."
