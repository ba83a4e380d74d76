"""Renewal reminders: each subscription's reminder goes out once per renewal
date, when rules.reminder_due says so, through `tagtrail remind` (the same
run, mail server and "already sent today" memory as the custody reminders),
and the leads' weekly digest lists what renews in the next 30 days and what
is past renewal.

A reminder is recorded (`reminded_for` and a "reminded" event, in one write)
only once every person it was for has been sent it; until then the next run
sends only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from peewee import JOIN, fn

from ..custody.reminders import Outgoing, reachable
from ..database import write
from ..models import Subscription, SubscriptionSeat, Team, User, Vendor
from . import history, rules

Link = Callable[[int], str]  # a subscription's id to its page's address ("" for none)
Money = Callable[[int], str]  # cents to an amount as the organisation shows it


@dataclass(frozen=True)
class Renewal:
    """A subscription as a reminder or the digest speaks of it."""

    subscription: Subscription
    vendor: str
    in_use: int

    @property
    def product(self) -> str:
        return self.subscription.product

    @property
    def renews_on(self) -> date:
        return self.subscription.renews_on


def _renewals(condition) -> list[Renewal]:
    """Subscriptions matching, with their vendor, owner, owner team and seats in
    use, soonest renewal first (one query)."""
    in_use = (
        SubscriptionSeat.select(fn.COUNT(SubscriptionSeat.id))
        .where(
            SubscriptionSeat.subscription == Subscription.id, SubscriptionSeat.freed_at.is_null()
        )
        .alias("in_use")
    )
    query = (
        Subscription.select(Subscription, Vendor, User, Team, in_use)
        .join(Vendor)
        .switch(Subscription)
        .join(User, JOIN.LEFT_OUTER, on=(Subscription.owner == User.id))
        .switch(Subscription)
        .join(Team, JOIN.LEFT_OUTER, on=(Subscription.owner_team == Team.id))
        .where(condition)
        .order_by(Subscription.renews_on, fn.LOWER(Subscription.product), Subscription.id)
    )
    return [Renewal(s, s.vendor.name, s.in_use or 0) for s in query]


def due(today: date) -> list[Renewal]:
    """The subscriptions whose renewal reminder is due today."""
    # Each one's own reminder days decide: read just what reminder_due needs,
    # then the few that are due in full.
    query = Subscription.select(
        Subscription.id,
        Subscription.renews_on,
        Subscription.remind_days,
        Subscription.reminded_for,
        Subscription.cancelled_at,
    ).where(rules.reminder_candidates_sql(today))
    ids = [s.id for s in query if rules.reminder_due(s, today)]
    if not ids:
        return []
    return [
        r for r in _renewals(Subscription.id.in_(ids)) if rules.reminder_due(r.subscription, today)
    ]


def coming(today: date, days: int = rules.RENEWALS_AHEAD_DAYS) -> list[Renewal]:
    """Renewing from today to `days` days ahead, not cancelled."""
    return _renewals(rules.renewing_sql(today, days))


def past(today: date) -> list[Renewal]:
    """Past their renewal date and not cancelled (rules.past_renewal)."""
    return _renewals(rules.past_renewal_sql(today))


def _leads(team_id: int | None = None) -> list[User]:
    query = User.select().where(User.role.in_(("lead", "admin")), User.active == True)  # noqa: E712
    if team_id is not None:
        query = query.where(User.team == team_id)
    return [u for u in query.order_by(User.name, User.id) if reachable(u) is None]


def recipients(subscription: Subscription) -> list[User]:
    """Who is told of its renewal: its owner; else (an owner team, or an owner
    email cannot reach) the owner team's leads; else every lead and admin."""
    if subscription.owner_id is not None and reachable(subscription.owner) is None:
        return [subscription.owner]
    if subscription.owner_team_id is not None:
        found = _leads(subscription.owner_team_id)
        if found:
            return found
    return _leads()


def _key(renewal: Renewal, person: User) -> str:
    return f"renewal:{renewal.subscription.id}:{renewal.renews_on.isoformat()}:{person.id}"


def _cost(subscription: Subscription, money: Money) -> str:
    cents = subscription.cost_cents
    if cents is None:
        return "not recorded"
    yearly = rules.cost_per_year_cents(cents, subscription.period)
    if subscription.period == "month":
        return f"{money(cents)} a month ({money(yearly or 0)} a year)"
    return f"{money(cents)} a year"


def _days(today: date, day: date) -> str:
    days = (day - today).days
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def messages(today: date, *, org: str, link: Link, money: Money) -> list[Outgoing]:
    """One email per subscription due a reminder, to each of its recipients."""
    out = []
    for renewal in due(today):
        sub = renewal.subscription
        url = link(sub.id)
        renews = "It renews by itself" if sub.auto_renews else "It does not renew by itself"
        body = (
            f"{sub.product} from {renewal.vendor} comes up for renewal on "
            f"{sub.renews_on:%A %d %b %Y} ({_days(today, sub.renews_on)}).\n\n"
            f"- Auto-renews: {'yes' if sub.auto_renews else 'no'}. {renews}.\n"
            f"- Cost: {_cost(sub, money)}\n"
            f"- Seats used: {rules.seats_text(sub.seats, renewal.in_use)}\n"
            + (f"\n{url}\n" if url else "")
            + "\nIf it is still needed, renew it (and move its renewal date on); if not, "
            "cancel it before then.\n"
        )
        subject = f"{org} reminder: {sub.product} renews on {sub.renews_on:%d %b %Y}"
        for person in recipients(sub):
            text = f"Hello {person.name},\n\n{body}"
            out.append(Outgoing(_key(renewal, person), person, subject, text, []))
    return out


def nobody_to_tell(today: date) -> list[str]:
    """For the operator: due reminders nobody can be emailed about (no lead or
    admin with a usable address)."""
    return [
        f"Renewal reminder not sent (nobody to email): {r.product}, renews {r.renews_on}"
        for r in due(today)
        if not recipients(r.subscription)
    ]


def mark_reminded(today: date, sent: set[str]) -> list[Subscription]:
    """Record each due reminder whose every recipient is in `sent` (the keys
    reached so far today): `reminded_for` and a "reminded" event, one write each."""
    done = []
    for renewal in due(today):
        people = recipients(renewal.subscription)
        if not people or any(_key(renewal, p) not in sent for p in people):
            continue
        with write():
            sub = Subscription.get_or_none(Subscription.id == renewal.subscription.id)
            if (
                sub is None
                or sub.renews_on != renewal.renews_on
                or not rules.reminder_due(sub, today)
            ):
                continue  # changed since, or another run recorded it
            sub.reminded_for = sub.renews_on
            sub.save(only=[Subscription.reminded_for])
            history.record(
                sub,
                "reminded",
                actor=None,
                note="Sent to " + ", ".join(p.name for p in people),
                data={"renews_on": sub.renews_on.isoformat(), "to": [p.id for p in people]},
                key=f"reminded:{sub.id}:{sub.renews_on.isoformat()}",
            )
        done.append(sub)
    return done


def _lines(rows: list[Renewal], today: date, link: Link, money: Money) -> str:
    def line(r: Renewal) -> str:
        sub = r.subscription
        if sub.renews_on >= today:
            when = f"renews {sub.renews_on:%d %b %Y} ({_days(today, sub.renews_on)})"
        else:
            when = f"renewal date {sub.renews_on:%d %b %Y} has passed"
        auto = ", auto-renews" if sub.auto_renews else ""
        yearly = rules.cost_per_year_cents(sub.cost_cents, sub.period)
        cost = f", {money(yearly)} a year" if yearly is not None else ""
        seats = rules.seats_text(sub.seats, r.in_use)
        url = link(sub.id)
        return f"- {sub.product} ({r.vendor}): {when}{auto}{cost}, seats {seats}" + (
            f"\n  {url}" if url else ""
        )

    return "\n".join(line(r) for r in rows)


def digest_sections(today: date, *, link: Link, money: Money) -> list[str]:
    """The digest's two sections on subscriptions: renewals in the next 30 days,
    and past renewal. Nothing when neither has any."""
    soon, gone = coming(today), past(today)
    if not soon and not gone:
        return []
    days = rules.RENEWALS_AHEAD_DAYS
    return [
        f"Renewals in the next {days} days ({len(soon)}):\n{_lines(soon, today, link, money)}"
        if soon
        else f"Renewals in the next {days} days: None.",
        f"Past renewal ({len(gone)}):\n{_lines(gone, today, link, money)}"
        if gone
        else "Past renewal: None.",
    ]
