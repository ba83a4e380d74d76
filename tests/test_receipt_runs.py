"""One receipt for several items moved in one step: a kit checked out, handed
over or returned, "Return all", and the scanner's "Check out to…" run."""

from __future__ import annotations

import time
import uuid

from bs4 import BeautifulSoup

from app.kits import kits
from app.models import Asset, Event, Receipt, ReceiptItem
from app.receipts import rules as receipt_rules

from . import factories
from .custody_kit import fresh
from .receipt_kit import data_url, png


def items_on(receipt: Receipt) -> list[str]:
    return sorted(
        i.asset.name for i in ReceiptItem.select().where(ReceiptItem.receipt == receipt.id)
    )


def one_receipt(person) -> Receipt:
    found = list(Receipt.select().where(Receipt.person == person.id))
    assert len(found) == 1, found
    return found[0]


def laptops(lead, n=3) -> list[Asset]:
    return [factories.make_asset(lead, name=f"Laptop {i}") for i in range(1, n + 1)]


def test_a_kit_checked_out_to_someone_is_one_signed_receipt(client, auth):
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak")
    gear = laptops(lead)
    kit = kits.create("Starter kit", "\n".join(a.code for a in gear), actor=lead)
    soup = BeautifulSoup(client.get(f"/A/{kit.code}").data, "html.parser")
    form = soup.select_one(f"form[action='/kits/{kit.code}/checkout'].stack")
    assert form.select_one("#kit-checkout-signature_name") is not None
    assert form.select_one("input[name=later]") is not None
    response = client.form(
        f"/kits/{kit.code}/checkout",
        {"holder": nina.id, "signature": data_url(png()), "key": "kitkey-0001"},
    )
    assert response.status_code == 303
    receipt = one_receipt(nina)
    assert receipt.state == "signed" and receipt.signature_file and receipt.staff_id == lead.id
    assert items_on(receipt) == ["Laptop 1", "Laptop 2", "Laptop 3"]
    for a in gear:
        event = Event.select().where(Event.asset == a.id, Event.kind == "checked_out").get()
        assert event.data["receipt"] == receipt.id
    # The same form again (a double tap): no second receipt.
    client.form(
        f"/kits/{kit.code}/checkout",
        {"holder": nina.id, "signature": data_url(png()), "key": "kitkey-0001"},
    )
    assert Receipt.select().count() == 1


def test_a_kit_signature_for_someone_else_changes_nothing(client, auth):
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak")
    gear = laptops(lead)
    kit = kits.create("Starter kit", "\n".join(a.code for a in gear), actor=lead)
    response = client.form(
        f"/kits/{kit.code}/checkout", {"holder": nina.id, "signature_name": "Lee Somebody"}
    )
    assert response.status_code == 303
    assert Receipt.select().count() == 0
    assert all(fresh(a).holder_id is None for a in gear)


def test_a_kit_returned_by_its_holder_is_one_return_receipt(client, auth):
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak")
    gear = laptops(lead)
    kit = kits.create("Starter kit", "\n".join(a.code for a in gear), actor=lead)
    client.form(f"/kits/{kit.code}/checkout", {"holder": nina.id, "later": "1"})
    handover = one_receipt(nina)
    assert handover.state == "awaiting"
    assert all(fresh(a).awaiting_since is not None for a in gear)
    client.form(
        f"/kits/{kit.code}/return",
        {"present": [a.code for a in gear], "signer": lead.id, "signature_name": lead.name},
    )
    back = Receipt.select().where(Receipt.kind == "return").get()
    assert back.person_id == nina.id and back.signed_by_id == lead.id
    assert items_on(back) == ["Laptop 1", "Laptop 2", "Laptop 3"]
    assert all(fresh(a).holder_id is None and fresh(a).awaiting_since is None for a in gear)


def test_return_all_gives_one_return_receipt(client, auth):
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak")
    gear = laptops(lead)
    for a in gear:
        client.form(f"/A/{a.code}/checkout", {"holder": nina.id, "signature_name": "Nina Novak"})
    assert Receipt.select().where(Receipt.kind == "handover").count() == 3  # one per form
    page = BeautifulSoup(client.get(f"/people/{nina.id}/return-all").data, "html.parser")
    signers = [i["value"] for i in page.select("#signing input[name=signer]")]
    assert signers == [str(nina.id), str(lead.id)]
    # Signing for someone else: refused, nothing returned.
    refused = client.form(
        f"/people/{nina.id}/return-all", {"signer": nina.id, "signature_name": lead.name}
    )
    assert refused.status_code == 422
    assert all(fresh(a).holder_id == nina.id for a in gear)
    assert Receipt.select().where(Receipt.kind == "return").count() == 0
    done = client.form(
        f"/people/{nina.id}/return-all", {"signer": nina.id, "signature": data_url(png())}
    )
    assert done.status_code == 200
    soup = BeautifulSoup(done.data, "html.parser")
    back = Receipt.select().where(Receipt.kind == "return").get()
    assert soup.select_one("#receipt-link")["href"] == f"/receipts/{back.id}"
    assert back.state == "signed" and back.signed_by_id == nina.id
    assert items_on(back) == ["Laptop 1", "Laptop 2", "Laptop 3"]
    assert all(fresh(a).holder_id is None for a in gear)


def test_return_all_without_a_signature_is_one_unsigned_receipt(client, auth):
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak")
    gear = laptops(lead, 2)
    for a in gear:
        client.form(f"/A/{a.code}/checkout", {"holder": nina.id})
    client.form(f"/people/{nina.id}/return-all", {})
    back = Receipt.select().where(Receipt.kind == "return").get()
    assert back.state == "unsigned" and items_on(back) == ["Laptop 1", "Laptop 2"]
    assert receipt_rules.STATES[back.state] == "Not signed"


# The scanner's "Check out to…" run ------------------------------------------------

SCAN = "/scan/actions"


def scan_out(client, asset, person, receipt_id=None, key=None):
    item = {
        "action": "checkout",
        "code": asset.code,
        "holder_id": person.id,
        "key": key or uuid.uuid4().hex,
        "scanned_at": int(time.time() * 1000),
    }
    if receipt_id is not None:
        item["receipt_id"] = receipt_id
    return item


def send(client, items):
    response = client.post(
        SCAN, json={"actions": items}, headers={"X-CSRFToken": client.csrf_token()}
    )
    assert response.status_code == 200, response.data
    return response.get_json()["results"]


def test_a_run_of_three_scans_to_one_person_is_one_receipt(client, auth):
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak")
    gear = laptops(lead)
    first = send(client, [scan_out(client, gear[0], nina)])[0]
    assert first["status"] == "done" and first["receipt_items"] == 1
    rid = first["receipt_id"]
    assert Receipt.get_by_id(rid).state == "awaiting"
    second = send(client, [scan_out(client, gear[1], nina, rid)])[0]
    resent_key = uuid.uuid4().hex
    third = send(client, [scan_out(client, gear[2], nina, rid, key=resent_key)])[0]
    assert (second["receipt_id"], third["receipt_id"]) == (rid, rid)
    assert third["receipt_items"] == 3
    # The last scan resent (no signal for the answer): still one receipt of three.
    again = send(client, [scan_out(client, gear[2], nina, rid, key=resent_key)])[0]
    assert again["status"] == "duplicate"
    assert Receipt.select().count() == 1
    assert items_on(Receipt.get_by_id(rid)) == ["Laptop 1", "Laptop 2", "Laptop 3"]
    assert all(fresh(a).awaiting_since is not None for a in gear)
    # "Sign for 3 items" on the lead's phone: the person types their name.
    page = BeautifulSoup(client.get(f"/receipts/{rid}/sign").data, "html.parser")
    assert page.select_one("#acceptance button.primary").get_text() == "Sign for 3 items"
    someone_else = client.form(
        f"/receipts/{rid}/sign", {"version": "1", "signature_name": lead.name}
    )
    assert someone_else.status_code == 422 and Receipt.get_by_id(rid).state == "awaiting"
    done = client.form(f"/receipts/{rid}/sign", {"version": "1", "signature": data_url(png())})
    assert done.status_code == 303 and done.headers["Location"] == f"/receipts/{rid}"
    receipt = Receipt.get_by_id(rid)
    assert receipt.state == "signed" and receipt.signed_by_id == nina.id and receipt.pdf_file
    assert all(fresh(a).awaiting_since is None for a in gear)


def test_an_offline_batch_to_one_person_shares_one_receipt(client, auth):
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak")
    otto = factories.make_user("member", name="Otto Other")
    gear = laptops(lead, 4)
    results = send(
        client,
        [scan_out(client, gear[0], nina), scan_out(client, gear[1], otto)]
        + [scan_out(client, a, nina) for a in gear[2:]],
    )
    assert [r["status"] for r in results] == ["done"] * 4
    assert Receipt.select().count() == 2
    ninas = one_receipt(nina)
    assert items_on(ninas) == ["Laptop 1", "Laptop 3", "Laptop 4"]
    assert {r["receipt_id"] for r in results} == {ninas.id, one_receipt(otto).id}


def test_a_run_receipt_is_not_reused_for_someone_else_or_once_signed(client, auth):
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak")
    otto = factories.make_user("member", name="Otto Other")
    gear = laptops(lead)
    rid = send(client, [scan_out(client, gear[0], nina)])[0]["receipt_id"]
    other = send(client, [scan_out(client, gear[1], otto, rid)])[0]
    assert other["receipt_id"] != rid and items_on(Receipt.get_by_id(rid)) == ["Laptop 1"]
    client.form(f"/receipts/{rid}/sign", {"version": "1", "signature_name": "Nina Novak"})
    later = send(client, [scan_out(client, gear[2], nina, rid)])[0]
    assert later["receipt_id"] not in (rid, other["receipt_id"])
    assert items_on(Receipt.get_by_id(rid)) == ["Laptop 1"]  # a signed receipt never changes


def test_a_member_scanning_for_someone_else_makes_no_receipt(client, auth):
    member = auth.login("member")
    nina = factories.make_user("member", name="Nina Novak")
    laptop = factories.make_asset(name="Laptop 1")
    result = send(client, [scan_out(client, laptop, nina)])[0]
    assert result["status"] == "refused" and result["receipt_id"] is None
    assert Receipt.select().count() == 0 and fresh(laptop).holder_id is None
    assert member.id != nina.id


def test_twenty_scanned_items_are_one_receipt_and_one_email(app, client, auth, inbox):
    handler, port = inbox
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_FROM="t@example.test"
    )
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak", email="nina@example.test")
    gear = [factories.make_asset(lead, name=f"Radio {n:02}") for n in range(1, 21)]
    rid = None
    for asset in gear:  # one scan at a time, as the scanner sends them
        rid = send(client, [scan_out(client, asset, nina, rid)])[0]["receipt_id"]
    assert Receipt.select().count() == 1
    assert ReceiptItem.select().where(ReceiptItem.receipt == rid).count() == 20
    assert handler.messages == []  # nothing until it is signed
    client.form(f"/receipts/{rid}/sign", {"version": "1", "signature_name": "Nina Novak"})
    message = handler.to("nina@example.test")
    assert message["Subject"] == f"Receipt: 20 items handed over to you by {lead.name}"
    assert [a.get_filename() for a in message.iter_attachments()] == [f"receipt-{rid}.pdf"]


def test_starting_a_kit_reservation_is_one_receipt(client, auth):
    from datetime import UTC, date, datetime, timedelta

    from app.kits import taking
    from app.receipts import runs

    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak")
    gear = laptops(lead)
    kit = kits.create("Starter kit", "\n".join(a.code for a in gear), actor=lead)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    taking.reserve(
        kit.code,
        actor=lead,
        starts_at=now + timedelta(minutes=2),
        ends_at=now + timedelta(days=2),
        zone=UTC,
        person_id=nina.id,
    )
    signing = runs.Signing(uploads_dir=client.application.instance_path, typed="Nina Novak")
    booking = taking.start_reservation(
        kit.code, actor=lead, today=date.today(), zone=UTC, signing=signing
    )
    receipt = one_receipt(nina)
    assert booking.receipt_id == receipt.id and receipt.state == "signed"
    assert items_on(receipt) == ["Laptop 1", "Laptop 2", "Laptop 3"]


def test_a_kit_handed_on_is_one_receipt_for_the_new_holder(client, auth):
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak")
    otto = factories.make_user("member", name="Otto Other")
    gear = laptops(lead)
    kit = kits.create("Starter kit", "\n".join(a.code for a in gear), actor=lead)
    client.form(f"/kits/{kit.code}/checkout", {"holder": nina.id, "signature_name": "Nina Novak"})
    soup = BeautifulSoup(client.get(f"/A/{kit.code}").data, "html.parser")
    assert soup.select_one("#kit-transfer #kit-transfer-signature_name") is not None
    client.form(f"/kits/{kit.code}/transfer", {"holder": otto.id, "signature_name": "Otto Other"})
    receipt = one_receipt(otto)
    assert receipt.state == "signed" and receipt.signature_name == "Otto Other"
    assert items_on(receipt) == ["Laptop 1", "Laptop 2", "Laptop 3"]
    assert all(fresh(a).holder_id == otto.id for a in gear)
