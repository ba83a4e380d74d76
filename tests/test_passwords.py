"""Password hashing: full-strength argon2id everywhere but the test suite."""

from __future__ import annotations

from argon2 import PasswordHasher, extract_parameters

from app import create_app
from app.register import people

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
