"""Random people doing random things to one asset, through HTTP as browsers do.

A hypothesis state machine over the Flask test client: check-out, return,
transfer, fault, repair, fixed, retire, audit start, "Seen ✓" and audit close,
by a member, a second member, a lead and an admin, through plain forms and
htmx alike. After every step: no 5xx, and the asset's row equals a replay of
its events (so it never has two holders, and the register never drifts).
tests/test_http_fuzz.py runs it briefly; bench/fuzz_http.py runs it long.
"""

from __future__ import annotations

import uuid

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from app.models import Asset, Audit, Event, User, utcnow

from . import factories
from .replay import replay

ROLES = ("member", "other_member", "lead", "admin")
VIA = st.sampled_from(("plain", "htmx"))


def people(app) -> dict:
    """One signed-in test client per person; returns {name: (user, client)}."""
    crew = {}
    with app.app_context():
        if not User.select().where(User.role == "admin").exists():
            factories.make_user("admin", name="First Admin")
        users = {
            "member": factories.make_user("member", name="Mo Member"),
            "other_member": factories.make_user("member", name="Oti Other"),
            "lead": factories.make_user("lead", name="Lee Lead"),
            "admin": factories.make_user("admin", name="Ada Admin"),
        }
    for name, user in users.items():
        client = app.test_client()
        answer = client.form("/login", {"email": user.email, "password": factories.PASSWORD})
        assert answer.status_code == 303
        crew[name] = (user, client)
    return crew


def machine(app, crew: dict):
    """A state machine class bound to this app and these signed-in people."""

    class Register(RuleBasedStateMachine):
        seen: list[int] = []  # every status code answered, across all runs

        def __init__(self):
            super().__init__()
            with app.app_context():
                lead = crew["lead"][0]
                self.code = factories.make_asset(actor=lead, name="Fuzzed radio").code
                # Every run starts alike (the rules' preconditions read the
                # database): no audit left running by an earlier run.
                Audit.update(status="closed", closed_at=utcnow()).where(
                    Audit.status == "running"
                ).execute()

        def _post(self, who: str, path: str, data: dict, via: str):
            _, client = crew[who]
            data = {"key": uuid.uuid4().hex, **data}
            target = "audit-card" if "/audits/" in path else "status-card"
            response = client.form(path, data, htmx=target if via == "htmx" else None)
            self.seen.append(response.status_code)
            assert response.status_code < 500, (path, who, response.get_data(as_text=True))
            response.close()
            return response

        def _asset(self) -> Asset:
            with app.app_context():
                return Asset.get(Asset.code == self.code)

        def _running_audit(self) -> int | None:
            with app.app_context():
                audit = Audit.select().where(Audit.status == "running").first()
                return audit.id if audit else None

        @rule(who=st.sampled_from(ROLES), to=st.sampled_from(ROLES + ("self",)), via=VIA)
        def check_out(self, who, to, via):
            data = {} if to == "self" else {"holder": crew[to][0].id}
            self._post(who, f"/A/{self.code}/checkout", data, via)

        @rule(who=st.sampled_from(ROLES), via=VIA)
        def check_in(self, who, via):
            holder = self._asset().holder_id
            self._post(who, f"/A/{self.code}/return", {"holder": holder or ""}, via)

        @rule(who=st.sampled_from(ROLES), to=st.sampled_from(ROLES), via=VIA)
        def transfer(self, who, to, via):
            holder = self._asset().holder_id
            data = {"to_holder": crew[to][0].id, "holder": holder or ""}
            self._post(who, f"/A/{self.code}/transfer", data, via)

        @rule(
            who=st.sampled_from(ROLES),
            severity=st.sampled_from(("usable", "do_not_use", "nonsense")),
            via=VIA,
        )
        def report_fault(self, who, severity, via):
            data = {"description": "It rattles", "severity": severity}
            self._post(who, f"/A/{self.code}/fault", data, via)

        @rule(who=st.sampled_from(ROLES), via=VIA)
        def start_repair(self, who, via):
            self._post(who, f"/A/{self.code}/repair", {"note": "Sent off", "cost": "12.50"}, via)

        @rule(who=st.sampled_from(ROLES), via=VIA)
        def fixed(self, who, via):
            self._post(who, f"/A/{self.code}/fixed", {"note": "Good as new"}, via)

        @rule(who=st.sampled_from(ROLES), reason=st.sampled_from(("sold", "lost", "")), via=VIA)
        def retire(self, who, reason, via):
            self._post(who, f"/A/{self.code}/retire", {"reason": reason}, via)

        @precondition(lambda self: self._running_audit() is None)
        @rule(who=st.sampled_from(ROLES))
        def start_audit(self, who):
            self._post(who, "/audits/new", {"name": "Spot check"}, "plain")

        @precondition(lambda self: self._running_audit() is not None)
        @rule(who=st.sampled_from(ROLES), via=VIA)
        def tick(self, who, via):
            audit = self._running_audit()
            self._post(who, f"/audits/{audit}/tick", {"code": self.code}, via)

        @precondition(lambda self: self._running_audit() is not None)
        @rule(who=st.sampled_from(ROLES))
        def close_audit(self, who):
            self._post(who, f"/audits/{self._running_audit()}/close", {}, "plain")

        @invariant()
        def projection_equals_replay(self):
            with app.app_context():
                asset = Asset.get(Asset.code == self.code)
                history = list(
                    Event.select().where(Event.asset == asset).order_by(Event.at, Event.id)
                )
                assert (asset.status, asset.holder_id) == replay(history), [e.kind for e in history]
                assert (asset.holder_id is None) or asset.status != "retired"

    return Register
