"""What a scanned label's pages offer around the asset itself: "Sign in" on every
signed-out page, who may read a finder's details, attaching a blank label, old
labels, and the "Report found" thank-you."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app import codes
from app.custody import rules as custody_rules
from app.models import Asset, Event, Location, User
from app.register import label_codes

from . import factories


def _sign_in_link(soup):
    """The header's "Sign in" link (every signed-out page has one)."""
    links = soup.select("header a")
    found = [a for a in links if a.get_text(strip=True) == "Sign in"]
    assert len(found) == 1, [a.get_text(strip=True) for a in links]
    return found[0]["href"]


def _follow_sign_in(client, href: str, user: User) -> str:
    """Open the sign-in link, post its form as a browser would; where it lands."""
    login, response = client.soup(href)
    assert response.status_code == 200
    form = login.select_one("main form")
    values = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    values.update(email=user.email, password=factories.PASSWORD)
    answer = client.post(form["action"], data=values)
    assert answer.status_code == 303
    return answer.headers["Location"]


@pytest.fixture
def blank(auth):
    lead = factories.make_user("lead")
    return label_codes.reserve_blanks(1, lead)[0]


def test_signed_out_blank_label_offers_sign_in_and_returns_to_set_it_up(client, auth, blank):
    """A lead who scans a blank label signed out signs in from it and can then set it up."""
    soup, response = client.soup(f"/a/{blank.lower()}")
    assert response.status_code == 200
    assert soup.h1.get_text(strip=True) == "This label is not in use yet"
    href = _sign_in_link(soup)
    assert parse_qs(urlsplit(href).query)["next"] == [f"/A/{blank}"]
    # The card itself says so too, with the same way back.
    card_links = [a["href"] for a in soup.select("main a") if a.get_text(strip=True) == "Sign in"]
    assert card_links == [href]

    lead = factories.make_user("lead", email="lee@example.test")
    assert _follow_sign_in(client, href, lead) == f"/A/{blank}"
    soup, _ = client.soup(f"/A/{blank}")
    actions = [a.get_text(strip=True) for a in soup.select("main .card-actions a")]
    assert "Create a new asset with this label" in actions


@pytest.mark.parametrize("page", ["asset", "report", "location", "not_found", "find"])
def test_every_signed_out_page_carries_sign_in_back_to_itself(client, auth, page):
    """The public card, "Report found", a location label, and not-found pages."""
    asset = factories.make_asset(name="Laser level")
    place = Location.create(name="Store room", code="7K3M9Q")
    url, back = {
        "asset": (f"/a/{asset.code.lower()}", f"/A/{asset.code}"),
        "report": (f"/A/{asset.code}/report", f"/A/{asset.code}/report"),
        "location": (f"/l/{place.code.lower()}", f"/L/{place.code}"),
        "not_found": ("/A/ZZZZZZ", "/A/ZZZZZZ"),
        "find": ("/find?code=nothing", "/find?code=nothing"),
    }[page]
    soup, _ = client.soup(url)
    href = _sign_in_link(soup)
    assert parse_qs(urlsplit(href).query)["next"] == [back]
    member = factories.make_user("member")
    assert _follow_sign_in(client, href, member) == back


def test_sign_in_is_not_offered_to_the_signed_in_nor_on_the_sign_in_page(client, auth):
    soup, _ = client.soup("/login")
    assert [a for a in soup.select("header a") if a.get_text(strip=True) == "Sign in"] == []
    auth.login("member")
    asset = factories.make_asset(name="Laser level")
    soup, _ = client.soup(f"/A/{asset.code}")
    assert [a for a in soup.select("a") if a.get_text(strip=True) == "Sign in"] == []


def test_a_crafted_next_on_the_sign_in_link_still_goes_nowhere_else(client, auth):
    """The header link carries this page's path; login still validates whatever arrives."""
    member = factories.make_user("member")
    href = "/login?next=//evil.example/A/1"
    assert _follow_sign_in(client, href, member) == "/"


# A finder's details --------------------------------------------------------------

FINDER = {"name": "Fran Finder", "contact": "07700 900123", "message": "Found it by gate 4"}


def _report(client, asset) -> None:
    client.form(f"/A/{asset.code}/report", {**FINDER, "key": "finder-1"})


def _history_entries(soup) -> list[str]:
    return [li.get_text(" ", strip=True) for li in soup.select("#history #timeline > li")]


def test_a_member_sees_that_a_finder_wrote_not_who_or_how_to_reach_them(client, auth):
    """docs/custody.md's promise: only leads read a finder's details."""
    asset = factories.make_asset(name="Laser level")
    _report(client, asset)
    assert Event.select().where(Event.kind == "public_report").count() == 1
    auth.login("member")
    soup, _ = client.soup(f"/A/{asset.code}")
    entries = [t for t in _history_entries(soup) if "scanned the label" in t]
    assert len(entries) == 1
    assert "leads can read it" in entries[0]
    page = soup.get_text(" ")
    for secret in FINDER.values():
        assert secret not in page


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_a_lead_reads_the_finders_words_name_and_contact(client, auth, role):
    asset = factories.make_asset(name="Laser level")
    _report(client, asset)
    auth.login(role)
    soup, _ = client.soup(f"/A/{asset.code}")
    entries = [t for t in _history_entries(soup) if "scanned the label" in t]
    assert len(entries) == 1
    for value in FINDER.values():
        assert value in entries[0]
    assert "leads can read it" not in entries[0]


def test_who_may_read_a_finder_is_one_rule(auth):
    assert not custody_rules.may_read_finder(None)
    assert not custody_rules.may_read_finder(factories.make_user("member"))
    assert custody_rules.may_read_finder(factories.make_user("lead"))
    assert custody_rules.may_read_finder(factories.make_user("admin"))


# Small snags ---------------------------------------------------------------------


def test_attaching_a_blank_with_one_match_has_it_chosen_already(client, auth, blank):
    """One search result comes ticked, so "Attach label" is the next tap."""
    auth.login("lead")
    drill = factories.make_asset(name="Hammer drill")
    factories.make_asset(name="Laser level")
    soup, _ = client.soup(f"/A/{blank}/bind/attach", query_string={"q": "hammer"})
    (radio,) = soup.select("main input[name=asset]")
    assert radio["value"] == drill.code and radio.has_attr("checked")
    # Several matches: none is chosen for the person.
    factories.make_asset(name="Hammer drill (spare)")
    soup, _ = client.soup(f"/A/{blank}/bind/attach", query_string={"q": "hammer"})
    radios = soup.select("main input[name=asset]")
    assert len(radios) == 2 and not any(r.has_attr("checked") for r in radios)
    # Sending the chosen one as the page has it attaches the label.
    soup, _ = client.soup(f"/A/{blank}/bind/attach", query_string={"q": "laser"})
    form = soup.select_one("main form[method=post]")
    values = {i["name"]: i["value"] for i in form.select("input") if i.has_attr("checked")}
    values.update({i["name"]: i["value"] for i in form.select("input[type=hidden]")})
    response = client.post(form["action"], data=values)
    assert response.status_code == 303
    assert Asset.get(Asset.name == "Laser level").code == blank


def test_an_old_label_opens_its_asset_with_a_note_when_signed_in(client, auth):
    """No "Go to…" page in between: the asset, and a note that the label was replaced."""
    lead = auth.login("lead")
    drill = factories.make_asset(lead, name="Hammer drill")
    old = drill.code
    new = label_codes.relabel(old, lead).code
    soup, response = client.soup(f"/a/{old.lower()}")
    assert response.status_code == 200
    assert soup.select_one("#status-card h1").get_text(strip=True) == "Hammer drill"
    note = soup.select_one("main #label-replaced").get_text(" ", strip=True)
    assert codes.pretty(old) in note and codes.pretty(new) in note
    assert soup.select_one("link[rel=canonical]")["href"] == f"/A/{new}"
    # The asset's own code opens it without the note.
    soup, _ = client.soup(f"/A/{new}")
    assert soup.select_one("#label-replaced") is None


def test_an_old_label_signed_out_says_replaced_and_shows_nothing_private(client, auth):
    lead = factories.make_user("lead")
    drill = factories.make_asset(lead, name="Hammer drill")
    old = drill.code
    label_codes.relabel(old, lead)
    soup, _ = client.soup(f"/A/{old}")
    assert soup.select_one("main h1").get_text(strip=True) == "This label was replaced"
    assert soup.select("#status-card, #history") == []
    _sign_in_link(soup)


def test_after_report_found_is_sent_the_thanks_stand_alone(client, auth):
    """The thank-you page has no empty form under it; one tap sends another."""
    asset = factories.make_asset(name="Laser level")
    response = client.form(f"/A/{asset.code}/report", {**FINDER, "key": "finder-2"})
    assert response.status_code == 303
    soup, _ = client.soup(response.headers["Location"])
    flashes = [p.get_text(strip=True) for p in soup.select("#flash p.flash")]
    assert flashes == ["Thank you. The team has your message."]
    assert soup.select("main form, main textarea") == []
    assert "Laser level" in soup.select_one("#report-sent").get_text()
    again = [a["href"] for a in soup.select("main a") if "another" in a.get_text()]
    assert again == [f"/A/{asset.code}/report"]
    soup, _ = client.soup(again[0])
    assert soup.select_one("main form textarea[name=message]") is not None
    assert Event.select().where(Event.kind == "public_report").count() == 1


@pytest.mark.parametrize("kind", ["blank", "replaced"])
def test_a_typed_blank_or_old_label_code_is_found_too(client, auth, kind):
    """ "Find by code" (and /scan without JavaScript) reach what a scan would."""
    lead = auth.login("lead")
    if kind == "blank":
        code = label_codes.reserve_blanks(1, lead)[0]
    else:
        drill = factories.make_asset(lead, name="Hammer drill")
        code = drill.code
        label_codes.relabel(code, lead)
    response = client.get("/find", query_string={"code": f"{code[:3].lower()}-{code[3:]}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/A/{code}"
