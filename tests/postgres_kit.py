"""Fixtures for the tests that need PostgreSQL itself (not the SQLite run's
`app`): one throwaway cluster per session, and an app on a fresh database."""

from __future__ import annotations

import pytest

from app import create_app
from app.models import db

from .conftest import Client
from .postgres import Cluster, create_database


@pytest.fixture(scope="session")
def pg_server():
    cluster = Cluster()
    url = cluster.start()
    yield url
    cluster.stop()


@pytest.fixture
def pg_app(pg_server, tmp_path, request):
    url = create_database(pg_server, f"t_{request.node.name.lower()[:40]}")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": url,
            "PUBLIC_URL": "http://tags.example.test",
            "CHEAPEST_PASSWORD_HASHING": True,
        }
    )
    app.test_client_class = Client
    yield app
    db.close()
