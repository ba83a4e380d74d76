"""The rules an installation's settings follow: what a usable public address
is (and why labels printed with one would not scan), time zones, the paper
sizes on offer and the audit cycle's bounds. The Settings and set-up pages,
printing and the command line all ask here. Money (currencies, amounts) has
its own home, money.py."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_AUDIT_INTERVAL = 90
MAX_AUDIT_INTERVAL = 3650  # days: ten years
# The paper an organisation's printers take; label stock follows it. A database
# from before the choice existed has no row and keeps printing on A4, as it did.
PAPER_SIZES = {"a4": "A4", "letter": "US Letter"}
DEFAULT_PAPER_SIZE = "a4"


ORG_NAME_MAX = 120
PUBLIC_URL_MAX = 200
TIMEZONE_MAX = 64


TERMS_MAX = 2000  # a few paragraphs: read on a phone before signing


def check_terms(terms: str) -> str | None:
    """A message when the handover terms are too long to read before signing."""
    if len(terms) > TERMS_MAX:
        return f"Keep the terms under {TERMS_MAX} characters (these are {len(terms)})."
    return None


def check_org_name(name: str) -> str | None:
    """A message when the organisation's name is missing or too long."""
    if not name.strip():
        return "Give the organisation's name."
    if len(name.strip()) > ORG_NAME_MAX:
        return f"Keep the name under {ORG_NAME_MAX} characters."
    return None


def check_audit_interval(raw) -> str | None:
    """A message when `raw` is not a whole number of days the audit cycle allows."""
    text = str(raw).strip()
    if not text.isdecimal() or not 1 <= int(text) <= MAX_AUDIT_INTERVAL:
        return f"Give a number of days from 1 to {MAX_AUDIT_INTERVAL}."
    return None


def audit_interval(raw) -> int:
    """The saved audit cycle in days, or the default for a missing or absurd one."""
    try:
        days = int(raw)
    except (TypeError, ValueError):
        return DEFAULT_AUDIT_INTERVAL
    return days if 1 <= days <= MAX_AUDIT_INTERVAL else DEFAULT_AUDIT_INTERVAL


def paper_size(raw) -> str:
    """A known paper size, or the default for a missing or unknown one."""
    return raw if raw in PAPER_SIZES else DEFAULT_PAPER_SIZE


def check_paper_size(raw: str) -> str | None:
    """A message when `raw` is not a paper size we offer; None when it is."""
    return None if raw in PAPER_SIZES else "Choose A4 or US Letter."


def check_public_url(url: str) -> str | None:
    """A message when a public URL is unusable; None when it is fine."""
    if not url:
        return None
    if len(url) > PUBLIC_URL_MAX:
        return f"Keep the address under {PUBLIC_URL_MAX} characters."
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Give a full address such as http://192.168.1.20:8080 or https://tags.example.org."
    if parts.query or parts.fragment:
        return "The public address cannot have a query (?) or a fragment (#)."
    return None


def is_https(url: str) -> bool:
    """Whether phones reach the server through https: then cookies never travel over http."""
    return url.strip().lower().startswith("https://")


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


@cache
def timezone_names() -> tuple[str, ...]:
    """Every zone name the time zone database knows, sorted, for the lists.
    Old aliases the database still carries (such as "US/Pacific") stay valid when
    typed or saved, but the lists offer the Area/City names only."""
    names = sorted(
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posixrules"))
    )
    return ("UTC", *names)


def timezone_groups(current: str = "") -> list[tuple[str, list[str]]]:
    """The zone names grouped by their area ("Europe", "America", ...), for a
    list with headings. A saved or configured name the list lacks (an old alias)
    is kept, first, so showing the page never changes it."""
    groups: dict[str, list[str]] = {}
    if current and current not in timezone_names():
        groups["Current"] = [current]
    for name in timezone_names():
        area = name.split("/", 1)[0] if "/" in name else "UTC"
        groups.setdefault(area, []).append(name)
    return list(groups.items())


def check_timezone(name: str) -> str | None:
    """A message when `name` is not a time zone the database knows; None when it is."""
    return None if valid_timezone(name) else "Choose a time zone from the list."


def valid_timezone(name: str) -> bool:
    if not name or len(name) > TIMEZONE_MAX:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
