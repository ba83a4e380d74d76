"""Schema versions, kept in the database, and the steps between them.

A new database gets the current models' tables and the latest version number.
An older one is upgraded one step at a time, each step in its own write.
Add a step by appending to STEPS; never edit a step that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import CharField
from playhouse.migrate import SchemaMigrator, migrate

from .database import is_sqlite, write
from .models import (
    MODELS,
    Attachment,
    Audit,
    AuditItem,
    AuditRoom,
    AuditTick,
    Fault,
    LabelCode,
    LabelFormatSetting,
    SchemaVersion,
    User,
    db,
    new_session_token,
)


class SchemaError(RuntimeError):
    pass


def _v2_asset_version_and_event_index(migrator: SchemaMigrator) -> None:
    # Version 2: a state version on assets, so that a stale form or a double
    # tap cannot apply twice, and an index for the per-asset history.
    # Plain ALTER TABLE with a default: peewee's add_column would rebuild the
    # SQLite table, which foreign_keys=ON refuses while events point at it.
    db.execute_sql('ALTER TABLE "asset" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1')
    migrate(migrator.add_index("event", ("asset_id", "at"), False))


def _v3_action_keys_and_faults(migrator: SchemaMigrator) -> None:
    # Version 3: idempotency keys on events (double taps, resent forms, the
    # offline queue), the giver on handovers, and the fault register.
    migrate(
        migrator.add_column("event", "key", CharField(max_length=64, null=True)),
        migrator.add_index("event", ("key",), True),
    )
    # Plain SQL so the column gets its foreign key on SQLite too (the same
    # statement works on PostgreSQL).
    db.execute_sql(
        'ALTER TABLE "event" ADD COLUMN "from_holder_id" INTEGER '
        'REFERENCES "user" ("id") ON DELETE RESTRICT'
    )
    migrate(migrator.add_index("event", ("from_holder_id",), False))
    db.create_tables([Fault])


def _v4_labels(migrator: SchemaMigrator) -> None:
    # Version 4: blank and replaced label codes, custom formats and nudges.
    db.create_tables([LabelCode, LabelFormatSetting])


def _v5_audits(migrator: SchemaMigrator) -> None:
    # Version 5: audits, their expected snapshot and their ticks.
    db.create_tables([Audit, AuditItem, AuditTick])


def _v6_session_tokens(migrator: SchemaMigrator) -> None:
    # Version 6: a per-user token inside session and remember cookies, so that
    # signing out (or a password change) revokes every copy of them.
    db.execute_sql(
        """ALTER TABLE "user" ADD COLUMN "session_token" VARCHAR(32) NOT NULL DEFAULT ''"""
    )
    for (user_id,) in User.select(User.id).tuples():
        User.update(session_token=new_session_token()).where(User.id == user_id).execute()


def _v7_management_and_offline_scans(migrator: SchemaMigrator) -> None:
    # Version 7: service intervals, depreciation, external tags, attachments,
    # and the scan time and idempotency key of actions queued offline.
    for table, column, kind in (
        ("category", "service_interval_days", "INTEGER"),
        ("category", "useful_life_months", "INTEGER"),
        ("category", "salvage_percent", "INTEGER"),
        ("asset", "service_interval_days", "INTEGER"),
        ("asset", "last_serviced_on", "DATE"),
        ("asset", "service_due_on", "DATE"),
        ("event", "scanned_at", "DATETIME"),
        ("audit_tick", "scanned_at", "DATETIME"),
        ("audit_tick", "key", "VARCHAR(64)"),
    ):
        # Earlier steps create whole tables from today's models, so a table
        # made by one of them (audit_tick) may already have the column.
        if column in {c.name for c in db.get_columns(table)}:
            continue
        if kind == "DATETIME" and not is_sqlite():
            kind = "TIMESTAMP"
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')
    for column in ("order_number", "external_tag"):
        db.execute_sql(
            f"""ALTER TABLE "asset" ADD COLUMN "{column}" VARCHAR(120) NOT NULL DEFAULT ''"""
        )
    migrate(
        migrator.add_index("asset", ("external_tag",), False),
        # For the dashboard's counts and lists (see the models for why).
        migrator.add_index("asset", ("due_back", "holder_id"), False),
        migrator.add_index("asset", ("warranty_end", "status"), False),
        migrator.add_index("asset", ("service_due_on", "status"), False),
        migrator.add_index("asset", ("last_audited_at", "status"), False),
        migrator.add_index("asset", ("last_seen_at", "created_at", "status"), False),
        migrator.add_index("event", ("at",), False),
    )
    # The same name peewee gives the index on a fresh database.
    db.execute_sql('CREATE UNIQUE INDEX IF NOT EXISTS "audit_tick_key" ON "audit_tick" ("key")')
    db.create_tables([Attachment])


def _v8_audit_rooms_and_ticks_via_actions(migrator: SchemaMigrator) -> None:
    # Version 8: one "I am in…" per person per audit, and ticks made by an action
    # that proved the item was in someone's hands (a return during the audit).
    if "via" not in {c.name for c in db.get_columns("audit_tick")}:
        db.execute_sql(
            """ALTER TABLE "audit_tick" ADD COLUMN "via" VARCHAR(20) NOT NULL DEFAULT ''"""
        )
    db.create_tables([AuditRoom])


STEPS: dict[int, Callable[[SchemaMigrator], None]] = {
    2: _v2_asset_version_and_event_index,
    3: _v3_action_keys_and_faults,
    4: _v4_labels,
    5: _v5_audits,
    6: _v6_session_tokens,
    7: _v7_management_and_offline_scans,
    8: _v8_audit_rooms_and_ticks_via_actions,
}
LATEST = max(STEPS, default=1)


def current_version() -> int:
    """0 for an empty database; raises for a database that is not ours."""
    tables = set(db.get_tables())
    if "schema_version" not in tables:
        if tables & {"asset", "user", "event"}:
            raise SchemaError("This database has tagtrail tables but no schema version.")
        return 0
    row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def upgrade() -> tuple[int, int]:
    """Bring the database to LATEST. Returns (version before, version after)."""
    before = current_version()
    if before > LATEST:
        raise SchemaError(
            f"The database is at schema version {before}, newer than this "
            f"tagtrail ({LATEST}). Upgrade tagtrail instead."
        )
    if before == 0:
        with write():
            db.create_tables(MODELS)
            SchemaVersion.create(version=LATEST)
        return 0, LATEST
    migrator = SchemaMigrator.from_database(db.obj)
    for version in range(before + 1, LATEST + 1):
        with write():
            STEPS[version](migrator)
            SchemaVersion.update(version=version).execute()
    return before, LATEST
