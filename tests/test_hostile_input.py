"""Inputs that once gave a 500: ids past 64 bits in a URL, a page number whose
offset overflows, and a label PDF whose choice matches nothing. Each now gets
the 4xx that says what is wrong (tests/test_route_fuzz.py looks for more)."""

from __future__ import annotations

import pytest

from app.models import Event

from . import factories

HUGE = "1234567890123456789012345"  # 25 digits: past SQLite's and PostgreSQL's integers


@pytest.fixture
def admin(app, auth):
    """Signed in as an admin, as a page that resolves ids must not 500 for anyone."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 to see, not a raise
    return auth.login("admin")


@pytest.mark.parametrize(
    "url",
    [
        f"/attachments/{HUGE}",
        f"/attachments/{HUGE}/thumb",
        f"/people/{HUGE}",
        f"/people/{HUGE}/edit",
        f"/audits/{HUGE}",
        f"/audits/{HUGE}/report.csv",
        f"/locations/{HUGE}/edit",
        f"/categories/{HUGE}/edit",
        f"/faults/{HUGE}/photo",
        f"/people/{2**63}",  # one past PostgreSQL's bigint
    ],
)
def test_an_id_too_large_for_the_database_is_not_found(client, admin, url):
    assert client.get(url).status_code == 404


def test_a_real_id_still_opens(client, admin):
    assert client.get(f"/people/{admin.id}").status_code == 200


@pytest.mark.parametrize("url", [f"/audits/{HUGE}/tick", f"/audits/{HUGE}/ticks/{HUGE}/undo"])
def test_a_post_to_an_id_too_large_is_not_found(client, admin, url):
    assert client.form(url, {"code": "ABC234"}).status_code == 404


@pytest.mark.parametrize(
    "path", ["/assets", "/activity", "/reports/idle", "/people/{me}", "/A/{code}"]
)
def test_a_page_number_past_the_last_possible_is_refused(client, admin, path):
    code = factories.make_asset(name="Drill").code
    url = path.format(me=admin.id, code=code)
    response = client.get(url, query_string={"page": str(2**62)})
    assert response.status_code == 400
    assert "out of range" in response.get_data(as_text=True)
    assert client.get(url, query_string={"page": "1000000"}).status_code == 200


def _label_pdf(client, **values):
    form = {"format": "avery-l7160", "start": "1", "copies": "1", "org_line": "", **values}
    return client.form("/labels/pdf", form)


@pytest.mark.parametrize(
    "values",
    [{"choice": "selected", "asset": "ZZZZZZ"}, {"choice": "since", "since": "2099-01-01"}],
)
def test_a_label_choice_that_matches_nothing_says_so(client, admin, values):
    factories.make_asset(name="Drill")
    response = _label_pdf(client, **values)
    assert response.status_code == 422
    assert "Nothing matches that choice" in response.get_data(as_text=True)
    assert not Event.select().where(Event.kind == "label_printed").exists()


def test_idle_days_of_thousands_of_digits_is_a_message(client, admin):
    """int() refuses more than 4,300 digits; the idle report says what it takes instead."""
    response = client.get("/reports/idle", query_string={"days": "9" * 5000})
    assert response.status_code in (400, 422)
    assert "whole number of days" in response.get_data(as_text=True)


def test_an_audit_room_too_large_for_the_database_is_refused(client, admin):
    """?room= names a place by id: one past a 64-bit integer is a 400, not a 500."""
    audit = client.form("/audits/new", {"name": "Spring check"})
    assert audit.status_code == 303
    url = audit.headers["Location"]
    assert client.get(url, query_string={"room": str(2**63)}).status_code == 400
    assert client.get(url, query_string={"room": "9" * 5000}).status_code == 400
    assert client.get(url, query_string={"room": "none"}).status_code == 200


def test_a_page_number_below_one_is_the_first_page_and_a_word_is_refused_plainly(client, admin):
    factories.make_asset(name="Drill")
    first = client.get("/assets").get_data(as_text=True)
    for low in ("0", "-1", "-99999999999999999999"):
        response = client.get("/assets", query_string={"page": low})
        assert response.status_code == 200 and "Drill" in response.get_data(as_text=True)
    response = client.get("/assets", query_string={"page": "two"})
    assert response.status_code == 400
    assert "The page number must be a whole number, such as 2." in response.get_data(as_text=True)
    assert "Drill" in first
