"""Custom fields: their rules, the service, values on assets and their history."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import Conflict, Invalid, NotFound
from app.models import CustomField, CustomValue, Event
from app.register import assets, custom_fields
from app.register.custom_field_rules import (
    BLANK,
    applies,
    check_choices,
    check_name,
    fields_for,
    parse_custom_value,
)

from . import factories

# Rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "typed", "kept"),
    [
        ("text", "  Blue case ", ("Blue case", None, None)),
        ("number", "12", ("12", 12.0, None)),
        ("number", "-0.250", ("-0.25", -0.25, None)),
        ("number", "1,234.5", ("1234.5", 1234.5, None)),
        ("number", "1e3", ("1000", 1000.0, None)),
        ("number", "-0", ("0", 0.0, None)),
        ("date", "2025-02-03", ("2025-02-03", None, date(2025, 2, 3))),
        ("yes_no", "Yes", ("yes", None, None)),
        ("yes_no", "TRUE", ("yes", None, None)),
        ("yes_no", "0", ("no", None, None)),
        ("choice", "wood", ("Wood", None, None)),
        (
            "link",
            "https://example.test/manual.pdf",
            ("https://example.test/manual.pdf", None, None),
        ),
        ("number", "   ", BLANK),
        ("date", "", BLANK),
    ],
)
def test_values_are_kept_in_one_canonical_form(kind, typed, kept):
    """Each kind keeps one spelling of a value, with the number or day beside it."""
    assert parse_custom_value(kind, ["Aluminium", "Wood"], typed) == kept


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        ("number", "abc", "“abc” is not a number."),
        ("number", "1_000", "“1_000” is not a number."),
        ("number", "NaN", "“NaN” is not a number."),
        ("number", "Infinity", "“Infinity” is not a number."),
        ("number", "1234567890123456", "“1234567890123456” has more than 15 digits."),
        ("date", "03/02/2025", "“03/02/2025” is not a date: write it as YYYY-MM-DD."),
        ("date", "2025-02-30", "“2025-02-30” is not a date: write it as YYYY-MM-DD."),
        ("date", "0202-09-30", "“0202-09-30” is not between 1900 and 2100."),
        ("yes_no", "maybe", "“maybe” is not yes or no."),
        ("choice", "Steel", "“Steel” is not one of the choices: Aluminium, Wood."),
        ("link", "javascript:alert(1)", "“javascript:alert(1)” is not a link"),
        ("link", "example.test", "“example.test” is not a link"),
        ("text", "x" * 501, "A value is at most 500 characters."),
    ],
)
def test_a_value_that_does_not_fit_says_why(kind, typed, message):
    """A bad value raises ValueError with a message fit to show beside the field."""
    with pytest.raises(ValueError) as caught:
        parse_custom_value(kind, ["Aluminium", "Wood"], typed)
    assert str(caught.value).startswith(message)


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, max_value=10**9, min_value=-(10**9)
    )
)
def test_a_kept_number_reads_back_as_itself(value):
    """The canonical text of a number parses to the same text and number again."""
    text, number, _ = parse_custom_value("number", [], str(value))
    assert parse_custom_value("number", [], text) == (text, number, None)
    assert float(text) == number


def test_names_and_choices_are_checked():
    assert check_name("  Rung   count ") == "Rung count"
    with pytest.raises(ValueError, match="Give the field a name"):
        check_name("  ")
    with pytest.raises(ValueError, match="at most 60"):
        check_name("x" * 61)
    assert check_choices("choice", "Wood\n\n Aluminium \n") == ["Wood", "Aluminium"]
    assert check_choices("text", "Wood") == []
    with pytest.raises(ValueError, match="“wood” is listed twice"):
        check_choices("choice", ["Wood", "wood"])
    with pytest.raises(ValueError, match="List the choices"):
        check_choices("choice", "\n")


def test_which_fields_apply_to_an_asset(app):
    """Fields for every asset and the asset's category's own, in the order set."""
    ladders, vans = factories.make_category("Ladders"), factories.make_category("Vans")
    rungs = custom_fields.create_field("Rungs", "number", category_id=ladders.id)
    colour = custom_fields.create_field("Colour", "text")
    plate = custom_fields.create_field("Plate", "text", category_id=vans.id)
    custom_fields.move_field(colour.id, -1)
    every = custom_fields.all_fields()
    assert [f.name for f in fields_for(every, ladders.id)] == ["Colour", "Rungs"]
    assert [f.name for f in fields_for(every, None)] == ["Colour"]
    assert [f.name for f in custom_fields.fields_for(vans.id)] == ["Colour", "Plate"]
    assert applies(colour, vans.id) and not applies(rungs, vans.id) and applies(plate, vans.id)


# Fields --------------------------------------------------------------------


def test_field_names_are_unique_ignoring_case(app):
    custom_fields.create_field("Colour", "text")
    with pytest.raises(Invalid) as caught:
        custom_fields.create_field("colour", "number")
    assert caught.value.errors == {"name": "There is already a field with that name."}
    assert CustomField.select().count() == 1


def test_bad_field_input_changes_nothing(app):
    with pytest.raises(Invalid) as caught:
        custom_fields.create_field("", "colour", category_id=99999)
    assert set(caught.value.errors) == {"name", "kind", "category"}
    with pytest.raises(Invalid) as caught:
        custom_fields.create_field("Finish", "choice", choices="")
    assert caught.value.errors == {"choices": "List the choices, one per line."}
    assert CustomField.select().count() == 0


def test_fields_move_up_and_down(app):
    a, b, c = (custom_fields.create_field(n, "text") for n in "ABC")
    custom_fields.move_field(c.id, -1)
    assert [f.name for f in custom_fields.all_fields()] == ["A", "C", "B"]
    custom_fields.move_field(a.id, +1)
    custom_fields.move_field(b.id, +1)  # already last: stays
    assert [f.name for f in custom_fields.all_fields()] == ["C", "A", "B"]
    with pytest.raises(NotFound):
        custom_fields.move_field(99999, 1)


def test_deleting_a_field_drops_its_values_and_says_so(app):
    lead = factories.make_user("lead")
    field = custom_fields.create_field("Colour", "text")
    asset = factories.make_asset(actor=lead, custom={field.id: "Blue"})
    assert custom_fields.value_count(field.id) == 1
    assert custom_fields.delete_field(field.id, actor=lead) == 1
    assert CustomValue.select().count() == 0 and CustomField.select().count() == 0
    note = Event.select().where(Event.asset.is_null()).order_by(Event.id.desc()).first()
    assert (note.kind, note.note, note.data) == (
        "custom_field_removed",
        "Colour",
        {"name": ["Colour", None], "values": [1, 0]},
    )
    assert custom_fields.values_for(assets.get_by_code(asset.code)) == []


# Values --------------------------------------------------------------------


def test_values_are_set_with_the_asset_and_recorded(app):
    """Values given with a new asset are kept and appear in its `created` event;
    an edit records old and new values in its `edited` event."""
    lead = factories.make_user("lead")
    count = custom_fields.create_field("Rung count", "number")
    finish = custom_fields.create_field("Finish", "choice", choices=["Aluminium", "Wood"])
    asset = factories.make_asset(actor=lead, name="Ladder", custom={count.id: "5", finish.id: ""})
    created = Event.get(Event.asset == asset, Event.kind == "created")
    assert created.data["cf:Rung count"] == "5"
    assert "cf:Finish" not in created.data
    row = CustomValue.get(CustomValue.asset == asset)
    assert (row.text, row.number, row.day) == ("5", 5.0, None)

    changes = assets.update_asset(
        asset.code,
        {"custom": {count.id: "6", finish.id: "wood"}},
        version=asset.version,
        actor=lead,
    )
    assert changes == {"cf:Rung count": ["5", "6"], "cf:Finish": [None, "Wood"]}
    edited = Event.get(Event.asset == asset, Event.kind == "edited")
    assert edited.data == {"cf:Rung count": ["5", "6"], "cf:Finish": [None, "Wood"]}
    fresh = assets.get_by_code(asset.code)
    assert fresh.version == asset.version + 1
    shown = [(v.name, v.display) for v in custom_fields.values_for(fresh)]
    assert shown == [("Rung count", "6"), ("Finish", "Wood")]

    # Blanking a value removes it, and says so.
    assert assets.update_asset(
        asset.code, {"custom": {count.id: ""}}, version=fresh.version, actor=lead
    ) == {"cf:Rung count": ["6", None]}
    assert [v.name for v in custom_fields.values_for(assets.get_by_code(asset.code))] == ["Finish"]


def test_a_bad_value_is_an_error_beside_its_field_and_changes_nothing(app):
    lead = factories.make_user("lead")
    count = custom_fields.create_field("Rung count", "number")
    asset = factories.make_asset(actor=lead, name="Ladder", custom={count.id: "5"})
    with pytest.raises(Invalid) as caught:
        assets.update_asset(
            asset.code,
            {"name": "Renamed", "custom": {count.id: "five"}},
            version=asset.version,
            actor=lead,
        )
    assert caught.value.errors == {f"cf-{count.id}": "“five” is not a number."}
    fresh = assets.get_by_code(asset.code)
    assert (fresh.name, fresh.version) == ("Ladder", asset.version)
    assert custom_fields.current_values(asset.id) == {count.id: "5"}
    with pytest.raises(Invalid):
        factories.make_asset(actor=lead, name="Other", custom={count.id: "x"})
    assert not assets.search(assets.Search(text="Other"))[0]


def test_a_stale_form_cannot_overwrite_values(app):
    lead = factories.make_user("lead")
    colour = custom_fields.create_field("Colour", "text")
    asset = factories.make_asset(actor=lead, custom={colour.id: "Blue"})
    custom_fields.set_values(asset.code, {colour.id: "Red"}, version=asset.version, actor=lead)
    with pytest.raises(Conflict):
        assets.update_asset(
            asset.code, {"custom": {colour.id: "Green"}}, version=asset.version, actor=lead
        )
    assert custom_fields.current_values(asset.id) == {colour.id: "Red"}


def test_a_field_of_another_category_takes_no_value(app):
    lead = factories.make_user("lead")
    ladders = factories.make_category("Ladders")
    rungs = custom_fields.create_field("Rungs", "number", category_id=ladders.id)
    with pytest.raises(Invalid) as caught:
        factories.make_asset(actor=lead, name="Van", custom={rungs.id: "4"})
    assert caught.value.errors == {f"cf-{rungs.id}": "This field is for Ladders only."}
    asset = factories.make_asset(
        actor=lead, name="Ladder", category=ladders.id, custom={rungs.id: "4"}
    )
    assert custom_fields.current_values(asset.id) == {rungs.id: "4"}


def test_an_unticked_box_is_no_only_once_the_asset_had_a_value(app):
    lead = factories.make_user("lead")
    insured = custom_fields.create_field("Insured", "yes_no")
    asset = factories.make_asset(actor=lead, custom={insured.id: None})
    assert custom_fields.current_values(asset.id) == {}
    custom_fields.set_values(asset.code, {insured.id: "yes"}, actor=lead)
    assert custom_fields.set_values(asset.code, {insured.id: None}, actor=lead) == {
        "cf:Insured": ["yes", "no"]
    }


# Changing a field's kind ----------------------------------------------------


def test_a_kind_change_that_would_lose_values_is_refused_until_they_are_dropped(app):
    lead = factories.make_user("lead")
    size = custom_fields.create_field("Size", "text")
    good = factories.make_asset(actor=lead, name="Good", custom={size.id: "12.50"})
    bad = factories.make_asset(actor=lead, name="Bad", custom={size.id: "large"})
    with pytest.raises(custom_fields.WouldNotConvert) as caught:
        custom_fields.update_field(size.id, "Size", "number", actor=lead)
    assert str(caught.value) == "1 value would not convert. Fix them on their assets, or drop them."
    [problem] = caught.value.problems
    assert (problem.code, problem.asset, problem.text) == (bad.code, "Bad", "large")
    assert problem.reason == "“large” is not a number."
    assert custom_fields.get_field(size.id).kind == "text"
    assert custom_fields.change_problems(size.id, "number") == caught.value.problems

    # Fixed on its asset, the change goes through and converts the rest.
    custom_fields.set_values(bad.code, {size.id: "40"}, actor=lead)
    custom_fields.update_field(size.id, "Size", "number", actor=lead)
    rows = {v.asset_id: (v.text, v.number) for v in CustomValue.select()}
    assert rows == {good.id: ("12.5", 12.5), bad.id: ("40", 40.0)}
    converted = Event.select().where(Event.asset == good.id, Event.kind == "edited").get()
    assert converted.data == {"cf:Size": ["12.50", "12.5"]}
    assert assets.get_by_code(good.code).version == good.version + 1


def test_dropping_values_that_would_not_convert(app):
    lead = factories.make_user("lead")
    size = custom_fields.create_field("Size", "text")
    keep = factories.make_asset(actor=lead, custom={size.id: "yes"})
    drop = factories.make_asset(actor=lead, custom={size.id: "perhaps"})
    custom_fields.update_field(size.id, "Insured", "yes_no", drop=True, actor=lead)
    assert custom_fields.current_values(keep.id) == {size.id: "yes"}
    assert custom_fields.current_values(drop.id) == {}
    dropped = Event.get(Event.asset == drop.id, Event.kind == "edited")
    assert dropped.data == {"cf:Insured": ["perhaps", None]}
    field_event = Event.select().where(Event.asset.is_null()).order_by(Event.id.desc()).first()
    assert (field_event.kind, field_event.note) == ("custom_field_changed", "Size")
    assert field_event.data["name"] == ["Size", "Insured"]
    assert field_event.data["kind"] == ["Text", "Yes/no"]


def test_narrowing_a_field_to_a_category_lists_values_outside_it(app):
    lead = factories.make_user("lead")
    ladders = factories.make_category("Ladders")
    colour = custom_fields.create_field("Colour", "text")
    factories.make_asset(actor=lead, name="Ladder", category=ladders.id, custom={colour.id: "Red"})
    van = factories.make_asset(actor=lead, name="Van", custom={colour.id: "White"})
    with pytest.raises(custom_fields.WouldNotConvert) as caught:
        custom_fields.update_field(colour.id, "Colour", "text", category_id=ladders.id)
    assert [(p.code, p.reason) for p in caught.value.problems] == [
        (van.code, "Its asset is not in the field's category.")
    ]
    assert custom_fields.get_field(colour.id).category_id is None


def test_removing_a_choice_in_use_is_refused(app):
    finish = custom_fields.create_field("Finish", "choice", choices=["Wood", "Steel"])
    factories.make_asset(custom={finish.id: "Steel"})
    with pytest.raises(custom_fields.WouldNotConvert):
        custom_fields.update_field(finish.id, "Finish", "choice", choices=["Wood"])
    assert custom_fields.get_field(finish.id).choices == ["Wood", "Steel"]


def test_values_for_labels(app):
    lead = factories.make_user("lead")
    colour = custom_fields.create_field("Colour", "text", on_labels=True)
    custom_fields.create_field("Secret", "text")
    insured = custom_fields.create_field("Insured", "yes_no", on_labels=True)
    asset = factories.make_asset(actor=lead, custom={colour.id: "Red", insured.id: "yes"})
    bare = factories.make_asset(actor=lead)
    assert custom_fields.on_labels([asset.id, bare.id]) == {
        asset.id: [("Colour", "Red"), ("Insured", "Yes")]
    }


def test_a_new_category_empties_values_of_fields_it_does_not_have(app):
    """Values exist only where their field applies: moving an asset to another
    category empties its old category's fields, and the history says so."""
    lead = factories.make_user("lead")
    ladders = factories.make_category("Ladders")
    vans = factories.make_category("Vans")
    rungs = custom_fields.create_field("Rungs", "number", category_id=ladders.id)
    colour = custom_fields.create_field("Colour", "text")
    asset = factories.make_asset(
        actor=lead, category=ladders.id, custom={rungs.id: "6", colour.id: "Red"}
    )
    changes = assets.update_asset(
        asset.code, {"category": vans.id}, version=asset.version, actor=lead
    )
    assert changes == {"category": ["Ladders", "Vans"], "cf:Rungs": ["6", None]}
    assert custom_fields.current_values(asset.id) == {colour.id: "Red"}
