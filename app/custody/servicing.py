"""Service intervals, "Service done", and the next-service projection.

An asset's interval in force is its own (an override) or else its category's.
The next service falls that many days after the last service, or after the
purchase date when it was never serviced, or after the day it was added when
nothing else is known. `Asset.service_due_on` holds that date, so "service
due" is one indexed query; everything that changes one of its inputs calls
`due_on` (one asset) or `refresh_category` (all of a category's assets, in
one UPDATE) inside the same write.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from peewee import fn

from ..database import is_sqlite
from ..errors import Invalid
from ..models import Asset, Category, User
from ..register import events
from . import rules
from .engine import Outcome, perform
from .maintenance import MAX_TEXT

MAX_INTERVAL_DAYS = 3650
# "Service due" on the dashboard and in the register: overdue, or due within
# this many days, so a lead can book it before it is late.
DUE_HORIZON_DAYS = 14


def check_interval(days: int | None, field: str = "service_interval_days") -> int | None:
    if days is None:
        return None
    if not 1 <= days <= MAX_INTERVAL_DAYS:
        raise Invalid(
            {field: f"Give a number of days from 1 to {MAX_INTERVAL_DAYS}, or leave it blank."}
        )
    return days


def interval_in_force(asset: Asset, category: Category | None) -> int | None:
    if asset.service_interval_days:
        return asset.service_interval_days
    return category.service_interval_days if category is not None else None


def service_base(last_serviced_on: date | None, purchase_date: date | None, created_at) -> date:
    if last_serviced_on:
        return last_serviced_on
    if purchase_date:
        return purchase_date
    if isinstance(created_at, datetime):
        return created_at.date()
    return created_at or date.today()


def due_on(asset: Asset, category: Category | None) -> date | None:
    """The next service date for this asset's current fields, or None (no interval)."""
    interval = interval_in_force(asset, category)
    if not interval:
        return None
    return service_base(asset.last_serviced_on, asset.purchase_date, asset.created_at) + timedelta(
        days=interval
    )


def refresh_category(category_id: int, interval: int | None) -> int:
    """Recompute service_due_on for every asset that follows this category's
    interval, in one UPDATE. Call inside write(). Returns rows changed."""
    if not interval:
        value = None
    else:
        if is_sqlite():
            base = fn.COALESCE(
                Asset.last_serviced_on, Asset.purchase_date, fn.date(Asset.created_at)
            )
            value = fn.date(base, f"+{int(interval)} days")
        else:
            base = fn.COALESCE(
                Asset.last_serviced_on, Asset.purchase_date, Asset.created_at.cast("date")
            )
            value = base + int(interval)
    return (
        Asset.update(service_due_on=value)
        .where(Asset.category == category_id, Asset.service_interval_days.is_null())
        .execute()
    )


def record_service(
    code: str,
    *,
    actor: User,
    today: date,
    note: str = "",
    cost_cents: int | None = None,
    key: str | None = None,
) -> Outcome:
    """ "Service done" (leads): a `serviced` event with its cost, and the next date."""
    if len(note) > MAX_TEXT:
        raise Invalid({"note": f"Keep it under {MAX_TEXT} characters."})
    if cost_cents is not None and cost_cents < 0:
        raise Invalid({"cost": "Cost cannot be negative."})

    def apply(asset: Asset):
        rules.require("service", asset, actor)
        asset.last_serviced_on = today
        asset.service_due_on = due_on(asset, asset.category)
        data = {
            "cost_cents": cost_cents,
            "serviced_on": today.isoformat(),
            "next_due": events.plain(asset.service_due_on),
        }
        event = events.record("serviced", asset=asset, actor=actor, note=note, data=data)
        if asset.service_due_on:
            return f"Service recorded. Next one due {asset.service_due_on:%d %b %Y}.", [event]
        return "Service recorded.", [event]

    return perform(code, actor, apply, key=key)
