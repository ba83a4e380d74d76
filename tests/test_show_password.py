"""Every box where someone chooses a new password has a "Show password" tick box:
hidden in the page (it needs forms.js, which shows it), and never on the sign-in
or current-password boxes."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.models import User

from . import factories
from .pages import soup_of


def assert_toggle_for_new_password(soup) -> None:
    boxes = soup.select("main input[type=checkbox][data-shows]")
    assert len(boxes) == 1
    target = soup.select_one(f"#{boxes[0]['data-shows']}")
    assert target["name"] == "password" and target["type"] == "password"
    assert target["autocomplete"] == "new-password"
    label = boxes[0].find_parent("label")
    assert label.get_text(strip=True) == "Show password"
    assert label.has_attr("hidden")  # without JavaScript it could do nothing: not shown
    assert soup.select_one("head script[src*='forms']") is not None


def test_setup_has_it(client):
    soup, _ = client.soup("/setup")
    assert_toggle_for_new_password(soup)


def test_change_my_password_has_it_on_the_new_one_only(client, auth):
    auth.login("member")
    soup, _ = client.soup("/account/password")
    assert_toggle_for_new_password(soup)
    assert soup.select_one("[data-shows=current]") is None


def test_invite_and_reset_links_have_it(app, client, auth):
    admin = User.get(User.role == "admin")
    auth.login("admin", user=admin)
    sent = soup_of(
        client.form(
            "/people/invite", {"name": "Kim", "email": "kim@example.test", "role": "member"}
        )
    )
    fresh = app.test_client()
    soup, _ = fresh.soup(urlsplit(sent.select_one("#link")["value"]).path)
    assert_toggle_for_new_password(soup)

    member = factories.make_user("member")
    sent = soup_of(client.form(f"/people/{member.id}/reset-link"))
    soup, _ = fresh.soup(urlsplit(sent.select_one("#link")["value"]).path)
    assert_toggle_for_new_password(soup)


def test_sign_in_has_none(client, auth):
    soup, _ = client.soup("/login")
    assert soup.select("[data-shows]") == []


def test_the_script_is_served_and_toggles_by_type(client):
    """The behaviour itself is walked in Chromium (test_onboarding_browser.py)."""
    soup, _ = client.soup("/setup")
    src = soup.select_one("head script[src*='forms']")["src"]
    response = client.get(src)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    response.close()
    assert 'field.type = box.checked ? "text" : "password"' in text
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in text
