"""The scanner's JSON endpoint: each queued action applied once, whatever the
retries; conflicts answered per item; scan time and arrival time both kept;
the asset page's rules; bad payloads refused with a message."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta

import pytest

from app.audits import audits
from app.custody import batch, custody
from app.models import Asset, AuditTick, Event, utcnow

from . import factories

URL = "/scan/actions"


def _key() -> str:
    return uuid.uuid4().hex


def _ms(moment_ago: timedelta = timedelta(0)) -> int:
    return int((time.time() - moment_ago.total_seconds()) * 1000)


def _send(client, actions, token=None):
    token = token or client.csrf_token()
    return client.post(URL, json={"actions": actions}, headers={"X-CSRFToken": token})


@pytest.fixture
def world(client, auth):
    lead = auth.login("lead")
    store = factories.make_location("Store")
    van = factories.make_location("Van 2")
    drill = factories.make_asset(actor=lead, name="Drill", location=store.id)
    ladder = factories.make_asset(actor=lead, name="Ladder", location=store.id)
    return {"lead": lead, "store": store, "van": van, "drill": drill, "ladder": ladder}


def test_the_same_key_twice_is_applied_once(client, world):
    """A queue resent after a lost answer: the second send writes nothing."""
    drill = world["drill"]
    custody.check_out(drill.code, actor=world["lead"], today=date.today())
    actions = [
        {"key": _key(), "action": "return", "code": drill.code, "scanned_at": _ms()},
        {
            "key": _key(),
            "action": "move",
            "code": world["ladder"].code,
            "location_id": world["van"].id,
            "scanned_at": _ms(),
        },
    ]
    first = _send(client, actions)
    assert first.status_code == 200
    assert [r["status"] for r in first.json["results"]] == ["done", "done"]
    assert first.json["results"][0]["name"] == "Drill"
    again = _send(client, actions)
    assert [r["status"] for r in again.json["results"]] == ["duplicate", "duplicate"]
    assert Event.select().where(Event.kind == "checked_in").count() == 1
    assert Event.select().where(Event.kind == "moved").count() == 1
    assert Asset.get_by_id(world["ladder"].id).location_id == world["van"].id


def test_audit_ticks_are_idempotent_even_for_unknown_codes(client, world):
    audit = audits.start("Spring", actor=world["lead"])
    actions = [
        {"key": _key(), "action": "tick", "code": world["drill"].code.lower(), "audit_id": audit.id,
         "room_id": world["store"].id, "scanned_at": _ms()},
        {"key": _key(), "action": "tick", "code": "NOT-OURS-1", "audit_id": audit.id,
         "scanned_at": _ms()},
    ]  # fmt: skip
    first = _send(client, actions).json
    assert [r["status"] for r in first["results"]] == ["done", "noted"]
    assert first["results"][0]["message"] == "Seen ✓ Drill"
    assert first["audits"][str(audit.id)] == {
        "name": "Spring",
        "seen": 1,
        "expected": 2,
        "percent": 50,
    }
    again = _send(client, actions).json
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert again["results"][0]["tick_id"] == first["results"][0]["tick_id"]
    assert AuditTick.select().where(AuditTick.audit == audit.id).count() == 2
    assert Event.select().where(Event.kind == "audited").count() == 1
    # A different scan of the same item (a new key) is answered, not ticked again.
    later = _send(client, [{**actions[0], "key": _key()}]).json["results"][0]
    assert later["status"] == "already"
    assert later["message"].startswith("You already ticked this at")


def test_both_times_are_kept(client, world):
    """The phone's scan time and the server's arrival time, on the event and the tick."""
    audit = audits.start("Spring", actor=world["lead"])
    scanned = _ms(timedelta(hours=3))
    _send(
        client,
        [
            {"key": _key(), "action": "tick", "code": world["drill"].code, "audit_id": audit.id,
             "scanned_at": scanned},
            {"key": _key(), "action": "move", "code": world["ladder"].code,
             "location_id": world["van"].id, "scanned_at": scanned},
        ],
    )  # fmt: skip
    tick = AuditTick.get(AuditTick.asset == world["drill"].id)
    audited = Event.get(Event.kind == "audited")
    moved = Event.get(Event.kind == "moved")
    for row in (tick, audited, moved):
        assert abs((row.scanned_at - (utcnow() - timedelta(hours=3))).total_seconds()) < 60
        assert abs((row.at - utcnow()).total_seconds()) < 60


def test_online_scans_record_their_scan_time_too(client, world):
    scanned = _ms()
    _send(client, [{"key": _key(), "action": "checkout", "code": world["drill"].code,
                    "scanned_at": scanned}])  # fmt: skip
    event = Event.get(Event.kind == "checked_out")
    assert event.scanned_at is not None
    assert abs(event.scanned_at.timestamp() - event.at.timestamp()) < 60


def test_a_missing_item_scanned_offline_is_found_at_its_scan_time(client, world):
    """`found` and the action both carry the scan time; only the action carries the key."""
    Asset.update(status="missing").where(Asset.id == world["ladder"].id).execute()
    key, scanned = _key(), _ms(timedelta(hours=2))
    _send(client, [{"key": key, "action": "move", "code": world["ladder"].code,
                    "location_id": world["van"].id, "scanned_at": scanned}])  # fmt: skip
    rows = list(
        Event.select()
        .where(Event.asset == world["ladder"].id, Event.kind.in_(["found", "moved"]))
        .order_by(Event.id)
    )
    assert [(e.kind, e.key) for e in rows] == [("found", None), ("moved", key)]
    for e in rows:
        assert abs((e.scanned_at - (utcnow() - timedelta(hours=2))).total_seconds()) < 60


def test_conflicts_found_on_arrival_are_reported_per_item(client, world):
    """The state changed while the phone was offline: each refusal says why, and the
    good items in the same batch still go through."""
    lead, drill, ladder = world["lead"], world["drill"], world["ladder"]
    holder = factories.make_holder("Sam Holder")
    retired = factories.make_asset(actor=lead, name="Old saw", location=world["store"].id)
    custody.retire(retired.code, actor=lead, reason="scrapped")
    custody.check_out(ladder.code, actor=lead, today=date.today(), holder_id=holder.id)
    results = _send(
        client,
        [
            # Returned meanwhile: nothing to return.
            {"key": _key(), "action": "return", "code": drill.code, "scanned_at": _ms()},
            {"key": _key(), "action": "checkout", "code": ladder.code, "scanned_at": _ms()},
            {"key": _key(), "action": "move", "code": retired.code,
             "location_id": world["van"].id, "scanned_at": _ms()},
            {"key": _key(), "action": "move", "code": drill.code,
             "location_id": world["store"].id, "scanned_at": _ms()},
            {"key": _key(), "action": "return", "code": ladder.code, "scanned_at": _ms()},
        ],
    ).json["results"]  # fmt: skip
    assert [r["status"] for r in results] == ["refused", "refused", "refused", "refused", "done"]
    assert results[0]["message"].startswith("This item is not checked out")
    assert results[1]["message"].startswith("Already checked out to Sam Holder")
    assert results[2]["message"] == "This item is retired."
    assert results[3]["message"] == "It is already at Store."
    assert results[4]["message"] == "Returned from Sam Holder."
    assert Asset.get_by_id(ladder.id).holder_id is None
    assert Asset.get_by_id(retired.id).location_id == world["store"].id


def test_members_get_the_asset_pages_rules(client, auth, world):
    """A member may check out to themselves and return, not move or act for others."""
    auth.logout()
    member = auth.login("member")
    other = factories.make_holder("Other Person")
    results = _send(
        client,
        [
            {"key": _key(), "action": "checkout", "code": world["drill"].code,
             "holder_id": other.id, "scanned_at": _ms()},
            {"key": _key(), "action": "move", "code": world["ladder"].code,
             "location_id": world["van"].id, "scanned_at": _ms()},
            {"key": _key(), "action": "checkout", "code": world["ladder"].code,
             "holder_id": member.id, "scanned_at": _ms()},
            {"key": _key(), "action": "return", "code": world["ladder"].code,
             "scanned_at": _ms()},
        ],
    ).json["results"]  # fmt: skip
    assert [r["status"] for r in results] == ["refused", "refused", "done", "done"]
    assert results[0]["message"] == "Members can only check items out to themselves."
    assert results[1]["message"] == "Only a lead can move items."
    assert Event.select().where(Event.kind == "moved").count() == 0


def test_undo_takes_back_a_tick(client, world):
    audit = audits.start("Spring", actor=world["lead"])
    tick = _send(client, [{"key": _key(), "action": "tick", "code": world["drill"].code,
                           "audit_id": audit.id, "scanned_at": _ms()}]).json  # fmt: skip
    tick_id = tick["results"][0]["tick_id"]
    undo = {"key": _key(), "action": "undo", "audit_id": audit.id, "tick_id": tick_id}
    answer = _send(client, [undo]).json
    assert answer["results"][0]["status"] == "done"
    assert answer["audits"][str(audit.id)]["seen"] == 0
    assert AuditTick.get_by_id(tick_id).undone_at is not None
    assert _send(client, [undo]).json["results"][0]["status"] == "refused"


def test_signed_out_and_without_a_token_nothing_happens(client, auth, world):
    body = {"actions": [{"key": _key(), "action": "return", "code": world["drill"].code,
                         "scanned_at": _ms()}]}  # fmt: skip
    assert client.post(URL, json=body).status_code == 400  # no CSRF token
    auth.logout()
    response = client.post(URL, json=body, headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert Event.select().where(Event.kind == "checked_in").count() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", 'Send JSON like {"actions": [...]}.'),
        (b"[1, 2]", 'Send JSON like {"actions": [...]}.'),
        (b'{"actions": "all of them"}', 'Send {"actions": [...]}, a list of scanned actions.'),
        (b'{"actions": []}', "The list of actions is empty."),
    ],
)
def test_malformed_batches_get_a_400_with_a_message(client, world, body, message):
    response = client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert response.status_code == 400
    assert response.json == {"error": message}


def test_batches_are_bounded(client, world):
    too_many = [
        {"key": _key(), "action": "return", "code": world["drill"].code, "scanned_at": _ms()}
        for _ in range(batch.MAX_ACTIONS + 1)
    ]
    response = _send(client, too_many)
    assert response.status_code == 400
    assert response.json["error"] == f"Send at most {batch.MAX_ACTIONS} actions at a time."
    huge = client.post(
        URL,
        data=b'{"actions": ["' + b"x" * 70_000 + b'"]}',
        content_type="application/json",
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert huge.status_code == 413
    assert "smaller batches" in huge.json["error"]


def test_one_bad_item_does_not_sink_the_batch(client, world):
    drill, ladder = world["drill"], world["ladder"]
    custody.check_out(drill.code, actor=world["lead"], today=date.today())
    good = {"key": _key(), "action": "return", "code": drill.code, "scanned_at": _ms()}
    results = _send(
        client,
        [
            "not an object",
            {"action": "return", "code": ladder.code, "scanned_at": _ms()},
            {"key": "short", "action": "return", "code": ladder.code, "scanned_at": _ms()},
            {"key": _key(), "action": "explode", "code": ladder.code, "scanned_at": _ms()},
            {"key": _key(), "action": "return", "code": ladder.code},
            {"key": _key(), "action": "return", "code": ladder.code, "scanned_at": "yesterday"},
            {"key": _key(), "action": "return", "code": ladder.code,
             "scanned_at": _ms(-timedelta(hours=1))},
            {"key": _key(), "action": "return", "code": ladder.code,
             "scanned_at": _ms(timedelta(days=8))},
            {"key": _key(), "action": "return", "code": ["x"], "scanned_at": _ms()},
            {"key": _key(), "action": "move", "code": ladder.code, "location_id": "van",
             "scanned_at": _ms()},
            {"key": _key(), "action": "return", "code": "ZZZZZZ", "scanned_at": _ms()},
            {"key": _key(), "action": "tick", "code": ladder.code, "audit_id": 999,
             "scanned_at": _ms()},
            {"key": _key(), "action": "return", "code": world["store"].code, "scanned_at": _ms()},
            good,
        ],
    ).json["results"]  # fmt: skip
    statuses = [r["status"] for r in results]
    assert statuses == ["error"] * 10 + ["refused"] * 3 + ["done"]
    messages = [r["message"] for r in results]
    assert messages[0] == "Each action must be an object."
    assert messages[1].startswith("Each action needs a key")
    assert messages[3].startswith("Unknown action")
    assert messages[4] == messages[5] == "'scanned_at' must be the scan time in milliseconds."
    assert messages[6].startswith("The scan time is in the future")
    assert messages[7] == "Scanned more than 7 days ago: scan it again."
    assert messages[8] == "'code' must be the code that was scanned."
    assert messages[9] == "'location_id' must be a whole number."
    assert messages[10] == "No item has the code 'ZZZZZZ'."
    assert messages[11] == "No such audit."
    assert messages[12] == "That is a location label, not an item."
    assert Asset.get_by_id(drill.id).holder_id is None
    assert Event.select().where(Event.kind == "checked_in").count() == 1


def test_an_old_label_code_still_finds_its_item(client, world):
    from app.register import label_codes

    old = world["drill"].code
    label_codes.relabel(old, world["lead"])
    result = _send(client, [{"key": _key(), "action": "move", "code": old,
                             "location_id": world["van"].id, "scanned_at": _ms()}])  # fmt: skip
    assert result.json["results"][0]["status"] == "done"
    assert Asset.get_by_id(world["drill"].id).location_id == world["van"].id
