"""People: holders who never sign in, users, and what leads may not touch."""

from __future__ import annotations

import pytest

from app.models import User

from . import factories
from .pages import field_error, form_values, path_of, soup_of

# People ---------------------------------------------------------------------


def test_lead_adds_a_holder_who_never_signs_in(client, auth):
    """A lead's add form makes a member with no email and no password."""
    auth.login("lead")
    response = client.form("/people/new", {"name": "Pat Holder", "email": ""})
    assert response.status_code == 303
    pat = User.get(User.name == "Pat Holder")
    assert (pat.email, pat.password_hash, pat.role) == (None, None, "member")
    assert path_of(response) == f"/people/{pat.id}"


def test_lead_sees_no_role_or_password_fields(client, auth):
    """Role, password and active are admin matters and absent from a lead's form."""
    auth.login("lead")
    member = factories.make_user("member")
    for url in ("/people/new", f"/people/{member.id}/edit"):
        soup, response = client.soup(url)
        assert response.status_code == 200
        form = soup.select_one("main form")
        assert form.select_one("[name=name]") is not None
        assert form.select("[name=role], [name=password], [name=active]") == []


def test_lead_cannot_edit_an_admin(client, auth):
    """A lead gets 403 from an admin's edit page and cannot change them by POST."""
    admin = factories.make_user("admin", name="Ada Admin")
    auth.login("lead")
    assert client.get(f"/people/{admin.id}/edit").status_code == 403
    response = client.form(f"/people/{admin.id}/edit", {"name": "Demoted", "email": admin.email})
    assert response.status_code == 403
    fresh = User.get_by_id(admin.id)
    assert (fresh.name, fresh.role) == ("Ada Admin", "admin")


def test_the_edit_link_shows_only_where_editing_is_allowed(client, auth):
    """A person's page offers "Edit" exactly when the edit page would let the
    viewer in (register.rules.may_edit_person): a lead edits members only; an
    admin edits anyone."""
    admin = factories.make_user("admin")
    lead = factories.make_user("lead")
    member = factories.make_user("member")

    def offered(person: User) -> bool:
        soup, response = client.soup(f"/people/{person.id}")
        assert response.status_code == 200
        return soup.select_one(f"main a[href='/people/{person.id}/edit']") is not None

    auth.login("lead")
    assert [offered(p) for p in (member, lead, admin)] == [True, False, False]
    auth.logout()
    auth.login("admin", admin)
    assert [offered(p) for p in (member, lead, admin)] == [True, True, True]


def test_admin_adds_a_person_without_typing_their_password(client, auth):
    """An admin's add and edit forms have no password field: people choose their
    own from an invite or reset link; a typed password is ignored."""
    auth.login("admin")
    member = factories.make_user("member")
    for url in ("/people/new", f"/people/{member.id}/edit"):
        soup, _ = client.soup(url)
        form = soup.select_one("main form")
        assert form.select_one("[name=role]") is not None
        assert form.select("[name=password]") == []
    fields = {"name": "Lee Lead", "email": "Lee@Example.test", "password": "long enough pw"}
    response = client.form("/people/new", {**fields, "role": "lead", "active": "y"})
    assert response.status_code == 303
    lee = User.get(User.name == "Lee Lead")
    assert (lee.email, lee.role, lee.password_hash) == ("lee@example.test", "lead", None)
    before = User.get_by_id(member.id).password_hash
    values = form_values(client.soup(f"/people/{member.id}/edit")[0])
    response = client.form(f"/people/{member.id}/edit", {**values, "password": "another long pw"})
    assert response.status_code == 303
    assert User.get_by_id(member.id).password_hash == before


REFUSED = [({"email": "TAKEN@example.test"}, "email"), ({"name": " "}, "name")]


@pytest.mark.parametrize("values, field", REFUSED)
def test_admin_add_refuses_duplicate_email_and_blank_name(client, auth, values, field):
    """A duplicate email or a blank name is a 422 and no new user."""
    auth.login("admin")
    factories.make_user("member", email="taken@example.test")
    before = User.select().count()
    person = {"name": "New Person", "email": "new@example.test", "role": "member", **values}
    response = client.form("/people/new", person)
    assert response.status_code == 422
    assert User.select().count() == before
    assert field_error(soup_of(response), field)


def test_admin_cannot_change_their_own_role(client, auth):
    """An admin demoting themself is refused with 422; they stay an admin."""
    admin = auth.login("admin")
    values = form_values(client.soup(f"/people/{admin.id}/edit")[0])
    assert values["role"] == "admin"
    response = client.form(f"/people/{admin.id}/edit", {**values, "role": "member"})
    assert response.status_code == 422
    assert "own role" in field_error(soup_of(response), "role")
    assert User.get_by_id(admin.id).role == "admin"


@pytest.mark.parametrize(
    "values",
    [{"role": "admin"}, {"role": "lead"}, {"role": "member", "password": "long enough pw"}],
)
def test_a_lead_cannot_add_someone_who_signs_in_even_by_a_crafted_form(client, auth, values):
    """The form hides role and password from leads; the service refuses them too."""
    auth.login("lead")
    form = {"name": "Sneaky", "email": "sneaky@example.test", **values}
    response = client.form("/people/new", form)
    assert not User.select().where(User.name == "Sneaky", User.role != "member").exists()
    assert (
        not User.select().where(User.name == "Sneaky", User.password_hash.is_null(False)).exists()
    )
    assert response.status_code in (303, 403)


def test_a_lead_adding_through_the_service_is_held_to_the_same_rule(app):
    from app.errors import Forbidden
    from app.register import people

    lead = factories.make_user("lead", password=None)
    with pytest.raises(Forbidden):
        people.create_person(name="Boss", email="b@example.test", role="admin", actor=lead)
    with pytest.raises(Forbidden):
        people.create_person(name="Pat", email="p@x.test", password="long enough pw", actor=lead)
    assert people.create_person(name="Holder", actor=lead).role == "member"
