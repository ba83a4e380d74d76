"""Each asset's last use (register/last_use.py, Asset.last_used_at) is a
projection of the events: after any sequence of events written through the
app's ways (the custody services, Event.create, a spreadsheet import), the
column equals a recomputation from the events, and the idle report reads it."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.clock import utcnow
from app.custody import custody
from app.database import write
from app.errors import ServiceError
from app.models import Asset, Event, Location, User
from app.register import assets, last_use
from app.register.rules import USE_KINDS
from app.reports import idle as reports_idle

from . import factories
from .import_kit import run, sheet


class LastUse(RuleBasedStateMachine):
    people: dict[str, User] = {}
    places: list[Location] = []
    made = 0

    def __init__(self):
        super().__init__()
        LastUse.made += 1  # serials are unique, and examples share the database
        lead = self.people["lead"]
        self.serials = [f"LU{LastUse.made}-{n}" for n in range(3)]
        self.codes = [
            factories.make_asset(actor=lead, name=f"Radio {n}", serial=serial).code
            for n, serial in enumerate(self.serials)
        ]

    who = st.sampled_from(["member", "lead"])
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

    @rule(n=which, to=who)
    def transfer(self, n, to):
        self._try(
            custody.transfer,
            self.codes[n],
            actor=self.people["lead"],
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
        values = {"location": self.places[place].id}
        self._try(
            assets.update_asset,
            asset.code,
            values,
            version=asset.version,
            actor=self.people["lead"],
        )

    @rule(n=which)
    def retire(self, n):
        self._try(custody.retire, self.codes[n], actor=self.people["lead"], reason="sold")

    # Any kind, at any time: one of use written late with an earlier time (an
    # offline scan sent days after) must not move the last use back.
    @rule(
        n=which,
        kind=st.sampled_from([*USE_KINDS, "audited", "fault_reported", "edited"]),
        days_ago=st.integers(-2, 400),
    )
    def event_created(self, n, kind, days_ago):
        with write():
            Event.create(asset=self._asset(n), kind=kind, at=utcnow() - timedelta(days=days_ago))

    # An import moves an item (by its serial) and may hand it to someone: its
    # events go in bulk, around `record`.
    @rule(n=which, place=where, holder=st.sampled_from(["", "member", "lead"]))
    def import_sheet(self, n, place, holder):
        email = self.people[holder].email if holder else ""
        row = f"{self.serials[n]},Radio {n},{self.places[place].name},{email}"
        data = sheet(f"Serial,Name,Location,Checked Out To\n{row}\n")
        self._try(run, data, actor=self.people["lead"])

    @invariant()
    def projection_equals_a_recomputation(self):
        assert last_use.stored() == last_use.replayed()


def test_last_use_equals_a_recomputation_from_the_events(app):
    factories.make_user("admin")
    LastUse.people = {"member": factories.make_user("member"), "lead": factories.make_user("lead")}
    LastUse.places = [factories.make_location("Store"), factories.make_location("Van")]
    case = LastUse.TestCase
    case.settings = settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    case().runTest()
    # The run did write every kind of use, through the services and in bulk.
    kinds = {kind for (kind,) in Event.select(Event.kind).distinct().tuples()}
    assert set(USE_KINDS) <= kinds
    imported = Event.select(Event.kind).where(Event.note == "test").distinct().tuples()
    assert {"moved", "checked_out"} <= {kind for (kind,) in imported}


def test_an_earlier_event_does_not_move_the_last_use_back(app):
    lead = factories.make_user("lead")
    asset = factories.make_asset(actor=lead)
    now = utcnow()
    with write():
        Event.create(asset=asset, kind="moved", at=now - timedelta(days=3))
        Event.create(asset=asset, kind="checked_in", at=now - timedelta(days=30))
        Event.create(asset=asset, kind="audited", at=now)  # not use
    assert Asset.get_by_id(asset.id).last_used_at == now - timedelta(days=3)
    assert last_use.stored() == last_use.replayed()


def test_an_import_is_followed_and_a_rebuild_gives_the_same(app):
    """Events written in bulk (an import moving an item) bring the last use up
    to date in the same write; filling the column afresh (as the benchmarks do
    after writing around the app) gives the same."""
    lead = factories.make_user("lead")
    asset = factories.make_asset(actor=lead, name="Drill", serial="SN-D")
    assert Asset.get_by_id(asset.id).last_used_at is None
    run(sheet("Serial,Name,Location\nSN-D,Drill,Workshop\n"), actor=lead)
    [moved] = Event.select().where(Event.asset == asset, Event.kind == "moved")
    assert Asset.get_by_id(asset.id).last_used_at == moved.at
    before = last_use.stored()
    assert before == last_use.replayed()
    with write():
        Asset.update(last_used_at=None).execute()  # as a bulk load leaves it
        assert last_use.rebuild() == 1
    assert last_use.stored() == before


def test_idle_reads_the_last_use(app):
    """The idle report counts from the column: a move today takes an item off it."""
    lead = factories.make_user("lead")
    asset = factories.make_asset(actor=lead, name="Ladder")
    old = utcnow() - timedelta(days=200)
    Asset.update(created_at=old).where(Asset.id == asset.id).execute()
    now = utcnow()
    assert [r.code for r in reports_idle.idle(90, now, 1, 50).rows] == [asset.code]
    custody.move(asset.code, actor=lead, location_id=factories.make_location("Loft").id)
    assert reports_idle.idle(90, utcnow(), 1, 50).rows == []
