"""An item that is part of a kit says so inside its status card, on the page and
in every htmx answer that swaps the card, so the line never floats outside it."""

from __future__ import annotations

import pytest

from app.kits import kits

from . import factories
from .custody_kit import act


@pytest.mark.parametrize("via", ["htmx", "plain"])
def test_part_of_kit_sits_in_the_status_card_before_and_after_an_action(client, auth, via):
    lead = auth.login("lead")
    lens = factories.make_asset(lead, name="Lens")
    body = factories.make_asset(lead, name="Body")
    kit = kits.create("Camera kit", f"{body.code}\n{lens.code}", actor=lead)
    soup, _ = client.soup(f"/A/{lens.code}")
    line = soup.select_one("#status-card #in-kit")
    assert line.get_text(" ", strip=True) == "Part of kit Camera kit"
    assert line.a["href"] == f"/A/{kit.code}"
    assert len(soup.select("#in-kit")) == 1
    soup = act(client, lens, "checkout", via=via)
    assert soup.select_one("#status-card #in-kit").get_text(" ", strip=True) == (
        "Part of kit Camera kit"
    )
    # An item in no kit has no such line.
    soup, _ = client.soup(f"/A/{factories.make_asset(lead, name='Tripod').code}")
    assert soup.select_one("#in-kit") is None
