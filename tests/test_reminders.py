"""Reminders: `tagtrail remind` through a real SMTP server on loopback (aiosmtpd),
the weekly digest, the dry run without SMTP, and the same lists on /overdue."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from app.cli import main
from app.codes import pretty
from app.custody import custody, reminders
from app.models import Asset, Setting, User
from app.ops import settings

from . import factories
from .mail_kit import free_port

ZONE = "Pacific/Kiritimati"  # UTC+14: its date is not the server's most of the day


@pytest.fixture
def env(app, monkeypatch):
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    monkeypatch.setenv("TAGTRAIL_PUBLIC_URL", "http://tags.example.test")
    monkeypatch.setenv("TAGTRAIL_TIMEZONE", ZONE)
    monkeypatch.setenv("TAGTRAIL_ORG_NAME", "Harbour Works")
    # Never the digest by accident: the day after today (in the org's zone).
    tomorrow = (org_today() + timedelta(days=1)).strftime("%A")
    monkeypatch.setenv("TAGTRAIL_DIGEST_WEEKDAY", tomorrow)
    return monkeypatch


@pytest.fixture
def smtp(env, inbox):
    handler, port = inbox
    env.setenv("TAGTRAIL_SMTP_HOST", "127.0.0.1")
    env.setenv("TAGTRAIL_SMTP_PORT", str(port))
    env.setenv("TAGTRAIL_SMTP_STARTTLS", "false")
    env.setenv("TAGTRAIL_SMTP_FROM", "tagtrail@harbour.example")
    return handler


def org_today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


def lend(asset_name: str, holder, due: date | None) -> Asset:
    lead = _lender()
    asset = factories.make_asset(lead, name=asset_name)
    custody.check_out(
        asset.code, actor=lead, today=date.today() - timedelta(days=30), holder_id=holder.id
    )
    Asset.update(due_back=due).where(Asset.id == asset.id).execute()
    return Asset.get_by_id(asset.id)


def _lender():
    found = User.select().where(User.email == "lender@example.test").first()
    return found or factories.make_user("lead", name="Lena Lender", email="lender@example.test")


@pytest.fixture
def world(app):
    """Pat holds three due items and one not yet due; Sam one due today; Lee (no
    email) one overdue. A lead and an admin read the digest; a member does not."""
    today = org_today()
    pat = factories.make_user("member", name="Pat Holder", email="pat@example.test")
    sam = factories.make_user("member", name="Sam Other", email="sam@example.test")
    lee = factories.make_holder("Lee Noemail")
    items = {
        "drill": lend("Cordless drill", pat, today - timedelta(days=3)),
        "ladder": lend("Step ladder", pat, today + timedelta(days=1)),
        "saw": lend("Mitre saw", pat, today - timedelta(days=1)),
        "later": lend("Laser level", pat, today + timedelta(days=2)),
        "open": lend("Tape measure", pat, None),
        "today": lend("Heat gun", sam, today),
        "lee": lend("Tripod", lee, today - timedelta(days=5)),
    }
    factories.make_user("admin", name="Ada Admin", email="ada@example.test")
    factories.make_user("member", name="Mo Member", email="mo@example.test")
    return items


def remind(*args: str):
    return CliRunner().invoke(main, ["remind", *args])


def test_each_holder_gets_one_email_listing_their_items(smtp, world):
    """Through a real SMTP server: Pat gets one message with three items, Sam one with
    one; Lee has no email and is named in the output; nobody else is written to."""
    result = remind()
    assert result.exit_code == 0, result.output
    assert sorted(rcpt[0] for _, rcpt, _ in smtp.messages) == [
        "pat@example.test",
        "sam@example.test",
    ]
    assert all(sender == "tagtrail@harbour.example" for sender, _, _ in smtp.messages)

    pat = smtp.to("pat@example.test")
    assert pat["To"] == "Pat Holder <pat@example.test>"
    assert pat["Subject"] == "Harbour Works reminder: 2 overdue, 1 due back tomorrow"
    assert pat["Auto-Submitted"] == "auto-generated"
    body = pat.get_content()
    for key, when in (("drill", "3 days overdue"), ("saw", "1 day overdue")):
        asset = world[key]
        assert f"- {asset.name} ({pretty(asset.code)}): {when}" in body
        assert f"http://tags.example.test/A/{asset.code}" in body
    assert f"- Step ladder ({pretty(world['ladder'].code)}): due back tomorrow" in body
    assert "Laser level" not in body and "Tape measure" not in body
    assert body.index("Cordless drill") < body.index("Mitre saw") < body.index("Step ladder")
    assert "http://tags.example.test/overdue" in body

    sam = smtp.to("sam@example.test")
    assert sam["Subject"] == "Harbour Works reminder: 1 due back today"
    assert "Heat gun" in sam.get_content() and "Cordless drill" not in sam.get_content()

    assert "Unreachable (no email address): Lee Noemail: Tripod" in result.output
    assert "Sent to pat@example.test" in result.output


def test_a_second_run_the_same_day_sends_nothing_again(smtp, world):
    """Cron firing twice must not double everyone's email; --again resends on purpose."""
    assert remind().exit_code == 0
    assert len(smtp.messages) == 2
    result = remind()
    assert result.exit_code == 0
    assert len(smtp.messages) == 2
    assert result.output.count("Already sent today") == 2
    assert remind("--again").exit_code == 0
    assert len(smtp.messages) == 4


def test_a_refused_recipient_does_not_stop_the_others(smtp, world):
    """The server refuses Pat: Sam still gets his, the run says so and exits 1; the
    next run sends only to Pat."""
    smtp.refuse.add("pat@example.test")
    result = remind()
    assert result.exit_code == 1
    assert "NOT sent to pat@example.test" in result.output
    assert [rcpt for _, rcpt, _ in smtp.messages] == [["sam@example.test"]]
    smtp.refuse.clear()
    assert remind().exit_code == 0
    assert [rcpt for _, rcpt, _ in smtp.messages] == [["sam@example.test"], ["pat@example.test"]]


def test_the_weekly_digest_goes_to_leads_and_admins_on_its_day(smtp, env, world):
    """On TAGTRAIL_DIGEST_WEEKDAY leads and admins also get the digest, listing what is
    overdue and due this week with holders, and who could not be emailed."""
    env.setenv("TAGTRAIL_DIGEST_WEEKDAY", org_today().strftime("%A").lower())
    assert remind().exit_code == 0
    recipients = sorted(rcpt[0] for _, rcpt, _ in smtp.messages)
    assert recipients == [
        "ada@example.test",
        "lender@example.test",
        "pat@example.test",
        "sam@example.test",
    ]
    digest = smtp.to("ada@example.test")
    assert digest["Subject"] == "Harbour Works weekly digest: 3 overdue, 3 due back this week"
    body = digest.get_content()
    overdue, _, rest = body.partition("Due back in the next 7 days")
    assert "Overdue (3):" in overdue
    assert f"Tripod ({pretty(world['lee'].code)}), with Lee Noemail: 5 days overdue" in overdue
    assert "Cordless drill" in overdue and "Step ladder" not in overdue
    assert "Laser level" in rest and "Heat gun" in rest and "Step ladder" in rest
    assert "Lee Noemail (no email address): Tripod" in rest
    assert smtp.to("lender@example.test")["Subject"] == digest["Subject"]


def test_digest_flag_forces_it_on_another_day(smtp, world):
    assert remind("--digest").exit_code == 0
    assert "ada@example.test" in [rcpt[0] for _, rcpt, _ in smtp.messages]


def test_without_smtp_it_prints_what_it_would_send_and_exits_0(env, world):
    result = remind()
    assert result.exit_code == 0, result.output
    assert "No mail server is set" in result.output
    assert "To: Pat Holder <pat@example.test>" in result.output
    assert "Subject: Harbour Works reminder: 2 overdue, 1 due back tomorrow" in result.output
    assert "Unreachable (no email address): Lee Noemail" in result.output
    assert not Setting.select().where(Setting.key == reminders.SENT_KEY).exists()


def test_nothing_due_says_so(env, app):
    result = remind()
    assert result.exit_code == 0
    assert "Nothing to send" in result.output


def test_an_unreachable_server_is_a_clear_error(env, world):
    env.setenv("TAGTRAIL_SMTP_HOST", "127.0.0.1")
    env.setenv("TAGTRAIL_SMTP_PORT", str(free_port()))
    env.setenv("TAGTRAIL_SMTP_FROM", "tagtrail@harbour.example")
    result = remind()
    assert result.exit_code == 1
    assert "Could not reach the mail server 127.0.0.1" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "name, expected",
    [("Monday", 0), ("sun", 6), (" FRIDAY ", 4), ("never", None)],
)
def test_digest_weekday_names(name, expected):
    assert reminders.digest_weekday(name) == expected


def test_a_bad_digest_weekday_is_a_clear_error(env, world):
    env.setenv("TAGTRAIL_DIGEST_WEEKDAY", "someday")
    result = remind()
    assert result.exit_code == 1
    assert "TAGTRAIL_DIGEST_WEEKDAY" in result.output


def test_the_overdue_page_lists_the_same_items(client, auth, world):
    """The lists the emails carry are in the app: overdue, then due back today or
    tomorrow (by the organisation's calendar), nothing further out."""
    auth.login("member")
    settings.save({"timezone": ZONE})
    soup, response = client.soup("/overdue")
    assert response.status_code == 200
    overdue = [s.get_text(strip=True) for s in soup.select("#overdue-list .row-main strong")]
    soon = [s.get_text(strip=True) for s in soup.select("#due-soon-list .row-main strong")]
    assert overdue == ["Tripod", "Cordless drill", "Mitre saw"]
    assert soon == ["Heat gun", "Step ladder"]
    subs = [s.get_text(" ", strip=True) for s in soup.select("#due-soon-list .row-sub")]
    assert "due back today" in subs[0] and "due back tomorrow" in subs[1]
    assert soup.select_one("main h2").get_text(strip=True) == "Due back today or tomorrow (2)"


def test_the_digest_lists_handovers_waiting_for_acceptance_over_three_days(app, smtp, world):
    """Handed over to be accepted and not accepted after three days: the leads' digest
    names each item, who has it and since when; a newer handover is not listed."""
    from app.database import write
    from app.models import utcnow
    from app.receipts import receipts

    lead = factories.make_user("lead", name="Lena Lead", password=None)
    nina = factories.make_user("member", name="Nina Novak", email="nina@example.test")
    old, new = (factories.make_asset(lead, name=n) for n in ("Laptop old", "Laptop new"))
    for asset in (old, new):
        with write():
            receipt = receipts.open_receipt("handover", person=nina, staff=lead)
            custody.check_out(
                asset.code, actor=lead, today=date.today(), holder_id=nina.id, receipt=receipt
            )
            receipts.finish(
                receipt, signature=None, signer=None, awaiting=True, uploads_dir=app.instance_path
            )
    # The old one was handed over four days ago.
    Asset.update(awaiting_since=utcnow() - timedelta(days=4)).where(Asset.id == old.id).execute()
    assert remind("--digest").exit_code == 0
    body = smtp.to("ada@example.test").get_content()
    section = body.partition("Waiting for acceptance for more than 3 days (1):")[2]
    assert section, body
    assert f"- Laptop old ({pretty(old.code)}), with Nina Novak since" in section
    assert "Laptop new" not in body
