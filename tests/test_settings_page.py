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


def test_every_wrong_field_is_named_and_nothing_is_saved(client, auth):
    auth.login("admin")
    before = settings.saved()
    bad = {
        **GOOD,
        "public_url": "tags.example.org",
        "timezone": "Mars/Olympus",
        "paper_size": "a3",
    }
    response = client.form("/admin/settings", bad)
    assert response.status_code == 422
    text = soup_of(response).get_text(" ", strip=True)
    assert "Give a full address" in text
    assert "Use a time zone name such as Europe/London." in text
    assert "Choose A4 or US Letter." in text
    settings.clear_cache()
    assert settings.saved() == before


def test_good_settings_are_saved_tidied(client, auth):
    auth.login("admin")
    response = client.form("/admin/settings", GOOD)
    assert response.status_code == 303
    settings.clear_cache()
    saved = settings.saved()
    assert saved["org_name"] == "Harbour Works"
    assert saved["public_url"] == "https://tags.example.org"  # no trailing slash
    assert saved["timezone"] == "Europe/London"
