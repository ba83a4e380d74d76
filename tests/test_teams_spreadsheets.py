"""Teams in the export and the import: the Team column is the team that keeps
an asset; an unknown team is made by the import and named on the preview, as
an unknown category is."""

from __future__ import annotations

import csv
import io

import pytest

from app.models import Asset, Event, Team
from app.register import teams
from app.spreadsheets import exports, imports
from app.spreadsheets.csvfiles import to_csv

from . import factories
from .import_kit import preview, run, sheet
from .test_import_custom_fields import _empty_app
from .test_import_pages import upload

pytestmark = pytest.mark.usefixtures("app")


def _kept() -> dict[str, str]:
    return {a.name: (a.team.name if a.team_id else "") for a in Asset.select().order_by(Asset.name)}


def test_export_has_the_keeping_team(client, auth):
    lead = auth.login("lead")
    studio = teams.save_team("Studio")
    factories.make_asset(lead, name="Printer", team=studio.id)
    factories.make_asset(lead, name="Ladder")
    body = client.get("/export/assets.csv").get_data(as_text=True)
    header, *rows = csv.reader(io.StringIO(body.lstrip("\ufeff")))
    column = header.index("Team")
    assert header[column - 1] == "Location"
    assert {r[1]: r[column] for r in rows} == {"Printer": "Studio", "Ladder": ""}


def test_round_trip_into_an_empty_register_makes_the_teams(tmp_path):
    lead = factories.make_user("lead")
    studio, crew = teams.save_team("Studio"), teams.save_team("Site crew")
    factories.make_asset(lead, name="Printer", team=studio.id)
    factories.make_asset(lead, name="Van kit", team=crew.id)
    factories.make_asset(lead, name="Ladder")
    before = _kept()
    data = to_csv(exports.REGISTER_HEADER, exports.register_rows())
    again = imports.preview(imports.read(data))
    assert again.counts == {"new": 0, "update": 0, "unchanged": 3, "error": 0}
    assert again.new_teams == []
    with _empty_app(tmp_path).app_context():
        importer = factories.make_user("lead")
        planned = imports.preview(imports.read(data))
        assert planned.new_teams == ["Studio", "Site crew"]
        summary = run(data, actor=importer)
        assert (summary.new, summary.teams) == (3, 2)
        assert _kept() == before
        assert sorted(t.name for t in Team.select()) == ["Site crew", "Studio"]
        created = Event.get(Event.kind == "created", Event.asset == Asset.get(name="Printer"))
        assert created.data["team"] == "Studio"
        again = imports.preview(imports.read(data))
        assert again.counts["unchanged"] == 3


def test_department_header_and_case_find_an_existing_team():
    """ "Department" is read as the team; a name in other case (and spacing) is
    the team there is, not a new one."""
    studio = teams.save_team("Studio")
    data = sheet("Name,Department\nPrinter,  STUDIO \nDrill,Site   crew\nLadder,n/a\n")
    planned = preview(data)
    assert planned.new_teams == ["Site crew"]
    run(data, actor=factories.make_user("lead"))
    printer = Asset.get(name="Printer")
    assert printer.team_id == studio.id
    assert Asset.get(name="Drill").team.name == "Site crew"
    assert Asset.get(name="Ladder").team_id is None
    assert Team.select().count() == 2


def test_an_update_changes_the_team_with_an_edited_event():
    lead = factories.make_user("lead")
    studio = teams.save_team("Studio")
    printer = factories.make_asset(lead, name="Printer", team=studio.id, serial="P-1")
    data = sheet("Serial,Team\nP-1,Site crew\n")
    planned = preview(data)
    assert planned.counts["update"] == 1
    assert planned.rows[0].changes == {"team": ("Studio", "Site crew")}
    assert planned.new_teams == ["Site crew"]
    run(data, actor=lead)
    fresh = Asset.get_by_id(printer.id)
    assert fresh.team.name == "Site crew"
    edited = Event.get(Event.kind == "edited", Event.asset == printer.id)
    assert edited.data == {"team": ["Studio", "Site crew"]}
    # A blank cell keeps the team, as a blank category keeps the category.
    run(sheet("Serial,Team\nP-1,\n"), actor=lead)
    assert Asset.get_by_id(printer.id).team.name == "Site crew"


def test_a_team_name_too_long_is_a_row_error():
    data = sheet("Name,Team\nPrinter," + "x" * 81 + "\n")
    planned = preview(data)
    assert planned.rows[0].action == "error"
    assert planned.rows[0].errors == ["Team is longer than 80 characters."]
    assert planned.new_teams == []


def test_the_preview_page_names_the_new_teams(client, auth):
    auth.login("lead")
    data = sheet("Name,Team\nPrinter,Studio\n")
    response = upload(client, data)
    assert response.status_code == 303
    soup, _ = client.soup(response.headers["Location"])
    assert soup.select_one("#new-teams").get_text(strip=True) == "New teams: Studio"
