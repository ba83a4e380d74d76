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


def columns() -> dict:
    """The counts as scalar subqueries, so the leads' dashboard can ask them in its
    own counting query (dashboard.summary) instead of one more."""
    count = fn.COUNT
    return {
        "start_locations": Location.select(count(Location.id)),
        "start_assets": Asset.select(count(Asset.id)),
        "start_unprinted": Asset.select(count(Asset.id)).where(
            in_service_sql() & Asset.label_printed_at.is_null()
        ),
        "start_people": User.select(count(User.id)).where(
            User.email.is_null(False) & (User.email != "")
        ),
        "start_audits": Audit.select(count(Audit.id)),
    }


def from_row(row: dict) -> Progress:
    """The progress from a row that asked `columns()`."""
    return Progress(**{key: int(row[f"start_{key}"] or 0) for key in Progress.__dataclass_fields__})


def progress() -> Progress:
    """The counts the list needs, in one query."""
    query = Select(columns=[part.alias(name) for name, part in columns().items()])
    return from_row(query.bind(db).dicts().get())
