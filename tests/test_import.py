"""Importing through the service: previews, all-or-nothing, updates, events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.models import Asset, Category, Event, Fault, Location, User
from app.register import places
from app.spreadsheets import imports

from . import factories
from .import_kit import counts, preview, run, sheet

OTHER_SYSTEM = sheet(
    "Asset Tag,Item Name,Serial,Model No.,Category,Manufacturer,Location,Purchase Date,"
    "Purchase Cost,Supplier,Order Number,Warranty,Status,Notes,Checked Out To\n"
    'LAP-001,ThinkPad,SN1,T14,Laptops,Lenovo,HQ > Floor 2 > Room 5,31/03/2024,"£1,234.50",'
    "Acme,PO-9,36 months,,new one,sam@example.test\n"
    "ABC123,Drill,SN2,,Tools,Bosch,HQ > Store,01/02/2024,99,,,,Faulty,,\n"
    ",Chair,,,Furniture,,HQ,,,,,,,,\n"
)


@pytest.fixture
def lead(app):
    with app.app_context():
        yield factories.make_user("lead")


def test_other_systems_export_imports_with_its_events(lead):
    summary = run(OTHER_SYSTEM, actor=lead)
    assert (summary.new, summary.updated, summary.categories, summary.locations) == (3, 0, 3, 4)
    laptop = Asset.get(Asset.serial == "SN1")
    assert laptop.external_tag == "LAP-001" and laptop.code != "LAP001"
    assert (laptop.cost_cents, laptop.purchase_date) == (123450, date(2024, 3, 31))
    assert laptop.warranty_end == date(2027, 3, 31)  # 36 months after purchase
    assert (laptop.order_number, laptop.supplier, laptop.notes) == ("PO-9", "Acme", "new one")
    assert [loc.name for loc in (laptop.location, laptop.location.parent)] == ["Room 5", "Floor 2"]
    assert laptop.status == "checked_out" and laptop.holder.email == "sam@example.test"
    assert laptop.holder.password_hash is None  # a holder who never signs in
    drill = Asset.get(Asset.serial == "SN2")
    assert drill.code == "ABC123"  # a free tag in our code format keeps it
    assert drill.status == "faulty" and Fault.get(Fault.asset == drill).severity == "do_not_use"
    kinds = {a.name: [e.kind for e in a.events.order_by(Event.id)] for a in Asset.select()}
    assert kinds == {
        "ThinkPad": ["created", "checked_out"],
        "Drill": ["created", "fault_reported"],
        "Chair": ["created"],
    }
    assert Event.select().where(Event.key.is_null(False)).count() == 1


def test_reimporting_the_same_file_changes_nothing(lead):
    run(OTHER_SYSTEM, actor=lead)
    before = counts()
    shown = preview(OTHER_SYSTEM)
    assert shown.counts == {"new": 0, "update": 0, "unchanged": 3, "error": 0}
    summary = run(OTHER_SYSTEM, actor=lead)
    assert (summary.new, summary.updated, summary.events) == (0, 0, 0)
    assert counts() == before


def test_identical_rows_without_identifiers_are_counted(lead):
    chairs = sheet("Name,Location\n" + "Chair,Hall\n" * 3)
    run(chairs, actor=lead)
    assert preview(chairs).counts["unchanged"] == 3
    more = sheet("Name,Location\n" + "Chair,Hall\n" * 4)
    assert preview(more).counts == {"new": 1, "update": 0, "unchanged": 3, "error": 0}


def test_a_matching_serial_is_an_update_with_its_changes(lead):
    asset = factories.make_asset(actor=lead, name="Drill", serial="SN2", cost_cents=100)
    shown = preview(sheet("Serial,Name,Cost,Location\nsn2,Drill,2.50,Workshop\n"))
    row = shown.rows[0]
    assert row.action == "update" and row.asset_id == asset.id
    assert row.changes == {"cost_cents": ("100", "250"), "location": ("—", "Workshop")}
    run(sheet("Serial,Name,Cost,Location\nsn2,Drill,2.50,Workshop\n"), actor=lead)
    asset = Asset.get_by_id(asset.id)
    assert asset.cost_cents == 250 and asset.location.name == "Workshop"
    edited, moved = asset.events.order_by(Event.id)[1:]
    assert (edited.kind, edited.data) == ("edited", {"cost_cents": [100, 250]})
    assert moved.kind == "moved" and moved.location_id == asset.location_id
    assert asset.version == 2


def test_holder_and_status_changes_write_custody_events(lead):
    sam = factories.make_holder("Sam Smith")
    asset = factories.make_asset(actor=lead, name="Saw", serial="S1")
    run(sheet("Serial,Checked out to\nS1,sam smith\n"), actor=lead)
    asset = Asset.get_by_id(asset.id)
    assert asset.holder_id == sam.id and asset.status == "checked_out"
    run(sheet("Serial,Status\nS1,Available\n"), actor=lead)
    run(sheet("Serial,Status\nS1,Missing\n"), actor=lead)
    run(sheet("Serial,Status\nS1,Retired\n"), actor=lead)
    asset = Asset.get_by_id(asset.id)
    assert asset.status == "retired" and asset.retired_at is not None
    kinds = [e.kind for e in asset.events.order_by(Event.id)]
    assert kinds == ["created", "checked_out", "checked_in", "marked_missing", "found", "retired"]
    shown = preview(sheet("Serial,Status\nS1,Available\n"))
    assert shown.rows[0].errors == ["This asset is retired; an import cannot bring it back."]


def test_every_rows_errors_are_reported_and_nothing_is_written(lead):
    factories.make_asset(actor=lead, name="Old", serial="TAKEN")
    data = sheet(
        "Name,Serial,Purchase date,Cost,Status,Checked out to,Due back\n"
        "Good,G1,2024-01-01,10,,,\n"
        ",X1,,,,,\n"
        "Bad date,X2,2024-02-30,,,,\n"
        "Bad cost,X3,,ten pounds,,,\n"
        "Twice,DUP,,,,,\n"
        "Twice again,dup,,,,,\n"
        "Odd status,X4,,,Borrowed,,\n"
        "Nobody,X5,,,Checked out,,\n"
        "Due alone,X6,,,,,2030-01-01\n"
    )
    shown = preview(data)
    errors = {row.line: row.errors for row in shown.rows if row.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7, 9, 10]
    assert errors[3] == ["A new asset needs a name."]
    assert "not a real date" in errors[4][0]
    assert "not an amount" in errors[5][0]
    assert errors[6] == errors[7] == ["Rows 6, 7 are the same serial: keep one."]
    # A status value we do not know is asked about once for the file, not per row.
    assert shown.unknown_statuses == [("borrowed", "Borrowed", 1)]
    assert "1 status value is not ours: choose what each one means." in shown.problems
    assert "Checked out to" in errors[9][0]
    assert "Due back" in errors[10][0]
    assert shown.counts == {"new": 2, "update": 0, "unchanged": 0, "error": 7}
    before = counts()
    with pytest.raises(imports.Blocked) as blocked:
        run(data, actor=lead)
    assert blocked.value.preview.counts["error"] == 7
    assert counts() == before
    assert not Category.select().exists() and not Location.select().exists()


def test_a_failure_while_writing_rolls_everything_back(lead, monkeypatch):
    """All or nothing even when the database refuses half-way (here: the events)."""
    from app.spreadsheets import apply

    real = apply.insert_many

    def broken(model, rows):
        if model is Event:
            raise RuntimeError("disk full")
        real(model, rows)

    before = counts()
    monkeypatch.setattr(apply, "insert_many", broken)
    with pytest.raises(RuntimeError):
        run(OTHER_SYSTEM, actor=lead)
    assert counts() == before
    assert not User.select().where(User.email == "sam@example.test").exists()


def test_dry_run_writes_nothing_but_reports_what_it_would(lead):
    before = counts()
    summary = run(OTHER_SYSTEM, actor=lead, dry_run=True)
    assert summary.dry_run and (summary.new, summary.events, summary.people) == (3, 5, 1)
    assert counts() == before and not Category.select().exists()


def test_ambiguous_dates_wait_for_a_choice(lead):
    data = sheet("Name,Purchase date\nA,03/04/2024\nB,05/06/2024\n")
    shown = preview(data)
    assert shown.date_choice_needed and not shown.ok
    with pytest.raises(imports.Blocked):
        run(data, actor=lead)
    shown = preview(data, date_order="mdy")
    assert shown.ok and shown.rows[0].values["purchase_date"] == date(2024, 3, 4)
    settled = preview(sheet("Name,Purchase date\nA,03/04/2024\nB,25/06/2024\n"))
    assert settled.date_order == "dmy" and settled.rows[0].values["purchase_date"].month == 4


def test_tags_that_are_codes_in_use_become_external_tags(lead):
    existing = factories.make_asset(actor=lead, name="Ladder")
    location = factories.make_location("Store")
    shown = preview(sheet(f"Asset tag,Name\n{existing.code},Ladder\n{location.code},Bench\n"))
    ladder, bench = shown.rows
    assert (ladder.action, ladder.asset_id) == ("unchanged", existing.id)
    assert bench.action == "new" and bench.code is None
    assert bench.values["external_tag"] == location.code


def test_holders_matched_by_email_or_name(lead):
    factories.make_holder("Pat Lee")
    factories.make_holder("Pat Lee")
    shown = preview(
        sheet(f"Name,Checked out to\nA,pat lee\nB,{lead.email.upper()}\nC,New Person\n")
    )
    a, b, c = shown.rows
    assert "Several people are called pat lee" in a.errors[0]
    assert b.values["holder_ref"] == lead.id
    assert c.values["holder_ref"] == ("new", "", "new person")
    assert list(shown.new_people.values()) == [("New Person", "")]


def test_mapping_can_be_adjusted(lead):
    data = sheet("Thing,Ref\nDrill,R-1\n")
    assert preview(data).problems  # nothing recognised
    shown = preview(data, mapping=["name", "serial"])
    assert shown.ok and shown.rows[0].values == {
        "name": "Drill",
        "serial": "R-1",
        "status": "available",
        "holder_ref": None,
    }
    assert preview(data, mapping=["name", "name"]).problems == [
        "Two columns are mapped to “Name”: choose one."
    ]


def test_external_tag_is_searchable(lead):
    run(OTHER_SYSTEM, actor=lead)
    from app.register.assets import Search, search

    rows, total = search(Search(text="lap-00"))
    assert total == 1
    assert Asset.get(Asset.code == rows[0].code).external_tag == "LAP-001"


def test_imported_assets_get_their_next_service_date_from_the_category(lead):
    Category.create(name="Tools", service_interval_days=180)
    run(OTHER_SYSTEM, actor=lead)
    drill = Asset.get(Asset.serial == "SN2")
    assert drill.service_due_on == date(2024, 2, 1) + timedelta(days=180)
    # No interval on the other categories: no service date.
    assert Asset.get(Asset.serial == "SN1").service_due_on is None


def test_a_location_typed_as_the_end_of_one_path_is_that_location(lead):
    """ "Office" in a file is the register's Main site > Office when it is the only
    place so named: not a second, top-level Office."""
    site = factories.make_location("Main site")
    office = factories.make_location("Office", parent=site)
    factories.make_location("Store", parent=factories.make_location("Depot"))
    shown = preview(sheet("Name,Location\nDesk,office\nLamp,Main site > Office\nBin,Depot>store\n"))
    assert [r.action for r in shown.rows] == ["new"] * 3
    assert shown.new_locations == []
    assert shown.rows[0].values["location"] == ["Main site", "Office"]
    summary = run(sheet("Name,Location\nDesk,office\nLamp,Main site > Office\n"), actor=lead)
    assert summary.locations == 0
    assert Location.select().where(Location.name == "Office").count() == 1
    assert {a.location_id for a in Asset.select()} == {office.id}
    # An asset already there is unchanged by a file naming its place so.
    assert preview(sheet("Name,Location\nDesk,Office\n")).counts["unchanged"] == 1


def test_a_location_that_could_be_several_places_is_an_error_on_its_row(lead):
    for site in ("Main site", "Depot"):
        factories.make_location("Office", parent=factories.make_location(site))
    shown = preview(sheet("Name,Location\nDesk,Office\nLamp,Depot > Office\nBin,Attic\n"))
    desk, lamp, bin_ = shown.rows
    assert desk.action == "error" and desk.errors == [
        "The location “Office” could be Depot > Office, Main site > Office: "
        "write its whole path, such as “Depot > Office”."
    ]
    assert (lamp.action, lamp.values["location"]) == ("new", ["Depot", "Office"])
    assert (bin_.action, shown.new_locations) == ("new", ["Attic"])
    before = counts()
    with pytest.raises(imports.Invalid):
        run(sheet("Name,Location\nDesk,Office\n"), actor=lead)
    assert counts() == before


def test_a_new_place_typed_under_the_end_of_a_path_is_made_under_that_place(lead):
    """ "Office > Cupboard" with Main site > Office in the register makes a
    Cupboard in that Office, not a second Office at the top with a Cupboard."""
    office = factories.make_location("Office", parent=factories.make_location("Main site"))
    shown = preview(sheet("Name,Location\nKettle,Office > Cupboard\n"))
    assert shown.rows[0].values["location"] == ["Main site", "Office", "Cupboard"]
    assert shown.new_locations == ["Main site > Office > Cupboard"]
    run(sheet("Name,Location\nKettle,Office > Cupboard\nLamp,Office\n"), actor=lead)
    assert Location.select().where(Location.name == "Office").count() == 1
    kettle = Asset.get(Asset.name == "Kettle")
    assert (kettle.location.name, kettle.location.parent_id) == ("Cupboard", office.id)
    assert Asset.get(Asset.name == "Lamp").location_id == office.id


def test_a_new_place_named_whole_and_by_its_end_in_one_file_is_made_once(lead):
    workshop = factories.make_location("Workshop", parent=factories.make_location("Main site"))
    text = (
        "Name,Location\nToolbox,Mezzanine\nShelf,Main site > Workshop > Mezzanine\n"
        "Crate,Workshop > Mezzanine\n"
    )
    shown = preview(sheet(text))
    assert [r.values["location"] for r in shown.rows] == [
        ["Main site", "Workshop", "Mezzanine"]
    ] * 3
    assert shown.new_locations == ["Main site > Workshop > Mezzanine"]
    run(sheet(text), actor=lead)
    [mezzanine] = Location.select().where(Location.name == "Mezzanine")
    assert mezzanine.parent_id == workshop.id
    assert {a.location_id for a in Asset.select()} == {mezzanine.id}
    # A place new to the register and to the file stays a new place at the top.
    fresh = preview(sheet("Name,Location\nBin,Loft\nBox,Loft > Corner\n"))
    assert fresh.new_locations == ["Loft", "Loft > Corner"]


def test_a_new_place_that_could_be_either_of_two_the_file_makes_is_an_error(lead):
    for site in ("Main site", "Depot"):
        factories.make_location(site)
    shown = preview(sheet("Name,Location\nA,Main site > Attic\nB,Depot > Attic\nC,Attic\n"))
    assert [r.action for r in shown.rows] == ["new", "new", "error"]
    assert shown.rows[2].errors == [
        "The location “Attic” could be Depot > Attic, Main site > Attic: "
        "write its whole path, such as “Depot > Attic”."
    ]


def test_an_imported_place_of_the_same_name_relabels_the_first_at_once(lead):
    """A place the file makes can change how one already there is told apart in
    lists: the import clears the labels this process keeps for a few seconds."""
    office = factories.make_location("Office", parent=factories.make_location("Main site"))
    assert places.location_label(office.id) == "Office"
    summary = run(sheet("Name,Location\nDesk,Depot > Office\n"), actor=lead)
    assert summary.locations == 2
    assert places.location_label(office.id) == "Main site › Office"
