"""One receipt for several items moved in one step: a kit checked out, handed
over or returned, "Return all", and the scanner's "Check out to…" run."""

from __future__ import annotations

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
