"""The custody rules as a state machine: random actions by random people.

After every step the asset row must equal a replay of its events (the events
are the truth), a refused action must write nothing, and nobody may ever
act beyond their role.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.custody import custody, maintenance
from app.errors import Forbidden, Invalid, Refused, ServiceError
from app.models import Asset, Event, Fault, User

from . import factories
from .replay import replay
from .stateful import run_machine


class Custody(RuleBasedStateMachine):
    people: dict[str, User] = {}

    def __init__(self):
        super().__init__()
        self.asset = factories.make_asset(actor=self.people["lead"], name="Radio")
        self.keys_used: list[str] = []

    def _count(self) -> int:
        return Event.select().where(Event.asset == self.asset).count()

    def _try(self, action, *, actor: User, allowed_for_members: bool = True, **kwargs):
        before = self._count()
        try:
            outcome = action(self.asset.code, actor=actor, **kwargs)
        except (Refused, Forbidden, Invalid) as exc:
            assert self._count() == before, f"refused but wrote: {exc}"
            if isinstance(exc, Forbidden):
                assert not actor.has_role("lead") or "lead" not in str(exc)
            return None
        except ServiceError:
            assert self._count() == before
            return None
        if not allowed_for_members:
            assert actor.has_role("lead"), "a member did a lead's job"
        return outcome

    who = st.sampled_from(["member", "other_member", "lead"])

    @rule(actor=who, to=who, override=st.booleans(), days=st.integers(-2, 10))
    def check_out(self, actor, to, override, days):
        person, holder = self.people[actor], self.people[to]
        outcome = self._try(
            custody.check_out,
            actor=person,
            today=date.today(),
            holder_id=holder.id,
            override=override,
            due_back=date.today() + timedelta(days=days),
        )
        if outcome:
            assert holder.id == person.id or person.has_role("lead")
            assert days >= 0

    @rule(actor=who, expect_current=st.booleans())
    def check_in(self, actor, expect_current):
        current = Asset.get_by_id(self.asset.id).holder_id
        expected = current if expect_current else self.people["other_member"].id
        self._try(custody.check_in, actor=self.people[actor], expected_holder_id=expected)

    @rule(actor=who, to=who)
    def transfer(self, actor, to):
        current = Asset.get_by_id(self.asset.id).holder_id
        person = self.people[actor]
        outcome = self._try(
            custody.transfer,
            actor=person,
            today=date.today(),
            to_holder_id=self.people[to].id,
            expected_holder_id=current,
        )
        if outcome:
            assert person.has_role("lead") or person.id in (current, self.people[to].id)

    @rule(actor=who, bad=st.booleans())
    def report_fault(self, actor, bad):
        self._try(
            maintenance.report_fault,
            actor=self.people[actor],
            description="Broken",
            severity="do_not_use" if bad else "usable",
        )

    @rule(actor=who)
    def start_repair(self, actor):
        self._try(maintenance.start_repair, actor=self.people[actor], allowed_for_members=False)

    @rule(actor=who)
    def mark_fixed(self, actor):
        self._try(maintenance.mark_fixed, actor=self.people[actor], allowed_for_members=False)

    @rule(actor=who)
    def retire(self, actor):
        self._try(
            custody.retire, actor=self.people[actor], reason="sold", allowed_for_members=False
        )

    @rule(actor=who)
    def double_tap(self, actor):
        """The same key twice: the second writes nothing."""
        key = f"key-{len(self.keys_used)}-{self.asset.id}-abcdef"
        self.keys_used.append(key)
        person = self.people[actor]
        first = self._try(custody.check_out, actor=person, today=date.today(), key=key)
        count = self._count()
        second = self._try(custody.check_out, actor=person, today=date.today(), key=key)
        if first:
            assert second is not None and second.duplicate
        assert self._count() == count

    @invariant()
    def projection_equals_replay(self):
        asset = Asset.get_by_id(self.asset.id)
        history = list(Event.select().where(Event.asset == asset).order_by(Event.at, Event.id))
        assert (asset.status, asset.holder_id) == replay(history)
        if asset.status == "faulty":
            assert Fault.select().where(Fault.asset == asset, Fault.closed_at.is_null()).exists()


def test_custody_state_machine(app):
    """Bounded run here; a longer one belongs in `make bench`."""
    factories.make_user("admin")
    Custody.people = {
        "member": factories.make_user("member"),
        "other_member": factories.make_user("member"),
        "lead": factories.make_user("lead"),
    }
    run_machine(Custody, examples=40, steps=25)
