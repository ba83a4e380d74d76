"""The one ceiling on an amount (ops.money.MAX_CENTS): cents kept in a 32-bit
INTEGER column, so 21,474,836.47 at most. A larger cost, typed into the asset
form, imported from a file or handed to a service, is refused with a message
and nothing is saved, on SQLite and on PostgreSQL alike (where it would not
even fit the column)."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.errors import Invalid
from app.models import Asset, Category, Event
from app.ops import money
from app.register import assets

from . import factories
from .import_kit import counts, sheet
from .pages import field_error, form_values, soup_of

CEILING = "21,474,836.47"
OVER = ["21,474,836.48", "25000000", "99,999,999.99", "1" + "0" * 30]


def test_the_ceiling_is_the_largest_32_bit_integer():
    assert money.MAX_CENTS == 2**31 - 1
    assert money.MAX_AMOUNT == CEILING
    assert money.read_amount(CEILING) == money.MAX_CENTS


def test_the_largest_amount_is_saved_whole(client, auth):
    """On PostgreSQL this is the column's own limit: it fits, exactly."""
    auth.login("lead")
    response = client.form("/assets/new", {"name": "Crane", "cost_cents": CEILING})
    assert response.status_code == 303
    assert Asset.get(Asset.name == "Crane").cost_cents == 2_147_483_647


@pytest.mark.parametrize("typed", OVER)
def test_a_larger_cost_on_the_asset_form_is_refused_and_nothing_saved(client, auth, typed):
    auth.login("lead")
    before = counts()
    response = client.form("/assets/new", {"name": "Crane", "cost_cents": typed})
    assert response.status_code == 422
    said = field_error(soup_of(response), "cost_cents")
    assert said == f"“{typed}” is too large: an amount is at most {CEILING}."
    assert counts() == before


def test_editing_a_cost_past_the_ceiling_keeps_the_old_one(client, auth):
    auth.login("lead")
    crane = factories.make_asset(name="Crane", cost_cents=100_00)
    values = form_values(client.soup(f"/assets/{crane.code}/edit")[0])
    values["cost_cents"] = "30,000,000"
    response = client.form(f"/assets/{crane.code}/edit", values)
    assert response.status_code == 422
    assert "at most 21,474,836.47" in field_error(soup_of(response), "cost_cents")
    fresh = Asset.get_by_id(crane.id)
    assert (fresh.cost_cents, fresh.version) == (100_00, crane.version)


def upload(client, data: bytes):
    fields = {"csrf_token": client.csrf_token(), "file": FileStorage(io.BytesIO(data), "a.csv")}
    boundary, body = encode_multipart(fields)
    return client.post(
        "/assets/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_a_larger_cost_in_an_import_is_a_row_error_and_nothing_is_imported(client, auth):
    auth.login("lead")
    posted = upload(client, sheet('Name,Cost\nCrane,"25,000,000.00"\nSaw,12.50\n'))
    assert posted.status_code == 303
    url = posted.headers["Location"]
    page, _ = client.soup(url)
    [row] = page.select("#import-errors li[data-line]")
    assert row["data-line"] == "2"
    said = row.select_one(".changes").get_text(" ", strip=True)
    assert f"is too large: an amount is at most {CEILING}" in said
    assert page.select_one("#import-confirm form") is None
    # Sent anyway (an old form, a crafted request): still nothing is written.
    response = client.form(url, {"col": ["name", "cost_cents"], "mode": "import"})
    assert response.status_code == 422
    assert counts() == (0, 0)


def test_services_refuse_a_cost_past_the_ceiling(app):
    """Whatever calls them: the asset's cost, a category's replacement cost and a
    repair's cost share the ceiling, with the same words."""
    lead = factories.make_user("lead")
    with pytest.raises(Invalid) as refused:
        assets.create_asset({"name": "Crane", "cost_cents": money.MAX_CENTS + 1}, actor=lead)
    assert refused.value.errors == {"cost_cents": money.TOO_LARGE}
    assert not Asset.select().exists()
    from app.custody import maintenance
    from app.register import places

    with pytest.raises(Invalid) as refused:
        places.save_category("Cranes", actor=lead, replacement_cost_cents=money.MAX_CENTS + 1)
    assert CEILING in refused.value.errors["replacement_cost_cents"]
    assert not Category.select().where(Category.name == "Cranes").exists()
    crane = factories.make_asset(lead, name="Crane")
    events = Event.select().count()
    with pytest.raises(Invalid) as refused:
        maintenance.start_repair(crane.code, actor=lead, cost_cents=money.MAX_CENTS + 1)
    assert refused.value.errors == {"cost_cents": money.TOO_LARGE}
    assert Event.select().count() == events
