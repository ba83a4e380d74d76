"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder,
served on a free loopback port, stopped at the end of the session."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError(
        "PostgreSQL server binaries are missing; install them (Debian: apt-get install "
        "postgresql). .ci/run does this."
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="tagtrail-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        # initdb refuses to run as root; use the postgres account Debian creates.
        self.runas: list[str] = []
        if os.geteuid() == 0:
            user = "postgres"
            pwd.getpwnam(user)
            shutil.chown(self.root, user)
            self.runas = ["runuser", "-u", user, "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self.runas, *args], check=True, capture_output=True, cwd=self.root)

    def start(self) -> str:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "tagtrail",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )
        return f"postgresql://tagtrail@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    import psycopg2

    con = psycopg2.connect(admin_url)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        con.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main(argv: list[str]) -> int:
    """`python -m tests.postgres COMMAND...`: run COMMAND with TAGTRAIL_DATABASE_URL
    pointing at a fresh throwaway cluster, then stop the cluster."""
    if not argv:
        print("usage: python -m tests.postgres COMMAND [ARGS...]")
        return 2
    cluster = Cluster()
    url = create_database(cluster.start(), "tagtrail_tests")
    try:
        print(f"PostgreSQL for the tests at {url}", flush=True)
        return subprocess.run(argv, env={**os.environ, "TAGTRAIL_DATABASE_URL": url}).returncode
    finally:
        cluster.stop()


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
