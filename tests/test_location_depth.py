"""The location tree's depth: at most MAX_LOCATION_DEPTH levels by form, move and
import, and every page that walks the tree still answers when the database
already holds a far deeper tree (or a cycle) made before the limit existed."""

from __future__ import annotations

import pytest

from app import codes
from app.database import write
from app.models import Asset, Location
from app.register import places
from app.register.rules import MAX_LOCATION_DEPTH, TOO_DEEP
from app.spreadsheets import imports

from . import factories, import_kit
from .pages import field_error, soup_of
from .test_import_pages import preview_url, upload

DEEP = 1200


def _chain(levels: int, top: Location | None = None) -> list[Location]:
    """`levels` nested places written straight into the database, top first."""
    made: list[Location] = []
    parent = top
    with write():
        for level in range(levels):
            parent = Location.create(name=f"L{level}", parent=parent, code=codes.generate())
            made.append(parent)
    places.clear_path_cache()
    return made


PAGES = [
    "/assets",
    "/assets?location={leaf}",
    "/locations",
    "/locations/{leaf}/edit",
    "/locations/new",
    "/scan",
    "/labels",
    "/labels?choice=location&location={leaf}",
    "/A/{code}",
    "/A/{code}/return",
    "/A/{code}/move",
    "/A/{code}/checkout",
    "/reports/assets?by=location",
    "/reports/assets.csv?by=location",
    "/export/assets.csv",
]


@pytest.fixture
def deep_tree(client, auth):
    """A lead signed in, a 1,200-level path, and an item at its bottom."""
    auth.login("lead")
    chain = _chain(DEEP)
    asset = factories.make_asset(location_id=chain[-1].id)
    return chain, asset


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_with_a_deep_tree_in_the_database(client, deep_tree, url):
    """Every page that lists or walks places answers 200 over a 1,200-level path."""
    chain, asset = deep_tree
    response = client.get(url.format(leaf=chain[-1].id, code=asset.code))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_tree_queries_walk_a_deep_tree_whole(deep_tree):
    """The tree, the paths and a subtree reach the bottom of a 1,200-level path."""
    chain, _asset = deep_tree
    tree = places.location_tree()
    assert [depth for _loc, depth in tree] == list(range(DEEP))
    paths = places.location_paths()
    assert paths[chain[-1].id].count(" › ") == DEEP - 1
    assert len(places.subtree_ids(chain[0].id)) == DEEP
    assert places.location_depth(chain[-1].id) == DEEP


def test_a_cycle_in_the_database_does_not_hang_the_pages(client, auth):
    """Two places that are each other's parent (a damaged database) still list."""
    auth.login("lead")
    a, b = _chain(2)
    Location.update(parent=b.id).where(Location.id == a.id).execute()
    places.clear_path_cache()
    for url in ("/locations", "/assets", "/reports/assets?by=location", "/scan", "/labels"):
        assert client.get(url).status_code == 200, url
    assert set(places.subtree_ids(a.id)) == {a.id, b.id}
    assert places.location_depth(a.id) > MAX_LOCATION_DEPTH


# The limit, by form ----------------------------------------------------------


def test_the_form_refuses_a_place_one_level_too_deep(client, auth):
    """A 13th level is refused with a message; nothing is made."""
    auth.login("lead")
    chain = _chain(MAX_LOCATION_DEPTH)
    before = Location.select().count()
    response = client.form("/locations/new", {"name": "Too deep", "parent": chain[-1].id})
    assert response.status_code == 422
    assert f"{MAX_LOCATION_DEPTH} levels" in field_error(soup_of(response), "parent")
    assert Location.select().count() == before
    # one level less is fine
    response = client.form("/locations/new", {"name": "Deep enough", "parent": chain[-2].id})
    assert response.status_code == 303


def test_adding_a_place_from_the_asset_form_holds_the_limit(client, auth):
    """ "Add this location" inside the 12th level is refused beside the box."""
    auth.login("lead")
    chain = _chain(MAX_LOCATION_DEPTH)
    form = {"name": "Harness", "category": "", "location": "", "version": ""}
    form.update(new_location="Too deep", new_parent=str(chain[-1].id), then="location")
    response = client.form("/assets/new", form)
    assert response.status_code == 422
    assert TOO_DEEP in field_error(soup_of(response), "new_location")
    assert Location.select().count() == MAX_LOCATION_DEPTH
    assert not Asset.select().exists()


def test_moving_a_branch_under_a_deep_place_is_refused(client, auth):
    """Moving a place (with its children) where its bottom would sit too deep is refused."""
    auth.login("lead")
    chain = _chain(MAX_LOCATION_DEPTH - 1)
    branch = _chain(2)  # a top place with one child
    response = client.form(
        f"/locations/{branch[0].id}/edit", {"name": branch[0].name, "parent": chain[-1].id}
    )
    assert response.status_code == 422
    assert f"{MAX_LOCATION_DEPTH} levels" in field_error(soup_of(response), "parent")
    assert Location.get_by_id(branch[0].id).parent_id is None
    # without its child the branch fits
    Location.delete().where(Location.id == branch[1].id).execute()
    response = client.form(
        f"/locations/{branch[0].id}/edit", {"name": branch[0].name, "parent": chain[-1].id}
    )
    assert response.status_code == 303
    assert Location.get_by_id(branch[0].id).parent_id == chain[-1].id


def test_the_service_refuses_too_deep_places(app):
    """create_location and update_location hold the limit for any caller."""
    chain = _chain(MAX_LOCATION_DEPTH)
    with pytest.raises(places.Invalid) as refused:
        places.create_location("Too deep", chain[-1].id)
    assert "parent" in refused.value.errors
    assert Location.select().count() == MAX_LOCATION_DEPTH
    loose = places.create_location("Loose")
    with pytest.raises(places.Invalid):
        places.update_location(loose.id, "Loose", chain[-1].id)
    assert Location.get_by_id(loose.id).parent_id is None


# The limit, by import -------------------------------------------------------


def test_an_import_refuses_a_path_one_level_too_deep(app):
    """A "Site > … > Room" path of 13 levels is a row error; nothing is written."""
    lead = factories.make_user("lead")
    fits = " > ".join(f"P{i}" for i in range(MAX_LOCATION_DEPTH))
    deep = " > ".join(f"P{i}" for i in range(MAX_LOCATION_DEPTH + 1))
    data = import_kit.sheet(f"Name,Location\nFits,{fits}\nToo deep,{deep}\n")
    shown = import_kit.preview(data)
    errors = {row.line: row.errors for row in shown.rows if row.errors}
    assert errors == {
        3: [f"The location has {MAX_LOCATION_DEPTH + 1} levels. {TOO_DEEP}"],
    }
    before = import_kit.counts()
    with pytest.raises(imports.Blocked):
        import_kit.run(data, actor=lead)
    assert import_kit.counts() == before
    assert not Location.select().exists()
    # the row that fits imports, to the full depth
    import_kit.run(import_kit.sheet(f"Name,Location\nFits,{fits}\n"), actor=lead)
    placed = Asset.get(Asset.name == "Fits").location_id
    assert places.location_depth(placed) == MAX_LOCATION_DEPTH


def test_the_import_page_shows_the_depth_message(client, auth):
    """The preview page names the problem next to the row."""
    auth.login("lead")
    deep = ">".join("P" for _ in range(MAX_LOCATION_DEPTH + 1))
    data = import_kit.sheet(f"Name,Location\nToo deep,{deep}\n")
    response = client.get(preview_url(upload(client, data, "deep.csv")))
    assert response.status_code == 200
    text = " ".join(soup_of(response).get_text().split())
    assert f"The location has {MAX_LOCATION_DEPTH + 1} levels. {TOO_DEEP}" in text
    assert not Location.select().exists()
