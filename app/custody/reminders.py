"""Reminders: who should bring what back, by email once a day, and a weekly
digest for leads. The same lists are on the Overdue page, so nothing depends on
email arriving.

"Due soon" means due back today or tomorrow by the organisation's calendar; the
caller passes that calendar's today. A run remembers whom it reached today, so
cron running twice (or a rerun after a half-failed run) sends nobody the same
email twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from peewee import JOIN

from ..database import write
from ..models import Asset, Setting, User
from ..ops import mail
from ..receipts import acceptance
from ..receipts import rules as receipt_rules
from ..reservations import listing as reservation_listing
from ..reservations import moments as reservation_moments
from .rules import is_overdue

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DIGEST_AHEAD_DAYS = 7
SENT_KEY = "reminders_sent"  # {"date": ISO date, "keys": [...]} of today's run


@dataclass(frozen=True)
class Due:
    asset: Asset
    today: date

    @property
    def days_late(self) -> int:
        return (self.today - self.asset.due_back).days

    @property
    def when(self) -> str:
        late = self.days_late
        if late > 0:
            return f"{late} day{'' if late == 1 else 's'} overdue"
        return "due back today" if late == 0 else "due back tomorrow"


@dataclass
class Lists:
    overdue: list[Asset]
    soon: list[Asset]  # due back today or tomorrow


def held_and_due_by(last_day: date):
    """Held items due back on or before `last_day`, holder joined, soonest first."""
    return (
        Asset.select(Asset, User)
        .join(User, JOIN.INNER, on=(Asset.holder == User.id))
        .where(Asset.due_back <= last_day)
        .order_by(Asset.due_back, Asset.name, Asset.id)
    )


def lists(today: date) -> Lists:
    """Overdue, and due back today or tomorrow (one query): the Overdue page's lists."""
    rows = list(held_and_due_by(today + timedelta(days=1)))
    return Lists(
        overdue=[a for a in rows if is_overdue(a, today)],
        soon=[a for a in rows if not is_overdue(a, today)],
    )


def digest_weekday(name: str) -> int | None:
    """0 for Monday … 6 for Sunday, from a name ("Monday", "mon"); None for "never"."""
    text = (name or "").strip().lower()
    if text in ("never", "off", "none"):
        return None
    for number, day in enumerate(WEEKDAYS):
        if len(text) >= 3 and day.startswith(text):
            return number
    raise ValueError(
        f"TAGTRAIL_DIGEST_WEEKDAY is {name!r}: use a day's name (e.g. monday) or never."
    )


@dataclass
class Outgoing:
    key: str  # who and what, for "already sent today"
    to: User
    subject: str
    body: str
    items: list[Asset]


@dataclass
class Plan:
    messages: list[Outgoing] = field(default_factory=list)
    unreachable: list[tuple[User, list[Asset], str]] = field(default_factory=list)


Link = Callable[[str], str]


def _line(asset: Asset, today: date, link: Link, with_holder: bool = False, kit: str = "") -> str:
    """One item's line; `kit`: the kit whose booking it is out for, named first."""
    due = Due(asset, today)
    holder = f", with {asset.holder.name}" if with_holder else ""
    what = f"{kit}: {asset.name}" if kit else asset.name
    text = f"- {what} ({_pretty(asset.code)}){holder}: {due.when} ({asset.due_back:%d %b %Y})"
    url = link(asset.code)
    return text + (f"\n  {url}" if url else "")


def _pretty(code: str) -> str:
    from ..codes import pretty

    return pretty(code)


def _summary(items: list[Asset], today: date) -> str:
    late = sum(1 for a in items if is_overdue(a, today))
    on_day = sum(1 for a in items if a.due_back == today)
    parts = [f"{late} overdue"] if late else []
    parts += [f"{on_day} due back today"] if on_day else []
    tomorrow = len(items) - late - on_day
    parts += [f"{tomorrow} due back tomorrow"] if tomorrow else []
    return ", ".join(parts)


def reachable(user: User) -> str | None:
    """Why this person cannot be emailed, or None when they can."""
    if not user.email:
        return "no email address"
    if not user.active:
        return "account deactivated"
    try:
        mail.address(user.name, user.email)
    except ValueError:
        return "email address not usable"
    return None


def plan(
    today: date,
    *,
    org: str,
    link: Link,
    overview_url: str = "",
    digest: bool = False,
    zone: tzinfo = UTC,
    digest_sections: Sequence[str] = (),
) -> Plan:
    """The emails to send today: one per holder listing all their due items, one
    per reservation starting today or tomorrow (to its person; `zone` is the
    organisation's), and (when `digest`) one digest per lead and admin, with
    `digest_sections` (other packages' parts, such as renewals) added to it."""
    out = Plan()
    out.messages += _bookings(today, org, link, zone)
    by_holder: dict[int, tuple[User, list[Asset]]] = {}
    due = list(held_and_due_by(today + timedelta(days=1)))
    for asset in due:
        by_holder.setdefault(asset.holder_id, (asset.holder, []))[1].append(asset)
    kits = reservation_listing.started_kits(a.id for a in due)
    more = f"\nThe same list is on the Overdue page: {overview_url}\n" if overview_url else ""
    for holder, items in sorted(by_holder.values(), key=lambda pair: pair[0].name.lower()):
        reason = reachable(holder)
        if reason:
            out.unreachable.append((holder, items, reason))
            continue
        lines = "\n".join(_line(a, today, link, kit=kits.get(a.id, "")) for a in items)
        body = (
            f"Hello {holder.name},\n\n"
            f"{'This item' if len(items) == 1 else 'These items'} from {org} "
            f"{'is' if len(items) == 1 else 'are'} with you:\n\n{lines}\n\n"
            f"Please bring {'it' if len(items) == 1 else 'them'} back, or ask a lead to "
            "change the due date.\n" + more
        )
        # Everything due is out for booked kits: the subject names them first.
        named = sorted({kits[a.id] for a in items if a.id in kits})
        whole = f"{', '.join(named)}: " if named and all(a.id in kits for a in items) else ""
        subject = f"{org} reminder: {whole}{_summary(items, today)}"
        out.messages.append(Outgoing(f"holder:{holder.id}", holder, subject, body, items))
    if digest:
        out.messages += _digests(today, org, link, overview_url, out.unreachable, digest_sections)
    return out


def _bookings(today: date, org: str, link: Link, zone: tzinfo) -> list[Outgoing]:
    """Before a reservation starts: its person is told the day before and on the day."""
    since = reservation_moments.to_utc(today, time(0), zone)
    until = reservation_moments.to_utc(today + timedelta(days=2), time(0), zone)
    now = datetime.now(UTC).replace(tzinfo=None)
    out = []
    for booking in reservation_listing.starting(since, until):
        person = booking.person
        if reachable(person) is not None:
            continue  # the Reservations page lists it for them all the same
        when = reservation_moments.period_text(booking.starts_at, booking.ends_at, zone, now)
        kit = reservation_listing.kit_name(booking)
        of_kit = f" of {kit}" if kit else ""
        heading = ""
        if kit:  # the kit and its label's link first, then its items
            code = booking.kit.code
            heading = f"{kit} ({_pretty(code)})" + (f"\n  {link(code)}" if link(code) else "")
            heading += "\n\nIn it:\n"
        lines = "\n".join(
            f"- {a.name} ({_pretty(a.code)})" + (f"\n  {link(a.code)}" if link(a.code) else "")
            for a in booking.assets
        )
        body = (
            f"Hello {person.name},\n\nYour reservation{of_kit} at {org} starts soon: {when}.\n\n"
            f"{heading}{lines}\n\n"
            f"Open {'the kit or ' if kit else ''}any of them around then and tap "
            '"Start reservation". '
            "If you no longer need them, cancel it on the Reservations page so others "
            "can book them.\n"
        )
        start = reservation_moments.moment_text(booking.starts_at, zone, now)
        subject = f"{org} reminder: your reservation{of_kit} starts {start}"
        out.append(Outgoing(f"booking:{booking.id}", person, subject, body, booking.assets))
    return out


def _digests(today, org, link, overview_url, unreachable, more=()) -> list[Outgoing]:
    week = list(held_and_due_by(today + timedelta(days=DIGEST_AHEAD_DAYS)))
    kits = reservation_listing.started_kits(a.id for a in week)
    overdue = [a for a in week if is_overdue(a, today)]
    coming = [a for a in week if not is_overdue(a, today)]
    sections = [
        f"Weekly digest for {org}, {today:%A %d %b %Y}.",
        _section("Overdue", overdue, today, link, "Nothing is overdue.", kits),
        _section(
            f"Due back in the next {DIGEST_AHEAD_DAYS} days", coming, today, link, "None.", kits
        ),
    ]
    waiting = acceptance.waiting_longer()
    if waiting:  # handed over to be accepted, and not accepted yet
        days = receipt_rules.ACCEPT_WITHIN_DAYS
        lines = "\n".join(
            f"- {a.name} ({_pretty(a.code)}), with {a.holder.name}"
            f" since {a.awaiting_since:%d %b %Y}" + (f"\n  {link(a.code)}" if link(a.code) else "")
            for a in waiting
        )
        sections.append(
            f"Waiting for acceptance for more than {days} days ({len(waiting)}):\n{lines}"
        )
    sections += more
    if unreachable:
        people = "\n".join(
            f"- {user.name} ({reason}): "
            + ", ".join(f"{a.name} ({_pretty(a.code)})" for a in items)
            for user, items, reason in unreachable
        )
        sections.append(f"Not reminded by email ({len(unreachable)}):\n{people}")
    if overview_url:
        sections.append(f"The full list: {overview_url}")
    body = "\n\n".join(sections) + "\n"
    subject = f"{org} weekly digest: {len(overdue)} overdue, {len(coming)} due back this week"
    leads = (
        User.select()
        .where(User.role.in_(("lead", "admin")), User.active == True, User.email.is_null(False))  # noqa: E712
        .order_by(User.name)
    )
    return [
        Outgoing(f"digest:{lead.id}", lead, subject, body, overdue + coming)
        for lead in leads
        if reachable(lead) is None
    ]


def _section(
    title: str, items: list[Asset], today: date, link: Link, empty: str, kits: dict[int, str]
) -> str:
    if not items:
        return f"{title}: {empty}"
    lines = "\n".join(_line(a, today, link, True, kits.get(a.id, "")) for a in items)
    return f"{title} ({len(items)}):\n{lines}"


def sent_today(today: date) -> set[str]:
    raw = Setting.get_value(SENT_KEY, "")
    try:
        record = json.loads(raw) if raw else {}
    except ValueError:
        return set()
    return set(record.get("keys", [])) if record.get("date") == today.isoformat() else set()


def mark_sent(today: date, key: str) -> None:
    with write():
        keys = sorted(sent_today(today) | {key})
        value = json.dumps({"date": today.isoformat(), "keys": keys})
        Setting.insert(key=SENT_KEY, value=value).on_conflict(
            conflict_target=[Setting.key], update={Setting.value: value}
        ).execute()


@dataclass
class Report:
    plan: Plan
    sent: list[Outgoing] = field(default_factory=list)
    skipped: list[Outgoing] = field(default_factory=list)  # already sent today
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)


def send(plan_: Plan, smtp: mail.SmtpSettings, today: date, *, again: bool = False) -> Report:
    """Send the plan's messages, skipping anyone already reached today (unless `again`)."""
    report = Report(plan_)
    done = set() if again else sent_today(today)
    todo: list[Outgoing] = []
    for item in plan_.messages:
        (report.skipped if item.key in done else todo).append(item)
    emails = [
        mail.compose(smtp.sender, mail.address(o.to.name, o.to.email), o.subject, o.body)
        for o in todo
    ]

    def sent(index: int) -> None:
        mark_sent(today, todo[index].key)
        report.sent.append(todo[index])

    failed = mail.deliver(smtp, emails, on_sent=sent)
    report.failed = [(todo[i], reason) for i, reason in sorted(failed.items())]
    return report


def unreachable_lines(plan_: Plan, today: date) -> list[str]:
    """For the operator: holders with due items whom email cannot reach."""
    return [
        f"Unreachable ({reason}): {user.name}: "
        + "; ".join(f"{a.name} ({_pretty(a.code)}) {Due(a, today).when}" for a in items)
        for user, items, reason in plan_.unreachable
    ]


def preview(plan_: Plan) -> str:
    """The messages as they would be sent, for a run without SMTP."""
    return "\n".join(
        f"To: {o.to.name} <{o.to.email}>\nSubject: {o.subject}\n\n{o.body}\n{'-' * 60}"
        for o in plan_.messages
    )
