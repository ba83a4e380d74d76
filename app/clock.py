"""The time, in the form every timestamp is stored in (naive UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)
