"""What a new organisation has done so far, for the getting-started list on
home: read from the data itself, so each step ticks off when it happens,
whichever page or import did it."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import Select, fn

from ..models import Asset, Audit, Location, User, db
from .rules import in_service_sql


@dataclass(frozen=True)
class Progress:
    locations: int
    assets: int
    unprinted: int  # assets in service whose label was never printed
    people: int  # accounts that can sign in or were invited (an email), the first admin included
    audits: int


def progress() -> Progress:
    """The counts the list needs, in one query."""
    count = fn.COUNT
    columns = [
        Location.select(count(Location.id)).alias("locations"),
        Asset.select(count(Asset.id)).alias("assets"),
        Asset.select(count(Asset.id))
        .where(in_service_sql() & Asset.label_printed_at.is_null())
        .alias("unprinted"),
        User.select(count(User.id))
        .where(User.email.is_null(False) & (User.email != ""))
        .alias("people"),
        Audit.select(count(Audit.id)).alias("audits"),
    ]
    row = Select(columns=columns).bind(db).dicts().get()
    return Progress(**{key: int(row[key] or 0) for key in Progress.__dataclass_fields__})
