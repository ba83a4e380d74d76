"""Durability, as the server meets it: kill -9 mid-write, many writers, a full disk."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from .crash_kit import crash_cycles
from .live import Client, Server, code_of

pytestmark = pytest.mark.slow  # real servers killed, starved and loaded for seconds each


def test_twenty_kill_9s_lose_no_acknowledged_write(tmp_path):
    """8 people checking items out and in; the server is killed 20 times."""
    report = crash_cycles(tmp_path, cycles=20, clients=8)
    assert report.cycles == 20
    assert report.acknowledged > 100, report  # the test really wrote something
    assert report.lost == [], report
    assert report.integrity == "ok"
    assert report.mismatched == [], report
    assert report.server_errors == 0, report


def test_sixteen_writers_for_thirty_seconds_never_see_a_lock_error(tmp_path):
    server = Server(tmp_path / "instance", threads=16).start()
    try:
        admin = Client(server.url)
        admin.first_admin()
        codes = [code_of(admin.add_asset(f"Walkie-talkie {i}")) for i in range(8)]
        assert all(codes)
        answers: list[int] = []
        lock = threading.Lock()
        deadline = time.monotonic() + 30

        def writer(number: int) -> None:
            client = Client(server.url, timeout=30)
            client.sign_in()
            # Two writers share each asset, so they race for the same rows.
            code, out = codes[number % len(codes)], None
            while time.monotonic() < deadline:
                _, answer = client.act(code, "return" if out else "checkout")
                if answer.status == 200:
                    out = not out
                elif answer.status == 409:  # the other writer got there first
                    out = None if out is None else not out
                    if out is None:
                        out = "Checked out" in answer.body
                with lock:
                    answers.append(answer.status)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    log = server.log_text()
    assert "database is locked" not in log
    assert "Traceback" not in log, log[-3000:]
    assert answers.count(200) > 200, len(answers)
    assert not [s for s in answers if s >= 500 or s == 0], sorted(set(answers))
    con = sqlite3.connect(tmp_path / "instance" / "tagtrail.sqlite3")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


# A shell that gives the server a small tmpfs of its own (in a private mount
# namespace, so no root is needed on the host), fills it on SIGUSR2, frees it
# on SIGUSR1 (saying so in a file in the out folder, which the host sees), and
# copies the database out when it stops.
_TMPFS_SHELL = r"""
set -eu
dir="$TAGTRAIL_INSTANCE"; out="$1"; shift
mount -t tmpfs -o size=6m tagtrail-full "$dir"
trap 'dd if=/dev/zero of="$dir/ballast" bs=4k 2>/dev/null || true; touch "$out/full"' USR2
trap 'rm -f "$dir/ballast"; touch "$out/freed"' USR1
trap 'kill -TERM "$pid"; wait "$pid" || true; cp "$dir"/tagtrail.sqlite3* "$out"/; exit 0' TERM
"$@" & pid=$!
while kill -0 "$pid" 2>/dev/null; do wait "$pid" || true; done
"""


def _signal_and_wait(server: Server, signum: int, done: Path) -> None:
    """Send the tmpfs shell `signum` and wait until it says it has acted."""
    server.signal(signum)
    deadline = time.monotonic() + 30
    while not done.exists():
        assert time.monotonic() < deadline, f"the shell never wrote {done.name}"
        time.sleep(0.01)


def _unshare() -> list[str]:
    unshare = shutil.which("unshare")
    assert unshare, "unshare (util-linux) is needed to give the server a small tmpfs"
    probe = subprocess.run(
        [unshare, "-rm", "sh", "-c", "mount -t tmpfs none /mnt 2>/dev/null || exit 3"],
        capture_output=True,
    )
    if probe.returncode != 0 and os.geteuid() != 0:
        pytest.fail("This machine allows no private mount namespace for the disk-full test")
    return [unshare, "-rm"] if probe.returncode == 0 else [unshare, "-m"]


def test_a_full_disk_gets_a_clear_503_and_keeps_what_was_saved(tmp_path):
    instance, out = tmp_path / "instance", tmp_path / "out"
    instance.mkdir()
    out.mkdir()
    wrapper = [*_unshare(), "sh", "-c", _TMPFS_SHELL, "tmpfs", str(out)]
    server = Server(instance, wrapper=wrapper).start()
    try:
        admin = Client(server.url)
        admin.first_admin()
        saved = [code_of(admin.add_asset(f"Saved before {i}")) for i in range(5)]
        assert all(saved)
        # The disk fills up (a log, a backup, anything); keep working until it bites.
        _signal_and_wait(server, signal.SIGUSR2, out / "full")
        notes = "Long note to use up the last free pages. " * 100
        answer, acknowledged = None, []
        for i in range(200):
            answer = admin.add_asset(f"While filling {i}", notes=notes)
            if answer.status != 303:
                break
            acknowledged.append(code_of(answer))
        assert answer is not None and answer.status == 503, server.log_text()[-4000:]
        assert "Storage full, nothing was saved" in answer.body, server.log_text()[-3000:]
        assert answer.headers.get("X-Tagtrail-Error") == "storage-full"
        # Actions on an asset answer the same way; reading still works.
        _, action = admin.act(saved[0], "checkout")
        assert action.status == 503 and "Storage full" in action.body
        assert admin.get(f"/A/{saved[0]}").status == 200
        # Space comes back: the next write works without a restart.
        _signal_and_wait(server, signal.SIGUSR1, out / "freed")
        _, action = admin.act(saved[0], "checkout")
        assert action.status == 200, action.body[:400]
    finally:
        server.stop()
    assert "Traceback" not in server.log_text(), server.log_text()[-3000:]
    con = sqlite3.connect(out / "tagtrail.sqlite3")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        codes = {c for (c,) in con.execute("SELECT code FROM asset")}
        assert set(saved) | set(acknowledged) <= codes
        names = {n for (n,) in con.execute("SELECT name FROM asset")}
        assert f"While filling {len(acknowledged)}" not in names  # the refused one
        assert con.execute("SELECT status FROM asset WHERE code = ?", (saved[0],)).fetchone() == (
            "checked_out",
        )
    finally:
        con.close()
