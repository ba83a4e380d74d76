-- tagtrail schema version 1, as the first release created it (SQLite).
-- Kept frozen so the upgrade path from it stays tested.
CREATE TABLE "category" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(80) NOT NULL, "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "category_name" ON "category" ("name");
CREATE TABLE "user" ("id" INTEGER NOT NULL PRIMARY KEY, "email" VARCHAR(254), "name" VARCHAR(120) NOT NULL, "password_hash" VARCHAR(255), "role" VARCHAR(16) NOT NULL, "active" INTEGER NOT NULL, "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "user_email" ON "user" ("email");
CREATE TABLE "location" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(120) NOT NULL, "parent_id" INTEGER, "code" VARCHAR(6) NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("parent_id") REFERENCES "location" ("id") ON DELETE RESTRICT);
CREATE INDEX "location_parent_id" ON "location" ("parent_id");
CREATE UNIQUE INDEX "location_code" ON "location" ("code");
CREATE TABLE "asset" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(6) NOT NULL, "name" VARCHAR(200) NOT NULL, "category_id" INTEGER, "manufacturer" VARCHAR(120) NOT NULL, "model" VARCHAR(120) NOT NULL, "serial" VARCHAR(120), "purchase_date" DATE, "cost_cents" INTEGER, "supplier" VARCHAR(120) NOT NULL, "warranty_end" DATE, "notes" TEXT NOT NULL, "status" VARCHAR(16) NOT NULL, "holder_id" INTEGER, "location_id" INTEGER, "due_back" DATE, "last_seen_at" DATETIME, "last_audited_at" DATETIME, "label_printed_at" DATETIME, "retired_at" DATETIME, "retire_reason" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, FOREIGN KEY ("category_id") REFERENCES "category" ("id") ON DELETE SET NULL, FOREIGN KEY ("holder_id") REFERENCES "user" ("id") ON DELETE RESTRICT, FOREIGN KEY ("location_id") REFERENCES "location" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "asset_code" ON "asset" ("code");
CREATE INDEX "asset_category_id" ON "asset" ("category_id");
CREATE UNIQUE INDEX "asset_serial" ON "asset" ("serial");
CREATE INDEX "asset_status" ON "asset" ("status");
CREATE INDEX "asset_holder_id" ON "asset" ("holder_id");
CREATE INDEX "asset_location_id" ON "asset" ("location_id");
CREATE TABLE "event" ("id" INTEGER NOT NULL PRIMARY KEY, "asset_id" INTEGER, "kind" VARCHAR(32) NOT NULL, "actor_id" INTEGER, "at" DATETIME NOT NULL, "holder_id" INTEGER, "location_id" INTEGER, "note" TEXT NOT NULL, "data" TEXT, FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE RESTRICT, FOREIGN KEY ("holder_id") REFERENCES "user" ("id") ON DELETE RESTRICT, FOREIGN KEY ("location_id") REFERENCES "location" ("id") ON DELETE RESTRICT);
CREATE INDEX "event_asset_id" ON "event" ("asset_id");
CREATE INDEX "event_actor_id" ON "event" ("actor_id");
CREATE INDEX "event_holder_id" ON "event" ("holder_id");
CREATE INDEX "event_location_id" ON "event" ("location_id");
CREATE TABLE "schema_version" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL);
CREATE TABLE "setting" ("key" VARCHAR(64) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);
INSERT INTO "schema_version" ("version") VALUES (1);
-- A little data that must survive the upgrade.
INSERT INTO "setting" VALUES ('org_name', 'Old Org');
INSERT INTO "user" VALUES (1, 'old@example.test', 'Old Admin', NULL, 'admin', 1, '2025-01-02 03:04:05');
INSERT INTO "location" VALUES (1, 'Store', NULL, 'L0CAT1', '2025-01-02 03:04:05');
INSERT INTO "category" VALUES (1, 'Drills', '2025-01-02 03:04:05');
INSERT INTO "asset" VALUES (1, 'ABC123', 'Old drill', 1, 'Makita', 'DHP', 'SN-OLD', '2024-05-01', 12900, '', NULL, '', 'checked_out', 1, 1, NULL, NULL, NULL, NULL, NULL, '', '2025-01-02 03:04:05', '2025-01-02 03:04:05');
INSERT INTO "event" VALUES (1, 1, 'created', 1, '2025-01-02 03:04:05', NULL, 1, '', '{"name": "Old drill"}');
INSERT INTO "event" VALUES (2, 1, 'checked_out', 1, '2025-01-03 03:04:05', 1, NULL, '', NULL);
