"""Custody under pressure: double submits with the same key, and eight people
tapping "Check out to me" on one item at the same moment."""

from __future__ import annotations

import threading

import pytest
from bs4 import BeautifulSoup

from app import models
from app.models import Event

from . import factories
from .custody_kit import (
    CARD,
    TIMELINE_OOB,
    act,
    flash,
    fresh,
    hand_to,
    last_event_id,
    new_events,
    new_key,
    state,
)
from .pages import soup_of

# Double submits ----------------------------------------------------------------


def _prepare(action, item, me, places):
    """Put the item in a state the action applies to; return the form it would send."""
    if action in ("return", "transfer"):
        hand_to(item, me)
    return {
        "checkout": {},
        "return": {"holder": me.id},
        "transfer": {"holder": me.id, "to_holder": factories.make_holder().id},
        "move": {"location": places[1].id},
        "retire": {"reason": "lost"},
    }[action]


@pytest.mark.parametrize("action", ["checkout", "return", "transfer", "move", "retire"])
def test_same_key_twice_is_one_event_and_already_done(client, auth, item, places, via, action):
    """A resent form (same key) writes nothing more and says "Already done." without error."""
    me = auth.login("lead")
    data = {**_prepare(action, item, me, places), "key": new_key()}
    since = last_event_id()
    act(client, item, action, data, via=via)
    after_first = state(item)
    response = client.form(f"/A/{item.code}/{action}", data, htmx=CARD if via == "htmx" else None)
    assert response.status_code == (200 if via == "htmx" else 303)
    soup = soup_of(response) if via == "htmx" else client.soup(f"/A/{item.code}")[0]
    assert flash(soup) == "Already done."
    assert soup.select_one(TIMELINE_OOB) is None
    assert state(item) == after_first
    assert [e.key for e in new_events(item, since)] == [data["key"]]


def test_two_taps_with_different_keys_is_409_you_already_have_it(client, auth, item, via):
    """Two separate "Check out to me" taps: the second says you already have it."""
    me = auth.login("member")
    act(client, item, "checkout", {"key": new_key()}, via=via)
    before = state(item)
    soup = act(client, item, "checkout", {"key": new_key()}, via=via, expect=409)
    assert "You already have this item." in flash(soup)
    assert state(item) == before and fresh(item).holder_id == me.id


# Concurrency -------------------------------------------------------------------


def test_eight_members_tap_check_out_at_once(app, auth, item):
    """Eight simultaneous "Check out to me": one 303, seven 409, one event, one holder."""
    clients = []
    for n in range(8):
        member = factories.make_user("member", name=f"Racer {n}")
        c = app.test_client()
        assert (
            c.form("/login", {"email": member.email, "password": factories.PASSWORD}).status_code
            == 303
        )
        clients.append((member, c, c.csrf_token()))
    barrier = threading.Barrier(len(clients))
    results: dict[int, tuple[int, str]] = {}

    def tap(member, c, token):
        try:
            barrier.wait(timeout=30)
            r = c.post(f"/A/{item.code}/checkout", data={"csrf_token": token, "key": new_key()})
            results[member.id] = (r.status_code, r.get_data(as_text=True))
        finally:
            models.db.close()

    threads = [threading.Thread(target=tap, args=args) for args in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [303] + [409] * 7
    [winner] = [m for m, _, _ in clients if results[m.id][0] == 303]
    a = fresh(item)
    assert (a.status, a.holder_id) == ("checked_out", winner.id)
    [event] = Event.select().where(Event.kind == "checked_out")
    assert (event.actor_id, event.holder_id, event.asset_id) == (winner.id, winner.id, item.id)
    assert [e.kind for e in Event.select().where(Event.asset == item.id)] == [
        "created",
        "checked_out",
    ]
    for member, _, _ in clients:
        if member != winner:
            text = flash(BeautifulSoup(results[member.id][1], "html.parser"))
            assert f"Already checked out to {winner.name} just now." in text
