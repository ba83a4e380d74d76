"""Locations (a tree) and categories, through the real forms."""

from __future__ import annotations

from datetime import UTC

import pytest

from app import codes
from app.models import Asset, Category, Location
from app.register import places

from . import factories
from .pages import field_error, form_values, path_of, soup_of

# Locations ------------------------------------------------------------------


def test_lead_creates_top_level_and_child_locations(client, auth):
    """The add form makes a top-level location, then one inside it."""
    auth.login("lead")
    response = client.form("/locations/new", {"name": " Warehouse ", "parent": ""})
    assert response.status_code == 303
    assert path_of(response) == "/locations"
    top = Location.get(Location.name == "Warehouse")
    assert top.parent_id is None
    assert client.form("/locations/new", {"name": "Bay 1", "parent": top.id}).status_code == 303
    assert Location.get(Location.name == "Bay 1").parent_id == top.id


def test_tree_lists_locations_depth_first_with_depth(client, auth):
    """The tree page lists each location under its parent, alphabetically, with its depth."""
    auth.login("lead")
    warehouse = factories.make_location("Warehouse")
    bay = factories.make_location("Bay 1", parent=warehouse)
    factories.make_location("Shelf A", parent=bay)
    factories.make_location("Annex")
    soup, _ = client.soup("/locations")
    rows = [
        (li.select_one(".row-main").contents[0].strip(), li["class"][0])
        for li in soup.select("main ul.tree li")
    ]
    expected = [("Annex", 0), ("Warehouse", 0), ("Bay 1", 1), ("Shelf A", 2)]
    assert rows == [(name, f"depth-{depth}") for name, depth in expected]


def test_moving_a_location_under_its_own_child_is_refused(client, auth):
    """A location cannot go inside its own subtree: 422 and the tree is unchanged."""
    auth.login("lead")
    warehouse = factories.make_location("Warehouse")
    bay = factories.make_location("Bay 1", parent=warehouse)
    response = client.form(
        f"/locations/{warehouse.id}/edit", {"name": "Warehouse", "parent": bay.id}
    )
    assert response.status_code == 422
    assert field_error(soup_of(response), "parent")
    assert Location.get_by_id(warehouse.id).parent_id is None
    assert Location.get_by_id(bay.id).parent_id == warehouse.id


def test_location_edit_form_keeps_the_current_parent(client, auth):
    """Renaming a child location through its edit form leaves it inside its parent."""
    auth.login("lead")
    warehouse = factories.make_location("Warehouse")
    bay = factories.make_location("Bay 1", parent=warehouse)
    soup, _ = client.soup(f"/locations/{bay.id}/edit")
    values = form_values(soup)
    assert values["parent"] == str(warehouse.id)
    values["name"] = "Bay One"
    assert client.form(f"/locations/{bay.id}/edit", values).status_code == 303
    fresh = Location.get_by_id(bay.id)
    assert (fresh.name, fresh.parent_id) == ("Bay One", warehouse.id)


def test_each_location_gets_its_own_short_code(client, auth):
    """Every location has a valid 6-character code, none shared."""
    auth.login("lead")
    for n in range(8):
        client.form("/locations/new", {"name": f"Room {n}", "parent": ""})
    found = [loc.code for loc in Location.select()]
    assert len(found) == 8
    assert all(len(code) == 6 and codes.is_valid(code) for code in found)
    assert len(set(found)) == 8


# Categories -----------------------------------------------------------------


def test_each_place_is_labelled_by_as_much_of_its_path_as_tells_it_apart(app):
    """A name no other place has stands alone; two "Office"s on two sites get
    their site; two "Store"s in two "Annex"es need all three levels; names are
    compared ignoring case."""
    main, depot = factories.make_location("Main site"), factories.make_location("Depot")
    office = factories.make_location("Office", parent=main)
    depot_office = factories.make_location("office", parent=depot)
    workshop = factories.make_location("Workshop", parent=main)
    stores = [
        factories.make_location("Store", parent=factories.make_location("Annex", parent=site))
        for site in (main, depot)
    ]
    labels = places.location_labels()
    assert [labels[p.id] for p in (main, office, depot_office, workshop, *stores)] == [
        "Main site",
        "Main site › Office",
        "Depot › office",
        "Workshop",
        "Main site › Annex › Store",
        "Depot › Annex › Store",
    ]


def test_a_new_place_of_the_same_name_relabels_the_first_at_once(app):
    """The labels are kept for a few seconds per process; making a place (by
    the form's service or an import) clears them, since the new one can change
    how an old one must be told apart."""
    main = places.create_location("Main site")
    office = places.create_location("Office", main.id)
    assert places.location_label(office.id) == "Office"
    places.create_location("Office", places.create_location("Depot").id)
    assert places.location_label(office.id) == "Main site › Office"


def test_the_register_tells_two_places_of_one_name_apart(client, auth):
    """A lead scanning the register sees which Office each laptop is in."""
    lead = auth.login("lead")
    main, depot = factories.make_location("Main site"), factories.make_location("Depot")
    for site, name in ((main, "Laptop A"), (depot, "Laptop B")):
        office = factories.make_location("Office", parent=site)
        factories.make_asset(actor=lead, name=name, location=office)
    factories.make_asset(actor=lead, name="Laptop C", location=factories.make_location("Loft"))
    soup = soup_of(client.get("/assets"))
    subs = {
        row.select_one(".row-main strong").get_text(): row.select_one(".row-sub").get_text()
        for row in soup.select(".asset-rows li")
    }
    assert [subs[name] for name in ("Laptop A", "Laptop B", "Laptop C")] == [
        "Main site › Office",
        "Depot › Office",
        "Loft",
    ]


def test_every_place_picker_names_which_office(client, auth):
    """Each list to choose a place from reads as the tree when open (indented by
    depth) and names each place first, then what it is in where another place
    shares its name, so a closed list, however narrow, still says which
    "Office" was chosen: the register's filter, a move, an audit's scope and
    room, label printing, the scanner, and a place's parent."""
    lead = auth.login("lead")
    main, depot = factories.make_location("Main site"), factories.make_location("Depot")
    office = factories.make_location("Office", parent=main)
    depot_office = factories.make_location("Office", parent=depot)
    options = places.location_options()
    assert [o.text for o in options] == [
        "Depot", "\u2002Office (Depot)", "Main site", "\u2002Office (Main site)"
    ]  # fmt: skip
    assert options[1].code == depot_office.code
    drill = factories.make_asset(actor=lead, name="Drill")
    audit = client.form("/audits/new", {"name": "Offices", "location": ""})
    assert audit.status_code == 303
    pickers = {
        "/assets": "select[name=location]",
        f"/A/{drill.code}/move": "select#location",
        "/audits/new": "select#location",
        audit.headers["Location"]: "select#room",
        "/labels": "select[name=location]",
        "/scan": "select#scan-place",
        "/locations/new": "select#parent",
    }
    for url, picker in pickers.items():
        soup = soup_of(client.get(url))
        texts = {o["value"]: o.get_text() for o in soup.select(f"{picker} option")}
        assert texts[str(office.id)].startswith("\u2002Office (Main site)"), (url, texts)
        assert texts[str(depot_office.id)].startswith("\u2002Office (Depot)"), (url, texts)


def test_what_a_move_and_an_audit_say_names_which_office(app):
    """Where two places share a name, the words after a move, an audit's scope,
    the walk's "belongs at", the places still to find, and the report name each
    by its label, as the register does."""
    from app.audits import audits, progress, walk
    from app.audits import report as audit_report
    from app.custody import custody

    lead = factories.make_user("lead")
    main, depot = factories.make_location("Main site"), factories.make_location("Depot")
    office = factories.make_location("Office", parent=main)
    depot_office = factories.make_location("Office", parent=depot)
    chair = factories.make_asset(actor=lead, name="Chair", location=office)
    desk = factories.make_asset(actor=lead, name="Desk", location=office)
    moved = custody.move(desk.code, actor=lead, location_id=depot_office.id)
    assert moved.message == "Moved to Depot › Office."
    audit = audits.start("Offices", actor=lead, location_id=depot.id)
    assert audits.scope_label(audit).startswith("Depot")
    audit = audits.start("Main offices", actor=lead, location_id=office.id)
    assert audits.scope_label(audit).startswith("Main site › Office")
    assert [(place, n) for _, place, n in progress.progress(audit).remaining] == [
        ("Main site › Office", 1)
    ]
    walk.say_room(audit.id, actor=lead, room_id=depot_office.id)
    ticked = walk.tick(audit.id, chair.code, actor=lead)
    assert "in Depot › Office, but it belongs at Main site › Office" in ticked.message
    lines = audit_report.build(audits.get(audit.id), UTC).lines
    assert [(line.name, line.detail) for line in lines] == [("Chair", "seen in Depot › Office")]


def test_lead_creates_and_renames_a_category(client, auth):
    """A category can be added, then renamed in place."""
    auth.login("lead")
    assert client.form("/categories/new", {"name": "Power tools"}).status_code == 303
    cat = Category.get(Category.name == "Power tools")
    assert client.form(f"/categories/{cat.id}/edit", {"name": "Hand tools"}).status_code == 303
    assert [c.name for c in Category.select()] == ["Hand tools"]
    soup, _ = client.soup("/categories")
    assert [a.get_text(strip=True) for a in soup.select("main .row-main")] == ["Hand tools"]


@pytest.mark.parametrize("url_kind", ["new", "rename"])
def test_duplicate_category_name_is_refused_ignoring_case(client, auth, url_kind):
    """Another category's name in any case is a 422 on the name field."""
    auth.login("lead")
    factories.make_category("Power tools")
    other = factories.make_category("Ladders")
    url = "/categories/new" if url_kind == "new" else f"/categories/{other.id}/edit"
    response = client.form(url, {"name": "power TOOLS"})
    assert response.status_code == 422
    assert "already" in field_error(soup_of(response), "name")
    assert sorted(c.name for c in Category.select()) == ["Ladders", "Power tools"]


def test_a_renamed_or_new_location_shows_on_asset_pages_at_once(client, auth):
    """Location paths are cached per process; a save here, or an id the cache has
    not seen, is never shown stale or blank."""
    lead = auth.login("lead")
    site = factories.make_location("Main site")
    room = factories.make_location("Store", site)
    asset = factories.make_asset(lead, name="Ladder", location=room.id)
    assert "Main site › Store" in client.get(f"/A/{asset.code}").get_data(as_text=True)
    places.update_location(room.id, "Store room", site.id)
    assert "Main site › Store room" in client.get(f"/A/{asset.code}").get_data(as_text=True)
    # A location made without the service (an import's bulk insert does this).
    shed = Location.create(name="Shed", parent=site, code="5HED00")
    Asset.update(location=shed).where(Asset.id == asset.id).execute()
    assert "Main site › Shed" in client.get(f"/A/{asset.code}").get_data(as_text=True)


def test_place_and_category_names_have_one_limit_the_form_and_the_service_share(client, auth):
    from app.errors import Invalid

    with pytest.raises(Invalid):
        places.create_location("x" * (places.LOCATION_NAME_MAX + 1))
    with pytest.raises(Invalid):
        places.save_category("x" * (places.CATEGORY_NAME_MAX + 1))
    assert places.create_location("x" * places.LOCATION_NAME_MAX).name
    auth.login("lead")
    soup = soup_of(client.get("/assets/new"))
    assert soup.select_one("#new_location")["maxlength"] == str(places.LOCATION_NAME_MAX)
    assert soup.select_one("#new_category")["maxlength"] == str(places.CATEGORY_NAME_MAX)


def test_the_category_list_says_which_need_a_signature_or_a_check(client, auth):
    """A lead sees on the list what each category asks at a handover and a return."""
    auth.login("lead")
    places.save_category("Laptops", signature_required=True)
    places.save_category("Radios", check_after_return="Clean and recharge")
    places.save_category("Chairs")
    soup, _ = client.soup("/categories")
    subs = {
        li.select_one(".row-main").get_text(): (li.select_one(".row-sub") or li).get_text()
        for li in soup.select("ul.rows li")
    }
    assert subs["Laptops"] == "Handover needs a signature"
    assert subs["Radios"] == "Check after each return: Clean and recharge"
    assert "signature" not in subs["Chairs"] and "Check" not in subs["Chairs"]
