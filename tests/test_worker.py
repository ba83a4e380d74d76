"""The render worker: it ends when the server that started it ends, however the
server was stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

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
