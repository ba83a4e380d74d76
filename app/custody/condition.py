"""An item's condition, and the check some categories ask for before an item
goes out again, spelled once.

Condition: new, good, fair, poor or broken ("" until someone first says). A
check-out, a return or a hand-over may say it; blank means "as it was", so the
one-tap path stays one tap. Returning something poor or broken offers to report
a fault in the same step.

Check before reuse: a category may ask for a check after each return ("clean
and recharge"). The return flags the item (`Asset.needs_check_since`); it cannot
go out again until a lead, or the person the category names, taps "Checked,
ready". custody.rules asks `check_refusal` for every check-out, so every path
(the card, a kit, a reservation's start, the scanner) is refused alike.
"""

from __future__ import annotations

from ..errors import Forbidden, Invalid, Refused, ServiceError
from ..models import Asset, User
from ..register.rules import in_service, in_service_sql, is_lead

# In order, best first: the chips on the card and the choices on every form.
CONDITIONS = {
    "new": "New",
    "good": "Good",
    "fair": "Fair",
    "poor": "Poor",
    "broken": "Broken",
}
# Returning an item in one of these offers to report a fault in the same step.
OFFER_FAULT = frozenset({"poor", "broken"})
# Words from before these five, still in old history lines.
OLD_LABELS = {"worn": "Worn", "damaged": "Damaged"}
CHECKED_READY = "Checked, ready"  # the button (DESIGN.md, "Words on screen")


def label(value: str | None) -> str:
    """How a condition reads on screen, old words included; "" when none."""
    if not value:
        return ""
    return CONDITIONS.get(value) or OLD_LABELS.get(value) or str(value).capitalize()


def clean(value: str | None) -> str:
    """A condition from a form: one of the five, or "" (not said: unchanged)."""
    value = (value or "").strip().lower()
    if value and value not in CONDITIONS:
        raise Invalid({"condition": "Choose a condition from the list."})
    return value


def say(asset: Asset, value: str | None, data: dict) -> None:
    """Set the condition someone gave, when it differs, noting it (and what it
    was) in the event's `data`. Blank leaves it as it was. Call inside the
    action, so a bad value changes nothing."""
    value = clean(value)
    if value and value != asset.condition:
        data["condition"] = value
        if asset.condition:
            data["condition_was"] = asset.condition
        asset.condition = value


def offers_fault(value: str | None) -> bool:
    return value in OFFER_FAULT


def usual_severity(value: str | None) -> str:
    """How bad a fault report starts out as, for an item in this condition: a
    broken one "Do not use"; otherwise "Still usable". Where the condition is
    only being chosen on the same form, nothing is chosen for the person."""
    return "do_not_use" if value == "broken" else "usable"


def fault_invited(data: dict | None) -> bool:
    """An event that made the item poor or broken: the answer invites a fault report."""
    return isinstance(data, dict) and offers_fault(data.get("condition"))


# Check before reuse ------------------------------------------------------------


def check_asked(asset: Asset) -> str:
    """The check the item's category asks after each return, or "" for none."""
    if not asset.category_id:
        return ""
    # Without a final full stop: the text goes inside sentences.
    return (asset.category.check_after_return or "").strip().rstrip(".")


def needs_check(asset: Asset) -> bool:
    """Returned, and waiting for its check before it goes out again (from the row).
    A retired item waits for nothing."""
    return asset.needs_check_since is not None and in_service(asset)


def needs_check_sql():
    """`needs_check` as a condition on Asset (the dashboard's list), from its index."""
    return Asset.needs_check_since.is_null(False) & in_service_sql()


def check_text(asset: Asset) -> str:
    """What the check is, for the band and the refusal (the category may have
    dropped it since the item was flagged)."""
    return check_asked(asset) or "a check after its return"


def checker(asset: Asset) -> User | None:
    """The person the item's category names to do the check, besides the leads."""
    if not asset.category_id or not asset.category.checker_id:
        return None
    return asset.category.checker


def may_check(asset: Asset, person: User | None) -> bool:
    """Leads, or the person the category names, tap "Checked, ready"."""
    if person is None:
        return False
    if is_lead(person):
        return True
    return bool(asset.category_id and asset.category.checker_id == person.id)


def who_checks(asset: Asset) -> str:
    named = checker(asset)
    return f"a lead or {named.name}" if named and named.active else "a lead"


def still_to_do(asset: Asset, person: User | None) -> str:
    """What has to happen before the item goes out again, told to `person`: the
    one who may do the check is asked to; anyone else is told who may."""
    if may_check(asset, person):
        return f'Once it is done, tap "{CHECKED_READY}" and it can go out again.'
    return f'It can go out again once {who_checks(asset)} taps "{CHECKED_READY}".'


def check_refusal(asset: Asset, person: User | None = None) -> ServiceError | None:
    """Why the item may not go out now for its check, or None."""
    if not needs_check(asset):
        return None
    return Refused(f"Needs check: {check_text(asset)}. {still_to_do(asset, person)}")


def ready_refusal(asset: Asset, person: User | None) -> ServiceError | None:
    """Why `person` may not tap "Checked, ready" on `asset` now, or None."""
    if not needs_check(asset):
        return Refused("No check is waiting on this item.")
    if not may_check(asset, person):
        return Forbidden(f'Only {who_checks(asset)} can tap "{CHECKED_READY}" on this item.')
    return None


def invites_fault(written: list) -> bool:
    """An action's events returned the item as poor or broken and reported no
    fault: the answer invites one ("Report a fault?")."""
    reported = any(event.kind == "fault_reported" for event in written)
    returned = [event for event in written if event.kind == "checked_in"]
    return not reported and any(fault_invited(event.data) for event in returned)
