"""The replacement plan's settings: what the Settings page saved read into the
thresholds in force (defaults for missing or absurd values), and what the page
sends checked before it is saved. The defaults and limits are rules.py's."""

from __future__ import annotations

from .rules import (
    FAULTS,
    FAULTS_MAX,
    FAULTS_MIN,
    REPAIR_SHARE_MAX,
    REPAIR_SHARE_MIN,
    REPAIR_SHARE_PERCENT,
    Thresholds,
)

# key: (default, lowest, highest, what to say)
_NUMBERS = {
    "replace_repair_share": (
        REPAIR_SHARE_PERCENT,
        REPAIR_SHARE_MIN,
        REPAIR_SHARE_MAX,
        f"Give a percentage from {REPAIR_SHARE_MIN} to {REPAIR_SHARE_MAX}.",
    ),
    "replace_faults": (
        FAULTS,
        FAULTS_MIN,
        FAULTS_MAX,
        f"Give a number of faults from {FAULTS_MIN} to {FAULTS_MAX}.",
    ),
}
SETTINGS = tuple(_NUMBERS)


def _whole(key: str, raw) -> int:
    default, low, high, _ = _NUMBERS[key]
    text = str(raw or "").strip()
    if not text.isdecimal() or len(text) > 6 or not low <= int(text) <= high:
        return default
    return int(text)


def thresholds(saved: dict) -> Thresholds:
    """The thresholds in force, from the saved settings."""
    return Thresholds(
        share_percent=_whole("replace_repair_share", saved.get("replace_repair_share")),
        faults=_whole("replace_faults", saved.get("replace_faults")),
    )


def clean_setting(key: str, raw) -> tuple[str, str | None]:
    """The value to save for what the page sent, and a message when it is unusable."""
    _, low, high, message = _NUMBERS[key]
    text = str(raw or "").strip().removesuffix("%").strip()
    if not text:
        return "", None  # blank: the default
    if not text.isdecimal() or len(text) > 6 or not low <= int(text) <= high:
        return "", message
    return str(int(text)), None


def settings_shown(saved: dict) -> dict:
    """The thresholds in force, as the Settings page shows them."""
    now = thresholds(saved)
    return {"replace_repair_share": now.share_percent, "replace_faults": now.faults}
