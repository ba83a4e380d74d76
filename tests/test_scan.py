"""What a label scan opens: /A/<code>, /L/<code>, the public card and /find."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import url_for

from app import codes
from app.models import Asset, Event, User
from app.ops import settings
from app.register import assets

from . import factories
from .test_query_counts import BUDGET

CODE = "7K1M90"  # holds a 1 and a 0, so O, I and L stand-ins can be typed


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def path_of(response) -> str:
    return urlsplit(response.headers["Location"]).path


def card_state(soup) -> dict[str, str]:
    """The status card's name, status line and its Held by / Where pairs."""
    card = soup.select_one("#status-card")
    state = {
        "name": card.h1.get_text(strip=True),
        "status": card.select_one(".status-line").get_text(strip=True),
    }
    for dt in card.select("dl.state dt"):
        state[dt.get_text(strip=True)] = dt.find_next_sibling("dd").get_text(strip=True)
    return state


@pytest.fixture
def drill(auth):
    """An asset with a known code, a category, a location inside a site, and a holder."""
    lead = factories.make_user("lead", name="Lena Lead")
    site = factories.make_location("Main Site")
    room = factories.make_location("Vault Seven", parent=site)
    cat = factories.make_category("Power tools")
    asset = assets.create_asset(
        {
            "name": "Cordless drill",
            "category": cat.id,
            "location": room.id,
            "serial": "SN-42",
            "manufacturer": "Makita",
        },
        actor=lead,
        code=CODE,
    )
    holder = factories.make_holder("Zebulon Quince")
    Asset.update(holder=holder, status="checked_out").where(Asset.id == asset.id).execute()
    # The form always sends every field; so does this edit.
    values = {
        "name": "Cordless drill",
        "category": cat.id,
        "location": room.id,
        "serial": "SN-42",
        "manufacturer": "Makita",
        "notes": "Spare battery",
    }
    assets.update_asset(CODE, values, version=asset.version, actor=lead)
    return asset


# Signed in -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/A/{CODE}",
        f"/a/{CODE.lower()}",
        "/A/7K1-M90",
        "/a/7k1-m90",
        "/a/7kim9o",
        "/a/7KLM9O",
        "/A/7k1 m90",
    ],
)
def test_every_typed_form_of_the_code_opens_the_same_asset(client, auth, drill, url):
    """Case, a hyphen or space, and O/I/L stand-ins all reach the one asset page."""
    auth.login("member")
    soup, response = client.soup(url)
    assert response.status_code == 200
    assert card_state(soup) == {
        "name": "Cordless drill",
        "status": "Checked out",
        "Held by": "Zebulon Quince",
        "Where": "Main Site › Vault Seven",
    }
    assert soup.select_one("#status-card .code").get_text(strip=True) == "7K1-M90"
    details = soup.select_one("#details").get_text(" ", strip=True)
    assert "Power tools" in details and "SN-42" in details and "Makita" in details


def test_history_is_newest_first(client, auth, drill):
    """The history lists the edit above the creation, with who did it."""
    auth.login("member")
    soup, _ = client.soup(f"/A/{CODE}")
    entries = [li.p.get_text(" ", strip=True) for li in soup.select("#history ol.timeline > li")]
    assert [e.split(" by ")[0] for e in entries] == ["Details edited", "Added"]
    assert all("Lena Lead" in e for e in entries)
    change = soup.select_one("#history .changes li").get_text(" ", strip=True)
    assert change == "notes: — → Spare battery"


def test_url_for_builds_the_upper_case_label_form(app):
    """Links and labels use /A/<CODE>, the form a QR code holds in alphanumeric mode."""
    with app.test_request_context():
        assert url_for("scan.asset", code="7K1M90") == "/A/7K1M90"
        assert url_for("scan.location", code="ABC123") == "/L/ABC123"


# Signed out ------------------------------------------------------------------


def test_public_card_shows_only_what_the_label_already_says(client, auth, drill):
    """Signed out: organisation, name, code and Sign in; no holder, location or history."""
    settings.save({"org_name": "Acme Workshop"})
    soup, response = client.soup(f"/a/{CODE.lower()}")
    assert response.status_code == 200
    card = soup.select_one("#public-card")
    assert card.h1.get_text(strip=True) == "Cordless drill"
    assert "Acme Workshop" in card.get_text()
    assert card.select_one(".code").get_text(strip=True) == "7K1-M90"
    link = card.find("a", string="Sign in")
    assert parse_qs(urlsplit(link["href"]).query)["next"] == [f"/A/{CODE}"]
    text = soup.get_text()
    for secret in ("Zebulon Quince", "Vault Seven", "Main Site", "Spare battery", "SN-42"):
        assert secret not in text
    assert soup.select("#status-card, #history, #details") == []


def test_sign_in_from_the_public_card_lands_back_on_the_asset(client, auth, drill):
    """Public card → Sign in → the login form's next → 303 to /A/<CODE> with the status card."""
    member = factories.make_user("member")
    soup, _ = client.soup(f"/a/{CODE.lower()}")
    login_soup, _ = client.soup(soup.find("a", string="Sign in")["href"])
    form = login_soup.select_one("main form")
    values = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    values.update(email=member.email, password=factories.PASSWORD)
    assert values["next"] == f"/A/{CODE}"
    response = client.post(form["action"], data=values)
    assert response.status_code == 303
    assert path_of(response) == f"/A/{CODE}"
    soup, _ = client.soup(path_of(response))
    assert card_state(soup)["Held by"] == "Zebulon Quince"


# Not found -------------------------------------------------------------------


def find_form(soup):
    """The code box on a not-found page: a GET form to /find with an input named code."""
    form = soup.select_one("main form")
    assert form["action"] == "/find" and form["method"].lower() == "get"
    return form.select_one("input[name=code]")


@pytest.mark.parametrize("signed_in", [True, False])
def test_unknown_code_is_a_404_with_a_find_box(client, auth, drill, signed_in):
    """A well-formed code that no asset has gets a 404 page offering to type it again."""
    if signed_in:
        auth.login("member")
    soup, response = client.soup("/A/ZZZZZZ")
    assert response.status_code == 404
    assert soup.select_one("main h1").get_text(strip=True) == "No asset with that code"
    assert find_form(soup)["value"] == "ZZZZZZ"


@pytest.mark.parametrize(
    "url", ["/A/%%%", "/A/TOOLONGCODE", "/A/U", "/a/-", "/A/%00", "/L/%%%", "/L/U"]
)
def test_malformed_codes_are_404_not_500(client, auth, url):
    """Anything that cannot be a code is a friendly 404 with the find box."""
    auth.login("member")
    soup, response = client.soup(url)
    assert response.status_code == 404
    assert find_form(soup) is not None


def test_find_redirects_a_typed_code_to_its_asset(client, auth, drill):
    """The find box normalises what was typed and goes to the canonical /A/ URL."""
    response = client.get("/find", query_string={"code": " 7k1-m9o "})
    assert response.status_code in (302, 303)
    assert path_of(response) == f"/A/{CODE}"


def test_find_redirects_a_location_code_to_its_location(client, auth, drill):
    """A location's code typed into the find box goes to /L/<CODE>."""
    room = drill.location
    response = client.get("/find", query_string={"code": codes.pretty(room.code).lower()})
    assert response.status_code in (302, 303)
    assert path_of(response) == f"/L/{room.code}"


@pytest.mark.parametrize("typed", ["nonsense", "<script>alert(1)</script>"])
def test_find_unknown_text_is_a_404_showing_it_escaped(client, auth, typed):
    """Unfindable text is echoed back as text, never as markup."""
    response = client.get("/find", query_string={"code": typed})
    assert response.status_code == 404
    soup = soup_of(response)
    assert soup.select_one("main strong.code").get_text() == typed
    assert find_form(soup)["value"] == typed
    assert soup.select("main script") == []
    assert "<script>alert" not in response.get_data(as_text=True)


# Locations -------------------------------------------------------------------


def test_location_page_lists_its_assets_when_signed_in(client, auth, drill):
    """A room's label shows what is kept there, and a site's includes its rooms."""
    factories.make_asset(name="Elsewhere thing")
    auth.login("member")
    room, site = drill.location, drill.location.parent
    for place in (room, site):
        soup, response = client.soup(f"/l/{place.code.lower()}")
        assert response.status_code == 200
        names = [s.get_text(strip=True) for s in soup.select("main .row-main strong")]
        assert names == ["Cordless drill"]


def test_location_page_signed_out_shows_no_assets(client, auth, drill):
    """Signed out, a location label shows its name and Sign in, and no asset names."""
    room = drill.location
    soup, response = client.soup(f"/L/{room.code}")
    assert response.status_code == 200
    assert soup.select_one("main h1").get_text(strip=True) == "Vault Seven"
    assert "Cordless drill" not in soup.get_text()
    assert soup.select("main .rows") == []
    assert soup.find("a", string="Sign in") is not None


# History paging and query count -----------------------------------------------


def edit_many(asset: Asset, times: int, actor: User) -> None:
    for n in range(times):
        assets.update_asset(
            asset.code, {"name": f"Drill mark {n + 1}"}, version=asset.version + n, actor=actor
        )


def test_history_is_paged_newest_first(client, auth):
    """31 events: pages of HISTORY_PAGE, newest first, linked Older and Newer."""
    per = assets.HISTORY_PAGE
    lead = auth.login("lead")
    asset = factories.make_asset(lead, name="Drill")
    edit_many(asset, 30, lead)
    assert Event.select().where(Event.asset == asset).count() == 31
    soup, _ = client.soup(f"/A/{asset.code}")
    items = soup.select("#history ol.timeline > li")
    assert len(items) == per
    assert "Drill mark 29 → Drill mark 30" in items[0].get_text(" ", strip=True)
    pager = {a.get_text(strip=True): a["href"] for a in soup.select("#history nav.pager a")}
    assert list(pager) == ["Older"]
    seen, url = len(items), pager["Older"]
    while url:
        soup, _ = client.soup(url)
        items = soup.select("#history ol.timeline > li")
        seen += len(items)
        links = {a.get_text(strip=True): a["href"] for a in soup.select("#history nav.pager a")}
        assert "Newer" in links
        url = links.get("Older")
    assert seen == 31
    assert items[-1].p.get_text(strip=True).startswith("Added")


def test_asset_page_query_count_does_not_grow_with_history(client, auth, count_queries):
    """The asset page runs the same few queries for 1 event as for 30 (no N+1)."""
    lead = auth.login("lead")
    holder = factories.make_holder("Hana Holder")
    room = factories.make_location("Store")
    short = factories.make_asset(lead, name="Short history", location=room.id)
    long = factories.make_asset(lead, name="Long history", location=room.id)
    edit_many(long, 30, lead)
    Asset.update(holder=holder).execute()

    def queries(asset: Asset) -> int:
        with count_queries(at_most=BUDGET["asset"]) as calls:
            soup, response = client.soup(f"/A/{asset.code}")
        assert response.status_code == 200
        assert soup.select("#history ol.timeline > li")
        return len(calls)

    counted = queries(short), queries(long)
    assert counted[0] > 0
    assert counted[0] == counted[1], counted
