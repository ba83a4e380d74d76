"""Fixtures: a fresh database file per test, a CSRF-aware client, sign-in."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from app import create_app
from app.extensions import limiter
from app.models import User

from . import factories

_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


class Client(FlaskClient):
    """The test client, plus helpers for posting forms the way a browser does."""

    def csrf_token(self) -> str:
        # Any full page carries the token in its hx-headers; a not-found page is cheap.
        page = self.get("/A/ZZZZZZ", follow_redirects=True)
        return _TOKEN.search(page.get_data(as_text=True)).group(1)

    def form(self, url: str, data: dict | None = None, htmx: str | None = None, **kwargs):
        """POST a form with a valid CSRF token (as a page would), optionally via htmx."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        headers = dict(kwargs.pop("headers", {}))
        if htmx:
            headers.update({"HX-Request": "true", "HX-Target": htmx})
        return self.post(url, data=data, headers=headers, **kwargs)

    def soup(self, url: str, **kwargs) -> tuple[BeautifulSoup, object]:
        response = self.get(url, **kwargs)
        return BeautifulSoup(response.get_data(as_text=True), "html.parser"), response


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.delenv("TAGTRAIL_PUBLIC_URL", raising=False)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PUBLIC_URL": "http://tags.example.test",
        }
    )
    app.test_client_class = Client
    # Rate limits live in process memory: each test starts with none used.
    limiter.reset()
    # No app context is held open here: requests must each get their own, as in
    # production, or `g` (and the signed-in user cached on it) would leak
    # between requests. Tests that need url_for push one themselves.
    yield app


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign in as a role (creating that user) through the real sign-in form."""

    def __init__(self, client: Client):
        self.client = client
        self.user: User | None = None

    def login(self, role: str = "member", user: User | None = None) -> User:
        user = user or factories.make_user(role)
        response = self.client.form("/login", {"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)
        self.user = user
        return user

    def logout(self):
        return self.client.form("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    # An admin must exist or every page redirects to /setup.
    if not User.select().exists():
        factories.make_user("admin", name="First Admin")
    return AuthActions(client)
