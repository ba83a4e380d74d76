"""One rule decides which custody actions a person may take: the status card
shows exactly `allowed_actions`, and each service refuses exactly the actions
it leaves out.

Every state an item can be in, for a member and a lead: the buttons on the
card are compared with the rule, then every action is tried through its
service on a fresh item in that state.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.custody import checks, custody, maintenance, servicing
from app.custody import rules as custody_rules
from app.errors import ServiceError
from app.models import Asset, Fault

from . import factories
from .custody_kit import a_lead, fresh
from .pages import soup_of

TODAY = date.today()


def _held_by(person):
    def setup(asset, people):
        custody.check_out(asset.code, actor=a_lead(), today=TODAY, holder_id=people[person].id)

    return setup


def _fault(severity):
    def setup(asset, people):
        maintenance.report_fault(
            asset.code, actor=people["member"], description="Cracked", severity=severity
        )

    return setup


def _repair(asset, people):
    maintenance.start_repair(asset.code, actor=a_lead())


def _needs_check(checker: str | None):
    """Returned in a category that asks for a check after each return (named
    `checker` may do it besides the leads)."""

    def setup(asset, people):
        category = factories.make_category()
        category.check_after_return = "Clean and recharge"
        category.checker = people[checker] if checker else None
        category.save()
        Asset.update(category=category).where(Asset.id == asset.id).execute()
        _held_by("other")(asset, people)
        custody.check_in(asset.code, actor=a_lead())

    return setup


def _missing(asset, people):
    Asset.update(status="missing").where(Asset.id == asset.id).execute()


def _retired(asset, people):
    custody.retire(asset.code, actor=a_lead(), reason="sold")


STATES = {
    "available": lambda asset, people: None,
    "held by me": _held_by("member"),
    "held by someone else": _held_by("other"),
    "usable fault": _fault("usable"),
    "do not use": _fault("do_not_use"),
    "in repair": _repair,
    "missing": _missing,
    "retired": _retired,
    "needs check": _needs_check(None),
    "needs check, member named": _needs_check("member"),
}


@pytest.fixture
def people(auth):
    return {
        "member": factories.make_user("member"),
        "other": factories.make_user("member", password=None),
        "lead": factories.make_user("lead"),
    }


def _item(state, people):
    place = factories.make_location()
    asset = factories.make_asset(a_lead(), name="Drill", location=place.id)
    STATES[state](asset, people)
    return fresh(asset), place


def _open_fault(asset) -> bool:
    return Fault.select().where(Fault.asset == asset.id, Fault.closed_at.is_null()).exists()


def _card_actions(soup) -> set[str]:
    """The actions the status card offers, named as the rule names them."""
    card = soup.select_one("section#status-card")
    shown = set()
    for control in card.select("a[href], form[action]"):
        url = control.get("href") or control.get("action")
        text = control.get_text(" ", strip=True)
        if "/checkout" in url:
            if "anyway=1" in url:
                shown.add("check_out_anyway")
            else:
                shown.add("check_out")
                if text == "Check out to…":
                    shown.add("check_out_to_other")
        elif url.endswith("/return"):
            shown.add("return")
        elif url.endswith("/transfer"):
            shown.add("transfer")
        elif url.endswith("/fault"):
            shown.add("report_fault")
        elif url.endswith("/move"):
            shown.add("move")
        elif url.endswith("/repair"):
            shown.add("start_repair")
        elif url.endswith("/fixed"):
            shown.add("mark_fixed")
        elif url.endswith("/service"):
            shown.add("service")
        elif url.endswith("/checked-ready"):
            shown.add("checked_ready")
        elif url.endswith("/retire"):
            shown.add("retire")
        elif url.endswith("/relabel"):
            shown.add("relabel")
        elif "/labels" in url:
            shown.add("print_label")
    return shown


def _try(action, asset, actor, people, place):
    """Run `action` through its service; True if it was done."""
    other = people["other"] if actor.id != people["other"].id else people["member"]
    runs = {
        "check_out": lambda: custody.check_out(asset.code, actor=actor, today=TODAY),
        "check_out_to_other": lambda: custody.check_out(
            asset.code, actor=actor, today=TODAY, holder_id=other.id
        ),
        "check_out_anyway": lambda: custody.check_out(
            asset.code, actor=actor, today=TODAY, override=True
        ),
        "return": lambda: custody.check_in(asset.code, actor=actor),
        "transfer": lambda: custody.transfer(
            asset.code,
            actor=actor,
            today=TODAY,
            to_holder_id=(actor if asset.holder_id != actor.id else other).id,
            due_back=TODAY + timedelta(days=3),
        ),
        "report_fault": lambda: maintenance.report_fault(
            asset.code, actor=actor, description="Wobbly", severity="usable"
        ),
        "move": lambda: custody.move(
            asset.code, actor=actor, location_id=factories.make_location().id
        ),
        "start_repair": lambda: maintenance.start_repair(asset.code, actor=actor),
        "mark_fixed": lambda: maintenance.mark_fixed(asset.code, actor=actor),
        "service": lambda: servicing.record_service(asset.code, actor=actor, today=TODAY),
        "retire": lambda: custody.retire(asset.code, actor=actor, reason="scrapped"),
        "checked_ready": lambda: checks.checked_ready(asset.code, actor=actor),
    }
    try:
        runs[action]()
    except ServiceError:
        return False
    return True


SERVICE_ACTIONS = [a for a in custody_rules.ACTIONS if a not in ("relabel", "print_label")]


@pytest.mark.parametrize("role", ["member", "lead"])
@pytest.mark.parametrize("state", list(STATES))
def test_the_card_shows_exactly_what_the_rule_allows(client, auth, people, state, role):
    asset, _ = _item(state, people)
    auth.login(user=people[role])
    allowed = custody_rules.allowed_actions(asset, people[role], has_open_fault=_open_fault(asset))
    response = client.get(f"/A/{asset.code}")
    assert response.status_code == 200
    shown = _card_actions(soup_of(response))
    expected = set(allowed)
    if "check_out" not in allowed:
        # "Check out to…" is the longer form of checking out: no check-out, no form.
        expected.discard("check_out_to_other")
    assert shown == expected, f"{state} as {role}"


def _expected(action: str, allowed: frozenset[str]) -> bool:
    """Whether the service should do `action`, by the rule alone."""
    if action == "check_out_to_other":  # checking out, to someone else
        return {"check_out", "check_out_to_other"} <= allowed
    if action == "check_out_anyway":  # "anyway" on an item nothing stops is a check-out
        return "check_out_anyway" in allowed or "check_out" in allowed
    return action in allowed


@pytest.mark.parametrize("role", ["member", "lead"])
@pytest.mark.parametrize("state", list(STATES))
def test_each_service_refuses_exactly_what_the_rule_leaves_out(app, people, state, role):
    actor = people[role]
    for action in SERVICE_ACTIONS:
        asset, place = _item(state, people)
        allowed = custody_rules.allowed_actions(asset, actor, has_open_fault=_open_fault(asset))
        done = _try(action, asset, actor, people, place)
        assert done == _expected(action, allowed), f"{action} on an item {state}, as {role}"


def test_the_rule_knows_every_action_it_is_asked_about(app, people):
    asset, _ = _item("available", people)
    with pytest.raises(ValueError):
        custody_rules.refusal("teleport", asset, people["lead"])


def test_overdue_is_one_rule_for_the_card_the_lists_and_reminders(app, people):
    from app.custody import reminders

    lead = a_lead()
    late = factories.make_asset(lead, name="Late drill")
    custody.check_out(
        late.code,
        actor=lead,
        today=TODAY - timedelta(days=5),
        holder_id=people["member"].id,
        due_back=TODAY - timedelta(days=1),
    )
    on_time = factories.make_asset(lead, name="Due today")
    custody.check_out(
        on_time.code, actor=lead, today=TODAY, holder_id=people["member"].id, due_back=TODAY
    )
    late, on_time = fresh(late), fresh(on_time)
    assert custody_rules.is_overdue(late, TODAY)
    assert not custody_rules.is_overdue(on_time, TODAY)
    in_sql = {a.id for a in Asset.select().where(custody_rules.overdue_sql(TODAY))}
    assert in_sql == {late.id}
    lists = reminders.lists(TODAY)
    assert [a.id for a in lists.overdue] == [late.id]
    assert [a.id for a in lists.soon] == [on_time.id]
