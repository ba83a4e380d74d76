"""The demo's subscriptions: a few vendors, seats given to people (three of
Adobe's held by people who have left), a domain renewing within the month, a
support contract past its renewal, and licence keys on some."""

from __future__ import annotations

from datetime import date, timedelta

from ..models import User, utcnow
from ..subscriptions import seats, subscriptions, vendors

LEAVERS = ("Jo Former", "Max Departed", "Rita Gone")


def _subscription(lead: User, vendor: str, key: str = "", **values):
    found = vendors.by_name(vendor) or vendors.save_vendor(vendor, actor=lead)
    base = dict(
        vendor_id=found.id,
        kind="saas",
        seats=None,
        cost_cents=None,
        period="year",
        starts_on=None,
        renews_on=None,
        auto_renews=True,
        remind_days=30,
        owner_id=None,
        owner_team_id=None,
        notes="",
    )
    return subscriptions.create({**base, **values}, actor=lead, licence_key=key)


def _months_on(day: date, months: int) -> date:
    total = day.month - 1 + months
    return date(day.year + total // 12, total % 12 + 1, min(day.day, 28))


def build(users: list[User], lead: User) -> None:
    """Add them (inside the demo's write); `users` are the demo's people."""
    today = utcnow().date()
    by_name = {u.name: u for u in users}
    figma = _subscription(
        lead,
        "Figma",
        product="Figma Professional",
        seats=5,
        cost_cents=75_00,
        period="month",
        starts_on=today - timedelta(days=400),
        renews_on=_months_on(today, 1),
        owner_id=by_name["Sam Member"].id,
    )
    adobe = _subscription(
        lead,
        "Adobe",
        "DEMO-ADOBE-7K3M-9QX2-4HTB",
        product="Creative Cloud All Apps",
        kind="licence",
        seats=10,
        cost_cents=6_200_00,
        starts_on=today - timedelta(days=300),
        renews_on=today + timedelta(days=65),
        owner_id=lead.id,
        notes="Team plan; seats can be moved between people.",
    )
    _subscription(
        lead,
        "Microsoft",
        "DEMO-M365-TENANT-HARBOURWORKS",
        product="Microsoft 365 Business Standard",
        seats=None,
        cost_cents=1_480_00,
        starts_on=today - timedelta(days=700),
        renews_on=today + timedelta(days=150),
        owner_id=by_name["Ada Admin"].id,
    )
    _subscription(
        lead,
        "Gandi",
        product="harbourworks.example domain",
        kind="domain",
        cost_cents=18_00,
        starts_on=today - timedelta(days=345),
        renews_on=today + timedelta(days=20),
        owner_id=lead.id,
    )
    _subscription(
        lead,
        "Makita",
        product="Power tool service contract",
        kind="support",
        cost_cents=540_00,
        auto_renews=False,
        starts_on=today - timedelta(days=375),
        renews_on=today - timedelta(days=10),
        owner_id=lead.id,
        notes="Annual service of the cordless tools; call before it lapses.",
    )
    for name in ("Sam Member", "Alice Member"):
        seats.assign(figma.id, by_name[name].id, actor=lead)
    for name in ("Sam Member", "Alice Member", "Lee Lead"):
        seats.assign(adobe.id, by_name[name].id, actor=lead)
    for name in LEAVERS:  # they had seats, then left: waste until someone frees them
        person = User.get_or_none(User.name == name) or User.create(name=name, role="member")
        person.active = True
        person.save()
        seats.assign(adobe.id, person.id, actor=lead)
        person.active = False
        person.save()
