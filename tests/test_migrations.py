"""Schema versions: every past version upgrades to the current schema, its data intact.

A past version N is built as it shipped: version 1 from its frozen SQL
(tests/data/schema_v1*.sql), then the frozen steps of app/migrations.py one at a
time up to N, with each version's rows (ROWS) written while it was current. The
app then starts on it, upgrades it, and must find every row and serve its pages.
Files that three earlier releases upgraded otherwise (DRIFTS) are built too: step 9
must bring them to a fresh database's schema. The same runs on SQLite and, marked
`postgres`, on a PostgreSQL of its own.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import psycopg2
import pytest
from click.testing import CliRunner
from peewee import CharField, IntegrityError, ProgrammingError, fn

from app import create_app, migrations
from app.cli import main
from app.config import sqlite_url
from app.database import bind, close_connection, open_database, write
from app.extensions import limiter
from app.migrations import LATEST, STEPS, SchemaError, current_version, upgrade
from app.models import (
    MODELS,
    Asset,
    Attachment,
    Audit,
    AuditItem,
    AuditRoom,
    AuditTick,
    CalendarFeed,
    Category,
    CustodyInterval,
    CustomField,
    CustomValue,
    Event,
    Fault,
    Kit,
    KitItem,
    LabelCode,
    LabelFormatSetting,
    Receipt,
    ReceiptSeat,
    Reservation,
    ReservationItem,
    SchemaVersion,
    Setting,
    Subscription,
    SubscriptionAttachment,
    SubscriptionEvent,
    SubscriptionSeat,
    User,
    db,
)
from app.ops import backup, pg_copy
from app.register import custody_intervals, last_use, passwords, upkeep

from . import factories
from .conftest import AuthActions, Client
from .pages import names_in
from .postgres import create_database

DATA = Path(__file__).parent / "data"
V1 = (DATA / "schema_v1.sql").read_text()
V1_POSTGRES = (DATA / "schema_v1_postgres.sql").read_text()
# The latest too: its rows are proven before a next step makes it a past version.
VERSIONS = range(1, LATEST + 1)

# A column a step added with ALTER TABLE ... NOT NULL has a DEFAULT (SQLite needs
# one for the rows already there); the models leave defaults to Python, so a fresh
# database has none. The only difference allowed between the two.
STEP_DEFAULTS = {
    ("asset", "version"),
    ("asset", "order_number"),
    ("asset", "external_tag"),
    ("user", "session_token"),
    ("audit_tick", "via"),
    ("asset", "condition"),
    ("category", "check_after_return"),
    ("category", "signature_required"),
    ("custody_interval", "started_us"),
    ("asset", "upkeep_cents"),
}

# Rows each version could hold, in SQL that works on SQLite and PostgreSQL and
# on that version's tables (later steps may only add nullable or defaulted
# columns). Ids come from subqueries, so PostgreSQL's sequences stay right.
# Adding step N+1 means adding ROWS[N+1] and its checks in _check_rows.
HASH = passwords.CHEAPEST.hash(factories.PASSWORD)
VERA = """(SELECT "id" FROM "user" WHERE "email" = 'vera@v1.test')"""
HAL = """(SELECT "id" FROM "user" WHERE "name" = 'Hal Holder')"""
SHOP = """(SELECT "id" FROM "location" WHERE "code" = 'W0RK01')"""
LADDER = """(SELECT "id" FROM "asset" WHERE "code" = 'V1A001')"""
WRENCH = """(SELECT "id" FROM "asset" WHERE "code" = 'V2A002')"""
AUDIT = """(SELECT "id" FROM "audit" WHERE "name" = 'Spring count')"""
ASSET_V1 = (
    '"code", "name", "category_id", "manufacturer", "model", "serial", "purchase_date", '
    '"cost_cents", "supplier", "warranty_end", "notes", "status", "holder_id", "location_id", '
    '"due_back", "last_seen_at", "last_audited_at", "label_printed_at", "retired_at", '
    '"retire_reason", "created_at", "updated_at"'
)
EVENT_V1 = '"asset_id", "kind", "actor_id", "at", "holder_id", "location_id", "note", "data"'
TICK_V5 = (
    '"audit_id", "asset_id", "code", "by_id", "at", "room_id", "expected", "wrong_place", '
    '"resolution", "undone_at", "undone_by_id"'
)
ROWS: dict[int, list[str]] = {
    1: [
        """INSERT INTO "setting" ("key", "value") VALUES ('paper_size', 'letter')""",
        f"""INSERT INTO "user" ("email", "name", "password_hash", "role", "active", "created_at")
        VALUES ('vera@v1.test', 'Vera Admin', '{HASH}', 'admin', TRUE, '2025-02-01 09:00:00')""",
        """INSERT INTO "user" ("email", "name", "password_hash", "role", "active", "created_at")
        VALUES (NULL, 'Hal Holder', NULL, 'member', TRUE, '2025-02-01 09:05:00')""",
        """INSERT INTO "location" ("name", "parent_id", "code", "created_at")
        VALUES ('Workshop', NULL, 'W0RK01', '2025-02-01 09:10:00')""",
        """INSERT INTO "category" ("name", "created_at")
        VALUES ('Ladders', '2025-02-01 09:15:00')""",
        f"""INSERT INTO "asset" ({ASSET_V1}) VALUES ('V1A001', 'Step ladder',
        (SELECT "id" FROM "category" WHERE "name" = 'Ladders'), 'Werner', 'S3', 'SN-V1',
        '2024-11-05', 8950, 'Ladder Co', '2027-11-05', 'Five treads', 'checked_out', {HAL},
        {SHOP}, '2025-03-01', '2025-02-02 10:00:00', NULL, NULL, NULL, '',
        '2025-02-01 09:30:00', '2025-02-02 10:00:00')""",
        f"""INSERT INTO "event" ({EVENT_V1}) VALUES ({LADDER}, 'created', {VERA},
        '2025-02-01 09:30:00', NULL, {SHOP}, '', '{{"name": "Step ladder"}}')""",
        f"""INSERT INTO "event" ({EVENT_V1}) VALUES ({LADDER}, 'checked_out', {VERA},
        '2025-02-02 10:00:00', {HAL}, NULL, 'For the loft', NULL)""",
    ],
    2: [
        f"""INSERT INTO "asset" ({ASSET_V1}, "version") VALUES ('V2A002', 'Torque wrench',
        NULL, '', '', NULL, NULL, NULL, '', NULL, '', 'available', NULL, {SHOP}, NULL, NULL,
        NULL, NULL, NULL, '', '2025-03-01 08:00:00', '2025-03-05 08:00:00', 4)""",
        f"""INSERT INTO "event" ({EVENT_V1}) VALUES ({WRENCH}, 'created', {VERA},
        '2025-03-01 08:00:00', NULL, {SHOP}, '', NULL)""",
    ],
    3: [
        f"""INSERT INTO "event" ({EVENT_V1}, "from_holder_id", "key") VALUES ({WRENCH},
        'transferred', {VERA}, '2025-04-01 12:00:00', {VERA}, NULL, '',
        '{{"from": "Hal Holder"}}', {HAL}, 'key-v3-handover')""",
        f"""INSERT INTO "fault" ("asset_id", "reported_by_id", "reported_at", "description",
        "severity", "photo", "closed_at") VALUES ({LADDER}, {HAL}, '2025-04-02 08:00:00',
        'Top tread wobbles', 'usable', '', NULL)""",
    ],
    4: [
        f"""INSERT INTO "label_code" ("code", "state", "asset_id", "created_by_id",
        "created_at", "changed_at") VALUES ('B4NK01', 'blank', NULL, {VERA},
        '2025-05-01 08:00:00', NULL)""",
        f"""INSERT INTO "label_code" ("code", "state", "asset_id", "created_by_id",
        "created_at", "changed_at") VALUES ('R4PL01', 'replaced', {LADDER}, {VERA},
        '2025-05-01 08:00:00', '2025-05-02 08:00:00')""",
        """INSERT INTO "label_format_setting" ("name", "spec", "nudge_x_mm", "nudge_y_mm")
        VALUES ('L7160', NULL, 1.5, -0.5)""",
    ],
    5: [
        f"""INSERT INTO "audit" ("name", "scope_location_id", "scope_category_id", "status",
        "started_by_id", "started_at", "closed_by_id", "closed_at") VALUES ('Spring count',
        {SHOP}, NULL, 'running', {VERA}, '2025-06-01 08:00:00', NULL, NULL)""",
        f"""INSERT INTO "audit_item" ("audit_id", "asset_id", "expected_location_id",
        "marked_missing") VALUES ({AUDIT}, {WRENCH}, {SHOP}, FALSE)""",
        f"""INSERT INTO "audit_tick" ({TICK_V5}) VALUES ({AUDIT}, {WRENCH}, '', {VERA},
        '2025-06-01 09:00:00', {SHOP}, TRUE, FALSE, '', NULL, NULL)""",
    ],
    6: [
        """INSERT INTO "user" ("email", "name", "password_hash", "role", "active",
        "created_at", "session_token") VALUES ('sam@v6.test', 'Sam Six', NULL, 'member', TRUE,
        '2025-07-01 08:00:00', '0123456789abcdef0123456789abcdef')""",
    ],
    7: [
        """INSERT INTO "category" ("name", "created_at", "service_interval_days",
        "useful_life_months", "salvage_percent")
        VALUES ('Generators', '2025-08-01 08:00:00', 180, 60, 10)""",
        f"""INSERT INTO "asset" ({ASSET_V1}, "version", "order_number", "external_tag",
        "service_interval_days", "last_serviced_on", "service_due_on") VALUES ('V7A007',
        'Generator', (SELECT "id" FROM "category" WHERE "name" = 'Generators'), '', '', NULL,
        NULL, NULL, '', NULL, '', 'available', NULL, {SHOP}, NULL, NULL, NULL, NULL, NULL, '',
        '2025-08-01 08:00:00', '2025-08-01 08:00:00', 1, 'PO-77', 'OLD-0007', 90,
        '2025-08-01', '2025-10-30')""",
        f"""INSERT INTO "event" ({EVENT_V1}, "scanned_at") VALUES
        ((SELECT "id" FROM "asset" WHERE "code" = 'V7A007'), 'created', {VERA},
        '2025-08-01 08:00:00', NULL, {SHOP}, '', NULL, '2025-08-01 07:59:00')""",
        f"""INSERT INTO "attachment" ("asset_id", "kind", "stored_name", "original_name",
        "content_type", "size_bytes", "uploaded_by_id", "uploaded_at") VALUES ({LADDER},
        'document', 'v7-manual.pdf', 'Ladder manual.pdf', 'application/pdf', 1234, {VERA},
        '2025-08-02 08:00:00')""",
        f"""INSERT INTO "audit_tick" ({TICK_V5}, "scanned_at", "key") VALUES ({AUDIT}, NULL,
        'ZZZZZZ', {VERA}, '2025-08-03 09:00:00', {SHOP}, FALSE, FALSE, '', NULL, NULL,
        '2025-08-03 08:59:00', 'key-v7-tick')""",
    ],
    8: [
        f"""INSERT INTO "audit_room" ("audit_id", "person_id", "room_id", "at")
        VALUES ({AUDIT}, {VERA}, {SHOP}, '2025-09-01 08:00:00')""",
        f"""INSERT INTO "audit_tick" ({TICK_V5}, "scanned_at", "key", "via") VALUES ({AUDIT},
        {LADDER}, '', {HAL}, '2025-09-01 09:00:00', NULL, FALSE, FALSE, '', NULL, NULL, NULL,
        NULL, 'checked_in')""",
    ],
    # Step 9 only repairs files from earlier releases; these rows use what it repairs.
    9: [
        f"""INSERT INTO "audit_item" ("audit_id", "asset_id", "expected_location_id",
        "marked_missing") VALUES ({AUDIT}, {LADDER}, {SHOP}, TRUE)""",
        f"""INSERT INTO "audit_tick" ({TICK_V5}, "scanned_at", "key", "via") VALUES ({AUDIT},
        NULL, 'V9UNKN', {VERA}, '2025-10-01 09:00:00', {SHOP}, FALSE, FALSE, '', NULL, NULL,
        '2025-10-01 08:59:00', 'key-v9-tick', '')""",
    ],
    10: [
        """INSERT INTO "custom_field" ("name", "kind", "choices", "category_id", "position",
        "on_labels", "created_at") VALUES ('Rung count', 'number', '[]',
        (SELECT "id" FROM "category" WHERE "name" = 'Ladders'), 1, TRUE, '2025-11-01 08:00:00')""",
        """INSERT INTO "custom_field" ("name", "kind", "choices", "category_id", "position",
        "on_labels", "created_at") VALUES ('Finish', 'choice', '["Aluminium", "Wood"]', NULL, 0,
        FALSE, '2025-11-01 08:05:00')""",
        f"""INSERT INTO "custom_value" ("asset_id", "field_id", "text", "number", "day")
        VALUES ({LADDER}, (SELECT "id" FROM "custom_field" WHERE "name" = 'Rung count'), '5',
        5, NULL)""",
        f"""INSERT INTO "custom_value" ("asset_id", "field_id", "text", "number", "day")
        VALUES ({LADDER}, (SELECT "id" FROM "custom_field" WHERE "name" = 'Finish'),
        'Aluminium', NULL, NULL)""",
    ],
    11: [
        """INSERT INTO "custom_field" ("name", "kind", "choices", "category_id", "position",
        "on_labels", "created_at") VALUES ('Inspected on', 'date', '[]', NULL, 2, FALSE,
        '2025-12-01 08:00:00')""",
        f"""INSERT INTO "custom_value" ("asset_id", "field_id", "text", "number", "day")
        VALUES ({WRENCH}, (SELECT "id" FROM "custom_field" WHERE "name" = 'Inspected on'),
        '2025-11-30', NULL, '2025-11-30')""",
    ],
    12: [
        f"""INSERT INTO "asset" ({ASSET_V1}, "version", "order_number", "external_tag")
        VALUES ('V12A12', 'Laser level', NULL, 'Bosch', 'GLL 3-80', 'SN-V12', NULL, NULL, '',
        NULL, '', 'available', NULL, {SHOP}, NULL, NULL, NULL, NULL, NULL, '',
        '2026-01-05 08:00:00', '2026-01-05 08:00:00', 1, '', 'OLD-0012')""",
        """INSERT INTO "custom_field" ("name", "kind", "choices", "category_id", "position",
        "on_labels", "created_at") VALUES ('Cost centre', 'text', '[]', NULL, 3, FALSE,
        '2026-01-05 08:00:00')""",
        """INSERT INTO "custom_value" ("asset_id", "field_id", "text", "number", "day")
        VALUES ((SELECT "id" FROM "asset" WHERE "code" = 'V12A12'),
        (SELECT "id" FROM "custom_field" WHERE "name" = 'Cost centre'), 'CC-4321 north',
        NULL, NULL)""",
    ],
    13: [
        f"""INSERT INTO "reservation" ("person_id", "made_by_id", "starts_at", "ends_at", "note",
        "state", "started_at", "ended_at", "created_at", "version") VALUES ({HAL}, {VERA},
        '2026-02-03 09:00:00', '2026-02-05 17:00:00', 'Client shoot, Leeds', 'booked', NULL,
        NULL, '2026-01-20 08:00:00', 1)""",
        f"""INSERT INTO "reservation_item" ("reservation_id", "asset_id", "starts_at",
        "ends_at", "active") VALUES ((SELECT "id" FROM "reservation" WHERE "note" =
        'Client shoot, Leeds'), {WRENCH}, '2026-02-03 09:00:00', '2026-02-05 17:00:00', TRUE)""",
    ],
    14: [
        """INSERT INTO "custom_field" ("name", "kind", "choices", "category_id", "position",
        "on_labels", "created_at") VALUES ('Power (W)', 'number', '[]', NULL, 4, FALSE,
        '2026-02-01 08:00:00')""",
        """INSERT INTO "custom_value" ("asset_id", "field_id", "text", "number", "day")
        VALUES ((SELECT "id" FROM "asset" WHERE "code" = 'V12A12'),
        (SELECT "id" FROM "custom_field" WHERE "name" = 'Power (W)'), '1500', 1500, NULL)""",
    ],
    15: [
        f"""INSERT INTO "calendar_feed" ("person_id", "asset_id", "token_hash", "created_at")
        VALUES ({HAL}, NULL, '{"a" * 64}', '2026-02-10 08:00:00')""",
        f"""INSERT INTO "calendar_feed" ("person_id", "asset_id", "token_hash", "created_at")
        VALUES (NULL, {WRENCH}, '{"b" * 64}', '2026-02-10 08:05:00')""",
    ],
    16: [
        """INSERT INTO "kit" ("code", "name", "notes", "created_at", "version")
        VALUES ('V16K16', 'Camera kit', 'Body, two lenses', '2026-03-01 08:00:00', 2)""",
        f"""INSERT INTO "kit_item" ("kit_id", "asset_id", "position") VALUES
        ((SELECT "id" FROM "kit" WHERE "code" = 'V16K16'), {WRENCH}, 0)""",
        f"""INSERT INTO "kit_item" ("kit_id", "asset_id", "position") VALUES
        ((SELECT "id" FROM "kit" WHERE "code" = 'V16K16'), {LADDER}, 1)""",
        f"""INSERT INTO "reservation" ("person_id", "made_by_id", "starts_at", "ends_at",
        "note", "state", "started_at", "ended_at", "created_at", "version", "kit_id")
        VALUES ({HAL}, {HAL}, '2026-03-03 09:00:00', '2026-03-03 17:00:00', 'Kit for Tuesday',
        'booked', NULL, NULL, '2026-03-01 08:05:00', 1,
        (SELECT "id" FROM "kit" WHERE "code" = 'V16K16'))""",
    ],
    17: [
        """INSERT INTO "category" ("name", "created_at") VALUES ('Levels',
        '2026-03-02 08:00:00')""",
        """UPDATE "asset" SET "category_id" = (SELECT "id" FROM "category" WHERE "name" =
        'Levels') WHERE "code" = 'V12A12'""",
    ],
    18: [
        # The ladder (out with Hal, in the camera kit) did not come back with it.
        """UPDATE "asset" SET "not_back_since" = '2026-03-04 10:00:00' WHERE "code" = 'V1A001'""",
    ],
    19: [
        # The wrench came back worn and its category wants a check before reuse.
        """UPDATE "asset" SET "condition" = 'fair', "needs_check_since" = '2026-03-05 09:00:00'
        WHERE "code" = 'V2A002'""",
        f"""UPDATE "category" SET "check_after_return" = 'Clean and oil', "checker_id" = {HAL}
        WHERE "name" = 'Levels'""",
    ],
    20: [
        """INSERT INTO "team" ("name", "created_at") VALUES ('Site crew', '2026-03-06 08:00:00')""",
        """UPDATE "user" SET "team_id" = (SELECT "id" FROM "team" WHERE "name" = 'Site crew')
        WHERE "name" = 'Hal Holder'""",
        """UPDATE "asset" SET "team_id" = (SELECT "id" FROM "team" WHERE "name" = 'Site crew')
        WHERE "code" = 'V12A12'""",
    ],
    21: [
        f"""INSERT INTO "receipt" ("kind", "person_id", "staff_id", "created_at", "terms",
        "state", "signed_by_id", "signed_at", "signature_name", "signature_file",
        "decided_at", "decline_note", "pdf_file", "pdf_sha256", "emailed_at", "version")
        VALUES ('handover', {HAL}, {VERA}, '2026-03-07 08:00:00', 'I will look after it.',
        'signed', {HAL}, '2026-03-07 08:00:00', 'Hal Holder', '', NULL, '', '', '', NULL, 1)""",
        f"""INSERT INTO "receipt_item" ("receipt_id", "asset_id", "event_id", "condition")
        VALUES ((SELECT "id" FROM "receipt" WHERE "terms" = 'I will look after it.'),
        {LADDER}, NULL, 'good')""",
        """UPDATE "asset" SET "awaiting_since" = '2026-03-07 08:00:00' WHERE "code" = 'V1A001'""",
        """UPDATE "category" SET "signature_required" = TRUE WHERE "name" = 'Ladders'""",
    ],
    22: [
        # The ladder came back with a fault, reported in the same step.
        f"""INSERT INTO "fault" ("asset_id", "reported_by_id", "reported_at", "description",
        "severity", "photo", "closed_at") VALUES ({LADDER}, {VERA}, '2026-03-08 09:00:00',
        'Rung bent', 'do_not_use', '', NULL)""",
        """UPDATE "receipt_item" SET "fault_id" = (SELECT "id" FROM "fault" WHERE
        "description" = 'Rung bent')""",
        # Ladders get a useful life, so step 23 has an end of life to fill in.
        """UPDATE "category" SET "useful_life_months" = 36 WHERE "name" = 'Ladders'""",
    ],
    23: [
        """INSERT INTO "vendor" ("name", "created_at") VALUES ('Figma', '2026-03-09 08:00:00')""",
        f"""INSERT INTO "subscription" ("vendor_id", "product", "kind", "seats", "cost_cents",
        "period", "starts_on", "renews_on", "auto_renews", "remind_days", "reminded_for",
        "owner_id", "owner_team_id", "notes", "licence_key", "cancelled_at", "ended_on",
        "version", "created_at", "updated_at") VALUES ((SELECT "id" FROM "vendor"
        WHERE "name" = 'Figma'), 'Figma Professional', 'saas', 5, 1500, 'month', '2026-01-01',
        '2027-01-01', TRUE, 30, NULL, {VERA}, (SELECT "id" FROM "team" WHERE
        "name" = 'Site crew'), '', 'KEY-123', NULL, NULL, 1, '2026-03-09 08:00:00',
        '2026-03-09 08:00:00')""",
        f"""INSERT INTO "subscription_seat" ("subscription_id", "person_id", "asset_id",
        "assigned_at", "assigned_by_id", "freed_at", "freed_by_id") VALUES ((SELECT "id"
        FROM "subscription" WHERE "product" = 'Figma Professional'), {HAL}, {LADDER},
        '2026-03-09 08:05:00', {VERA}, '2026-03-10 08:00:00', {VERA})""",
        f"""INSERT INTO "subscription_event" ("subscription_id", "kind", "actor_id", "at",
        "person_id", "note", "data", "key") VALUES ((SELECT "id" FROM "subscription"
        WHERE "product" = 'Figma Professional'), 'seat_assigned', {VERA},
        '2026-03-09 08:05:00', {HAL}, '', NULL, NULL)""",
        f"""INSERT INTO "subscription_attachment" ("subscription_id", "kind", "stored_name",
        "original_name", "content_type", "size_bytes", "uploaded_by_id", "uploaded_at")
        VALUES ((SELECT "id" FROM "subscription" WHERE "product" = 'Figma Professional'),
        'document', 'contract-v23.pdf', 'Contract.pdf', 'application/pdf', 1234, {VERA},
        '2026-03-09 08:06:00')""",
        """INSERT INTO "receipt_seat" ("receipt_id", "seat_id") VALUES ((SELECT "id"
        FROM "receipt" WHERE "terms" = 'I will look after it.'), (SELECT "id"
        FROM "subscription_seat"))""",
        """UPDATE "category" SET "replacement_cost_cents" = 12000 WHERE "name" = 'Ladders'""",
    ],
    24: [
        f"""INSERT INTO "event" ({EVENT_V1}) VALUES ({WRENCH}, 'checked_in', {VERA},
        '2026-03-11 09:00:00', {VERA}, {SHOP}, '', NULL)""",
        f"""UPDATE "custody_interval" SET "ended_at" = '2026-03-11 09:00:00', "closed_by_id" =
        (SELECT "id" FROM "event" WHERE "asset_id" = {WRENCH} AND "kind" = 'checked_in')
        WHERE "asset_id" = {WRENCH} AND "ended_at" IS NULL""",
    ],
    25: [
        f"""INSERT INTO "event" ({EVENT_V1}) VALUES ({WRENCH}, 'moved', {VERA},
        '2026-03-12 08:00:00', NULL, {SHOP}, '', NULL)""",
        f"""UPDATE "asset" SET "last_used_at" = '2026-03-12 08:00:00' WHERE "id" = {WRENCH}""",
    ],
    26: [
        # A hoist past its useful life (36 months from 1 Jan 2020: 1,096 days).
        f"""INSERT INTO "asset" ({ASSET_V1}, "version", "life_ends_on") VALUES ('V26A26',
        'Rusty hoist', (SELECT "id" FROM "category" WHERE "name" = 'Ladders'), '', '', NULL,
        '2020-01-01', 5000, '', NULL, '', 'available', NULL, {SHOP}, NULL, NULL, NULL, NULL,
        NULL, '', '2026-03-12 08:00:00', '2026-03-12 08:00:00', 1, '2023-01-01')""",
        f"""INSERT INTO "event" ({EVENT_V1}) VALUES ((SELECT "id" FROM "asset" WHERE "code" =
        'V26A26'), 'created', {VERA}, '2026-03-12 08:00:00', NULL, {SHOP}, '', NULL)""",
    ],
    27: [
        # The reports' index carries the cost: one changed after it is made.
        """UPDATE "asset" SET "cost_cents" = 4200 WHERE "code" = 'V12A12'""",
    ],
    28: [
        # The hoist goes out with Hal, written as the app writes it: the event, its
        # spell of custody with its start in microseconds, the holder, the last use.
        f"""INSERT INTO "event" ({EVENT_V1}) VALUES ((SELECT "id" FROM "asset" WHERE "code" =
        'V26A26'), 'checked_out', {VERA}, '2026-03-13 08:00:00', {HAL}, {SHOP}, '', NULL)""",
        f"""INSERT INTO "custody_interval" ("asset_id", "holder_id", "started_at", "ended_at",
        "opened_by_id", "closed_by_id", "started_us", "ended_us") VALUES ((SELECT "id" FROM
        "asset" WHERE "code" = 'V26A26'), {HAL}, '2026-03-13 08:00:00', NULL, (SELECT "id"
        FROM "event" WHERE "kind" = 'checked_out' AND "at" = '2026-03-13 08:00:00'), NULL,
        1773388800000000, NULL)""",
        f"""UPDATE "asset" SET "holder_id" = {HAL}, "status" = 'checked_out',
        "last_used_at" = '2026-03-13 08:00:00' WHERE "code" = 'V26A26'""",
    ],
    29: [
        # The idle and (category, name) indexes carry the name: the wrench, idle
        # since its move in version 25, renamed after they are made.
        """UPDATE "asset" SET "name" = 'Torque wrench 1/2in' WHERE "code" = 'V2A002'""",
    ],
    30: [
        # The wrench reaches the end of its useful life: the due list's CSV reads
        # it from the index step 30 widens, with the hoist (past its life since
        # version 26) and the hoist's spell with Hal (version 28) from the other.
        """UPDATE "asset" SET "life_ends_on" = '2026-06-30' WHERE "code" = 'V2A002'""",
        # The generator's service, with its cost in the data only (step 31 reads
        # it from there), and a repair whose "cost" is true: no cost.
        f"""INSERT INTO "event" ({EVENT_V1}) VALUES ((SELECT "id" FROM "asset" WHERE "code" =
        'V7A007'), 'serviced', {VERA}, '2026-06-01 10:00:00', NULL, NULL, '',
        '{{"cost_cents": 2500, "next_due": null, "serviced_on": "2026-06-01"}}')""",
        f"""INSERT INTO "event" ({EVENT_V1}) VALUES ((SELECT "id" FROM "asset" WHERE "code" =
        'V7A007'), 'repaired', {VERA}, '2026-06-02 10:00:00', NULL, NULL, '',
        '{{"cost_cents": true, "faults_closed": 0}}')""",
    ],
    31: [
        # A repair as the app writes it since step 31: its cost in its own column too.
        f"""INSERT INTO "event" ({EVENT_V1}, "cost_cents") VALUES ((SELECT "id" FROM "asset"
        WHERE "code" = 'V7A007'), 'repaired', {VERA}, '2026-06-03 10:00:00', NULL, NULL, '',
        '{{"cost_cents": 1000, "faults_closed": 0}}', 1000)""",
        # The wrench's service: step 32 adds its cost up into the wrench's costs to date.
        f"""INSERT INTO "event" ({EVENT_V1}, "cost_cents") VALUES ((SELECT "id" FROM "asset"
        WHERE "code" = 'V2A002'), 'serviced', {VERA}, '2026-06-04 10:00:00', NULL, NULL, '',
        '{{"cost_cents": 1500, "next_due": null, "serviced_on": "2026-06-04"}}', 1500)""",
    ],
    32: [
        # Another, as the app writes it since step 32: the asset's costs to date too.
        f"""INSERT INTO "event" ({EVENT_V1}, "cost_cents") VALUES ((SELECT "id" FROM "asset"
        WHERE "code" = 'V2A002'), 'serviced', {VERA}, '2026-06-05 10:00:00', NULL, NULL, '',
        '{{"cost_cents": 4000, "next_due": null, "serviced_on": "2026-06-05"}}', 4000)""",
        """UPDATE "asset" SET "upkeep_cents" = "upkeep_cents" + 4000 WHERE "code" = 'V2A002'""",
    ],
}


@dataclass(frozen=True)
class Drift:
    """How main at one commit left a version, unlike today's frozen step: the
    file is built with today's step, then `undo` (what that commit did not do,
    or did otherwise), and `rows` stand in for ROWS[version]."""

    version: int
    undo: tuple[str, ...]
    rows: tuple[str, ...]


def _instead(version: int, table: str, statement: str) -> tuple[str, ...]:
    """ROWS[version] with its one insert into `table` replaced by `statement`."""
    [old] = [s for s in ROWS[version] if f'INSERT INTO "{table}"' in s]
    return tuple(statement if s is old else s for s in ROWS[version])


# The three steps that changed after they had shipped (see step 9).
DRIFTS = {
    # Version 3 gave events no from_holder_id (the giver on handovers).
    "9ad9862": Drift(
        3,
        ('DROP INDEX "event_from_holder_id"', 'ALTER TABLE "event" DROP COLUMN "from_holder_id"'),
        _instead(
            3,
            "event",
            f"""INSERT INTO "event" ({EVENT_V1}, "key") VALUES ({WRENCH}, 'transferred',
            {VERA}, '2025-04-01 12:00:00', {VERA}, NULL, '', '{{"from": "Hal Holder"}}',
            'key-v3-handover')""",
        ),
    ),
    # Version 5 made audit_item from a model that had no marked_missing yet.
    "bb96ab5": Drift(
        5,
        ('ALTER TABLE "audit_item" DROP COLUMN "marked_missing"',),
        _instead(
            5,
            "audit_item",
            f"""INSERT INTO "audit_item" ("audit_id", "asset_id", "expected_location_id")
            VALUES ({AUDIT}, {WRENCH}, {SHOP})""",
        ),
    ),
    # Version 7 before the dashboard: two single-column indexes on asset, no
    # event_at, none of the dashboard's covering indexes, no audit_tick.key.
    "3a8479d": Drift(
        7,
        (
            'DROP INDEX "event_at"',
            'DROP INDEX "asset_due_back_holder_id"',
            'DROP INDEX "asset_warranty_end_status"',
            'DROP INDEX "asset_service_due_on_status"',
            'DROP INDEX "asset_last_audited_at_status"',
            'DROP INDEX "asset_last_seen_at_created_at_status"',
            'DROP INDEX "audit_tick_key"',
            'ALTER TABLE "audit_tick" DROP COLUMN "key"',
            'CREATE INDEX "asset_warranty_end" ON "asset" ("warranty_end")',
            'CREATE INDEX "asset_service_due_on" ON "asset" ("service_due_on")',
        ),
        _instead(
            7,
            "audit_tick",
            f"""INSERT INTO "audit_tick" ({TICK_V5}, "scanned_at") VALUES ({AUDIT}, NULL,
            'ZZZZZZ', {VERA}, '2025-08-03 09:00:00', {SHOP}, FALSE, FALSE, '', NULL, NULL,
            '2025-08-03 08:59:00')""",
        ),
    ),
}


def _check_rows(version: int, drifts: tuple[str, ...] = ()) -> None:
    """Every row ROWS (or DRIFTS) wrote up to `version` reads back through today's models."""
    vera = User.get(User.email == "vera@v1.test")
    hal = User.get(User.name == "Hal Holder")
    assert (vera.role, vera.active, vera.can_sign_in) == ("admin", True, True)
    # Version 6 gave everyone before it a token of their own.
    assert re.fullmatch("[0-9a-f]{32}", vera.session_token)
    assert re.fullmatch("[0-9a-f]{32}", hal.session_token)
    assert vera.session_token != hal.session_token
    assert Setting.get_value("paper_size") == "letter"
    ladder = Asset.get(Asset.code == "V1A001")
    assert (ladder.name, ladder.category.name, ladder.serial, ladder.cost_cents) == (
        "Step ladder",
        "Ladders",
        "SN-V1",
        8950,
    )
    assert (ladder.purchase_date, ladder.warranty_end, ladder.due_back) == (
        date(2024, 11, 5),
        date(2027, 11, 5),
        date(2025, 3, 1),
    )
    assert (ladder.status, ladder.holder_id, ladder.location.name) == (
        "checked_out",
        hal.id,
        "Workshop",
    )
    assert ladder.last_seen_at == datetime(2025, 2, 2, 10, 0)
    # Columns added after version 1 hold their defaults.
    assert (ladder.version, ladder.order_number, ladder.external_tag) == (1, "", "")
    history = list(Event.select().where(Event.asset == ladder).order_by(Event.at))
    assert [(e.kind, e.data) for e in history] == [
        ("created", {"name": "Step ladder"}),
        ("checked_out", None),
    ]
    assert (history[1].holder_id, history[1].note, history[1].key) == (hal.id, "For the loft", None)
    if version >= 2:
        assert Asset.get(Asset.code == "V2A002").version == 4
    if version >= 3:
        handover = Event.get(Event.key == "key-v3-handover")
        assert (handover.kind, handover.holder_id, handover.from_holder_id) == (
            "transferred",
            vera.id,
            None if "9ad9862" in drifts else hal.id,
        )
        fault = Fault.get(Fault.asset == ladder)
        assert (fault.description, fault.severity, fault.closed_at) == (
            "Top tread wobbles",
            "usable",
            None,
        )
    if version >= 4:
        codes = {c.code: (c.state, c.asset_id) for c in LabelCode.select()}
        assert codes == {"B4NK01": ("blank", None), "R4PL01": ("replaced", ladder.id)}
        nudge = LabelFormatSetting.get(LabelFormatSetting.name == "L7160")
        assert (nudge.spec, nudge.nudge_x_mm, nudge.nudge_y_mm) == (None, 1.5, -0.5)
    if version >= 5:
        audit = Audit.get(Audit.name == "Spring count")
        assert (audit.status, audit.started_by_id) == ("running", vera.id)
        wrench = Asset.get(Asset.code == "V2A002")
        item = AuditItem.get(AuditItem.audit == audit, AuditItem.asset == wrench)
        assert (item.expected_location.name, item.marked_missing) == ("Workshop", False)
        seen = AuditTick.get(AuditTick.audit == audit, AuditTick.asset == wrench)
        assert (seen.asset.code, seen.expected, seen.via, seen.key) == ("V2A002", True, "", None)
    if version >= 6:
        assert User.get(User.email == "sam@v6.test").session_token == "0123456789abcdef" * 2
    if version >= 7:
        generators = Category.get(Category.name == "Generators")
        assert (
            generators.service_interval_days,
            generators.useful_life_months,
            generators.salvage_percent,
        ) == (180, 60, 10)
        generator = Asset.get(Asset.code == "V7A007")
        assert (generator.order_number, generator.external_tag, generator.service_due_on) == (
            "PO-77",
            "OLD-0007",
            date(2025, 10, 30),
        )
        assert Event.get(Event.asset == generator).scanned_at == datetime(2025, 8, 1, 7, 59)
        manual = Attachment.get(Attachment.asset == ladder)
        assert (manual.original_name, manual.size_bytes) == ("Ladder manual.pdf", 1234)
        offline = AuditTick.get(AuditTick.code == "ZZZZZZ")
        assert (offline.key, offline.expected, offline.scanned_at) == (
            None if "3a8479d" in drifts else "key-v7-tick",
            False,
            datetime(2025, 8, 3, 8, 59),
        )
    if version >= 8:
        assert AuditRoom.get(AuditRoom.person == vera).room.name == "Workshop"
        assert AuditTick.get(AuditTick.asset == ladder).via == "checked_in"
    if version >= 9:
        item = AuditItem.get(AuditItem.audit == audit, AuditItem.asset == ladder)
        assert item.marked_missing is True
        assert AuditTick.get(AuditTick.key == "key-v9-tick").code == "V9UNKN"
    if version >= 10:
        rungs = CustomField.get(CustomField.name == "Rung count")
        assert (rungs.kind, rungs.choices, rungs.category.name, rungs.on_labels) == (
            "number",
            [],
            "Ladders",
            True,
        )
        assert CustomField.get(CustomField.name == "Finish").choices == ["Aluminium", "Wood"]
        values = {
            v.field.name: (v.text, v.number)
            for v in CustomValue.select().where(CustomValue.asset == ladder)
        }
        assert values == {"Rung count": ("5", 5.0), "Finish": ("Aluminium", None)}
    if version >= 11:
        wrench = Asset.get(Asset.code == "V2A002")
        inspected = CustomValue.get(CustomValue.asset == wrench)
        assert (inspected.field.name, inspected.day) == ("Inspected on", date(2025, 11, 30))
    if version >= 12:
        level = Asset.get(Asset.code == "V12A12")
        assert (level.name, level.model_name, level.external_tag) == (
            "Laser level",
            "GLL 3-80",
            "OLD-0012",
        )
        assert CustomValue.get(CustomValue.asset == level).text == "CC-4321 north"
    if version >= 13:
        booking = Reservation.get(Reservation.note == "Client shoot, Leeds")
        assert (booking.person_id, booking.made_by_id, booking.state) == (hal.id, vera.id, "booked")
        assert (booking.starts_at, booking.ends_at) == (
            datetime(2026, 2, 3, 9, 0),
            datetime(2026, 2, 5, 17, 0),
        )
        [item] = ReservationItem.select().where(ReservationItem.reservation == booking)
        assert (item.asset.code, item.active, item.ends_at) == (
            "V2A002",
            True,
            datetime(2026, 2, 5, 17, 0),
        )
    if version >= 14:
        level = Asset.get(Asset.code == "V12A12")
        power = CustomValue.get(CustomValue.asset == level, CustomValue.text == "1500")
        assert (power.field.kind, power.number) == ("number", 1500)
    if version >= 15:
        feeds = CalendarFeed.select().order_by(CalendarFeed.created_at)
        assert [(f.person_id, f.asset_id, f.token_hash) for f in feeds] == [
            (hal.id, None, "a" * 64),
            (None, Asset.get(Asset.code == "V2A002").id, "b" * 64),
        ]
    if version >= 13:
        # Bookings made before kits existed were for no kit.
        booking = Reservation.get(Reservation.note == "Client shoot, Leeds")
        assert booking.kit_id is None
    if version >= 16:
        kit = Kit.get(Kit.code == "V16K16")
        assert (kit.name, kit.notes, kit.version) == ("Camera kit", "Body, two lenses", 2)
        items = KitItem.select().where(KitItem.kit == kit).order_by(KitItem.position)
        assert [i.asset.code for i in items] == ["V2A002", "V1A001"]
        assert Reservation.get(Reservation.note == "Kit for Tuesday").kit_id == kit.id
    if version >= 17:
        level = Asset.get(Asset.code == "V12A12")
        assert level.category.name == "Levels"
        in_it = Asset.select().where(Asset.category == level.category)
        assert [a.code for a in in_it.order_by(fn.LOWER(Asset.name))] == ["V12A12"]
    # Items flagged before version 18 did not exist: nothing is flagged.
    flagged = Asset.get(Asset.code == "V1A001").not_back_since
    assert flagged == (datetime(2026, 3, 4, 10, 0) if version >= 18 else None)
    # Before version 19 nobody had said what condition anything was in.
    if version >= 2:
        wrench = Asset.get(Asset.code == "V2A002")
        assert (wrench.condition, wrench.needs_check_since) == (
            ("fair", datetime(2026, 3, 5, 9, 0)) if version >= 19 else ("", None)
        )
    levels = Category.get(Category.name == "Levels") if version >= 17 else None
    if levels is not None:
        assert (levels.check_after_return, levels.checker_id) == (
            ("Clean and oil", hal.id) if version >= 19 else ("", None)
        )
    # Nobody was in a team before version 20.
    assert (hal.team.name if hal.team_id else None) == ("Site crew" if version >= 20 else None)
    if version >= 12:
        level = Asset.get(Asset.code == "V12A12")
        assert (level.team.name if level.team_id else None) == (
            "Site crew" if version >= 20 else None
        )
    ladders = Category.get(Category.name == "Ladders")
    assert ladders.signature_required is (version >= 21)
    assert (Asset.get(Asset.code == "V1A001").awaiting_since is not None) is (version >= 21)
    if version >= 21:
        [receipt] = Receipt.select()
        assert (receipt.kind, receipt.person_id, receipt.staff_id, receipt.state) == (
            "handover",
            hal.id,
            vera.id,
            "signed",
        )
        assert [(i.asset.code, i.condition) for i in receipt.items] == [("V1A001", "good")]
        [item] = receipt.items
        assert (item.fault.description if item.fault_id else None) == (
            "Rung bent" if version >= 22 else None
        )
    # Step 23 filled in the ladder's end of life (ROWS[22] gave Ladders a life):
    # 2024-11-05 plus 36 months of 30.4375 days, rounded up to 1,096 days.
    ladder = Asset.get(Asset.code == "V1A001")
    assert ladder.life_ends_on == (date(2027, 11, 6) if version >= 22 else None)
    assert ladders.replacement_cost_cents == (12000 if version >= 23 else None)
    if version >= 23:
        [subscription] = Subscription.select()
        assert (
            subscription.vendor.name,
            subscription.seats,
            subscription.cost_cents,
            subscription.period,
            subscription.renews_on,
            subscription.auto_renews,
            subscription.owner_id,
            subscription.owner_team.name,
            subscription.licence_key,
        ) == ("Figma", 5, 1500, "month", date(2027, 1, 1), True, vera.id, "Site crew", "KEY-123")
        [seat] = SubscriptionSeat.select()
        assert (seat.person_id, seat.asset.code, seat.freed_at) == (
            hal.id,
            "V1A001",
            datetime(2026, 3, 10, 8, 0),
        )
        [event] = SubscriptionEvent.select()
        assert (event.kind, event.person_id) == ("seat_assigned", hal.id)
        [document] = SubscriptionAttachment.select()
        assert (document.original_name, document.size_bytes) == ("Contract.pdf", 1234)
        [line] = ReceiptSeat.select()
        assert (line.receipt.kind, line.seat_id) == ("handover", seat.id)
    # Step 24 made a spell of custody of every custody event before it: the
    # ladder is still out with Hal since version 1; the wrench, handed to Vera
    # in version 3, came back in version 24 (the app closing its spell).
    spells = CustodyInterval.select().order_by(CustodyInterval.opened_by)
    ours = [s for s in spells if s.asset.code in ("V1A001", "V2A002")]
    assert [(s.asset.code, s.holder.name, s.started_at, s.ended_at) for s in ours] == [
        ("V1A001", "Hal Holder", datetime(2025, 2, 2, 10, 0), None),
        *(
            [
                (
                    "V2A002",
                    "Vera Admin",
                    datetime(2025, 4, 1, 12, 0),
                    datetime(2026, 3, 11, 9, 0) if version >= 24 else None,
                )
            ]
            if version >= 3
            else []
        ),
    ]
    assert custody_intervals.stored() == custody_intervals.replayed()
    # Step 25 filled in each asset's last use from the events before it: the
    # ladder's check-out in version 1; the wrench's handover in version 3, its
    # return in version 24, then its move in version 25 (the app keeping it).
    ours = Asset.select().where(Asset.code.in_(("V1A001", "V2A002")))
    used = {a.code: a.last_used_at for a in ours}
    wrench = None
    for since, at in ((3, (2025, 4, 1, 12)), (24, (2026, 3, 11, 9)), (25, (2026, 3, 12, 8))):
        wrench = datetime(*at) if version >= since else wrench
    assert used == {
        "V1A001": datetime(2025, 2, 2, 10, 0),
        **({"V2A002": wrench} if version >= 2 else {}),
    }
    assert last_use.stored() == last_use.replayed()
    assert upkeep.stored() == upkeep.replayed()
    # Step 26 widened the index on the end of useful life: the hoist, past its life
    # since version 26, is what the replacement plan counts and sums from it.
    last = date(2026, 3, 31)
    counted = (
        Asset.select(fn.COUNT(Asset.id), fn.SUM(Asset.cost_cents))
        .where(Asset.life_ends_on <= last, Asset.status != "retired")
        .tuples()
        .get()
    )
    assert counted == ((1, 5000) if version >= 26 else (0, None))
    # Step 28 gave every spell its times in microseconds, the ones before it
    # included (the spells equal the events' replay above, microseconds and all).
    if version >= 28:
        hoist = CustodyInterval.get(CustodyInterval.started_at == datetime(2026, 3, 13, 8))
        assert (hoist.started_us, hoist.ended_us) == (1_773_388_800_000_000, None)
        wrench = CustodyInterval.get(CustodyInterval.ended_at == datetime(2026, 3, 11, 9))
        assert wrench.ended_us == 1_773_219_600_000_000
    # Step 27 indexed the columns the value and utilisation reports add up: a cost
    # changed after it reads back from the table and adds up from the index.
    if version >= 27:
        level = Asset.get(Asset.code == "V12A12")
        assert level.cost_cents == 4200
        summed = Asset.select(fn.SUM(Asset.cost_cents)).where(Asset.id == level.id).scalar()
        assert summed == 4200


@dataclass
class Site:
    """One database to build and start the app on: a SQLite file or a PostgreSQL database."""

    url: str
    v1: str
    instance: Path

    def app(self, **extra):
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "INSTANCE_PATH": str(self.instance),
            "CHEAPEST_PASSWORD_HASHING": True,
            **extra,
        }
        if not self.url.startswith("sqlite"):
            config["DATABASE_URL"] = self.url
        return create_app(config)


def _sqlite_site(tmp_path: Path, name: str = "old") -> Site:
    instance = tmp_path / name
    instance.mkdir()
    return Site(sqlite_url(str(instance)), V1, instance)


def _postgres_site(pg_server: str, tmp_path: Path, name: str) -> Site:
    return Site(create_database(pg_server, name), V1_POSTGRES, tmp_path / name)


def _sql(statements) -> None:
    with write():
        for statement in statements:
            db.execute_sql(statement)


def _build(site: Site, version: int, rows: bool = True, drifts: tuple[str, ...] = ()) -> None:
    """The database as version `version` left it: version 1's frozen SQL, then the
    frozen steps one at a time, each version's rows written while it was current;
    at a drift's version, as that release left it instead."""
    bind(open_database(site.url))
    try:
        script = "\n".join(line for line in site.v1.splitlines() if not line.startswith("--"))
        _sql(s for s in script.split(";\n") if s.strip())
        assert current_version() == 1
        for step in range(1, version + 1):
            if step > 1:
                assert upgrade(to=step) == (step - 1, step)
            drift = next((DRIFTS[d] for d in drifts if DRIFTS[d].version == step), None)
            if drift:
                _sql(drift.undo)
            if rows:
                _sql(drift.rows if drift else ROWS[step])
        assert current_version() == version
    finally:
        db.close()


def _upgrades_with_its_data(site: Site, version: int) -> None:
    _build(site, version)
    _starts_with_its_data(site, version)


def _starts_with_its_data(site: Site, version: int, drifts: tuple[str, ...] = ()) -> None:
    """The app starts on a database built to `version` (upgrading it), finds its
    rows, serves its pages and writes."""
    app = site.app()
    app.test_client_class = Client
    limiter.reset()
    with app.app_context():
        assert current_version() == LATEST
        _check_rows(version, drifts)
        audit_id = Audit.get(Audit.name == "Spring count").id if version >= 5 else None
    client = app.test_client()
    vera = User.get(User.email == "vera@v1.test")
    AuthActions(client).login(user=vera)
    soup, page = client.soup("/A/V1A001")
    assert page.status_code == 200
    assert soup.select_one("#status-card h1").get_text(strip=True) == "Step ladder"
    text = soup.get_text(" ", strip=True)
    assert "Hal Holder" in text
    assert ("Top tread wobbles" in text) == (version >= 3)
    assert ("Ladder manual.pdf" in text) == (version >= 7)
    assert client.get("/").status_code == 200
    # The idle and value CSVs read their rows from two indexes alone (step 29
    # made them carry them): the wrench, idle since version 25, under its name
    # as it stands.
    idle = client.get("/reports/idle.csv?days=30").get_data(as_text=True)
    value = client.get("/reports/value.csv?table=assets").get_data(as_text=True)
    wrench = "Torque wrench 1/2in" if version >= 29 else "Torque wrench"
    assert (f"V2A002,{wrench},Available," in idle) is (version >= 2), idle
    assert (f"V2A002,{wrench}," in value) is (version >= 2), value
    due = client.get("/reports/replacement.csv").get_data(as_text=True)
    due_rows = {row[0]: row for row in csv.reader(io.StringIO(due.lstrip("\ufeff")))}
    assert (due_rows.get("V2A002", [None, None])[1] == wrench) is (version >= 30), due
    if version >= 30:  # its services' costs to date: from the events (step 32), then kept
        to_date = {30: "0.00", 31: "15.00"}.get(version, "55.00")
        assert due_rows["V2A002"][6] == to_date, due
    assert ("V26A26" in due_rows) is (version >= 26), due
    if version >= 28:  # out with Hal since March: a share of the last 365 days
        assert float(due_rows["V26A26"][8]) > 0, due
    # The generator's work and its costs, from the events' data (step 31) or as
    # written since.
    costs = client.get("/reports/maintenance.csv?view=assets&from=2026-01-01&to=2026-07-01")
    costs_rows = {row[0]: row for row in csv.reader(io.StringIO(costs.get_data(as_text=True)))}
    generator = {30: ["2", "25.00"], 31: ["3", "35.00"]}.get(min(version, 31))
    generator_row = costs_rows.get("V7A007")
    assert (generator_row[3:5] if generator_row else None) == generator, costs_rows
    if audit_id:
        audit_page, response = client.soup(f"/audits/{audit_id}")
        assert response.status_code == 200
        assert "Spring count" in audit_page.get_text()
    # The write path works too: a new asset gets the next ids (PostgreSQL's
    # sequences were kept right) and its event.
    added = client.form("/assets/new", {"name": "After the upgrade"})
    assert added.status_code == 303, added.get_data(as_text=True)
    with app.app_context():
        fresh = Asset.get(Asset.name == "After the upgrade")
        assert fresh.version == 1
        assert [e.kind for e in Event.select().where(Event.asset == fresh)] == ["created"]
    # The search box finds what was there before the upgrade (an upgrade to
    # version 12 fills its index) and what was written after it.
    for query, names in [
        ("ladder", ["Step ladder"]),
        ("werner", ["Step ladder"]),
        ("alumin", ["Step ladder"] if version >= 10 else []),
        ("4321 nor", ["Laser level"] if version >= 12 else []),
        ("old-0007", ["Generator"] if version >= 7 else []),
        ("after the", ["After the upgrade"]),
    ]:
        found, response = client.soup("/assets", query_string={"q": query})
        assert response.status_code == 200
        assert names_in(found) == names, query
    close_connection()


@pytest.mark.parametrize("version", VERSIONS)
def test_every_past_version_upgrades_with_its_data(tmp_path, version):
    """A SQLite file as version N left it, with rows from every version up to N,
    upgrades at start-up; the rows read back and the pages work."""
    _upgrades_with_its_data(_sqlite_site(tmp_path), version)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_past_version_upgrades_with_its_data_on_postgresql(pg_server, tmp_path, version):
    """The same on PostgreSQL, from version 1's PostgreSQL tables."""
    _upgrades_with_its_data(_postgres_site(pg_server, tmp_path, f"mig_v{version}"), version)


def test_every_version_has_rows():
    """Each version the tests can build writes rows of its own (add them with a step)."""
    assert set(ROWS) == set(range(1, LATEST + 1)) == {1, *STEPS}


def _sqlite_shape(url: str) -> dict:
    """Tables: columns (name, type, not null, default, pk), indexes and foreign keys."""
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        tables = [
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        shape = {}
        for table in tables:
            cols = sorted(
                (r[1], r[2], r[3], None if (table, r[1]) in STEP_DEFAULTS else r[4], r[5])
                for r in con.execute(f'PRAGMA table_info("{table}")')
            )
            idx = sorted(
                (r[1], r[2], tuple(c[2] for c in con.execute(f'PRAGMA index_info("{r[1]}")')))
                for r in con.execute(f'PRAGMA index_list("{table}")')
            )
            fks = sorted(
                (r[2], r[3], r[4], r[6])  # table, from, to, on_delete
                for r in con.execute(f'PRAGMA foreign_key_list("{table}")')
            )
            shape[table] = (cols, idx, fks)
        # The triggers that keep the search index (version 12), word for word.
        shape["triggers"] = sorted(
            con.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        )
        return shape
    finally:
        con.close()


def _postgres_shape(url: str) -> dict:
    """The same from PostgreSQL's catalogue, with constraints in place of foreign keys."""
    con = psycopg2.connect(url)
    try:
        with con.cursor() as cur:
            shape: dict = {}
            cur.execute(
                "SELECT table_name, column_name, data_type, character_maximum_length, "
                "is_nullable, column_default FROM information_schema.columns "
                "WHERE table_schema = 'public'"
            )
            for table, column, kind, length, nullable, default in cur.fetchall():
                if (table, column) in STEP_DEFAULTS:
                    default = None
                shape.setdefault(table, ([], [], []))[0].append(
                    (column, kind, length, nullable, default)
                )
            cur.execute("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'")
            for table, definition in cur.fetchall():
                shape[table][1].append(definition)
            cur.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
            )
            for table, name, definition in cur.fetchall():
                shape[table.strip('"')][2].append((name, definition))
        return {table: tuple(sorted(part) for part in parts) for table, parts in shape.items()}
    finally:
        con.close()


def _fresh_and_upgraded(fresh: Site, old: Site) -> None:
    fresh.app()
    close_connection()
    _build(old, 1, rows=False)
    old.app()
    close_connection()


def test_start_up_upgrades_a_version_1_file_to_the_fresh_schema(tmp_path):
    """A file upgraded step by step from version 1 ends with a fresh database's
    schema: the same tables, columns (type, null, default), indexes, foreign keys
    and triggers."""
    fresh, old = _sqlite_site(tmp_path, "fresh"), _sqlite_site(tmp_path, "old")
    _fresh_and_upgraded(fresh, old)
    shape = _sqlite_shape(fresh.url)
    assert _sqlite_shape(old.url) == shape
    search = {f"asset_search{part}" for part in ("", "_data", "_idx", "_content", "_docsize")}
    search |= {"asset_search_config", "asset_search_stale"}
    assert set(shape) == {m._meta.table_name for m in MODELS} | search | {"triggers"}
    assert [name for name, _, _ in shape["triggers"]] == [
        "asset_search_delete",
        "asset_search_field_kind",
        "asset_search_insert",
        "asset_search_update",
        "asset_search_value_delete",
        "asset_search_value_insert",
        "asset_search_value_update",
    ]


def test_an_upgraded_postgresql_database_has_the_fresh_schema(pg_server, tmp_path):
    """The same on PostgreSQL, down to index and constraint definitions."""
    fresh = _postgres_site(pg_server, tmp_path, "mig_fresh")
    old = _postgres_site(pg_server, tmp_path, "mig_upgraded")
    _fresh_and_upgraded(fresh, old)
    assert _postgres_shape(old.url) == _postgres_shape(fresh.url)
    assert len(_postgres_shape(fresh.url)) == len(MODELS)


DRIFTED = [("9ad9862",), ("bb96ab5",), ("3a8479d",), tuple(DRIFTS)]


def _names(site: Site) -> tuple[set[str], set[str]]:
    """The database's columns ("table.column") and index names."""
    bind(open_database(site.url))
    try:
        tables = db.get_tables()
        columns = {f"{t}.{c.name}" for t in tables for c in db.get_columns(t)}
        return columns, {i.name for t in tables for i in db.get_indexes(t)}
    finally:
        db.close()


def _drifted_file_is_repaired(fresh: Site, old: Site, drifts: tuple[str, ...], shape) -> None:
    fresh.app()
    close_connection()
    version = max(DRIFTS[d].version for d in drifts)
    _build(old, version, drifts=drifts)
    columns, indexes = _names(old)
    # The file has what those releases left (else this test would prove nothing).
    if "9ad9862" in drifts:
        assert "event.key" in columns and "event.from_holder_id" not in columns
    if "bb96ab5" in drifts:
        assert "audit_item.id" in columns and "audit_item.marked_missing" not in columns
    if "3a8479d" in drifts:
        assert "audit_tick.key" not in columns and "event_at" not in indexes
        assert {"asset_warranty_end", "asset_service_due_on"} <= indexes
    _starts_with_its_data(old, version, drifts)
    assert shape(old.url) == shape(fresh.url)


@pytest.mark.parametrize("drifts", DRIFTED, ids="+".join)
def test_files_from_releases_that_drifted_get_the_fresh_schema(tmp_path, drifts):
    """A file that main at 9ad9862 (version 3), bb96ab5 (version 5) or 3a8479d
    (version 7) upgraded, rows and all, ends with a fresh database's schema: step 9
    adds the columns and indexes those releases left out and drops their old ones."""
    fresh, old = _sqlite_site(tmp_path, "fresh"), _sqlite_site(tmp_path, "old")
    _drifted_file_is_repaired(fresh, old, drifts, _sqlite_shape)


@pytest.mark.parametrize("drifts", DRIFTED, ids="+".join)
def test_drifted_postgresql_databases_get_the_fresh_schema(pg_server, tmp_path, drifts):
    """The same on PostgreSQL, down to index and constraint definitions."""
    name = "mig_drift_" + "_".join(drifts)
    fresh = _postgres_site(pg_server, tmp_path, name + "_fresh")
    old = _postgres_site(pg_server, tmp_path, name)
    _drifted_file_is_repaired(fresh, old, drifts, _postgres_shape)


def test_a_backup_from_the_previous_version_is_restored_then_upgraded(tmp_path, monkeypatch):
    """`tagtrail restore` takes a backup one version old and upgrades it; its rows
    read back and the pages work."""
    old = _sqlite_site(tmp_path, "old")
    _build(old, LATEST - 1)
    saved = old.instance / "tagtrail.sqlite3"
    assert backup.check(saved) == LATEST - 1
    site = _sqlite_site(tmp_path, "restored")
    monkeypatch.setenv("TAGTRAIL_INSTANCE", str(site.instance))
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    result = CliRunner().invoke(main, ["restore", str(saved), "--yes"])
    assert result.exit_code == 0, result.output
    close_connection()
    assert backup.check(site.instance / "tagtrail.sqlite3") == LATEST
    _starts_with_its_data(site, LATEST - 1)


def test_copy_to_postgresql_wants_an_older_file_upgraded_first(pg_server, tmp_path):
    """A SQLite file one version old is refused, saying what to do and leaving the
    target empty; once started (so upgraded) it copies whole."""
    old = _sqlite_site(tmp_path, "old")
    _build(old, LATEST - 1)
    target = _postgres_site(pg_server, tmp_path, "mig_copy")
    with pytest.raises(
        pg_copy.CopyError, match=f"schema version {LATEST - 1}; .* `tagtrail migrate`"
    ):
        pg_copy.copy(old.url, target.url, report=lambda line: None)
    untouched = open_database(target.url)
    assert untouched.get_tables() == []
    untouched.close()
    old.app()
    close_connection()
    counts = pg_copy.copy(old.url, target.url, report=lambda line: None)
    assert counts["audit_room"] == 1
    _starts_with_its_data(target, LATEST - 1)


def test_step_defaults_are_the_only_difference(tmp_path):
    """STEP_DEFAULTS lists exactly the columns whose default differs, so the
    schema comparison above leaves nothing else out."""
    fresh, old = _sqlite_site(tmp_path, "fresh"), _sqlite_site(tmp_path, "old")
    _fresh_and_upgraded(fresh, old)

    def defaults(url: str) -> dict:
        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            tables = [
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return {
                (t, r[1]): r[4] for t in tables for r in con.execute(f'PRAGMA table_info("{t}")')
            }
        finally:
            con.close()

    before, after = defaults(fresh.url), defaults(old.url)
    assert {key for key in after if after[key] != before[key]} == STEP_DEFAULTS


def test_steps_do_not_read_the_models(tmp_path, monkeypatch):
    """A model change cannot change what a shipped step does: with a made-up
    column on every model, an upgrade from version 1 builds the same schema."""
    plain = _sqlite_site(tmp_path, "plain")
    _build(plain, LATEST, rows=False)
    models = [m for m in MODELS if m is not SchemaVersion]  # read by upgrade() itself
    for model in models:
        model._meta.add_field("made_up", CharField(default=""))
    try:
        changed = _sqlite_site(tmp_path, "changed")
        _build(changed, LATEST, rows=False)
    finally:
        for model in models:
            model._meta.remove_field("made_up")
    assert _sqlite_shape(changed.url) == _sqlite_shape(plain.url)
    assert "made_up" not in str(_sqlite_shape(changed.url))


def test_upgrade_keeps_every_row(tmp_path):
    """Assets, events and settings in the version-1 file are all still there."""
    site = _sqlite_site(tmp_path)
    _build(site, 1, rows=False)
    app = site.app()
    with app.app_context():
        asset = Asset.get(Asset.code == "ABC123")
        assert (asset.name, asset.serial, asset.cost_cents, asset.status) == (
            "Old drill",
            "SN-OLD",
            12900,
            "checked_out",
        )
        assert asset.holder.name == "Old Admin"
        assert asset.version == 1
        assert [e.kind for e in Event.select().order_by(Event.id)] == ["created", "checked_out"]
        assert Event.get_by_id(1).data == {"name": "Old drill"}
        assert Setting.get_value("org_name") == "Old Org"


def test_migrate_command_reports_the_upgrade(tmp_path, monkeypatch):
    """`tagtrail migrate` upgrades an old file and says so; a second run has nothing to do."""
    site = _sqlite_site(tmp_path)
    _build(site, 1, rows=False)
    monkeypatch.setenv("TAGTRAIL_INSTANCE", str(site.instance))
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    first = CliRunner().invoke(main, ["migrate"])
    assert first.exit_code == 0, first.output
    assert f"1 → {LATEST}" in first.output
    second = CliRunner().invoke(main, ["migrate"])
    assert f"Already at schema version {LATEST}" in second.output


def test_a_newer_schema_is_refused(tmp_path):
    """A file from a newer tagtrail is left alone with a clear error."""
    site = _sqlite_site(tmp_path)
    _build(site, 1, rows=False)
    con = sqlite3.connect(site.instance / "tagtrail.sqlite3")
    con.execute("UPDATE schema_version SET version = ?", (LATEST + 1,))
    con.commit()
    con.close()
    with pytest.raises(SchemaError, match="newer than this tagtrail"):
        site.app()


def test_foreign_tables_without_a_version_are_refused(tmp_path):
    """A database with our tables but no version row is not guessed at."""
    site = _sqlite_site(tmp_path)
    _build(site, 1, rows=False)
    con = sqlite3.connect(site.instance / "tagtrail.sqlite3")
    con.execute("DROP TABLE schema_version")
    con.commit()
    con.close()
    with pytest.raises(SchemaError):
        site.app()


def test_a_new_database_starts_at_the_latest_version_only(tmp_path):
    """upgrade(to=N) builds past versions from old ones; an empty database is
    never made at an old version (it would not be the shape that version had)."""
    site = _sqlite_site(tmp_path)
    bind(open_database(site.url))
    try:
        with pytest.raises(SchemaError, match="starts at version"):
            upgrade(to=LATEST - 1)
        assert db.get_tables() == []
    finally:
        db.close()


STEP_11_INDEXES = {
    "asset_lower_name_id",
    "custom_field_lower_name",
    "custom_value_field_id_text_asset_id",
    "custom_value_field_id_number_asset_id",
    "custom_value_field_id_day_asset_id",
}


def _version_10_names_differing_in_case(site: Site) -> None:
    """Version 10 with what its racing service check could let in: the names of
    three fields equal ignoring case (one of them at the longest a name may be)."""
    _build(site, 10)
    long = "Finish" + "x" * 54
    bind(open_database(site.url))
    try:
        _sql(
            f"""INSERT INTO "custom_field" ("name", "kind", "choices", "category_id",
            "position", "on_labels", "created_at") VALUES ('{name}', 'text', '[]', NULL, {n},
            FALSE, '2025-11-02 08:00:00')"""
            for n, name in enumerate(["FINISH", long, long.upper()], start=5)
        )
        _, indexes = _names(site)
        assert not indexes & STEP_11_INDEXES
        assert "custom_value_field_id_text" in indexes
    finally:
        db.close()


def _step_11_indexes_and_names(site: Site) -> None:
    app = site.app()
    with app.app_context():
        names = [f.name for f in CustomField.select().order_by(CustomField.id)]
        long = "Finish" + "x" * 54
        # The first of each name keeps it; the later ones are told apart, within 60 characters.
        assert names[1:] == ["Finish", "FINISH (2)", long, long.upper()[:56] + " (2)"]
        assert all(len(name) <= 60 for name in names)
        tables = db.get_tables()
        indexes = {i.name for t in tables for i in db.get_indexes(t)}
        assert STEP_11_INDEXES <= indexes
        assert (
            not {
                "custom_value_field_id_text",
                "custom_value_field_id_number",
                "custom_value_field_id_day",
            }
            & indexes
        )
        # The database itself now refuses a name equal to another ignoring case.
        with pytest.raises(IntegrityError), write():
            CustomField.create(name="finish", kind="text")
    close_connection()


def test_version_11_indexes_the_register_and_makes_field_names_unique(tmp_path):
    """A version 10 file gets the register's name index, the filters' indexes that
    carry the asset (the old ones dropped) and field names unique ignoring case;
    fields that already shared a name ignoring case are renamed "... (2)", not lost."""
    site = _sqlite_site(tmp_path)
    _version_10_names_differing_in_case(site)
    _step_11_indexes_and_names(site)


def test_version_11_indexes_the_register_and_makes_field_names_unique_on_postgresql(
    pg_server, tmp_path
):
    """The same on PostgreSQL."""
    site = _postgres_site(pg_server, tmp_path, "mig_v11_names")
    _version_10_names_differing_in_case(site)
    _step_11_indexes_and_names(site)


def test_postgresql_that_refuses_pg_trgm_still_starts_and_searches(
    pg_server, tmp_path, monkeypatch
):
    """A server where tagtrail may not turn pg_trgm on (PostgreSQL before 13, or
    a database it does not own) gets no trigram indexes: it starts at the latest
    version all the same, and the search box finds by reading every asset."""
    site = _postgres_site(pg_server, tmp_path, "no_trgm")

    class Refusing:
        """The database, refusing to turn on an extension."""

        def __getattr__(self, name):
            return getattr(db, name)

        def execute_sql(self, sql, *args, **kwargs):
            if sql.startswith("CREATE EXTENSION"):
                raise ProgrammingError('permission denied to create extension "pg_trgm"')
            return db.execute_sql(sql, *args, **kwargs)

    monkeypatch.setattr(migrations, "db", Refusing())
    app = site.app()
    monkeypatch.undo()
    app.test_client_class = Client
    with app.app_context():
        assert current_version() == LATEST
        indexes = {r[0] for r in db.execute_sql("SELECT indexname FROM pg_indexes")}
        assert not {i for i in indexes if i.endswith("_trgm")}
        lead = factories.make_user("lead")
        factories.make_asset(lead, name="Laser level", serial="SN-LL-1")
    client = app.test_client()
    AuthActions(client).login(user=lead)
    found, response = client.soup("/assets", query_string={"q": "ll-1"})
    assert response.status_code == 200
    assert names_in(found) == ["Laser level"]
    close_connection()
