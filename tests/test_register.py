"""The register: adding and editing assets and the asset list, through the real forms."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from app import codes
from app.models import Asset, Event
from app.register import assets

from . import factories
from .pages import counts, field_error, form_values, names_in, path_of, selected, soup_of

FULL = {
    "name": "Cordless drill",
    "manufacturer": "Makita",
    "model_name": "DHP482",
    "serial": "SN-1001",
    "purchase_date": "2025-01-15",
    "cost_cents": "1,234.50",
    "supplier": "Toolstation",
    "warranty_end": "2027-01-15",
    "notes": "Blue case",
}

# Adding an asset ----------------------------------------------------------


def test_lead_creates_asset_with_every_field(client, auth):
    """A full add form makes one Asset row with parsed values and one `created` event."""
    lead = auth.login("lead")
    cat, loc = factories.make_category("Power tools"), factories.make_location("Store")
    response = client.form("/assets/new", {**FULL, "category": cat.id, "location": loc.id})
    assert response.status_code == 303
    asset = Asset.get()
    assert path_of(response) == f"/A/{asset.code}"
    assert codes.is_valid(asset.code)
    parsed = {"cost_cents": 123450, "purchase_date": date(2025, 1, 15)}
    expected = {**FULL, **parsed, "warranty_end": date(2027, 1, 15), "status": "available"}
    assert {name: getattr(asset, name) for name in expected} == expected
    assert (asset.category_id, asset.location_id) == (cat.id, loc.id)
    assert [(e.kind, e.asset_id, e.actor_id) for e in Event.select()] == [
        ("created", asset.id, lead.id)
    ]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": ""}, "name", "name"),
        ({"purchase_date": "2026-13-45"}, "purchase_date", "YYYY-MM-DD"),
        ({"warranty_end": "soon"}, "warranty_end", "YYYY-MM-DD"),
        ({"cost_cents": "-5"}, "cost_cents", "negative"),
        ({"cost_cents": "12.345"}, "cost_cents", "two decimal"),
        ({"category": "9999"}, "category", "valid choice"),
        ({"location": "9999"}, "location", "valid choice"),
    ],
)
def test_invalid_add_rerenders_with_422_and_writes_nothing(client, auth, changes, field, message):
    """Each bad value is refused with 422, an error beside its own field, and no rows."""
    auth.login("lead")
    before = counts()
    response = client.form("/assets/new", {**FULL, **changes})
    assert response.status_code == 422
    assert counts() == before
    assert message.lower() in field_error(soup_of(response), field).lower()


@pytest.mark.parametrize("typed", ["SN-1001", "sn-1001", "  SN-1001 "])
def test_duplicate_serial_is_refused_case_insensitively(client, auth, typed):
    """A serial already on another asset, in any case, is a 422 naming that asset."""
    auth.login("lead")
    other = factories.make_asset(serial="SN-1001")
    before = counts()
    response = client.form("/assets/new", {"name": "Second drill", "serial": typed})
    assert response.status_code == 422
    assert counts() == before
    assert other.code in field_error(soup_of(response), "serial")


# Editing an asset ---------------------------------------------------------


def edit_page(client, asset) -> dict[str, str]:
    soup, response = client.soup(f"/assets/{asset.code}/edit")
    assert response.status_code == 200
    return form_values(soup)


@pytest.fixture
def ladder(auth):
    """A lead signed in, and an asset with a category, a location and most fields set."""
    lead = auth.login("lead")
    cat, loc = factories.make_category("Ladders"), factories.make_location("Yard")
    values = {"name": "Step ladder", "category": cat.id, "location": loc.id, "serial": "L-9"}
    return factories.make_asset(lead, **values, cost_cents=4999, purchase_date=date(2024, 5, 1))


def test_edit_form_shows_current_values(client, ladder):
    """The edit page pre-selects the asset's category and location and fills every field."""
    asset, cat, loc = ladder, ladder.category, ladder.location
    values = edit_page(client, asset)
    assert values["name"] == "Step ladder"
    assert (values["category"], values["location"]) == (str(cat.id), str(loc.id))
    assert (values["cost_cents"], values["purchase_date"]) == ("49.99", "2024-05-01")
    assert values["version"] == str(asset.version)


def test_edit_records_each_changed_field_before_and_after(client, auth):
    """One `edited` event whose data maps only the changed fields to [before, after]."""
    lead = auth.login("lead")
    asset = factories.make_asset(name="Drill", serial="S-1", cost_cents=10000)
    values = edit_page(client, asset)
    values.update(name="Big drill", cost_cents="1,234.50", notes="New battery")
    response = client.form(f"/assets/{asset.code}/edit", values)
    assert response.status_code == 303
    assert path_of(response) == f"/A/{asset.code}"
    edited = list(Event.select().where(Event.kind == "edited"))
    assert len(edited) == 1
    assert edited[0].actor_id == lead.id
    assert edited[0].data == {
        "name": ["Drill", "Big drill"],
        "cost_cents": [10000, 123450],
        "notes": ["", "New battery"],
    }
    fresh = Asset.get_by_id(asset.id)
    assert (fresh.name, fresh.cost_cents, fresh.version) == ("Big drill", 123450, asset.version + 1)


def test_unchanged_edit_writes_no_event(client, ladder):
    """Submitting the edit form as loaded changes nothing and records nothing."""
    asset, cat, loc = ladder, ladder.category, ladder.location
    before = counts()
    response = client.form(f"/assets/{asset.code}/edit", edit_page(client, asset))
    assert response.status_code == 303
    assert counts() == before
    fresh = Asset.get_by_id(asset.id)
    assert (fresh.category_id, fresh.location_id, fresh.version) == (cat.id, loc.id, asset.version)


def test_changing_location_writes_a_moved_event(client, auth):
    """A new location on the edit form is recorded as `moved`, not `edited`."""
    auth.login("lead")
    old, new = factories.make_location("Store"), factories.make_location("Van")
    asset = factories.make_asset(location=old.id)
    values = edit_page(client, asset)
    values["location"] = str(new.id)
    assert client.form(f"/assets/{asset.code}/edit", values).status_code == 303
    kinds = [e.kind for e in Event.select().where(Event.asset == asset).order_by(Event.id)]
    assert kinds == ["created", "moved"]
    moved = Event.get(Event.kind == "moved")
    assert (moved.location_id, moved.data) == (new.id, {"from": "Store", "to": "Van"})
    assert Asset.get_by_id(asset.id).location_id == new.id


def test_stale_version_gets_409_and_changes_nothing(client, auth):
    """An edit made against an old version is refused with a message, not applied."""
    auth.login("lead")
    asset = factories.make_asset(name="Drill")
    stale = edit_page(client, asset)
    first = {**stale, "name": "Drill (Bay 2)"}
    assert client.form(f"/assets/{asset.code}/edit", first).status_code == 303
    before = counts()
    response = client.form(f"/assets/{asset.code}/edit", {**stale, "name": "Hammer drill"})
    assert response.status_code == 409
    assert counts() == before
    assert Asset.get_by_id(asset.id).name == "Drill (Bay 2)"
    soup = soup_of(response)
    assert "someone else changed" in soup.select_one("main .flash-error").get_text().lower()
    assert form_values(soup)["version"] == str(asset.version + 1)


def test_service_edit_of_some_fields_keeps_the_others(auth):
    """update_asset with a partial dict changes only the fields it was given."""
    lead = factories.make_user("lead")
    asset = factories.make_asset(lead, name="Drill", serial="SN-7", manufacturer="Makita")
    changes = assets.update_asset(
        asset.code, {"name": "Big drill"}, version=asset.version, actor=lead
    )
    assert changes == {"name": ["Drill", "Big drill"]}
    fresh = Asset.get_by_id(asset.id)
    assert (fresh.name, fresh.serial, fresh.manufacturer) == ("Big drill", "SN-7", "Makita")


@pytest.mark.parametrize("method", ["get", "post"])
def test_members_cannot_add_or_edit(client, auth, method):
    """A member gets 403 from the add and edit pages, and nothing is written."""
    asset = factories.make_asset(name="Drill")
    auth.login("member")
    before = counts()
    for url in ("/assets/new", f"/assets/{asset.code}/edit"):
        if method == "get":
            response = client.get(url)
        else:
            response = client.form(url, {"name": "Sneaky", "version": asset.version})
        assert response.status_code == 403
        assert soup_of(response).select_one("main h1").get_text(strip=True) == "Not allowed"
    assert counts() == before
    assert Asset.get_by_id(asset.id).name == "Drill"


def test_signed_out_add_and_edit_redirect_to_sign_in(client, auth):
    """Signed-out visitors are sent to /login with next= the page they wanted."""
    asset = factories.make_asset()
    for url in ("/assets/new", f"/assets/{asset.code}/edit"):
        response = client.get(url)
        assert response.status_code == 302
        target = urlsplit(response.headers["Location"])
        assert target.path == "/login"
        assert parse_qs(target.query)["next"] == [url]


# The asset list -------------------------------------------------------------


@pytest.fixture
def stock(auth):
    """A small register with distinct searchable fields."""
    lead = auth.login("lead")
    site = factories.make_location("Site")
    room = factories.make_location("Room 4", parent=site)
    cat = factories.make_category("Ladders")
    made = {
        "drill": factories.make_asset(lead, name="Cordless Drill", serial="DR-77"),
        "ladder": factories.make_asset(
            lead, name="Step ladder", category=cat.id, location=room.id, manufacturer="Youngman"
        ),
        "saw": factories.make_asset(lead, name="Mitre saw", model_name="LS1019", location=site.id),
    }
    return made, {"site": site, "room": room, "cat": cat}


SEARCHES = {
    "drill": "Cordless Drill",
    "dr-77": "Cordless Drill",
    "ls1019": "Mitre saw",
    "YOUNGMAN": "Step ladder",
    "zzzz": None,
}


@pytest.mark.parametrize("query, expected", SEARCHES.items())
def test_search_matches_name_serial_model_maker(client, stock, query, expected):
    """The search box matches name, serial, model and manufacturer, ignoring case."""
    soup, _ = client.soup("/assets", query_string={"q": query})
    assert names_in(soup) == ([expected] if expected else [])


def test_search_matches_code_typed_loosely(client, stock):
    """A code typed in lower case with a hyphen finds its asset."""
    saw = stock[0]["saw"]
    soup, _ = client.soup("/assets", query_string={"q": codes.pretty(saw.code).lower()})
    assert names_in(soup) == ["Mitre saw"]


def test_filters_by_status_category_location_and_holder(client, stock):
    """Each filter narrows the list; a location includes the locations inside it."""
    made, places = stock
    holder = factories.make_holder("Sam Holder")
    Asset.update(holder=holder, status="checked_out").where(Asset.id == made["drill"].id).execute()
    cases = [
        ({"status": "checked_out"}, ["Cordless Drill"]),
        ({"category": places["cat"].id}, ["Step ladder"]),
        ({"location": places["site"].id}, ["Mitre saw", "Step ladder"]),
        ({"location": places["room"].id}, ["Step ladder"]),
        ({"holder": holder.id}, ["Cordless Drill"]),
    ]
    for args, expected in cases:
        soup, _ = client.soup("/assets", query_string=args)
        assert names_in(soup) == expected, args


def test_filter_form_offers_every_category_and_place_and_each_holder(client, stock):
    """Categories and places in name order (places as a tree, inner ones indented),
    only people who hold something, and what the search asked for chosen."""
    made, places = stock
    holder = factories.make_holder("Sam Holder")
    factories.make_holder("Idle Person")
    annex = factories.make_location("annex")
    Asset.update(holder=holder, status="checked_out").where(Asset.id == made["drill"].id).execute()
    soup, _ = client.soup(
        "/assets", query_string={"location": places["room"].id, "holder": holder.id}
    )

    def offered(name):
        options = soup.select(f"main form.filters select[name={name}] option")
        return [(option["value"], option.get_text()) for option in options]

    assert offered("category") == [("", "Any"), (str(places["cat"].id), "Ladders")]
    assert offered("location") == [
        ("", "Anywhere"),
        (str(annex.id), "annex"),
        (str(places["site"].id), "Site"),
        (str(places["room"].id), "\u2002Room 4"),
    ]
    assert offered("holder") == [("", "Anyone"), (str(holder.id), "Sam Holder")]
    assert (selected(soup, "category"), selected(soup, "location"), selected(soup, "holder")) == (
        "",
        str(places["room"].id),
        str(holder.id),
    )


def test_a_results_swap_reads_no_filter_choices(client, stock, count_queries):
    """As someone types, htmx swaps the results alone, which show no filter form:
    the categories, places and holders are not read for it."""
    swap = {"HX-Request": "true", "HX-Target": "asset-results"}
    with count_queries() as page_log:
        page = client.get("/assets?q=saw")
    with count_queries() as swap_log:
        fragment = client.get("/assets?q=saw", headers=swap)
    assert names_in(soup_of(page)) == names_in(soup_of(fragment)) == ["Mitre saw"]
    assert soup_of(fragment).select("select") == []
    assert len(swap_log) == len(page_log) - 3, f"{page_log}\n--- swap ---\n{swap_log}"


def test_list_pages_through_results(app, client, stock):
    """With a small page size the list shows one page at a time and links onward."""
    app.config["PAGE_SIZE"] = 2
    soup, _ = client.soup("/assets")
    assert names_in(soup) == ["Cordless Drill", "Mitre saw"]
    assert "page 1 of 2" in soup.select_one("#asset-results p.muted").get_text()
    following = soup.select_one("#asset-results nav.pager a")["href"]
    soup, _ = client.soup(following)
    assert names_in(soup) == ["Step ladder"]


def test_htmx_search_returns_only_the_results_fragment(client, stock):
    """HX-Target asset-results gets just the section; a plain GET the whole page."""
    fragment = client.get(
        "/assets?q=saw", headers={"HX-Request": "true", "HX-Target": "asset-results"}
    )
    text = fragment.get_data(as_text=True)
    assert "<html" not in text
    soup = soup_of(fragment)
    assert [tag.name for tag in soup.find_all(recursive=False)] == ["section"]
    assert soup.section["id"] == "asset-results"
    page = client.get("/assets?q=saw")
    assert "<html" in page.get_data(as_text=True)
    assert names_in(soup_of(page)) == names_in(soup) == ["Mitre saw"]
    for response in (fragment, page):
        assert "HX-Request" in response.headers["Vary"]


def test_boosted_request_gets_the_full_page(client, stock):
    """A boosted navigation carries HX-Request too, but must get a whole page."""
    response = client.get(
        "/assets",
        headers={"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "asset-results"},
    )
    assert "<html" in response.get_data(as_text=True)
    assert soup_of(response).select_one("main #asset-results") is not None


def test_browser_back_to_a_pushed_search_gets_the_full_page(client, stock):
    """Going back to a search URL htmx pushed asks with HX-History-Restore-Request:
    the answer must be the whole page, or the back button would show a fragment."""
    response = client.get(
        "/assets?q=drill",
        headers={
            "HX-Request": "true",
            "HX-History-Restore-Request": "true",
            "HX-Target": "asset-results",
        },
    )
    assert "<html" in response.get_data(as_text=True)
    assert soup_of(response).select_one("main #asset-results") is not None


@pytest.mark.parametrize("query", ["page=abc", "category=x", "location=1.5", "holder=-1"])
def test_bad_query_args_give_a_400_page(client, stock, query):
    """Malformed numbers in the query are a friendly 400 page, never a 500."""
    response = client.get(f"/assets?{query}")
    assert response.status_code == 400
    soup = soup_of(response)
    assert soup.select_one("main h1").get_text(strip=True) == "That request did not make sense"
