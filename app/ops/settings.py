"""Organisation settings saved in the database (name, public URL, time zone,
paper size).

A configured organisation name or public URL (instance/config.py, TAGTRAIL_*)
wins over the saved one, so an operator can pin it. The time zone is the other
way round: the configured TIMEZONE (which always has a value, UTC by default)
only applies until a zone is saved. Reads are cached briefly per process; a
save clears this process's cache, and other processes catch up within the TTL.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..database import write
from ..errors import Invalid
from ..models import Setting

KEYS = ("org_name", "public_url", "timezone", "audit_interval_days", "paper_size")
DEFAULT_AUDIT_INTERVAL = 90
MAX_AUDIT_INTERVAL = 3650  # days: ten years
# The paper an organisation's printers take; label stock follows it. A database
# from before the choice existed has no row and keeps printing on A4, as it did.
PAPER_SIZES = {"a4": "A4", "letter": "US Letter"}
DEFAULT_PAPER_SIZE = "a4"
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
        "audit_interval_days": _days(values.get("audit_interval_days")),
        "paper_size": paper_size(values.get("paper_size")),
    }


def paper_size(raw) -> str:
    """A known paper size, or the default for a missing or unknown one."""
    return raw if raw in PAPER_SIZES else DEFAULT_PAPER_SIZE


def check_paper_size(raw: str) -> str | None:
    """A message when `raw` is not a paper size we offer; None when it is."""
    return None if raw in PAPER_SIZES else "Choose A4 or US Letter."


def _days(raw) -> int:
    try:
        days = int(raw)
    except (TypeError, ValueError):
        return DEFAULT_AUDIT_INTERVAL
    return days if 1 <= days <= MAX_AUDIT_INTERVAL else DEFAULT_AUDIT_INTERVAL


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
    if "public_url" in values:
        url = values["public_url"].strip()
        problem = check_public_url(url)
        if problem:
            errors["public_url"] = problem
        clean["public_url"] = url.rstrip("/")
    if "timezone" in values:
        clean["timezone"] = values["timezone"].strip()
        if not valid_timezone(clean["timezone"]):
            errors["timezone"] = "Use a time zone name such as Europe/London."
    if "paper_size" in values:
        problem = check_paper_size(values["paper_size"])
        if problem:
            errors["paper_size"] = problem
    if errors:
        raise Invalid(errors)
    save(clean)


def check_public_url(url: str) -> str | None:
    """A message when a public URL is unusable; None when it is fine."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Give a full address such as http://192.168.1.20:8080 or https://tags.example.org."
    if parts.query or parts.fragment:
        return "The public address cannot have a query (?) or a fragment (#)."
    return None


def public_url_warning(url: str) -> str | None:
    """Why labels printed with this URL would not scan from a phone, if they would not."""
    if not url:
        return (
            "No public address is set, so printed labels cannot point phones at this "
            "server. Set it under Settings or with TAGTRAIL_PUBLIC_URL."
        )
    host = (urlsplit(url).hostname or "").lower()
    if host in {"localhost", "127.0.0.1", "::1", "0.0.0.0"} or host.endswith(".localhost"):
        return (
            f"The public address {url} points at this computer itself; phones cannot "
            "reach it. Use the server's LAN address or its public name."
        )
    return None


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
