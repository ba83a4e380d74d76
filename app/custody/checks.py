"""Condition and check before reuse, as actions: "Checked, ready" after the
check a category asks for, and a return that reports a fault in the same step.
The rules are in condition.py."""

from __future__ import annotations

from ..database import write
from ..errors import Invalid
from ..models import FAULT_SEVERITIES, Asset, Receipt, User
from ..receipts import receipts
from ..register import events
from . import condition, custody, maintenance, rules
from .engine import Outcome, perform


def checked_ready(code: str, *, actor: User, note: str = "", key: str | None = None) -> Outcome:
    """The check its category asks after each return is done: the item may go
    out again (leads, or the person the category names)."""
    note = maintenance.clean_text(note, "note")

    def apply(asset: Asset):
        rules.require("checked_ready", asset, actor)
        check = condition.check_text(asset)
        asset.needs_check_since = None
        event = events.record(
            "checked_ready", asset=asset, actor=actor, note=note, data={"check": check}
        )
        return f"{condition.CHECKED_READY}: it can go out again.", [event]

    return perform(code, actor, apply, key=key)


def return_and_report(
    code: str,
    *,
    actor: User,
    expected_holder_id: int | None = None,
    location_id: int | None = None,
    condition_said: str = "",
    note: str = "",
    description: str = "",
    severity: str = "",
    key: str | None = None,
    receipt: Receipt | None = None,
) -> Outcome:
    """Return the item and, when something is wrong with it (`description`),
    report the fault too, in ONE write: a fault report that cannot be taken
    refuses the return as well, so nothing is half done. `receipt`: the return
    receipt the item goes on."""
    note = maintenance.clean_text(note, "note")
    description = maintenance.clean_text(description, "description")
    if description and severity not in FAULT_SEVERITIES:
        raise Invalid({"severity": "Choose how bad it is."})
    with write():
        returned = custody.check_in(
            code,
            actor=actor,
            expected_holder_id=expected_holder_id,
            location_id=location_id,
            condition=condition_said,
            note=note,
            key=key,
            receipt=receipt,
        )
        if returned.duplicate or not description:
            return returned
        fault = maintenance.report_fault(
            code, actor=actor, description=description, severity=severity
        )
        if receipt is not None:  # the return receipt says what was wrong
            [reported] = [e for e in fault.events if e.kind == "fault_reported"]
            receipts.add_fault(receipt, fault.asset, reported.data["fault_id"])
        return Outcome(
            fault.asset,
            f"{returned.message} Fault reported. Thank you.",
            returned.events + fault.events,
        )
