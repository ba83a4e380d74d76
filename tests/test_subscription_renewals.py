"""Renewal reminders: `tagtrail remind` through a real SMTP server on loopback,
on a fixed clock (today is 11 March 2026, see conftest's FIXED_NOW): one
reminder per renewal date, 30 days ahead, to the right people; the digest's
sections on renewals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from app.cli import main
from app.custody import reminders
from app.models import Subscription, SubscriptionEvent, User
from app.register import teams
from app.subscriptions import renewals, seats, subscriptions

from . import factories
from .subscription_kit import make_subscription

pytestmark = pytest.mark.usefixtures("clock")

TODAY = date(2026, 3, 11)
IN_30_DAYS = date(2026, 4, 10)
DAY = timedelta(days=1)


@pytest.fixture
def env(app, monkeypatch):
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    monkeypatch.setenv("TAGTRAIL_PUBLIC_URL", "http://tags.example.test")
    monkeypatch.setenv("TAGTRAIL_TIMEZONE", "UTC")
    monkeypatch.setenv("TAGTRAIL_ORG_NAME", "Harbour Works")
    monkeypatch.setenv("TAGTRAIL_DIGEST_WEEKDAY", "never")
    return monkeypatch


@pytest.fixture
def smtp(env, inbox):
    handler, port = inbox
    env.setenv("TAGTRAIL_SMTP_HOST", "127.0.0.1")
    env.setenv("TAGTRAIL_SMTP_PORT", str(port))
    env.setenv("TAGTRAIL_SMTP_STARTTLS", "false")
    env.setenv("TAGTRAIL_SMTP_FROM", "tagtrail@harbour.example")
    return handler


@pytest.fixture
def lead(app):
    return factories.make_user("lead", name="Lena Lead", email="lena@example.test")


@pytest.fixture
def pat(app):
    return factories.make_user("member", name="Pat Owner", email="pat@example.test")


def remind(*args: str):
    return CliRunner().invoke(main, ["remind", *args])


def to(smtp) -> list[str]:
    return [rcpt[0] for _, rcpt, _ in smtp.messages]


def text(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def reminded_events(subscription_id: int) -> list[SubscriptionEvent]:
    return list(
        SubscriptionEvent.select().where(
            SubscriptionEvent.subscription == subscription_id, SubscriptionEvent.kind == "reminded"
        )
    )


def test_a_reminder_arrives_exactly_30_days_ahead_once(smtp, clock, lead, pat):
    """31 days before: nothing. 30 days before: one email to the owner with
    everything it needs, recorded; again that day or the next: nothing."""
    sub = make_subscription(
        lead,
        vendor="Figma",
        product="Figma Professional",
        renews_on=IN_30_DAYS,
        owner_id=pat.id,
        cost_cents=1500,
        period="month",
        seats=5,
    )
    for person in (pat, lead):
        seats.assign(sub.id, person.id, actor=lead)

    clock.shift(-DAY)  # 10 March: 31 days ahead
    assert remind().exit_code == 0
    assert smtp.messages == []

    clock.shift(DAY)  # 11 March: exactly 30 days ahead
    result = remind()
    assert result.exit_code == 0, result.output
    assert to(smtp) == ["pat@example.test"]
    message = smtp.to("pat@example.test")
    assert message["Subject"] == "Harbour Works reminder: Figma Professional renews on 10 Apr 2026"
    body = text(message)
    assert body.startswith("Hello Pat Owner,")
    assert "Figma Professional from Figma comes up for renewal on Friday 10 Apr 2026" in body
    assert "(in 30 days)" in body
    assert "- Auto-renews: yes." in body
    assert "- Cost: 15.00 a month (180.00 a year)" in body
    assert "- Seats used: 2 of 5" in body
    assert f"http://tags.example.test/subscriptions/{sub.id}\n" in body
    assert "Renewal reminder recorded: Figma Professional." in result.output

    assert Subscription.get_by_id(sub.id).reminded_for == IN_30_DAYS
    (event,) = reminded_events(sub.id)
    assert event.note == "Sent to Pat Owner"
    assert event.data == {"renews_on": "2026-04-10", "to": [pat.id]}

    assert remind().exit_code == 0
    assert remind("--again").exit_code == 0
    clock.shift(DAY)  # 12 March
    assert remind().exit_code == 0
    assert len(smtp.messages) == 1
    assert len(reminded_events(sub.id)) == 1


def test_the_next_renewal_date_gets_its_own_reminder(smtp, clock, lead, pat):
    sub = make_subscription(lead, renews_on=IN_30_DAYS, owner_id=pat.id, period="year")
    assert remind().exit_code == 0
    assert len(smtp.messages) == 1
    renewed = subscriptions.renew(sub.id, version=sub.version, actor=lead, renews_on=None)
    assert renewed.renews_on == date(2027, 4, 10)
    assert remind().exit_code == 0
    assert len(smtp.messages) == 1  # a year ahead: not yet
    clock.shift(timedelta(days=365))  # 11 March 2027, 30 days before
    assert remind().exit_code == 0
    assert len(smtp.messages) == 2
    assert "renews on 10 Apr 2027" in smtp.messages[1][2]["Subject"]
    assert [e.data["renews_on"] for e in reminded_events(sub.id)] == ["2026-04-10", "2027-04-10"]


def test_a_late_start_still_reminds_within_the_days(smtp, clock, lead, pat):
    """First run 12 days before (cron was off): the reminder still goes, once."""
    make_subscription(lead, renews_on=TODAY + timedelta(days=12), owner_id=pat.id)
    assert remind().exit_code == 0
    assert "(in 12 days)" in text(smtp.to("pat@example.test"))


def test_a_cancelled_subscription_is_never_reminded(smtp, clock, lead, pat):
    sub = make_subscription(lead, renews_on=IN_30_DAYS, owner_id=pat.id)
    subscriptions.cancel(sub.id, version=sub.version, actor=lead, ended_on=IN_30_DAYS)
    for _ in range(31):
        assert remind().exit_code == 0
        clock.shift(DAY)
    assert smtp.messages == []
    assert reminded_events(sub.id) == []
    assert Subscription.get_by_id(sub.id).reminded_for is None


def test_who_is_reminded(smtp, lead, pat):
    """The owner; for a team, the team's leads; for nobody (or an owner email
    cannot reach), every lead and admin."""
    design = teams.save_team("Design", actor=lead)
    tina = factories.make_user("lead", name="Tina Teamlead", email="tina@example.test")
    User.update(team=design.id).where(User.id == tina.id).execute()
    ada = factories.make_user("admin", name="Ada Admin", email="ada@example.test")
    gone = factories.make_user("member", name="Gil Gone", email="gil@example.test")
    User.update(active=False).where(User.id == gone.id).execute()
    factories.make_user("member", name="Mo Member", email="mo@example.test")

    by_team = make_subscription(lead, product="Team tool", renews_on=IN_30_DAYS,
                                owner_team_id=design.id)  # fmt: skip
    nobody = make_subscription(lead, product="Nobody's", renews_on=IN_30_DAYS)
    left = make_subscription(lead, product="Leaver's", renews_on=IN_30_DAYS, owner_id=gone.id)
    assert [p.email for p in renewals.recipients(by_team)] == ["tina@example.test"]
    everyone = ["ada@example.test", "lena@example.test", "tina@example.test"]
    assert [p.email for p in renewals.recipients(nobody)] == everyone
    assert [p.email for p in renewals.recipients(Subscription.get_by_id(left.id))] == everyone

    assert remind().exit_code == 0
    subjects = sorted((rcpt[0], m["Subject"].split(": ")[1]) for _, rcpt, m in smtp.messages)
    assert subjects == sorted(
        [("tina@example.test", "Team tool renews on 10 Apr 2026")]
        + [(e, "Nobody's renews on 10 Apr 2026") for e in everyone]
        + [(e, "Leaver's renews on 10 Apr 2026") for e in everyone]
    )
    assert reminded_events(nobody.id)[0].data["to"] == [ada.id, lead.id, tina.id]


def test_a_refused_recipient_keeps_it_due_until_everyone_has_it(smtp, lead, pat):
    """Two leads, the server refuses one: not recorded, exit 1; the next run
    sends only the missing one, then records it."""
    factories.make_user("admin", name="Ada Admin", email="ada@example.test")
    sub = make_subscription(lead, renews_on=IN_30_DAYS)
    smtp.refuse.add("ada@example.test")
    result = remind()
    assert result.exit_code == 1
    assert to(smtp) == ["lena@example.test"]
    assert Subscription.get_by_id(sub.id).reminded_for is None
    assert reminded_events(sub.id) == []
    smtp.refuse.clear()
    assert remind().exit_code == 0
    assert to(smtp) == ["lena@example.test", "ada@example.test"]
    assert Subscription.get_by_id(sub.id).reminded_for == IN_30_DAYS
    assert len(reminded_events(sub.id)) == 1


def test_without_smtp_it_prints_and_records_nothing(env, lead, pat):
    sub = make_subscription(lead, product="Figma Professional", renews_on=IN_30_DAYS,
                            owner_id=pat.id)  # fmt: skip
    result = remind()
    assert result.exit_code == 0
    assert "To: Pat Owner <pat@example.test>" in result.output
    assert "Figma Professional renews on 10 Apr 2026" in result.output
    assert Subscription.get_by_id(sub.id).reminded_for is None
    assert not any(key.startswith("renewal:") for key in reminders.sent_today(TODAY))


def test_the_digest_lists_renewals_and_those_past_renewal(smtp, lead, pat):
    """Renewals in the next 30 days (today and the 30th day included) and past
    renewal (not cancelled), with cost a year, seats and links."""
    soon = make_subscription(lead, vendor="Adobe", product="Creative Cloud",
                             renews_on=TODAY + timedelta(days=3), cost_cents=60000,
                             period="year", seats=10, auto_renews=False)  # fmt: skip
    make_subscription(lead, product="On the day", renews_on=TODAY)
    make_subscription(lead, product="Thirty days", renews_on=IN_30_DAYS)
    make_subscription(lead, product="Thirty-one days", renews_on=IN_30_DAYS + DAY)
    late = make_subscription(lead, vendor="Dell", product="ProSupport", renews_on=TODAY - DAY,
                             cost_cents=None, seats=None)  # fmt: skip
    gone = make_subscription(lead, product="Cancelled one", renews_on=TODAY - DAY)
    subscriptions.cancel(gone.id, version=gone.version, actor=lead, ended_on=TODAY)
    assert remind("--digest").exit_code == 0
    digest = [m for _, _, m in smtp.messages if "weekly digest" in m["Subject"]]
    assert len(digest) == 1
    body = text(digest[0])
    coming, _, past = body.partition("Past renewal (1):")
    assert "Renewals in the next 30 days (3):" in coming
    assert (
        f"- Creative Cloud (Adobe): renews 14 Mar 2026 (in 3 days), 600.00 a year, "
        f"seats 0 of 10\n  http://tags.example.test/subscriptions/{soon.id}" in coming
    )
    assert "On the day" in coming and "(today), auto-renews" in coming
    assert "Thirty days" in coming and "Thirty-one days" not in body
    assert (
        "- ProSupport (Dell): renewal date 10 Mar 2026 has passed, auto-renews, "
        f"seats 0 (unlimited)\n  http://tags.example.test/subscriptions/{late.id}" in past
    )
    assert "Cancelled one" not in body


def test_nobody_to_email_is_said_and_nothing_recorded(smtp, lead, pat):
    """No lead or admin can be emailed: the run says so and the reminder stays due."""
    sub = make_subscription(lead, renews_on=IN_30_DAYS, owner_id=pat.id, product="Orphan")
    User.update(active=False).where(User.id.in_([pat.id, lead.id])).execute()
    result = remind()
    assert result.exit_code == 0
    assert "Renewal reminder not sent (nobody to email): Orphan, renews 2026-04-10" in (
        result.output
    )
    assert smtp.messages == []
    assert Subscription.get_by_id(sub.id).reminded_for is None
