"""Accounts: first-run set-up, sign-in and out, remember-me, `next`, create-user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.models import Setting, User
from app.register import people
from app.safety import is_safe_path

from . import factories

SETUP = {
    "org_name": "ACME Workshop",
    "public_url": "http://192.168.1.20:8080",
    "name": "Olive Owner",
    "email": "Olive@Example.test",
    "password": "a-long-password",
}


def test_every_page_leads_to_setup_until_someone_exists(client):
    """A new install sends people to /setup, except the health check."""
    for url in ("/", "/assets", "/A/ABC123", "/login"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == "/setup"
    assert client.get("/healthz").status_code == 200


def test_setup_creates_the_first_admin_and_then_disappears(client):
    """Set-up makes an admin, saves the organisation, signs in, then 404s."""
    response = client.form("/setup", SETUP)
    assert response.status_code == 303
    admin = User.get()
    assert (admin.email, admin.role, admin.name) == ("olive@example.test", "admin", "Olive Owner")
    assert admin.password_hash.startswith("$argon2id$")
    assert Setting.get_value("org_name") == "ACME Workshop"
    assert Setting.get_value("public_url") == "http://192.168.1.20:8080"
    soup, page = client.soup("/")
    assert page.status_code == 200
    assert soup.select_one(".brand").get_text(strip=True) == "ACME Workshop"
    assert client.get("/setup").status_code == 404
    assert client.form("/setup", SETUP).status_code == 404
    assert User.select().count() == 1


def test_setup_validates_and_writes_nothing_on_error(client):
    """A short password or a bad public URL re-renders with 422 and no user."""
    for bad in (
        {"password": "short"},
        {"public_url": "ftp://x"},
        {"email": "not-an-email"},
        {"org_name": ""},
    ):
        response = client.form("/setup", {**SETUP, **bad})
        assert response.status_code == 422, bad
        assert User.select().count() == 0
        assert Setting.select().count() == 0


def test_sign_in_round_trip_returns_to_the_asset(client, auth):
    """A signed-out scan, sign-in, and the person lands back on that asset."""
    asset = factories.make_asset(name="Laser level")
    user = factories.make_user("member")
    soup, _ = client.soup(f"/a/{asset.code.lower()}")
    link = soup.find("a", string="Sign in")["href"]
    login_page, _ = client.soup(link)
    next_value = login_page.find("input", {"name": "next"})["value"]
    assert next_value == f"/A/{asset.code}"
    response = client.form(
        "/login",
        {
            "email": user.email.upper(),
            "password": factories.PASSWORD,
            "next": next_value,
            "remember": "y",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/A/{asset.code}"
    soup, _ = client.soup(response.headers["Location"])
    assert soup.select_one("#status-card h1").get_text(strip=True) == "Laser level"


def test_remember_me_lasts_ninety_days(client, auth):
    """Phones stay signed in: the remember cookie is HttpOnly and lasts 90 days."""
    user = factories.make_user("member")
    response = client.form(
        "/login", {"email": user.email, "password": factories.PASSWORD, "remember": "y"}
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = datetime.strptime(
        cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT"
    ).replace(tzinfo=UTC)
    assert abs(expires - datetime.now(UTC) - timedelta(days=90)) < timedelta(minutes=5)
    login_page, _ = client.soup("/login")  # signed in: /login moves on


def test_remember_is_ticked_by_default(client, auth):
    """The sign-in form offers "keep me signed in" already ticked."""
    soup, _ = client.soup("/login")
    assert soup.find("input", {"name": "remember"}).has_attr("checked")


def test_wrong_password_inactive_and_holder_cannot_sign_in(client, auth):
    """Bad credentials, deactivated users and password-less holders all get 422."""
    user = factories.make_user("member")
    holder = factories.make_holder()
    inactive = factories.make_user("member")
    User.update(active=False).where(User.id == inactive.id).execute()
    for email, password in (
        (user.email, "wrong password!"),
        (inactive.email, factories.PASSWORD),
        ("nobody@example.test", factories.PASSWORD),
        (holder.name, "x" * 12),
    ):
        response = client.form("/login", {"email": email, "password": password})
        assert response.status_code == 422
        assert "do not match" in response.get_data(as_text=True)
    assert client.get("/assets").status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(client, auth):
    """Sign-out is a POST; afterwards pages ask for sign-in again."""
    auth.login("member")
    assert client.get("/logout").status_code == 405
    assert auth.logout().status_code == 303
    assert client.get("/assets").headers["Location"].startswith("/login")


def test_deactivated_user_is_signed_out_on_next_request(client, auth):
    """Deactivating someone ends their existing sessions."""
    user = auth.login("member")
    User.update(active=False).where(User.id == user.id).execute()
    assert client.get("/assets").status_code == 302


HOSTILE = [
    "//evil.example",
    "https://evil.example/",
    "http:/x",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    " /x",
    "//",
    "",
    "/\t/evil.example",
    "evil.example",
    "///evil.example",
]


def test_next_only_goes_to_paths_on_this_site(client, auth):
    """After sign-in, a hostile `next` falls back to the home page."""
    user = factories.make_user("member")
    for target in HOSTILE:
        client.form("/logout")
        response = client.form(
            "/login", {"email": user.email, "password": factories.PASSWORD, "next": target}
        )
        assert response.headers["Location"] == "/", target
    client.form("/logout")
    good = client.form(
        "/login", {"email": user.email, "password": factories.PASSWORD, "next": "/assets?q=drill"}
    )
    assert good.headers["Location"] == "/assets?q=drill"


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from("/\\:.@%?#\t\n abcjs"), max_size=12))
def test_safe_paths_never_leave_the_site(target):
    """Whatever the characters, an accepted `next` is a same-site path."""
    if is_safe_path(target):
        assert target.startswith("/") and not target.startswith("//")
        assert "\\" not in target
        # Browsers resolve it against this site: no scheme and no host.
        from urllib.parse import urljoin, urlsplit

        resolved = urlsplit(urljoin("https://tags.example.test/A/X", target))
        assert resolved.netloc == "tags.example.test"


def test_create_user_command(app, tmp_path, monkeypatch):
    """`tagtrail create-user` makes a user who can sign in; bad input exits non-zero."""
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    runner = CliRunner()
    ok = runner.invoke(
        main,
        [
            "create-user",
            "--email",
            "Lee@Example.test",
            "--name",
            "Lee",
            "--role",
            "lead",
            "--password",
            "long-enough-pw",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert people.authenticate("lee@example.test", "long-enough-pw").role == "lead"
    dup = runner.invoke(
        main,
        [
            "create-user",
            "--email",
            "lee@example.test",
            "--name",
            "Lee 2",
            "--password",
            "long-enough-pw",
        ],
    )
    assert dup.exit_code == 1 and "already" in dup.output
    short = runner.invoke(
        main, ["create-user", "--email", "x@example.test", "--name", "X", "--password", "short"]
    )
    assert short.exit_code == 1
    assert User.select().count() == 1
