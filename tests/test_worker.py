"""The render worker: it ends when the server that started it ends, however the
server was stopped; a job that hangs, takes all memory or kills the worker answers
Busy, and the next job gets a fresh worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from .live import default_signals

# A stand-in for the server: start the worker, say its pid, then wait to be killed.
_SERVER = """
import os, sys, time
from app import worker
print(worker.run(os.getpid), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has ended; only its parent's wait is missing.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_the_worker_ends_with_the_server(how):
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    try:
        worker_pid = int(server.stdout.readline())
        assert worker_pid != server.pid and _alive(worker_pid)
        server.send_signal(how)
        server.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker_pid), "the worker outlived its server"
    finally:
        server.kill()
        server.wait()
        server.stdout.close()


def fails_like_a_server_without_pango():
    """What WeasyPrint raises in the worker when Pango is not installed."""
    raise OSError(
        "cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object "
        "file: No such file or directory"
    )


def test_a_server_without_pango_says_what_to_install():
    from app import worker

    with pytest.raises(worker.Unavailable) as raised:
        worker.run(fails_like_a_server_without_pango)
    assert "libpango-1.0-0" in str(raised.value)
    assert isinstance(raised.value, worker.Busy)  # so every rendering page already says it
    worker.shutdown()


def test_printing_without_pango_is_a_message_not_a_server_error(client, auth, monkeypatch):
    from bs4 import BeautifulSoup

    from app import worker
    from app.printing import print_job

    from . import factories

    lead = auth.login("lead")
    factories.make_asset(lead, name="Drill")

    def without_pango(fn, *args, **kwargs):
        return worker.run(fails_like_a_server_without_pango)

    monkeypatch.setattr(print_job, "run", without_pango)
    form = {"choice": "all", "format": "avery-l7160", "start": "1", "copies": "1"}
    response = client.form("/labels/pdf", form)
    assert response.status_code == 503
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "libpango-1.0-0" in page.get_text()
    worker.shutdown()


# A worker that survives anything ------------------------------------------------------
# The fake jobs below run in the worker like any render; each bad one must answer Busy
# within the time limit, and the very next job must work on a fresh worker.

LIMIT = 3.0  # seconds; the tests' time limit, so a stuck job is stopped quickly


@pytest.fixture
def worker(monkeypatch):
    from app import worker

    monkeypatch.setattr(worker, "TIMEOUT_SECONDS", LIMIT)
    worker.shutdown()
    yield worker
    worker.shutdown()


def sleeps_forever():
    while True:
        time.sleep(60)


_CHUNK = 64 * 2**20


def allocates_without_bound():
    """Takes memory until refused. The chunks are never written to, so without a limit
    this stops at 64 GiB of address space (and says so) without using the machine's memory."""
    chunks = []
    while len(chunks) * _CHUNK < 64 * 2**30:
        chunks.append(bytes(_CHUNK))
    return "no memory limit"


def _same_worker_works(worker, before: int | None) -> None:
    """The next job succeeds, on a new worker process."""
    assert worker.run(sum, [1, 2, 3]) == 6
    assert worker.pid() not in (None, before)


def test_a_stuck_job_is_stopped_at_the_limit_and_the_next_one_works(worker):
    first = worker.run(os.getpid)
    started = time.monotonic()
    with pytest.raises(worker.Busy) as raised:
        worker.run(sleeps_forever)
    assert LIMIT <= time.monotonic() - started < LIMIT + 10  # + importing this module
    assert str(raised.value) == worker.TOO_LONG_MESSAGE
    assert not _alive(first), "the stuck worker was left running"
    _same_worker_works(worker, first)


def test_a_job_that_takes_all_memory_fails_and_the_next_one_works(worker, monkeypatch):
    monkeypatch.setattr(worker, "TIMEOUT_SECONDS", 60.0)  # the memory limit stops it, not time
    first = worker.run(os.getpid)
    started = time.monotonic()
    with pytest.raises(worker.Busy) as raised:
        worker.run(allocates_without_bound)
    assert time.monotonic() - started < 30
    assert str(raised.value) == worker.TOO_BIG_MESSAGE
    assert not _alive(first), "the worker that ran out of memory was kept"
    _same_worker_works(worker, first)


def test_the_worker_has_the_memory_limit(worker):
    import resource

    soft, _ = worker.run(resource.getrlimit, resource.RLIMIT_AS)
    assert soft == worker.MEMORY_LIMIT_BYTES == 2**30


def test_a_worker_that_dies_mid_job_is_replaced(worker):
    first = worker.run(os.getpid)
    with pytest.raises(worker.Busy) as raised:
        worker.run(os._exit, 1)
    assert str(raised.value) == worker.DIED_MESSAGE
    _same_worker_works(worker, first)


def test_a_worker_killed_between_jobs_is_replaced(worker):
    first = worker.run(os.getpid)
    # At once: the server may still see it alive, and only learn otherwise when
    # the job is sent.
    os.kill(first, signal.SIGKILL)
    _same_worker_works(worker, first)


def test_a_job_waits_behind_a_stuck_one_no_longer_than_the_limit(worker):
    worker.run(os.getpid)  # the worker is up
    stuck: list = []

    def run_stuck():
        try:
            worker.run(sleeps_forever)
        except worker.Busy as exc:
            stuck.append(str(exc))

    thread = threading.Thread(target=run_stuck)
    thread.start()
    time.sleep(0.5)  # the stuck job has the worker
    started = time.monotonic()
    assert worker.run(sum, [4, 5]) == 9
    assert time.monotonic() - started < LIMIT + 10
    thread.join()
    assert stuck == [worker.TOO_LONG_MESSAGE]


def test_errors_raised_in_a_job_come_back_as_raised(worker):
    from labels import TooManyLabels

    with pytest.raises(TooManyLabels, match="smaller batches") as raised:
        worker.run(_refuses)
    assert "In the PDF worker" in "".join(raised.value.__notes__)
    assert worker.run(sum, [1]) == 1  # and the worker is kept


def _refuses():
    from labels import TooManyLabels

    raise TooManyLabels("Print them in smaller batches.")


def test_a_stuck_label_print_is_a_503_message(client, auth, worker, monkeypatch):
    from bs4 import BeautifulSoup

    from app.printing import print_job

    from . import factories

    lead = auth.login("lead")
    factories.make_asset(lead, name="Drill")
    monkeypatch.setattr(print_job, "run", lambda fn, *a, **k: worker.run(sleeps_forever))
    form = {"choice": "all", "format": "avery-l7160", "start": "1", "copies": "1"}
    response = client.form("/labels/pdf", form)
    assert response.status_code == 503
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "took too long" in page.get_text()


# A stand-in for a server whose worker is stuck in a job when it is stopped.
_STUCK_SERVER = """
import os, threading, time
from app import worker
from tests import test_worker
def stuck():
    try:
        worker.run(test_worker.sleeps_forever)
    except worker.Busy:
        pass
threading.Thread(target=stuck, daemon=True).start()
time.sleep(600)
"""


def _helpers_started(root: int, timeout: float = 60) -> set[int]:
    """Wait until `root` has started the worker (and multiprocessing's helpers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _descendants(root)
        if found and all(_alive_quietly(pid) for pid in found) and len(found) >= 2:
            time.sleep(3)  # the job reaches the worker
            return _descendants(root)
        time.sleep(0.2)
    raise AssertionError("no worker started")


@pytest.mark.slow
@pytest.mark.parametrize(
    "how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["int", "term", "kill"]
)
def test_a_server_stopped_mid_job_stops_and_leaves_nothing(how):
    """Ctrl-C on a server whose worker is stuck: the server ends (it used to wait for
    the job forever), and so does every process it started."""
    server = subprocess.Popen(
        [sys.executable, "-c", _STUCK_SERVER], cwd=os.getcwd(), preexec_fn=default_signals
    )
    try:
        helpers = _helpers_started(server.pid)
        server.send_signal(how)
        server.wait(timeout=20)
        deadline = time.monotonic() + 10
        while any(_alive_quietly(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in helpers if _alive_quietly(pid)], "outlived the server"
    finally:
        server.kill()
        server.wait()


# The real server: nothing it started outlives it ---------------------------------------


def _descendants(root: int) -> set[int]:
    """Every process below `root`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive_quietly(pid: int) -> bool:
    try:
        return _alive(pid)
    except OSError:  # gone between the two looks
        return False


@pytest.mark.slow
@pytest.mark.parametrize(
    "how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["int", "term", "kill"]
)
def test_nothing_outlives_a_stopped_tagtrail_serve(tmp_path, how):
    from .live import Client, Server

    server = Server(tmp_path / "instance", threads=2, signals_reset=True).start()
    try:
        admin = Client(server.url, timeout=120)
        admin.first_admin()
        answer = admin.get("/labels/calibrate?format=avery-l7160&download=1")
        assert answer.status == 200, answer.body[:300]
        helpers = _descendants(server.process.pid)
        # The render worker and multiprocessing's resource tracker, at least.
        assert len(helpers) >= 2, helpers
        server.signal(how)
        server.process.wait(timeout=15)
        deadline = time.monotonic() + 10
        while any(_alive_quietly(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in helpers if _alive_quietly(pid)], "outlived the server"
    finally:
        server.kill9()
