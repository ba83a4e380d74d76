"""Spells of custody: a projection of the custody events (models.CustodyInterval),
kept in the same write as each of them, for the reports that would otherwise
replay the whole history (utilisation).

The events stay the only source of truth. `record` in events.py calls `follow`
for every event it writes, `Event.save` (Event.create) does too, and a bulk
insert (spreadsheets/apply.py) calls `follow_since`, so no way of writing a
custody event misses it; `replay` works the
spells out from the events alone, and a test checks that the table always
equals it.

The rule (the one utilisation has always used): a `checked_out` or
`transferred` event opens a spell unless one is open (a handover keeps it open
and names the new holder); a `checked_in` or `retired` event closes the open
spell, if there is one. Events are taken in the order they were recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..models import CustodyInterval, Event

KINDS = ("checked_out", "transferred", "checked_in", "retired")
OPENS = ("checked_out", "transferred")  # someone holds it afterwards
CLOSES = ("checked_in", "retired")  # nobody does


EPOCH = datetime(1970, 1, 1)


def micros(at: datetime) -> int:
    """A stored (naive UTC) time as whole microseconds since 1970: the spells keep
    their times in this form too, so a report adds them up as plain integers."""
    return (at - EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class Spell:
    asset_id: int
    holder_id: int | None
    started_at: datetime
    ended_at: datetime | None
    opened_by: int
    closed_by: int | None
    started_us: int  # started_at and ended_at as `micros`
    ended_us: int | None

    @classmethod
    def of(cls, asset_id, holder_id, started_at, ended_at, opened_by, closed_by) -> Spell:
        """A spell from its times, with their microseconds worked out."""
        ended_us = micros(ended_at) if ended_at is not None else None
        return cls(
            asset_id, holder_id, started_at, ended_at, opened_by, closed_by,
            micros(started_at), ended_us,
        )  # fmt: skip


def follow(event_id: int, asset_id: int | None, kind: str, at: datetime, holder_id) -> None:
    """Bring the projection up to date with one event just written (inside its write)."""
    if asset_id is None or kind not in KINDS:
        return
    is_open = (CustodyInterval.asset == asset_id) & CustodyInterval.ended_at.is_null()
    if kind in OPENS:
        moved = CustodyInterval.update(holder=holder_id).where(is_open).execute()
        if not moved:
            CustodyInterval.insert(
                asset=asset_id,
                holder=holder_id,
                started_at=at,
                started_us=micros(at),
                opened_by=event_id,
            ).execute()
    else:
        CustodyInterval.update(ended_at=at, ended_us=micros(at), closed_by=event_id).where(
            is_open
        ).execute()


def follow_since(last_id: int) -> None:
    """Bring the projection up to date with every event written after `last_id`
    (a bulk insert, inside its write)."""
    query = (
        Event.select(Event.id, Event.asset, Event.kind, Event.at, Event.holder)
        .where(Event.id > last_id, Event.kind.in_(KINDS))
        .order_by(Event.id)
        .tuples()
    )
    for row in list(query):
        follow(*row)


def last_event_id() -> int:
    return Event.select(Event.id).order_by(Event.id.desc()).limit(1).scalar() or 0


def replay(events: Iterable[tuple[int, int | None, str, datetime, int | None]]) -> list[Spell]:
    """The spells, worked out from (id, asset, kind, at, holder) events in the
    order they were recorded: what the table must hold."""
    spells: list[Spell] = []
    open_at: dict[int, int] = {}  # asset -> index of its open spell
    for event_id, asset_id, kind, at, holder_id in events:
        if asset_id is None or kind not in KINDS:
            continue
        index = open_at.get(asset_id)
        if kind in OPENS:
            if index is None:
                open_at[asset_id] = len(spells)
                spells.append(Spell.of(asset_id, holder_id, at, None, event_id, None))
            else:
                old = spells[index]
                spells[index] = Spell.of(
                    asset_id, holder_id, old.started_at, None, old.opened_by, None
                )
        elif index is not None:
            old = spells[index]
            spells[index] = Spell.of(
                asset_id, old.holder_id, old.started_at, at, old.opened_by, event_id
            )
            del open_at[asset_id]
    return spells


def replayed() -> list[Spell]:
    """`replay` of every event in the database."""
    query = (
        Event.select(Event.id, Event.asset, Event.kind, Event.at, Event.holder)
        .where(Event.kind.in_(KINDS))
        .order_by(Event.id)
        .tuples()
    )
    return replay(query)


def stored() -> list[Spell]:
    """The table's rows, in the order `replay` gives them (by opening event)."""
    query = (
        CustodyInterval.select(
            CustodyInterval.asset,
            CustodyInterval.holder,
            CustodyInterval.started_at,
            CustodyInterval.ended_at,
            CustodyInterval.opened_by,
            CustodyInterval.closed_by,
            CustodyInterval.started_us,
            CustodyInterval.ended_us,
        )
        .order_by(CustodyInterval.opened_by)
        .tuples()
    )
    return [Spell(*row) for row in query]


def rebuild() -> int:
    """Fill the table afresh from the events (inside a write): for data written
    around the app, such as the benchmarks' bulk-built history. Returns the spells."""
    spells = replayed()
    CustodyInterval.delete().execute()
    rows = [
        (s.asset_id, s.holder_id, s.started_at, s.ended_at, s.opened_by, s.closed_by)
        + (s.started_us, s.ended_us)
        for s in spells
    ]
    fields = [
        CustodyInterval.asset,
        CustodyInterval.holder,
        CustodyInterval.started_at,
        CustodyInterval.ended_at,
        CustodyInterval.opened_by,
        CustodyInterval.closed_by,
        CustodyInterval.started_us,
        CustodyInterval.ended_us,
    ]
    for i in range(0, len(rows), 5000):
        CustodyInterval.insert_many(rows[i : i + 5000], fields=fields).execute()
    return len(spells)
