"""Custom fields through the pages: the leads' list, the asset form, the asset page."""

from __future__ import annotations

from app.models import CustomField, CustomValue, Event
from app.register import assets, custom_fields

from . import factories
from .pages import field_error, form_values, path_of, soup_of


def _names(soup) -> list[str]:
    return [s.get_text(strip=True) for s in soup.select("#custom-fields .row-main")]


def test_a_lead_defines_orders_and_removes_fields(client, auth):
    """Add two fields, move the second up, edit one, remove one after confirming."""
    auth.login("lead")
    ladders = factories.make_category("Ladders")
    soup, page = client.soup("/categories")
    assert soup.select_one("main a[href='/custom-fields']").get_text() == "Custom fields"
    empty, _ = client.soup("/custom-fields")
    assert "No custom fields yet." in empty.select_one("#custom-fields").get_text()
    first = empty.select_one("#custom-fields a[href='/custom-fields/new']")
    assert first.get_text() == "Add the first field"  # an empty list offers the next step

    added = client.form("/custom-fields/new", {"name": "Colour", "kind": "text", "category": ""})
    assert added.status_code == 303 and path_of(added) == "/custom-fields"
    client.form(
        "/custom-fields/new",
        {"name": "Rungs", "kind": "number", "category": ladders.id, "on_labels": "y"},
    )
    rungs = CustomField.get(CustomField.name == "Rungs")
    assert (rungs.kind, rungs.category_id, rungs.on_labels) == ("number", ladders.id, True)
    feed = client.soup("/activity")[0].select_one("main").get_text(" ", strip=True)
    assert "Custom field added" in feed and "Rungs" in feed
    soup, _ = client.soup("/custom-fields")
    assert _names(soup) == ["Colour", "Rungs"]
    sub = soup.select_one(f"#field-{rungs.id} .row-sub").get_text(" ", strip=True)
    assert sub == "Number · Ladders · 0 values · On labels"
    # The first cannot move up, the last cannot move down.
    assert soup.select("#custom-fields li")[0].select_one("button[value=up]").has_attr("disabled")

    moved = client.form(f"/custom-fields/{rungs.id}/move", {"to": "up"})
    assert moved.status_code == 303
    assert _names(client.soup("/custom-fields")[0]) == ["Rungs", "Colour"]
    assert client.form(f"/custom-fields/{rungs.id}/move", {"to": "sideways"}).status_code == 400

    edit, _ = client.soup(f"/custom-fields/{rungs.id}/edit")
    values = form_values(edit)
    assert [values[k] for k in ("name", "kind", "category")] == ["Rungs", "number", str(ladders.id)]
    values.update(name="Rung count")
    assert client.form(f"/custom-fields/{rungs.id}/edit", values).status_code == 303
    assert CustomField.get_by_id(rungs.id).name == "Rung count"

    colour = CustomField.get(CustomField.name == "Colour")
    factories.make_asset(custom={colour.id: "Red"})
    confirm, _ = client.soup(f"/custom-fields/{colour.id}/remove")
    assert "Its 1 value will be removed from its asset." in confirm.select_one("main").get_text()
    assert CustomField.select().count() == 2  # a GET removes nothing
    gone = client.form(f"/custom-fields/{colour.id}/remove")
    assert gone.status_code == 303
    assert CustomField.select().count() == 1 and CustomValue.select().count() == 0


def test_bad_field_input_is_shown_beside_the_field(client, auth):
    auth.login("lead")
    client.form("/custom-fields/new", {"name": "Colour", "kind": "text", "category": ""})
    response = client.form("/custom-fields/new", {"name": "colour", "kind": "text", "category": ""})
    assert response.status_code == 422
    assert field_error(soup_of(response), "name") == "There is already a field with that name."
    finish = {"name": "Finish", "kind": "choice", "category": ""}
    response = client.form("/custom-fields/new", finish)
    assert response.status_code == 422
    assert field_error(soup_of(response), "choices") == "List the choices, one per line."
    response = client.form("/custom-fields/new", {"name": "Odd", "kind": "colour", "category": ""})
    assert response.status_code == 422
    assert field_error(soup_of(response), "kind") == "Choose what kind of value the field holds."
    assert CustomField.select().count() == 1


def test_members_cannot_manage_fields(client, auth):
    auth.login("member")
    assert client.get("/custom-fields").status_code == 403
    assert client.form("/custom-fields/new", {"name": "X", "kind": "text"}).status_code == 403
    assert CustomField.select().count() == 0
    soup, _ = client.soup("/categories")
    assert soup.select_one("main a[href='/custom-fields']") is None


def test_a_type_change_lists_values_that_would_not_convert(client, auth):
    """The page names each value the change would lose and refuses; dropping them
    is a separate, explicit button."""
    lead = auth.login("lead")
    size = custom_fields.create_field("Size", "text")
    fine = factories.make_asset(actor=lead, name="Fine", custom={size.id: "12"})
    odd = factories.make_asset(actor=lead, name="Odd", custom={size.id: "large"})
    values = {"name": "Size", "kind": "number", "category": ""}
    refused = client.form(f"/custom-fields/{size.id}/edit", values)
    assert refused.status_code == 422
    soup = soup_of(refused)
    assert (
        "1 value would not convert. Fix them on their assets, or drop them."
        in soup.select_one(".flash-error").get_text()
    )
    listed = soup.select_one("#would-not-convert li").get_text(" ", strip=True)
    assert "Odd" in listed and "“large” is not a number." in listed
    assert soup.select_one("#would-not-convert a")["href"] == f"/assets/{odd.code}/edit"
    assert custom_fields.get_field(size.id).kind == "text"

    drop = soup.select_one("#would-not-convert button[name=drop]")
    assert drop.get_text(strip=True) == "Drop 1 value and save"
    dropped = client.form(f"/custom-fields/{size.id}/edit", {**values, "drop": drop["value"]})
    assert dropped.status_code == 303
    assert custom_fields.get_field(size.id).kind == "number"
    assert custom_fields.current_values(fine.id) == {size.id: "12"}
    assert custom_fields.current_values(odd.id) == {}


def test_the_asset_form_shows_fields_in_order_with_their_inputs(client, auth):
    auth.login("lead")
    ladders = factories.make_category("Ladders")
    text = custom_fields.create_field("Colour", "text")
    number = custom_fields.create_field("Rungs", "number", category_id=ladders.id)
    day = custom_fields.create_field("Inspected", "date")
    yes = custom_fields.create_field("Insured", "yes_no")
    choice = custom_fields.create_field("Finish", "choice", choices=["Aluminium", "Wood"])
    link = custom_fields.create_field("Manual", "link")
    soup, _ = client.soup("/assets/new")
    shown = soup.select("#custom-fields .field")
    assert [f.select_one("label").get_text(strip=True) for f in shown] == [
        "Colour",
        "Rungs",
        "Inspected",
        "Insured",
        "Finish",
        "Manual",
    ]

    def control(field):
        return soup.select_one(f"[name=cf-{field.id}]")

    assert control(text).get("type") is None and control(text)["maxlength"] == "500"
    assert control(number)["inputmode"] == "decimal"
    assert control(day)["type"] == "date"
    assert control(yes)["type"] == "checkbox"
    assert [o.get_text() for o in control(choice).select("option")] == ["—", "Aluminium", "Wood"]
    assert control(link)["type"] == "url"
    rungs_box = control(number).find_parent("div", class_="field")
    assert rungs_box["data-custom-category"] == str(ladders.id)
    assert rungs_box.select_one(".hint").get_text() == "Only for Ladders."


def test_a_bad_value_shows_beside_its_field_and_nothing_is_saved(client, auth):
    lead = auth.login("lead")
    rungs = custom_fields.create_field("Rungs", "number")
    colour = custom_fields.create_field("Colour", "text")
    form = form_values(client.soup("/assets/new")[0])
    form.update({"name": "Ladder", f"cf-{rungs.id}": "five", f"cf-{colour.id}": "Red"})
    response = client.form("/assets/new", form)
    assert response.status_code == 422
    soup = soup_of(response)
    assert field_error(soup, f"cf-{rungs.id}") == "“five” is not a number."
    assert soup.select_one(f"[name=cf-{colour.id}]")["value"] == "Red"  # what was typed stays
    assert soup.select_one(f"[name=cf-{rungs.id}]")["aria-invalid"] == "true"
    # The refused field takes the focus (the page scrolls to it), and only it.
    assert [e["name"] for e in soup.select("main [autofocus]")] == [f"cf-{rungs.id}"]
    assert "Nothing was saved" in soup.select_one(".flash-error").get_text()
    assert CustomValue.select().count() == 0
    # A built-in field refused too: the focus is not moved past it to a custom one.
    both = client.form("/assets/new", {**form, "name": ""})
    assert soup_of(both).select(f"[name=cf-{rungs.id}][autofocus]") == []
    assert not assets.search(assets.Search(text="Ladder"))[0]

    form[f"cf-{rungs.id}"] = "5"
    added = client.form("/assets/new", form)
    assert added.status_code == 303
    asset = assets.get_by_code(path_of(added).rsplit("/", 1)[1])
    assert custom_fields.current_values(asset.id) == {rungs.id: "5", colour.id: "Red"}
    assert lead  # the lead made it


def test_editing_values_records_them_and_the_page_shows_them(client, auth):
    lead = auth.login("lead")
    rungs = custom_fields.create_field("Rungs", "number")
    insured = custom_fields.create_field("Insured", "yes_no")
    manual = custom_fields.create_field("Manual", "link")
    inspected = custom_fields.create_field("Inspected", "date")
    asset = factories.make_asset(actor=lead, name="Ladder", custom={rungs.id: "5"})
    form = form_values(client.soup(f"/assets/{asset.code}/edit")[0])
    assert form[f"cf-{rungs.id}"] == "5" and f"cf-{insured.id}" not in form
    form.update(
        {
            f"cf-{rungs.id}": "6",
            f"cf-{insured.id}": "yes",
            f"cf-{manual.id}": "https://example.test/ladder.pdf",
            f"cf-{inspected.id}": "2025-03-04",
        }
    )
    saved = client.form(f"/assets/{asset.code}/edit", form)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    edited = Event.get(Event.asset == asset, Event.kind == "edited")
    assert edited.data == {
        "cf:Rungs": ["5", "6"],
        "cf:Insured": [None, "yes"],
        "cf:Manual": [None, "https://example.test/ladder.pdf"],
        "cf:Inspected": [None, "2025-03-04"],
    }
    soup, _ = client.soup(f"/A/{asset.code}")
    details = dict(
        zip(
            [dt.get_text(strip=True) for dt in soup.select("#details dt")],
            soup.select("#details dd"),
            strict=True,
        )
    )
    assert details["Rungs"].get_text() == "6"
    assert details["Insured"].get_text() == "Yes"
    assert details["Inspected"].get_text() == "04 Mar 2025"
    link = details["Manual"].select_one("a")
    assert link["href"] == "https://example.test/ladder.pdf" and "noopener" in link["rel"]
    # The history names the field as the lead wrote it, with old and new values.
    history = soup.select_one("#history").get_text(" ", strip=True)
    assert "Rungs" in history and "Insured" in history

    # Unticking the box makes it "no".
    form = form_values(client.soup(f"/assets/{asset.code}/edit")[0])
    assert form[f"cf-{insured.id}"] == "yes"
    del form[f"cf-{insured.id}"]
    assert client.form(f"/assets/{asset.code}/edit", form).status_code == 303
    assert custom_fields.current_values(asset.id)[insured.id] == "no"


def test_a_field_of_another_category_is_refused_beside_it(client, auth):
    auth.login("lead")
    ladders = factories.make_category("Ladders")
    rungs = custom_fields.create_field("Rungs", "number", category_id=ladders.id)
    form = form_values(client.soup("/assets/new")[0])
    form.update({"name": "Van", f"cf-{rungs.id}": "4"})
    response = client.form("/assets/new", form)
    assert response.status_code == 422
    assert field_error(soup_of(response), f"cf-{rungs.id}") == "This field is for Ladders only."
    form["category"] = str(ladders.id)
    assert client.form("/assets/new", form).status_code == 303


def test_choices_only_for_a_list_and_the_list_reads_as_links(client, auth):
    """The Choices box is marked as only for a list of choices (app.css hides it
    otherwise); choices sent with another kind are ignored; names are links;
    the back link goes to the Menu, where custom fields are."""
    auth.login("lead")
    form, _ = client.soup("/custom-fields/new")
    box = form.select_one("#choices-field")
    assert box.select_one("textarea#choices")
    assert box.select_one(".hint").get_text() == "Only for a list of choices."
    sent = {"name": "Weight", "kind": "number", "category": "", "choices": "Light\nHeavy"}
    assert client.form("/custom-fields/new", sent).status_code == 303
    weight = CustomField.get(CustomField.name == "Weight")
    assert weight.kind == "number" and not weight.choices
    edit, _ = client.soup(f"/custom-fields/{weight.id}/edit")
    assert edit.select_one("textarea#choices").get_text().strip() == ""
    listing, _ = client.soup("/custom-fields")
    link = listing.select_one(f"#field-{weight.id} a")
    assert link["href"] == f"/custom-fields/{weight.id}/edit"
    assert link.select_one(".row-main").get_text() == "Weight"
    back = listing.select_one("main .tap-links a")
    assert back.get_text() == "← Menu" and back["href"] == "/menu"
