"""Test data for subscriptions, made through the services."""

from __future__ import annotations

import itertools
from datetime import date

from app.models import Subscription, User
from app.subscriptions import subscriptions, vendors

_seq = itertools.count(1)


def values(vendor_id: int | None, **overrides) -> dict:
    """A complete set of form values (rules.check_fields' keyword arguments)."""
    base = dict(
        vendor_id=vendor_id,
        product=f"Product {next(_seq)}",
        kind="saas",
        seats=5,
        cost_cents=1500,
        period="month",
        starts_on=date(2026, 1, 1),
        renews_on=date(2027, 1, 1),
        auto_renews=True,
        remind_days=30,
        owner_id=None,
        owner_team_id=None,
        notes="",
    )
    base.update(overrides)
    return base


def make_subscription(actor: User, vendor: str = "Figma", **overrides) -> Subscription:
    found = vendors.by_name(vendor) or vendors.save_vendor(vendor, actor=actor)
    return subscriptions.create(values(found.id, **overrides), actor=actor)
