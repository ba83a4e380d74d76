"""Each asset's last use (register/last_use.py, Asset.last_used_at) is a
projection of the events: late events, imports and rebuilds here, and the idle
report reading it; that it equals a recomputation after any sequence of events
is tests/test_projections.py."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from app.clock import utcnow
from app.custody import custody
from app.database import write
from app.models import Asset, Event
from app.register import last_use
from app.reports import idle as reports_idle

from . import factories
from .import_kit import run, sheet


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
    assert [r.code for r in reports_idle.idle(90, now.date(), ZoneInfo("UTC"), 1, 50).rows] == [
        asset.code
    ]
    custody.move(asset.code, actor=lead, location_id=factories.make_location("Loft").id)
    assert reports_idle.idle(90, utcnow().date(), ZoneInfo("UTC"), 1, 50).rows == []
