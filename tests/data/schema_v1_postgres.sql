-- tagtrail schema version 1 on PostgreSQL, as the first release created it
-- (tests/data/schema_v1.sql is the same on SQLite). Kept frozen so the
-- upgrade path from it stays tested; the tests add their own rows.
CREATE TABLE "schema_version" ("id" SERIAL NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL);
CREATE TABLE "setting" ("key" VARCHAR(64) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);
CREATE TABLE "user" ("id" SERIAL NOT NULL PRIMARY KEY, "email" VARCHAR(254), "name" VARCHAR(120) NOT NULL, "password_hash" VARCHAR(255), "role" VARCHAR(16) NOT NULL, "active" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL);
CREATE UNIQUE INDEX "user_email" ON "user" ("email");
CREATE TABLE "location" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(120) NOT NULL, "parent_id" INTEGER, "code" VARCHAR(6) NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("parent_id") REFERENCES "location" ("id") ON DELETE RESTRICT);
CREATE INDEX "location_parent_id" ON "location" ("parent_id");
CREATE UNIQUE INDEX "location_code" ON "location" ("code");
CREATE TABLE "category" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(80) NOT NULL, "created_at" TIMESTAMP NOT NULL);
CREATE UNIQUE INDEX "category_name" ON "category" ("name");
CREATE TABLE "asset" ("id" SERIAL NOT NULL PRIMARY KEY, "code" VARCHAR(6) NOT NULL, "name" VARCHAR(200) NOT NULL, "category_id" INTEGER, "manufacturer" VARCHAR(120) NOT NULL, "model" VARCHAR(120) NOT NULL, "serial" VARCHAR(120), "purchase_date" DATE, "cost_cents" INTEGER, "supplier" VARCHAR(120) NOT NULL, "warranty_end" DATE, "notes" TEXT NOT NULL, "status" VARCHAR(16) NOT NULL, "holder_id" INTEGER, "location_id" INTEGER, "due_back" DATE, "last_seen_at" TIMESTAMP, "last_audited_at" TIMESTAMP, "label_printed_at" TIMESTAMP, "retired_at" TIMESTAMP, "retire_reason" VARCHAR(32) NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("category_id") REFERENCES "category" ("id") ON DELETE SET NULL, FOREIGN KEY ("holder_id") REFERENCES "user" ("id") ON DELETE RESTRICT, FOREIGN KEY ("location_id") REFERENCES "location" ("id") ON DELETE RESTRICT);
CREATE UNIQUE INDEX "asset_code" ON "asset" ("code");
CREATE INDEX "asset_category_id" ON "asset" ("category_id");
CREATE UNIQUE INDEX "asset_serial" ON "asset" ("serial");
CREATE INDEX "asset_status" ON "asset" ("status");
CREATE INDEX "asset_holder_id" ON "asset" ("holder_id");
CREATE INDEX "asset_location_id" ON "asset" ("location_id");
CREATE TABLE "event" ("id" SERIAL NOT NULL PRIMARY KEY, "asset_id" INTEGER, "kind" VARCHAR(32) NOT NULL, "actor_id" INTEGER, "at" TIMESTAMP NOT NULL, "holder_id" INTEGER, "location_id" INTEGER, "note" TEXT NOT NULL, "data" TEXT, FOREIGN KEY ("asset_id") REFERENCES "asset" ("id") ON DELETE RESTRICT, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE RESTRICT, FOREIGN KEY ("holder_id") REFERENCES "user" ("id") ON DELETE RESTRICT, FOREIGN KEY ("location_id") REFERENCES "location" ("id") ON DELETE RESTRICT);
CREATE INDEX "event_asset_id" ON "event" ("asset_id");
CREATE INDEX "event_actor_id" ON "event" ("actor_id");
CREATE INDEX "event_holder_id" ON "event" ("holder_id");
CREATE INDEX "event_location_id" ON "event" ("location_id");
INSERT INTO "schema_version" ("version") VALUES (1);
