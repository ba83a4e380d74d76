"""Hot queries built once (app/prepared.py) give what peewee's own queries give."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest

from app.custody import custody, maintenance
from app.models import Asset, Category, Event
from app.prepared import Prepared
from app.register import assets, people

from . import factories


def test_the_query_is_built_once_and_run_with_each_call_s_arguments(app):
    """The builder runs on the first call only; later calls bind new values."""
    built = []

    @Prepared
    def by_name(name):
        built.append(name)
        return Category.select().where(Category.name == name)

    ladders, drills = factories.make_category("Ladders"), factories.make_category("Drills")
    assert [c.id for c in by_name("Ladders")] == [ladders.id]
    assert by_name.first("Drills").id == drills.id
    assert by_name.first("Saws") is None
    assert len(built) == 1


def test_joined_rows_come_back_as_related_models(app):
    """The asset lookup fills category, holder and location, as the page needs."""
    lead = factories.make_user("lead")
    holder = factories.make_holder("Robin")
    room = factories.make_location("Store")
    asset = factories.make_asset(
        lead, name="Ladder", category_id=factories.make_category("Access").id, location_id=room.id
    )
    custody.check_out(asset.code, actor=lead, holder_id=holder.id, today=date.today())
    found = assets.get_by_code(asset.code)
    reference = Asset.get(Asset.code == asset.code)
    assert found.__data__ == reference.__data__
    assert (found.category.name, found.holder.name, found.location.name) == (
        "Access",
        "Robin",
        "Store",
    )
    assert assets.get_by_code("NOSUCH") is None


def test_history_pages_match_a_plain_query(app):
    """Every page of an asset's history: the same events, in the same order."""
    lead = factories.make_user("lead")
    holder = factories.make_holder()
    asset = factories.make_asset(lead)
    for _ in range(20):
        custody.check_out(asset.code, actor=lead, holder_id=holder.id, today=date.today())
        custody.check_in(asset.code, actor=lead)
    expected = [
        e.id
        for e in Event.select()
        .where(Event.asset == asset.id)
        .order_by(Event.at.desc(), Event.id.desc())
    ]
    seen, page, older = [], 1, True
    while older:
        rows, older = assets.history(asset, page=page, per_page=15)
        seen += [e.id for e in rows]
        page += 1
    assert seen == expected and len(expected) == 41
    first = assets.history(asset)[0][0]
    assert (first.kind, first.actor.name, first.holder.name) == (
        "checked_in",
        lead.name,
        holder.name,
    )


def test_open_faults_and_people_by_id(app):
    """Only open faults, newest first; a person by id, or None."""
    lead = factories.make_user("lead")
    asset = factories.make_asset(lead)
    maintenance.report_fault(asset.code, actor=lead, description="Wobbles", severity="usable")
    maintenance.report_fault(asset.code, actor=lead, description="Sparks", severity="do_not_use")
    assert [f.description for f in maintenance.open_faults(asset)] == ["Sparks", "Wobbles"]
    assert people.by_id.first(lead.id).email == lead.email
    assert people.by_id.first(10**9) is None


def test_arguments_are_counted_and_models_refused(app):
    """A wrong number of arguments, or a model where its id belongs, is a TypeError:
    the driver would otherwise be handed something peewee never converted."""
    lead = factories.make_user("lead")
    with pytest.raises(TypeError):
        people.by_id()
    with pytest.raises(TypeError):
        people.by_id(lead)


def test_an_inserted_row_reads_back_as_create_would_write_it(app):
    """`insert` keeps the model's defaults and conversions (JSON, dates, links)
    and returns the row with its new id, on SQLite and PostgreSQL."""
    from app.models import ReservationItem, User, utcnow
    from app.prepared import insert, insert_many

    lead = factories.make_user("lead")
    asset = factories.make_asset(lead, name="Drill")
    made = insert(Event, asset=asset, kind="note", actor=lead, data={"n": 1, "w": "é"})
    again = insert(Event, asset=asset.id, kind="note", note="second")
    assert made.id and again.id == made.id + 1 and not made.dirty_fields
    back = Event.get_by_id(made.id)
    assert (back.asset_id, back.actor_id, back.kind, back.data) == (
        asset.id,
        lead.id,
        "note",
        {"n": 1, "w": "é"},
    )
    assert back.note == "" and back.at is not None  # the model's defaults
    assert Event.get_by_id(again.id).note == "second"
    assert isinstance(made.actor, User) and made.actor.id == lead.id

    from app.reservations import reservations

    booking = reservations.reserve(
        [asset.code],
        actor=lead,
        starts_at=utcnow().replace(microsecond=0) + timedelta(days=1),
        ends_at=utcnow().replace(microsecond=0) + timedelta(days=2),
        zone=UTC,
    )
    other = factories.make_asset(lead, name="Saw")
    insert_many(
        ReservationItem,
        [
            {
                "reservation": booking.id,
                "asset": other.id,
                "starts_at": booking.starts_at,
                "ends_at": booking.ends_at,
            }
        ],
    )
    row = ReservationItem.get(ReservationItem.asset == other.id)
    assert (row.reservation_id, row.active, row.ends_at) == (booking.id, True, booking.ends_at)
