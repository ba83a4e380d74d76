"""Adding an asset never loses what was typed (issue: lead and owner journeys):
a category or location made from the add-asset form comes back to the same form
with everything kept and the new one chosen; "Add and add another" keeps the
category and location."""

from __future__ import annotations

import pytest

from app.models import Asset, Category, Location

from . import factories
from .pages import counts, selected, soup_of


@pytest.fixture
def lead(auth):
    return auth.login("lead")


def _typed(**more) -> dict:
    """An add-asset form part-filled, as a lead leaves it to add a category."""
    return {
        "name": "Rope access harness",
        "serial": "HRN-0042",
        "manufacturer": "Petzl",
        "notes": "Inspect before each use.",
        "category": "",
        "location": "",
        "version": "",
        **more,
    }


def _kept(soup) -> None:
    """Everything `_typed` filled in is still in the form."""
    assert soup.select_one("main input[name=name]")["value"] == "Rope access harness"
    assert soup.select_one("main input[name=serial]")["value"] == "HRN-0042"
    assert soup.select_one("main input[name=manufacturer]")["value"] == "Petzl"
    assert soup.select_one("main textarea[name=notes]").get_text().strip() == (
        "Inspect before each use."
    )
    # The folded "More details" opens, so what was typed there shows.
    assert soup.select_one("main details.more").has_attr("open")


def test_a_category_made_in_place_is_chosen_and_nothing_typed_is_lost(client, lead):
    """ "Add this category" creates it, adds no asset, and the same form comes back
    with every field as typed and the new category selected."""
    kept_place = factories.make_location("Store room")
    before = counts()
    response = client.form(
        "/assets/new",
        _typed(location=str(kept_place.id), new_category="Ladders", then="category"),
    )
    assert response.status_code == 200
    made = Category.get(Category.name == "Ladders")
    assert counts() == before  # no asset, no event
    soup = soup_of(response)
    _kept(soup)
    assert selected(soup, "category") == str(made.id)
    assert selected(soup, "location") == str(kept_place.id)
    assert not soup.select_one("main details.add-here").has_attr("open")
    assert "Added Ladders, chosen below." in soup.select_one("#flash").get_text()

    # Then "Add asset" with that form adds it, with the new category.
    values = {**_typed(category=str(made.id), location=str(kept_place.id))}
    response = client.form("/assets/new", values)
    assert response.status_code == 303
    asset = Asset.get(Asset.name == "Rope access harness")
    assert (asset.category_id, asset.location_id, asset.serial) == (
        made.id,
        kept_place.id,
        "HRN-0042",
    )


def test_a_location_made_in_place_can_sit_inside_another(client, lead):
    """ "Add this location" with "Inside" makes it there and selects it."""
    site = factories.make_location("North site")
    response = client.form(
        "/assets/new",
        _typed(new_location="Rope store", new_parent=str(site.id), then="location"),
    )
    assert response.status_code == 200
    made = Location.get(Location.name == "Rope store")
    assert made.parent_id == site.id and made.code
    assert Asset.select().count() == 0
    soup = soup_of(response)
    _kept(soup)
    assert selected(soup, "location") == str(made.id)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"new_category": "  ", "then": "category"}, "new_category", "Give a name."),
        ({"new_location": "", "then": "location"}, "new_location", "Give a name."),
        ({"new_location": "Shed", "new_parent": "x", "then": "location"}, "new_location", "Choose"),
        ({"new_location": "Shed", "new_parent": "999", "then": "location"}, "new_location", "not"),
        ({"new_category": "c" * 81, "then": "category"}, "new_category", "under 80"),
    ],
)
def test_a_bad_name_in_place_says_why_and_keeps_everything(client, lead, fields, field, words):
    """No name, a damaged parent, too long: 422, the reason beside the box, that
    section left open, nothing created, everything typed still there."""
    before = counts(), Category.select().count(), Location.select().count()
    response = client.form("/assets/new", _typed(**fields))
    assert response.status_code == 422
    soup = soup_of(response)
    box = soup.select_one(f"main input[name={field}]")
    assert box.find_parent("details").has_attr("open")
    assert words in box.find_parent("div", class_="field").select_one("p.error").get_text()
    _kept(soup)
    assert (counts(), Category.select().count(), Location.select().count()) == before


def test_a_category_name_taken_already_is_refused_in_place(client, lead):
    """The category rule (names are unique, any case) holds here too."""
    factories.make_category("Ladders")
    response = client.form("/assets/new", _typed(new_category="ladders", then="category"))
    assert response.status_code == 422
    assert "already a category" in soup_of(response).select_one("details p.error").get_text()
    assert Category.select().count() == 1


def test_add_and_add_another_keeps_category_and_location(client, lead):
    """After "Add and add another" the empty form has the same category and location."""
    category, place = factories.make_category("Ladders"), factories.make_location("Yard")
    response = client.form(
        "/assets/new",
        {
            "name": "Ladder 1",
            "category": str(category.id),
            "location": str(place.id),
            "then": "another",
        },
    )
    assert response.status_code == 303
    soup, _ = client.soup(response.headers["Location"])
    assert soup.select_one("main input[name=name]").get("value", "") == ""
    assert selected(soup, "category") == str(category.id)
    assert selected(soup, "location") == str(place.id)
    assert "Added Ladder 1" in soup.select_one("#flash").get_text()


def test_the_add_form_submits_as_add_asset_by_default(client, lead):
    """Enter in a box presses the form's first submit button: that one adds the asset
    (no then=), so the in-place buttons further down are never pressed by Enter."""
    soup, _ = client.soup("/assets/new")
    first = soup.select_one("main form[method=post] button[type=submit]")
    assert first.get("name") is None
    assert [b.get("value") for b in soup.select("main details.add-here button")] == [
        "category",
        "location",
    ]


def test_editing_an_asset_can_add_a_category_in_place_too(client, lead):
    """On the edit form the same section makes the category and keeps the edits
    typed so far, unsaved; "Save" then saves them with the new category."""
    asset = factories.make_asset(lead, name="Old name")
    soup, _ = client.soup(f"/assets/{asset.code}/edit")
    version = soup.select_one("main input[name=version]")["value"]
    edited = {"name": "New name", "serial": "S-1", "version": version, "category": ""}
    response = client.form(
        f"/assets/{asset.code}/edit", {**edited, "new_category": "Ladders", "then": "category"}
    )
    assert response.status_code == 200
    made = Category.get(Category.name == "Ladders")
    soup = soup_of(response)
    assert soup.select_one("main input[name=name]")["value"] == "New name"
    assert selected(soup, "category") == str(made.id)
    fresh = Asset.get_by_id(asset.id)
    assert (fresh.name, fresh.category_id, fresh.version) == ("Old name", None, asset.version)
    response = client.form(f"/assets/{asset.code}/edit", {**edited, "category": str(made.id)})
    assert response.status_code == 303
    fresh = Asset.get_by_id(asset.id)
    assert (fresh.name, fresh.category_id, fresh.serial) == ("New name", made.id, "S-1")
