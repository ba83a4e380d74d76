"""Walking an audit: ticks ("Seen ✓"), undo, "I am in…", and what to do with an
item seen elsewhere. The audit's start and close are in audits.py, which also
offers these under its own name (audits.tick, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import IntegrityError

from .. import codes
from ..custody import custody
from ..custody.engine import Outcome, clean_key, perform
from ..database import write
from ..errors import NotFound, Refused
from ..kits import rules as kit_rules
from ..models import Asset, Audit, AuditItem, AuditTick, Kit, KitItem, Location, User, utcnow
from ..prepared import Prepared
from ..register import events, label_codes, places
from . import rooms, rules


def get(audit_id: int) -> Audit:
    audit = Audit.get_or_none(Audit.id == audit_id)
    if audit is None:
        raise NotFound("No such audit.")
    return audit


@Prepared
def running():
    """The audits under way, oldest first (the asset page asks on every view)."""
    return Audit.select().where(Audit.status == "running").order_by(Audit.started_at)


def active_tick(audit_id: int, asset_id: int) -> AuditTick | None:
    return (
        AuditTick.select(AuditTick, User)
        .join(User, on=(AuditTick.by == User.id))
        .where(
            AuditTick.audit == audit_id, AuditTick.asset == asset_id, AuditTick.undone_at.is_null()
        )
        .first()
    )


def tick_in(audit_id: int, tick_id: int) -> AuditTick | None:
    """The tick `tick_id`, if it belongs to this audit."""
    return AuditTick.get_or_none(AuditTick.id == tick_id, AuditTick.audit == audit_id)


@dataclass
class TickResult:
    # "seen", "already", "unexpected", "unknown", "duplicate" (same key again),
    # "unmatched" (typed, matches nothing: nothing recorded until confirmed),
    # "kit" (a kit's label: nothing recorded, its items are ticked one by one)
    kind: str
    message: str
    tick: AuditTick | None = None
    asset: Asset | None = None
    outcome: Outcome | None = None


def _already(row: AuditTick, actor: User, clock) -> str:
    if row.via:
        who = "you" if row.by_id == actor.id else row.by.name
        how = rules.via_words(row.via, who)
        return f"Already counted as seen: {how} at {clock(row.at)}."
    if row.by_id == actor.id:
        return f"You already ticked this at {clock(row.at)}."
    return f"Already seen by {row.by.name} at {clock(row.at)}."


def _keyed(audit: Audit, key: str | None, actor: User, clock) -> TickResult | None:
    """The tick this key already made, if any: a resent scan is answered, not redone."""
    row = AuditTick.get_or_none(AuditTick.key == key) if key else None
    if row is None:
        return None
    if row.audit_id != audit.id:
        raise Refused("This scan was already used for another audit.")
    message = _already(row, actor, clock) if row.asset_id else "Already noted."
    return TickResult("duplicate", message, tick=row, asset=row.asset if row.asset_id else None)


def typing_mistake(typed: str) -> str | None:
    """What a typed code that matches nothing gets: a question, not a record.
    None when it does match something (an asset, a label, a place)."""
    code = codes.parse(typed)
    if code and label_codes.resolve(code):
        return None
    shown = codes.pretty(code) if code else (typed or "").strip()[:40]
    return f"No asset has the code {shown}: check it."


def tick(
    audit_id: int,
    typed: str,
    *,
    actor: User,
    room_id: int | None = None,
    key: str | None = None,
    scanned_at: datetime | None = None,
    by_hand: bool = False,
    clock=lambda moment: f"{moment:%H:%M} UTC",
) -> TickResult:
    """ "Seen ✓": record that `typed` (a code) was seen, once per asset per audit.
    `key` makes a resent scan a no-op (even of an unknown code); `scanned_at` is
    when the phone saw it. The room is the one the person said they are in,
    unless `room_id` names one. `by_hand`: typed, not scanned, so a code that
    matches nothing is most likely a typing mistake and is not recorded. `clock`
    shows a stored UTC time the way the caller's people read times."""
    audit = get(audit_id)
    key = clean_key(key)
    done = _keyed(audit, key, actor, clock)
    if done:
        return done
    if audit.status != "running":
        raise Refused("This audit is closed.")
    if room_id is not None:
        room = Location.get_or_none(Location.id == room_id)
    else:
        room = rooms.room_of(audit.id, actor)
    code = codes.parse(typed)
    found = label_codes.resolve(code) if code else None
    kit = Kit.get_or_none(Kit.code == code) if found is None and code else None
    if kit is not None:  # nothing recorded: a kit's label proves nothing about its items
        names = Asset.select(Asset.name).join(KitItem).where(KitItem.kit == kit)
        items = [a.name for a in names.order_by(KitItem.position, KitItem.id)]
        return TickResult("kit", kit_rules.audit_message(kit, items))
    if found is None and by_hand:
        return TickResult("unmatched", typing_mistake(typed))
    if found is None or found.asset is None:
        try:
            with write():  # an unknown or unbound code is part of the audit's record too
                done = _keyed(audit, key, actor, clock)  # re-checked under the write lock
                if done:
                    return done
                row = AuditTick.create(
                    audit=audit,
                    code=(typed or "")[:40],
                    by=actor,
                    room=room,
                    expected=False,
                    key=key,
                    scanned_at=scanned_at,
                )
        except IntegrityError:  # the same key, sent twice at once (PostgreSQL)
            return _keyed(audit, key, actor, clock)
        return TickResult("unknown", f"{typed!r} is not a tagtrail asset: noted.", tick=row)
    asset = found.asset
    already = active_tick(audit.id, asset.id)
    if already:
        return TickResult("already", _already(already, actor, clock), tick=already, asset=asset)
    made: list[AuditTick] = []

    def apply(row: Asset):
        again = active_tick(audit.id, row.id)  # re-checked under the write lock
        if again:
            raise Refused(f"Already seen by {again.by.name} just now.")
        expected = (
            AuditItem.select().where(AuditItem.audit == audit, AuditItem.asset == row).exists()
        )
        wrong = bool(room and row.location_id != room.id)
        made.append(
            AuditTick.create(
                audit=audit,
                asset=row,
                by=actor,
                room=room,
                expected=expected,
                wrong_place=wrong,
                key=key,
                scanned_at=scanned_at,
            )
        )
        now = utcnow()
        row.last_audited_at = row.last_seen_at = now
        event = events.record(
            "audited",
            asset=row,
            actor=actor,
            location=room,
            at=now,
            data={"audit_id": audit.id, "expected": expected, "wrong_place": wrong},
        )
        if not expected:
            return f"Seen ✓ {row.name} (not expected in this audit: noted as unexpected).", [event]
        if wrong:
            where = places.location_label(row.location_id) or "no recorded place"
            here = places.location_label(room.id)
            return f"Seen ✓ {row.name} in {here}, but it belongs at {where}.", [event]
        return f"Seen ✓ {row.name}", [event]

    try:
        outcome = perform(asset.code, actor, apply, key=key, scanned_at=scanned_at)
    except Refused as exc:
        return TickResult("already", str(exc), asset=asset)
    except IntegrityError:  # the same key, sent twice at once (PostgreSQL)
        done = _keyed(audit, key, actor, clock)
        if done is None:
            raise
        return done
    if outcome.duplicate:
        return TickResult("already", "Already done.", asset=outcome.asset)
    row = made[0]
    kind = "seen" if row.expected else "unexpected"
    message = outcome.message
    if any(event.kind == "found" for event in outcome.events):  # it was missing until now
        message = f"{message.rstrip('.')}: found, it was missing"
    return TickResult(kind, message, tick=row, asset=outcome.asset, outcome=outcome)


def say_room(audit_id: int, *, actor: User, room_id: int | None) -> Location | None:
    """ "I am in…": the one room this person is in for this audit, which the audit
    page, the location page and /scan show, and every tick they make uses."""
    audit = get(audit_id)
    if audit.status != "running":
        raise Refused("This audit is closed.")
    room = Location.get_or_none(Location.id == room_id) if room_id else None
    if room_id and room is None:
        raise NotFound("Choose a room from the list.")
    with write():
        rooms.set_room(audit.id, actor, room.id if room else None)
    return room


def undo(tick_id: int, *, actor: User) -> AuditTick:
    """Take a tick back (a mis-scan); the history keeps both."""
    with write():
        row = AuditTick.get_or_none(AuditTick.id == tick_id)
        if row is None or row.undone_at is not None:
            raise NotFound("That tick is not there to undo.")
        refused = rules.undo_refusal(row, actor)
        if refused is not None:
            raise refused
        row.undone_at, row.undone_by = utcnow(), actor
        row.save()
        if row.asset_id:
            events.record(
                "audit_undone",
                asset=row.asset,
                actor=actor,
                data={"audit_id": row.audit_id, "tick_id": row.id},
            )
        return row


def resolve_elsewhere(tick_id: int, *, actor: User, move: bool) -> AuditTick:
    """For an item seen elsewhere: update its location to the room, or leave it."""
    row = AuditTick.get_or_none(AuditTick.id == tick_id)
    if row is None or not row.wrong_place or row.undone_at or row.resolution:
        raise NotFound("Nothing to decide for that tick.")
    refused = rules.elsewhere_refusal(row.audit, actor)
    if refused is not None:
        raise refused
    if move:
        custody.move(
            row.asset.code,
            actor=actor,
            location_id=row.room_id,
            note=f"Seen there during the audit “{row.audit.name}”.",
        )
    with write():
        row.resolution = "moved" if move else "left"
        row.save()
    return row
