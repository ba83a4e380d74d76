"""Cells that say "nothing here" ("N/A", "-", "none", "No tag", "TBD", "—") are
blank: they create no holder, place or category, and are no one's tag."""

from __future__ import annotations

import pytest

from app.models import Asset, Category, Location, User
from app.spreadsheets import rules

from . import factories
from .import_kit import preview, run, sheet

PLACEHOLDERS = sheet(
    "Asset Tag,Name,Serial,External tag,Category,Location,Checked out to,Holder email,"
    "Purchase date,Warranty end,Cost,Manufacturer,Model,Supplier,Notes\n"
    "N/A,Drill,n/a,-,none,-,N/A,—,TBD,n/a,-,unknown,N/A,none,N/A\n"
    "No tag,Saw,none,No tag,N/A,Unknown,none,n/a,unknown,—,N/A,—,-,TBD,-\n"
    "TBD,Ladder,-,(none),-,TBD,-,,—,0000-00-00,none,n/a,?,-,\n"
    "—,Bench,N/A,#N/A,TBD,n/a,Unassigned,-,-,-,--,N/A,tbd,—,none\n"
)


@pytest.fixture
def lead(app):
    with app.app_context():
        yield factories.make_user("lead")


def test_placeholders_are_blank(lead):
    result = preview(PLACEHOLDERS)
    assert [r.errors for r in result.rows] == [[], [], [], []]
    assert not result.new_people and not result.new_locations and not result.new_categories
    summary = run(PLACEHOLDERS, actor=lead)
    assert (summary.new, summary.people, summary.locations, summary.categories) == (4, 0, 0, 0)
    assert User.select().count() == 1 and not Location.select().exists()
    assert not Category.select().exists()
    for asset in Asset.select():
        assert asset.status == "available" and asset.holder_id is None
        assert not any((asset.serial, asset.external_tag, asset.manufacturer, asset.model_name))
        assert asset.purchase_date is None and asset.cost_cents is None
    # Free text keeps what it says.
    assert {a.name: a.notes for a in Asset.select()}["Drill"] == "N/A"
    # Importing it again matches nothing to anything else and changes nothing new.
    again = preview(PLACEHOLDERS)
    assert again.counts["error"] == 0 and again.counts["new"] == 0


def test_a_name_is_never_a_placeholder(lead):
    summary = run(sheet("Name,Serial\nNone,S1\nN/A,S2\n"), actor=lead)
    assert summary.new == 2
    assert sorted(a.name for a in Asset.select()) == ["N/A", "None"]


def test_real_values_are_not_placeholders():
    for text in ("NA-1", "Nonesuch", "X", "0", "Unknown Pleasures", "TBD-7", "-5"):
        assert not rules.is_placeholder("tag", text), text
    for text in ("N/A", "n/a", "-", "—", "none", "No tag", "TBD", "unknown", "(none)", " NONE "):
        assert rules.is_placeholder("tag", text), text
    assert not rules.is_placeholder("notes", "N/A") and not rules.is_placeholder("name", "-")


def test_placeholders_in_name_parts_and_quantity_are_blank_too(lead):
    data = sheet(
        "Name,Serial,First Name,Last Name,Username,Quantity\n"
        "Drill,D1,N/A,N/A,-,n/a\n"
        "Saw,S1,none,—,unknown,-\n"
    )
    result = preview(data)
    assert [r.errors for r in result.rows] == [[], []] and not result.new_people
    summary = run(data, actor=lead)
    assert (summary.new, summary.people) == (2, 0)
    assert User.select().count() == 1
    assert not Asset.select().where(Asset.holder.is_null(False)).exists()
