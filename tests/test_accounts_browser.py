"""Inviting someone in a real Chromium at phone size, with no mail server: the
admin copies the link, the person opens it on their own phone, chooses a password
and is signed in. Screenshots of each account page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .browser_kit import STARTUP_SECONDS, browser, phone, set_up_organisation, tagtrail  # noqa: F401 (a fixture)
from .live import Server
from .test_browser import PASSWORD, _assert_no_horizontal_scroll, _shot, _watch

pytestmark = pytest.mark.browser

CHOSEN = "lantern orchard pebble"


def _set_up(page: Page, server: str) -> None:
    set_up_organisation(
        page, server, PASSWORD, org="Harbour Works", name="Ada Admin", email="ada@example.com"
    )


def test_an_admin_invites_without_smtp_and_the_person_signs_in_from_the_link(
    server,
    browser,  # noqa: F811
):
    admin = phone(browser)
    admin.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    problems = _watch(admin)
    _set_up(admin, server)

    admin.goto(server + "/people")
    admin.get_by_role("link", name="Invite someone").click()
    expect(admin).to_have_url(server + "/people/invite")
    admin.get_by_label("Name").fill("Sam Newcomer")
    admin.get_by_label("Email").fill("sam@example.com")
    admin.get_by_label("Role").select_option("lead")
    _assert_no_horizontal_scroll(admin)
    _shot(admin, "accounts-1-invite")
    admin.get_by_role("button", name="Send invite").click()
    expect(admin.locator("#link-sent")).to_contain_text("This server does not send email.")
    admin.get_by_role("button", name="Copy link").click()
    expect(admin.get_by_role("button", name="Copied")).to_be_visible()
    copied = admin.evaluate("navigator.clipboard.readText()")
    assert copied == admin.locator("#link").input_value()
    assert copied.startswith(server + "/welcome/")
    _assert_no_horizontal_scroll(admin)
    _shot(admin, "accounts-2-link-to-pass-on")

    sam = phone(browser)  # Sam's own phone: no cookies of the admin's
    problems += _watch(sam)
    sam.goto(copied)
    expect(sam.get_by_role("heading", level=1)).to_have_text("Welcome, Sam Newcomer")
    _assert_no_horizontal_scroll(sam)
    _shot(sam, "accounts-3-welcome")
    sam.get_by_label("New password").fill("sam@example.com")
    sam.get_by_role("button", name="Set password and sign in").click()
    expect(sam.locator(".field.has-error")).to_contain_text("must not contain")
    sam.get_by_label("New password").fill(CHOSEN)
    sam.get_by_role("button", name="Set password and sign in").click()
    expect(sam).to_have_url(server + "/")
    expect(sam.locator("#flash")).to_contain_text("Welcome. You are signed in.")
    sam.goto(server + "/people")  # a lead's page: Sam is signed in as a lead
    expect(sam.get_by_role("heading", level=1)).to_have_text("People")

    sam.goto(server + "/account/password")
    expect(sam.get_by_role("heading", level=1)).to_have_text("Change my password")
    _assert_no_horizontal_scroll(sam)
    _shot(sam, "accounts-4-change-my-password")

    stranger = phone(browser)
    problems += _watch(stranger)
    stranger.goto(copied)  # used once: dead now
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This link does not work")
    _shot(stranger, "accounts-5-used-link")
    stranger.goto(server + "/login")
    stranger.get_by_role("link", name="Forgot your password?").click()
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    _assert_no_horizontal_scroll(stranger)
    _shot(stranger, "accounts-6-forgot")
    # 404 for the used link is the page's own answer, not a problem.
    assert [p for p in problems if "404" not in p] == []


@pytest.fixture
def mailing_server(tmp_path, inbox):
    """The real server sending through a real SMTP server on loopback, with one member."""
    handler, port = inbox
    running = Server(
        tmp_path / "instance",
        env={
            "TAGTRAIL_SMTP_HOST": "127.0.0.1",
            "TAGTRAIL_SMTP_PORT": str(port),
            "TAGTRAIL_SMTP_STARTTLS": "false",
            "TAGTRAIL_SMTP_FROM": "tagtrail@harbour.example",
        },
    )
    tagtrail(
        running.instance,
        running.url,
        "create-user",
        "--email",
        "pat@example.com",
        "--name",
        "Pat Member",
        "--password",
        PASSWORD,
    )
    try:
        running.start(timeout=STARTUP_SECONDS)
        yield running.url, handler
    finally:
        running.stop()
        print(f"--- {running.log} ---\n{running.log_text()}")


def test_forgot_your_password_by_email_signs_out_the_other_phone(
    mailing_server,
    browser,  # noqa: F811
):
    server, inbox = mailing_server
    old_phone = phone(browser)
    old_phone.goto(server + "/login")
    old_phone.get_by_label("Email").fill("pat@example.com")
    old_phone.get_by_label("Password").fill(PASSWORD)
    old_phone.get_by_role("button", name="Sign in").click()
    expect(old_phone).to_have_url(server + "/")

    page = phone(browser)
    problems = _watch(page)
    page.goto(server + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("pat@example.com")
    _assert_no_horizontal_scroll(page)
    _shot(page, "accounts-7-forgot-form")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator("#forgot-answer")).to_contain_text("If pat@example.com has an account")
    _shot(page, "accounts-8-forgot-answer")
    inbox.wait_for(1)
    body = inbox.to("pat@example.com").get_content()
    link = next(word for word in body.split() if word.startswith(server + "/reset/"))
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    _assert_no_horizontal_scroll(page)
    _shot(page, "accounts-9-reset")
    page.get_by_label("New password").fill(CHOSEN)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page).to_have_url(server + "/")
    expect(page.locator("#flash")).to_contain_text("signed out on every other device")
    old_phone.goto(server + "/assets")
    expect(old_phone).to_have_url(server + "/login?next=/assets")
    assert problems == []
