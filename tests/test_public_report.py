"""Report found / Report a problem: what anyone who scans a label can send, signed out."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from app.custody import custody
from app.extensions import limiter
from app.models import Event
from app.register import assets

from . import factories

CODE = "7K1M90"
SECRETS = ("Zebulon Quince", "Vault Seven", "Main Site")


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def path_of(response) -> str:
    return urlsplit(response.headers["Location"]).path


def reports() -> list[Event]:
    return list(Event.select().where(Event.kind == "public_report").order_by(Event.id))


@pytest.fixture(autouse=True)
def fresh_limits(app):
    # The limiter's memory storage lives as long as the process, across apps.
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def drill(auth):
    """An asset with a holder and a location, neither of which a stranger may see."""
    lead = factories.make_user("lead", name="Lena Lead")
    site = factories.make_location("Main Site")
    room = factories.make_location("Vault Seven", parent=site)
    asset = assets.create_asset(
        {"name": "Cordless drill", "location": room.id}, actor=lead, code=CODE
    )
    holder = factories.make_holder("Zebulon Quince")
    custody.check_out(CODE, actor=lead, today=asset.created_at.date(), holder_id=holder.id)
    return asset


def send(client, data: dict | None = None, code: str = CODE, **kwargs):
    values = {"name": "Sam Finder", "contact": "sam@example.test", "message": "Found it."}
    return client.form(f"/A/{code}/report", {**values, **(data or {})}, **kwargs)


def assert_nothing_private(response) -> None:
    text = soup_of(response).get_text(" ")
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} shown to a signed-out visitor"


def test_public_card_links_to_the_report_page(client, auth, drill):
    """Signed out: the card offers "Report found / Report a problem" → a full page with a form."""
    soup, response = client.soup(f"/a/{CODE.lower()}")
    assert response.status_code == 200
    link = soup.select_one("#public-card").find("a", string="Report found / Report a problem")
    assert link is not None
    assert link["href"] == f"/A/{CODE}/report"
    assert_nothing_private(response)

    soup, response = client.soup(link["href"])
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)
    assert soup.select_one("main h1").get_text(strip=True) == "Report found / Report a problem"
    assert "Cordless drill" in soup.select_one("main").get_text()
    form = soup.select_one("main form[method=post]")
    assert form["action"] == f"/A/{CODE}/report"
    names = {c["name"] for c in form.select("[name]")}
    assert {"csrf_token", "message", "name", "contact"} <= names
    assert_nothing_private(response)


def test_a_report_is_recorded_and_leads_see_it(client, auth, drill):
    """303 back to the report page with thanks; a public_report event with no actor."""
    response = send(
        client,
        {"name": "Sam Finder", "contact": "07700 900123", "message": "Left in the car park."},
    )
    assert response.status_code == 303
    assert path_of(response) == f"/A/{CODE}/report"
    thanks = client.get(path_of(response))
    assert thanks.status_code == 200
    flashes = [p.get_text(strip=True) for p in soup_of(thanks).select("#flash p.flash")]
    assert flashes == ["Thank you. The team has your message."]
    assert_nothing_private(thanks)

    (event,) = reports()
    assert event.asset_id == drill.id
    assert event.actor_id is None
    assert event.note == "Left in the car park."
    assert event.data == {"name": "Sam Finder", "contact": "07700 900123"}

    # A stranger's message proves nothing about where the item is or who has it.
    fresh = assets.get_by_code(CODE)
    assert (fresh.status, fresh.holder.name) == ("checked_out", "Zebulon Quince")

    auth.login("lead")
    soup, _ = client.soup(f"/A/{CODE}")
    first = soup.select_one("#history ol.timeline > li")
    text = first.get_text(" ", strip=True)
    assert "Message from someone who scanned the label" in text
    assert "Sam Finder" in text and "07700 900123" in text and "Left in the car park." in text

    soup, response = client.soup("/activity")
    assert response.status_code == 200
    feed = soup.select_one("main").get_text(" ", strip=True)
    assert "Message from someone who scanned the label · Sam Finder" in feed
    assert "Left in the car park." in feed


def test_a_report_needs_only_a_message(client, auth, drill):
    response = send(client, {"name": "", "contact": "", "message": "Blade is blunt"})
    assert response.status_code == 303
    (event,) = reports()
    assert (event.note, event.data) == ("Blade is blunt", {"name": "", "contact": ""})


@pytest.mark.parametrize("message", ["", "   "])
def test_an_empty_message_is_422_and_writes_nothing(client, auth, drill, message):
    before = Event.select().count()
    response = send(client, {"message": message})
    assert response.status_code == 422
    soup = soup_of(response)
    field = soup.select_one("main textarea[name=message]").find_parent(class_="field")
    assert "has-error" in field["class"]
    assert field.select_one("p.error").get_text(strip=True)
    # What was typed is kept.
    assert soup.select_one("main input[name=name]")["value"] == "Sam Finder"
    assert Event.select().count() == before
    assert_nothing_private(response)


def test_a_message_over_2000_characters_is_422(client, auth, drill):
    before = Event.select().count()
    response = send(client, {"message": "x" * 2001})
    assert response.status_code == 422
    assert Event.select().count() == before


@pytest.mark.parametrize("code", ["ZZZZZZ", "%%%", "U"])
def test_a_wrong_code_is_404(client, auth, drill, code):
    before = Event.select().count()
    assert client.get(f"/A/{code}/report").status_code == 404
    assert send(client, code=code).status_code == 404
    assert Event.select().count() == before


def test_the_same_form_sent_twice_is_one_report(client, auth, drill):
    """The form's key makes a resend (back button, double tap) write nothing more."""
    for _ in range(2):
        assert send(client, {"key": "public-key-0001"}).status_code == 303
    assert len(reports()) == 1


def test_the_sixth_report_in_a_minute_is_429(client, auth, drill):
    """Five per minute per address; the sixth is refused and writes nothing."""
    for n in range(5):
        assert send(client, {"message": f"Report {n}"}).status_code == 303
    before = Event.select().count()
    response = send(client, {"message": "One too many"})
    assert response.status_code == 429
    assert soup_of(response).select_one("main h1").get_text(strip=True) == "Slow down"
    assert Event.select().count() == before
    assert [e.note for e in reports()] == [f"Report {n}" for n in range(5)]

    # Another phone is unaffected.
    other = send(client, {"message": "From elsewhere"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 303
    assert reports()[-1].note == "From elsewhere"

    # Reading the page is not limited.
    assert client.get(f"/A/{CODE}/report").status_code == 200


def test_a_strangers_words_are_shown_as_text_to_leads(client, auth, drill):
    """Name, contact and message come from anyone: leads see them escaped, never as markup."""
    evil = "<script>alert(1)</script>"
    send(client, {"name": evil, "contact": "<b>x</b>", "message": f"<img src=x> {evil}"})
    auth.login("lead")
    for url in (f"/A/{CODE}", "/activity"):
        soup, response = client.soup(url)
        assert soup.select("main script, main img, main b") == []
        assert evil in soup.select_one("main").get_text()
        assert "<script>alert" not in response.get_data(as_text=True)
