"""The register's page and count, whichever way the database is told to read them.

A page is read either by walking the (lowered name, id) index and testing each
asset as it comes, or by listing the matches and sorting them; the count comes
apart from the page (from a custom filter's own index when it is alone), or
beside it for the search box. Both ways must give the same assets in the same
order and the same total, on every page, as sorting the matches by hand."""

from __future__ import annotations

import pytest

from app.database import is_sqlite
from app.models import Asset, CustomValue
from app.register import assets, custom_fields, custom_search

from . import factories

NAMES = ["apple", "Apple", "banana", "Cherry", "cherry", "date", "Elder", "fig", "Grape"]


@pytest.fixture
def register(app):
    """27 assets, names repeating in both cases (so ids break ties), a choice and
    a number on most of them, two statuses and two categories."""
    lead = factories.make_user("lead")
    tools = factories.make_category("Tools")
    dept = custom_fields.create_field("Department", "choice", choices=["Lab", "Stores"])
    watts = custom_fields.create_field("Power (W)", "number")
    centre = custom_fields.create_field("Cost centre", "text")
    for n in range(27):
        values = {"name": f"{NAMES[n % len(NAMES)]} {n % 4}"}
        if n % 3 == 0:
            values["category"] = tools.id
        asset = factories.make_asset(lead, **values)
        custom = {watts.id: str(100 * (n % 7))}
        if n % 5:
            custom[dept.id] = "Lab" if n % 2 else "Stores"
        if n % 4 == 0:
            custom[centre.id] = f"CC-{n} North"
        custom_fields.set_values(asset.code, custom, actor=lead)
        if n % 6 == 0:
            Asset.update(status="faulty").where(Asset.id == asset.id).execute()
    return {"dept": dept, "watts": watts, "centre": centre, "tools": tools}


def _expected(where) -> list[int]:
    rows = [a for a in Asset.select() if where(a)]
    return [a.id for a in sorted(rows, key=lambda a: (a.name.lower(), a.id))]


def _value(asset_id: int, field) -> CustomValue | None:
    return CustomValue.get_or_none(CustomValue.asset == asset_id, CustomValue.field == field.id)


CASES = {
    "everything": ({}, lambda a, f: True),
    "a choice": ({"dept": "Lab"}, lambda a, f: (v := _value(a.id, f["dept"])) and v.text == "Lab"),
    "a range": (
        {"watts-min": "200", "watts-max": "500"},
        lambda a, f: 200 <= _value(a.id, f["watts"]).number <= 500,
    ),
    "two fields and a status": (
        {"dept": "Stores", "watts-min": "300", "status": "available"},
        lambda a, f: (
            a.status == "available"
            and (v := _value(a.id, f["dept"]))
            and v.text == "Stores"
            and _value(a.id, f["watts"]).number >= 300
        ),
    ),
    "a category": ({"category": True}, lambda a, f: a.category_id == f["tools"].id),
    "a category and a choice": (
        {"category": True, "dept": "Stores"},
        lambda a, f: (
            a.category_id == f["tools"].id and (v := _value(a.id, f["dept"])) and v.text == "Stores"
        ),
    ),
    "text ignoring case": (
        {"centre": "cc-8 NORTH"},
        lambda a, f: (v := _value(a.id, f["centre"])) and v.text == "CC-8 North",
    ),
    "the search box": (
        {"q": "CHERRY"},
        lambda a, f: "cherry" in a.name.lower(),
    ),
    "the search box and a status": (
        {"q": "cherry", "status": "available"},
        lambda a, f: "cherry" in a.name.lower() and a.status == "available",
    ),
    "the search box, a custom value": (
        {"q": "north"},
        lambda a, f: _value(a.id, f["centre"]) is not None,
    ),
}


def _search(asked: dict, fields: dict, page: int) -> assets.Search:
    args = {}
    for key, value in asked.items():
        name, _, op = key.partition("-")
        if name in fields and name != "tools":
            args[custom_search.param(fields[name].id, op)] = value
    return assets.Search(
        text=asked.get("q", ""),
        status=asked.get("status", ""),
        category_id=fields["tools"].id if asked.get("category") else None,
        custom=custom_search.read(args),
        page=page,
        per_page=4,
    )


@pytest.mark.parametrize("walk_cost", [0, 10**9], ids=["sort the matches", "walk the index"])
@pytest.mark.parametrize("case", CASES)
def test_every_page_and_the_total_are_the_same_either_way(
    register, monkeypatch, count_queries, case, walk_cost
):
    monkeypatch.setattr(assets, "WALK_COST", walk_cost)
    asked, where = CASES[case]
    expected = _expected(lambda a: where(a, register))
    assert expected, "the case should match something"
    seen, pages = [], (len(expected) + 3) // 4
    for page in range(1, pages + 2):  # and one past the last page
        search = _search(asked, register, page)
        with count_queries() as log:
            rows, total = assets.search(search)
        assert total == len(expected), f"page {page}"
        seen += [r.id for r in rows]
        if page <= pages:
            assert len(rows) == min(4, len(expected) - 4 * (page - 1))
            assert len(log) <= 2  # the count and the page, or the page and its rows
            if walk_cost and "q" not in asked and "centre" not in asked and is_sqlite():
                assert "INDEXED BY" in log[-1]
                # A category's assets are walked in their own index, in order.
                walked = "asset_category_id_lower_name_id" in log[-1]
                assert walked == bool(asked.get("category")), log[-1]
    assert seen == expected
