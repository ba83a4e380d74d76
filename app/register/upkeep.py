"""What each asset's repairs and services have cost to date: a projection of the
events (Asset.upkeep_cents), kept in the same write as each of them, so the
replacement plan's due list reads it with the asset instead of adding up the
history of tens of thousands of items on every request.

The events stay the only source of truth. `record` in events.py calls `follow`
for every event it writes, `Event.save` (Event.create) does too, and a bulk
insert (spreadsheets/apply.py) calls `follow_since`, so no way of writing an
event misses it; `replayed` works the column out from the events alone, and a
test checks that the column always equals it.

The rule: the sum of the costs its events record (Event.cost_cents, which
rules.event_cost writes: the cost of the work, on the kinds that record work),
0 when none has one. Events are never changed or removed, so the sum only grows.
"""

from __future__ import annotations

from peewee import fn

from ..models import Asset, Event


def follow(asset_id: int | None, cost_cents: int | None) -> None:
    """Bring the projection up to date with one event just written (inside its write)."""
    if asset_id is None or not cost_cents:
        return
    Asset.update(upkeep_cents=Asset.upkeep_cents + cost_cents).where(Asset.id == asset_id).execute()


def _all_costs():
    """The sum of the costs of the Asset row in hand's events (a correlated subquery)."""
    events = Event.alias("work")
    return events.select(fn.COALESCE(fn.SUM(events.cost_cents), 0)).where(
        events.asset == Asset.id, events.cost_cents.is_null(False)
    )


def follow_since(last_id: int) -> None:
    """Bring the projection up to date with every event written after `last_id`
    (a bulk insert, inside its write): those assets' costs, added up afresh."""
    touched = Event.select(Event.asset).where(
        Event.id > last_id, Event.cost_cents > 0, Event.asset.is_null(False)
    )
    Asset.update(upkeep_cents=_all_costs()).where(Asset.id.in_(touched)).execute()


def replayed() -> dict[int, int]:
    """Every asset's costs to date, worked out from the events alone: what the
    column must hold."""
    spent = dict(
        Event.select(Event.asset, fn.SUM(Event.cost_cents))
        .where(Event.cost_cents.is_null(False), Event.asset.is_null(False))
        .group_by(Event.asset)
        .tuples()
    )
    return {
        asset_id: int(spent.get(asset_id) or 0) for (asset_id,) in Asset.select(Asset.id).tuples()
    }


def stored() -> dict[int, int]:
    """The column, asset by asset."""
    return dict(Asset.select(Asset.id, Asset.upkeep_cents).tuples())


def rebuild() -> int:
    """Fill the column afresh from the events (inside a write): for data written
    around the app, such as the benchmarks' bulk-built history. Returns how many
    assets have had work with a cost."""
    Asset.update(upkeep_cents=_all_costs()).execute()
    return Asset.select().where(Asset.upkeep_cents > 0).count()
