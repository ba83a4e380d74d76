"""Faults, repairs and reports from the public: the maintenance log."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from ..errors import Invalid
from ..models import FAULT_SEVERITIES, Asset, Event, Fault, User, utcnow
from ..ops import money
from ..prepared import Prepared
from ..register import events, uploads
from . import rules
from .engine import Outcome, perform

MAX_TEXT = 2000  # any note or description, here and on every action's form


def _text(value: str, field: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid({field: "Say what is wrong."})
    if len(value) > MAX_TEXT:
        raise Invalid({field: f"Keep it under {MAX_TEXT} characters."})
    return value


def clean_text(value: str, field: str) -> str:
    """A note or description from a form, stripped and within MAX_TEXT (other
    custody actions check theirs the same way)."""
    return _text(value, field)


def _cost(cost_cents: int | None) -> dict:
    if cost_cents is None:
        return {}
    if cost_cents < 0:
        raise Invalid({"cost_cents": "Cost cannot be negative."})
    if money.too_large(cost_cents):
        raise Invalid({"cost_cents": money.TOO_LARGE})
    return {"cost_cents": cost_cents}


def open_faults(asset: Asset) -> list[Fault]:
    return _open_faults(asset.id)


@Prepared
def _open_faults(asset_id):
    return (
        Fault.select()
        .where(Fault.asset == asset_id, Fault.closed_at.is_null())
        .order_by(Fault.reported_at.desc())
    )


def report_fault(
    code: str,
    *,
    actor: User,
    description: str,
    severity: str,
    photo: BinaryIO | None = None,
    uploads_dir: Path | None = None,
    key: str | None = None,
) -> Outcome:
    """Record a problem. "Do not use" makes the item faulty until it is fixed."""
    description = _text(description, "description", required=True)
    if severity not in FAULT_SEVERITIES:
        raise Invalid({"severity": "Choose how bad it is."})
    photo_name = uploads.save_image(photo, uploads_dir) if photo is not None else ""

    def apply(asset: Asset):
        rules.require("report_fault", asset, actor)
        fault = Fault.create(
            asset=asset,
            reported_by=actor,
            description=description,
            severity=severity,
            photo=photo_name,
        )
        event = events.record(
            "fault_reported",
            asset=asset,
            actor=actor,
            note=description,
            data={"fault_id": fault.id, "severity": severity, "photo": bool(photo_name)},
        )
        return "Fault reported. Thank you.", [event]

    try:
        outcome = perform(code, actor, apply, key=key)
    except Exception:
        if photo_name:
            uploads.discard(uploads_dir, photo_name)
        raise
    if outcome.duplicate and photo_name:
        uploads.discard(uploads_dir, photo_name)
    return outcome


def start_repair(
    code: str, *, actor: User, note: str = "", cost_cents: int | None = None, key: str | None = None
) -> Outcome:
    """Send the item for repair (leads). It cannot be checked out until fixed."""
    note = _text(note, "note")

    def apply(asset: Asset):
        rules.require("start_repair", asset, actor)
        asset.status = "in_repair"
        event = events.record(
            "repair_started", asset=asset, actor=actor, note=note, data=_cost(cost_cents) or None
        )
        return "Repair started.", [event]

    return perform(code, actor, apply, key=key)


def mark_fixed(
    code: str, *, actor: User, note: str = "", cost_cents: int | None = None, key: str | None = None
) -> Outcome:
    """Close the repair and every open fault (leads)."""
    note = _text(note, "note")

    def apply(asset: Asset):
        still_open = Fault.select().where(Fault.asset == asset, Fault.closed_at.is_null())
        rules.require("mark_fixed", asset, actor, has_open_fault=still_open.exists())
        closed = (
            Fault.update(closed_at=utcnow())
            .where(Fault.asset == asset, Fault.closed_at.is_null())
            .execute()
        )
        asset.status = "available"  # settle() then applies holder and faults
        data = {"faults_closed": closed, **_cost(cost_cents)}
        event = events.record("repaired", asset=asset, actor=actor, note=note, data=data)
        return "Marked fixed.", [event]

    return perform(code, actor, apply, key=key)


# A finder's name and how to reach them: kept short, and cut rather than refused
# (a stranger on a phone should not lose the message over it).
FINDER_NAME_MAX, CONTACT_MAX = 120, 200


def public_report(
    code: str, *, name: str, contact: str, message: str, key: str | None = None
) -> Outcome:
    """A note from someone who scanned the label without signing in."""
    message = _text(message, "message", required=True)
    name, contact = (name or "").strip()[:FINDER_NAME_MAX], (contact or "").strip()[:CONTACT_MAX]

    def apply(asset: Asset):
        event = events.record(
            "public_report", asset=asset, note=message, data={"name": name, "contact": contact}
        )
        return "Thank you. The team has your message.", [event]

    return perform(code, None, apply, key=key, proves_presence=False)


def as_seen_by(history: list[Event], viewer: User | None) -> list[Event]:
    """An asset's history as `viewer` may read it (see rules.may_read_finder)."""
    if rules.may_read_finder(viewer):
        return history
    # A stand-in rather than an edit of the row: events are never changed.
    return [
        Event(id=e.id, asset=e.asset_id, kind=e.kind, at=e.at, data={"withheld": True})
        if e.kind == "public_report"
        else e
        for e in history
    ]
