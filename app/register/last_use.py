"""Each asset's last use: a projection of the events (Asset.last_used_at), kept
in the same write as each of them, for the idle report, which would otherwise
group the whole history on every request.

The events stay the only source of truth. `record` in events.py calls `follow`
for every event it writes, `Event.save` (Event.create) does too, and a bulk
insert (spreadsheets/apply.py) calls `follow_since`, so no way of writing an
event of use misses it; `replayed` works the column out from the events alone,
and a test checks that the column always equals it.

The rule: the latest `at` of the asset's events of a kind that counts as use
(rules.USE_KINDS), or none. The latest, not the last written: an event recorded
late with an earlier time (an offline scan sent the next day) moves nothing back.
"""

from __future__ import annotations

from datetime import datetime

from peewee import fn

from ..models import Asset, Event
from .rules import USE_KINDS


def follow(asset_id: int | None, kind: str, at: datetime) -> None:
    """Bring the projection up to date with one event just written (inside its write)."""
    if asset_id is None or kind not in USE_KINDS:
        return
    Asset.update(last_used_at=at).where(
        Asset.id == asset_id, Asset.last_used_at.is_null() | (Asset.last_used_at < at)
    ).execute()


def _latest_use():
    """The latest event of use of the Asset row in hand (a correlated subquery)."""
    events = Event.alias("use")
    return events.select(fn.MAX(events.at)).where(
        events.asset == Asset.id, events.kind.in_(USE_KINDS)
    )


def follow_since(last_id: int) -> None:
    """Bring the projection up to date with every event written after `last_id`
    (a bulk insert, inside its write): those assets' last use, worked out afresh."""
    touched = Event.select(Event.asset).where(
        Event.id > last_id, Event.kind.in_(USE_KINDS), Event.asset.is_null(False)
    )
    Asset.update(last_used_at=_latest_use()).where(Asset.id.in_(touched)).execute()


def replayed() -> dict[int, datetime | None]:
    """Every asset's last use, worked out from the events alone: what the column must hold."""
    latest = dict(
        Event.select(Event.asset, fn.MAX(Event.at))
        .where(Event.kind.in_(USE_KINDS), Event.asset.is_null(False))
        .group_by(Event.asset)
        .tuples()
    )
    return {asset_id: latest.get(asset_id) for (asset_id,) in Asset.select(Asset.id).tuples()}


def stored() -> dict[int, datetime | None]:
    """The column, asset by asset."""
    return dict(Asset.select(Asset.id, Asset.last_used_at).tuples())


def rebuild() -> int:
    """Fill the column afresh from the events (inside a write): for data written
    around the app, such as the benchmarks' bulk-built history. Returns how many
    assets have been used."""
    Asset.update(last_used_at=_latest_use()).execute()
    return Asset.select().where(Asset.last_used_at.is_null(False)).count()
