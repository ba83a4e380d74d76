"""Several `tagtrail serve` processes on one PostgreSQL database, as
docs/postgresql.md describes: limits shared through a real redis-server, and
check-out races split across the servers.

Each server is a real process; the clients talk to them over loopback.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from app import create_app
from app.models import Asset, Event, db

from . import factories
from .live import Client, Server, free_port
from .postgres import create_database
from .replay import replay

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WRONG = "not-the-password-1"
SECRET = "several-servers-share-this-secret-key-0123456789"


class Redis:
    """Debian's redis-server on a loopback port, keeping nothing on disk."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self) -> Redis:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise RuntimeError("redis-server is missing: run scripts/system-packages")
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 15
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        return self

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@pytest.fixture
def redis_server(tmp_path):
    server = Redis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def database(pg_server, tmp_path, request):
    """A fresh database on the session's cluster, with its schema, a lead and one
    asset made in this process; the servers under test are started on it."""
    url = create_database(pg_server, f"several_{request.node.name.lower()[:40]}")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "INSTANCE_PATH": str(tmp_path / "setup-instance"),
            "DATABASE_URL": url,
            "PUBLIC_URL": "http://tags.example.test",
            "CHEAPEST_PASSWORD_HASHING": True,
        }
    )
    with app.app_context():
        factories.make_user("admin")
        lead = factories.make_user("lead")
        factories.make_asset(lead, name="Laser level")
    yield url, app
    db.close()


def start_servers(tmp_path: Path, url: str, count: int = 2, **settings: str) -> list[Server]:
    """`count` servers sharing the database and the secret key, as the docs say."""
    servers = []
    for n in range(count):
        server = Server(tmp_path / f"instance-{n}", threads=8)
        server.env = {
            "TAGTRAIL_DATABASE_URL": url,
            "TAGTRAIL_SECRET_KEY": SECRET,
            **{f"TAGTRAIL_{key.upper()}": value for key, value in settings.items()},
        }
        servers.append(server)
    try:
        for server in servers:
            server.start()
    except Exception:
        for server in servers:
            server.stop()
        raise
    return servers


@pytest.fixture
def servers_on(tmp_path):
    started: list[Server] = []

    def start(url: str, count: int = 2, **settings: str) -> list[Server]:
        servers = start_servers(tmp_path, url, count, **settings)
        started.extend(servers)
        return servers

    yield start
    for server in started:
        server.stop()


def failed_sign_in(server: Server, email: str) -> int:
    return Client(server.url).post("/login", {"email": email, "password": WRONG}).status


# Limits ------------------------------------------------------------------------


def test_two_servers_count_one_sign_in_limit_through_redis(database, redis_server, servers_on):
    """Five failed sign-ins for one account, split across the two servers, use up
    its five a minute: the sixth is refused by either server, even with the right
    password; another account is untouched."""
    url, app = database
    a, b = servers_on(url, ratelimit_storage=redis_server.url)
    tries = [failed_sign_in(server, "lee@example.test") for server in (a, b, a, b, a)]
    assert tries == [422] * 5
    assert failed_sign_in(b, "lee@example.test") == 429
    assert failed_sign_in(a, "lee@example.test") == 429
    with app.app_context():
        member = factories.make_user("member", email="lee@example.test")
    answer = Client(b.url).post("/login", {"email": member.email, "password": factories.PASSWORD})
    assert answer.status == 429
    assert failed_sign_in(a, "someone-else@example.test") == 429  # same address: five used
    assert f"limits: shared through {redis_server.url}" in a.log_text()


def test_two_servers_count_one_public_report_limit_through_redis(
    database, redis_server, servers_on
):
    """A stranger's reports (five a minute per address) count across both servers."""
    url, app = database
    a, b = servers_on(url, ratelimit_storage=redis_server.url)
    with app.app_context():
        code = Asset.get().code
    statuses = []
    for server in (a, b, a, b, a, b):
        stranger = Client(server.url)
        stranger.get(f"/A/{code}/report")
        fields = {"message": "On the stairs", "key": uuid.uuid4().hex}
        answer = stranger.post(f"/A/{code}/report", fields)
        statuses.append(answer.status)
    assert statuses[:5] == [303] * 5, statuses
    assert statuses[5] == 429


def test_without_a_shared_store_each_server_counts_alone(database, servers_on):
    """The default (memory://) is per process, as docs/postgresql.md says: the same
    split of failures leaves each server under its own five."""
    url, _ = database
    a, b = servers_on(url)
    tries = [failed_sign_in(server, "lee@example.test") for server in (a, b, a, b, a, b)]
    assert tries == [422] * 6


def test_a_stopped_redis_does_not_stop_sign_ins(database, redis_server, servers_on):
    """With the shared store gone, people still sign in and failures are still
    limited, each server counting in its own memory; no 5xx."""
    url, app = database
    [a] = servers_on(url, count=1, ratelimit_storage=redis_server.url)
    with app.app_context():
        member = factories.make_user("member")
    redis_server.stop()
    Client(a.url).sign_in(member.email, factories.PASSWORD)  # asserts the 303
    tries = [failed_sign_in(a, "lee@example.test") for _ in range(6)]
    assert tries == [422] * 5 + [429]
    assert "falling back to in-memory storage" in a.log_text()


def test_an_unknown_store_is_refused_at_start(tmp_path):
    """A mistyped TAGTRAIL_RATELIMIT_STORAGE stops the server with a clear message."""
    server = Server(tmp_path / "instance")
    server.env = {"TAGTRAIL_RATELIMIT_STORAGE": "reddis://127.0.0.1:6379"}
    try:
        with pytest.raises(RuntimeError, match="server did not start"):
            server.start(timeout=20)
    finally:
        server.stop()
    assert "TAGTRAIL_RATELIMIT_STORAGE is not a storage tagtrail can use" in server.log_text()


# Custody races across servers ---------------------------------------------------


def tap_at_once(clients: list[Client], code: str) -> dict[int, tuple[int, str]]:
    """Every client taps "Check out to me" at the same moment: {n: (status, body)}."""
    barrier = threading.Barrier(len(clients))
    results: dict[int, tuple[int, str]] = {}

    def tap(n: int, client: Client) -> None:
        barrier.wait(timeout=30)
        _, answer = client.act(code, "checkout")
        results[n] = (answer.status, answer.body)

    threads = [threading.Thread(target=tap, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_eight_check_outs_across_two_servers_one_wins(database, servers_on):
    """Eight members tap "Check out to me" on one item at the same moment, four
    through each server (each signed in on the other one): exactly one wins,
    seven are told who has it, and the asset row equals a replay of its events.
    Three rounds, the winner handing it back between them."""
    url, app = database
    servers = servers_on(url)
    with app.app_context():
        members = [factories.make_user("member", name=f"Racer {n}") for n in range(8)]
        code = Asset.get().code
    clients = []
    for n, member in enumerate(members):
        client = Client(servers[n % 2].url)
        client.sign_in(member.email, factories.PASSWORD)
        client.base = servers[(n + 1) % 2].url  # the session holds on the other server
        assert client.get(f"/A/{code}").status == 200
        clients.append(client)

    for _ in range(3):
        results = tap_at_once(clients, code)
        statuses = sorted(status for status, _ in results.values())
        assert statuses == [200] + [409] * 7, statuses
        [winner] = [n for n, (status, _) in results.items() if status == 200]
        for status, body in results.values():
            if status == 409:
                assert f"Already checked out to {members[winner].name}" in body

        with app.app_context():
            asset = Asset.get(Asset.code == code)
            events = list(Event.select().where(Event.asset == asset).order_by(Event.id))
            assert (asset.status, asset.holder_id) == ("checked_out", members[winner].id)
            assert replay(events) == (asset.status, asset.holder_id)
            db.close()
        _, back = clients[winner].act(code, "return", holder=members[winner].id)
        assert back.status == 200, back.body[:300]

    with app.app_context():
        asset = Asset.get(Asset.code == code)
        events = list(Event.select().where(Event.asset == asset).order_by(Event.id))
        kinds = [e.kind for e in events]
        assert kinds == ["created"] + ["checked_out", "checked_in"] * 3
        assert replay(events) == (asset.status, asset.holder_id) == ("available", None)
