"""Actions from the in-browser scanner: sent one at a time, or queued on a phone
that had no signal and sent together when it came back.

Every action carries an idempotency key (so a resend is applied once) and the
time the phone made the scan. Each goes through the same service as the
asset page, in its own write, so one refusal never sinks the rest; each gets
its own answer back, refusals included, so nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

from .. import codes
from ..audits import audits, progress
from ..errors import Invalid, NotFound, ServiceError
from ..models import Audit, AuditTick, Kit, User, utcnow
from ..receipts import runs
from ..register import label_codes, places
from . import custody
from .engine import Outcome, clean_key

MAX_ACTIONS = 50
# A phone's clock may run a little fast; a scan "from the future" beyond this is
# a wrong clock, and its time would mislead the history.
CLOCK_SKEW = timedelta(minutes=5)
# A queue older than this is more likely a forgotten phone than a dead spot: the
# item may have moved on since, so the person is asked to scan it again.
MAX_AGE = timedelta(days=7)
# "take_over": the scanned item, from whoever holds it, to the person scanning
# (a member may do so only from a scan: custody rules, may_take_over).
ACTIONS = ("tick", "checkout", "return", "move", "take_over", "undo", "room")


class BadBatch(Invalid):
    """The batch as a whole cannot be read: a malformed request, not one bad action."""

    status = 400

    def __init__(self, message: str):
        super().__init__({"actions": message})


@dataclass
class Result:
    key: str
    # "done"; "duplicate" (this key was applied before); "already" (an audit tick
    # of an item seen before); "noted" (an audit tick of a code that is not an
    # asset); "check" (a typed code that matches nothing: nothing recorded, the
    # person is asked); "refused" (a rule, or a conflict with what
    # happened meanwhile); "error" (the item itself is malformed).
    status: str
    message: str
    code: str = ""
    name: str = ""
    tick_id: int | None = None
    audit_id: int | None = None
    # A check-out to another person: the run's receipt, and its items so far.
    receipt_id: int | None = None
    receipt_items: int = 0


@dataclass
class Answer:
    results: list[Result]
    audits: dict[int, dict] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "results": [asdict(result) for result in self.results],
            "audits": {str(k): v for k, v in self.audits.items()},
        }


class _Bad(Exception):
    """One item is malformed; the message says how."""


def _int(item: dict, name: str, required: bool = True) -> int | None:
    value = item.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**62:
        raise _Bad(f"'{name}' must be a whole number.")
    return value


def scan_time(raw, now: datetime) -> datetime:
    """When the phone made the scan (milliseconds since 1970, as JavaScript counts),
    as naive UTC; refused when the phone's clock cannot be right."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _Bad("'scanned_at' must be the scan time in milliseconds.")
    try:
        moment = datetime.fromtimestamp(raw / 1000, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise _Bad("'scanned_at' is not a time.") from None
    if moment > now + CLOCK_SKEW:
        raise _Bad("The scan time is in the future: check the phone's clock, then scan again.")
    if moment < now - MAX_AGE:
        raise _Bad(f"Scanned more than {MAX_AGE.days} days ago: scan it again.")
    return moment


def _asset_code(typed: str) -> str:
    """The asset a scanned code stands for now (old labels lead to it too)."""
    code = codes.parse(typed)
    found = label_codes.resolve(code) if code else None
    if found is None and code and Kit.select().where(Kit.code == code).exists():
        raise Invalid({"code": "That is a kit's label: open the kit's page to take or return it."})
    if found is None:
        raise NotFound(f"No item has the code {typed!r}.")
    if found.kind == "location":
        raise Invalid({"code": "That is a location label, not an item."})
    if found.asset is None:
        raise Invalid({"code": "That label is not on any item yet."})
    return found.asset.code


def _custody(
    action: str, item: dict, actor: User, today: date, key: str, at, run: dict[int, int]
) -> runs.RunStep:
    """`run`: each person's receipt in this batch (an offline batch of check-outs
    to one person shares one)."""
    code = _asset_code(item["code"])
    if action == "checkout":
        holder_id = _int(item, "holder_id", required=False)

        def check_out(receipt=None) -> Outcome:
            return custody.check_out(
                code,
                actor=actor,
                today=today,
                holder_id=holder_id,
                key=key,
                scanned_at=at,
                receipt=receipt,
            )

        if holder_id in (None, actor.id):
            return runs.RunStep(check_out())
        # To another person: on the run's one receipt, for them to sign at the end.
        step = runs.check_out_in_run(
            actor=actor,
            person_id=holder_id,
            receipt_id=run.get(holder_id) or _int(item, "receipt_id", required=False),
            check_out=check_out,
        )
        if step.receipt_id is not None:
            run[holder_id] = step.receipt_id
        return step
    return runs.RunStep(_other(action, code, item, actor, today, key, at))


def _other(action: str, code: str, item: dict, actor: User, today: date, key: str, at) -> Outcome:
    if action == "return":
        return custody.check_in(
            code,
            actor=actor,
            location_id=_int(item, "location_id", required=False),
            key=key,
            scanned_at=at,
        )
    if action == "take_over":
        return custody.transfer(
            code, actor=actor, today=today, to_holder_id=actor.id, key=key, scanned_at=at
        )
    return custody.move(
        code, actor=actor, location_id=_int(item, "location_id"), key=key, scanned_at=at
    )


def _one(item, *, actor: User, today: date, now: datetime, clock, run: dict[int, int]) -> Result:
    if not isinstance(item, dict):
        return Result("", "error", "Each action must be an object.")
    raw_key = item.get("key")
    key = clean_key(raw_key) if isinstance(raw_key, str) else None
    shown = raw_key if isinstance(raw_key, str) and len(raw_key) <= 64 else ""
    if key is None:
        return Result(shown, "error", "Each action needs a key of 8–64 letters, digits, - or _.")
    action = item.get("action")
    try:
        if action not in ACTIONS:
            raise _Bad(f"Unknown action; use one of: {', '.join(ACTIONS)}.")
        if action == "undo":
            return _undo(item, actor, key)
        if action == "room":
            return _room(item, actor, key)
        typed = item.get("code")
        if not isinstance(typed, str) or not typed.strip() or len(typed) > 40:
            raise _Bad("'code' must be the code that was scanned.")
        at = scan_time(item.get("scanned_at"), now)
        if action == "tick":
            return _tick(item, actor, key, at, clock)
        step = _custody(action, item, actor, today, key, at, run)
    except _Bad as exc:
        return Result(key, "error", str(exc))
    except ServiceError as exc:
        return Result(key, "refused", str(exc), code=str(item.get("code"))[:40])
    outcome, asset = step.outcome, step.outcome.asset
    status = "duplicate" if outcome.duplicate else "done"
    return Result(
        key,
        status,
        outcome.message,
        code=asset.code,
        name=asset.name,
        receipt_id=step.receipt_id,
        receipt_items=step.items,
    )


def _tick(item: dict, actor: User, key: str, at: datetime, clock) -> Result:
    audit_id = _int(item, "audit_id")
    # The room is the one the person said they are in ("room" actions arrive in
    # order with the ticks, even from an offline queue).
    result = audits.tick(
        audit_id,
        item["code"],
        actor=actor,
        key=key,
        scanned_at=at,
        by_hand=item.get("typed") is True,
        clock=clock,
    )
    status = {
        "seen": "done",
        "unexpected": "done",
        "unknown": "noted",  # not one of ours: kept in the audit's record
        "duplicate": "duplicate",
        "already": "already",  # seen before, by this scan or another: nothing to do
        "unmatched": "check",  # typed, matches nothing: asked, not recorded
        "kit": "check",  # a kit's label: its items are ticked one by one
    }
    asset = result.asset
    return Result(
        key,
        status.get(result.kind, "refused"),
        result.message,
        code=asset.code if asset else item["code"][:40],
        name=asset.name if asset else "",
        tick_id=result.tick.id if result.tick and not result.tick.undone_at else None,
        audit_id=audit_id,
    )


def _undo(item: dict, actor: User, key: str) -> Result:
    audit_id, tick_id = _int(item, "audit_id"), _int(item, "tick_id")
    row = AuditTick.get_or_none(AuditTick.id == tick_id, AuditTick.audit == audit_id)
    if row is None:
        raise NotFound("That tick is not there to undo.")
    row = audits.undo(row.id, actor=actor)
    name = row.asset.name if row.asset_id else ""
    return Result(key, "done", "Tick undone.", name=name, tick_id=row.id, audit_id=audit_id)


def _room(item: dict, actor: User, key: str) -> Result:
    """ "I am in…" said on the scanner: the same room the audit page shows."""
    audit_id = _int(item, "audit_id")
    room = audits.say_room(audit_id, actor=actor, room_id=_int(item, "room_id", required=False))
    message = f"I am in {places.location_label(room.id)}." if room else "Room not said."
    return Result(key, "done", message, audit_id=audit_id)


def summaries(audits: list[Audit]) -> dict[int, dict]:
    """Each audit's counts, as the scanner shows them (a fixed number of queries)."""
    counted = progress.counts([a.id for a in audits])
    out = {}
    for audit in audits:
        expected, seen = counted[audit.id]
        percent = progress.Progress(expected=expected, seen=seen).percent
        out[audit.id] = {"name": audit.name, "seen": seen, "expected": expected, "percent": percent}
    return out


def apply(items, *, actor: User, today: date, now: datetime | None = None, clock=None) -> Answer:
    """Apply each action once, in order; answer each, and the audits they touched."""
    if not isinstance(items, list):
        raise BadBatch('Send {"actions": [...]}, a list of scanned actions.')
    if not items:
        raise BadBatch("The list of actions is empty.")
    if len(items) > MAX_ACTIONS:
        raise BadBatch(f"Send at most {MAX_ACTIONS} actions at a time.")
    now = now or utcnow()
    clock = clock or (lambda moment: f"{moment:%H:%M} UTC")
    run: dict[int, int] = {}
    results = [
        _one(item, actor=actor, today=today, now=now, clock=clock, run=run) for item in items
    ]
    touched = {r.audit_id for r in results if r.audit_id}
    answer = Answer(results)
    if touched:
        answer.audits.update(summaries(list(Audit.select().where(Audit.id.in_(list(touched))))))
    return answer
