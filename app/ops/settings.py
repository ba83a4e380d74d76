"""Organisation settings saved in the database (name, public URL, time zone,
paper size, currency).

A configured organisation name or public URL (instance/config.py, TAGTRAIL_*)
wins over the saved one, so an operator can pin it. The time zone is the other
way round: the configured TIMEZONE (which always has a value, UTC by default)
only applies until a zone is saved. Reads are cached briefly per process; a
save clears this process's cache, and other processes catch up within the TTL.
"""

from __future__ import annotations

import time

from ..database import write
from ..errors import Invalid
from ..models import Setting
from ..replacement import settings as replacement_settings
from ..reservations import settings as reservation_settings
from .money import check_currency, currency_code
from .rules import (
    audit_interval,
    check_audit_interval,
    check_org_name,
    check_paper_size,
    check_public_url,
    check_terms,
    check_timezone,
    paper_size,
)

# What the Settings page edits, then what is stored without a box of its own.
EDITABLE = (
    "org_name",
    "public_url",
    "timezone",
    "audit_interval_days",
    "paper_size",
    "currency",
    "handover_terms",
    *reservation_settings.SETTINGS,
    *replacement_settings.SETTINGS,
)
KEYS = (*EDITABLE, "checklist_dismissed")
_TTL_SECONDS = 10.0
_cache: dict[str, object] = {"at": 0.0, "values": {}}


def saved() -> dict[str, str]:
    now = time.monotonic()
    if now - _cache["at"] > _TTL_SECONDS:
        rows = Setting.select().where(Setting.key.in_(KEYS))
        _cache["values"] = {row.key: row.value for row in rows}
        _cache["at"] = now
    return dict(_cache["values"])


def clear_cache() -> None:
    _cache["at"] = 0.0


def effective(config) -> dict[str, str]:
    """The settings in force: configuration first, then what was saved."""
    values = saved()
    return {
        "org_name": config.get("ORG_NAME") or values.get("org_name", "") or "tagtrail",
        "public_url": (config.get("PUBLIC_URL") or values.get("public_url", "")).rstrip("/"),
        "timezone": values.get("timezone") or config.get("TIMEZONE") or "UTC",
        "audit_interval_days": audit_interval(values.get("audit_interval_days")),
        "paper_size": paper_size(values.get("paper_size")),
        "currency": currency_code(values.get("currency")),
        "checklist_dismissed": values.get("checklist_dismissed") == "yes",
        "handover_terms": values.get("handover_terms", ""),
        **reservation_settings.settings_shown(values),
        **replacement_settings.settings_shown(values),
    }


def save(values: dict[str, str]) -> None:
    with write():
        for key in KEYS:
            if key in values:
                Setting.insert(key=key, value=values[key]).on_conflict(
                    conflict_target=[Setting.key], update={Setting.value: values[key]}
                ).execute()
    clear_cache()


def change(values: dict[str, str]) -> None:
    """Check and save what the Settings page sends. Invalid names every field
    that is wrong, and nothing is saved."""
    clean, errors = dict(values), {}
    if "org_name" in values:
        clean["org_name"] = values["org_name"].strip()
        problem = check_org_name(clean["org_name"])
        if problem:
            errors["org_name"] = problem
    if "audit_interval_days" in values:
        problem = check_audit_interval(values["audit_interval_days"])
        if problem:
            errors["audit_interval_days"] = problem
        else:
            clean["audit_interval_days"] = str(int(str(values["audit_interval_days"]).strip()))
    if "public_url" in values:
        url = values["public_url"].strip()
        problem = check_public_url(url)
        if problem:
            errors["public_url"] = problem
        clean["public_url"] = url.rstrip("/")
    if "timezone" in values:
        clean["timezone"] = values["timezone"].strip()
        problem = check_timezone(clean["timezone"])
        if problem:
            errors["timezone"] = problem
    if "paper_size" in values:
        problem = check_paper_size(values["paper_size"])
        if problem:
            errors["paper_size"] = problem
    if "currency" in values:
        clean["currency"] = values["currency"].strip().upper()
        problem = check_currency(clean["currency"], allow_none=True)
        if problem:
            errors["currency"] = problem
    if "handover_terms" in values:
        # Kept as typed, line breaks and all, apart from the space around it.
        clean["handover_terms"] = values["handover_terms"].strip().replace("\r\n", "\n")
        problem = check_terms(clean["handover_terms"])
        if problem:
            errors["handover_terms"] = problem
    for key in reservation_settings.SETTINGS:
        if key in values:
            value, problem = reservation_settings.clean_setting(key, values[key])
            if problem:
                errors[key] = problem
            else:
                clean[key] = value
    for key in replacement_settings.SETTINGS:
        if key in values:
            value, problem = replacement_settings.clean_setting(key, values[key])
            if problem:
                errors[key] = problem
            else:
                clean[key] = value
    if errors:
        raise Invalid(errors)
    save(clean)


def replacement_thresholds():
    """The replacement plan's thresholds in force (Settings)."""
    return replacement_settings.thresholds(saved())


def handover_terms() -> str:
    """The terms a receiver accepts at a handover, as saved ("" for none)."""
    return saved().get("handover_terms", "")


def dismiss_checklist() -> None:
    """Hide the getting-started list on home for everyone, for good."""
    save({"checklist_dismissed": "yes"})
