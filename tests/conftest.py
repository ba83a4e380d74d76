"""Fixtures: a fresh database file per test, a CSRF-aware client, sign-in."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from datetime import UTC, datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from app import create_app
from app.extensions import limiter
from app.models import User
from app.ops import settings

from . import factories

_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')

# The shared fixture kits, offered to every test module by name: importing a
# fixture into a module and taking it as an argument reads as a redefinition.
pytest_plugins = [
    "tests.audit_kit",
    "tests.browser_kit",
    "tests.custody_kit",
    "tests.kits_kit",
    "tests.mail_kit",
    "tests.postgres_kit",
]


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


# `make test-postgres` (and CI) run the whole suite a second time with
# TAGTRAIL_DATABASE_URL pointing at a throwaway PostgreSQL: every test built on
# the `app` fixture then runs there. The variable is taken out of the
# environment so that tests about SQLite files (migrations, backups, crashes)
# still get the SQLite they are about.
POSTGRES_URL = os.environ.pop("TAGTRAIL_DATABASE_URL", "") or None
if POSTGRES_URL and not POSTGRES_URL.startswith("postgres"):
    raise RuntimeError("TAGTRAIL_DATABASE_URL for the tests must be a PostgreSQL URL")


def pytest_collection_modifyitems(config, items):
    """Tests that start a PostgreSQL server of their own (pg_server) are marked
    `postgres`. On the PostgreSQL run, keep the tests that use the app's database; the rest
    (SQLite files, real servers, pure functions) already ran on the SQLite run."""
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
    if not POSTGRES_URL:
        return
    keep = [
        i
        for i in items
        if "app" in getattr(i, "fixturenames", ()) and not i.get_closest_marker("sqlite_only")
    ]
    dropped = [i for i in items if i not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def _empty_postgres() -> None:
    """Every table emptied and its ids restarted: a fresh database, in a few ms."""
    from app.models import MODELS, SchemaVersion, db

    tables = ", ".join(f'"{m._meta.table_name}"' for m in MODELS if m is not SchemaVersion)
    db.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    db.close()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite file every migration has run on, made once per session: each
    test's app starts from a copy, in half the time a fresh start takes."""
    from app.database import close_connection

    folder = tmp_path_factory.mktemp("migrated")
    create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "INSTANCE_PATH": str(folder / "i")})
    close_connection()
    template = folder / "tagtrail.sqlite3"
    source = sqlite3.connect(folder / "i" / "tagtrail.sqlite3")
    target = sqlite3.connect(template)
    try:
        source.backup(target)  # the pages in the WAL too, whatever is checkpointed
    finally:
        source.close()
        target.close()
    return template


@pytest.fixture
def app(tmp_path, monkeypatch, request):
    monkeypatch.delenv("TAGTRAIL_PUBLIC_URL", raising=False)
    if not POSTGRES_URL:
        (tmp_path / "instance").mkdir()
        shutil.copyfile(
            request.getfixturevalue("migrated_sqlite"), tmp_path / "instance" / "tagtrail.sqlite3"
        )
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "PUBLIC_URL": "http://tags.example.test",
        # argon2's cheapest parameters: full strength costs every sign-in ~50 ms.
        "CHEAPEST_PASSWORD_HASHING": True,
    }
    if POSTGRES_URL:
        config["DATABASE_URL"] = POSTGRES_URL
        # Commands the test runs (CliRunner builds its own app) use it too.
        monkeypatch.setenv("TAGTRAIL_DATABASE_URL", POSTGRES_URL)
    app = create_app(config)
    if POSTGRES_URL:
        with app.app_context():
            _empty_postgres()
        settings.clear_cache()
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


class QueryLog(list):
    """The SQL statements run inside a `count_queries()` block, in order."""

    def __str__(self) -> str:
        return "\n".join(f"{n:3} {sql}" for n, sql in enumerate(self, 1))


@pytest.fixture
def count_queries(monkeypatch):
    """`with count_queries(at_most=N) as log:` records every statement the block
    runs and fails if there are more than N, listing them. Caches (settings,
    location paths) are emptied first, so the count is a cold page's."""
    from contextlib import contextmanager

    from app.models import db
    from app.register import places

    @contextmanager
    def counting(at_most: int | None = None):
        log = QueryLog()
        settings.clear_cache()
        places.clear_path_cache()
        real = db.obj.execute_sql

        def execute_sql(sql, *args, **kwargs):
            log.append(sql)
            return real(sql, *args, **kwargs)

        with monkeypatch.context() as patch:
            patch.setattr(db.obj, "execute_sql", execute_sql)
            yield log
        if at_most is not None:
            assert len(log) <= at_most, f"{len(log)} queries, at most {at_most}:\n{log}"

    return counting


# Noon in UTC (the test organisation's zone): hours from either midnight.
FIXED_NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    """Today is FIXED_NOW's day for the whole test, for the test and the app
    alike (the clock still ticks from noon): a test built on "today" reads the
    same on any day and never straddles midnight. `clock.shift(...)` moves it."""
    with time_machine.travel(FIXED_NOW, tick=True) as traveller:
        yield traveller
