"""A big throwaway instance for the benchmarks: one location tree, many assets
and a long, uneven history, bulk-inserted with peewee's insert_many in one
transaction.

Each asset's history is made up first and its row then written already
matching its last events (place, holder, status, last seen), so nothing is
updated afterwards. With `management=True` the register also gets what the
dashboard looks at: purchase dates and costs, warranties ending over a few
years, service intervals (per category, some per asset) and past services,
due dates (some passed), each asset's last service and a few repairs with
their costs and faults, and a few missing, retired and faulty items.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from harness import fresh_instance


@dataclass
class Dataset:
    folder: Path
    lead_id: int
    root_id: int  # the top of the one location tree every asset sits in
    codes: list[str]  # asset codes, in asset id order
    events: int


NAMES = [
    "Makita DHP482 cordless drill",
    "Fluke 87V multimeter",
    "Dell Latitude 5440",
    "Hilti TE 30 rotary hammer",
    "Ladder 3 m, aluminium",
    "Projector Epson EB-W51",
    "Extension lead 25 m",
    "Bosch GLM 50 laser measure",
    "Pallet truck",
    "Festool TS 55 plunge saw",
    "iPad 10th gen",
    "First aid kit",
]
# Services and repairs (`_upkeep`) add about this many events per asset, out
# of the `events` asked for.
UPKEEP_PER_ASSET = 0.6
# Rows per INSERT: events have 9 columns and assets 20, so both stay under
# SQLite's 32,766 variables per statement.
EVENT_CHUNK = 3500
ASSET_CHUNK = 1000
# Service intervals per category (index modulo this list); None: no service.
CATEGORY_INTERVALS = [180, None, 365, 90, None, 365, None, None, 30, 180, None, 365]
# Useful lives: every fourth category's three years are over for most of its
# items, so about a quarter of the register is due for replacement.
CATEGORY_LIVES = [36, 60, 60, 60]

ASSET_COLUMNS = (
    "id",
    "code",
    "name",
    "category",
    "location",
    "holder",
    "status",
    "due_back",
    "last_seen_at",
    "last_audited_at",
    "created_at",
    "updated_at",
    "purchase_date",
    "life_ends_on",
    "cost_cents",
    "warranty_end",
    "service_interval_days",
    "last_serviced_on",
    "service_due_on",
    "retired_at",
    "retire_reason",
)


def build_dataset(
    assets: int = 10_000,
    events: int = 1_000_000,
    *,
    people_count: int = 60,
    buildings: int = 4,
    floors: int = 3,
    rooms: int = 10,
    seed: int = 7,
    management: bool = False,
    folder: Path | None = None,
    progress=print,
) -> Dataset:
    """A fresh instance (in `folder`, or a new temporary one) holding a busy history.

    One location tree (site > buildings > floors > rooms), `assets` assets spread over
    the rooms and about `events` events in all: one `created` per asset, then
    check-outs and returns, moves and past audits, spread unevenly over assets and
    people (plus, with `management`, the events behind missing, retired and faulty
    items).
    """
    from app import codes as codes_module
    from app.database import close_connection, write
    from app.models import Asset, Audit, Category, Event, Fault, Location, User, utcnow
    from app.register.rules import event_cost
    from app.replacement.rules import life_ends_on

    rng = random.Random(seed)
    started = time.perf_counter()
    folder, lead = fresh_instance(folder)
    taken: set[str] = set()

    def fresh_code() -> str:
        while True:
            code = "".join(rng.choice(codes_module.ALPHABET) for _ in range(codes_module.LENGTH))
            if code not in taken:
                taken.add(code)
                return code

    now = utcnow()
    begin = now - timedelta(days=3 * 365)
    event_fields = [
        Event.asset,
        Event.kind,
        Event.actor,
        Event.at,
        Event.holder,
        Event.location,
        Event.note,
        Event.data,
        Event.cost_cents,
    ]
    written = 0
    all_codes: list[str] = []
    with write():  # one transaction: a crash leaves nothing half-built
        User.insert_many(
            [{"name": f"Person {i:02d}", "role": "member"} for i in range(people_count - 1)]
        ).execute()
        person_ids = [u.id for u in User.select(User.id)]
        root = Location.create(name="Harbour site", code=fresh_code())
        room_ids, room_names = [], {}
        for b in range(buildings):
            building = Location.create(name=f"Building {b + 1}", parent=root, code=fresh_code())
            for f in range(floors):
                floor = Location.create(
                    name=f"B{b + 1} floor {f}", parent=building, code=fresh_code()
                )
                for r in range(rooms):
                    room = Location.create(
                        name=f"Room {b + 1}.{f}.{r + 1:02d}", parent=floor, code=fresh_code()
                    )
                    room_ids.append(room.id)
                    room_names[room.id] = room.name
        intervals = {}
        category_ids = []
        for i, name in enumerate(NAMES):
            interval = CATEGORY_INTERVALS[i % len(CATEGORY_INTERVALS)] if management else None
            category = Category.create(
                name=name.split()[0] + f" {i}",
                service_interval_days=interval,
                useful_life_months=CATEGORY_LIVES[i % 4] if management else None,
                salvage_percent=10 if management else None,
            )
            category_ids.append(category.id)
            intervals[category.id] = interval
        past_audits = [
            Audit.create(
                name=f"Quarterly audit {q + 1}",
                status="closed",
                started_by=lead,
                started_at=begin + timedelta(days=90 * q),
                closed_by=lead,
                closed_at=begin + timedelta(days=90 * q, hours=5),
            ).id
            for q in range(12)
        ]

        # Uneven: a few assets are borrowed all the time, most now and then.
        weights = [rng.paretovariate(1.5) for _ in range(assets)]
        counts = [0] * assets
        custody = events - assets - (int(UPKEEP_PER_ASSET * assets) if management else 0)
        for index in rng.choices(range(assets), weights=weights, k=max(custody, 0)):
            counts[index] += 1

        asset_rows: list[dict] = []
        event_rows: list[tuple] = []
        fault_rows: list[dict] = []

        def flush() -> None:
            nonlocal written
            for i in range(0, len(asset_rows), ASSET_CHUNK):
                Asset.insert_many(asset_rows[i : i + ASSET_CHUNK]).execute()
            # Each with its cost, as the app writes it (register/rules.py event_cost).
            costed = [(*row, event_cost(row[1], row[7])) for row in event_rows]
            for i in range(0, len(costed), EVENT_CHUNK):
                Event.insert_many(costed[i : i + EVENT_CHUNK], fields=event_fields).execute()
            if fault_rows:
                Fault.insert_many(fault_rows).execute()
            written += len(event_rows)
            asset_rows.clear()
            event_rows.clear()
            fault_rows.clear()
            progress(f"  {len(all_codes):,} assets, {written:,} events ({_since(started)})")

        # A fresh table: the assets get ids 1..N, so events can name them before insert.
        for i, count in enumerate(counts):
            asset_id = i + 1
            code = fresh_code()
            all_codes.append(code)
            created = begin + timedelta(seconds=rng.randrange(30 * 86400))
            location = rng.choice(room_ids)
            event_rows.append((asset_id, "created", lead.id, created, None, location, "", None))
            at, holder, seen, audited, out_at = created, None, created, None, None
            step = (now - created) / (count + 1)
            for n in range(count):
                at = min(at + step * rng.uniform(0.5, 1.5), now)
                actor = rng.choice(person_ids)
                roll = rng.random()
                if n == count - 1 and not holder and roll < 0.70 and rng.random() < 0.85:
                    roll = rng.uniform(0.70, 1.0)  # so that about one item in twenty is out now
                if holder:
                    kind, row_holder, holder = "checked_in", holder, None
                    data = {"condition": "ok"} if roll < 0.2 else None
                elif roll < 0.70:
                    holder = row_holder = actor
                    kind, data, out_at = "checked_out", None, at
                elif roll < 0.85:
                    before, location = location, rng.choice(room_ids)
                    kind, row_holder = "moved", None
                    data = {"from": room_names[before], "to": room_names[location]}
                else:
                    audit = past_audits[min(11, int((at - begin).days // 91))]
                    kind, row_holder, audited = "audited", None, at
                    data = {"audit_id": audit, "expected": True, "wrong_place": False}
                seen = at
                event_rows.append((asset_id, kind, actor, at, row_holder, location, "", data))
            row = dict.fromkeys(ASSET_COLUMNS)
            row.update(
                id=asset_id,
                code=code,
                name=f"{NAMES[i % len(NAMES)]} #{i + 1}",
                category=category_ids[i % len(category_ids)],
                location=location,
                holder=holder,
                status="checked_out" if holder else "available",
                last_seen_at=seen,
                last_audited_at=audited,
                created_at=created,
                updated_at=seen,
                retire_reason="",
            )
            if management:
                _manage(rng, row, intervals, now, out_at, event_rows, fault_rows, lead.id)
                # The projection the replacement plan reads, as the app keeps it.
                life = CATEGORY_LIVES[(i % len(category_ids)) % len(CATEGORY_LIVES)]
                row["life_ends_on"] = life_ends_on(row["purchase_date"], life)
            asset_rows.append(row)
            if len(event_rows) >= 100_000:
                flush()
        flush()
        # Bulk inserts go around the app: its projections are filled in one go.
        from app.register import custody_intervals, last_use, upkeep

        spells = custody_intervals.rebuild()
        progress(f"  {spells:,} spells of custody ({_since(started)})")
        used = last_use.rebuild()
        progress(f"  {used:,} assets' last use ({_since(started)})")
        kept = upkeep.rebuild()
        progress(f"  {kept:,} assets' costs to date ({_since(started)})")
    close_connection()
    out = Asset.select().where(Asset.holder.is_null(False)).count()
    progress(f"  done: {out:,} assets out with people ({_since(started)})")
    return Dataset(folder=folder, lead_id=lead.id, root_id=root.id, codes=all_codes, events=written)


def _manage(rng, row, intervals, now, out_at, event_rows, fault_rows, lead_id) -> None:
    """Purchase, warranty, service and trouble for one asset row (dashboard data)."""
    from app.custody.servicing import service_base

    today = now.date()
    created = row["created_at"]
    purchase = created.date() - timedelta(days=rng.randrange(365))
    row["purchase_date"] = purchase
    row["cost_cents"] = rng.randrange(2_000, 500_000)
    # Warranties of one to four years: a few percent end in any given month.
    row["warranty_end"] = purchase + timedelta(days=rng.randrange(365, 4 * 365))
    if rng.random() < 0.05:
        row["service_interval_days"] = rng.choice((30, 60, 90))
    interval = row["service_interval_days"] or intervals[row["category"]]
    if interval and rng.random() < 0.7:
        # Serviced lately, mostly on time: some are now overdue.
        row["last_serviced_on"] = today - timedelta(days=rng.randrange(int(interval * 1.2)))
    if interval:
        row["service_due_on"] = service_base(
            row["last_serviced_on"], purchase, created
        ) + timedelta(days=interval)
    if row["holder"]:
        row["due_back"] = out_at.date() + timedelta(days=rng.randrange(1, 30))
        _upkeep(rng, row, out_at, now, event_rows, fault_rows, lead_id)
        return
    _upkeep(rng, row, row["last_seen_at"], now, event_rows, fault_rows, lead_id)
    at = row["last_seen_at"] + timedelta(hours=1)
    roll = rng.random()
    asset_id = row["id"]
    if roll < 0.005:
        row["status"] = "missing"
        event_rows.append((asset_id, "marked_missing", lead_id, at, None, None, "", None))
    elif roll < 0.015:
        row.update(status="retired", retired_at=at, retire_reason="scrapped")
        event_rows.append(
            (asset_id, "retired", lead_id, at, None, None, "", {"reason": "scrapped"})
        )
    elif roll < 0.020:
        severity = rng.choice(("usable", "do_not_use"))
        fault_rows.append(
            {
                "asset": asset_id,
                "reported_at": at,
                "description": "Worn",
                "severity": severity,
                "closed_at": None,
            }  # fmt: skip
        )
        if severity == "do_not_use":
            row["status"] = "faulty"
        event_rows.append(
            (asset_id, "fault_reported", lead_id, at, None, None, "Worn", {"severity": severity})
        )


# Of every hundred assets: how many were repaired in their life, and how many
# of those broke down again and again in the last year (three repairs).
REPAIRED = 5
REPEATEDLY = 0.4


def _upkeep(rng, row, before, now, event_rows, fault_rows, lead_id) -> None:
    """Services and repairs with their costs, as leads record them: the last
    service on `last_serviced_on` (most with a cost), and for a few assets a
    fault, the repair it needed and its cost; a few broke down three times in
    the last year. Repairs end before `before` (the asset's last event), so its
    status stays as its history left it. What the maintenance report and the
    replacement plan's repairs and faults read."""
    asset_id = row["id"]
    serviced = row["last_serviced_on"]
    if serviced is not None:
        at = datetime.combine(serviced, datetime.min.time()) + timedelta(hours=9)
        at = max(min(at, now), row["created_at"])  # not moved: a service leaves status be
        cost = rng.randrange(1_500, 25_000) if rng.random() < 0.65 else None
        data = {"cost_cents": cost, "serviced_on": serviced.isoformat(), "next_due": None}
        if row["service_due_on"] is not None:
            data["next_due"] = row["service_due_on"].isoformat()
        event_rows.append((asset_id, "serviced", lead_id, at, None, None, "", data))
    roll = rng.random() * 100
    if roll >= REPAIRED:
        return
    start = max(row["created_at"], before - timedelta(days=365 if roll < REPEATEDLY else 1000))
    room = (before - start).total_seconds() - 20 * 86400
    if room <= 0:
        return
    for _ in range(3 if roll < REPEATEDLY else 1):
        broke = start + timedelta(seconds=rng.uniform(0, room))
        fixed = broke + timedelta(days=rng.uniform(1, 14))
        fault_rows.append(
            {"asset": asset_id, "reported_at": broke, "description": "Stopped working",
             "severity": "do_not_use", "closed_at": fixed}
        )  # fmt: skip
        event_rows += [
            (asset_id, "fault_reported", lead_id, broke, None, None, "Stopped working",
             {"severity": "do_not_use"}),
            (asset_id, "repair_started", lead_id, broke + timedelta(hours=2), None, None, "",
             None),
            (asset_id, "repaired", lead_id, fixed, None, None, "",
             {"faults_closed": 1, "cost_cents": rng.randrange(3_000, 150_000)}),
        ]  # fmt: skip


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


# Bump when this file or the schema's indexes change what it builds.
DATASET_VERSION = 7


def cached_dataset(assets: int, events: int, seed: int, rebuild: bool) -> Path:
    """The cached instance for these options, built first if it is not there yet."""
    from app.migrations import LATEST

    name = f"tagtrail-bench-{assets}-{events}-s{seed}-v{LATEST}.{DATASET_VERSION}"
    folder = Path(tempfile.gettempdir()) / name
    ready = folder / "READY"
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    if ready.exists():
        print(f"Reusing the dataset in {folder} (--rebuild to make it afresh).", flush=True)
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    building = Path(tempfile.mkdtemp(prefix="tagtrail-bench-building-"))
    print(f"Building {assets:,} assets and {events:,} events (a few minutes)…", flush=True)
    build_dataset(assets, events, seed=seed, management=True, folder=building)
    (building / "READY").write_text("complete\n")
    building.rename(folder)  # only a finished dataset ever has the cached name
    return folder


def derived_dataset(base: Path, suffix: str, rebuild: bool, add: Callable[[Path], str]) -> Path:
    """`base` copied beside itself as `<base>-<suffix>` and changed once by
    `add(folder)` (which says what it added), then kept: a bench's own data on
    top of the shared dataset, built only when missing or asked afresh."""
    folder = base.with_name(f"{base.name}-{suffix}")
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    if (folder / "READY").exists():
        print(f"Reusing {folder}.", flush=True)
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    shutil.copytree(base, building)
    (building / "READY").unlink(missing_ok=True)
    said = add(building)
    (building / "READY").write_text("complete\n")
    building.rename(folder)  # only a finished copy ever has the cached name
    print(f"{said}: {folder}", flush=True)
    return folder
