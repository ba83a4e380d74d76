"""The Settings page: every wrong field is named at once, and nothing is saved
until all of them are right."""

from __future__ import annotations

from app.ops import settings

from .pages import soup_of

GOOD = {
    "org_name": "  Harbour Works ",
    "public_url": "https://tags.example.org/",
    "timezone": "Europe/London",
    "audit_interval_days": "90",
    "paper_size": "a4",
}


def test_every_wrong_field_is_named_and_nothing_is_saved(app, client, auth):
    app.config["PUBLIC_URL"] = ""  # not pinned by the server: the page checks it
    auth.login("admin")
    before = settings.saved()
    bad = {
        "org_name": "  ",
        "audit_interval_days": "0",
        "public_url": "tags.example.org",
        "timezone": "Mars/Olympus",
        "paper_size": "a3",
    }
    response = client.form("/admin/settings", bad)
    assert response.status_code == 422
    text = soup_of(response).get_text(" ", strip=True)
    assert "Give a full address" in text
    assert "Choose a time zone from the list." in text
    assert "Choose A4 or US Letter." in text
    assert "Give the organisation's name." in text
    assert "Give a number of days from 1 to 3650." in text
    settings.clear_cache()
    assert settings.saved() == before


def test_good_settings_are_saved_tidied(app, client, auth):
    app.config["PUBLIC_URL"] = ""  # not pinned by the server, so the page saves it
    auth.login("admin")
    response = client.form("/admin/settings", GOOD)
    assert response.status_code == 303
    settings.clear_cache()
    saved = settings.saved()
    assert saved["org_name"] == "Harbour Works"
    assert saved["public_url"] == "https://tags.example.org"  # no trailing slash
    assert saved["timezone"] == "Europe/London"


def test_absurd_values_are_refused_with_a_message(app, client, auth):
    app.config["PUBLIC_URL"] = ""
    auth.login("admin")
    for field, value in [
        ("audit_interval_days", "99999999999999999999"),
        ("audit_interval_days", "-5"),
        ("audit_interval_days", "ten"),
        ("org_name", "x" * 500),
        ("public_url", "https://" + "a" * 300 + ".example"),
        ("timezone", "Europe/" + "x" * 200),
    ]:
        response = client.form("/admin/settings", {**GOOD, field: value})
        assert response.status_code == 422, (field, value)


def test_a_value_the_server_sets_is_shown_read_only_saying_where(app, client, auth):
    """TAGTRAIL_PUBLIC_URL (here the test config's PUBLIC_URL) wins over the
    saved address: the field is read-only and says where it is set. The name,
    not set by the server, stays editable; once it is, it is read-only too."""
    auth.login("admin")
    soup, _ = client.soup("/admin/settings")
    url = soup.select_one("input[name=public_url]")
    assert url.has_attr("readonly")
    assert "Set by the server's configuration (TAGTRAIL_PUBLIC_URL)" in (
        url.find_parent(class_="field").get_text(" ", strip=True)
    )
    name = soup.select_one("input[name=org_name]")
    assert not name.has_attr("readonly")
    assert "configuration" not in name.find_parent(class_="field").get_text()

    app.config["ORG_NAME"] = "Env Org"
    app.config["PUBLIC_URL"] = ""
    settings.clear_cache()
    soup, _ = client.soup("/admin/settings")
    name = soup.select_one("input[name=org_name]")
    assert name.has_attr("readonly")
    assert "(TAGTRAIL_ORG_NAME)" in name.find_parent(class_="field").get_text(" ", strip=True)
    url = soup.select_one("input[name=public_url]")
    assert not url.has_attr("readonly")
    assert "configuration" not in url.find_parent(class_="field").get_text()


def test_a_value_the_server_sets_is_not_saved_from_the_page(client, auth):
    """The test configuration pins PUBLIC_URL: a post carrying another address
    (a read-only field can still be sent) saves everything else, not that."""
    auth.login("admin")
    response = client.form("/admin/settings", {**GOOD, "public_url": "https://elsewhere.example"})
    assert response.status_code == 303
    settings.clear_cache()
    saved = settings.saved()
    assert "public_url" not in saved
    assert saved["org_name"] == "Harbour Works"
