"""Fixtures shared by the kit tests: a signed-in lead and the gear a kit is made of."""

from __future__ import annotations

import pytest

from app.models import Asset, User

from . import factories


@pytest.fixture
def lead(auth) -> User:
    """The lead, signed in (a module with its own `lead` fixture keeps it)."""
    return auth.login("lead")


@pytest.fixture
def gear(lead) -> dict[str, Asset]:
    return {
        name: factories.make_asset(lead, name=name)
        for name in ("Camera body", "Lens 1", "Lens 2", "Battery")
    }
