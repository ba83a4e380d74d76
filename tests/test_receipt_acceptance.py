"""Handovers to be accepted later: the receiver accepts (signing) or declines
(the items go back to the lead, with the note); what was already decided,
returned, or someone else's is refused and changes nothing; a double tap is one
action. Through the services and through the home page's forms."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from app.custody import custody
from app.database import write
from app.errors import Invalid, Refused
from app.models import Asset, Event, Receipt, ReceiptItem
from app.receipts import acceptance, receipts

from . import factories
from .custody_kit import fresh
from .receipt_kit import data_url, png, uploads_dir


def handed_to_accept(app, lead, person, items) -> Receipt:
    """A lead hands `items` to `person` to be accepted later: one receipt, awaiting."""
    with write():
        receipt = receipts.open_receipt("handover", person=person, staff=lead)
        for asset in items:
            custody.check_out(
                asset.code, actor=lead, today=date.today(), holder_id=person.id, receipt=receipt
            )
        receipts.finish(
            receipt, signature=None, signer=None, awaiting=True, uploads_dir=uploads_dir(app)
        )
    return Receipt.get_by_id(receipt.id)


@pytest.fixture
def handover(app):
    lead = factories.make_user("lead", name="Lee Lead", password=None)
    nina = factories.make_user("member", name="Nina Novak")
    laptops = [factories.make_asset(lead, name=f"Laptop {n}") for n in (1, 2, 3)]
    receipt = handed_to_accept(app, lead, nina, laptops)
    return receipt, lead, nina, laptops


def snapshot(receipt, laptops) -> tuple:
    r = Receipt.get_by_id(receipt.id)
    return (
        r.state,
        r.version,
        r.signature_file,
        Event.select().count(),
        [(a.holder_id, a.awaiting_since) for a in map(fresh, laptops)],
    )


def test_a_handover_to_be_accepted_leaves_its_items_awaiting(handover):
    receipt, lead, nina, laptops = handover
    assert receipt.state == "awaiting"
    assert ReceiptItem.select().where(ReceiptItem.receipt == receipt.id).count() == 3
    for laptop in map(fresh, laptops):
        assert laptop.holder_id == nina.id and laptop.awaiting_since is not None
    waiting = acceptance.waiting_for(nina)
    assert [w.receipt_id for w in waiting] == [receipt.id]
    assert [i.name for i in waiting[0].items] == ["Laptop 1", "Laptop 2", "Laptop 3"]
    assert waiting[0].staff == "Lee Lead"
    assert acceptance.waiting_for(lead) == []


def test_accept_signs_and_clears_awaiting(app, handover):
    receipt, lead, nina, laptops = handover
    done = acceptance.accept(
        receipt.id,
        person=nina,
        drawn=data_url(png()),
        version=receipt.version,
        uploads_dir=uploads_dir(app),
    )
    assert not done.duplicate and len(done.events) == 3
    r = Receipt.get_by_id(receipt.id)
    assert r.state == "accepted" and r.decided_at is not None
    assert r.signed_by_id == nina.id and r.signature_file
    assert (uploads_dir(app) / r.signature_file).is_file()
    for laptop in map(fresh, laptops):
        assert laptop.holder_id == nina.id and laptop.awaiting_since is None
        last = Event.select().where(Event.asset == laptop.id).order_by(Event.id.desc()).first()
        assert last.kind == "handover_accepted" and last.data == {"receipt": receipt.id}
        assert last.actor_id == nina.id
    assert acceptance.waiting_for(nina) == []


def test_accept_with_the_typed_full_name(app, handover):
    receipt, lead, nina, laptops = handover
    acceptance.accept(
        receipt.id, person=nina, typed="nina novak", version=1, uploads_dir=uploads_dir(app)
    )
    r = Receipt.get_by_id(receipt.id)
    assert r.state == "accepted" and r.signature_name == "nina novak"


def test_accept_needs_a_signature(app, handover):
    receipt, lead, nina, laptops = handover
    before = snapshot(receipt, laptops)
    with pytest.raises(Invalid) as refused:
        acceptance.accept(receipt.id, person=nina, version=1, uploads_dir=uploads_dir(app))
    assert refused.value.errors["signature"] == acceptance.SIGN_NEEDED
    assert snapshot(receipt, laptops) == before


def test_decline_returns_the_items_to_the_lead_with_the_note(handover):
    receipt, lead, nina, laptops = handover
    done = acceptance.decline(receipt.id, person=nina, note="Not mine,  I asked for one", version=1)
    assert done.message == "Declined: 3 items back with Lee Lead."
    r = Receipt.get_by_id(receipt.id)
    assert r.state == "declined" and r.decline_note == "Not mine, I asked for one"
    assert r.decided_at is not None and not r.signature_file
    for laptop in map(fresh, laptops):
        assert laptop.holder_id == lead.id and laptop.awaiting_since is None
        assert laptop.status == "checked_out"
        last = Event.select().where(Event.asset == laptop.id).order_by(Event.id.desc()).first()
        assert last.kind == "handover_declined" and last.note == "Not mine, I asked for one"
        assert last.holder_id == lead.id and last.from_holder_id == nina.id
        assert last.data["receipt"] == receipt.id


def test_decline_needs_a_note(handover):
    receipt, lead, nina, laptops = handover
    before = snapshot(receipt, laptops)
    for note in ("", "   ", "x" * 501):
        with pytest.raises(Invalid):
            acceptance.decline(receipt.id, person=nina, note=note, version=1)
    assert snapshot(receipt, laptops) == before


@pytest.mark.parametrize("first", ["accept", "decline"])
def test_what_was_decided_cannot_be_decided_again(app, handover, first):
    receipt, lead, nina, laptops = handover
    if first == "accept":
        acceptance.accept(receipt.id, person=nina, typed="Nina Novak", uploads_dir=uploads_dir(app))
        words = "This handover was already accepted."
    else:
        acceptance.decline(receipt.id, person=nina, note="No")
        words = "This handover was already declined."
    before = snapshot(receipt, laptops)
    with pytest.raises(Refused, match=words):
        acceptance.accept(receipt.id, person=nina, typed="Nina Novak", uploads_dir=uploads_dir(app))
    with pytest.raises(Refused, match=words):
        acceptance.decline(receipt.id, person=nina, note="Changed my mind")
    assert snapshot(receipt, laptops) == before


def test_a_double_tap_is_one_action(app, handover):
    receipt, lead, nina, laptops = handover
    args = {"person": nina, "typed": "Nina Novak", "version": 1, "uploads_dir": uploads_dir(app)}
    acceptance.accept(receipt.id, **args)
    before = snapshot(receipt, laptops)
    again = acceptance.accept(receipt.id, **args)
    assert again.duplicate and again.message == "Already done."
    assert snapshot(receipt, laptops) == before


def test_items_returned_since_cannot_be_accepted(app, handover):
    receipt, lead, nina, laptops = handover
    custody.check_in(laptops[1].code, actor=lead)
    assert fresh(laptops[1]).awaiting_since is None  # it changed hands
    before = snapshot(receipt, laptops)
    with pytest.raises(Refused, match="Laptop 2 is no longer with Nina Novak"):
        acceptance.accept(receipt.id, person=nina, typed="Nina Novak", uploads_dir=uploads_dir(app))
    assert snapshot(receipt, laptops) == before
    # Handed on to someone else: the same.
    other = factories.make_user("member", name="Otto Other")
    custody.transfer(laptops[0].code, actor=lead, today=date.today(), to_holder_id=other.id)
    assert fresh(laptops[0]).awaiting_since is None
    with pytest.raises(Refused, match="no longer with Nina Novak"):
        acceptance.decline(receipt.id, person=nina, note="No")


def test_nobody_accepts_or_declines_for_someone_else(app, handover):
    receipt, lead, nina, laptops = handover
    before = snapshot(receipt, laptops)
    for someone in (lead, factories.make_user("member", name="Sam Else")):
        with pytest.raises(Refused, match="Only Nina Novak can accept"):
            acceptance.accept(
                receipt.id, person=someone, typed=someone.name, uploads_dir=uploads_dir(app)
            )
        with pytest.raises(Refused, match="Only Nina Novak can accept"):
            acceptance.decline(receipt.id, person=someone, note="No")
    # Nina signed in, typing another's name: refused too.
    with pytest.raises(Invalid) as refused:
        acceptance.accept(receipt.id, person=nina, typed="Lee Lead", uploads_dir=uploads_dir(app))
    assert refused.value.errors["signature_name"] == (
        "That is not the name on this person's account. Type it as it is on their account."
    )
    assert snapshot(receipt, laptops) == before


def test_the_digest_lists_what_waits_longer_than_three_days(clock, app, handover):
    receipt, lead, nina, laptops = handover
    assert acceptance.waiting_longer() == []
    clock.shift(timedelta(days=3, hours=1))
    assert [a.name for a in acceptance.waiting_longer()] == ["Laptop 1", "Laptop 2", "Laptop 3"]
    acceptance.decline(receipt.id, person=nina, note="No")
    assert acceptance.waiting_longer() == []


def test_unknown_receipts_are_not_found(app, handover):
    receipt, lead, nina, laptops = handover
    from app.errors import NotFound

    with pytest.raises(NotFound):
        acceptance.decline(receipt.id + 99, person=nina, note="No")
    assert Asset.select().where(Asset.awaiting_since.is_null(False)).count() == 3


# Through the pages -------------------------------------------------------------------


def home(client):
    return BeautifulSoup(client.get("/").data, "html.parser")


def test_home_lists_the_handover_and_accept_signs_it_without_js(app, client, auth, handover):
    receipt, lead, nina, laptops = handover
    auth.login(user=nina)
    soup = home(client)
    waiting = soup.select_one("#waiting-to-accept")
    assert waiting is not None and waiting.h2.get_text(" ", strip=True).startswith(
        "Waiting for you to accept"
    )
    row = waiting.select_one(f"#waiting-{receipt.id}")
    assert row.select_one(".row-main").get_text(" ", strip=True).startswith("3 items from Lee Lead")
    assert [a.get_text() for a in row.select(".row-sub a")] == ["Laptop 1", "Laptop 2", "Laptop 3"]
    accept_url = row.select_one("a.button")["href"]
    assert accept_url == f"/receipts/{receipt.id}/accept"
    page, _ = client.soup(accept_url)
    assert [li.strong.get_text() for li in page.select("#accept-items li")] == [
        "Laptop 1",
        "Laptop 2",
        "Laptop 3",
    ]
    assert page.select_one("#acceptance #signature_name") is not None
    assert page.select_one("#acceptance button.primary").get_text() == "Accept 3 items"
    response = client.form(accept_url, {"version": "1", "signature_name": "Nina Novak"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert Receipt.get_by_id(receipt.id).state == "accepted"
    assert home(client).select_one("#waiting-to-accept") is None
    for laptop in map(fresh, laptops):
        assert laptop.awaiting_since is None


def test_decline_from_home_over_htmx_and_the_refusals_show_on_the_page(app, client, auth, handover):
    receipt, lead, nina, laptops = handover
    auth.login(user=nina)
    url = f"/receipts/{receipt.id}/decline"
    before = snapshot(receipt, laptops)
    empty = client.form(url, {"version": "1", "decline_note": ""}, htmx="acceptance")
    assert empty.status_code == 422
    soup = BeautifulSoup(empty.data, "html.parser")
    assert soup.select_one("html") is None  # the fragment only
    assert soup.select_one("#decline .error").get_text() == acceptance.NOTE_NEEDED
    assert snapshot(receipt, laptops) == before
    done = client.form(url, {"version": "1", "decline_note": "Wrong size"}, htmx="acceptance")
    assert done.status_code == 200
    soup = BeautifulSoup(done.data, "html.parser")
    assert soup.select_one("#acceptance-state .badge").get_text() == "Declined"
    assert all(fresh(a).holder_id == lead.id for a in laptops)
    # A second tap of the same form: "Already done.", nothing more.
    after = snapshot(receipt, laptops)
    again = client.form(url, {"version": "1", "decline_note": "Wrong size"})
    assert again.status_code == 303
    assert snapshot(receipt, laptops) == after
    # Accepting it now: refused, with the reason.
    refused = client.form(
        f"/receipts/{receipt.id}/accept", {"version": "2", "signature_name": "Nina Novak"}
    )
    assert refused.status_code == 409
    assert "This handover was already declined." in refused.get_data(as_text=True)
    assert snapshot(receipt, laptops) == after


def test_someone_else_gets_not_found_and_changes_nothing(app, client, auth, handover):
    receipt, lead, nina, laptops = handover
    auth.login("member")
    before = snapshot(receipt, laptops)
    assert client.get(f"/receipts/{receipt.id}/accept").status_code == 404
    assert client.get(f"/receipts/{receipt.id}/sign").status_code == 404
    response = client.form(f"/receipts/{receipt.id}/decline", {"version": "1", "decline_note": "x"})
    assert response.status_code in (403, 404, 409)
    assert snapshot(receipt, laptops) == before


def test_hand_over_to_be_accepted_later_from_the_check_out_page(app, client, auth, inbox):
    handler, port = inbox
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_FROM="tags@example.test"
    )
    lead = auth.login("lead")
    nina = factories.make_user("member", name="Nina Novak", email="nina@example.test")
    laptop = factories.make_asset(lead, name="Laptop 9")
    page, _ = client.soup(f"/A/{laptop.code}/checkout")
    box = page.select_one("#later input[name=later]")
    assert box is not None and "accepted later" in page.select_one("#later").get_text()
    response = client.form(f"/A/{laptop.code}/checkout", {"holder": nina.id, "later": "1"})
    assert response.status_code == 303
    receipt = Receipt.select().where(Receipt.person == nina.id).get()
    assert receipt.state == "awaiting" and not receipt.pdf_file
    assert fresh(laptop).awaiting_since is not None and fresh(laptop).holder_id == nina.id
    card, _ = client.soup(f"/A/{laptop.code}")
    band = card.select_one("#awaiting-band").get_text(" ", strip=True)
    assert band.startswith("Awaiting acceptance by Nina Novak since")
    message = handler.to("nina@example.test")
    assert message["Subject"] == f"Please accept: 1 item handed over to you by {lead.name}"
    assert f"/receipts/{receipt.id}/accept" in message.get_body(("plain",)).get_content()
    assert list(message.iter_attachments()) == []
    # Nina accepts from her own phone: the PDF is made and emailed now.
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    auth.login(user=nina)
    done = client.form(
        f"/receipts/{receipt.id}/accept", {"version": "1", "signature_name": "Nina Novak"}
    )
    assert done.status_code == 303
    receipt = Receipt.get_by_id(receipt.id)
    assert receipt.state == "accepted" and receipt.pdf_file
    handler.wait_for(2)
    pdf_mail = handler.messages[-1][2]
    assert [a.get_filename() for a in pdf_mail.iter_attachments()] == [f"receipt-{receipt.id}.pdf"]


def test_decline_from_the_home_row_over_htmx(app, client, auth, handover):
    receipt, lead, nina, laptops = handover
    auth.login(user=nina)
    row = home(client).select_one(f"#waiting-{receipt.id} form")
    assert row["hx-post"] == row["action"] == f"/receipts/{receipt.id}/decline"
    assert row["hx-target"] == f"#waiting-{receipt.id}"
    response = client.form(
        row["action"],
        {"version": "1", "decline_note": "Not for me"},
        htmx=f"waiting-{receipt.id}",
    )
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("html") is None
    box = soup.select_one(f"#waiting-{receipt.id}")
    assert box.select_one("#acceptance-state .badge").get_text() == "Declined"
    assert all(fresh(a).holder_id == lead.id for a in laptops)


def test_the_receipt_page_leads_to_accepting_or_signing_it(app, client, auth, handover):
    receipt, lead, nina, laptops = handover
    auth.login(user=nina)
    page, _ = client.soup(f"/receipts/{receipt.id}")
    assert page.select_one("#receipt-accept")["href"] == f"/receipts/{receipt.id}/accept"
    assert page.select_one("#receipt-sign") is None
