"""Starting a booking whose items need a signature: the one tap has no place to
sign, so the items go out to be accepted later (the person signs from Home),
never refused and never handed over unsigned."""

from __future__ import annotations

import pytest

from app.models import Asset, Receipt
from app.ops import settings
from app.register import places

from . import factories
from .pages import soup_of
from .test_reservation_due_time import PERIOD, start_form

# Now: Wed 2026-03-11 12:00 UTC, 13:00 in Berlin.
pytestmark = pytest.mark.usefixtures("clock")


def test_a_booked_laptop_needing_a_signature_goes_out_to_be_accepted(client, auth, app):
    settings.change({"timezone": "Europe/Berlin"})
    lead = factories.make_user("lead", name="Lee Lead")
    laptops = places.save_category("Laptops", signature_required=True)
    laptop = factories.make_asset(lead, name="ThinkPad", category=laptops.id)
    sam = auth.login("member", factories.make_user("member", name="Sam Member"))
    assert client.form(f"/A/{laptop.code}/reserve", PERIOD).status_code == 303
    soup, _ = client.soup(f"/A/{laptop.code}")
    action, data = start_form(soup)
    response = client.form(action, data)
    assert response.status_code == 303
    out = Asset.get_by_id(laptop.id)
    assert out.holder_id == sam.id and out.awaiting_since is not None
    [receipt] = Receipt.select()
    assert (receipt.kind, receipt.person_id, receipt.state) == ("handover", sam.id, "awaiting")
    home = soup_of(client.get("/"))
    waiting = home.select_one("section#waiting-to-accept")
    assert waiting is not None and "ThinkPad" in waiting.get_text()


def test_a_booking_of_items_needing_nothing_still_starts_unsigned(client, auth, app):
    settings.change({"timezone": "Europe/Berlin"})
    lead = factories.make_user("lead", name="Lee Lead")
    camera = factories.make_asset(lead, name="Camera")
    sam = auth.login("member", factories.make_user("member", name="Sam Member"))
    assert client.form(f"/A/{camera.code}/reserve", PERIOD).status_code == 303
    action, data = start_form(client.soup(f"/A/{camera.code}")[0])
    assert client.form(action, data).status_code == 303
    out = Asset.get_by_id(camera.id)
    assert out.holder_id == sam.id and out.awaiting_since is None
    assert Receipt.select().count() == 0  # one item, to oneself: no receipt
