"""Password hashing: full-strength argon2id everywhere but the test suite."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters
from click.testing import CliRunner

from app import create_app
from app.cli import main
from app.errors import Invalid
from app.models import User
from app.register import passwords, people

from . import factories

LIBRARY_DEFAULTS = extract_parameters(PasswordHasher().hash("x"))


def _stored_parameters(email: str):
    from app.models import User

    return extract_parameters(User.get(User.email == email).password_hash)


def _production_app(tmp_path, monkeypatch, **environment):
    """The app as `tagtrail serve` builds it: no test configuration, only the
    environment and the instance folder's config.py."""
    instance = tmp_path / "production"
    instance.mkdir()
    monkeypatch.setenv("TAGTRAIL_INSTANCE", str(instance))
    for key, value in environment.items():
        monkeypatch.setenv("TAGTRAIL_" + key, value)
    (instance / "config.py").write_text("TESTING = True\nCHEAPEST_PASSWORD_HASHING = True\n")
    return create_app()


def test_production_hashes_with_the_library_defaults(tmp_path, monkeypatch):
    """Neither the environment nor config.py can turn on the tests' cheap hashing."""
    app = _production_app(tmp_path, monkeypatch, TESTING="1", CHEAPEST_PASSWORD_HASHING="1")
    assert app.config["CHEAPEST_PASSWORD_HASHING"]  # set, and still ignored
    factories.make_user("admin", email="strong@example.test")
    assert _stored_parameters("strong@example.test") == LIBRARY_DEFAULTS
    assert LIBRARY_DEFAULTS.memory_cost >= 65536 and LIBRARY_DEFAULTS.time_cost >= 3


def test_the_suite_hashes_cheaply(app):
    """The `app` fixture asks for argon2's cheapest parameters."""
    factories.make_user("admin", email="cheap@example.test")
    parameters = _stored_parameters("cheap@example.test")
    assert (parameters.memory_cost, parameters.time_cost) == (8, 1)


def test_a_cheap_hash_is_made_strong_at_the_next_production_sign_in(app, tmp_path, monkeypatch):
    """Should a test-made hash ever reach production, signing in upgrades it."""
    factories.make_user("admin", email="upgrade@example.test")
    assert _stored_parameters("upgrade@example.test").memory_cost == 8
    production = create_app(
        {"INSTANCE_PATH": app.instance_path, "DATABASE_URL": app.config["DATABASE_URL"]}
    )
    assert not production.config.get("TESTING")
    assert people.authenticate("upgrade@example.test", factories.PASSWORD)
    assert _stored_parameters("upgrade@example.test") == LIBRARY_DEFAULTS


# Which passwords may be set --------------------------------------------------

COMMON = ["1234567890", "password12", "Password12!", "QWERTYUIOP", "dragon2024!", "football1234"]


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused_with_the_reason(password):
    """The 10,000 most common, in any case, with digits or symbols tacked on."""
    assert "10,000 most used" in passwords.problem(password)


def test_the_shipped_list_is_the_ten_thousand_most_common():
    """The list file ships with the package and holds 10,000 distinct passwords."""
    common = passwords._common()
    assert len(common) == 10_000 and {"password", "123456", "eyphed"} <= common


@pytest.mark.parametrize(
    "password",
    ["ann smith 2024!", "Ann.Smith-rocks", "ANNSMITH@example.test", "xx-annsmith-xx"],
)
def test_a_password_containing_the_name_or_email_is_refused(password):
    """Case, spaces and punctuation do not hide the name or the email address."""
    problem = passwords.problem(password, name="Ann Smith", email="annsmith@example.test")
    assert problem and "name or email" in problem


def test_good_passwords_and_short_names_pass():
    """A long uncommon password passes; a name under four letters is not looked for."""
    assert passwords.problem(factories.PASSWORD, name="Ann Smith", email="a@example.test") is None
    assert passwords.problem("jo-likes-tea-9", name="Jo", email="jo@example.test") is None


def test_every_place_a_password_is_set_asks_the_rule(app, client, tmp_path, monkeypatch):
    """Set-up, adding a person, editing one, and `tagtrail create-user` all refuse."""
    setup = {
        "org_name": "ACME Workshop",
        "public_url": "http://192.168.1.20:8080",
        "name": "Olive Owner",
        "email": "olive@example.test",
        "password": "Password12!",
    }
    response = client.form("/setup", setup)
    assert response.status_code == 422 and "10,000 most used" in response.get_data(as_text=True)
    response = client.form("/setup", {**setup, "password": "olive-owner-2024"})
    assert response.status_code == 422 and "name or email" in response.get_data(as_text=True)
    assert User.select().count() == 0

    admin = factories.make_user("admin")
    with pytest.raises(Invalid) as refused:
        people.create_person(
            name="Lee Lead", email="lee@example.test", password="1234567890", actor=admin
        )
    assert "10,000" in refused.value.errors["password"]
    member = factories.make_user("member", name="Pat Member", email="pat@example.test")
    with pytest.raises(Invalid) as refused:
        people.update_person(member.id, {"password": "pat@example.test!"}, actor=admin)
    assert "name or email" in refused.value.errors["password"]
    with pytest.raises(Invalid):  # the new name counts, not only the old one
        people.update_person(
            member.id, {"name": "Quinn Jones", "password": "quinnjones-wins"}, actor=admin
        )

    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    result = CliRunner().invoke(
        main,
        ["create-user", "--email", "x@example.test", "--name", "X", "--password", "qwertyuiop"],
    )
    assert result.exit_code == 1 and "10,000 most used" in result.output
    assert not User.select().where(User.email == "x@example.test").exists()
