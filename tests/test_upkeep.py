"""What each asset's repairs and services have cost to date (register/upkeep.py,
Asset.upkeep_cents) is a projection of the events: written with each of them,
left alone by a stale row's save, followed after a bulk insert, and rebuilt
the same; that it equals a recomputation after any sequence of events is
tests/test_projections.py."""

from __future__ import annotations

from app.clock import utcnow
from app.custody import custody, maintenance, servicing
from app.database import write
from app.models import Asset, Event
from app.prepared import insert_many
from app.register import upkeep

from . import factories


def _upkeep(asset: Asset) -> int:
    return Asset.get_by_id(asset.id).upkeep_cents


def test_each_costed_job_adds_its_cost(app):
    lead = factories.make_user("lead")
    drill = factories.make_asset(actor=lead, name="Drill")
    assert _upkeep(drill) == 0
    maintenance.start_repair(drill.code, actor=lead, cost_cents=30_000)
    maintenance.mark_fixed(drill.code, actor=lead, cost_cents=12_000)
    servicing.record_service(drill.code, actor=lead, today=utcnow().date(), cost_cents=None)
    with write():  # a cost no one could mean, and work on no asset: nothing added
        Event.create(asset=drill, kind="serviced", data={"cost_cents": -5})
        Event.create(asset=drill, kind="repaired", data={"cost_cents": True})
        Event.create(asset=None, kind="serviced", data={"cost_cents": 900})
    assert _upkeep(drill) == 42_000
    assert upkeep.stored() == upkeep.replayed()


def test_saving_a_row_read_before_the_work_keeps_its_cost(app):
    """The register's edit form saves the row it read: the cost written in
    between by a repair stays."""
    lead = factories.make_user("lead")
    ladder = factories.make_asset(actor=lead, name="Ladder")
    stale = Asset.get_by_id(ladder.id)
    maintenance.start_repair(ladder.code, actor=lead, cost_cents=7_500)
    stale.name = "Step ladder"
    with write():
        stale.save()
    assert (_upkeep(ladder), Asset.get_by_id(ladder.id).name) == (7_500, "Step ladder")


def test_a_bulk_insert_is_followed_and_a_rebuild_gives_the_same(app):
    lead = factories.make_user("lead")
    saw = factories.make_asset(actor=lead, name="Saw")
    custody.check_out(saw.code, actor=lead, today=utcnow().date(), holder_id=lead.id)
    servicing.record_service(saw.code, actor=lead, today=utcnow().date(), cost_cents=2_000)
    since = Event.select(Event.id).order_by(Event.id.desc()).limit(1).scalar()
    rows = [
        {"asset": saw.id, "kind": kind, "actor": lead.id, "at": utcnow(), "note": "",
         "data": {"cost_cents": cost}, "cost_cents": cost}
        for kind, cost in (("serviced", 3_000), ("repaired", 500))
    ]  # fmt: skip
    with write():
        insert_many(Event, rows)
        upkeep.follow_since(since)
    assert _upkeep(saw) == 5_500
    before = upkeep.stored()
    assert before == upkeep.replayed()
    with write():
        Asset.update(upkeep_cents=0).execute()  # as a bulk load leaves it
        assert upkeep.rebuild() == 1
    assert upkeep.stored() == before


def test_the_item_page_says_what_its_work_has_cost(client, auth):
    """The item's details add its repairs and services up, for whoever scans it;
    an item with no costed work says nothing of it."""
    lead = auth.login("lead")
    drill = factories.make_asset(actor=lead, name="Drill")
    soup, _ = client.soup(f"/A/{drill.code}")
    assert soup.select_one("#upkeep") is None
    maintenance.start_repair(drill.code, actor=lead, cost_cents=30_000)
    servicing.record_service(drill.code, actor=lead, today=utcnow().date(), cost_cents=2_550)
    soup, _ = client.soup(f"/A/{drill.code}")
    assert soup.select_one("#upkeep").get_text(strip=True) == "325.50 to date"
