"""The home dashboard for leads: counts by status and the lists that need
attention, from a fixed number of queries whatever the size of the register.

One aggregate query counts everything (one pass over the assets, grouped by
status, with a conditional sum per list); then one short query per list
fetches its first few rows along an index. Nothing here loops over assets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from peewee import JOIN, Case, fn

from ..models import STATUSES, Asset, Event, Fault, Location, User
from . import attention
from .assets import audit_due, not_seen

UNSEEN_DAYS = 90
ROWS = 5  # rows shown per list; each list links to its full page


@dataclass
class Section:
    count: int = 0
    rows: list = field(default_factory=list)


@dataclass
class Summary:
    by_status: dict[str, int]
    total: int
    audit_due: int
    overdue: Section
    faults: Section  # count: items with an open fault; rows: the newest open faults
    missing: Section
    unseen: Section
    warranty: Section
    service: Section
    recent: list[Event]


def _flag(condition):
    return fn.SUM(Case(None, [(condition, 1)], 0))


def _counts(today: date, audit_interval_days: int) -> list[dict]:
    return list(
        Asset.select(
            Asset.status,
            fn.COUNT(Asset.id).alias("n"),
            _flag(attention.overdue(today)).alias("overdue"),
            _flag(attention.has_open_fault()).alias("faults"),
            _flag(audit_due(audit_interval_days)).alias("audit_due"),
            _flag(not_seen(UNSEEN_DAYS)).alias("unseen"),
            _flag(attention.warranty_ending(today)).alias("warranty"),
            _flag(attention.service_due(today)).alias("service"),
        )
        .group_by(Asset.status)
        .dicts()
    )


# Only what the rows show: building the SQL for every column of three tables
# costs more than running it.
ROW_COLUMNS = (
    Asset.id,
    Asset.code,
    Asset.name,
    Asset.status,
    Asset.holder,
    Asset.location,
    Asset.due_back,
    Asset.warranty_end,
    Asset.service_due_on,
    Asset.last_seen_at,
    User.id,
    User.name,
    Location.id,
    Location.name,
)


def _assets(condition, *order, rows: int = ROWS) -> list[Asset]:
    """The first few assets matching, with holder and location, in one query."""
    return list(
        Asset.select(*ROW_COLUMNS)
        .join(User, JOIN.LEFT_OUTER, on=(Asset.holder == User.id))
        .switch(Asset)
        .join(Location, JOIN.LEFT_OUTER, on=(Asset.location == Location.id))
        .where(condition)
        .order_by(*order, Asset.id)
        .limit(rows)
    )


def open_faults(rows: int = ROWS) -> list[Fault]:
    return list(
        Fault.select(Fault, Asset.id, Asset.code, Asset.name)
        .join(Asset)
        .where(Fault.closed_at.is_null())
        .order_by(Fault.reported_at.desc(), Fault.id.desc())
        .limit(rows)
    )


def recent_events(rows: int = ROWS) -> list[Event]:
    Actor, Holder = User.alias("actor"), User.alias("holder")
    return list(
        Event.select(
            Event,
            Asset.id,
            Asset.code,
            Asset.name,
            Actor.id,
            Actor.name,
            Holder.id,
            Holder.name,
            Location.id,
            Location.name,
        )
        .join(Asset, JOIN.LEFT_OUTER)
        .switch(Event)
        .join(Actor, JOIN.LEFT_OUTER, on=(Event.actor == Actor.id))
        .switch(Event)
        .join(Holder, JOIN.LEFT_OUTER, on=(Event.holder == Holder.id))
        .switch(Event)
        .join(Location, JOIN.LEFT_OUTER, on=(Event.location == Location.id))
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(rows)
    )


def summary(today: date, audit_interval_days: int) -> Summary:
    """Everything the leads' home shows. `today` is the organisation's date."""
    counted = _counts(today, audit_interval_days)
    total = {
        key: sum(row[key] or 0 for row in counted)
        for key in ("n", "overdue", "faults", "audit_due", "unseen", "warranty", "service")
    }
    by_status = {status: 0 for status in STATUSES}
    by_status.update({row["status"]: row["n"] for row in counted})
    return Summary(
        by_status=by_status,
        total=total["n"],
        audit_due=total["audit_due"],
        overdue=Section(
            total["overdue"],
            _assets(attention.overdue(today), Asset.due_back),
        ),
        faults=Section(total["faults"], open_faults()),
        missing=Section(
            by_status["missing"],
            _assets(Asset.status == "missing", Asset.updated_at.desc()),
        ),
        unseen=Section(
            total["unseen"],
            _assets(not_seen(UNSEEN_DAYS), Asset.last_seen_at.asc(nulls="FIRST")),
        ),
        warranty=Section(
            total["warranty"],
            _assets(attention.warranty_ending(today), Asset.warranty_end),
        ),
        service=Section(
            total["service"],
            _assets(attention.service_due(today), Asset.service_due_on),
        ),
        recent=recent_events(),
    )
