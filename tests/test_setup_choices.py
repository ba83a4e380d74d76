"""Set-up and Settings ask for the time zone, paper size and currency; dates are
shown in the chosen zone and every amount on screen carries the currency."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import time_machine

from app.models import Setting, User
from app.ops import money, rules, settings

from . import factories
from .pages import field_error, form_values, selected, soup_of

SETUP = {
    "org_name": "ACME Workshop",
    "public_url": "http://192.168.1.20:8080",
    "name": "Olive Owner",
    "email": "olive@example.test",
    "password": "a-long-password",
}
SETTINGS = {
    "org_name": "Harbour Works",
    "public_url": "https://tags.example.org",
    "timezone": "Europe/London",
    "audit_interval_days": "90",
    "paper_size": "a4",
    "currency": "GBP",
}


# --- the rules -------------------------------------------------------------


def test_the_zone_list_is_the_databases_names_sorted_and_grouped():
    names = rules.timezone_names()
    assert names[0] == "UTC"
    assert list(names[1:]) == sorted(names[1:])
    assert {"Pacific/Auckland", "Europe/London", "America/New_York"} <= set(names)
    assert "US/Pacific" not in names and "Etc/GMT+5" not in names  # aliases stay off the list
    assert rules.valid_timezone("US/Pacific")  # but a saved alias is still honoured
    groups = dict(rules.timezone_groups())
    assert "Pacific/Auckland" in groups["Pacific"]
    assert dict(rules.timezone_groups("US/Pacific"))["Current"] == ["US/Pacific"]


def test_currency_is_guessed_from_a_simple_zone_else_pounds():
    assert money.currency_for_timezone("Pacific/Auckland") == "NZD"
    assert money.currency_for_timezone("Europe/Paris") == "EUR"
    assert money.currency_for_timezone("America/Chicago") == "USD"
    assert money.currency_for_timezone("Asia/Tokyo") == "JPY"
    assert money.currency_for_timezone("Antarctica/Troll") == "GBP"
    assert money.currency_for_timezone("") == "GBP"
    for code in money.ZONE_CURRENCIES.values():
        assert code in money.CURRENCIES
    for zone in money.ZONE_CURRENCIES:
        assert rules.valid_timezone(zone), zone


def test_amounts_carry_the_currency_and_none_keeps_plain_numbers():
    assert money.format_money(125050, "GBP") == "£1,250.50"
    assert money.format_money(-125050, "EUR") == "-€1,250.50"
    assert money.format_money(99, "SEK") == "0.99\u00a0kr"
    assert money.format_money(1000, "CHF") == "CHF\u00a010.00"
    assert money.format_money(150000, "JPY") == "¥1,500"  # no decimals
    assert money.format_money(150050, "JPY") == "¥1,500.50"  # never hides what was typed
    assert money.format_money(125050, "") == "1,250.50"
    assert money.format_money(125050, "XXX") == "1,250.50"
    assert money.check_currency("XXX") and money.check_currency("")
    assert money.check_currency("", allow_none=True) is None
    assert money.check_currency("NZD") is None


# --- set-up ----------------------------------------------------------------


def test_setup_offers_the_zone_list_and_preselects_the_configured_zone(app, client):
    app.config["TIMEZONE"] = "Pacific/Auckland"
    soup, _ = client.soup("/setup")
    zone = soup.select_one("select[name=timezone]")
    assert zone.has_attr("data-browser-zone")  # forms.js may swap in the browser's zone
    assert len(zone.select("option")) == len(rules.timezone_names())
    assert "Pacific" in [g["label"] for g in zone.select("optgroup")]
    assert selected(soup, "timezone") == "Pacific/Auckland"
    assert selected(soup, "currency") == "NZD"
    assert [o["value"] for o in soup.select("select[name=currency] option")] == list(
        money.CURRENCIES
    )
    assert soup.select_one("input[name=paper_size][value=a4]").has_attr("checked")
    script = soup.select_one("head script[src*='forms']")
    assert script is not None


def test_setup_saves_the_three_choices(client):
    response = client.form(
        "/setup",
        {**SETUP, "timezone": "Pacific/Auckland", "paper_size": "letter", "currency": "NZD"},
    )
    assert response.status_code == 303
    assert Setting.get_value("timezone") == "Pacific/Auckland"
    assert Setting.get_value("paper_size") == "letter"
    assert Setting.get_value("currency") == "NZD"


def test_setup_without_the_new_fields_keeps_the_configured_zone_and_guesses_pounds(app, client):
    """Older scripts post only the first fields: the configured zone stays in
    force (nothing saved) and the currency is guessed."""
    response = client.form("/setup", SETUP)
    assert response.status_code == 303
    assert Setting.get_or_none(Setting.key == "timezone") is None
    assert Setting.get_value("currency") == "GBP"
    assert Setting.get_value("paper_size") == "a4"


def test_setup_guesses_the_currency_from_the_chosen_zone(client):
    response = client.form("/setup", {**SETUP, "timezone": "Europe/Berlin", "currency": ""})
    assert response.status_code == 303
    assert Setting.get_value("currency") == "EUR"


def test_setup_refuses_an_unknown_zone_or_currency_and_writes_nothing(client):
    for field, value in [
        ("timezone", "Mars/Olympus"),
        ("timezone", "Europe/" + "x" * 300),
        ("currency", "XXX"),
        ("currency", "£"),
        ("paper_size", "a3"),
    ]:
        response = client.form("/setup", {**SETUP, field: value})
        assert response.status_code == 422, (field, value)
        soup = soup_of(response)
        if field != "paper_size":
            assert field_error(soup, field).startswith("Choose a")
        # After a refusal the person's own choices stay: the browser guess is off.
        assert not soup.select_one("select[data-browser-zone]")
        assert User.select().count() == 0
        assert Setting.select().count() == 0


# --- settings --------------------------------------------------------------


def test_settings_show_the_saved_zone_and_currency_and_change_them(app, client, auth):
    app.config["PUBLIC_URL"] = ""
    auth.login("admin")
    settings.save({"timezone": "Asia/Tokyo", "currency": "JPY"})
    soup, _ = client.soup("/admin/settings")
    assert selected(soup, "timezone") == "Asia/Tokyo"
    assert selected(soup, "currency") == "JPY"
    assert soup.select_one("select[name=timezone] optgroup[label=Asia]")
    response = client.form("/admin/settings", {**form_values(soup), "currency": "EUR"})
    assert response.status_code == 303
    settings.clear_cache()
    assert settings.saved()["currency"] == "EUR"
    assert settings.saved()["timezone"] == "Asia/Tokyo"


def test_an_instance_from_before_has_no_currency_and_keeps_plain_numbers(app, client, auth):
    auth.login("admin")
    soup, _ = client.soup("/admin/settings")
    assert selected(soup, "currency") == ""
    assert "No symbol" in soup.select_one("select[name=currency] option").get_text()
    asset = factories.make_asset(name="Drill", cost_cents=125050)
    page, _ = client.soup(f"/A/{asset.code}")
    assert "1,250.50" in page.get_text()
    assert "£" not in page.get_text()


def test_settings_refuse_an_unknown_currency_and_save_nothing(app, client, auth):
    app.config["PUBLIC_URL"] = ""
    auth.login("admin")
    before = settings.saved()
    response = client.form("/admin/settings", {**SETTINGS, "currency": "DOGE"})
    assert response.status_code == 422
    assert field_error(soup_of(response), "currency") == "Choose a currency from the list."
    settings.clear_cache()
    assert settings.saved() == before


def test_settings_can_go_back_to_plain_numbers(app, client, auth):
    app.config["PUBLIC_URL"] = ""
    auth.login("admin")
    settings.save({"currency": "USD"})
    assert client.form("/admin/settings", {**SETTINGS, "currency": ""}).status_code == 303
    settings.clear_cache()
    assert settings.effective(app.config)["currency"] == ""


def test_a_saved_alias_zone_stays_selected_on_settings(app, client, auth):
    auth.login("admin")
    settings.save({"timezone": "US/Pacific"})
    soup, _ = client.soup("/admin/settings")
    assert selected(soup, "timezone") == "US/Pacific"


# --- where they show -------------------------------------------------------


def test_costs_and_reports_show_the_currency_and_the_export_plain_numbers(app, client, auth):
    auth.login("admin")
    settings.save({"currency": "GBP"})
    asset = factories.make_asset(name="Drill", cost_cents=125050)
    page, _ = client.soup(f"/A/{asset.code}")
    cost = page.find("dt", string="Cost").find_next_sibling("dd").get_text(strip=True)
    assert cost == "£1,250.50"
    report, _ = client.soup("/reports/assets")
    assert "£1,250.50" in report.get_text()
    exported = client.get("/export/assets.csv")
    assert exported.status_code == 200
    text = exported.get_data(as_text=True)
    assert "£" not in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert "1250.50" in rows[1]


def test_a_currency_without_decimals_shows_whole_amounts(app, client, auth):
    auth.login("admin")
    settings.save({"currency": "JPY"})
    asset = factories.make_asset(name="Camera", cost_cents=4500000)
    page, _ = client.soup(f"/A/{asset.code}")
    assert page.find("dt", string="Cost").find_next_sibling("dd").get_text(strip=True) == "¥45,000"


def test_an_event_late_in_the_utc_day_shows_on_the_next_day_in_auckland(app, client, auth):
    auth.login("admin")
    with time_machine.travel(datetime(2026, 3, 11, 23, 30, tzinfo=UTC), tick=False):
        asset = factories.make_asset(name="Ladder")
    history = lambda soup: soup.select_one("time[datetime]").get_text(strip=True)  # noqa: E731
    page, _ = client.soup(f"/A/{asset.code}")
    assert history(page) == "11 Mar 2026 23:30"  # UTC: nothing chosen yet
    settings.save({"timezone": "Pacific/Auckland"})
    page, _ = client.soup(f"/A/{asset.code}")
    assert history(page) == "12 Mar 2026 12:30"  # NZDT is UTC+13 in March


def test_an_amount_copied_from_the_screen_types_back_in_as_the_same_number():
    from app.forms import parse_money

    for code in money.CURRENCIES:
        shown = money.format_money(123450, code)
        assert parse_money(shown) == 123450, (code, shown)
    assert parse_money("12 EUR") == parse_money("CHF 12") == 1200
    assert parse_money("249,50 kr") == parse_money("249,5") == 24950  # a decimal comma
    assert parse_money("1,249") == 124900  # three digits after it: thousands, as before
    for bad in ("12 apples", "kr kr", "£-5"):
        try:
            parse_money(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_the_asset_form_takes_a_cost_with_its_symbol(client, auth):
    auth.login("lead")
    settings.save({"currency": "SEK"})
    response = client.form("/assets/new", {"name": "Saw", "cost_cents": "1,249.50 kr"})
    assert response.status_code == 303
    from app.models import Asset

    assert Asset.get(Asset.name == "Saw").cost_cents == 124950
