"""Receipts by email, through a real SMTP server on loopback: one email per
receipt with its PDF attached, a batch of 20 items is one receipt and one email,
and a mail server that is down does not undo the handover."""

from __future__ import annotations

import subprocess
from datetime import date

from app.codes import pretty
from app.custody import custody
from app.database import write
from app.models import Asset, Receipt, ReceiptItem
from app.ops import mail
from app.receipts import receipts, signatures

from . import factories
from .custody_kit import a_lead, fresh
from .mail_kit import free_port
from .receipt_kit import data_url, hand_over, png, uploads_dir


def smtp_on(port: int) -> mail.SmtpSettings:
    return mail.SmtpSettings(
        host="127.0.0.1",
        port=port,
        user="",
        password="",
        sender="tagtrail@harbour.example",
        starttls=False,
    )


def pdf_text(data: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().split())


def attachments(message) -> list:
    return [part for part in message.iter_attachments()]


def test_one_email_with_the_pdf_per_handover(app, auth, item, inbox):
    handler, port = inbox
    lead = factories.make_user("lead", name="Lee Lead", password=None)
    member = factories.make_user("member", name="Ann Lee", email="ann@example.test")
    handed = hand_over(
        app,
        item,
        lead,
        member,
        typed="Ann Lee",
        public_url="http://tags.example.test",
        smtp=smtp_on(port),
    )
    assert handed.delivery is not None and handed.delivery.emailed is True
    message = handler.to("ann@example.test")
    assert message["Subject"] == "Receipt: 1 item handed over to you by Lee Lead"
    body = message.get_body(("plain",)).get_content()
    assert f"{item.name} ({item.code})" in body
    assert f"http://tags.example.test/receipts/{handed.receipt_id}" in body
    [pdf] = attachments(message)
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"receipt-{handed.receipt_id}.pdf"
    data = pdf.get_content()
    receipt = Receipt.get_by_id(handed.receipt_id)
    assert data == (uploads_dir(app) / receipt.pdf_file).read_bytes()
    assert "Received by Ann Lee" in pdf_text(data)
    assert receipt.emailed_at is not None
    # Delivering again sends nothing more.
    again = receipts.deliver(
        receipt.id, public_url="", smtp=smtp_on(port), uploads_dir=uploads_dir(app)
    )
    assert again.emailed is None
    assert len(handler.messages) == 1


def test_twenty_items_one_receipt_one_email(app, auth, inbox):
    """A batch (kit, reservation, scanner run) is one write: one receipt, one email."""
    handler, port = inbox
    lead = a_lead()
    member = factories.make_user("member", name="Ann Lee", email="ann@example.test")
    items = [factories.make_asset(lead, name=f"Radio {n:02}") for n in range(20)]
    with write():
        receipt = receipts.open_receipt("handover", person=member, staff=lead)
        for asset in items:
            custody.check_out(
                asset.code, actor=lead, today=date.today(), holder_id=member.id, receipt=receipt
            )
        receipts.finish(receipt, signature=None, signer=None, uploads_dir=uploads_dir(app))
    delivery = receipts.deliver(
        receipt.id, public_url="", smtp=smtp_on(port), uploads_dir=uploads_dir(app)
    )
    assert delivery.emailed is True
    assert Receipt.select().count() == 1
    assert ReceiptItem.select().where(ReceiptItem.receipt == receipt.id).count() == 20
    assert len(handler.messages) == 1
    message = handler.to("ann@example.test")
    assert message["Subject"] == "Receipt: 20 items handed over to you by " + lead.name
    [pdf] = attachments(message)
    text = pdf_text(pdf.get_content())
    assert "20 items" in text
    assert all(pretty(asset.code) in text for asset in items)  # as on the label


def test_a_mail_server_that_is_down_does_not_undo_the_handover(app, auth, item):
    lead = a_lead()
    member = factories.make_user("member", name="Ann Lee", email="ann@example.test")
    handed = hand_over(app, item, lead, member, public_url="", smtp=smtp_on(free_port()))
    assert handed.delivery is not None and handed.delivery.emailed is False
    assert handed.delivery.problem.startswith("The receipt could not be emailed")
    receipt = Receipt.get_by_id(handed.receipt_id)
    assert receipt.pdf_file and receipt.emailed_at is None
    assert fresh(item).holder_id == member.id


def test_no_email_for_someone_without_an_address(app, auth, item, inbox):
    handler, port = inbox
    lead = a_lead()
    holder = factories.make_holder("Pat Holder")
    handed = hand_over(app, item, lead, holder, public_url="", smtp=smtp_on(port))
    assert handed.delivery is not None and handed.delivery.emailed is None
    assert handler.messages == []
    assert Asset.get_by_id(item.id).holder_id == holder.id


def test_a_render_that_fails_leaves_the_handover_and_sends_nothing(
    app, auth, item, inbox, monkeypatch, caplog
):
    """The PDF cannot be made (here: the stored signature has gone): the handover
    stands, no email goes without its PDF, and the reason is logged."""
    handler, port = inbox
    lead = a_lead()
    member = factories.make_user("member", name="Ann Lee", email="ann@example.test")
    real_store = signatures.store

    def store_then_lose(sig, uploads):
        name = real_store(sig, uploads)
        (uploads / name).unlink()
        return name

    monkeypatch.setattr(signatures, "store", store_then_lose)
    handed = hand_over(
        app, item, lead, member, drawn=data_url(png()), public_url="", smtp=smtp_on(port)
    )
    assert handed.delivery is not None and not handed.delivery.pdf
    assert handed.delivery.problem == "The receipt's PDF could not be made now."
    assert "the PDF could not be made" in caplog.text
    assert handler.messages == []
    assert fresh(item).holder_id == member.id
    assert Receipt.get_by_id(handed.receipt_id).state == "signed"
