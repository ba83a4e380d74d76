"""Other trackers' exports (our own files in their published formats) through
`tagtrail import-csv`: columns mapped and said, unknown statuses asked for,
holders from names, places from check-outs, quantities, re-imports that change
nothing, and choices remembered per header row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.models import Asset, Event, Location, Setting, User
from app.spreadsheets import formats, imports
from app.spreadsheets import values as iv

from . import factories
from .import_kit import counts, preview, run, sheet

DATA = Path(__file__).parent / "data" / "imports"


@pytest.fixture
def cli(app, monkeypatch):
    """`tagtrail ...` against the test app's instance folder, in the app's context."""
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    runner = CliRunner()
    with app.app_context():
        yield lambda *args: runner.invoke(main, [str(a) for a in args])


def every_column_said(output: str, path: Path) -> None:
    """Nothing is dropped silently: each column is named as used or as left out."""
    headers = imports.read(path.read_bytes()).headers
    said = [h for h in headers if f"  {h} → " in output or f"“{h}”" in output]
    assert said == headers


def location_names(asset: Asset) -> list[str]:
    parts, place = [], asset.location
    while place is not None:
        parts.append(place.name)
        place = place.parent
    return parts[::-1]


def test_snipeit_export_asks_for_its_statuses_then_imports(cli):
    result = cli("import-csv", DATA / "snipeit.csv")
    assert result.exit_code == 1
    out = result.output
    # The columns come first: what each was taken to be, and what is left out.
    assert out.startswith("Columns:\n  Asset Name → Name\n  Asset Tag → Asset tag / code\n")
    assert "  Checked Out To: Email → Holder email\n" in out
    assert "Left out: “ID”, “Company”, “Warranty Months”, “Asset EOL Date”" in out
    every_column_said(out, DATA / "snipeit.csv")
    assert 'Status “Undeployable” (2 rows) is not ours: pass --status "Undeployable=STATUS"' in out
    assert "Status “Pending Diagnostics” (1 row)" in out
    assert "STATUS is one of: available, checked_out, faulty, in_repair, missing, retired." in out
    assert "Nothing was imported." in out and counts() == (0, 0)

    result = cli(
        "import-csv",
        DATA / "snipeit.csv",
        "--status",
        "Undeployable=faulty",
        "--status",
        "pending diagnostics=In repair",
    )
    assert result.exit_code == 0, result.output
    assert "Imported: 7 new" in result.output
    laptop = Asset.get(Asset.serial == "C02XK1ABCD")
    assert laptop.status == "checked_out" and laptop.external_tag == "LAP-0101"
    # The holder's name from the name columns, the email from the email column.
    assert (laptop.holder.name, laptop.holder.email) == ("Priya Shah", "priya.shah@northwind.test")
    assert location_names(laptop) == ["London", "Studio"]
    assert laptop.model_name == "MacBook Pro 14"
    assert laptop.notes == "Has AppleCare\nModel number: A2442"
    assert laptop.warranty_end == date(2026, 1, 10)
    # Checked out to a place: there, with nobody.
    screen = Asset.get(Asset.serial == "SN-TV-0007")
    assert screen.holder is None and screen.status == "available"
    assert location_names(screen) == ["Board room"]
    assert not User.select().where(User.name == "Board room").exists()
    assert {
        a.status for a in Asset.select().where(Asset.name.in_(["Spare laptop", "Field camera"]))
    } == {"faulty"}
    assert Asset.get(Asset.name == "Loan laptop").status == "in_repair"
    # "A/V cupboard" inside a ">" path is one place, slash and all.
    assert location_names(Asset.get(Asset.name == "Spare laptop")) == [
        "London",
        "Store",
        "A/V cupboard",
    ]
    # A retired row that names a holder: retired, the person kept in its history.
    tablet = Asset.get(Asset.serial == "DMPX1234")
    assert tablet.status == "retired" and tablet.holder is None
    retired = tablet.events.where(Event.kind == "retired").get()
    assert retired.data["holder_was"] == "Tom Reed"
    assert not User.select().where(User.name == "Tom Reed").exists()
    assert User.select().count() == 1  # Priya only

    before = counts()
    result = cli("import-csv", DATA / "snipeit.csv")  # the status choices were remembered
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated, 7 unchanged; 0 history entries" in result.output
    assert counts() == before


def test_legacy_snipeit_takes_names_then_emails_then_usernames(cli):
    result = cli("import-csv", DATA / "snipeit_legacy.csv", "--status", "In-service=available")
    assert result.exit_code == 0, result.output
    assert "  Full Name → Checked out to\n  Email → Holder email\n" in result.output
    assert "Left out: “Company”" in result.output
    holders = {a.name: a.holder for a in Asset.select()}
    assert (holders["Reception PC"].name, holders["Reception PC"].email) == (
        "Ana Lima",
        "ana.lima@harbour.test",
    )
    assert holders["Warehouse scanner"].name == "gpatel9x"  # nothing else to go on
    assert holders["Spare monitor"].email == "joe.bloggs@harbour.test"
    assert holders["Spare monitor"].name != "jbloggs1"  # an email beats a username
    assert holders["Label printer"] is None
    # The model number stands in for a missing model name.
    assert Asset.get(Asset.name == "Warehouse scanner").model_name == "TC52"
    assert Asset.get(Asset.name == "Reception PC").warranty_end == date(2025, 4, 12)
    before = counts()
    assert cli("import-csv", DATA / "snipeit_legacy.csv").exit_code == 0
    assert counts() == before


def test_homebox_columns_paths_and_quantities(cli):
    result = cli("import-csv", DATA / "homebox.csv")
    assert result.exit_code == 0, result.output
    assert "  HB.serial_number → Serial\n" in result.output
    every_column_said(result.output, DATA / "homebox.csv")
    assert "“HB.labels”" in result.output and "“HB.sold_price”" in result.output
    drill = Asset.get(Asset.serial == "MK485-0091")
    assert (drill.name, drill.manufacturer, drill.model_name) == (
        "Cordless drill",
        "Makita",
        "DHP485",
    )
    assert (drill.cost_cents, drill.supplier) == (12999, "Toolstation")
    assert (drill.purchase_date, drill.warranty_end) == (date(2023, 5, 14), date(2026, 5, 14))
    assert drill.notes == "18V combi drill\n\nTwo batteries in the case"
    assert drill.code == "000101"  # its asset ID is one of our codes, and free
    assert location_names(drill) == ["Workshop", "Bench"]
    lead = Asset.get(Asset.name == "Extension lead")
    assert location_names(lead) == ["Garage", "Shelf 2"]
    # Quantity 4: four assets, each with its own code; the first keeps the row's.
    clamps = list(Asset.select().where(Asset.name == "Bar clamp").order_by(Asset.id))
    assert len(clamps) == 4 and len({c.code for c in clamps}) == 4
    assert clamps[0].code == "000102"
    assert Location.select().where(Location.name == "Workshop").count() == 1
    before = counts()
    result = cli("import-csv", DATA / "homebox.csv")
    assert result.exit_code == 0 and "6 unchanged" in result.output
    assert counts() == before


def test_older_homebox_tab_file(cli):
    result = cli("import-csv", DATA / "homebox_old.tsv")
    assert result.exit_code == 0, result.output
    assert "  Purchased Price → Cost\n" in result.output
    assert "  Purchase From → Supplier\n" in result.output
    assert "“Import Ref”" in result.output
    mats = Asset.select().where(Asset.name == "Sleeping mat")
    assert mats.count() == 2 and location_names(mats[0]) == ["House", "Loft"]
    lamp = Asset.get(Asset.serial == "LMP-77")
    assert (lamp.cost_cents, lamp.purchase_date) == (8950, date(2019, 12, 1))


def test_shelf_custodians_and_one_asset_per_row(cli):
    result = cli("import-csv", DATA / "shelf.csv", "--quantity", "one")
    assert result.exit_code == 0, result.output
    assert "  valuation → Cost\n  assetModel → Model\n  quantity → Quantity\n" in result.output
    assert "“kit”" in result.output.split("Left out:")[1]
    every_column_said(result.output, DATA / "shelf.csv")
    chair = Asset.get(Asset.name == "Folding chair")
    assert Asset.select().count() == 3
    assert chair.notes == "Quantity: 3" and chair.cost_cents == 4550
    desk = Asset.get(Asset.name == "Sound desk")
    assert desk.holder.name == "Dana Ortiz" and desk.status == "checked_out"
    assert desk.notes == "16-channel mixer for events" and desk.model_name == "Yamaha MG16"
    radio = Asset.get(Asset.name == "Radio handset")
    assert radio.notes == "Two-way radio\nQuantity: 2"
    before = counts()
    result = cli("import-csv", DATA / "shelf.csv")  # the quantity choice was remembered
    assert result.exit_code == 0 and counts() == before


def test_shelf_quantities_as_separate_assets(cli):
    result = cli("import-csv", DATA / "shelf.csv")
    assert result.exit_code == 0, result.output
    assert Asset.select().where(Asset.name == "Folding chair").count() == 3
    radios = list(Asset.select().where(Asset.name == "Radio handset"))
    assert len(radios) == 2 and {r.holder.name for r in radios} == {"Sam Kent"}
    assert User.select().where(User.name == "Sam Kent").count() == 1
    before = counts()
    assert cli("import-csv", DATA / "shelf.csv").exit_code == 0
    assert counts() == before


def test_map_flags_change_and_leave_out_columns(cli):
    result = cli(
        "import-csv", DATA / "shelf.csv", "--map", "custodian=", "--map", "kit=Notes", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "  kit → Notes\n" in result.output and "custodian →" not in result.output
    assert "“custodian”" in result.output.split("Left out:")[1]
    result = cli("import-csv", DATA / "shelf.csv", "--map", "kit=Notes", "--map", "custodian=")
    assert result.exit_code == 0, result.output
    assert not User.select().exists()
    desk = Asset.get(Asset.name == "Sound desk")
    assert desk.notes == "16-channel mixer for events\n\nEvent kit A"


@pytest.mark.parametrize(
    "flag, message",
    [
        (("--map", "Nope=name"), "The file has no column “Nope”."),
        (("--map", "Asset Name=colour"), "“colour” is not one of our fields"),
        (("--map", "title"), "is not Header=field"),
        (("--status", "Undeployable=broken-ish"), "is not one of our statuses"),
        (("--status", "=faulty"), "is not VALUE=status"),
    ],
)
def test_bad_flags_are_refused_with_a_message(cli, flag, message):
    result = cli("import-csv", DATA / "snipeit.csv", *flag)
    assert result.exit_code == 2 and message in result.output
    assert counts() == (0, 0)


def test_quantity_limits(app):
    data = sheet("Name,Quantity\nChair,1001\nDesk,0\nLamp,two\nStool,1000\n")
    with app.app_context():
        shown = preview(data)
        errors = {r.line: r.errors for r in shown.rows if r.errors}
        assert "more than 1,000 separate assets" in errors[2][0]
        assert errors[4] == ["Quantity: “two” is not a whole number."]
        assert sum(1 for r in shown.rows if r.values.get("name") == "Stool") == 1000
        desk = next(r for r in shown.rows if r.line == 3)
        assert desk.values["notes"] == "Quantity: 0"
        bad_date = preview(sheet("Name,Quantity,Purchase date\nChair,5,2024-02-30\n"))
        assert [r.line for r in bad_date.rows] == [2]  # one error row, not five
        fine = preview(data, choices=formats.Choices(quantity="one"))
        assert sorted(r.line for r in fine.rows if r.errors) == [4]


def test_quantity_total_is_capped(app, monkeypatch):
    monkeypatch.setattr("app.spreadsheets.rules.MAX_ROWS", 50)
    with app.app_context():
        shown = preview(sheet("Name,Quantity\nChair,30\nDesk,30\n"))
        assert any("makes 60 assets" in p for p in shown.problems) and not shown.ok


def test_retired_row_with_holder_updates_an_asset_in_the_register(app):
    with app.app_context():
        run(sheet("Name,Serial,Checked out to\nDrill,D1,Sam Kent\n"))
        summary = run(sheet("Name,Serial,Status,Checked out to\nDrill,D1,Archived,Sam Kent\n"))
        assert summary.updated == 1
        drill = Asset.get(Asset.serial == "D1")
        assert drill.status == "retired" and drill.holder is None
        assert drill.events.where(Event.kind == "retired").get().data["holder_was"] == "Sam Kent"
        again = preview(sheet("Name,Serial,Status,Checked out to\nDrill,D1,Archived,Sam Kent\n"))
        assert again.counts["unchanged"] == 1 and again.ok


def test_retired_row_naming_someone_deactivated_still_imports(app):
    with app.app_context():
        gone = factories.make_holder("Ex Staff")
        User.update(active=False).where(User.id == gone.id).execute()
        summary = run(sheet("Name,Status,Checked out to\nOld phone,Retired,Ex Staff\n"))
        assert summary.new == 1
        phone = Asset.get(Asset.name == "Old phone")
        assert phone.status == "retired" and phone.holder is None
        assert phone.events.where(Event.kind == "retired").get().data["holder_was"] == "Ex Staff"


def test_mapping_is_remembered_per_header_row(app):
    data = sheet("Thing,Code number,Where\nDrill,D1,Shed\n")
    with app.app_context():
        assert preview(data).mapping == ["", "", ""]
        mapping = ["name", "serial", "location"]
        run(data, mapping=mapping)
        assert Setting.select().where(Setting.key.startswith("import-columns:")).count() == 1
        assert preview(data).mapping == mapping
        other = sheet("Thing,Code number,Where,Extra\nSaw,S1,Shed,x\n")
        assert preview(other).mapping == ["", "", "", ""]
        table = imports.read(data)
        assert imports.suggested(table.headers)[0] == mapping


def test_a_damaged_remembered_mapping_is_ignored(app):
    data = sheet("Thing,Location\nDrill,Shed\n")
    with app.app_context():
        run(data, mapping=["name", "location"])
        for damaged in (
            "not json",
            '{"mapping": ["name"]}',
            '{"mapping": ["name", "x"]}',
            "[1]",
            '{"mapping": ["name", ""], "statuses": [1]}',
        ):
            Setting.update(value=damaged).where(Setting.key.startswith("import-columns:")).execute()
            assert preview(data).mapping == ["", "location"]  # guessed again


@pytest.mark.parametrize("text", ["1,5", "2.5", "-3", "3 boxes"])
def test_quantity_must_be_whole(app, text):
    with app.app_context():
        shown = preview(sheet(f'Name,Quantity\nChair,"{text}"\n'))
        assert shown.rows[0].errors == [f"Quantity: “{text}” is not a whole number."]


def test_custom_field_headers():
    assert iv.custom_field_header("HB.field.Colour") == ("Colour", None)
    assert iv.custom_field_header("cf: Next service, type:date") == ("Next service", "date")
    assert iv.custom_field_header("cf:Size") == ("Size", None)
    assert iv.custom_field_header("HB.name") is None and iv.custom_field_header("Notes") is None
    assert iv.guess_field("HB.field.Serial") == ""  # a custom field, never our serial


@pytest.mark.parametrize(
    "text, slashes, parts",
    [
        ("HQ > A/V cupboard", False, ["HQ", "A/V cupboard"]),
        ("HQ > A/V cupboard", True, ["HQ", "A/V cupboard"]),
        ("Home / Office / Desk", False, ["Home", "Office", "Desk"]),
        ("A/V cupboard", False, ["A/V cupboard"]),
        ("Home/Office", True, ["Home", "Office"]),
        ("Site › Room", False, ["Site", "Room"]),
    ],
)
def test_location_paths(text, slashes, parts):
    assert iv.location_path(text, slashes=slashes) == parts


@pytest.mark.parametrize(
    "text, status",
    [
        ("Out for Repair", "in_repair"),
        ("Out for Diagnostics", "in_repair"),
        ("Broken - Not Fixable", "faulty"),
        ("Lost/Stolen", "missing"),
        ("IN_CUSTODY", "checked_out"),
        ("Ready to Deploy", "available"),
    ],
)
def test_other_systems_shipped_statuses_are_known(text, status):
    assert iv.parse_status(text) == status
    assert formats.known_status(text)
