"""The real server in a subprocess, and a cookie-keeping HTTP client for it.

Used by the durability tests and by bench/crash.py: they need what the Flask
test client cannot give, a `tagtrail serve` that can be killed, starved of
disk and restarted, with clients talking to it over loopback.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "correct horse battery"
ADMIN_EMAIL = "admin@live.test"
_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
_CODE = re.compile(r"/A/([0-9A-Z]{6})$")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tagtrail_script() -> Path:
    # The console script sits beside the interpreter, whichever venv runs this.
    script = Path(sys.executable).parent / "tagtrail"
    if not script.exists():
        raise RuntimeError(f"{script} not found: install the project (`pip install -e .`)")
    return script


def default_signals() -> None:
    """In a child before it starts: Ctrl-C and SIGTERM as a shell would leave them.
    A child inherits ignored and blocked signals from the test process, which
    libraries it loaded may have changed; a stop by signal must test the server."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


class Server:
    """`tagtrail serve` on a free loopback port with its own instance folder."""

    def __init__(
        self,
        instance: Path,
        *,
        threads: int = 8,
        wrapper: list[str] | None = None,
        env: dict[str, str] | None = None,
        signals_reset: bool = False,
    ):
        self.instance = instance
        self.threads = threads
        self.wrapper = wrapper or []  # e.g. a shell that mounts a small tmpfs first
        self.env = env or {}  # TAGTRAIL_* settings on top of the instance and public URL
        self.signals_reset = signals_reset  # start with Ctrl-C at its default
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = instance.parent / f"{instance.name}-server.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTRAIL_")}
        env.update(TAGTRAIL_INSTANCE=str(self.instance), TAGTRAIL_PUBLIC_URL=self.url)
        env.update(self.env)
        command = [
            *self.wrapper,
            str(tagtrail_script()),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--threads",
            str(self.threads),
        ]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Only for the tests that stop it with Ctrl-C: running Python between
                # fork and exec in a threaded test process is best kept rare.
                preexec_fn=default_signals if self.signals_reset else None,
            )
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{self.log_text()}")
            time.sleep(0.05)
        return self

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def kill9(self) -> None:
        """The power cord: no shutdown, no flush, nothing."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 303 is the answer we want to see, not to follow


@dataclass
class Answer:
    status: int  # 0: no answer at all (connection refused or cut)
    body: str
    headers: dict

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Client:
    """One person's browser, minus the browser: cookies, CSRF token, no redirects."""

    def __init__(self, base: str, timeout: float = 10):
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )
        self.token = ""

    def _open(self, request: urllib.request.Request) -> Answer:
        # A server killed mid-answer cuts the connection anywhere: before the
        # status line, or halfway through the body. Either way: no answer.
        try:
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    body = response.read().decode("utf-8", "replace")
                    return Answer(response.status, body, dict(response.headers))
            except urllib.error.HTTPError as exc:
                body = exc.read().decode("utf-8", "replace")
                return Answer(exc.code, body, dict(exc.headers))
        except (OSError, http.client.HTTPException):  # URLError is an OSError
            return Answer(0, "", {})

    def get(self, path: str) -> Answer:
        answer = self._open(urllib.request.Request(self.base + path))
        found = _TOKEN.search(answer.body)
        if found:
            self.token = found.group(1)
        return answer

    def post(self, path: str, data: dict, *, htmx: str | None = None) -> Answer:
        if not self.token:
            self.get("/login")
        fields = {"csrf_token": self.token, **data}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if htmx:
            headers.update({"HX-Request": "true", "HX-Target": htmx})
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers=headers,
            method="POST",
        )
        return self._open(request)

    # The few things the durability tests do, as a person would through the forms.

    def first_admin(self) -> None:
        self.get("/setup")
        answer = self.post(
            "/setup",
            {
                "org_name": "Live Test Ltd",
                "public_url": self.base,
                "name": "Ada Admin",
                "email": ADMIN_EMAIL,
                "password": PASSWORD,
            },
        )
        assert answer.status == 303, (answer.status, answer.body[:500])
        self.get("/")

    def sign_in(self, email: str = ADMIN_EMAIL, password: str = PASSWORD) -> None:
        self.get("/login")
        answer = self.post("/login", {"email": email, "password": password})
        assert answer.status == 303, (answer.status, answer.body[:500])
        self.get("/")

    def add_asset(self, name: str, notes: str = "") -> Answer:
        """Returns the answer; on success `code_of(answer)` is the new asset's code."""
        return self.post("/assets/new", {"name": name, "notes": notes, "version": ""})

    def act(self, code: str, action: str, **fields) -> tuple[str, Answer]:
        """An asset action with a fresh idempotency key, as the asset page posts it.
        Returns (key, answer); the htmx answer to a success is 200."""
        key = uuid.uuid4().hex
        answer = self.post(f"/A/{code}/{action}", {"key": key, **fields}, htmx="status-card")
        return key, answer


def code_of(answer: Answer) -> str | None:
    found = _CODE.search(answer.location)
    return found.group(1) if found else None
