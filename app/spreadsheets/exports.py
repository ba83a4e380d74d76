"""The register and the history as spreadsheet rows. The register's headers
are ones the import recognises, so an export imports back as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peewee import JOIN, fn

from ..clock import in_zone
from ..errors import Invalid
from ..models import (
    STATUS_LABELS,
    SUBSCRIPTION_KINDS,
    SUBSCRIPTION_PERIODS,
    Asset,
    Category,
    CustomValue,
    Event,
    Location,
    Subscription,
    SubscriptionSeat,
    Team,
    User,
    Vendor,
)
from ..register import custom_fields, events
from ..subscriptions import rules as subscription_rules
from . import rules, subscription_columns
from .csvfiles import money
from .lookup import Lookup
from .values import location_cell

REGISTER_HEADER = (
    "Code",
    "Name",
    "External tag",
    "Category",
    "Manufacturer",
    "Model",
    "Serial",
    "Purchase date",
    "Cost",
    "Supplier",
    "Order number",
    "Warranty end",
    "Status",
    "Location",
    "Team",
    "Checked out to",
    "Holder email",
    "Due back",
    "Notes",
)
EVENTS_HEADER = (
    "When",
    "Code",
    "Asset",
    "Event",
    "By",
    "Holder",
    "Location",
    "Note",
    "Details",
)


def _paths() -> dict[int, str]:
    look = Lookup()
    look.locations = {
        i: (name, parent)
        for i, name, parent in Location.select(Location.id, Location.name, Location.parent).tuples()
    }
    return {i: location_cell(look.location_path(i)) for i in look.locations}


def _shared_names() -> set[str]:
    """Names (any case) more than one person has: their holders need a mark."""
    seen: set[str] = set()
    shared: set[str] = set()
    for (name,) in User.select(User.name).tuples():
        key = name.strip().lower()
        (shared if key in seen else seen).add(key)
    return shared


def register_rows() -> Iterator[tuple]:
    """Every asset, retired ones included, by name. "Team" is the team that keeps
    it, which the import reads back; the department a report counts it under
    follows from that and its holder's team (teams_rules)."""
    paths = _paths()
    shared = _shared_names()
    teams = dict(Team.select(Team.id, Team.name).tuples())
    query = (
        Asset.select(Asset, Category, User)
        .join(Category, JOIN.LEFT_OUTER)
        .switch(Asset)
        .join(User, JOIN.LEFT_OUTER, on=(Asset.holder == User.id))
        .order_by(Asset.name, Asset.id)
    )
    for a in query.iterator():
        holder = a.holder if a.holder_id else None
        yield (
            a.code,
            a.name,
            a.external_tag,
            a.category.name if a.category_id else "",
            a.manufacturer,
            a.model_name,
            a.serial,
            a.purchase_date,
            money(a.cost_cents),
            a.supplier,
            a.order_number,
            a.warranty_end,
            STATUS_LABELS.get(a.status, a.status),
            paths.get(a.location_id, ""),
            teams.get(a.team_id, ""),
            rules.person_cell(holder.name, holder.id, holder.name.strip().lower() in shared)
            if holder and not holder.email
            else (holder.name if holder else ""),
            (holder.email or "") if holder else "",
            a.due_back,
            a.notes,
        )


def utc_range(start: date | None, end: date | None, zone: str) -> tuple[datetime, datetime]:
    """Naive UTC bounds for whole local days from `start` to `end`, both included."""
    if start and end and end < start:
        raise Invalid({"to": "The end date is before the start date."})
    tz = ZoneInfo(zone)

    def utc(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)

    low = utc(start) if start else datetime.min
    high = utc(end + timedelta(days=1)) if end else datetime.max
    return low, high


def event_rows(start: date | None, end: date | None, zone: str) -> Iterator[tuple]:
    """Events from `start` to `end` (local days), oldest first, times local."""
    low, high = utc_range(start, end, zone)
    tz = ZoneInfo(zone)
    Actor, Holder = events.actor_and_holder()
    query = (
        events.in_context(
            Event.select(Event, Asset, Actor, Holder, Location),
            Actor,
            Holder,
        )
        .where(Event.at >= low, Event.at < high)
        .order_by(Event.at, Event.id)
    )
    for e in query.iterator():
        local = in_zone(e.at, tz).replace(tzinfo=None)
        yield (
            local,
            e.asset.code if e.asset_id else "",
            e.asset.name if e.asset_id else "",
            e.kind,
            e.actor.name if e.actor_id else "",
            e.holder.name if e.holder_id else "",
            e.location.name if e.location_id else "",
            e.note,
            json.dumps(e.data, ensure_ascii=False, sort_keys=True) if e.data else "",
        )


EXPORT_CHUNK = 1000  # register rows whose custom values are read at once


def register_export() -> tuple[tuple[str, ...], Iterator[tuple]]:
    """The register's header and rows, with a column per custom field after
    ours (headed with the field's name, in the fields' order) holding each
    value as kept: the import reads them back into the same fields."""
    fields = custom_fields.all_fields()
    header = REGISTER_HEADER + tuple(f.name for f in fields)
    if not fields:
        return header, register_rows()
    order = [f.id for f in fields]

    def rows() -> Iterator[tuple]:
        batch: list[tuple] = []
        for row in register_rows():
            batch.append(row)
            if len(batch) == EXPORT_CHUNK:
                yield from with_values(batch)
                batch = []
        yield from with_values(batch)

    def with_values(batch: list[tuple]) -> Iterator[tuple]:
        if not batch:
            return
        kept: dict[str, dict[int, str]] = {}
        query = (
            CustomValue.select(Asset.code, CustomValue.field, CustomValue.text)
            .join(Asset)
            .where(Asset.code.in_([row[0] for row in batch]))
        )
        for code, field_id, text in query.tuples():
            kept.setdefault(code, {})[field_id] = text
        for row in batch:
            values = kept.get(row[0], {})
            yield row + tuple(values.get(field_id, "") for field_id in order)

    return header, rows()


# Subscriptions -------------------------------------------------------------------


def subscription_export(today: date) -> tuple[tuple[str, ...], Iterator[list]]:
    """Every subscription, cancelled ones included, with every field but the
    licence key, and the seats given out, the cost a year and the state
    (subscription_columns.EXPORT_HEADER); it imports back as it was."""
    used = dict(
        SubscriptionSeat.select(SubscriptionSeat.subscription, fn.COUNT(SubscriptionSeat.id))
        .where(SubscriptionSeat.freed_at.is_null())
        .group_by(SubscriptionSeat.subscription)
        .tuples()
    )
    shared = {
        name
        for name, count in User.select(User.name, fn.COUNT(User.id)).group_by(User.name).tuples()
        if count > 1
    }
    query = (
        Subscription.select(Subscription, Vendor, User, Team)
        .join(Vendor)
        .switch(Subscription)
        .join(User, JOIN.LEFT_OUTER, on=(Subscription.owner == User.id))
        .switch(Subscription)
        .join(Team, JOIN.LEFT_OUTER, on=(Subscription.owner_team == Team.id))
        .order_by(fn.LOWER(Vendor.name), fn.LOWER(Subscription.product), Subscription.id)
    )

    def rows() -> Iterator[list]:
        for s in query:
            owner, email = "", ""
            if s.owner_id:
                email = s.owner.email or ""
                owner = rules.person_cell(s.owner.name, s.owner_id, s.owner.name in shared)
            elif s.owner_team_id:
                owner = s.owner_team.name
            yield [
                s.id,
                s.vendor.name,
                s.product,
                SUBSCRIPTION_KINDS.get(s.kind, s.kind),
                subscription_columns.seats_cell(s.seats),
                used.get(s.id, 0),
                money(s.cost_cents),
                SUBSCRIPTION_PERIODS.get(s.period, s.period),
                money(subscription_rules.cost_per_year_cents(s.cost_cents, s.period)),
                s.starts_on,
                s.renews_on,
                bool(s.auto_renews),
                s.remind_days,
                owner,
                email,
                s.notes,
                subscription_rules.state_words(s, today),
                s.ended_on,
            ]

    return subscription_columns.EXPORT_HEADER, rows()
