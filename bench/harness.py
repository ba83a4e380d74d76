"""Shared pieces for the benchmarks: a throwaway instance, the real server in
its own process, signing in over HTTP, and wrk as the load generator.

Every figure is also reported against /healthz served by the same server in
the same run, because shared machines are noisy.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-not-for-production-0123456789"
PASSWORD = "bench-password-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_instance(folder: Path | None = None):
    """A new instance folder (made here unless given an empty one) with its database
    and the bench lead; returns both."""
    folder = folder or Path(tempfile.mkdtemp(prefix="tagtrail-bench-"))
    os.environ.update(TAGTRAIL_INSTANCE=str(folder), TAGTRAIL_SECRET_KEY=SECRET)
    from app import create_app
    from app.register import people

    create_app()
    lead = people.create_person(
        name="Bench Lead", email="lead@bench.test", role="lead", password=PASSWORD
    )
    return folder, lead


def make_instance(assets: int) -> tuple[Path, list[str]]:
    """A fresh instance with a lead and `assets` assets; returns the folder and codes."""
    from app.database import write
    from app.models import Asset, Event, utcnow
    from app.register import places

    folder, lead = fresh_instance()
    codes = []
    with write():
        for i in range(assets):
            code = places.unique_code()
            asset = Asset.create(code=code, name=f"Bench asset {i}", created_at=utcnow())
            Event.create(asset=asset, kind="created", actor=lead)
            codes.append(code)
    return folder, codes


@contextmanager
def server(folder: Path, threads: int = 8, pids: list[int] | None = None):
    """`tagtrail serve` on a free loopback port; yields its base URL (and appends the
    server's process id to `pids`, for those that measure its memory)."""
    port = free_port()
    env = dict(
        os.environ,
        TAGTRAIL_INSTANCE=str(folder),
        TAGTRAIL_SECRET_KEY=SECRET,
        TAGTRAIL_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    log = open(folder / "server.log", "wb")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "tagtrail"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--threads",
            str(threads),
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    if pids is not None:
        pids.append(proc.pid)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError((folder / "server.log").read_text())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


def sign_in(base: str) -> tuple[urllib.request.OpenerDirector, str]:
    """Sign in as the bench lead; returns an opener and the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"email": "lead@bench.test", "password": PASSWORD, "csrf_token": token}
    ).encode()
    opener.open(base + "/login", data=data).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return opener, cookie


def csrf(opener, base: str) -> str:
    page = opener.open(base + "/labels").read().decode()
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    cookie: str = "",
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    script_args: list[str] | None = None,
    timeout: int | None = None,
) -> dict:
    """Run wrk against one URL; returns p50/p99 in ms, requests per second, errors.

    `script` is a wrk Lua script (for POSTs); `script_args` go to its init().
    `timeout`: seconds before wrk gives up on a response (its default is 2).
    """
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if timeout:
        cmd += ["--timeout", f"{timeout}s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", str(script)]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "p50": ms("50%"),
        "p99": ms("99%"),
        "rps": rps,
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "output": out,
    }
