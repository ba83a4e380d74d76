"""Helpers shared by the import and export tests."""

from __future__ import annotations

from app.models import Asset, Event
from app.spreadsheets import imports


def sheet(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def run(data: bytes, actor=None, **kwargs):
    """Import `data` straight through the service, as the CLI does."""
    kwargs.setdefault("key", f"import-test-{Event.select().count()}-{Asset.select().count()}")
    kwargs.setdefault("note", "test")
    return imports.run(imports.read(data), actor=actor, **kwargs)


def preview(data: bytes, **kwargs):
    return imports.preview(imports.read(data), **kwargs)


def counts() -> tuple[int, int]:
    return Asset.select().count(), Event.select().count()
