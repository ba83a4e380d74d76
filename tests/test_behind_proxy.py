"""Behind a reverse proxy: the real nginx, with the docs' own config, in front of
the real `tagtrail serve`; and Secure cookies for an https address saved in Settings.

Phones are told apart by their source address on loopback (127.0.0.2, .3, ...):
nginx sees each one's real address and passes it on in X-Forwarded-For.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest

from app.ops import settings

from . import factories
from .live import ADMIN_EMAIL, PASSWORD, Server, free_port

ROOT = Path(__file__).resolve().parent.parent
_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def documented_nginx_server() -> str:
    """The nginx `server { ... }` block docs/https.md tells people to use."""
    text = (ROOT / "docs" / "https.md").read_text()
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    found = [b for b in blocks if "proxy_pass" in b and "ssl_certificate" in b]
    assert len(found) == 1, "docs/https.md should hold exactly one nginx config"
    return found[0]


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the documented nginx config no longer has {old!r}"
    return text.replace(old, new)


class Nginx:
    """Debian's nginx on a loopback port, unprivileged, all its files in one folder."""

    def __init__(self, upstream_port: int):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tagtrail-nginx-"))
        self.process: subprocess.Popen | None = None
        cert, key = self.dir / "cert.pem", self.dir / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
            + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"],
            check=True,
            capture_output=True,
        )
        server = documented_nginx_server()
        server = _replace_once(server, "listen 443 ssl;", f"listen 127.0.0.1:{self.port} ssl;")
        server = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", server)
        server = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", server)
        server = _replace_once(
            server,
            "proxy_pass http://127.0.0.1:8080;",
            f"proxy_pass http://127.0.0.1:{upstream_port};",
        )
        temps = "\n".join(
            f"    {kind}_temp_path {self.dir / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.dir / "nginx.conf").write_text(
            f"error_log {self.dir / 'error.log'};\n"
            "events {}\n"
            "http {\n"
            "    access_log off;\n"
            f"{temps}\n"
            f"{server}\n"
            "}\n"
        )

    def start(self) -> Nginx:
        command = [
            shutil.which("nginx") or "/usr/sbin/nginx",
            "-p", str(self.dir),
            "-c", str(self.dir / "nginx.conf"),
            "-e", str(self.dir / "error.log"),
            "-g", f"daemon off; pid {self.dir / 'nginx.pid'};",
        ]  # fmt: skip
        if os.geteuid() == 0:  # never as root: as nobody, owning its own folder
            shutil.chown(self.dir, "nobody")
            for path in self.dir.iterdir():
                shutil.chown(path, "nobody")
            command = ["runuser", "-u", "nobody", "--", *command]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while not self._listening():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{self.errors()}")
            time.sleep(0.05)
        return self

    def _listening(self) -> bool:
        try:
            Phone("127.0.0.1", self.port, tls=True).request("GET", "/healthz")
        except OSError:
            return False
        return True

    def errors(self) -> str:
        log = self.dir / "error.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self) -> None:
        pid_file = self.dir / "nginx.pid"
        if pid_file.exists():  # the master we started, by its own pid
            os.kill(int(pid_file.read_text().strip()), 15)
        if self.process:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Phone:
    """One phone: its own source address, its cookies, plain HTTP or TLS."""

    def __init__(self, host: str, port: int, *, source: str = "127.0.0.1", tls: bool = False):
        self.host, self.port, self.source, self.tls = host, port, source, tls
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, fields: dict | None = None, headers=None):
        """(status, headers as a list of pairs, body)."""
        if self.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self.port, timeout=10, source_address=(self.source, 0), context=context
            )
        else:
            connection = http.client.HTTPConnection(
                self.host, self.port, timeout=10, source_address=(self.source, 0)
            )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode({"csrf_token": self.token, **fields})
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            if self.tls:
                # A browser's same-origin Referer. nginx listens on 443 in the docs,
                # so its `Host $host` carries no port: neither does this.
                sent.setdefault("Referer", f"https://{self.host}{path}")
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            pairs = response.getheaders()
        finally:
            connection.close()
        for name, value in pairs:
            if name.lower() == "set-cookie":
                cookie, _, _ = value.partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val
        found = _TOKEN.search(text)
        if found:
            self.token = found.group(1)
        return response.status, pairs, text

    def sign_in(self, email: str, password: str, headers=None) -> int:
        self.request("GET", "/login", headers=headers)
        status, _, _ = self.request(
            "POST", "/login", {"email": email, "password": password}, headers=headers
        )
        return status


def _header(pairs, name: str) -> list[str]:
    return [value for key, value in pairs if key.lower() == name.lower()]


@pytest.fixture
def behind_nginx(tmp_path):
    """`tagtrail serve` with TAGTRAIL_TRUSTED_PROXIES=1, and nginx in front of it."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        raise RuntimeError("nginx is missing: run scripts/system-packages")
    server = Server(tmp_path / "instance", threads=4)
    nginx = Nginx(server.port)
    server.env = {
        "TAGTRAIL_TRUSTED_PROXIES": "1",
        "TAGTRAIL_PUBLIC_URL": f"https://127.0.0.1:{nginx.port}",
    }
    server.start()
    try:
        nginx.start()
        try:
            yield server, nginx
        finally:
            nginx.stop()
    finally:
        server.stop()


@pytest.mark.slow
def test_behind_the_documented_nginx_each_phone_counts_and_https_is_seen(behind_nginx):
    """Sign-in limits count per phone, the app knows it is https (HSTS, Secure
    cookies), and neither a phone through nginx nor a client reaching the port
    directly can pose as another address or as https."""
    server, nginx = behind_nginx

    def through_nginx(source: str) -> Phone:
        return Phone("127.0.0.1", nginx.port, source=source, tls=True)

    admin = through_nginx("127.0.0.9")
    admin.request("GET", "/setup")
    status, _, body = admin.request(
        "POST",
        "/setup",
        {
            "org_name": "Proxy Test Ltd",
            "public_url": f"https://127.0.0.1:{nginx.port}",
            "name": "Ada Admin",
            "email": ADMIN_EMAIL,
            "password": PASSWORD,
        },
    )
    assert status == 303, body[:500]

    # Phone A fails five times and is refused the sixth try; phone B is not.
    phone_a, phone_b = through_nginx("127.0.0.2"), through_nginx("127.0.0.3")
    assert [phone_a.sign_in(f"a{n}@example.test", "wrong-12345") for n in range(5)] == [422] * 5
    assert phone_a.sign_in("a9@example.test", "wrong-12345") == 429
    assert phone_b.sign_in("b1@example.test", "wrong-12345") == 422

    # https is seen: HSTS on the answers, Secure on the cookies of a sign-in.
    phone_b.request("GET", "/login")
    status, pairs, _ = phone_b.request(
        "POST", "/login", {"email": ADMIN_EMAIL, "password": PASSWORD, "remember": "y"}
    )
    assert status == 303
    assert "max-age=" in _header(pairs, "Strict-Transport-Security")[0]
    cookies = {c.split("=", 1)[0]: c for c in _header(pairs, "Set-Cookie")}
    assert "Secure" in cookies["session"] and "Secure" in cookies["remember_token"]

    # A phone's own X-Forwarded-For is kept by nginx but not believed: the
    # address nginx saw is the last one, and that is the one counted.
    liar = through_nginx("127.0.0.4")
    tries = [
        liar.sign_in(f"c{n}@example.test", "wrong-12345", {"X-Forwarded-For": f"10.1.0.{n}"})
        for n in range(6)
    ]
    assert tries == [422] * 5 + [429]

    # Straight to the server's port, skipping nginx: the headers are dropped.
    direct = Phone("127.0.0.1", server.port, source="127.0.0.5")
    lies = {"X-Forwarded-Proto": "https"}
    tries = [
        direct.sign_in(
            f"d{n}@example.test", "wrong-12345", {**lies, "X-Forwarded-For": f"10.2.0.{n}"}
        )
        for n in range(6)
    ]
    assert tries == [422] * 5 + [429]
    _, pairs, _ = direct.request("GET", "/login", headers=lies)
    assert not _header(pairs, "Strict-Transport-Security")


def test_an_https_address_saved_in_settings_marks_cookies_secure(app, client, auth):
    """Not only TAGTRAIL_PUBLIC_URL: an https address saved under Settings makes
    the session and remember cookies Secure from the next answer on."""
    app.config["PUBLIC_URL"] = ""  # not pinned by the environment
    auth.login("admin")
    form = {
        "org_name": "Harbour Works",
        "public_url": "https://tags.example.org",
        "timezone": "UTC",
        "audit_interval_days": "90",
        "paper_size": "a4",
    }
    assert client.form("/admin/settings", form).status_code == 303
    settings.clear_cache()

    user = factories.make_user("member")
    phone = app.test_client()
    page = phone.get("/login", base_url="https://tags.example.org").get_data(as_text=True)
    token = _TOKEN.search(page).group(1)
    response = phone.post(
        "/login",
        data={
            "email": user.email,
            "password": factories.PASSWORD,
            "remember": "y",
            "csrf_token": token,
        },
        base_url="https://tags.example.org",
        headers={"Referer": "https://tags.example.org/login"},  # as a browser sends over https
    )
    assert response.status_code == 303
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "Secure" in cookies["session"] and "Secure" in cookies["remember_token"]

    # Back to plain http under Settings: cookies are plain again.
    assert (
        client.form(
            "/admin/settings", {**form, "public_url": "http://tags.example.org"}
        ).status_code
        == 303
    )
    settings.clear_cache()
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    response = other.post(
        "/login",
        data={
            "email": user.email,
            "password": factories.PASSWORD,
            "remember": "y",
            "csrf_token": _TOKEN.search(page).group(1),
        },
    )
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "Secure" not in cookies["session"] and "Secure" not in cookies["remember_token"]
