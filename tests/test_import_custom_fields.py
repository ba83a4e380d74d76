"""Custom fields in spreadsheets: the export writes each field as a column,
the import reads them back (values by the custom fields' rule, a bad one an
error on its row, each change in the asset's `edited` event), "Keep as a
custom field" makes a field from a column nobody recognised, and Homebox's
HB.field.* and Shelf.nu's cf: columns become fields of their stated kind."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from app.cli import main
from app.models import Asset, Category, CustomField, CustomValue, Event
from app.register import custom_fields
from app.spreadsheets import custom_columns, exports, imports
from app.spreadsheets.csvfiles import to_csv

from . import factories
from .import_kit import counts, preview, run, sheet
from .test_export import register_csv
from .test_import_pages import preview_url, upload

FIELDS = [
    ("Voltage", "number", (), None),
    ("Calibrated on", "date", (), None),
    ("PAT tested", "yes_no", (), None),
    ("Department", "choice", ("Electrical", "Workshop"), None),
    ("Manual", "link", (), None),
    ("Formula-ish", "text", (), None),
    ("Rungs", "number", (), "Ladders"),
]


def define(fields=FIELDS) -> dict[str, int]:
    """The fields, made through the service; their ids by name."""
    ids = {}
    for name, kind, choices, category in fields:
        category_id = None
        if category:
            found = Category.get_or_none(Category.name == category)
            category_id = (found or factories.make_category(category)).id
        ids[name] = custom_fields.create_field(
            name, kind, choices=choices, category_id=category_id
        ).id
    return ids


def values() -> dict[str, dict[str, str]]:
    """Every asset's custom values: {code: {field name: text}}."""
    out: dict[str, dict[str, str]] = {}
    query = (
        CustomValue.select(Asset.code, CustomField.name, CustomValue.text)
        .join_from(CustomValue, Asset)
        .join_from(CustomValue, CustomField)
    )
    for code, name, text in query.tuples():
        out.setdefault(code, {})[name] = text
    return out


def build(lead) -> None:
    ids = define()
    ladders = Category.get(Category.name == "Ladders")

    def asset(name, category=None, **by_name):
        custom = {ids[k.replace("_", " ")]: v for k, v in by_name.items()}
        return factories.make_asset(lead, name=name, category=category, custom=custom)

    asset(
        "Drill",
        Voltage="18",
        Calibrated_on="2026-01-10",
        PAT_tested="yes",
        Department="Workshop",
        Manual="https://example.test/drill.pdf",
    )
    asset("Heater", Voltage="-0.5", PAT_tested="no", **{"Formula-ish": "=SUM(A1:A2)"})
    asset("Step ladder", ladders.id, Rungs="7", Department="Electrical")
    asset("Tape")


def table(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_writes_each_custom_field_as_a_column(client, auth):
    lead = auth.login("lead")
    build(lead)
    data = register_csv(client)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header == [*exports.REGISTER_HEADER, *(f[0] for f in FIELDS)]
    rows = {row["Name"]: row for row in table(data)}
    assert rows["Drill"]["Voltage"] == "18"
    assert rows["Drill"]["Calibrated on"] == "2026-01-10"
    assert rows["Drill"]["PAT tested"] == "yes"  # kept values, not "Yes" as a page shows
    assert rows["Heater"]["Formula-ish"] == "'=SUM(A1:A2)"  # never run as a formula
    assert rows["Heater"]["Voltage"] == "'-0.5"
    assert rows["Step ladder"]["Rungs"] == "7"
    assert rows["Tape"]["Voltage"] == ""


def _empty_app(tmp_path):
    from app import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "INSTANCE_PATH": str(tmp_path / "empty"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty' / 'tagtrail.sqlite3'}",
        }
    )


def test_round_trip_into_an_empty_register_keeps_every_value(client, auth, app, tmp_path):
    lead = auth.login("lead")
    build(lead)
    before = values()
    data = register_csv(client)
    with app.app_context():
        again = imports.preview(imports.read(data))
        assert again.counts == {"new": 0, "update": 0, "unchanged": 4, "error": 0}
    with _empty_app(tmp_path).app_context():
        importer = factories.make_user("lead")
        define()  # the same fields, defined in the new register first
        summary = run(data, actor=importer)
        assert summary.new == 4 and summary.fields == 0
        assert values() == before
        again = imports.preview(imports.read(data))
        assert again.counts == {"new": 0, "update": 0, "unchanged": 4, "error": 0}
        created = Event.get(Event.kind == "created", Event.asset == Asset.get(name="Drill"))
        assert created.data["cf:Voltage"] == "18"


def test_round_trip_with_no_fields_keeps_each_column_as_one(client, auth, tmp_path):
    """Into a register with no custom fields, each custom column is one nobody
    knows: kept as a custom field (typed from its values), the import brings
    every value back."""
    lead = auth.login("lead")
    build(lead)
    before = values()
    data = register_csv(client)
    with _empty_app(tmp_path).app_context():
        importer = factories.make_user("lead")
        factories.make_category("Ladders")
        table_ = imports.read(data)
        mapping = imports.suggested(table_.headers)[0]
        offered = custom_columns.keepable(table_, mapping)
        assert [header for _, header, _ in offered] == [f[0] for f in FIELDS]
        for index, _, _ in offered:
            mapping = imports.keep_column(table_, mapping, index, actor=importer)
        kinds = {f.name: f.kind for f in CustomField.select()}
        assert kinds == {
            "Voltage": "number",
            "Calibrated on": "date",
            "PAT tested": "yes_no",
            "Department": "text",  # two values, each once: too few to be a list
            "Manual": "link",
            "Formula-ish": "text",
            "Rungs": "number",
        }
        summary = run(data, actor=importer, mapping=mapping)
        assert summary.new == 4
        assert values() == before


def test_a_column_named_as_a_field_maps_to_it_and_bad_values_are_row_errors(app):
    with app.app_context():
        lead = factories.make_user("lead")
        ids = define()
        result = preview(
            sheet(
                "Name,Voltage,Calibrated on,PAT tested,Department,Manual\n"
                "Drill,18,31/03/2026,Y,workshop,https://example.test/m\n"
                "Saw,lots,2026-02-30,perhaps,Plumbing,ftp://x\n"
                "Van,n/a,-,,,\n"
            )
        )
        assert result.mapping[1:] == [custom_columns.existing(ids[n]) for n in FIELDS_NAMES]
        drill, saw, van = result.rows
        assert drill.errors == [] and van.errors == []
        assert {m.split(":")[0] for m in saw.errors} == set(FIELDS_NAMES)
        assert "“lots” is not a number" in " ".join(saw.errors)
        assert drill.values["custom"][2][0] == "2026-03-31"  # read as the import reads dates
        assert drill.values["custom"][3][0] == "yes"
        assert drill.values["custom"][4][0] == "Workshop"
        assert van.values.get("custom") is None  # placeholders are no value
        assert not result.ok
        with pytest.raises(imports.Blocked):
            run(sheet("Name,Voltage\nSaw,lots\n"), actor=lead)
        assert counts()[0] == 0


FIELDS_NAMES = ["Voltage", "Calibrated on", "PAT tested", "Department", "Manual"]


def test_an_update_changes_values_in_the_assets_edited_event(app):
    with app.app_context():
        lead = factories.make_user("lead")
        ids = define()
        drill = factories.make_asset(lead, name="Drill", serial="D1", custom={ids["Voltage"]: "18"})
        code = drill.code
        result = preview(sheet(f"Code,Name,Voltage,PAT tested\n{code},Drill,24,yes\n"))
        (row,) = result.rows
        assert row.action == "update"
        assert row.changes == {"cf:Voltage": ("18", "24"), "cf:PAT tested": ("—", "yes")}
        run(sheet(f"Code,Name,Voltage,PAT tested\n{code},Drill,24,yes\n"), actor=lead)
        assert values()[code] == {"Voltage": "24", "PAT tested": "yes"}
        edited = Event.select().where(Event.kind == "edited", Event.asset == drill.id).get()
        assert edited.data == {"cf:Voltage": ["18", "24"], "cf:PAT tested": [None, "yes"]}
        assert Asset.get_by_id(drill.id).version == drill.version + 1
        # A blank cell changes nothing; the same values again are unchanged.
        again = preview(sheet(f"Code,Name,Voltage,PAT tested\n{code},Drill,,yes\n"))
        assert again.rows[0].action == "unchanged"


def test_a_field_for_another_category_is_an_error_on_its_row(app):
    with app.app_context():
        define()
        result = preview(sheet("Name,Category,Rungs\nLadder,Ladders,7\nDrill,Tools,3\n"))
        ladder, drill = result.rows
        assert ladder.errors == []
        assert drill.errors == ["Rungs: this field is for Ladders only."]


def test_homebox_and_shelf_custom_columns_become_fields_of_their_kind(app):
    with app.app_context():
        lead = factories.make_user("lead")
        data = sheet(
            'HB.name,HB.field.Colour,"cf: Watts, type:number","cf: Bought, type:date",'
            '"cf: Tested, type:boolean","cf: Room, type:option","cf: Notes2, type:multiline text"\n'
            "Drill,Red,18,2025-01-02,yes,Lab,one\n"
            "Saw,Blue,1500,2025-03-04,no,Office,two\n"
        )
        result = preview(data)
        assert result.mapping == [
            "name",
            "cf+text",
            "cf+number",
            "cf+date",
            "cf+yes_no",
            "cf+choice",
            "cf+text",
        ]
        made = {c.name: (c.kind, c.choices) for c in result.custom.made}
        assert made == {
            "Colour": ("text", []),
            "Watts": ("number", []),
            "Bought": ("date", []),
            "Tested": ("yes_no", []),
            "Room": ("choice", ["Lab", "Office"]),
            "Notes2": ("text", []),
        }
        assert CustomField.select().count() == 0  # a preview makes nothing
        summary = run(data, actor=lead)
        assert summary.new == 2 and summary.fields == 6
        kinds = {f.name: f.kind for f in CustomField.select()}
        assert kinds["Watts"] == "number" and kinds["Room"] == "choice"
        saw = Asset.get(name="Saw").code
        assert values()[saw] == {
            "Colour": "Blue",
            "Watts": "1500",
            "Bought": "2025-03-04",
            "Tested": "no",
            "Room": "Office",
            "Notes2": "two",
        }
        # The same file again finds the fields it made, and changes nothing.
        again = preview(data)
        assert again.counts["unchanged"] == 2 and not again.custom.made


@pytest.mark.parametrize(
    ("cells", "kind"),
    [
        (["1", "2.5", "1,200"], "number"),
        (["yes", "no", "Y", "n/a"], "yes_no"),
        (["1", "0", "1"], "number"),  # digits alone are numbers
        (["2024-01-02", "31/12/2024"], "date"),
        (["https://a.test/x", "http://b.test"], "link"),
        (["Lab", "Office", "lab", "Office", "Lab", "Store"], "choice"),
        (["Lab", "Office", "Store"], "text"),  # each once: not a list of choices
        (["a note", "another"], "text"),
        (["12", "twelve"], "text"),
    ],
)
def test_kind_inferred_from_a_columns_values(cells, kind):
    assert custom_columns.infer_kind(cells) == kind


def test_keep_as_a_custom_field_on_the_preview(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, sheet("Name,Weight kg,Colour\nDrill,1.5,Red\nSaw,12,Blue\n")))
    page, _ = client.soup(url)
    offered = {f["data-column"]: f for f in page.select("#keep-columns form")}
    assert set(offered) == {"1", "2"}
    assert "(Number)" in offered["1"].get_text()
    assert offered["1"].select_one("button").get_text() == "Keep as a custom field"
    before = counts()
    sent = {}
    for field in offered["1"].select("input[type=hidden]"):
        sent.setdefault(field["name"], []).append(field["value"])
    response = client.post(offered["1"]["action"], data=sent)
    made = CustomField.get(CustomField.name == "Weight kg")
    assert made.kind == "number"
    page, _ = client.soup(preview_url(response))
    chosen = [s.find("option", selected=True) for s in page.select("select[name=col]")]
    assert [o["value"] if o else "" for o in chosen] == ["name", f"cf:{made.id}", ""]
    assert [f["data-column"] for f in page.select("#keep-columns form")] == ["2"]
    assert counts() == (before[0], before[1] + 1)  # the field's own history entry, no asset yet
    # A damaged column number is a message, not an error page.
    bad = client.post(offered["2"]["action"].replace("/keep/2", "/keep/9"), data=sent)
    assert bad.status_code == 422
    assert "not in the file" in bad.get_data(as_text=True)


@pytest.fixture
def cli(app, monkeypatch):
    """`tagtrail ...` against the test app's instance folder, in the app's context."""
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    runner = CliRunner()
    with app.app_context():
        yield lambda *args: runner.invoke(main, [str(a) for a in args])


def test_cli_says_which_custom_field_each_column_is(cli, tmp_path):
    define()
    path = tmp_path / "in.csv"
    path.write_bytes(sheet('Name,Voltage,"cf: Grade, type:option"\nDrill,18,A\nSaw,24,B\n'))
    result = cli("import-csv", path)
    assert result.exit_code == 0, result.output
    assert "Voltage → custom field “Voltage”" in result.output
    assert "cf: Grade, type:option → new custom field “Grade” (List of choices)" in result.output
    assert "1 new custom field." in result.output
    assert {v["Voltage"] for v in values().values()} == {"18", "24"}
    assert CustomField.get(CustomField.name == "Grade").choices == ["A", "B"]


def test_export_of_many_assets_reads_values_in_batches(app):
    with app.app_context():
        lead = factories.make_user("lead")
        ids = define(FIELDS[:1])
        for n in range(exports.EXPORT_CHUNK + 5):
            factories.make_asset(lead, name=f"Item {n:05d}", custom={ids["Voltage"]: str(n)})
        header, rows = exports.register_export()
        data = to_csv(header, rows)
        got = {row["Name"]: row["Voltage"] for row in table(data)}
        assert len(got) == exports.EXPORT_CHUNK + 5
        assert all(got[f"Item {n:05d}"] == str(n) for n in range(exports.EXPORT_CHUNK + 5))


def test_fields_named_like_our_columns_come_back_into_the_fields(client, auth, tmp_path):
    """A custom field called "Notes" (one of our export's headers) or
    "Description" (a header that would go into the notes) keeps its values
    through export and import."""
    lead = auth.login("lead")
    ids = define([("Notes", "text", (), None), ("Description", "text", (), None)])
    drill = factories.make_asset(
        lead,
        name="Drill",
        notes="Our own notes",
        custom={ids["Notes"]: "custom notes", ids["Description"]: "custom description"},
    )
    data = register_csv(client)
    result = imports.preview(imports.read(data))
    assert result.counts["unchanged"] == 1
    with _empty_app(tmp_path).app_context():
        importer = factories.make_user("lead")
        define([("Notes", "text", (), None), ("Description", "text", (), None)])
        run(data, actor=importer)
        copy = Asset.get(Asset.code == drill.code)
        assert copy.notes == "Our own notes"
        assert values()[drill.code] == {
            "Notes": "custom notes",
            "Description": "custom description",
        }


def test_keep_refuses_a_column_whose_name_cannot_be_a_field(client, auth):
    auth.login("lead")
    long = "Remarks " + "x" * 80
    url = preview_url(upload(client, sheet(f"Name,{long}\nDrill,old\nSaw,new\n")))
    page, _ = client.soup(url)
    form = page.select_one("#keep-columns form[data-column='1']")
    sent = {}
    for field in form.select("input[type=hidden]"):
        sent.setdefault(field["name"], []).append(field["value"])
    response = client.post(form["action"], data=sent)
    assert response.status_code == 422
    said = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "at most 60 characters" in said.select_one("[role=alert]").get_text()
    assert CustomField.select().count() == 0


def test_cli_maps_a_column_to_a_custom_field_or_a_new_one(cli, tmp_path):
    define(FIELDS[:1])  # Voltage
    path = tmp_path / "in.csv"
    path.write_bytes(sheet("Name,Volts,Weight\nDrill,18,1.5\nSaw,24,3\n"))
    bad = cli("import-csv", path, "--map", "Weight=custom:heavy")
    assert bad.exit_code == 2 and "“heavy” in “Weight=custom:heavy” is not a kind" in bad.output
    result = cli("import-csv", path, "--map", "Volts=Voltage", "--map", "Weight=custom:number")
    assert result.exit_code == 0, result.output
    assert "Volts → custom field “Voltage”" in result.output
    assert "Weight → new custom field “Weight” (Number)" in result.output
    assert CustomField.get(CustomField.name == "Weight").kind == "number"
    saw = Asset.get(name="Saw").code
    assert values()[saw] == {"Voltage": "24", "Weight": "3"}


HOMEBOX = Path(__file__).parent / "data" / "imports" / "homebox.csv"


def test_homebox_columns_find_fields_by_name_ignoring_case_and_prefix(app):
    """HB.insured is the field "Insured", HB.field.voltage the field "VOLTAGE":
    a system's prefix off, case ignored; nothing new is made for them."""
    with app.app_context():
        ids = define([("Insured", "yes_no", (), None), ("VOLTAGE", "number", (), None)])
        data = HOMEBOX.read_bytes()
        result = preview(data)
        headers = result.headers
        assert result.mapping[headers.index("HB.insured")] == f"cf:{ids['Insured']}"
        assert result.mapping[headers.index("HB.field.Voltage")] == f"cf:{ids['VOLTAGE']}"
        assert [c.name for c in result.custom.made] == ["Colour"]
        run(data, actor=factories.make_user("lead"))
        assert CustomField.select().count() == 3  # Colour, stated by its HB.field column
        drill = Asset.get(Asset.name == "Cordless drill").code
        assert values()[drill] == {"Insured": "yes", "VOLTAGE": "18", "Colour": "Teal"}


def test_no_column_becomes_a_field_unless_said_and_the_preview_lists_each(client, auth):
    """HB.field.Voltage holding numbers is a new number field, listed on the
    preview; HB.insured, a column nobody recognised, makes no field unless kept."""
    auth.login("lead")
    page, _ = client.soup(preview_url(upload(client, HOMEBOX.read_bytes(), "homebox.csv")))
    said = page.select_one("#new-custom-fields").get_text()
    assert "new custom field: Voltage (number)" in said
    assert "new custom field: Colour (text)" in said and "Insured" not in said
    voltage = page.select_one("label[for=col-25]")
    assert voltage.get_text() == "“Voltage” is"
    note = page.select_one("#col-25-note").get_text()
    assert note == "new custom field: Voltage (number), made when you import"
    assert "“Insured”" in page.select_one("#left-out").get_text()
    assert CustomField.select().count() == 0  # a preview makes nothing
    # The field comes from the import itself, as a number: a lead's own
    # number field "Voltage" would have been used instead.
    form = page.select_one("#import-confirm form")
    sent = {}
    for field in form.select("input[type=hidden]"):
        sent.setdefault(field["name"], []).append(field["value"])
    sent["mode"] = "import"
    assert client.post(form["action"], data=sent).status_code == 303
    kinds = {f.name: f.kind for f in CustomField.select()}
    assert kinds == {"Colour": "text", "Voltage": "number"}


def test_cli_lists_a_homebox_field_as_new_with_its_kind(cli):
    result = cli("import-csv", HOMEBOX, "--dry-run")
    assert "HB.field.Voltage → new custom field “Voltage” (Number)" in result.output
    assert "“HB.insured”" in result.output.split("Left out: ")[1]


def test_keep_says_so_beside_the_column_and_can_be_undone(client, auth):
    auth.login("lead")
    url = preview_url(upload(client, sheet("Name,Voltage\nDrill,18\nSaw,24\n")))
    page, _ = client.soup(url)
    keep = page.select_one("#keep-columns form[data-column='1']")
    sent = {}
    for field in keep.select("input[type=hidden]"):
        sent.setdefault(field["name"], []).append(field["value"])
    page, _ = client.soup(preview_url(client.post(keep["action"], data=sent)))
    made = CustomField.get(CustomField.name == "Voltage")
    kept = page.select_one("#kept-column")
    assert kept.select_one("[role=status]").get_text() == (
        "Voltage will be kept as a custom field (number)."
    )
    undo = kept.select_one("form")
    assert undo.select_one("button").get_text() == "Leave it out again"
    sent = {}
    for field in undo.select("input[type=hidden]"):
        sent.setdefault(field["name"], []).append(field["value"])
    assert sent["col"] == ["name", f"cf:{made.id}"]
    response = client.post(undo["action"], data=sent)
    assert response.status_code == 303
    page, _ = client.soup(preview_url(response))
    # Left out again, offered again, and the field the tap made is gone.
    assert page.select_one("#kept-column") is None
    assert "“Voltage”" in page.select_one("#left-out").get_text()
    assert [f["data-column"] for f in page.select("#keep-columns form")] == ["1"]
    assert not CustomField.select().where(CustomField.name == "Voltage").exists()
    # Kept onto a field that was there before, the undo leaves the field be.
    ids = define(FIELDS[:1])
    keep = page.select_one("#keep-columns form[data-column='1']")
    sent = {}
    for field in keep.select("input[type=hidden]"):
        sent.setdefault(field["name"], []).append(field["value"])
    page, _ = client.soup(preview_url(client.post(keep["action"], data=sent)))
    undo = page.select_one("#kept-column form")
    assert undo.select_one("input[name=made]") is None
    sent = {}
    for field in undo.select("input[type=hidden]"):
        sent.setdefault(field["name"], []).append(field["value"])
    assert client.post(undo["action"], data=sent).status_code == 303
    assert CustomField.get_by_id(ids["Voltage"]).kind == "number"
    # A damaged column number is a message, not an error page.
    bad = client.post(undo["action"].replace("/unkeep/1", "/unkeep/9"), data=sent)
    assert bad.status_code == 422 and "not in the file" in bad.get_data(as_text=True)
