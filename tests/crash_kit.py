"""kill -9 the server while people check items out and in; then count what survived.

A write the server acknowledged (a 2xx answer) must be in the database after the
crash: that is what SQLite's WAL with synchronous=NORMAL promises for a process
crash, and what this checks, cycle after cycle. Writes that got no answer may or
may not have landed; either is fine, as long as the rows agree with the events.
Used by tests/test_durability.py (20 cycles) and bench/crash.py (1,000).
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from .live import Client, Server, code_of
from .replay import replay


@dataclass
class CrashReport:
    cycles: int = 0
    acknowledged: int = 0
    unanswered: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged keys not in the database
    mismatched: list[str] = field(default_factory=list)  # rows that disagree with events
    integrity: str = ""
    server_errors: int = 0  # 5xx answers


def _worker(client: Client, codes: list[str], stop: threading.Event, acked: list, report, lock):
    out = dict.fromkeys(codes, None)  # None: we don't know yet
    rng = random.Random()
    while not stop.is_set():
        code = rng.choice(codes)
        action = "return" if out[code] else "checkout"
        key, answer = client.act(code, action)
        with lock:
            if answer.status == 200:
                acked.append(key)
                report.acknowledged += 1
                out[code] = action == "checkout"
            elif answer.status == 409:
                out[code] = not out[code] if out[code] is not None else action != "checkout"
            elif answer.status >= 500:
                report.server_errors += 1
            else:
                report.unanswered += 1
                out[code] = None if answer.status == 0 else out[code]
                if answer.status == 0:
                    time.sleep(0.05)  # the server is down: wait for the next cycle


def _verify(db_file: Path, acked: list[str], report: CrashReport) -> None:
    con = sqlite3.connect(db_file)
    try:
        report.integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        present = {k for (k,) in con.execute("SELECT key FROM event WHERE key IS NOT NULL")}
        report.lost = [k for k in acked if k not in present]
        rows = con.execute("SELECT id, code, status, holder_id FROM asset").fetchall()
        for asset_id, code, status, holder_id in rows:
            events = [
                SimpleNamespace(kind=k, holder_id=h, data=json.loads(d) if d else None)
                for k, h, d in con.execute(
                    "SELECT kind, holder_id, data FROM event WHERE asset_id = ? ORDER BY id",
                    (asset_id,),
                )
            ]
            if (status, holder_id) != replay(events):
                report.mismatched.append(code)
    finally:
        con.close()


def crash_cycles(
    workdir: Path,
    cycles: int,
    *,
    clients: int = 8,
    assets_per_client: int = 2,
    run_seconds: tuple[float, float] = (0.3, 1.0),
    writes_per_cycle: int = 6,
    progress=None,
) -> CrashReport:
    report = CrashReport()
    server = Server(workdir / "instance", threads=clients)
    server.start()
    admin = Client(server.url)
    admin.first_admin()
    codes = []
    for i in range(clients * assets_per_client):
        code = code_of(admin.add_asset(f"Radio {i + 1}"))
        assert code, server.log_text()
        codes.append(code)
    # Signed in once: the session cookie outlives every restart (the secret key
    # is in the instance folder), as a phone's would.
    people = []
    for _ in range(clients):
        person = Client(server.url, timeout=5)
        person.sign_in()
        people.append(person)
    acked: list[str] = []
    lock = threading.Lock()
    rng = random.Random(20261121)
    try:
        for cycle in range(cycles):
            if not server.healthy():
                server.start()
            stop = threading.Event()
            threads = [
                threading.Thread(
                    target=_worker,
                    args=(
                        people[i],
                        codes[i * assets_per_client : (i + 1) * assets_per_client],
                        stop,
                        acked,
                        report,
                        lock,
                    ),
                )
                for i in range(clients)
            ]
            acknowledged_before = report.acknowledged
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(*run_seconds))
            # On a loaded machine a restarted server may answer nothing in the
            # time drawn; wait for a few answers, so each kill lands among writes.
            patience = time.monotonic() + 20
            while (
                report.acknowledged - acknowledged_before < writes_per_cycle
                and time.monotonic() < patience
            ):
                time.sleep(0.02)
            server.kill9()
            stop.set()
            for thread in threads:
                thread.join()
            report.cycles = cycle + 1
            if progress:
                progress(report)
    finally:
        server.kill9()
    _verify(workdir / "instance" / "tagtrail.sqlite3", acked, report)
    return report
