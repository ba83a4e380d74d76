"""Return all frees the leaver's subscription seats in the same step: each one
freed with its history line, listed under "Seats freed" on the return receipt
(its page, its PDF, its email); a refused return frees none; someone who holds
only seats can still be given Return all."""

from __future__ import annotations

import pytest

from app.custody import leavers
from app.errors import Invalid
from app.models import Receipt, ReceiptSeat, SubscriptionEvent, SubscriptionSeat
from app.receipts import receipts, runs
from app.subscriptions import seats

from . import factories
from .custody_kit import a_lead, fresh, hand_to
from .pages import soup_of
from .subscription_kit import make_subscription
from .test_receipt_pdf import stored_pdf, text_of


@pytest.fixture
def leaver(app):
    """Nina holds two laptops and two seats, one of them on Laptop 1."""
    lead = a_lead()
    nina = factories.make_user("member", name="Nina Novak", email="nina@example.test")
    laptops = [hand_to(factories.make_asset(name=f"Laptop {n}"), nina) for n in (1, 2)]
    figma = make_subscription(lead, "Figma", product="Figma Professional")
    office = make_subscription(lead, "Microsoft", product="Office 365")
    seats.assign(figma.id, nina.id, actor=lead, asset_code=laptops[0].code)
    seats.assign(office.id, nina.id, actor=lead)
    return lead, nina, laptops


def held_by(person) -> int:
    return (
        SubscriptionSeat.select()
        .where(SubscriptionSeat.person == person.id, SubscriptionSeat.freed_at.is_null())
        .count()
    )


def freed_events(person) -> list[tuple[str, str]]:
    return [
        (e.kind, e.note)
        for e in SubscriptionEvent.select()
        .where(SubscriptionEvent.person == person.id, SubscriptionEvent.kind == "seat_freed")
        .order_by(SubscriptionEvent.id)
    ]


def test_return_all_frees_every_seat_and_puts_them_on_the_receipt(leaver, tmp_path):
    lead, nina, laptops = leaver
    signing = runs.Signing(uploads_dir=tmp_path, typed="Nina Novak")
    done = leavers.return_all(nina.id, actor=lead, signing=signing)
    assert [a.name for a in done.items] == ["Laptop 1", "Laptop 2"]
    assert [s.subscription.product for s in done.seats] == ["Figma Professional", "Office 365"]
    assert held_by(nina) == 0
    assert {(s.freed_by_id, s.freed_at is not None) for s in SubscriptionSeat.select()} == {
        (lead.id, True)
    }
    note = leavers.SEATS_NOTE
    assert freed_events(nina) == [("seat_freed", note), ("seat_freed", note)]
    receipt = Receipt.get_by_id(signing.receipt_id)
    assert receipt.state == "signed"
    on_it = {r.seat_id for r in ReceiptSeat.select().where(ReceiptSeat.receipt == receipt.id)}
    assert on_it == {s.id for s in done.seats}
    shown = receipts.view.build(receipt.id)
    assert [(s.product, s.vendor, s.item) for s in shown.seats] == [
        ("Figma Professional", "Figma", f"Laptop 1 ({laptops[0].code[:3]}-{laptops[0].code[3:]})"),
        ("Office 365", "Microsoft", ""),
    ]


def test_a_refused_return_frees_no_seat(leaver, tmp_path):
    lead, nina, laptops = leaver
    with pytest.raises(Invalid):
        leavers.return_all(
            nina.id,
            actor=lead,
            signing=runs.Signing(uploads_dir=tmp_path, typed="Nina Novak"),
            said={laptops[1].id: leavers.Said("broken", "Hinge gone", "on fire")},
        )
    assert held_by(nina) == 2
    assert freed_events(nina) == []
    assert ReceiptSeat.select().count() == 0
    assert Receipt.select().where(Receipt.kind == "return").count() == 0
    assert all(fresh(a).holder_id == nina.id for a in laptops)


def test_a_wrong_signature_frees_no_seat(leaver, tmp_path):
    lead, nina, _ = leaver
    with pytest.raises(Invalid):
        leavers.return_all(
            nina.id, actor=lead, signing=runs.Signing(uploads_dir=tmp_path, typed="Someone Else")
        )
    assert held_by(nina) == 2 and freed_events(nina) == []


def test_the_page_lists_the_seats_and_the_receipt_shows_them(app, client, auth, leaver, inbox):
    handler, port = inbox
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_FROM="t@example.test"
    )
    _, nina, _ = leaver
    auth.login("lead")
    soup = soup_of(client.get(f"/people/{nina.id}/return-all"))
    rows = [li.get_text(" ", strip=True) for li in soup.select("#seats-to-free li")]
    assert rows[0].startswith("Figma Professional · Figma on Laptop 1")
    assert rows[1] == "Office 365 · Microsoft"
    response = client.form(f"/people/{nina.id}/return-all", {"signature_name": "Nina Novak"})
    assert response.status_code == 200
    page = soup_of(response)
    assert (
        page.select_one("#flash")
        .get_text(" ", strip=True)
        .startswith("Returned 2 items from Nina Novak and freed 2 seats.")
    )
    assert [li.get_text(strip=True) for li in page.select("#seats-freed li")] == [
        "Figma Professional",
        "Office 365",
    ]
    assert held_by(nina) == 0
    [receipt] = Receipt.select().where(Receipt.kind == "return")
    shown = soup_of(client.get(f"/receipts/{receipt.id}"))
    table = shown.select_one("#receipt-seats")
    assert table.find_previous("h2").get_text() == "Seats freed"
    cells = [
        [td.get_text(" ", strip=True) for td in tr.select("td")] for tr in table.select("tbody tr")
    ]
    assert cells[0][:2] == ["Figma Professional", "Figma"] and cells[0][2].startswith("Laptop 1")
    assert cells[1] == ["Office 365", "Microsoft", ""]
    assert len(shown.select("#receipt-items tbody tr")) == 2
    text = text_of(stored_pdf(app, receipt.id))
    assert "Seats freed" in text
    assert "Figma Professional Figma Laptop 1" in text and "Office 365 Microsoft" in text
    message = handler.to("nina@example.test")
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Seats freed:\n\n- Figma Professional (Figma), on Laptop 1" in body
    assert "- Office 365 (Microsoft)" in body


def test_someone_with_only_seats_can_be_given_return_all(app, client, auth, inbox):
    handler, port = inbox
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_FROM="t@example.test"
    )
    lead = auth.login("lead")
    pat = factories.make_user("member", name="Pat Seat", email="pat@example.test")
    seats.assign(make_subscription(lead, "Slack", product="Slack Pro").id, pat.id, actor=lead)
    detail = soup_of(client.get(f"/people/{pat.id}"))
    assert detail.find("a", string="Return all…")["href"] == f"/people/{pat.id}/return-all"
    form = soup_of(client.get(f"/people/{pat.id}/return-all"))
    button = form.select_one("main form.actions button[type=submit]")
    assert button.get_text(strip=True) == "Free 1 seat"
    assert form.select("main li.return-item") == []
    response = client.form(f"/people/{pat.id}/return-all", {})
    page = soup_of(response)
    assert (
        page.select_one("#flash").get_text(" ", strip=True).startswith("Freed 1 seat of Pat Seat.")
    )
    assert held_by(pat) == 0
    [receipt] = Receipt.select().where(Receipt.kind == "return", Receipt.person == pat.id)
    assert receipt.state == "unsigned"
    shown = soup_of(client.get(f"/receipts/{receipt.id}"))
    assert shown.select_one("#receipt-items") is None  # no "0 items" table
    assert [td.get_text() for td in shown.select("#receipt-seats td")][:2] == ["Slack Pro", "Slack"]
    text = text_of(stored_pdf(app, receipt.id))
    assert "Seats freed Product Vendor Item Slack Pro Slack" in text
    assert "0 items" not in text
    listed = soup_of(client.get(f"/people/{pat.id}")).select_one("#receipts .receipt-items")
    assert listed.get_text(strip=True) == "Seats freed"
    message = handler.to("pat@example.test")
    assert message["Subject"] == f"Receipt: 1 seat freed by {lead.name}"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Seats freed:\n\n- Slack Pro (Slack)\n" in body and "You returned" not in body


def test_someone_with_nothing_and_no_seats_gets_no_button(client, auth):
    auth.login("lead")
    pat = factories.make_user("member", name="Pat Empty")
    assert soup_of(client.get(f"/people/{pat.id}")).find("a", string="Return all…") is None
    page = soup_of(client.get(f"/people/{pat.id}/return-all"))
    assert page.select_one("main form.actions") is None
