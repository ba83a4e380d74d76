"""Return all on a leaver's last day: each item in the condition it comes back
in, a fault reported for one that came back broken, all in one step with one
return receipt; a bad fault report refuses the whole step."""

from __future__ import annotations

import pytest

from app.custody import leavers
from app.errors import Invalid
from app.models import Asset, Event, Fault, Receipt, ReceiptItem
from app.receipts import runs

from . import factories
from .custody_kit import a_lead, fresh, hand_to, last_event_id
from .pages import soup_of
from .test_receipt_pdf import stored_pdf, text_of


@pytest.fixture
def leaver(app):
    """Nina holds three laptops, all handed over in good condition."""
    nina = factories.make_holder("Nina Novak")
    laptops = [
        hand_to(factories.make_asset(name=f"Laptop {n}", condition="good"), nina) for n in (1, 2, 3)
    ]
    return nina, laptops


def test_each_item_comes_back_in_its_condition_and_a_broken_one_reports_its_fault(leaver, tmp_path):
    nina, (one, two, three) = leaver
    lead = a_lead()
    signing = runs.Signing(uploads_dir=tmp_path, typed="Nina Novak")
    returned = leavers.return_all(
        nina.id,
        actor=lead,
        signing=signing,
        said={
            two.id: leavers.Said("broken", "Screen cracked across", "do_not_use"),
            three.id: leavers.Said("fair"),
        },
    )
    assert sorted(a.code for a in returned.items) == sorted(a.code for a in (one, two, three))
    assert [(fresh(a).condition, fresh(a).holder_id) for a in (one, two, three)] == [
        ("good", None),
        ("broken", None),
        ("fair", None),
    ]
    [fault] = Fault.select().where(Fault.asset == two.id)
    assert (fault.description, fault.severity, fault.closed_at) == (
        "Screen cracked across",
        "do_not_use",
        None,
    )
    assert fresh(two).status == "faulty"  # do not use: it cannot go straight out again
    # One return receipt for the three, each item in the condition it came back in.
    [receipt] = Receipt.select().where(Receipt.person == nina.id, Receipt.kind == "return")
    assert (receipt.id, receipt.state, receipt.signature_name) == (
        signing.receipt_id,
        "signed",
        "Nina Novak",
    )
    items = {
        i.asset_id: i.condition for i in ReceiptItem.select().where(ReceiptItem.receipt == receipt)
    }
    assert items == {one.id: "good", two.id: "broken", three.id: "fair"}


def test_a_bad_fault_report_refuses_the_whole_step(leaver, tmp_path):
    nina, laptops = leaver
    since = last_event_id()
    with pytest.raises(Invalid) as refused:
        leavers.return_all(
            nina.id,
            actor=a_lead(),
            signing=runs.Signing(uploads_dir=tmp_path, typed="Nina Novak"),
            said={laptops[1].id: leavers.Said("broken", "Hinge gone", "on fire")},
        )
    assert list(refused.value.errors) == [f"severity-{laptops[1].id}"]
    assert Event.select().where(Event.id > since).count() == 0
    assert all(fresh(a).holder_id == nina.id for a in laptops)
    assert Receipt.select().where(Receipt.kind == "return").count() == 0
    assert Fault.select().count() == 0


def test_an_unknown_condition_names_the_item(leaver):
    nina, laptops = leaver
    with pytest.raises(Invalid) as refused:
        leavers.return_all(nina.id, actor=a_lead(), said={laptops[0].id: leavers.Said("mint")})
    assert list(refused.value.errors) == [f"condition-{laptops[0].id}"]
    assert fresh(laptops[0]).holder_id == nina.id


def test_the_page_offers_each_items_condition_and_returns_with_a_fault(app, client, auth, leaver):
    nina, (one, two, three) = leaver
    auth.login("lead")
    soup, response = client.soup(f"/people/{nina.id}/return-all")
    assert response.status_code == 200
    rows = soup.select("main li.return-item")
    assert [r.select_one("p a").get_text() for r in rows] == ["Laptop 1", "Laptop 2", "Laptop 3"]
    for row, asset in zip(rows, (one, two, three), strict=True):
        checked = row.select_one(f'input[name="condition-{asset.id}"]:checked')
        assert checked["value"] == "good"  # as it went out: one tap returns it as it was
        assert row.select_one(f'textarea[name="description-{asset.id}"]')
    response = client.form(
        f"/people/{nina.id}/return-all",
        {
            f"condition-{one.id}": "good",
            f"condition-{two.id}": "broken",
            f"description-{two.id}": "Will not power on",
            f"severity-{two.id}": "do_not_use",
            f"condition-{three.id}": "good",
            "signature_name": "Nina Novak",
        },
    )
    assert response.status_code == 200
    assert "Returned 3 items from Nina Novak." in soup_of(response).select_one("#flash").get_text()
    assert fresh(two).condition == "broken" and fresh(two).status == "faulty"
    assert Fault.get(Fault.asset == two.id).description == "Will not power on"
    assert Asset.select().where(Asset.holder == nina.id).count() == 0
    # The one return receipt says what came back broken and what is wrong with it,
    # on its page and in its PDF.
    [receipt] = Receipt.select().where(Receipt.kind == "return")
    page = soup_of(client.get(f"/receipts/{receipt.id}"))
    rows = {
        r.select_one("td").get_text(): r.get_text(" ", strip=True) for r in page.select("tbody tr")
    }
    assert "Broken Fault reported: Do not use: Will not power on" in rows["Laptop 2"]
    assert "Fault reported" not in rows["Laptop 1"]
    text = text_of(stored_pdf(app, receipt.id))
    assert "Fault reported: Do not use: Will not power on" in text


def test_the_page_keeps_what_was_typed_and_marks_the_item_on_a_bad_fault(client, auth, leaver):
    nina, (one, two, _) = leaver
    auth.login("lead")
    response = client.form(
        f"/people/{nina.id}/return-all",
        {
            f"condition-{two.id}": "broken",
            f"description-{two.id}": "x" * 2001,
            f"severity-{two.id}": "usable",
        },
    )
    assert response.status_code == 422
    soup = soup_of(response)
    row = soup.select("main li.return-item")[1]
    assert row.select_one(".has-error .error")
    assert row.select_one(f'input[name="condition-{two.id}"]:checked')["value"] == "broken"
    assert "Nothing was saved" in soup.select_one("#flash").get_text()
    assert Asset.select().where(Asset.holder == nina.id).count() == 3
    assert Fault.select().count() == 0
