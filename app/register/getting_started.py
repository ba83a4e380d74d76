"""What a new organisation has done so far, for the getting-started list on
home: read from the data itself, so each step ticks off when it happens,
whichever page or import did it."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from ..models import Asset, Audit, Location, User
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


@dataclass(frozen=True)
class Step:
    key: str
    words: str
    done: bool
    count: int = 0  # for printing: the assets whose label was never printed


def steps(done: Progress | None) -> list[Step] | None:
    """The first steps and which are done; None once every step is, or when
    nobody asked (not a lead, or the list was hidden)."""
    if done is None:
        return None
    listed = [
        Step("locations", "Add your locations", done.locations > 0),
        Step("assets", "Add or import your assets", done.assets > 0),
        Step(
            "labels", "Print their labels", done.assets > 0 and done.unprinted == 0, done.unprinted
        ),
        Step("people", "Invite people", done.people > 1),
        Step("audit", "Run a first audit", done.audits > 0),
    ]
    return None if all(step.done for step in listed) else listed
