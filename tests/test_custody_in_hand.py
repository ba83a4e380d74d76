"""What members may do with items other people hold, and with where items are.

A member may return an item to somewhere new (putting it back where you put it
is part of returning it; the history says "Returned to Yard"). A member may take
over someone else's item only with it in hand: from a scan, never from the card.
"""

from __future__ import annotations

import time
import uuid
from datetime import date

import pytest

from app.custody import custody
from app.custody import rules as custody_rules
from app.errors import Forbidden
from app.models import Asset, Event, utcnow

from . import factories
from .custody_kit import a_lead, fresh, hand_to
from .pages import soup_of

TODAY = date.today()


@pytest.fixture
def world(auth):
    van = factories.make_location("Van 3")
    yard = factories.make_location("Yard")
    drill = factories.make_asset(a_lead(), name="Drill", location=van.id)
    return {
        "van": van,
        "yard": yard,
        "drill": drill,
        "me": factories.make_user("member", name="Mo Member"),
        "other": factories.make_user("member", name="Oli Other"),
    }


def _history(client, asset) -> list[str]:
    soup = soup_of(client.get(f"/A/{asset.code}"))
    return [li.p.get_text(" ", strip=True) for li in soup.select("#timeline > li")]


def _transferred(asset) -> list[Event]:
    return list(Event.select().where(Event.asset == asset.id, Event.kind == "transferred"))


# Returning somewhere new -------------------------------------------------------


def test_the_rule_puts_a_returned_item_where_the_person_says(world):
    """Where the person put it back, else where the register had it."""
    drill = fresh(world["drill"])
    assert custody_rules.return_location(drill, world["yard"]) == world["yard"]
    assert custody_rules.return_location(drill, None) == world["van"]


def test_a_member_returns_an_item_to_another_place_and_the_history_says_so(client, auth, world):
    """The item is now in the Yard, and the history line starts "Returned to Yard"."""
    me = auth.login(user=world["me"])
    hand_to(world["drill"], me)
    custody.check_in(world["drill"].code, actor=me, location_id=world["yard"].id)
    assert fresh(world["drill"]).location_id == world["yard"].id
    event = Event.select().where(Event.kind == "checked_in").get()
    assert event.data == {"moved_from": "Van 3"}
    assert _history(client, world["drill"])[0] == "Returned to Yard by Mo Member (was at Van 3)"


def test_a_return_to_the_same_place_reads_as_before(client, auth, world):
    """No place change: the line keeps its words, "Returned ... to Van 3"."""
    me = auth.login(user=world["me"])
    hand_to(world["drill"], me)
    custody.check_in(world["drill"].code, actor=me, location_id=world["van"].id)
    assert Event.select().where(Event.kind == "checked_in").get().data is None
    assert _history(client, world["drill"])[0] == "Returned by Mo Member to Van 3"


# Taking over someone else's item -------------------------------------------------


def test_a_member_cannot_take_over_an_item_from_the_card(client, auth, world):
    """Not in hand: no "Transfer to…" on the card, and the service refuses it."""
    me = auth.login(user=world["me"])
    hand_to(world["drill"], world["other"])
    drill = fresh(world["drill"])
    assert "transfer" not in custody_rules.allowed_actions(drill, me)
    soup = soup_of(client.get(f"/A/{drill.code}"))
    assert soup.select_one(f"#status-card a[href='/A/{drill.code}/transfer']") is None
    with pytest.raises(Forbidden, match="with it in hand"):
        custody.transfer(drill.code, actor=me, today=TODAY, to_holder_id=me.id)
    response = client.form(
        f"/A/{drill.code}/transfer", {"holder": world["other"].id, "to_holder": me.id}
    )
    assert response.status_code == 403
    assert fresh(drill).holder_id == world["other"].id and _transferred(drill) == []


def test_a_member_takes_over_an_item_they_scanned(client, auth, world):
    """From the scanner (a scan of its label, so in hand): it is now theirs."""
    me = auth.login(user=world["me"])
    hand_to(world["drill"], world["other"])
    action = {
        "key": uuid.uuid4().hex,
        "action": "take_over",
        "code": world["drill"].code,
        "scanned_at": int(time.time() * 1000),
    }
    response = client.post(
        "/scan/actions", json={"actions": [action]}, headers={"X-CSRFToken": client.csrf_token()}
    )
    assert response.status_code == 200
    [result] = response.json["results"]
    assert result["status"] == "done", result
    assert result["message"] == "Handed over from Oli Other to Mo Member."
    assert fresh(world["drill"]).holder_id == me.id
    [event] = _transferred(world["drill"])
    assert event.actor_id == me.id and event.scanned_at is not None


def test_a_member_still_hands_over_what_they_hold_from_the_card(auth, world):
    """Their own item: "Transfer to…" is offered and works without a scan."""
    me = auth.login(user=world["me"])
    hand_to(world["drill"], me)
    assert "transfer" in custody_rules.allowed_actions(fresh(world["drill"]), me)
    custody.transfer(world["drill"].code, actor=me, today=TODAY, to_holder_id=world["other"].id)
    assert Asset.get_by_id(world["drill"].id).holder_id == world["other"].id


def test_a_scan_does_not_let_a_member_pass_someone_elses_item_to_a_third(auth, world):
    """In hand, a member may take it over, not hand it to yet another person."""
    me = auth.login(user=world["me"])
    hand_to(world["drill"], world["other"])
    third = factories.make_holder("Tia Third")
    with pytest.raises(Forbidden, match="only hand over their own items"):
        custody.transfer(
            world["drill"].code,
            actor=me,
            today=TODAY,
            to_holder_id=third.id,
            scanned_at=utcnow(),
        )
    assert fresh(world["drill"]).holder_id == world["other"].id
