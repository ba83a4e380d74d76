"""Field names unique ignoring case, when two leads add the same name at once.

The service checks first; the database's unique index on the lowered name is what
stops the second of two writers whose check ran before the first one's commit.
Those races are stood in for by a check that sees no other field (as the second
writer's did), so only the index can refuse."""

from __future__ import annotations

import pytest

from app.errors import Invalid
from app.models import CustomField, Event
from app.register import custom_field_rules, custom_fields

from .pages import field_error, soup_of

TAKEN = "There is already a field with that name."


@pytest.fixture
def racing_check(monkeypatch):
    """The service's check misses the other field, as it does in a race."""
    monkeypatch.setattr(custom_field_rules, "same_name", lambda a, b: False)


def test_the_database_refuses_a_raced_name_with_the_checks_message(client, auth, racing_check):
    auth.login("lead")
    assert client.form("/custom-fields/new", {"name": "Colour", "kind": "text"}).status_code == 303
    response = client.form("/custom-fields/new", {"name": "COLOUR", "kind": "number"})
    assert response.status_code == 422
    assert field_error(soup_of(response), "name") == TAKEN
    assert [f.name for f in CustomField.select()] == ["Colour"]
    assert Event.select().where(Event.kind == "custom_field_added").count() == 1


def test_a_raced_rename_is_refused_and_changes_nothing(app, racing_check):
    custom_fields.create_field("Colour", "text")
    size = custom_fields.create_field("Size", "text")
    with pytest.raises(Invalid) as caught:
        custom_fields.update_field(size.id, "colour", "text")
    assert caught.value.errors == {"name": TAKEN}
    assert sorted(f.name for f in CustomField.select()) == ["Colour", "Size"]
    assert not Event.select().where(Event.kind == "custom_field_changed").exists()
