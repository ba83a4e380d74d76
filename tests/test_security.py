"""Security: headers, cookies, sessions that end, and throttled sign-in."""

from __future__ import annotations

import pytest

from app.extensions import limiter
from app.models import User

from . import factories

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


@pytest.fixture(autouse=True)
def fresh_limits(app):
    limiter.reset()  # its memory storage is per process; every test starts clean
    yield
    limiter.reset()


def _policy(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("url", ["/login", "/A/ZZZZZZ", "/assets", "/healthz"])
def test_every_response_carries_the_security_headers(client, auth, url):
    """CSP without unsafe-inline or unsafe-eval, nosniff, same-origin referrer."""
    auth.login("member")
    response = client.get(url)
    policy = _policy(response.headers["Content-Security-Policy"])
    for directive, value in CSP.items():
        assert policy[directive] == value
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_over_https(client, auth):
    """Served over HTTPS (directly or via a trusted proxy), HSTS is on."""
    response = client.get("/login", base_url="https://tags.example.test")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_cookies_are_httponly_and_lax(client, auth):
    """Session and remember cookies cannot be read by scripts or sent cross-site."""
    user = factories.make_user("member")
    response = client.form(
        "/login", {"email": user.email, "password": factories.PASSWORD, "remember": "y"}
    )
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name], name
        assert "Secure" not in cookies[name]  # the test app's public URL is http


def test_cookies_are_secure_when_the_public_url_is_https(tmp_path):
    """With an https public address, both cookies are marked Secure."""
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "INSTANCE_PATH": str(tmp_path / "i"),
            "PUBLIC_URL": "https://t.example",
        }
    )
    factories.make_user("admin")
    user = factories.make_user("member")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": factories.PASSWORD,
            "remember": "y",
            "csrf_token": token,
        },
        base_url="https://t.example",
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies if c.startswith(("session", "remember")))


def test_sign_in_starts_a_fresh_session(client, auth):
    """Nothing from before sign-in survives in the session (no fixation)."""
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.login("member")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_sign_out_revokes_every_remember_cookie(app, client, auth):
    """A remember cookie copied before sign-out no longer signs anyone in."""
    user = factories.make_user("member")
    client.form("/login", {"email": user.email, "password": factories.PASSWORD, "remember": "y"})
    stolen = client.get_cookie("remember_token").value
    client.form("/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", stolen)
    assert thief.get("/assets").status_code == 302  # sent to sign in
    assert User.get_by_id(user.id).session_token != stolen.split("|")[0].split(":")[-1]


def test_sign_out_tells_the_browser_to_forget_what_it_kept(client, auth):
    """Clear-Site-Data: the scanner's offline copy and queue go with the session."""
    auth.login("member")
    response = client.form("/logout")
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    page = client.get("/login").get_data(as_text=True)
    assert '<meta name="tagtrail-signed-out" content="1">' in page  # app.js tells the worker


def test_a_password_change_ends_other_sessions(app, client, auth):
    """After an admin sets a new password, the old session is signed out."""
    member = auth.login("member")
    assert client.get("/assets").status_code == 200
    from app.register import people

    admin = User.get(User.role == "admin")
    people.update_person(member.id, {"password": "a brand new password"}, actor=admin)
    assert client.get("/assets").status_code == 302


def test_reactivating_a_person_does_not_revive_their_old_sessions(app, client, auth):
    """Deactivation ends sessions for good: after reactivation the old session and
    remember cookie still sign nobody in."""
    member = factories.make_user("member")
    client.form("/login", {"email": member.email, "password": factories.PASSWORD, "remember": "y"})
    assert client.get("/assets").status_code == 200
    remember = client.get_cookie("remember_token").value
    admin_client = app.test_client()
    admin = User.get(User.role == "admin")
    admin_client.form("/login", {"email": admin.email, "password": factories.PASSWORD})
    form = {"name": member.name, "email": member.email, "role": "member"}
    edit = f"/people/{member.id}/edit"
    assert admin_client.form(edit, form).status_code == 303  # "active" unticked
    assert client.get("/assets").status_code == 302
    assert admin_client.form(edit, {**form, "active": "y"}).status_code == 303
    assert User.get_by_id(member.id).active
    assert client.get("/assets").status_code == 302  # the old session stays dead
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    assert thief.get("/assets").status_code == 302  # and so does the remember cookie


def test_the_sixth_failed_sign_in_within_a_minute_is_429(client, auth):
    """Per address: five failures are answered, the sixth is refused and checks nothing."""
    user = factories.make_user("member")
    for n in range(5):
        bad = client.form("/login", {"email": f"nobody{n}@example.test", "password": "wrong-1234"})
        assert bad.status_code == 422
    sixth = client.form("/login", {"email": user.email, "password": factories.PASSWORD})
    assert sixth.status_code == 429
    assert "Too many attempts" in sixth.get_data(as_text=True)


def test_one_account_is_throttled_from_every_address(app, auth):
    """Per account: guessing one person's password from many addresses is throttled too."""
    user = factories.make_user("member")

    def attempt(address: str) -> int:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client.form("/login", {"email": user.email, "password": "wrong-1234"}).status_code

    assert [attempt(f"10.9.0.{n + 1}") for n in range(5)] == [422] * 5
    assert attempt("10.9.0.99") == 429


def test_successful_sign_ins_are_never_throttled(app, auth):
    """Signing in and out all day is fine: only failures count."""
    user = factories.make_user("member")
    client = app.test_client()
    for _ in range(8):
        assert (
            client.form("/login", {"email": user.email, "password": factories.PASSWORD}).status_code
            == 303
        )
        client.form("/logout")


def test_a_nul_character_in_a_form_is_refused_with_a_message(client, auth):
    """SQLite would store U+0000 and PostgreSQL would fail on it: refused on both."""
    auth.login("lead")
    response = client.form("/assets/new", {"name": "Drill\x00", "version": ""})
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    from app.models import Asset

    with client.application.app_context():
        assert not Asset.select().exists()
    assert client.get("/assets?q=a%00b").status_code == 400


def test_a_nul_character_in_any_value_of_a_repeated_field_is_refused(client, auth):
    """Every value is checked, not only a repeated field's first."""
    auth.login("lead")
    assert client.get("/assets?q=ok").status_code == 200
    response = client.get("/assets?q=ok&q=a%00b")
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    form = {"name": ["Drill", "Drill\x00"], "version": ""}
    response = client.form("/assets/new", form)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    from app.models import Asset

    with client.application.app_context():
        assert not Asset.select().exists()


def test_a_nul_character_deep_in_a_json_body_is_refused_in_json(client, auth):
    """The scanner's JSON is checked too, to any depth; the answer is JSON."""
    auth.login("member")
    asset = factories.make_asset()
    tick = {"key": "k1", "action": "tick", "code": asset.code}
    headers = {"X-CSRFToken": client.csrf_token()}
    fine = client.post("/scan/actions", json={"actions": [tick]}, headers=headers)
    assert fine.status_code == 200, fine.get_data(as_text=True)
    nested = {"actions": [{**tick, "key": "k2", "note": {"a": [{"b": ["x", "y\x00z"]}]}}]}
    response = client.post("/scan/actions", json=nested, headers=headers)
    assert response.status_code == 400
    assert "NUL character" in response.get_json()["error"]
    deep = "[" * 5000 + "]" * 5000
    response = client.post(
        "/scan/actions", data=deep, content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["error"]
