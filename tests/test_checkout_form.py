"""The lead's "Check out to…" form must name who takes the item, and a fault
report starts as bad as the item's condition says."""

from __future__ import annotations

from app.custody import condition
from app.models import Asset, Event, Receipt

from . import factories
from .pages import soup_of


def test_check_out_to_with_nobody_picked_is_refused_and_changes_nothing(client, auth):
    lead = auth.login("lead")
    item = factories.make_asset(lead, name="ThinkPad T14")
    before = Event.select().count()
    soup, _ = client.soup(f"/A/{item.code}/checkout")
    assert soup.select_one('main form input[name="choose"]')["value"] == "holder"
    response = client.form(
        f"/A/{item.code}/checkout", {"choose": "holder", "signature_name": lead.name}
    )
    assert response.status_code == 422
    page = soup_of(response)
    assert "Choose who takes it." in page.select_one(".has-error").get_text()
    assert Asset.get_by_id(item.id).holder_id is None
    assert Event.select().count() == before and Receipt.select().count() == 0


def test_the_one_tap_still_checks_out_to_the_person_tapping(client, auth):
    lead = auth.login("lead")
    item = factories.make_asset(lead, name="Drill")
    assert client.form(f"/A/{item.code}/checkout").status_code == 303
    assert Asset.get_by_id(item.id).holder_id == lead.id


def test_a_fault_on_a_broken_item_starts_as_do_not_use():
    assert condition.usual_severity("broken") == "do_not_use"
    assert [condition.usual_severity(c) for c in ("", "new", "good", "fair", "poor")] == [
        "usable"
    ] * 5


def test_the_fault_form_follows_the_condition_and_return_details_chooses_for_nobody(client, auth):
    lead = auth.login("lead")
    broken = factories.make_asset(lead, name="Lens", condition="broken")
    soup, _ = client.soup(f"/A/{broken.code}/fault")
    assert soup.select_one('input[name="severity"]:checked')["value"] == "do_not_use"
    fine = factories.make_asset(lead, name="Tripod", condition="good")
    soup, _ = client.soup(f"/A/{fine.code}/fault")
    assert soup.select_one('input[name="severity"]:checked')["value"] == "usable"
    client.form(f"/A/{fine.code}/checkout")
    soup, _ = client.soup(f"/A/{fine.code}/return")
    assert soup.select('#return-fault input[name="severity"]')
    assert soup.select_one('#return-fault input[name="severity"]:checked') is None
