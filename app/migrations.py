"""Schema versions, kept in the database, and the steps between them.

A new database gets the current models' tables, what BEYOND_MODELS's steps
make (a full-text index and its triggers), and the latest version number.
An older one is upgraded one step at a time, each step in its own write.

Every step is frozen SQL, written out in the step: it never reads today's
models, so changing a model cannot change what an old step does. The few words
that differ between SQLite and PostgreSQL (`{pk}`, `{datetime}`, `{bool}`) are
filled in from _WORDS, which is frozen too. To change the schema, change the
model and append a step that makes the same change in SQL (how: "Schema
versions" in docs/architecture.md); never edit a step that has shipped.
tests/test_migrations.py proves that an upgraded database ends with the schema
a fresh one gets, and that data from every past version survives the upgrade.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import date, timedelta

from peewee import DatabaseError

from .database import is_sqlite, write
from .models import MODELS, SchemaVersion, db


class SchemaError(RuntimeError):
    pass


# How peewee spelled these column kinds when the steps shipped.
_WORDS = {
    "sqlite": {
        "pk": "INTEGER NOT NULL PRIMARY KEY",
        "datetime": "DATETIME",
        "bool": "INTEGER",
        "double": "REAL",
        "bigint": "INTEGER",
    },
    "postgres": {
        "pk": "SERIAL NOT NULL PRIMARY KEY",
        "datetime": "TIMESTAMP",
        "bool": "BOOLEAN",
        "double": "DOUBLE PRECISION",
        "bigint": "BIGINT",
    },
}


def _run(*statements: str) -> None:
    """Run frozen statements, with this database's words for {pk}, {datetime}, {bool}, {double},
    {bigint}
    (a literal brace in a statement is written twice: {{ }})."""
    words = _WORDS["sqlite" if is_sqlite() else "postgres"]
    for statement in statements:
        db.execute_sql(statement.format(**words))


def _columns(table: str) -> set[str]:
    return {c.name for c in db.get_columns(table)}


def _v2_asset_version_and_event_index() -> None:
    # Version 2: a state version on assets, so that a stale form or a double
    # tap cannot apply twice, and an index for the per-asset history.
    # Plain ALTER TABLE with a default: rebuilding the SQLite table (as peewee's
    # add_column does) is refused with foreign_keys=ON while events point at it.
    _run(
        'ALTER TABLE "asset" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
        'CREATE INDEX "event_asset_id_at" ON "event" ("asset_id", "at")',
    )


def _v3_action_keys_and_faults() -> None:
    # Version 3: idempotency keys on events (double taps, resent forms, the
    # offline queue), the giver on handovers, and the fault register.
    _run(
        'ALTER TABLE "event" ADD COLUMN "key" VARCHAR(64)',
        'CREATE UNIQUE INDEX "event_key" ON "event" ("key")',
        # REFERENCES in the ALTER TABLE, so SQLite gets the foreign key too.
        'ALTER TABLE "event" ADD COLUMN "from_holder_id" INTEGER '
        'REFERENCES "user" ("id") ON DELETE RESTRICT',
        'CREATE INDEX "event_from_holder_id" ON "event" ("from_holder_id")',
        'CREATE TABLE IF NOT EXISTS "fault" ("id" {pk}, "asset_id" INTEGER NOT NULL, '
        '"reported_by_id" INTEGER, "reported_at" {datetime} NOT NULL, '
        '"description" TEXT NOT NULL, "severity" VARCHAR(16) NOT NULL, '
        '"photo" VARCHAR(80) NOT NULL, "closed_at" {datetime}, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("reported_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "fault_asset_id" ON "fault" ("asset_id")',
        'CREATE INDEX IF NOT EXISTS "fault_reported_by_id" ON "fault" ("reported_by_id")',
    )


def _v4_labels() -> None:
    # Version 4: blank and replaced label codes, custom formats and nudges.
    _run(
        'CREATE TABLE IF NOT EXISTS "label_code" ("id" {pk}, "code" VARCHAR(6) NOT NULL, '
        '"state" VARCHAR(12) NOT NULL, "asset_id" INTEGER, "created_by_id" INTEGER, '
        '"created_at" {datetime} NOT NULL, "changed_at" {datetime}, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "label_code_code" ON "label_code" ("code")',
        'CREATE INDEX IF NOT EXISTS "label_code_asset_id" ON "label_code" ("asset_id")',
        'CREATE INDEX IF NOT EXISTS "label_code_created_by_id" ON "label_code" ("created_by_id")',
        'CREATE TABLE IF NOT EXISTS "label_format_setting" ("id" {pk}, '
        '"name" VARCHAR(48) NOT NULL, "spec" TEXT, '
        '"nudge_x_mm" REAL NOT NULL, "nudge_y_mm" REAL NOT NULL)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "label_format_setting_name" '
        'ON "label_format_setting" ("name")',
    )


def _v5_audits() -> None:
    # Version 5: audits, their expected snapshot and their ticks. The ticks'
    # scan time, key and via came later (versions 7 and 8).
    _run(
        'CREATE TABLE IF NOT EXISTS "audit" ("id" {pk}, "name" VARCHAR(120) NOT NULL, '
        '"scope_location_id" INTEGER, "scope_category_id" INTEGER, '
        '"status" VARCHAR(12) NOT NULL, "started_by_id" INTEGER NOT NULL, '
        '"started_at" {datetime} NOT NULL, "closed_by_id" INTEGER, "closed_at" {datetime}, '
        'FOREIGN KEY ("scope_location_id") REFERENCES "location" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("scope_category_id") REFERENCES "category" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("started_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("closed_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "audit_scope_location_id" ON "audit" ("scope_location_id")',
        'CREATE INDEX IF NOT EXISTS "audit_scope_category_id" ON "audit" ("scope_category_id")',
        'CREATE INDEX IF NOT EXISTS "audit_status" ON "audit" ("status")',
        'CREATE INDEX IF NOT EXISTS "audit_started_by_id" ON "audit" ("started_by_id")',
        'CREATE INDEX IF NOT EXISTS "audit_closed_by_id" ON "audit" ("closed_by_id")',
        'CREATE TABLE IF NOT EXISTS "audit_item" ("id" {pk}, "audit_id" INTEGER NOT NULL, '
        '"asset_id" INTEGER NOT NULL, "expected_location_id" INTEGER, '
        '"marked_missing" {bool} NOT NULL, '
        'FOREIGN KEY ("audit_id") REFERENCES "audit" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("expected_location_id") REFERENCES "location" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "audit_item_audit_id" ON "audit_item" ("audit_id")',
        'CREATE INDEX IF NOT EXISTS "audit_item_asset_id" ON "audit_item" ("asset_id")',
        'CREATE INDEX IF NOT EXISTS "audit_item_expected_location_id" '
        'ON "audit_item" ("expected_location_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "audit_item_audit_id_asset_id" '
        'ON "audit_item" ("audit_id", "asset_id")',
        'CREATE TABLE IF NOT EXISTS "audit_tick" ("id" {pk}, "audit_id" INTEGER NOT NULL, '
        '"asset_id" INTEGER, "code" VARCHAR(40) NOT NULL, "by_id" INTEGER NOT NULL, '
        '"at" {datetime} NOT NULL, "room_id" INTEGER, "expected" {bool} NOT NULL, '
        '"wrong_place" {bool} NOT NULL, "resolution" VARCHAR(8) NOT NULL, '
        '"undone_at" {datetime}, "undone_by_id" INTEGER, '
        'FOREIGN KEY ("audit_id") REFERENCES "audit" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("by_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("room_id") REFERENCES "location" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("undone_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "audit_tick_audit_id" ON "audit_tick" ("audit_id")',
        'CREATE INDEX IF NOT EXISTS "audit_tick_asset_id" ON "audit_tick" ("asset_id")',
        'CREATE INDEX IF NOT EXISTS "audit_tick_by_id" ON "audit_tick" ("by_id")',
        'CREATE INDEX IF NOT EXISTS "audit_tick_room_id" ON "audit_tick" ("room_id")',
        'CREATE INDEX IF NOT EXISTS "audit_tick_undone_by_id" ON "audit_tick" ("undone_by_id")',
        'CREATE INDEX IF NOT EXISTS "audit_tick_audit_id_asset_id" '
        'ON "audit_tick" ("audit_id", "asset_id")',
    )


def _v6_session_tokens() -> None:
    # Version 6: a per-user token inside session and remember cookies, so that
    # signing out (or a password change) revokes every copy of them.
    _run("""ALTER TABLE "user" ADD COLUMN "session_token" VARCHAR(32) NOT NULL DEFAULT ''""")
    update = f'UPDATE "user" SET "session_token" = {db.param} WHERE "id" = {db.param}'
    for (user_id,) in db.execute_sql('SELECT "id" FROM "user"').fetchall():
        db.execute_sql(update, (secrets.token_hex(16), user_id))


def _v7_management_and_offline_scans() -> None:
    # Version 7: service intervals, depreciation, external tags, attachments,
    # and the scan time and idempotency key of actions queued offline.
    _run(
        'ALTER TABLE "category" ADD COLUMN "service_interval_days" INTEGER',
        'ALTER TABLE "category" ADD COLUMN "useful_life_months" INTEGER',
        'ALTER TABLE "category" ADD COLUMN "salvage_percent" INTEGER',
        'ALTER TABLE "asset" ADD COLUMN "service_interval_days" INTEGER',
        'ALTER TABLE "asset" ADD COLUMN "last_serviced_on" DATE',
        'ALTER TABLE "asset" ADD COLUMN "service_due_on" DATE',
        'ALTER TABLE "event" ADD COLUMN "scanned_at" {datetime}',
        """ALTER TABLE "asset" ADD COLUMN "order_number" VARCHAR(120) NOT NULL DEFAULT ''""",
        """ALTER TABLE "asset" ADD COLUMN "external_tag" VARCHAR(120) NOT NULL DEFAULT ''""",
        'CREATE INDEX "asset_external_tag" ON "asset" ("external_tag")',
        # For the dashboard's counts and lists (see the models for why).
        'CREATE INDEX "asset_due_back_holder_id" ON "asset" ("due_back", "holder_id")',
        'CREATE INDEX "asset_warranty_end_status" ON "asset" ("warranty_end", "status")',
        'CREATE INDEX "asset_service_due_on_status" ON "asset" ("service_due_on", "status")',
        'CREATE INDEX "asset_last_audited_at_status" ON "asset" ("last_audited_at", "status")',
        'CREATE INDEX "asset_last_seen_at_created_at_status" '
        'ON "asset" ("last_seen_at", "created_at", "status")',
        'CREATE INDEX "event_at" ON "event" ("at")',
    )
    # Releases before the steps were frozen built audit_tick (version 5) from
    # the models of their day, so a file they upgraded may have these already.
    have = _columns("audit_tick")
    if "scanned_at" not in have:
        _run('ALTER TABLE "audit_tick" ADD COLUMN "scanned_at" {datetime}')
    if "key" not in have:
        _run('ALTER TABLE "audit_tick" ADD COLUMN "key" VARCHAR(64)')
    _run(
        'CREATE UNIQUE INDEX IF NOT EXISTS "audit_tick_key" ON "audit_tick" ("key")',
        'CREATE TABLE IF NOT EXISTS "attachment" ("id" {pk}, "asset_id" INTEGER NOT NULL, '
        '"kind" VARCHAR(12) NOT NULL, "stored_name" VARCHAR(80) NOT NULL, '
        '"original_name" VARCHAR(255) NOT NULL, "content_type" VARCHAR(80) NOT NULL, '
        '"size_bytes" INTEGER NOT NULL, "uploaded_by_id" INTEGER, '
        '"uploaded_at" {datetime} NOT NULL, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("uploaded_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "attachment_asset_id" ON "attachment" ("asset_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "attachment_stored_name" '
        'ON "attachment" ("stored_name")',
        'CREATE INDEX IF NOT EXISTS "attachment_uploaded_by_id" ON "attachment" ("uploaded_by_id")',
    )


def _v8_audit_rooms_and_ticks_via_actions() -> None:
    # Version 8: one "I am in…" per person per audit, and ticks made by an action
    # that proved the item was in someone's hands (a return during the audit).
    # As in version 7, a file upgraded before the steps were frozen may have "via".
    if "via" not in _columns("audit_tick"):
        _run("""ALTER TABLE "audit_tick" ADD COLUMN "via" VARCHAR(20) NOT NULL DEFAULT ''""")
    _run(
        'CREATE TABLE IF NOT EXISTS "audit_room" ("id" {pk}, "audit_id" INTEGER NOT NULL, '
        '"person_id" INTEGER NOT NULL, "room_id" INTEGER, "at" {datetime} NOT NULL, '
        'FOREIGN KEY ("audit_id") REFERENCES "audit" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("person_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("room_id") REFERENCES "location" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "audit_room_audit_id" ON "audit_room" ("audit_id")',
        'CREATE INDEX IF NOT EXISTS "audit_room_person_id" ON "audit_room" ("person_id")',
        'CREATE INDEX IF NOT EXISTS "audit_room_room_id" ON "audit_room" ("room_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "audit_room_audit_id_person_id" '
        'ON "audit_room" ("audit_id", "person_id")',
    )


def _v9_repair_what_earlier_releases_missed() -> None:
    # Version 9: three steps changed after they had shipped, so files that main
    # upgraded before the change lack what fresh databases have. At 9ad9862,
    # version 3 gave events no "from_holder_id". At bb96ab5, version 5 made
    # audit_item without "marked_missing" (the model got it one commit later,
    # with no step). At 3a8479d, version 7 indexed warranty_end and
    # service_due_on alone, and had neither event_at, the dashboard's covering
    # indexes nor audit_tick.key. Every part checks first: a file that has it all
    # (any other) is left as it was.
    if "from_holder_id" not in _columns("event"):
        _run(
            'ALTER TABLE "event" ADD COLUMN "from_holder_id" INTEGER '
            'REFERENCES "user" ("id") ON DELETE RESTRICT'
        )
    if "marked_missing" not in _columns("audit_item"):
        if is_sqlite():
            # SQLite adds a NOT NULL column only with a DEFAULT, which a fresh
            # audit_item has not: rebuild the table (nothing points at it).
            _run(
                'CREATE TABLE "audit_item_new" ("id" {pk}, "audit_id" INTEGER NOT NULL, '
                '"asset_id" INTEGER NOT NULL, "expected_location_id" INTEGER, '
                '"marked_missing" {bool} NOT NULL, '
                'FOREIGN KEY ("audit_id") REFERENCES "audit" ("id") ON DELETE RESTRICT, '
                'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, '
                'FOREIGN KEY ("expected_location_id") REFERENCES "location" ("id") '
                "ON DELETE RESTRICT)",
                'INSERT INTO "audit_item_new" ("id", "audit_id", "asset_id", '
                '"expected_location_id", "marked_missing") SELECT "id", "audit_id", '
                '"asset_id", "expected_location_id", 0 FROM "audit_item"',
                'DROP TABLE "audit_item"',
                'ALTER TABLE "audit_item_new" RENAME TO "audit_item"',
            )
        else:
            _run(
                'ALTER TABLE "audit_item" ADD COLUMN "marked_missing" {bool} '
                "NOT NULL DEFAULT FALSE",
                'ALTER TABLE "audit_item" ALTER COLUMN "marked_missing" DROP DEFAULT',
            )
    if "key" not in _columns("audit_tick"):
        _run('ALTER TABLE "audit_tick" ADD COLUMN "key" VARCHAR(64)')
    _run(
        'CREATE INDEX IF NOT EXISTS "event_from_holder_id" ON "event" ("from_holder_id")',
        'CREATE INDEX IF NOT EXISTS "audit_item_audit_id" ON "audit_item" ("audit_id")',
        'CREATE INDEX IF NOT EXISTS "audit_item_asset_id" ON "audit_item" ("asset_id")',
        'CREATE INDEX IF NOT EXISTS "audit_item_expected_location_id" '
        'ON "audit_item" ("expected_location_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "audit_item_audit_id_asset_id" '
        'ON "audit_item" ("audit_id", "asset_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "audit_tick_key" ON "audit_tick" ("key")',
        'DROP INDEX IF EXISTS "asset_warranty_end"',
        'DROP INDEX IF EXISTS "asset_service_due_on"',
        'CREATE INDEX IF NOT EXISTS "asset_due_back_holder_id" '
        'ON "asset" ("due_back", "holder_id")',
        'CREATE INDEX IF NOT EXISTS "asset_warranty_end_status" '
        'ON "asset" ("warranty_end", "status")',
        'CREATE INDEX IF NOT EXISTS "asset_service_due_on_status" '
        'ON "asset" ("service_due_on", "status")',
        'CREATE INDEX IF NOT EXISTS "asset_last_audited_at_status" '
        'ON "asset" ("last_audited_at", "status")',
        'CREATE INDEX IF NOT EXISTS "asset_last_seen_at_created_at_status" '
        'ON "asset" ("last_seen_at", "created_at", "status")',
        'CREATE INDEX IF NOT EXISTS "event_at" ON "event" ("at")',
    )


def _v10_custom_fields() -> None:
    # Version 10: fields leads add to assets, and each asset's values of them.
    _run(
        'CREATE TABLE IF NOT EXISTS "custom_field" ("id" {pk}, "name" VARCHAR(60) NOT NULL, '
        '"kind" VARCHAR(12) NOT NULL, "choices" TEXT NOT NULL, "category_id" INTEGER, '
        '"position" INTEGER NOT NULL, "on_labels" {bool} NOT NULL, '
        '"created_at" {datetime} NOT NULL, '
        'FOREIGN KEY ("category_id") REFERENCES "category" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "custom_field_category_id" ON "custom_field" ("category_id")',
        'CREATE TABLE IF NOT EXISTS "custom_value" ("id" {pk}, "asset_id" INTEGER NOT NULL, '
        '"field_id" INTEGER NOT NULL, "text" TEXT NOT NULL, "number" {double}, "day" DATE, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("field_id") REFERENCES "custom_field" ("id") ON DELETE CASCADE)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "custom_value_asset_id_field_id" '
        'ON "custom_value" ("asset_id", "field_id")',
        'CREATE INDEX IF NOT EXISTS "custom_value_field_id_text" '
        'ON "custom_value" ("field_id", "text")',
        'CREATE INDEX IF NOT EXISTS "custom_value_field_id_number" '
        'ON "custom_value" ("field_id", "number")',
        'CREATE INDEX IF NOT EXISTS "custom_value_field_id_day" '
        'ON "custom_value" ("field_id", "day")',
    )


def _v11_register_indexes_and_unique_field_names() -> None:
    # Version 11: the register read in its order from an index, the filters'
    # indexes carrying the asset, and field names unique ignoring case in the
    # database too. Two people who added the same name at once before this keep
    # both fields: each later one gets " (2)", " (3)"... so the index can be made.
    taken = set()
    rename = f'UPDATE "custom_field" SET "name" = {db.param} WHERE "id" = {db.param}'
    rows = db.execute_sql('SELECT "id", "name" FROM "custom_field" ORDER BY "id"').fetchall()
    for field_id, name in rows:
        new, n = name, 1
        while new.lower() in taken:
            n += 1
            suffix = f" ({n})"
            new = name[: 60 - len(suffix)] + suffix
        taken.add(new.lower())
        if new != name:
            db.execute_sql(rename, (new, field_id))
    _run(
        'CREATE INDEX IF NOT EXISTS "asset_lower_name_id" ON "asset" (LOWER("name"), "id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "custom_field_lower_name" '
        'ON "custom_field" (LOWER("name"))',
        'CREATE INDEX IF NOT EXISTS "custom_value_field_id_text_asset_id" '
        'ON "custom_value" ("field_id", "text", "asset_id")',
        'CREATE INDEX IF NOT EXISTS "custom_value_field_id_number_asset_id" '
        'ON "custom_value" ("field_id", "number", "asset_id")',
        'CREATE INDEX IF NOT EXISTS "custom_value_field_id_day_asset_id" '
        'ON "custom_value" ("field_id", "day", "asset_id")',
        'DROP INDEX IF EXISTS "custom_value_field_id_text"',
        'DROP INDEX IF EXISTS "custom_value_field_id_number"',
        'DROP INDEX IF EXISTS "custom_value_field_id_day"',
    )


# What the search box looks in (version 12).
_SEARCH_OWN = ("code", "name", "serial", "model", "manufacturer", "external_tag")
_SEARCHED_CUSTOM = (
    """SELECT coalesce(group_concat(v."text", char(31)), '') FROM "custom_value" v """
    """JOIN "custom_field" f ON f."id" = v."field_id" """
    """WHERE v."asset_id" = {asset} AND f."kind" IN ('text', 'link', 'choice')"""
)


def _v12_search_index() -> None:
    # Version 12: an index of word parts for the search box, so that finding
    # "drill" in an asset's own fields or its text, link and choice values does
    # not read every asset. SQLite: an FTS5 table with the trigram tokenizer, one
    # row per asset (rowid = asset id); the custom values are one column, joined
    # by the unit separator (char 31). Triggers list the assets whose row is out
    # of date in "asset_search_stale", and each write transaction brings those
    # rows up to date before it commits (app/register/search_index.py): an FTS5
    # write inside a trigger costs many times one outside it (an import with
    # custom fields took nine times as long). PostgreSQL: pg_trgm's GIN indexes
    # on the same columns, when the server lets tagtrail turn the extension on;
    # without it the search still works, reading every row.
    if not is_sqlite():
        _v12_trigram_indexes()
        return
    own = ", ".join(f'"{c}"' for c in _SEARCH_OWN)
    from_asset = ", ".join(f'a."{c}"' for c in _SEARCH_OWN)
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in _SEARCH_OWN)
    every_value = _SEARCHED_CUSTOM.format(asset='a."id"')
    new_id, new_asset, old_asset = 'NEW."id"', 'NEW."asset_id"', 'OLD."asset_id"'

    def stale(asset: str) -> str:
        return f'INSERT OR IGNORE INTO "asset_search_stale" ("asset_id") VALUES ({asset});'

    for statement in (
        f'CREATE VIRTUAL TABLE IF NOT EXISTS "asset_search" USING fts5({own}, "custom", '
        "tokenize = 'trigram')",
        'CREATE TABLE IF NOT EXISTS "asset_search_stale" ("asset_id" INTEGER NOT NULL PRIMARY KEY)',
        f'INSERT INTO "asset_search" (rowid, {own}, "custom") '
        f'SELECT a."id", {from_asset}, ({every_value}) FROM "asset" a',
        'CREATE TRIGGER IF NOT EXISTS "asset_search_insert" AFTER INSERT ON "asset" '
        f"BEGIN {stale(new_id)} END",
        f'CREATE TRIGGER IF NOT EXISTS "asset_search_update" AFTER UPDATE OF {own} ON "asset" '
        f"WHEN {changed} BEGIN {stale(new_id)} END",
        # A removed asset leaves a row whose id is no longer an asset's: the
        # catch-up removes it like any other stale row.
        'CREATE TRIGGER IF NOT EXISTS "asset_search_delete" AFTER DELETE ON "asset" '
        'BEGIN INSERT OR IGNORE INTO "asset_search_stale" ("asset_id") VALUES (OLD."id"); END',
        'CREATE TRIGGER IF NOT EXISTS "asset_search_value_insert" AFTER INSERT ON "custom_value" '
        f"BEGIN {stale(new_asset)} END",
        'CREATE TRIGGER IF NOT EXISTS "asset_search_value_update" AFTER UPDATE ON "custom_value" '
        f"BEGIN {stale(old_asset)} {stale(new_asset)} END",
        'CREATE TRIGGER IF NOT EXISTS "asset_search_value_delete" AFTER DELETE ON "custom_value" '
        f"BEGIN {stale(old_asset)} END",
        # A field becoming (or ceasing to be) a kind the search box looks in.
        'CREATE TRIGGER IF NOT EXISTS "asset_search_field_kind" AFTER UPDATE OF "kind" '
        'ON "custom_field" WHEN OLD."kind" IS NOT NEW."kind" BEGIN '
        'INSERT OR IGNORE INTO "asset_search_stale" ("asset_id") '
        'SELECT "asset_id" FROM "custom_value" WHERE "field_id" = NEW."id"; END',
    ):
        db.execute_sql(statement)


def _v12_trigram_indexes() -> None:
    available = db.execute_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).fetchone()
    if not available:
        return
    try:
        with db.atomic():  # a savepoint: a refusal leaves the step's transaction usable
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # not allowed to (PostgreSQL before 13, not the owner)
        return
    for column in _SEARCH_OWN:
        db.execute_sql(
            f'CREATE INDEX IF NOT EXISTS "asset_{column}_trgm" '
            f'ON "asset" USING gin ("{column}" gin_trgm_ops)'
        )
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "custom_value_text_trgm" '
        'ON "custom_value" USING gin ("text" gin_trgm_ops)'
    )


def _v13_reservations() -> None:
    # Version 13: reservations, and their items with a copy of the period and
    # whether the booking still holds the asset, for the overlap test's index.
    _run(
        'CREATE TABLE IF NOT EXISTS "reservation" ("id" {pk}, "person_id" INTEGER NOT NULL, '
        '"made_by_id" INTEGER NOT NULL, "starts_at" {datetime} NOT NULL, '
        '"ends_at" {datetime} NOT NULL, "note" TEXT NOT NULL, "state" VARCHAR(12) NOT NULL, '
        '"started_at" {datetime}, "ended_at" {datetime}, "created_at" {datetime} NOT NULL, '
        '"version" INTEGER NOT NULL, '
        'FOREIGN KEY ("person_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("made_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "reservation_made_by_id" ON "reservation" ("made_by_id")',
        'CREATE INDEX IF NOT EXISTS "reservation_person_id_ends_at" '
        'ON "reservation" ("person_id", "ends_at")',
        'CREATE INDEX IF NOT EXISTS "reservation_state_starts_at" '
        'ON "reservation" ("state", "starts_at")',
        'CREATE TABLE IF NOT EXISTS "reservation_item" ("id" {pk}, '
        '"reservation_id" INTEGER NOT NULL, "asset_id" INTEGER NOT NULL, '
        '"starts_at" {datetime} NOT NULL, "ends_at" {datetime} NOT NULL, '
        '"active" {bool} NOT NULL, '
        'FOREIGN KEY ("reservation_id") REFERENCES "reservation" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "reservation_item_reservation_id_asset_id" '
        'ON "reservation_item" ("reservation_id", "asset_id")',
        'CREATE INDEX IF NOT EXISTS "reservation_item_asset_id_active_ends_at_starts_at" '
        'ON "reservation_item" ("asset_id", "active", "ends_at", "starts_at")',
    )


def _v14_custom_value_lookup_index() -> None:
    # Version 14: an asset's value of a field looked up from an index that
    # carries it, for filters on two fields or more (custom_search.joins).
    _run(
        'CREATE INDEX IF NOT EXISTS "custom_value_asset_id_field_id_text_number_day" '
        'ON "custom_value" ("asset_id", "field_id", "text", "number", "day")'
    )


def _v15_calendar_feeds() -> None:
    # Version 15: the secret links of the reservations' calendar feeds, one per
    # person and one per asset, kept as a hash of the token.
    _run(
        'CREATE TABLE IF NOT EXISTS "calendar_feed" ("id" {pk}, "person_id" INTEGER, '
        '"asset_id" INTEGER, "token_hash" VARCHAR(64) NOT NULL, '
        '"created_at" {datetime} NOT NULL, '
        'FOREIGN KEY ("person_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "calendar_feed_person_id" '
        'ON "calendar_feed" ("person_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "calendar_feed_asset_id" '
        'ON "calendar_feed" ("asset_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "calendar_feed_token_hash" '
        'ON "calendar_feed" ("token_hash")',
    )


def _v16_kits() -> None:
    # Version 16: kits (a named set of assets with its own code), their items
    # (an asset in at most one kit), and the kit a reservation was made for.
    _run(
        'CREATE TABLE IF NOT EXISTS "kit" ("id" {pk}, "code" VARCHAR(6) NOT NULL, '
        '"name" VARCHAR(120) NOT NULL, "notes" TEXT NOT NULL, '
        '"created_at" {datetime} NOT NULL, "version" INTEGER NOT NULL)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "kit_code" ON "kit" ("code")',
        'CREATE TABLE IF NOT EXISTS "kit_item" ("id" {pk}, "kit_id" INTEGER NOT NULL, '
        '"asset_id" INTEGER NOT NULL, "position" INTEGER NOT NULL, '
        'FOREIGN KEY ("kit_id") REFERENCES "kit" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "kit_item_kit_id" ON "kit_item" ("kit_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "kit_item_asset_id" ON "kit_item" ("asset_id")',
        # REFERENCES in the ALTER TABLE, so SQLite gets the foreign key too.
        'ALTER TABLE "reservation" ADD COLUMN "kit_id" INTEGER '
        'REFERENCES "kit" ("id") ON DELETE RESTRICT',
        'CREATE INDEX IF NOT EXISTS "reservation_kit_id" ON "reservation" ("kit_id")',
    )


def _v17_category_in_name_order() -> None:
    # Version 17: a category's assets in the register's order, read from one
    # index: their names often sit together (every "Laptop …"), where walking
    # the whole name index to them read most of the register.
    _run(
        'CREATE INDEX IF NOT EXISTS "asset_category_id_lower_name_id" '
        'ON "asset" ("category_id", LOWER("name"), "id")',
        'DROP INDEX IF EXISTS "asset_category_id"',
    )


def _v18_not_back_with_kit() -> None:
    # Version 18: when an item did not come back with its kit (it stays out with
    # its holder, flagged until it changes hands), indexed for the dashboard.
    _run(
        'ALTER TABLE "asset" ADD COLUMN "not_back_since" {datetime}',
        'CREATE INDEX IF NOT EXISTS "asset_not_back_since" ON "asset" ("not_back_since")',
    )


def _v19_condition_and_check_before_reuse() -> None:
    # Version 19: each asset's condition (empty until someone says), and the
    # check a category asks for after each return, with who may do it besides
    # the leads; an asset waiting for that check, indexed for the dashboard.
    _run(
        """ALTER TABLE "asset" ADD COLUMN "condition" VARCHAR(8) NOT NULL DEFAULT ''""",
        'ALTER TABLE "asset" ADD COLUMN "needs_check_since" {datetime}',
        'CREATE INDEX IF NOT EXISTS "asset_needs_check_since" ON "asset" ("needs_check_since")',
        """ALTER TABLE "category" ADD COLUMN "check_after_return" VARCHAR(200) NOT NULL """
        """DEFAULT ''""",
        'ALTER TABLE "category" ADD COLUMN "checker_id" INTEGER '
        'REFERENCES "user" ("id") ON DELETE RESTRICT',
        'CREATE INDEX IF NOT EXISTS "category_checker_id" ON "category" ("checker_id")',
    )


def _v20_teams() -> None:
    # Version 20: teams (departments), the team each person belongs to, and the
    # team that keeps an asset.
    _run(
        'CREATE TABLE IF NOT EXISTS "team" ("id" {pk}, "name" VARCHAR(80) NOT NULL, '
        '"created_at" {datetime} NOT NULL)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "team_lower_name" ON "team" (LOWER("name"))',
        'ALTER TABLE "user" ADD COLUMN "team_id" INTEGER '
        'REFERENCES "team" ("id") ON DELETE RESTRICT',
        'CREATE INDEX IF NOT EXISTS "user_team_id" ON "user" ("team_id")',
        'ALTER TABLE "asset" ADD COLUMN "team_id" INTEGER '
        'REFERENCES "team" ("id") ON DELETE RESTRICT',
        'CREATE INDEX IF NOT EXISTS "asset_team_id" ON "asset" ("team_id")',
    )


def _v21_receipts() -> None:
    # Version 21: handover and return receipts and their items; an asset handed
    # over to be accepted later; categories whose handovers need a signature.
    _run(
        'CREATE TABLE IF NOT EXISTS "receipt" ("id" {pk}, "kind" VARCHAR(12) NOT NULL, '
        '"person_id" INTEGER NOT NULL, "staff_id" INTEGER NOT NULL, '
        '"created_at" {datetime} NOT NULL, "terms" TEXT NOT NULL, '
        '"state" VARCHAR(12) NOT NULL, "signed_by_id" INTEGER, "signed_at" {datetime}, '
        '"signature_name" VARCHAR(120) NOT NULL, "signature_file" VARCHAR(80) NOT NULL, '
        '"decided_at" {datetime}, "decline_note" TEXT NOT NULL, '
        '"pdf_file" VARCHAR(80) NOT NULL, "pdf_sha256" VARCHAR(64) NOT NULL, '
        '"emailed_at" {datetime}, "version" INTEGER NOT NULL, '
        'FOREIGN KEY ("person_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("staff_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("signed_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "receipt_staff_id" ON "receipt" ("staff_id")',
        'CREATE INDEX IF NOT EXISTS "receipt_signed_by_id" ON "receipt" ("signed_by_id")',
        'CREATE INDEX IF NOT EXISTS "receipt_person_id_created_at" '
        'ON "receipt" ("person_id", "created_at")',
        'CREATE INDEX IF NOT EXISTS "receipt_state_created_at" '
        'ON "receipt" ("state", "created_at")',
        'CREATE TABLE IF NOT EXISTS "receipt_item" ("id" {pk}, "receipt_id" INTEGER NOT NULL, '
        '"asset_id" INTEGER NOT NULL, "event_id" INTEGER, "condition" VARCHAR(8) NOT NULL, '
        'FOREIGN KEY ("receipt_id") REFERENCES "receipt" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("event_id") REFERENCES "event" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "receipt_item_asset_id" ON "receipt_item" ("asset_id")',
        'CREATE INDEX IF NOT EXISTS "receipt_item_event_id" ON "receipt_item" ("event_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "receipt_item_receipt_id_asset_id" '
        'ON "receipt_item" ("receipt_id", "asset_id")',
        'ALTER TABLE "asset" ADD COLUMN "awaiting_since" {datetime}',
        'CREATE INDEX IF NOT EXISTS "asset_awaiting_since" ON "asset" ("awaiting_since")',
        'ALTER TABLE "category" ADD COLUMN "signature_required" {bool} NOT NULL DEFAULT FALSE',
    )


def _v22_fault_on_a_receipt() -> None:
    # Version 22: the fault reported with an item in the same step as its
    # return, printed on the return receipt.
    _run(
        'ALTER TABLE "receipt_item" ADD COLUMN "fault_id" INTEGER '
        'REFERENCES "fault" ("id") ON DELETE RESTRICT',
        'CREATE INDEX IF NOT EXISTS "receipt_item_fault_id" ON "receipt_item" ("fault_id")',
    )


def _v23_subscriptions_and_replacement() -> None:
    # Version 23: vendors, subscriptions (licences, SaaS, domains, support
    # contracts), their seats, history and documents; the seats a leaver's
    # return receipt lists; each category's replacement cost; and each asset's
    # end of useful life (a projection, filled in below for the assets there).
    _run(
        'CREATE TABLE IF NOT EXISTS "vendor" ("id" {pk}, "name" VARCHAR(120) NOT NULL, '
        '"created_at" {datetime} NOT NULL)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "vendor_lower_name" ON "vendor" (LOWER("name"))',
        'CREATE TABLE IF NOT EXISTS "subscription" ("id" {pk}, "vendor_id" INTEGER NOT NULL, '
        '"product" VARCHAR(200) NOT NULL, "kind" VARCHAR(16) NOT NULL, "seats" INTEGER, '
        '"cost_cents" INTEGER, "period" VARCHAR(8) NOT NULL, "starts_on" DATE, '
        '"renews_on" DATE, "auto_renews" {bool} NOT NULL, "remind_days" INTEGER NOT NULL, '
        '"reminded_for" DATE, "owner_id" INTEGER, "owner_team_id" INTEGER, '
        '"notes" TEXT NOT NULL, "licence_key" TEXT NOT NULL, "cancelled_at" {datetime}, '
        '"ended_on" DATE, "version" INTEGER NOT NULL, "created_at" {datetime} NOT NULL, '
        '"updated_at" {datetime} NOT NULL, '
        'FOREIGN KEY ("vendor_id") REFERENCES "vendor" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("owner_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("owner_team_id") REFERENCES "team" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "subscription_vendor_id" ON "subscription" ("vendor_id")',
        'CREATE INDEX IF NOT EXISTS "subscription_renews_on" ON "subscription" ("renews_on")',
        'CREATE INDEX IF NOT EXISTS "subscription_owner_id" ON "subscription" ("owner_id")',
        'CREATE INDEX IF NOT EXISTS "subscription_owner_team_id" '
        'ON "subscription" ("owner_team_id")',
        'CREATE INDEX IF NOT EXISTS "subscription_lower_product_id" '
        'ON "subscription" (LOWER("product"), "id")',
        'CREATE TABLE IF NOT EXISTS "subscription_seat" ("id" {pk}, '
        '"subscription_id" INTEGER NOT NULL, "person_id" INTEGER NOT NULL, "asset_id" INTEGER, '
        '"assigned_at" {datetime} NOT NULL, "assigned_by_id" INTEGER, "freed_at" {datetime}, '
        '"freed_by_id" INTEGER, '
        'FOREIGN KEY ("subscription_id") REFERENCES "subscription" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("person_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("assigned_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("freed_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "subscription_seat_asset_id" '
        'ON "subscription_seat" ("asset_id")',
        'CREATE INDEX IF NOT EXISTS "subscription_seat_assigned_by_id" '
        'ON "subscription_seat" ("assigned_by_id")',
        'CREATE INDEX IF NOT EXISTS "subscription_seat_freed_by_id" '
        'ON "subscription_seat" ("freed_by_id")',
        'CREATE INDEX IF NOT EXISTS "subscription_seat_subscription_id_freed_at" '
        'ON "subscription_seat" ("subscription_id", "freed_at")',
        'CREATE INDEX IF NOT EXISTS "subscription_seat_person_id_freed_at" '
        'ON "subscription_seat" ("person_id", "freed_at")',
        'CREATE TABLE IF NOT EXISTS "subscription_event" ("id" {pk}, '
        '"subscription_id" INTEGER NOT NULL, "kind" VARCHAR(32) NOT NULL, "actor_id" INTEGER, '
        '"at" {datetime} NOT NULL, "person_id" INTEGER, "note" TEXT NOT NULL, "data" TEXT, '
        '"key" VARCHAR(64), '
        'FOREIGN KEY ("subscription_id") REFERENCES "subscription" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("person_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "subscription_event_actor_id" '
        'ON "subscription_event" ("actor_id")',
        'CREATE INDEX IF NOT EXISTS "subscription_event_person_id" '
        'ON "subscription_event" ("person_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "subscription_event_key" '
        'ON "subscription_event" ("key")',
        'CREATE INDEX IF NOT EXISTS "subscription_event_subscription_id_at" '
        'ON "subscription_event" ("subscription_id", "at")',
        'CREATE INDEX IF NOT EXISTS "subscription_event_at" ON "subscription_event" ("at")',
        'CREATE TABLE IF NOT EXISTS "subscription_attachment" ("id" {pk}, '
        '"subscription_id" INTEGER NOT NULL, "kind" VARCHAR(12) NOT NULL, '
        '"stored_name" VARCHAR(80) NOT NULL, "original_name" VARCHAR(255) NOT NULL, '
        '"content_type" VARCHAR(80) NOT NULL, "size_bytes" INTEGER NOT NULL, '
        '"uploaded_by_id" INTEGER, "uploaded_at" {datetime} NOT NULL, '
        'FOREIGN KEY ("subscription_id") REFERENCES "subscription" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("uploaded_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "subscription_attachment_subscription_id" '
        'ON "subscription_attachment" ("subscription_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "subscription_attachment_stored_name" '
        'ON "subscription_attachment" ("stored_name")',
        'CREATE INDEX IF NOT EXISTS "subscription_attachment_uploaded_by_id" '
        'ON "subscription_attachment" ("uploaded_by_id")',
        'CREATE TABLE IF NOT EXISTS "receipt_seat" ("id" {pk}, "receipt_id" INTEGER NOT NULL, '
        '"seat_id" INTEGER NOT NULL, '
        'FOREIGN KEY ("receipt_id") REFERENCES "receipt" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("seat_id") REFERENCES "subscription_seat" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "receipt_seat_seat_id" ON "receipt_seat" ("seat_id")',
        'CREATE UNIQUE INDEX IF NOT EXISTS "receipt_seat_receipt_id_seat_id" '
        'ON "receipt_seat" ("receipt_id", "seat_id")',
        'ALTER TABLE "category" ADD COLUMN "replacement_cost_cents" INTEGER',
        'ALTER TABLE "asset" ADD COLUMN "life_ends_on" DATE',
        'CREATE INDEX IF NOT EXISTS "asset_life_ends_on_status" '
        'ON "asset" ("life_ends_on", "status")',
    )
    # The end of each asset's useful life as the rule stood when this step
    # shipped: the purchase date plus the category's useful life in months of
    # 30.4375 days (487/16 of a day), rounded up to a whole day, the first day
    # the value report counts the life as used up.
    rows = db.execute_sql(
        'SELECT DISTINCT "asset"."purchase_date", "category"."useful_life_months" '
        'FROM "asset" JOIN "category" ON "category"."id" = "asset"."category_id" '
        'WHERE "asset"."purchase_date" IS NOT NULL AND "category"."useful_life_months" > 0'
    ).fetchall()
    for bought, months in rows:
        day = bought if isinstance(bought, date) else date.fromisoformat(str(bought))
        ends = day + timedelta(days=(months * 487 + 15) // 16)
        db.execute_sql(
            'UPDATE "asset" SET "life_ends_on" = %s WHERE "purchase_date" = %s AND "category_id" '
            'IN (SELECT "id" FROM "category" WHERE "useful_life_months" = %s)'.replace(
                "%s", "?" if is_sqlite() else "%s"
            ),
            (ends.isoformat(), day.isoformat(), months),
        )


def _v24_custody_intervals() -> None:
    # Version 24: each spell of custody as a row (a projection of the custody
    # events, kept in the same write as each), so the utilisation report sums
    # spells instead of replaying the history; and the events indexed by kind.
    # The spells are filled here from the events, by the rule as it stood when
    # this step shipped: checked_out or transferred opens a spell unless one is
    # open (a handover names the new holder); checked_in or retired closes the
    # open one; in the order recorded.
    _run(
        'CREATE TABLE IF NOT EXISTS "custody_interval" ("id" {pk}, "asset_id" INTEGER NOT NULL, '
        '"holder_id" INTEGER, "started_at" {datetime} NOT NULL, "ended_at" {datetime}, '
        '"opened_by_id" INTEGER NOT NULL, "closed_by_id" INTEGER, '
        'FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("holder_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("opened_by_id") REFERENCES "event" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("closed_by_id") REFERENCES "event" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "custody_interval_holder_id" '
        'ON "custody_interval" ("holder_id")',
        'CREATE INDEX IF NOT EXISTS "custody_interval_opened_by_id" '
        'ON "custody_interval" ("opened_by_id")',
        'CREATE INDEX IF NOT EXISTS "custody_interval_closed_by_id" '
        'ON "custody_interval" ("closed_by_id")',
        'CREATE INDEX IF NOT EXISTS "custody_interval_asset_id_ended_at" '
        'ON "custody_interval" ("asset_id", "ended_at")',
        'CREATE INDEX IF NOT EXISTS "custody_interval_ended_at_started_at_asset_id" '
        'ON "custody_interval" ("ended_at", "started_at", "asset_id")',
        # The few events of a kind (repair costs) and each asset's last use (idle).
        'CREATE INDEX IF NOT EXISTS "event_kind_asset_id_at" ON "event" ("kind", "asset_id", "at")',
    )
    cursor = db.execute_sql(
        'SELECT "id", "asset_id", "kind", "at", "holder_id" FROM "event" WHERE "asset_id" '
        "IS NOT NULL AND \"kind\" IN ('checked_out', 'transferred', 'checked_in', 'retired') "
        'ORDER BY "id"'
    )
    spells: list[list] = []  # [asset, holder, started, ended, opened by, closed by]
    open_at: dict[int, list] = {}
    for event_id, asset_id, kind, at, holder_id in cursor:
        spell = open_at.get(asset_id)
        if kind in ("checked_out", "transferred"):
            if spell is None:
                open_at[asset_id] = [asset_id, holder_id, at, None, event_id, None]
                spells.append(open_at[asset_id])
            else:
                spell[1] = holder_id
        elif spell is not None:
            spell[3], spell[5] = at, event_id
            del open_at[asset_id]
    mark = "?" if is_sqlite() else "%s"
    insert = (
        'INSERT INTO "custody_interval" ("asset_id", "holder_id", "started_at", "ended_at", '
        f'"opened_by_id", "closed_by_id") VALUES ({", ".join([mark] * 6)})'
    )
    for i in range(0, len(spells), 5000):
        db.cursor().executemany(insert, [tuple(s) for s in spells[i : i + 5000]])


def _v25_last_use() -> None:
    # Version 25: each asset's last use (a projection of the events, kept in
    # the same write as each), so the idle report reads one index instead of
    # grouping the history; filled here from the events, by the rule as it
    # stood when this step shipped: the latest checked_out, transferred,
    # checked_in or moved event of the asset.
    _run(
        'ALTER TABLE "asset" ADD COLUMN "last_used_at" {datetime}',
        'UPDATE "asset" SET "last_used_at" = (SELECT MAX("use"."at") FROM "event" AS "use" '
        'WHERE "use"."asset_id" = "asset"."id" AND "use"."kind" IN '
        "('checked_out', 'transferred', 'checked_in', 'moved'))",
        'CREATE INDEX IF NOT EXISTS "asset_idle_since" ON "asset" ("holder_id", "retired_at", '
        'COALESCE("last_used_at", "created_at"), LOWER("name"), "id")',
    )


def _v26_replacement_covering_index() -> None:
    # Version 26: the replacement plan's index on the end of useful life carries
    # the category, team, holder and purchase cost too, so Home's "due this
    # quarter" sums, the forecast and the past-life count read the index alone
    # rather than one table row per item. It replaces (life_ends_on, status),
    # which it begins with.
    _run(
        # (the name peewee gives it: cut to 64 characters, with a hash at the end)
        "CREATE INDEX IF NOT EXISTS "
        '"asset_life_ends_on_status_category_id_team_id_holder_id__89a9369" ON "asset" '
        '("life_ends_on", "status", "category_id", "team_id", "holder_id", "cost_cents")',
        'DROP INDEX IF EXISTS "asset_life_ends_on_status"',
    )


def _v27_report_sums_index() -> None:
    # Version 27: the columns the value and utilisation reports add up over the
    # whole register, in one index, so their sums read it alone (the asset rows
    # are many times wider).
    _run(
        'CREATE INDEX IF NOT EXISTS "asset_report_sums" ON "asset" ("category_id", '
        '"retired_at", "purchase_date", "created_at", "cost_cents", "team_id", "holder_id")',
    )


def _v28_spells_in_microseconds() -> None:
    # Version 28: each spell of custody keeps its two times as whole
    # microseconds since 1970 too, indexed with the asset, so the utilisation
    # report adds up a year of spells as integers instead of parsing each time.
    _run(
        'ALTER TABLE "custody_interval" ADD COLUMN "started_us" {bigint} NOT NULL DEFAULT 0',
        'ALTER TABLE "custody_interval" ADD COLUMN "ended_us" {bigint}',
    )
    if is_sqlite():  # the whole seconds, then the text's fraction (strftime rounds it)

        def micros(column: str) -> str:
            return (
                f"CAST(strftime('%s', substr(\"{column}\", 1, 19)) AS INTEGER) * 1000000 "
                f"+ CAST(substr(\"{column}\" || '.000000', 21, 6) AS INTEGER)"
            )

    else:

        def micros(column: str) -> str:
            return f'CAST(EXTRACT(EPOCH FROM "{column}") * 1000000 AS BIGINT)'

    db.execute_sql(
        f'UPDATE "custody_interval" SET "started_us" = {micros("started_at")}, '
        f'"ended_us" = CASE WHEN "ended_at" IS NULL THEN NULL ELSE {micros("ended_at")} END'
    )
    _run(
        'CREATE INDEX IF NOT EXISTS "custody_interval_ended_us_started_us_asset_id" '
        'ON "custody_interval" ("ended_us", "started_us", "asset_id")',
        'DROP INDEX IF EXISTS "custody_interval_ended_at_started_at_asset_id"',
    )


def _v29_report_csv_indexes() -> None:
    # Version 29: the idle report's index, the (category, name) index and the
    # name index carry the columns the idle, value and utilisation CSVs write,
    # so that tens of thousands of rows are read from an index without their
    # asset rows.
    _run(
        'DROP INDEX IF EXISTS "asset_lower_name_id"',
        'CREATE INDEX IF NOT EXISTS "asset_lower_name_id" ON "asset" (LOWER("name"), "id", '
        '"code", "name", "category_id", "purchase_date", "created_at", "retired_at")',
        'DROP INDEX IF EXISTS "asset_idle_since"',
        'CREATE INDEX IF NOT EXISTS "asset_idle_since" ON "asset" ("holder_id", "retired_at", '
        'COALESCE("last_used_at", "created_at"), LOWER("name"), "id", "code", "name", "status", '
        '"category_id", "location_id", "last_used_at", "created_at")',
        'DROP INDEX IF EXISTS "asset_category_id_lower_name_id"',
        'CREATE INDEX IF NOT EXISTS "asset_category_id_lower_name_id" ON "asset" ("category_id", '
        'LOWER("name"), "id", "code", "name", "cost_cents", "purchase_date", "retired_at", '
        '"created_at")',
    )


def _v30_replacement_csv_indexes() -> None:
    # Version 30: the replacement plan's index carries the code, name, purchase
    # date, added and retired times too, so the due list's CSV reads the items
    # past their useful life (tens of thousands) from it alone; and an asset's
    # spells of custody are read from the (asset, ended_at) index alone, which
    # now carries their times in microseconds.
    _run(
        'CREATE INDEX IF NOT EXISTS "asset_past_life" ON "asset" ("life_ends_on", "status", '
        '"category_id", "team_id", "holder_id", "cost_cents", "code", "name", "purchase_date", '
        '"created_at", "retired_at")',
        'DROP INDEX IF EXISTS "asset_life_ends_on_status_category_id_team_id_holder_id__89a9369"',
        'CREATE INDEX IF NOT EXISTS "custody_interval_asset_id_ended_at_started_us_ended_us" ON '
        '"custody_interval" ("asset_id", "ended_at", "started_us", "ended_us")',
        'DROP INDEX IF EXISTS "custody_interval_asset_id_ended_at"',
    )


def _v31_event_costs() -> None:
    # Version 31: each repair and service event keeps the cost of the work in
    # a column of its own, written with it, so the maintenance report and the
    # replacement plan add costs up in SQL rather than reading each event's
    # JSON; filled here from the events by the rule as it stood when this step
    # shipped: the data's "cost_cents" when it is a whole number from 0 to
    # 2**31 - 1 (not true or false), on repair_started, repaired and serviced
    # events. The (kind, asset, at) index carries it.
    _run('ALTER TABLE "event" ADD COLUMN "cost_cents" INTEGER')
    work = db.execute_sql(
        'SELECT "id", "data" FROM "event" WHERE "kind" IN '
        "('repair_started', 'repaired', 'serviced') AND \"data\" IS NOT NULL"
    ).fetchall()
    costs = []
    for event_id, text in work:
        try:
            data = json.loads(text)
        except ValueError:
            continue
        cost = data.get("cost_cents") if isinstance(data, dict) else None
        if type(cost) is int and 0 <= cost <= 2**31 - 1:
            costs.append((cost, event_id))
    update = f'UPDATE "event" SET "cost_cents" = {db.param} WHERE "id" = {db.param}'
    for i in range(0, len(costs), 5000):
        db.cursor().executemany(update, costs[i : i + 5000])
    _run(
        'CREATE INDEX IF NOT EXISTS "event_kind_asset_id_at_cost_cents" ON "event" '
        '("kind", "asset_id", "at", "cost_cents")',
        'DROP INDEX IF EXISTS "event_kind_asset_id_at"',
    )


def _v32_upkeep() -> None:
    # Version 32: each asset keeps what its repairs and services have cost to
    # date (a projection of the events, kept in the same write as each), so the
    # due list's CSV reads it with the asset; filled here from the events by the
    # rule as it stood when this step shipped: the sum of the costs of its
    # repair_started, repaired and serviced events (the only kinds with one).
    # The replacement plan's index carries it.
    _run(
        'ALTER TABLE "asset" ADD COLUMN "upkeep_cents" {bigint} NOT NULL DEFAULT 0',
        'UPDATE "asset" SET "upkeep_cents" = COALESCE((SELECT SUM("work"."cost_cents") '
        'FROM "event" AS "work" WHERE "work"."kind" IN '
        "('repair_started', 'repaired', 'serviced') "
        'AND "work"."asset_id" = "asset"."id"), 0)',
        'DROP INDEX IF EXISTS "asset_past_life"',
        'CREATE INDEX IF NOT EXISTS "asset_past_life" ON "asset" ("life_ends_on", "status", '
        '"category_id", "team_id", "holder_id", "cost_cents", "code", "name", "purchase_date", '
        '"created_at", "retired_at", "upkeep_cents")',
    )


STEPS: dict[int, Callable[[], None]] = {
    2: _v2_asset_version_and_event_index,
    3: _v3_action_keys_and_faults,
    4: _v4_labels,
    5: _v5_audits,
    6: _v6_session_tokens,
    7: _v7_management_and_offline_scans,
    8: _v8_audit_rooms_and_ticks_via_actions,
    9: _v9_repair_what_earlier_releases_missed,
    10: _v10_custom_fields,
    11: _v11_register_indexes_and_unique_field_names,
    12: _v12_search_index,
    13: _v13_reservations,
    14: _v14_custom_value_lookup_index,
    15: _v15_calendar_feeds,
    16: _v16_kits,
    17: _v17_category_in_name_order,
    18: _v18_not_back_with_kit,
    19: _v19_condition_and_check_before_reuse,
    20: _v20_teams,
    21: _v21_receipts,
    22: _v22_fault_on_a_receipt,
    23: _v23_subscriptions_and_replacement,
    24: _v24_custody_intervals,
    25: _v25_last_use,
    26: _v26_replacement_covering_index,
    27: _v27_report_sums_index,
    28: _v28_spells_in_microseconds,
    29: _v29_report_csv_indexes,
    30: _v30_replacement_csv_indexes,
    31: _v31_event_costs,
    32: _v32_upkeep,
}
LATEST = max(STEPS, default=1)
# Steps that make what the models cannot describe (the search box's index and
# the triggers that keep it): a new database runs them after the models' tables.
BEYOND_MODELS = (12,)


def current_version() -> int:
    """0 for an empty database; raises for a database that is not ours."""
    tables = set(db.get_tables())
    if "schema_version" not in tables:
        if tables & {"asset", "user", "event"}:
            raise SchemaError("This database has tagtrail tables but no schema version.")
        return 0
    row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def upgrade(to: int = LATEST) -> tuple[int, int]:
    """Bring the database to LATEST. Returns (version before, version after).

    `to` stops at an older version instead: the tests build each past version
    that way. A new database is only ever made at LATEST, from the models (and
    the steps in BEYOND_MODELS)."""
    before = current_version()
    if before > LATEST:
        raise SchemaError(
            f"The database is at schema version {before}, newer than this "
            f"tagtrail ({LATEST}). Upgrade tagtrail instead."
        )
    if before == 0:
        if to != LATEST:
            raise SchemaError(f"A new database starts at version {LATEST}, not {to}.")
        with write():
            db.create_tables(MODELS)
            for version in BEYOND_MODELS:
                STEPS[version]()
            SchemaVersion.create(version=LATEST)
        return 0, LATEST
    for version in range(before + 1, to + 1):
        with write():
            STEPS[version]()
            SchemaVersion.update(version=version).execute()
    return before, max(before, to)
