"""The reservation rules' settings: reading what the Settings page saved into
the policy in force (defaults for missing or absurd values), checking what the
page sends before it is saved, and what the page shows. The policy itself, its
defaults and limits are rules.py's."""

from __future__ import annotations

import json

from ..models import Category
from .rules import (
    AHEAD_DAYS,
    LAPSE_MINUTES,
    LONGEST_DAYS,
    MAX_AHEAD_DAYS,
    MAX_LAPSE_MINUTES,
    MAX_LONGEST_DAYS,
    Policy,
)


def _whole(raw, default: int, top: int) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return default
    return value if 1 <= value <= top else default


def closed_categories(raw) -> frozenset[int]:
    """The saved list of categories that cannot be reserved (JSON ids)."""
    try:
        ids = json.loads(raw) if raw else []
    except ValueError:
        return frozenset()
    return frozenset(i for i in ids if isinstance(i, int)) if isinstance(ids, list) else frozenset()


def policy(saved: dict) -> Policy:
    """The rules in force, from the saved settings (defaults for missing or absurd values)."""
    return Policy(
        ahead_days=_whole(saved.get("reserve_ahead_days"), AHEAD_DAYS, MAX_AHEAD_DAYS),
        longest_days=_whole(saved.get("reserve_longest_days"), LONGEST_DAYS, MAX_LONGEST_DAYS),
        lapse_minutes=_whole(saved.get("reserve_lapse_minutes"), LAPSE_MINUTES, MAX_LAPSE_MINUTES),
        closed=closed_categories(saved.get("reserve_closed_categories")),
    )


# The Settings page's keys: three numbers, and the categories that cannot be reserved.
_NUMBERS = {
    "reserve_ahead_days": (MAX_AHEAD_DAYS, "days"),
    "reserve_longest_days": (MAX_LONGEST_DAYS, "days"),
    "reserve_lapse_minutes": (MAX_LAPSE_MINUTES, "minutes"),
}
SETTINGS = (*_NUMBERS, "reserve_closed_categories")


def clean_setting(key: str, raw) -> tuple[str, str | None]:
    """The value to save for what the Settings page sent for `key`, and a message
    when it is unusable (then nothing is saved)."""
    if key == "reserve_closed_categories":
        chosen = raw if isinstance(raw, list | tuple) else ([raw] if raw else [])
        try:
            ids = sorted({int(str(i)) for i in chosen})
        except ValueError:
            return "", "Choose categories from the list."
        known = {c.id for c in Category.select(Category.id).where(Category.id.in_(ids))}
        if set(ids) - known:
            return "", "Choose categories from the list."
        return json.dumps(ids), None
    top, unit = _NUMBERS[key]
    text = str(raw or "").strip()
    if not text:
        return "", None  # blank: the default
    if not text.isdecimal() or not 1 <= int(text) <= top:
        return "", f"Give a number of {unit} from 1 to {top}."
    return str(int(text)), None


def settings_shown(saved: dict) -> dict:
    """The rules in force, as the Settings page shows them."""
    rules = policy(saved)
    return {
        "reserve_ahead_days": rules.ahead_days,
        "reserve_longest_days": rules.longest_days,
        "reserve_lapse_minutes": rules.lapse_minutes,
        "reserve_closed_categories": sorted(rules.closed),
    }
