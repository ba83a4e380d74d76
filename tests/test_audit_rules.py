"""The audit rules asked by services and pages alike: who may undo a tick or
settle an item seen elsewhere, and when an item is due for audit again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.audits import audits
from app.audits import rules as audit_rules
from app.clock import utcnow
from app.errors import Forbidden, Refused
from app.models import Asset
from app.register import assets, attention

from . import factories
from .audit_kit import active_ticks, audit_page, fresh, signed_in


def test_a_member_cannot_settle_an_item_seen_elsewhere(app, site, audit, elsewhere):
    member = factories.make_user("member", password=None)
    with pytest.raises(Forbidden):
        audits.resolve_elsewhere(elsewhere.id, actor=member, move=False)
    assert fresh(elsewhere).resolution in ("", None)


def test_nothing_is_settled_or_undone_once_the_audit_is_closed(app, site, audit, elsewhere):
    audits.close(audit.id, actor=site.lead)
    with pytest.raises(Refused):
        audits.resolve_elsewhere(elsewhere.id, actor=site.lead, move=True)
    with pytest.raises(Refused):
        audits.undo(elsewhere.id, actor=site.lead)
    assert fresh(elsewhere).resolution in ("", None)
    assert Asset.get_by_id(site.saw.id).location_id == site.room_two.id


def test_the_page_offers_undo_and_settling_exactly_where_the_rules_allow(
    app, site, audit, elsewhere
):
    """The ticker sees Undo on their own tick only; a lead sees it on every tick
    and the settle buttons; after close, nobody sees either."""
    other, other_client = signed_in(app, "member", "Ola Other")
    soup = audit_page(other_client, audit)
    assert not soup.select("form[action$='/undo']")
    assert not soup.select("form[action*='/elsewhere']")
    lead, lead_client = signed_in(app, "lead", "Lou Lead")
    soup = audit_page(lead_client, audit)
    assert len(soup.select("form[action$='/undo']")) == len(active_ticks(audit))
    assert soup.select("form[action*='/elsewhere']")
    audits.close(audit.id, actor=site.lead)
    soup = audit_page(lead_client, audit)
    assert not soup.select("form[action$='/undo']")
    assert not soup.select("form[action*='/elsewhere']")


def test_due_for_audit_is_one_rule_for_the_page_the_register_and_the_dashboard(app, site):
    """At the boundary too: last audited exactly the interval ago is due."""
    now = utcnow()
    interval = 30
    cases = {
        site.drill: now - timedelta(days=interval),  # exactly due
        site.saw: now - timedelta(days=interval) + timedelta(minutes=5),  # not yet
        site.cable: None,  # never audited: due
    }
    for asset, when in cases.items():
        Asset.update(last_audited_at=when).where(Asset.id == asset.id).execute()
    in_sql = {a.id for a in Asset.select().where(audit_rules.due_sql(interval, now))} & {
        a.id for a in cases
    }
    one_by_one = {a.id for a in cases if audit_rules.is_due(fresh(a), interval, now)}
    assert in_sql == one_by_one == {site.drill.id, site.cable.id}
    never, old = audit_rules.due_sql_parts(interval, now)
    halves = {a.id for a in Asset.select().where(never)} | {a.id for a in Asset.select().where(old)}
    assert halves & {a.id for a in cases} == in_sql
    # Retired items are never due.
    assert not audit_rules.is_due(fresh(site.scrapped), interval, now)


def test_not_seen_is_one_rule_for_the_register_and_the_dashboard(app, site):
    now = utcnow()
    long_ago = now - timedelta(days=60)
    for asset, seen in [
        (site.drill, None),
        (site.saw, now - timedelta(days=40)),
        (site.cable, now - timedelta(days=1)),
    ]:
        Asset.update(created_at=long_ago, last_seen_at=seen).where(Asset.id == asset.id).execute()
    whole = {a.id for a in Asset.select().where(attention.not_seen(30, now))}
    never, old = attention.not_seen_parts(30, now)
    halves = {a.id for a in Asset.select().where(never)} | {a.id for a in Asset.select().where(old)}
    assert whole == halves == {site.drill.id, site.saw.id}
    rows, _ = assets.search(assets.Search(unseen_days=30, per_page=200))
    assert {a.id for a in rows} == {
        a.id for a in Asset.select().where(attention.not_seen(30, utcnow()))
    }
