"""The spells of custody (register/custody_intervals.py) are a projection of the
events: after any sequence of custody actions through the real services, the
table equals a replay of the events, and a report reads the same from either."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.custody import custody
from app.database import write
from app.errors import ServiceError
from app.kits import kits, taking
from app.models import Asset, CustodyInterval, Event, User
from app.register import custody_intervals
from app.register.custody_intervals import Spell, replay

from . import factories
from .import_kit import run
from .test_import import OTHER_SYSTEM


class Spells(RuleBasedStateMachine):
    people: dict[str, User] = {}
    made = 0

    def __init__(self):
        super().__init__()
        lead = self.people["lead"]
        self.codes = [factories.make_asset(actor=lead, name=f"Radio {n}").code for n in range(3)]
        Spells.made += 1  # a kit's name is unique, and examples share the database
        self.kit = kits.create(f"Radio kit {Spells.made}", "\n".join(self.codes[:2]), actor=lead)
        # Each example starts with the third radio out and handed over once.
        member, other = self.people["member"], self.people["other_member"]
        custody.check_out(self.codes[2], actor=lead, today=date.today(), holder_id=member.id)
        custody.transfer(self.codes[2], actor=lead, today=date.today(), to_holder_id=other.id)

    who = st.sampled_from(["member", "other_member", "lead"])
    which = st.integers(0, 2)

    def _try(self, action, *args, **kwargs) -> None:
        try:
            action(*args, **kwargs)
        except ServiceError:
            pass  # refused: it wrote nothing, so nothing to follow

    @rule(n=which, actor=who, to=who)
    def check_out(self, n, actor, to):
        self._try(
            custody.check_out,
            self.codes[n],
            actor=self.people[actor],
            today=date.today(),
            holder_id=self.people[to].id,
        )

    @rule(n=which, actor=who)
    def check_in(self, n, actor):
        self._try(custody.check_in, self.codes[n], actor=self.people[actor])

    @rule(n=which, actor=who, to=who)
    def transfer(self, n, actor, to):
        self._try(
            custody.transfer,
            self.codes[n],
            actor=self.people[actor],
            today=date.today(),
            to_holder_id=self.people[to].id,
        )

    @rule(n=which)
    def retire(self, n):
        self._try(custody.retire, self.codes[n], actor=self.people["lead"], reason="sold")

    @rule(actor=who, to=who)
    def kit_out(self, actor, to):
        self._try(
            taking.check_out,
            self.kit.code,
            actor=self.people[actor],
            today=date.today(),
            holder_id=self.people[to].id,
        )

    @rule(actor=who)
    def kit_in(self, actor):
        self._try(taking.check_in, self.kit.code, actor=self.people[actor], confirmed=True)

    @invariant()
    def projection_equals_replay(self):
        assert custody_intervals.stored() == custody_intervals.replayed()
        # At most one open spell per asset, and it is with the asset's holder.
        for asset in Asset.select():
            spells = CustodyInterval.select().where(
                CustodyInterval.asset == asset, CustodyInterval.ended_at.is_null()
            )
            assert [s.holder_id for s in spells] == ([asset.holder_id] if asset.holder_id else [])


def test_spells_equal_a_replay_of_the_events(app):
    factories.make_user("admin")
    Spells.people = {
        "member": factories.make_user("member"),
        "other_member": factories.make_user("member"),
        "lead": factories.make_user("lead"),
    }
    run = Spells.TestCase
    run.settings = settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    run().runTest()
    # The run did go through every kind of custody event, by kit and alone.
    kinds = {kind for (kind,) in Event.select(Event.kind).distinct().tuples()}
    assert set(custody_intervals.KINDS) <= kinds
    assert Event.select().where(Event.note.startswith("With the kit")).exists()


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
