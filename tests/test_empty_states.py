"""Each empty list says what it is for and offers the next step, only to those
who may take it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app.models import User

from . import factories


def hrefs(box) -> set[str]:
    return {urlsplit(a["href"]).path for a in box.select("a")}


# page, the empty box's id, the link a lead is offered, a word from its sentence
LISTS = [
    ("/assets", "register-empty", "/assets/new", "every item you track"),
    ("/locations", "locations-empty", "/locations/new", "rooms and shelves"),
    ("/categories", "categories-empty", "/categories/new", "kinds"),
    ("/audits", "audits-empty", "/audits/new", "walk round"),
]


@pytest.mark.parametrize(("url", "box_id", "link", "words"), LISTS)
def test_an_empty_list_says_what_it_is_for_and_offers_a_lead_the_next_step(
    client, auth, url, box_id, link, words
):
    auth.login("lead")
    soup, response = client.soup(url)
    assert response.status_code == 200
    box = soup.select_one(f"#{box_id}")
    assert box is not None, url
    assert words in box.get_text(" ", strip=True)
    assert link in hrefs(box)


@pytest.mark.parametrize(("url", "box_id", "link", "words"), LISTS)
def test_a_member_is_told_who_adds_and_offered_no_link_they_cannot_use(
    client, auth, url, box_id, link, words
):
    auth.login("member")
    soup, _ = client.soup(url)
    box = soup.select_one(f"#{box_id}")
    assert words in box.get_text(" ", strip=True)
    assert link not in hrefs(box)
    assert box.select_one(".hint") is not None


def test_the_empty_register_offers_import_to_leads(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/assets")
    assert "/assets/import" in hrefs(soup.select_one("#register-empty"))


def test_a_search_that_finds_nothing_offers_to_clear_it_not_to_start(client, auth):
    lead = auth.login("lead")
    factories.make_asset(lead, name="Drill")
    soup, _ = client.soup("/assets?q=ladder&status=")
    box = soup.select_one("#register-empty")
    assert "No assets match." in box.get_text()
    assert hrefs(box) == {"/assets"}
    # The htmx swap of the results carries the same box.
    response = client.get(
        "/assets?q=ladder",
        headers={"HX-Request": "true", "HX-Target": "asset-results"},
    )
    assert 'id="register-empty"' in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)


def test_lists_with_rows_show_no_empty_state(client, auth):
    lead = auth.login("lead")
    location = factories.make_location("Workshop")
    factories.make_category("Ladders")
    factories.make_asset(lead, name="Drill", location=location.id)
    for url, box_id, _, _ in LISTS[:3]:
        soup, _ = client.soup(url)
        assert soup.select_one(f"#{box_id}") is None, url


def test_people_alone_on_the_list_are_asked_to_invite(client, auth):
    admin = User.get(User.role == "admin")
    auth.login("admin", user=admin)
    soup, _ = client.soup("/people")
    assert "/people/invite" in hrefs(soup.select_one("#people-empty"))
    factories.make_user("member")
    soup, _ = client.soup("/people")
    assert soup.select_one("#people-empty") is None


def test_empty_activity_says_what_will_show_there(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/activity")
    box = soup.select_one("#activity-empty")
    assert "newest first" in box.get_text()
    assert "/assets/new" in hrefs(box)


def test_nothing_left_to_print_says_so(client, auth):
    lead = auth.login("lead")
    factories.make_asset(lead, name="Drill")
    job = {"choice": "unprinted", "format": "avery-l7160", "start": "1", "copies": "1"}
    assert client.form("/labels/pdf", job).status_code == 200
    soup, _ = client.soup("/labels", query_string=job)
    assert "Every asset's label has been printed." in soup.select_one("#print-empty").get_text()


def test_holding_nothing_points_at_the_scanner(client, auth):
    auth.login("member")
    soup, _ = client.soup("/")
    mine = soup.select_one("#my-items")
    assert "You hold nothing right now." in mine.get_text()
    assert "/scan" in hrefs(mine)
