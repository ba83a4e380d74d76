"""The spells of custody (register/custody_intervals.py) are a projection of the
events: the replay rule, imports and rebuilds here; that the table equals a
replay after any sequence of actions is tests/test_projections.py."""

from __future__ import annotations

from datetime import datetime

from app.database import write
from app.models import Asset
from app.register import custody_intervals
from app.register.custody_intervals import Spell, replay

from . import factories
from .import_kit import run
from .test_import import OTHER_SYSTEM


def test_the_replay_rule():
    """Out, handed over, back: one spell naming the last holder; a return with
    nothing out and a second check-out while out change nothing."""
    t = [datetime(2026, 3, 1, h) for h in range(8)]
    spells = replay(
        [
            (1, 7, "checked_in", t[0], 5),  # nothing open: ignored
            (2, 7, "checked_out", t[1], 5),
            (3, 7, "moved", t[2], None),  # not custody
            (4, 7, "transferred", t[3], 6),
            (5, 7, "checked_out", t[4], 6),  # already open: kept, as the report always did
            (6, 8, "transferred", t[4], 5),  # a handover with nothing open opens one
            (7, 7, "checked_in", t[5], 6),
            (8, 7, "retired", t[6], None),  # nothing open: ignored
        ]
    )
    assert spells == [Spell.of(7, 6, t[1], t[5], 2, 7), Spell.of(8, 5, t[4], None, 6, None)]
    # Each time is kept in microseconds since 1970 too (what the reports add up).
    assert spells[0].started_us == 1_772_326_800_000_000  # 2026-03-01 01:00
    assert spells[0].ended_us - spells[0].started_us == 4 * 3_600_000_000
    assert spells[1].ended_us is None


def test_an_import_of_events_is_followed_too(app):
    """Events written in bulk (a spreadsheet import, one of its rows out with
    someone) bring the spells up to date in the same write."""
    lead = factories.make_user("lead")
    run(OTHER_SYSTEM, actor=lead)
    laptop = Asset.get(Asset.serial == "SN1")
    [spell] = custody_intervals.stored()
    assert (spell.asset_id, spell.holder_id, spell.ended_at) == (laptop.id, laptop.holder_id, None)
    assert custody_intervals.stored() == custody_intervals.replayed()
    # Filling the table afresh (as the benchmarks do after a bulk insert) gives the same.
    with write():
        assert custody_intervals.rebuild() == 1
    assert custody_intervals.stored() == [spell]
