"""A new organisation's home lists its first steps and ticks each one off from
the data; leads and admins see it until every step is done or it is hidden."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from app.audits import audits
from app.models import Setting, User
from app.ops import settings
from app.register import people

from . import factories
from .label_kit import assert_pdf


def steps(soup) -> dict[str, str]:
    """Each step's key and whether it is done."""
    return {li["data-step"]: li["class"][0] for li in soup.select("#getting-started li")}


def first_admin() -> User:
    return User.get(User.role == "admin")


def test_a_new_organisation_sees_every_step_to_do_with_its_next_step(client, auth):
    auth.login("admin", user=first_admin())
    soup, _ = client.soup("/")
    assert steps(soup) == dict.fromkeys(
        ["locations", "assets", "labels", "people", "audit"], "to-do"
    )
    box = soup.select_one("#getting-started")
    assert "0 of 5 done" in box.get_text(" ", strip=True)
    links = {a.get_text(strip=True): a["href"] for a in box.select("a")}
    assert links["Add a location"] == "/locations/new"
    assert links["Add the first asset"] == "/assets/new"
    assert links["Import a spreadsheet"] == "/assets/import"
    assert links["Invite the first person"] == "/people/invite"
    assert links["Start the first audit"] == "/audits/new"


def test_steps_tick_off_from_real_data(client, auth):
    admin = auth.login("admin", user=first_admin())
    factories.make_location("Workshop")
    soup, _ = client.soup("/")
    assert steps(soup)["locations"] == "done"
    assert steps(soup)["assets"] == "to-do"

    factories.make_asset(admin, name="Drill")
    factories.make_asset(admin, name="Saw")
    soup, _ = client.soup("/")
    assert steps(soup)["assets"] == "done"
    labels = soup.select_one("#getting-started li[data-step=labels]")
    assert "2 assets never had a label printed." in labels.get_text(" ", strip=True)
    link = labels.find("a", string="Print 2 labels")
    assert urlsplit(link["href"]).path == "/labels"
    assert parse_qs(urlsplit(link["href"]).query) == {"choice": ["unprinted"]}

    # Printing them through the print page records them, and the step ticks off.
    job = {"choice": "unprinted", "format": "avery-l7160", "start": "1", "copies": "1"}
    assert_pdf(client.form("/labels/pdf", job), "labels-avery-l7160")
    soup, _ = client.soup("/")
    assert steps(soup)["labels"] == "done"

    people.create_person(name="Holder Only")  # holds items, never signs in: not yet
    soup, _ = client.soup("/")
    assert steps(soup)["people"] == "to-do"
    factories.make_user("member", name="Sam Member")
    soup, _ = client.soup("/")
    assert steps(soup)["people"] == "done"
    assert "4 of 5 done" in soup.select_one("#getting-started h2").get_text(" ", strip=True)

    audits.start("First walk", actor=admin)
    soup, _ = client.soup("/")
    assert soup.select_one("#getting-started") is None  # all done: it goes away


def test_a_new_asset_after_printing_asks_for_its_label_again(client, auth):
    admin = auth.login("admin", user=first_admin())
    factories.make_asset(admin, name="Drill")
    job = {"choice": "unprinted", "format": "avery-l7160", "start": "1", "copies": "1"}
    assert_pdf(client.form("/labels/pdf", job), "labels-avery-l7160")
    factories.make_asset(admin, name="Ladder")
    soup, _ = client.soup("/")
    assert steps(soup)["labels"] == "to-do"
    assert soup.find("a", string="Print 1 label")


def test_members_never_see_it_and_cannot_hide_it(client, auth):
    auth.login("member")
    soup, _ = client.soup("/")
    assert soup.select_one("#getting-started") is None
    assert client.form("/getting-started/dismiss").status_code == 403
    assert Setting.get_or_none(Setting.key == "checklist_dismissed") is None


def test_a_lead_sees_it_without_links_the_role_may_not_open(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/")
    assert soup.select_one("#getting-started") is not None
    assert soup.select_one("#getting-started a[href='/admin/settings']") is None


def test_hiding_it_is_a_post_with_a_token_and_lasts(client, auth):
    auth.login("admin", user=first_admin())
    assert client.post("/getting-started/dismiss").status_code == 400  # no CSRF token
    assert client.get("/getting-started/dismiss").status_code == 405
    soup, _ = client.soup("/")
    form = soup.select_one("#getting-started form")
    assert form["method"] == "post" and form.select_one("input[name=csrf_token]")
    response = client.form(form["action"])
    assert response.status_code == 303 and urlsplit(response.headers["Location"]).path == "/"
    assert Setting.get_value("checklist_dismissed") == "yes"
    settings.clear_cache()
    soup, _ = client.soup("/")
    assert soup.select_one("#getting-started") is None
    assert "The getting-started list is hidden." in soup.select_one("#flash").get_text()


def test_the_list_costs_the_home_page_no_extra_query(client, auth, count_queries):
    """Its counts ride in the dashboard's counting query."""
    auth.login("admin", user=first_admin())
    client.get("/")
    settings.save({"checklist_dismissed": "yes"})
    with count_queries() as hidden:
        client.get("/")
    settings.save({"checklist_dismissed": ""})
    with count_queries() as shown:
        soup, _ = client.soup("/")
    assert soup.select_one("#getting-started") is not None
    assert len(shown) == len(hidden), shown
