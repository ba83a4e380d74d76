"""The receipt's PDF, read back with pdftotext and pdfimages: its items, people,
terms and signature; made once in the render worker, stored, never made again."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import date

from app.codes import pretty
from app.custody import custody
from app.database import write
from app.models import Asset, Receipt
from app.ops import settings
from app.receipts import receipts

from . import factories
from .custody_kit import a_lead, new_key
from .pages import soup_of
from .receipt_kit import data_url, hand_over, png, uploads_dir


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True)
    assert out.returncode == 0, out.stderr
    return " ".join(out.stdout.decode().split())


def images_in(pdf: bytes) -> list[list[str]]:
    """pdfimages -list's image rows (page, num, type, width, height, ...), without
    the header lines and without an image's transparency mask ("smask")."""
    out = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True)
    rows = [line.split() for line in out.stdout.decode().strip().splitlines()[2:]]
    return [row for row in rows if row[2] == "image"]


def stored_pdf(app, receipt_id: int) -> bytes:
    receipt = Receipt.get_by_id(receipt_id)
    assert receipt.pdf_file
    data = (uploads_dir(app) / receipt.pdf_file).read_bytes()
    assert hashlib.sha256(data).hexdigest() == receipt.pdf_sha256
    return data


def test_pdf_has_items_people_terms_and_the_signature(app, auth):
    settings.change({"handover_terms": "I will look after these items and bring them back."})
    lead = factories.make_user("lead", name="Lee Lead", password=None)
    member = factories.make_user("member", name="Ann Lee", password=None)
    drill = factories.make_asset(lead, name="Cordless drill", serial="SN-4471")
    level = factories.make_asset(lead, name="Laser level <b>x</b>")
    Asset.update(condition="fair").where(Asset.id == drill.id).execute()
    sig = receipts.signatures.read(data_url(png()), "", member)
    with write():
        receipt = receipts.open_receipt("handover", person=member, staff=lead)
        for asset in (drill, level):
            custody.check_out(
                asset.code, actor=lead, today=date.today(), holder_id=member.id, receipt=receipt
            )
        receipts.finish(receipt, signature=sig, signer=member, uploads_dir=uploads_dir(app))
    delivery = receipts.deliver(
        receipt.id, public_url="http://tags.example.test", smtp=None, uploads_dir=uploads_dir(app)
    )
    assert delivery.pdf and delivery.emailed is None and not delivery.problem
    pdf = stored_pdf(app, receipt.id)
    text = text_of(pdf)
    for words in (
        f"Handover receipt {receipt.id}",
        "Handed over by Lee Lead",
        "Received by Ann Lee",
        "2 items",
        f"Cordless drill {pretty(drill.code)} SN-4471 Fair",
        f"Laser level <b>x</b> {pretty(level.code)} Not recorded",
        "I will look after these items and bring them back.",
        "Signed by Ann Lee",
    ):
        assert words in text, (words, text)
    [image] = images_in(pdf)
    assert image[0] == "1" and image[3:5] == ["300", "120"]  # page 1: the pad's picture


def test_typed_name_pdf_has_no_image(app, auth, item):
    lead = a_lead()
    member = factories.make_user("member", name="Ann Lee", password=None)
    handed = hand_over(app, item, lead, member, typed="ann lee", public_url="", smtp=None)
    pdf = stored_pdf(app, handed.receipt_id)
    assert "Typed name: ann lee" in text_of(pdf)
    assert images_in(pdf) == []


def test_pdf_is_made_once(app, auth, item):
    lead, member = a_lead(), factories.make_user("member", password=None)
    handed = hand_over(app, item, lead, member, public_url="", smtp=None)
    first = Receipt.get_by_id(handed.receipt_id)
    again = receipts.ensure_pdf(handed.receipt_id, uploads_dir=uploads_dir(app))
    assert again == first.pdf_file
    assert list(uploads_dir(app).glob("receipts/*.pdf")) == [uploads_dir(app) / first.pdf_file]


def test_receipt_page_pdf_and_signature_are_for_allowed_people(app, client, auth, item):
    lead = a_lead()
    member = factories.make_user("member", name="Ann Lee")
    handed = hand_over(app, item, lead, member, drawn=data_url(png()), public_url="", smtp=None)
    rid = handed.receipt_id
    # Signed out: sent to sign in, nothing shown.
    for url in (f"/receipts/{rid}", f"/receipts/{rid}.pdf", f"/receipts/{rid}/signature.png"):
        assert client.get(url).status_code in (302, 303)
    stranger = auth.login("member")
    for url in (f"/receipts/{rid}", f"/receipts/{rid}.pdf", f"/receipts/{rid}/signature.png"):
        assert client.get(url).status_code == 404, url
    auth.logout()
    auth.login(user=member)
    page = client.get(f"/receipts/{rid}")
    assert page.status_code == 200
    soup = soup_of(page)
    assert soup.select_one("#receipt-items tbody td .item-name").get_text(strip=True) == item.name
    img = soup.select_one("#receipt-signature img")
    assert img["src"] == f"/receipts/{rid}/signature.png"
    assert soup.find("a", string="Download PDF")["href"] == f"/receipts/{rid}.pdf"
    picture = client.get(f"/receipts/{rid}/signature.png")
    assert picture.status_code == 200 and picture.data.startswith(b"\x89PNG")
    assert picture.headers["Cache-Control"] == "no-store"
    picture.close()
    pdf = client.get(f"/receipts/{rid}.pdf")
    assert pdf.status_code == 200 and pdf.data == stored_pdf(app, rid)
    pdf.close()
    assert stranger.id != member.id


def test_a_busy_worker_leaves_the_handover_and_the_pdf_is_made_on_opening(
    app, client, auth, item, monkeypatch
):
    """The render queue is full at the handover: it still stands, the page says the
    PDF comes later, and opening it makes it (a GET: shown, not stored)."""
    import threading

    from app import worker

    slots = threading.BoundedSemaphore(1)
    slots.acquire()
    monkeypatch.setattr(worker, "_slots", slots)
    lead = auth.login("lead")
    member = factories.make_user("member", name="Ann Lee", password=None)
    response = client.form(
        f"/A/{item.code}/checkout",
        {"holder": member.id, "key": new_key(), "signature_name": "Ann Lee"},
    )
    assert response.status_code == 303
    receipt = Receipt.get()
    assert receipt.state == "signed" and receipt.pdf_file == ""
    soup, _ = client.soup(f"/A/{item.code}")
    problem = soup.select_one("#flash .flash-error").get_text(strip=True)
    assert problem.startswith("The receipt's PDF will be made later")
    assert soup.select_one("#flash a#receipt-link") is not None
    busy = client.get(f"/receipts/{receipt.id}.pdf")
    assert busy.status_code == 503
    monkeypatch.setattr(worker, "_slots", threading.BoundedSemaphore(3))
    made = client.get(f"/receipts/{receipt.id}.pdf")
    assert made.status_code == 200 and made.mimetype == "application/pdf"
    assert "Received by Ann Lee" in text_of(made.data)
    assert Receipt.get_by_id(receipt.id).pdf_file == ""  # a GET writes nothing
    assert lead.id == receipt.staff_id


def test_self_service_receipt_names_the_person_once(client, auth, item):
    """A member's own signed check-out of an item whose category needs a signature,
    then their own return: one "(self-service)" line on the page and in the PDF."""
    from app.models import Category

    category = factories.make_category("Radios")
    Category.update(signature_required=True).where(Category.id == category.id).execute()
    Asset.update(category=category).where(Asset.id == item.id).execute()
    member = auth.login("member")
    taken = client.form(
        f"/A/{item.code}/checkout", {"key": new_key(), "signature_name": member.name}
    )
    assert taken.status_code == 303
    receipt = Receipt.get()
    assert receipt.person_id == receipt.staff_id == member.id
    page = soup_of(client.get(f"/receipts/{receipt.id}"))
    words = [dt.get_text(strip=True) for dt in page.select("#receipt dl.details dt")]
    names = [dd.get_text(strip=True) for dd in page.select("#receipt dl.details dd")]
    assert (words, names) == (["Taken by"], [f"{member.name} (self-service)"])
    text = text_of(stored_pdf(client.application, receipt.id))
    assert f"Taken by {member.name} (self-service)" in text
    assert "Handed over by" not in text and "Received by" not in text
    assert f"{pretty(item.code)}" in text and "-" in pretty(item.code)
