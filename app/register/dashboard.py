"""The home dashboard for leads: counts by status and the lists that need
attention, from a fixed number of queries whatever the size of the register.

One query counts everything (a scalar subquery per count, each answered from
an index without reading the table); then one short query per list fetches
its first few rows along an index. Nothing here loops over assets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from peewee import JOIN, SQL, Select, fn

from ..audits import rules as audit_rules
from ..custody.condition import needs_check_sql
from ..custody.rules import not_back_sql, overdue_sql
from ..models import STATUSES, Asset, Category, Event, Fault, Location, User, utcnow
from . import attention, events, getting_started

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
    # Items that did not come back with their kit, still with the person; its
    # rows are fetched only when there are some (most teams have none, or no kits).
    not_back: Section = field(default_factory=Section)
    # Returned items waiting for their category's check before they go out
    # again; rows (with the check) only when there are some.
    needs_check: Section = field(default_factory=Section)
    started: getting_started.Progress | None = None  # asked only while Home lists first steps
    # What the caller's own parts counted (summary's `extra`), by name.
    extra: dict[str, int] = field(default_factory=dict)


def _count(*conditions):
    query = Asset.select(fn.COUNT(SQL("*")))
    for condition in conditions:
        query = query.where(condition)
    return query


def _counts(today: date, audit_interval_days: int, extra: dict | None = None) -> dict[str, int]:
    """Every count in one query of scalar subqueries, each answered from one
    covering index. A condition "X is NULL or X < cutoff" is counted as two
    ranges and added up: SQLite would otherwise merge two index searches
    through a row-id set, which costs more than both ranges together."""
    now = utcnow()
    audit_never, audit_old = audit_rules.due_sql_parts(audit_interval_days, now)
    unseen_never, unseen_old = attention.not_seen_parts(UNSEEN_DAYS, now)
    parts = {f"status_{status}": _count(Asset.status == status) for status in STATUSES}
    parts.update(
        overdue=_count(overdue_sql(today)),
        faults=_count(attention.has_open_fault()),
        audit_never=_count(audit_never),
        audit_old=_count(audit_old),
        unseen_never=_count(unseen_never),
        unseen_old=_count(unseen_old),
        warranty=_count(attention.warranty_ending(today)),
        service=_count(attention.service_due(today)),
        not_back=_count(not_back_sql()),
        needs_check=_count(needs_check_sql()),
    )
    parts.update(extra or {})
    query = Select(columns=[part.alias(name) for name, part in parts.items()])
    row = query.bind(Asset._meta.database).dicts().get()
    return {name: value or 0 for name, value in row.items()}


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
    Asset.not_back_since,
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


def waiting_for_check(rows: int = ROWS) -> list[Asset]:
    """The items waiting longest for their check, with what the check is."""
    return list(
        Asset.select(
            Asset.id,
            Asset.code,
            Asset.name,
            Asset.needs_check_since,
            Asset.category,
            Category.id,
            Category.check_after_return,
        )
        .join(Category, JOIN.LEFT_OUTER, on=(Asset.category == Category.id))
        .where(needs_check_sql())
        .order_by(Asset.needs_check_since, Asset.id)
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
    Actor, Holder = events.actor_and_holder()
    return list(
        events.in_context(
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
            ),
            Actor,
            Holder,
        )
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(rows)
    )


def summary(
    today: date, audit_interval_days: int, *, first_steps: bool = False, extra: dict | None = None
) -> Summary:
    """Everything the leads' home shows. `today` is the organisation's date;
    `first_steps` also counts what the getting-started list needs, and `extra`
    (name: scalar subquery) whatever else Home shows, in the same query."""
    parts = {**(getting_started.columns() if first_steps else {}), **(extra or {})}
    total = _counts(today, audit_interval_days, parts)
    by_status = {status: total[f"status_{status}"] for status in STATUSES}
    total["unseen"] = total["unseen_never"] + total["unseen_old"]
    return Summary(
        by_status=by_status,
        total=sum(by_status.values()),
        audit_due=total["audit_never"] + total["audit_old"],
        overdue=Section(
            total["overdue"],
            _assets(overdue_sql(today), Asset.due_back),
        ),
        faults=Section(total["faults"], open_faults()),
        missing=Section(
            by_status["missing"],
            _assets(Asset.status == "missing", Asset.updated_at.desc()),
        ),
        unseen=Section(
            total["unseen"],
            _assets(
                attention.not_seen(UNSEEN_DAYS, utcnow()), Asset.last_seen_at.asc(nulls="FIRST")
            ),
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
        not_back=Section(
            total["not_back"],
            _assets(not_back_sql(), Asset.not_back_since) if total["not_back"] else [],
        ),
        needs_check=Section(
            total["needs_check"], waiting_for_check() if total["needs_check"] else []
        ),
        started=getting_started.from_row(total) if first_steps else None,
        extra={name: total[name] for name in extra or {}},
    )
