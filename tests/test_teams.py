"""Teams (departments): names, the pages, people and assets in teams, and that a
team is a grouping, never a permission boundary."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from app.errors import Invalid, Refused
from app.models import Asset, Event, Team, User, db
from app.register import teams
from app.register.teams_rules import in_team_sql, team_of, team_sql

from . import factories
from .pages import field_error, form_values, path_of, selected, soup_of

pytestmark = pytest.mark.usefixtures("app")

# The service -------------------------------------------------------------------------


def test_names_are_trimmed_and_unique_ignoring_case():
    """A name is trimmed (inner runs of spaces too); the same name in other case is refused."""
    made = teams.save_team("  Site   crew ")
    assert made.name == "Site crew"
    with pytest.raises(Invalid) as refused:
        teams.save_team("SITE CREW")
    assert refused.value.errors == {"name": "There is already a team with that name."}
    assert Team.select().count() == 1


@pytest.mark.parametrize(
    "name, message",
    [("   ", "Give the team a name."), ("x" * 81, "Keep the name to 80 characters or fewer.")],
)
def test_bad_names_are_refused(name, message):
    with pytest.raises(Invalid) as refused:
        teams.save_team(name)
    assert refused.value.errors == {"name": message}
    assert Team.select().count() == 0


def test_eighty_characters_is_allowed():
    assert teams.save_team("x" * 80).name == "x" * 80


def test_rename_records_an_event_and_may_change_only_the_case():
    lead = factories.make_user("lead")
    team = teams.save_team("Studio")
    other = teams.save_team("Site crew")
    teams.save_team("STUDIO", team.id, actor=lead)  # its own name in other case: fine
    assert Team.get_by_id(team.id).name == "STUDIO"
    edited = Event.get(Event.kind == "edited", Event.note == "Team: STUDIO")
    assert edited.data == {"name": ["Studio", "STUDIO"]}
    assert edited.actor_id == lead.id
    with pytest.raises(Invalid):
        teams.save_team("site crew", team.id, actor=lead)
    assert Team.get_by_id(other.id).name == "Site crew"


def test_two_leads_racing_one_name_get_one_team_and_a_form_error(app):
    """Threads adding the same name at once: one team, every other call a form error."""
    results: list[str] = []

    def add(n: int) -> None:
        with app.app_context():
            db.connect(reuse_if_open=True)
            try:
                teams.save_team("Night shift" if n % 2 else "NIGHT SHIFT")
                results.append("made")
            except Invalid as exc:
                results.append(exc.errors["name"])
            finally:
                db.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["There is already a team with that name."] * 5 + ["made"]
    assert Team.select().count() == 1


def test_a_team_in_use_is_not_removed():
    team = teams.save_team("Studio")
    person = factories.make_holder("Pat")
    User.update(team=team).where(User.id == person.id).execute()
    with pytest.raises(Refused, match="Studio still has 1 person"):
        teams.remove_team(team.id)
    User.update(team=None).where(User.id == person.id).execute()
    teams.remove_team(team.id)
    assert Team.select().count() == 0


# The department rule -------------------------------------------------------------------


def test_department_is_own_team_else_holders_else_none():
    """team_of and team_sql agree: the asset's own team, else its holder's, else none."""
    from app.custody import custody

    lead = factories.make_user("lead")
    studio, crew = teams.save_team("Studio"), teams.save_team("Site crew")
    pat = people_in(crew, "Pat")
    factories.make_asset(lead, name="Printer", team=studio.id)
    held = factories.make_asset(lead, name="Drill")
    custody.check_out(held.code, actor=lead, holder_id=pat.id, today=date.today())
    kept_and_held = factories.make_asset(lead, name="Van kit", team=studio.id)
    custody.check_out(kept_and_held.code, actor=lead, holder_id=pat.id, today=date.today())
    loose = factories.make_asset(lead, name="Ladder")
    expect = {"Printer": studio.id, "Drill": crew.id, "Van kit": studio.id, "Ladder": None}
    for asset in Asset.select():
        found = team_of(asset)
        assert (found.id if found else None) == expect[asset.name]
    by_sql = dict(Asset.select(Asset.name, team_sql()).tuples())
    assert by_sql == expect
    for team_id in (studio.id, crew.id, None):
        names = {a.name for a in Asset.select().where(in_team_sql(team_id))}
        assert names == {n for n, t in expect.items() if t == team_id}
    assert loose.team_id is None


def people_in(team: Team, name: str) -> User:
    person = factories.make_holder(name)
    User.update(team=team).where(User.id == person.id).execute()
    return User.get_by_id(person.id)


# Pages ---------------------------------------------------------------------------------


def test_lead_adds_and_renames_a_team_through_the_pages(client, auth):
    auth.login("lead")
    response = client.form("/teams/new", {"name": " Studio "})
    assert response.status_code == 303
    team = Team.get()
    assert (team.name, path_of(response)) == ("Studio", f"/teams/{team.id}")
    response = client.form(f"/teams/{team.id}/edit", {"name": "Design studio"})
    assert response.status_code == 303
    assert Team.get_by_id(team.id).name == "Design studio"
    soup, _ = client.soup("/teams")
    assert [a.get_text(strip=True) for a in soup.select("#teams .row-main")] == ["Design studio"]


def test_a_duplicate_name_is_a_form_error_and_changes_nothing(client, auth):
    auth.login("lead")
    teams.save_team("Studio")
    response = client.form("/teams/new", {"name": "studio"})
    assert response.status_code == 422
    assert field_error(soup_of(response), "name") == "There is already a team with that name."
    assert Team.select().count() == 1


def test_team_page_lists_people_kept_and_held_with_counts(client, auth):
    from app.custody import custody

    lead = auth.login("lead")
    studio = teams.save_team("Studio")
    pat = people_in(studio, "Pat")
    factories.make_asset(lead, name="Shared printer", team=studio.id)
    drill = factories.make_asset(lead, name="Drill")
    custody.check_out(drill.code, actor=lead, holder_id=pat.id, today=date.today())
    factories.make_asset(lead, name="Ladder")
    soup, response = client.soup(f"/teams/{studio.id}")
    assert response.status_code == 200
    assert [li.get_text(strip=True) for li in soup.select("#team-people li")] == ["Pat"]
    assert [s.get_text(strip=True) for s in soup.select("#team-kept strong")] == ["Shared printer"]
    assert [s.get_text(strip=True) for s in soup.select("#team-held strong")] == ["Drill"]
    counts = soup.select_one("#team-counts").get_text(" ", strip=True)
    assert counts == "1 person · keeps 1 · its people hold 1 more"
    link = soup.select_one("#team-register")
    assert link["href"] == f"/assets?team={studio.id}"
    assert link.get_text(strip=True) == "All 2 assets of this department"


def test_members_see_teams_but_cannot_manage_them(client, auth):
    team = teams.save_team("Studio")
    auth.login("member")
    soup, response = client.soup("/teams")
    assert response.status_code == 200
    assert soup.select("#teams .row-main")[0].get_text(strip=True) == "Studio"
    assert soup.find("a", string="Add team") is None
    assert client.get(f"/teams/{team.id}").status_code == 200
    assert client.get("/teams/new").status_code == 403
    assert client.form("/teams/new", {"name": "Mine"}).status_code == 403
    assert client.form(f"/teams/{team.id}/edit", {"name": "Mine"}).status_code == 403
    assert client.form(f"/teams/{team.id}/remove").status_code == 403
    assert [t.name for t in Team.select()] == ["Studio"]
    menu, _ = client.soup("/menu")
    assert menu.find("a", href="/teams") is not None


def test_a_team_is_not_a_permission_boundary(client, auth):
    """A member of one team checks out an asset another team keeps, as before."""
    lead = factories.make_user("lead")
    studio, crew = teams.save_team("Studio"), teams.save_team("Site crew")
    member = auth.login("member")
    User.update(team=crew).where(User.id == member.id).execute()
    printer = factories.make_asset(lead, name="Shared printer", team=studio.id)
    response = client.form(f"/A/{printer.code}/checkout", {})
    assert response.status_code == 303
    assert Asset.get_by_id(printer.id).holder_id == member.id
    assert client.get("/people").status_code == 403  # roles unchanged: people stay a lead's


def test_removing_an_unused_team(client, auth):
    auth.login("lead")
    team = teams.save_team("Studio")
    response = client.form(f"/teams/{team.id}/remove")
    assert response.status_code == 303
    assert Team.select().count() == 0
    team = teams.save_team("Crew")
    people_in(team, "Pat")
    response = client.form(f"/teams/{team.id}/remove")
    assert response.status_code == 303
    assert Team.select().count() == 1
    soup, _ = client.soup(path_of(response))
    assert "Crew still has 1 person" in soup.select_one(".flash, [role=status], #flash").get_text()


# Assets --------------------------------------------------------------------------------


def test_asset_form_sets_and_changes_the_keeping_team_with_an_edited_event(client, auth):
    lead = auth.login("lead")
    studio, crew = teams.save_team("Studio"), teams.save_team("Site crew")
    response = client.form("/assets/new", {"name": "Shared printer", "team": str(studio.id)})
    assert response.status_code == 303
    printer = Asset.get(Asset.name == "Shared printer")
    assert printer.team_id == studio.id
    created = Event.get(Event.asset == printer.id, Event.kind == "created")
    assert created.data["team"] == "Studio"
    soup, _ = client.soup(f"/assets/{printer.code}/edit")
    assert selected(soup, "team") == str(studio.id)
    values = form_values(soup)
    values["team"] = str(crew.id)
    assert client.form(f"/assets/{printer.code}/edit", values).status_code == 303
    edited = Event.get(Event.asset == printer.id, Event.kind == "edited")
    assert edited.data == {"team": ["Studio", "Site crew"]}
    assert edited.actor_id == lead.id
    card, _ = client.soup(f"/A/{printer.code}")
    dts = {dt.get_text(strip=True): dt.find_next_sibling("dd") for dt in card.select("dl.state dt")}
    assert dts["Team"].get_text(strip=True) == "Site crew"
    assert dts["Team"].a["href"] == f"/teams/{crew.id}"


def test_an_asset_without_a_team_shows_no_team_row(client, auth):
    lead = auth.login("lead")
    ladder = factories.make_asset(lead, name="Ladder")
    card, _ = client.soup(f"/A/{ladder.code}")
    assert "Team" not in [dt.get_text(strip=True) for dt in card.select("dl.state dt")]


def test_a_team_that_does_not_exist_is_refused(client, auth):
    auth.login("lead")
    response = client.form("/assets/new", {"name": "Printer", "team": "99999"})
    assert response.status_code == 422
    assert Asset.select().count() == 0
    with pytest.raises(Invalid) as refused:
        factories.make_asset(name="Printer", team=99999)
    assert refused.value.errors == {"team": "That team does not exist."}


# People --------------------------------------------------------------------------------


def test_lead_puts_a_member_in_a_team_and_the_pages_show_it(client, auth):
    auth.login("lead")
    studio, crew = teams.save_team("Studio"), teams.save_team("Site crew")
    response = client.form("/people/new", {"name": "Pat", "email": "", "team": str(studio.id)})
    assert response.status_code == 303
    pat = User.get(User.name == "Pat")
    assert pat.team_id == studio.id
    response = client.form(f"/people/{pat.id}/edit", {"name": "Pat", "email": "", "team": ""})
    assert response.status_code == 303
    assert User.get_by_id(pat.id).team_id is None
    client.form(f"/people/{pat.id}/edit", {"name": "Pat", "email": "", "team": str(crew.id)})
    soup, _ = client.soup(f"/people/{pat.id}")
    link = soup.select_one("#person-team a")
    assert (link.get_text(strip=True), link["href"]) == ("Site crew", f"/teams/{crew.id}")
    people_in(studio, "Sam")
    soup, _ = client.soup(f"/people?team={crew.id}")
    assert [s.get_text(strip=True) for s in soup.select("#people .row-main strong")] == ["Pat"]
    soup, _ = client.soup("/people")
    rows = {
        li.select_one("strong").get_text(strip=True): li.select_one(".row-sub").get_text()
        for li in soup.select("#people li")
    }
    assert "Site crew" in rows["Pat"] and "Studio" in rows["Sam"]
    response = client.form(f"/people/{pat.id}/edit", {"name": "Pat", "email": "", "team": "x"})
    assert response.status_code == 422
    assert User.get_by_id(pat.id).team_id == crew.id


# The register's filter -----------------------------------------------------------------


def test_register_filters_by_department(client, auth):
    """Team filter: kept by the team, or held by its people and kept by none; "No team"."""
    from app.custody import custody

    lead = auth.login("lead")
    studio, crew = teams.save_team("Studio"), teams.save_team("Site crew")
    pat = people_in(crew, "Pat")
    factories.make_asset(lead, name="Printer", team=studio.id)
    for name in ("Drill", "Van kit"):
        made = factories.make_asset(lead, name=name, team=studio.id if name == "Van kit" else None)
        custody.check_out(made.code, actor=lead, holder_id=pat.id, today=date.today())
    factories.make_asset(lead, name="Ladder")
    from .pages import names_in

    soup, _ = client.soup(f"/assets?team={studio.id}")
    assert names_in(soup) == ["Printer", "Van kit"]
    assert selected(soup, "team") == str(studio.id)
    assert soup.select_one("#filter-panel").has_attr("open")
    soup, _ = client.soup(f"/assets?team={crew.id}")
    assert names_in(soup) == ["Drill"]
    soup, _ = client.soup("/assets?team=none")
    assert names_in(soup) == ["Ladder"]
    assert selected(soup, "team") == "none"
    soup, _ = client.soup("/assets")
    options = [o.get_text() for o in soup.select("select[name=team] option")]
    assert options == ["Any", "Site crew", "Studio", "No team"]
    holders = [o.get_text() for o in soup.select("select[name=holder] option")]
    assert holders == ["Anyone", "Pat"]
    assert client.get("/assets?team=studio").status_code == 400


def test_register_has_no_team_filter_until_there_are_teams(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/assets")
    assert soup.select("select[name=team]") == []


# Demo data -----------------------------------------------------------------------------


def test_demo_has_two_teams_with_people_and_a_team_kept_printer():
    from app.ops import demo

    demo.build(password="demo-password")
    members = {
        t.name: sorted(u.name for u in User.select().where(User.team == t)) for t in Team.select()
    }
    assert members == {
        "Studio": ["Alice Member", "Sam Member"],
        "Site crew": ["Lee Lead", "Pat Holder"],
    }
    printer = Asset.get(Asset.name == "Shared printer")
    assert printer.team.name == "Studio" and printer.holder_id is None
    created = Event.get(Event.asset == printer.id, Event.kind == "created")
    assert created.data["team"] == "Studio"


def test_a_rename_reads_as_such_in_the_activity_feed(client, auth):
    from app.register import event_kinds

    lead = auth.login("lead")
    team = teams.save_team("Studio")
    teams.save_team("Design studio", team.id, actor=lead)
    event = Event.get(Event.kind == "edited")
    line = event_kinds.line(event)
    assert line.words == "Team renamed"
    assert [(c.label, c.before, c.after) for c in line.changes] == [
        ("name", "Studio", "Design studio")
    ]
    feed, _ = client.soup("/activity")
    assert "Team renamed" in feed.select_one("main").get_text(" ", strip=True)
    category = factories.make_category("Ladders")
    from app.register import places

    places.save_category("Steps", category.id, actor=lead)
    assert event_kinds.line(Event.get(Event.note == "Category: Steps")).words == "Category edited"


def test_the_team_on_an_asset_page_costs_no_query(client, auth, count_queries):
    """The keeping team comes with the asset (one join): a team-kept asset's page
    runs as many queries as one without a team."""
    lead = auth.login("lead")
    studio = teams.save_team("Studio")
    kept = factories.make_asset(lead, name="Printer", team=studio.id)
    loose = factories.make_asset(lead, name="Ladder")
    counted = {}
    for asset in (kept, loose, kept):
        with count_queries() as log:
            response = client.get(f"/A/{asset.code}")
        assert response.status_code == 200
        counted[asset.name] = len(log)
    assert counted["Printer"] == counted["Ladder"]


def test_the_asset_form_has_no_team_choice_until_there_are_teams(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/assets/new")
    assert soup.select("select[name=team]") == []
    teams.save_team("Studio")
    soup, _ = client.soup("/assets/new")
    options = [o.get_text() for o in soup.select("select[name=team] option")]
    assert options == ["—", "Studio"]
    assert soup.find("label", attrs={"for": "team"}).get_text(strip=True) == "Kept by team"
