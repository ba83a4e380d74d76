"""The kit's card after review: a flagged item starts unticked, one primary button,
"Free until" before a coming booking, the kit named in its own booking's refusals,
kit names unique ignoring case, a retired item leaving its kit, and the edit list."""

from __future__ import annotations

from datetime import date

import pytest

from app.custody import custody
from app.models import Asset, Event, User

from . import factories
from .test_kits import fresh, out_kit, return_without, soup_of


@pytest.fixture
def lead(auth) -> User:
    return auth.login("lead")


@pytest.fixture
def gear(lead) -> dict[str, Asset]:
    return {
        name: factories.make_asset(lead, name=name)
        for name in ("Camera body", "Lens 1", "Lens 2", "Battery")
    }


def ticks(client, kit) -> dict[str, bool]:
    soup = soup_of(client.get(f"/A/{kit.code}"))
    return {b["value"]: b.has_attr("checked") for b in soup.select("#kit-return [name=present]")}


def test_an_item_flagged_not_back_starts_unticked_on_the_return_form(client, gear, lead):
    kit = out_kit(client, gear)
    lens = gear["Lens 2"]
    return_without(client, kit, lens)
    since = fresh(lens).not_back_since
    assert since is not None
    # Alone on the form, unticked: one tap on Return does not clear the flag.
    assert ticks(client, kit) == {lens.code: False}
    form = soup_of(client.get(f"/A/{kit.code}")).select_one("#kit-return")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    data |= {b["name"]: b["value"] for b in form.select("[name=present][checked]")}
    before = Event.select().count()
    client.post(form["action"], data=data)
    assert Event.select().count() == before
    assert fresh(lens).not_back_since == since
    # Beside an item out the ordinary way, that one starts ticked.
    body = gear["Camera body"]
    custody.check_out(body.code, actor=lead, today=date.today())
    assert ticks(client, kit) == {body.code: True, lens.code: False}
    # Ticked on purpose, it comes back and the flag clears.
    data["present"] = [lens.code, body.code]
    assert client.post(form["action"], data=data).status_code == 303
    assert fresh(lens).not_back_since is None and fresh(lens).holder_id is None
