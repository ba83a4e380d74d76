"""Custom fields in the register's search box and filters: a plain GET form,
combined with the register's own filters; bad filter input is a message on the
page (422), never a 5xx."""

from __future__ import annotations

import pytest

from app.register import custom_fields

from . import factories
from .pages import names_in, soup_of


@pytest.fixture
def kit(auth):
    """Three assets with five custom fields (one only for ladders), and the fields."""
    lead = auth.login("lead")
    ladders = factories.make_category("Ladders")
    made = {
        "centre": custom_fields.create_field("Cost centre", "text"),
        "dept": custom_fields.create_field(
            "Department", "choice", choices=["Electrical", "Workshop", "IT"]
        ),
        "watts": custom_fields.create_field("Power (W)", "number"),
        "calibrated": custom_fields.create_field("Calibrated on", "date"),
        "pat": custom_fields.create_field("PAT tested", "yes_no"),
        "manual": custom_fields.create_field("Manual", "link"),
        "rungs": custom_fields.create_field("Rungs", "number", category_id=ladders.id),
    }
    ids = {key: f.id for key, f in made.items()}

    def asset(name, category=None, **values):
        custom = {ids[k]: v for k, v in values.items()}
        return factories.make_asset(lead, name=name, category=category, custom=custom)

    asset(
        "Cordless drill",
        centre="CC-1001 North",
        dept="Electrical",
        watts="750",
        calibrated="2026-01-10",
        pat="yes",
        manual="https://example.test/drill.pdf",
    )
    asset("Mitre saw", centre="CC-2002 South", dept="Workshop", watts="1500", pat="no")
    asset(
        "Step ladder",
        ladders.id,
        centre="cc-1001 north",
        calibrated="2025-06-01",
        rungs="7",
        pat="yes",
    )
    asset("Tape measure")
    return ids


def find(client, **args):
    soup, response = client.soup("/assets", query_string=args)
    assert response.status_code == 200, soup.get_text()[:500]
    return names_in(soup)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cc-1001", ["Cordless drill", "Step ladder"]),  # custom text, ignoring case
        ("south", ["Mitre saw"]),
        ("ELECTR", ["Cordless drill"]),  # part of a choice
        ("drill.pdf", ["Cordless drill"]),  # a link
        ("750", []),  # numbers are filtered, not searched as text
        ("tape", ["Tape measure"]),  # the asset's own fields still match
    ],
)
def test_search_box_finds_custom_text_values(client, kit, query, expected):
    assert find(client, q=query) == expected


def test_each_kind_of_filter(client, kit):
    f = kit
    cases = [
        ({f"cf{f['centre']}": "cc-1001 NORTH"}, ["Cordless drill", "Step ladder"]),
        ({f"cf{f['dept']}": "Workshop"}, ["Mitre saw"]),
        ({f"cf{f['dept']}": "workshop"}, ["Mitre saw"]),  # a choice typed in another case
        ({f"cf{f['pat']}": "yes"}, ["Cordless drill", "Step ladder"]),
        ({f"cf{f['pat']}": "no"}, ["Mitre saw"]),
        ({f"cf{f['manual']}": "https://example.test/drill.pdf"}, ["Cordless drill"]),
        ({f"cf{f['watts']}-min": "750"}, ["Cordless drill", "Mitre saw"]),
        ({f"cf{f['watts']}-min": "751"}, ["Mitre saw"]),
        ({f"cf{f['watts']}-max": "1,500"}, ["Cordless drill", "Mitre saw"]),
        ({f"cf{f['watts']}-min": "100", f"cf{f['watts']}-max": "1000"}, ["Cordless drill"]),
        ({f"cf{f['calibrated']}-after": "2025-06-01"}, ["Cordless drill"]),
        ({f"cf{f['calibrated']}-before": "2026-01-10"}, ["Step ladder"]),
        ({f"cf{f['calibrated']}-before": "2026-12-31"}, ["Cordless drill", "Step ladder"]),
        ({f"cf{f['rungs']}-min": "5"}, ["Step ladder"]),
        # Blank filters are no filters.
        ({f"cf{f['dept']}": "", f"cf{f['watts']}-min": ""}, names_all()),
    ]
    for args, expected in cases:
        assert find(client, **args) == expected, args


def names_all():
    return ["Cordless drill", "Mitre saw", "Step ladder", "Tape measure"]


def test_filters_combine_with_each_other_and_the_registers_own(client, kit):
    f = kit
    ladders = factories.make_category("Other")  # a category nothing is in
    both = {f"cf{f['centre']}": "CC-1001 north", f"cf{f['pat']}": "yes"}
    assert find(client, **both) == ["Cordless drill", "Step ladder"]
    assert find(client, q="ladder", **both) == ["Step ladder"]
    assert find(client, **both, **{f"cf{f['calibrated']}-after": "2025-12-31"}) == [
        "Cordless drill"
    ]
    assert find(client, category=ladders.id, **both) == []
    assert find(client, status="available", **{f"cf{f['pat']}": "no"}) == ["Mitre saw"]


def test_the_filter_form_offers_each_field_and_keeps_what_was_asked(client, kit):
    f = kit
    args = {f"cf{f['dept']}": "Workshop", f"cf{f['watts']}-min": "100"}
    soup, _ = client.soup("/assets", query_string=args)
    form = soup.select_one("form.filters")
    assert form["method"] == "get"
    box = form.select_one("details#custom-filters")
    assert box.has_attr("open")  # a filter is set: the section is open
    dept = box.select_one(f"select[name=cf{f['dept']}]")
    assert [o.get_text() for o in dept.select("option")] == ["Any", "Electrical", "Workshop", "IT"]
    assert dept.select_one("option[selected]").get_text() == "Workshop"
    assert box.select_one(f"input[name=cf{f['watts']}-min]")["value"] == "100"
    assert box.select_one(f"input[name=cf{f['watts']}-max]")["value"] == ""
    assert box.select_one(f"input[type=date][name=cf{f['calibrated']}-after]") is not None
    assert box.select_one(f"input[type=date][name=cf{f['calibrated']}-before]") is not None
    pat = box.select_one(f"select[name=cf{f['pat']}]")
    assert [o["value"] for o in pat.select("option")] == ["", "yes", "no"]
    assert box.select_one(f"input[name=cf{f['centre']}]") is not None
    labels = [label.get_text(" ", strip=True) for label in box.select("label")]
    assert any(text.startswith("Rungs (Ladders) at least") for text in labels)
    plain, _ = client.soup("/assets")
    assert not plain.select_one("details#custom-filters").has_attr("open")


@pytest.mark.parametrize(
    ("arg", "value", "words"),
    [
        ("calibrated-after", "31/12/2025", "is not a date"),
        ("calibrated-before", "2025-02-30", "is not a date"),
        ("watts-min", "lots", "is not a number"),
        ("watts-max", "12 kg", "is not a number"),
        ("dept", "Plumbing", "is not one of the choices"),
        ("pat", "perhaps", "is not yes or no"),
        ("manual", "not a link", "is not a link"),
        ("watts", "x", "is not a number"),
        ("centre-min", "3", "cannot be filtered by “at least”"),
        ("pat-after", "2025-01-01", "cannot be filtered by “after”"),
    ],
)
def test_bad_filter_input_is_a_clear_message(client, kit, arg, value, words):
    key, _, op = arg.partition("-")
    name = f"cf{kit[key]}" + (f"-{op}" if op else "")
    response = client.get("/assets", query_string={name: value})
    assert response.status_code == 422
    soup = soup_of(response)
    said = soup.select_one("#filter-errors").get_text(" ", strip=True)
    assert words in said, said
    assert names_in(soup) == []  # nothing is listed as if the filter had been applied
    assert soup.select_one("#asset-results p.muted") is None  # nor "0 assets"
    # The same through htmx: the message is in the fragment it swaps in.
    swapped = client.get(
        "/assets",
        query_string={name: value},
        headers={"HX-Request": "true", "HX-Target": "asset-results"},
    )
    assert swapped.status_code == 422
    assert words in soup_of(swapped).select_one("#filter-errors").get_text()


def test_unknown_field_is_a_message_not_an_error_page(client, kit):
    response = client.get("/assets", query_string={"cf999999": "x", "cf12-min": "1"})
    assert response.status_code == 422
    said = soup_of(response).select_one("#filter-errors").get_text(" ", strip=True)
    assert "does not exist" in said
    huge = client.get("/assets", query_string={"cf" + "9" * 30: "x"})  # not a filter name
    assert huge.status_code == 200


def test_a_removed_field_leaves_its_old_link_with_a_message(client, kit):
    url_args = {f"cf{kit['dept']}": "Workshop"}
    assert find(client, **url_args) == ["Mitre saw"]
    custom_fields.delete_field(kit["dept"])
    response = client.get("/assets", query_string=url_args)
    assert response.status_code == 422
    assert "does not exist" in soup_of(response).select_one("#filter-errors").get_text()


def test_members_filter_too(client, kit, auth):
    auth.logout()
    auth.login("member")
    assert find(client, **{f"cf{kit['pat']}": "no"}) == ["Mitre saw"]


def test_filters_on_two_fields_join_and_read_the_second_from_an_index(app, kit):
    """Two fields' filters are joins, not a test run per asset: the planner
    starts from one field's index and reads each asset's value of the other
    from the (asset, field, value) index alone, never the values' rows."""
    from peewee import SQL, fn

    from app.database import is_sqlite
    from app.models import Asset, db
    from app.register import assets, custom_search

    custom = custom_search.read({f"cf{kit['dept']}": "Workshop", f"cf{kit['watts']}-min": "1000"})
    joins = custom_search.joins(custom.filters)
    assert len(joins) == 2
    count = assets._narrowed(Asset.select(fn.COUNT(SQL("*"))), [], joins)
    assert count.scalar() == 1  # the mitre saw
    if not is_sqlite():
        return
    sql, params = count.sql()
    plan = " | ".join(r[-1] for r in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "CORRELATED" not in plan and "LIST SUBQUERY" not in plan, plan
    assert "COVERING INDEX custom_value_asset_id_field_id_text_number_day" in plan, plan
