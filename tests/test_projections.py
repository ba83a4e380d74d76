"""The projections of the events (register/custody_intervals.py: spells of
custody; register/last_use.py: each asset's last use; each work event's cost,
Event.cost_cents; register/upkeep.py: what each asset's work has cost to date)
are never a second truth: after any sequence of events
written through every way the app writes them (the custody services, kits, the
register's edit form, repairs and services, Event.create, a spreadsheet
import), each equals a recomputation from the events alone."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.clock import utcnow
from app.custody import custody, maintenance, servicing
from app.database import write
from app.errors import ServiceError
from app.kits import kits, taking
from app.models import Asset, CustodyInterval, Event, Location, User
from app.register import assets, custody_intervals, last_use, upkeep
from app.register.rules import USE_KINDS, WORK_KINDS, event_cost

from . import factories
from .import_kit import run, sheet
from .stateful import run_machine


class Projections(RuleBasedStateMachine):
    people: dict[str, User] = {}
    places: list[Location] = []
    made = 0

    def __init__(self):
        super().__init__()
        Projections.made += 1  # names and serials are unique; examples share the database
        lead = self.people["lead"]
        self.serials = [f"PR{Projections.made}-{n}" for n in range(3)]
        self.codes = [
            factories.make_asset(actor=lead, name=f"Radio {n}", serial=serial).code
            for n, serial in enumerate(self.serials)
        ]
        kit = f"Radio kit {Projections.made}"
        self.kit = kits.create(kit, "\n".join(self.codes[:2]), actor=lead)
        # Each example starts with the third radio out and handed over once.
        member, other = self.people["member"], self.people["other_member"]
        custody.check_out(self.codes[2], actor=lead, today=date.today(), holder_id=member.id)
        custody.transfer(self.codes[2], actor=lead, today=date.today(), to_holder_id=other.id)
        self.written_around = set()  # assets given custody events by Event.create

    who = st.sampled_from(["member", "other_member", "lead"])
    which = st.integers(0, 2)
    where = st.integers(0, 1)

    def _asset(self, n: int) -> Asset:
        return Asset.get(Asset.code == self.codes[n])

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

    @rule(n=which, place=where)
    def move(self, n, place):
        self._try(
            custody.move,
            self.codes[n],
            actor=self.people["lead"],
            location_id=self.places[place].id,
        )

    # The register's edit form moves it too, and then saves the row it read.
    @rule(n=which, place=where)
    def edit_location(self, n, place):
        asset = self._asset(n)
        self._try(
            assets.update_asset,
            asset.code,
            {"location": self.places[place].id},
            version=asset.version,
            actor=self.people["lead"],
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

    # Any kind, at any time, around the services: one of use written late with an
    # earlier time (an offline scan sent days after) must not move the last use back.
    @rule(
        n=which,
        kind=st.sampled_from([*USE_KINDS, "retired", "audited", "fault_reported", "edited"]),
        days_ago=st.integers(-2, 400),
    )
    def event_created(self, n, kind, days_ago):
        with write():
            Event.create(asset=self._asset(n), kind=kind, at=utcnow() - timedelta(days=days_ago))
        if kind in custody_intervals.KINDS:
            self.written_around.add(self.codes[n])

    # Work with a cost or none, through the services (which refuse a negative
    # or absurd cost) and as a script writes it, with any data at all.
    # Mostly everyday amounts, so every run records some; then the edges.
    costs = st.one_of(st.integers(1, 100_000), st.none(), st.integers(-5, 2**31 + 5))

    @rule(n=which, cost=costs)
    def service(self, n, cost):
        self._try(
            servicing.record_service,
            self.codes[n],
            actor=self.people["lead"],
            today=date.today(),
            cost_cents=cost,
        )

    @rule(n=which, cost=costs, fixed=st.booleans())
    def repair(self, n, cost, fixed):
        action = maintenance.mark_fixed if fixed else maintenance.start_repair
        self._try(action, self.codes[n], actor=self.people["lead"], cost_cents=cost)

    @rule(
        n=which,
        kind=st.sampled_from([*WORK_KINDS, "edited"]),
        data=st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "cost_cents": st.one_of(
                        st.integers(-3, 2**31 + 3), st.booleans(), st.floats(0, 10), st.text()
                    )
                }
            ),
        ),
    )
    def work_created(self, n, kind, data):
        with write():
            Event.create(asset=self._asset(n), kind=kind, data=data)

    # An import moves an item (by its serial) and may hand it to someone: its
    # events go in bulk, around `record`.
    @rule(n=which, place=where, holder=st.sampled_from(["", "member", "lead"]))
    def import_sheet(self, n, place, holder):
        email = self.people[holder].email if holder else ""
        row = f"{self.serials[n]},Radio {n},{self.places[place].name},{email}"
        data = sheet(f"Serial,Name,Location,Checked Out To\n{row}\n")
        self._try(run, data, actor=self.people["lead"])

    @invariant()
    def spells_equal_a_replay(self):
        assert custody_intervals.stored() == custody_intervals.replayed()
        # At most one open spell per asset, and it is with the asset's holder
        # (events made around the services do not change the holder).
        for code in set(self.codes) - self.written_around:
            asset = Asset.get(Asset.code == code)
            spells = CustodyInterval.select().where(
                CustodyInterval.asset == asset, CustodyInterval.ended_at.is_null()
            )
            assert [s.holder_id for s in spells] == ([asset.holder_id] if asset.holder_id else [])

    @invariant()
    def last_use_equals_a_recomputation(self):
        assert last_use.stored() == last_use.replayed()

    @invariant()
    def upkeep_equals_a_recomputation(self):
        assert upkeep.stored() == upkeep.replayed()

    @invariant()
    def each_cost_is_its_data_s(self):
        for kind, data, cost in Event.select(Event.kind, Event.data, Event.cost_cents).tuples():
            assert cost == event_cost(kind, data), (kind, data, cost)


def test_projections_equal_a_recomputation_from_the_events(app):
    factories.make_user("admin")
    Projections.people = {
        "member": factories.make_user("member"),
        "other_member": factories.make_user("member"),
        "lead": factories.make_user("lead"),
    }
    Projections.places = [factories.make_location("Store"), factories.make_location("Van")]
    run_machine(Projections, examples=30, steps=20)
    # The run did go through every kind of custody event and of use, by kit and
    # alone, through the services and in bulk.
    kinds = {kind for (kind,) in Event.select(Event.kind).distinct().tuples()}
    assert set(custody_intervals.KINDS) | set(USE_KINDS) <= kinds
    assert Event.select().where(Event.note.startswith("With the kit")).exists()
    # Work with a cost was written by the services and around them.
    assert Event.select().where(Event.cost_cents > 0, Event.kind == "serviced").exists()
    repairs = ("repair_started", "repaired")
    assert Event.select().where(Event.cost_cents > 0, Event.kind.in_(repairs)).exists()
    imported = Event.select(Event.kind).where(Event.note == "test").distinct().tuples()
    assert {"moved", "checked_out"} <= {kind for (kind,) in imported}
