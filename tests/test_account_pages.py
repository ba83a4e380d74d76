"""Accounts, the pages: inviting (with and without a mail server, a real one on
loopback), choosing a password from a link, "Forgot your password?" (no account
enumeration, rate-limited, signs out everywhere) and "Change my password"."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest

from app.models import User
from app.register import accounts, passwords

from . import factories
from .pages import field_error, path_of, soup_of

NEW = "granite kettle morning"


@pytest.fixture
def mailer(app, inbox):
    """The app sends through a real SMTP server on loopback."""
    handler, port = inbox
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_STARTTLS=False,
        SMTP_FROM="tagtrail@harbour.example",
    )
    return handler


def _link_path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://tags.example.test"  # the public address
    return parts.path


def _link_in_email(message) -> str:
    body = message.get_content()
    line = next(w for w in body.split() if w.startswith("http://tags.example.test/"))
    return _link_path(line)


def _is_signed_in(client) -> bool:
    response = client.get("/assets")
    assert response.status_code in (200, 302)
    return response.status_code == 200


# Inviting ----------------------------------------------------------------------


def test_admin_invites_without_smtp_and_the_link_signs_the_person_in(app, client, auth):
    """No mail server: the admin sees the link to pass on. The invited person opens
    it in their own browser, a weak password is refused with the rule's words, a
    good one signs them in; the link is then dead."""
    auth.login("admin")
    form, _ = client.soup("/people/invite")
    assert [o["value"] for o in form.select("select[name=role] option")] == [
        "member",
        "lead",
        "admin",
    ]
    assert form.select("[name=password]") == []
    response = client.form(
        "/people/invite", {"name": "Lee Lead", "email": "Lee@Example.test", "role": "lead"}
    )
    assert response.status_code == 200
    page = soup_of(response)
    assert "does not send email" in page.select_one("#link-sent").get_text()
    path = _link_path(page.select_one("#link")["value"])
    assert page.select_one("button[data-copy=link]") is not None
    lee = User.get(User.email == "lee@example.test")
    assert (lee.role, lee.password_hash) == ("lead", None)

    fresh = app.test_client()
    soup, response = fresh.soup(path)
    assert response.status_code == 200
    assert "lee@example.test" in soup.select_one("main").get_text()
    refused = fresh.form(path, {"password": "password123"})
    assert refused.status_code == 422
    assert field_error(soup_of(refused), "password") == passwords.problem("password123")
    assert User.get_by_id(lee.id).password_hash is None
    done = fresh.form(path, {"password": NEW})
    assert done.status_code == 303 and path_of(done) == "/"
    assert _is_signed_in(fresh)
    assert fresh.get("/people").status_code == 200  # a lead's page: signed in as Lee
    assert passwords.verify(User.get_by_id(lee.id).password_hash, NEW)
    again = app.test_client()
    dead, response = again.soup(path)
    assert response.status_code == 404
    assert "expired or has already been used" in dead.select_one("main").get_text()
    assert again.form(path, {"password": "another good phrase"}).status_code == 404


def test_an_invite_goes_by_email_through_the_mail_settings(app, client, auth, mailer):
    """With a mail server, the invite arrives (a real SMTP server on loopback) with a
    link on the public address, and the inviter's page does not show the link."""
    auth.login("admin")
    response = client.form(
        "/people/invite", {"name": "Mo Member", "email": "mo@example.test", "role": "member"}
    )
    page = soup_of(response)
    assert "Sent to mo@example.test" in page.select_one("#link-sent").get_text()
    assert page.select_one("#link") is None
    message = mailer.to("mo@example.test")
    assert message["From"] == "tagtrail@harbour.example"
    assert "invited you" in message["Subject"]
    path = _link_in_email(message)
    assert path.startswith("/welcome/")
    fresh = app.test_client()
    assert fresh.form(path, {"password": NEW}).status_code == 303
    assert _is_signed_in(fresh)


def test_a_mail_server_that_is_down_shows_the_link_instead(app, client, auth, mailer):
    app.config["SMTP_PORT"] = 1  # nothing listens there
    auth.login("admin")
    response = client.form(
        "/people/invite", {"name": "Mo Member", "email": "mo@example.test", "role": "member"}
    )
    page = soup_of(response)
    assert "could not be sent" in page.select_one("#link-sent").get_text()
    assert _link_path(page.select_one("#link")["value"]).startswith("/welcome/")


def test_a_lead_invites_members_only(app, client, auth):
    auth.login("lead")
    soup, _ = client.soup("/people/invite")
    assert soup.select("select[name=role]") == []
    assert "They join as a member." in soup.select_one("main").get_text()
    response = client.form(
        "/people/invite", {"name": "Boss", "email": "boss@example.test", "role": "admin"}
    )
    assert response.status_code in (403, 422)
    assert not User.select().where(User.email == "boss@example.test").exists()
    made = client.form(
        "/people/invite", {"name": "Mo", "email": "mo@example.test", "role": "member"}
    )
    assert made.status_code == 200
    assert User.get(User.email == "mo@example.test").role == "member"
    assert client.get("/people/invite").status_code == 200
    auth.logout()
    auth.login("member")
    assert client.get("/people/invite").status_code == 403


@pytest.mark.parametrize(
    "values, field, words",
    [
        ({"email": ""}, "email", "Give the email address"),
        ({"email": "not-an-address"}, "email", "Give an email address such as"),
        ({"name": ""}, "name", "Give a name."),
        ({"email": "taken@example.test"}, "email", "already has an account"),
        ({"role": "owner"}, "role", "Not a valid choice"),
    ],
)
def test_bad_invites_are_messages_and_change_nothing(client, auth, values, field, words):
    auth.login("admin")
    factories.make_user("member", name="Tak En", email="taken@example.test")
    before = User.select().count()
    form = {"name": "New Person", "email": "new@example.test", "role": "member", **values}
    response = client.form("/people/invite", form)
    assert response.status_code == 422
    assert words in field_error(soup_of(response), field)
    assert User.select().count() == before


def test_sending_the_invite_again_kills_the_first_link(app, client, auth):
    """From the person's page: a fresh link; the earlier one no longer works. A person
    who already signs in is offered no invite, and a POST says why."""
    auth.login("admin")
    first = soup_of(
        client.form(
            "/people/invite", {"name": "Ina", "email": "ina@example.test", "role": "member"}
        )
    )
    old = _link_path(first.select_one("#link")["value"])
    ina = User.get(User.email == "ina@example.test")
    page, _ = client.soup(f"/people/{ina.id}")
    assert page.select_one(f"form[action='/people/{ina.id}/invite']") is not None
    again = soup_of(client.form(f"/people/{ina.id}/invite"))
    new = _link_path(again.select_one("#link")["value"])
    assert new != old
    fresh = app.test_client()
    assert fresh.get(old).status_code == 404
    assert fresh.get(new).status_code == 200
    member = factories.make_user("member")
    page, _ = client.soup(f"/people/{member.id}")
    assert page.select_one(f"form[action='/people/{member.id}/invite']") is None
    refused = client.form(f"/people/{member.id}/invite", follow_redirects=True)
    assert "already has an account" in refused.get_data(as_text=True)


def test_an_admin_sends_a_reset_link_a_lead_cannot(app, client, auth):
    member = factories.make_user("member")
    auth.login("lead")
    page, _ = client.soup(f"/people/{member.id}")
    assert page.select_one(f"form[action='/people/{member.id}/reset-link']") is None
    assert client.form(f"/people/{member.id}/reset-link").status_code == 403
    auth.logout()
    auth.login("admin")
    page, _ = client.soup(f"/people/{member.id}")
    assert page.select_one(f"form[action='/people/{member.id}/reset-link']") is not None
    sent = soup_of(client.form(f"/people/{member.id}/reset-link"))
    path = _link_path(sent.select_one("#link")["value"])
    assert path.startswith("/reset/")
    fresh = app.test_client()
    assert fresh.form(path, {"password": NEW}).status_code == 303
    assert passwords.verify(User.get_by_id(member.id).password_hash, NEW)


# Forgot your password? ---------------------------------------------------------


def _forgot(client, email: str):
    return client.form("/forgot", {"email": email})


def test_the_sign_in_page_links_to_forgot(client, auth):
    soup, _ = client.soup("/login")
    link = soup.find("a", string="Forgot your password?")
    assert link is not None and link["href"] == "/forgot"


def test_forgot_never_says_whether_an_address_has_an_account(app, client, auth, mailer):
    """An account, an unknown address, a holder who never signs in and a deactivated
    account get the same status and the same words (only the address typed
    differs); only the account gets an email."""
    member = factories.make_user("member", email="mem@example.test")
    factories.make_user("member", email="gone@example.test")
    User.update(active=False).where(User.email == "gone@example.test").execute()
    factories.make_holder("Hal Holder")
    User.update(email="hal@example.test").where(User.name == "Hal Holder").execute()
    answers = {}
    for email in (
        "mem@example.test",
        "nobody@example.test",
        "hal@example.test",
        "gone@example.test",
    ):
        response = _forgot(client, email)
        assert response.status_code == 200
        text = soup_of(response).select_one("main").get_text(" ", strip=True)
        answers[email] = text.replace(email, "ADDRESS")
    assert len(set(answers.values())) == 1, answers
    mailer.wait_for(1)
    assert [rcpt for _, rcpt, _ in mailer.messages] == [["mem@example.test"]]
    path = _link_in_email(mailer.to("mem@example.test"))
    assert path.startswith("/reset/")
    assert (
        User.get_by_id(member.id).session_token == member.session_token
    )  # asking signs nobody out


def test_forgot_answers_without_waiting_for_the_mail_server(app, client, auth, mailer):
    """The mail goes in the background: the answer comes while the server still
    holds the message, so an account's answer takes no longer than a stranger's."""
    factories.make_user("member", email="mem@example.test")
    mailer.hold = threading.Event()
    response = _forgot(client, "mem@example.test")
    assert response.status_code == 200
    assert mailer.messages == []  # still held by the server
    mailer.hold.set()
    mailer.wait_for(1)


def test_a_reset_link_signs_the_person_out_everywhere_and_in_here(app, client, auth, mailer):
    member = factories.make_user("member", email="mem@example.test")
    phone = app.test_client()
    assert (
        phone.form("/login", {"email": member.email, "password": factories.PASSWORD}).status_code
        == 303
    )
    assert _is_signed_in(phone)
    _forgot(client, "mem@example.test")
    mailer.wait_for(1)
    path = _link_in_email(mailer.to("mem@example.test"))
    laptop = app.test_client()
    soup, response = laptop.soup(path)
    assert response.status_code == 200
    assert laptop.form(path, {"password": NEW}).status_code == 303
    assert _is_signed_in(laptop)
    assert not _is_signed_in(phone)  # the old session's token is gone
    assert laptop.get(path).status_code == 404  # used once
    assert client.form("/login", {"email": member.email, "password": NEW}).status_code == 303


def test_forgot_without_a_mail_server_says_to_ask_an_admin(client, auth):
    soup, response = client.soup("/forgot")
    assert response.status_code == 200
    assert "Ask an admin" in soup.select_one("main").get_text()
    assert soup.select("main input[name=email]") == []
    # A POST all the same gets the same answer as ever, and sends nothing.
    factories.make_user("member", email="mem@example.test")
    assert _forgot(client, "mem@example.test").status_code == 200


def test_forgot_is_rate_limited(app, client, auth, mailer):
    """Past TAGTRAIL_RESET_LIMIT a 429, per address asked about and per client."""
    app.config["RESET_LIMIT"] = "2 per hour"
    factories.make_user("member", email="mem@example.test")
    assert _forgot(client, "mem@example.test").status_code == 200
    assert _forgot(client, "MEM@example.test").status_code == 200
    assert _forgot(client, "mem@example.test").status_code == 429
    mailer.wait_for(2)
    assert len(mailer.messages) == 2


def test_forgot_refuses_a_blank_address_and_a_missing_token(client, auth, mailer):
    response = _forgot(client, "")
    assert response.status_code == 422
    assert field_error(soup_of(response), "email") == "Give your email address."
    assert client.post("/forgot", data={"email": "a@example.test"}).status_code == 400


@pytest.mark.parametrize("path", ["/reset/garbage", "/welcome/garbage", "/reset/" + "A" * 3000])
def test_a_bad_link_is_a_page_not_an_error(client, auth, path):
    soup, response = client.soup(path)
    assert response.status_code == 404
    assert "expired or has already been used" in soup.select_one("main").get_text()
    assert client.form(path, {"password": NEW}).status_code == 404


def test_link_pages_need_the_csrf_token(app, client, auth):
    member = factories.make_user("member")
    link = accounts.make_link(accounts.RESET, member, app.config["SECRET_KEY"])
    response = client.post(f"/reset/{link}", data={"password": NEW})
    assert response.status_code == 400
    assert User.get_by_id(member.id).password_hash == member.password_hash


def test_guessing_links_is_rate_limited(app, client, auth):
    app.config["SIGNIN_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert client.form("/reset/guess", {"password": NEW}).status_code == 404
    assert client.form("/reset/guess", {"password": NEW}).status_code == 429


# Change my password --------------------------------------------------------------


def test_change_my_password_keeps_this_session_and_ends_the_others(app, client, auth):
    member = auth.login("member")
    other = app.test_client()
    assert (
        other.form("/login", {"email": member.email, "password": factories.PASSWORD}).status_code
        == 303
    )
    soup, response = client.soup("/account/password")
    assert response.status_code == 200
    assert soup.select_one("h1").get_text() == "Change my password"
    response = client.form("/account/password", {"current": factories.PASSWORD, "password": NEW})
    assert response.status_code == 303
    assert "Your password is changed" in client.get("/account/password").get_data(as_text=True)
    assert _is_signed_in(client)
    assert not _is_signed_in(other)
    assert passwords.verify(User.get_by_id(member.id).password_hash, NEW)


@pytest.mark.parametrize(
    "values, field",
    [
        ({"current": "not my password"}, "current"),
        ({"password": "password123"}, "password"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 300}, "password"),
        ({"current": ""}, "current"),
    ],
)
def test_change_my_password_refusals(app, client, auth, values, field):
    member = auth.login("member")
    form = {"current": factories.PASSWORD, "password": NEW, **values}
    response = client.form("/account/password", form)
    assert response.status_code == 422
    assert field_error(soup_of(response), field)
    assert User.get_by_id(member.id).password_hash == member.password_hash
    assert _is_signed_in(client)


def test_change_my_password_needs_signing_in_and_the_token(client, auth):
    assert client.get("/account/password").headers["Location"].startswith("/login")
    auth.login("member")
    response = client.post("/account/password", data={"current": "x", "password": NEW})
    assert response.status_code == 400


def test_wrong_current_passwords_are_rate_limited(app, client, auth):
    app.config["SIGNIN_LIMIT"] = "2 per minute"
    auth.login("member")
    wrong = {"current": "not my password", "password": NEW}
    assert [client.form("/account/password", wrong).status_code for _ in range(3)] == [
        422,
        422,
        429,
    ]
