"""A big throwaway instance for the audit benchmark: one location tree, many
assets and a long, uneven history, bulk-inserted with peewee's insert_many."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta
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
CHUNK = 2000  # rows per INSERT: 8 columns x 2000 stays under SQLite's 32,766 variables


def build_dataset(
    assets: int = 10_000,
    events: int = 1_000_000,
    *,
    people_count: int = 60,
    buildings: int = 4,
    floors: int = 3,
    rooms: int = 10,
    seed: int = 7,
    progress=print,
) -> Dataset:
    """A fresh instance holding a busy history, written with insert_many in chunks.

    One location tree (site > buildings > floors > rooms), `assets` assets spread over
    the rooms and `events` events in all: one `created` per asset, then check-outs and
    returns, moves and past audits, spread unevenly over assets and people. The assets'
    projection (place, holder, status, last seen) is left matching their last events.
    """
    from app import codes as codes_module
    from app.database import write
    from app.models import Asset, Audit, Category, Event, Location, User, utcnow

    rng = random.Random(seed)
    started = time.perf_counter()
    folder, lead = fresh_instance()
    taken: set[str] = set()

    def fresh_code() -> str:
        while True:
            code = "".join(rng.choice(codes_module.ALPHABET) for _ in range(codes_module.LENGTH))
            if code not in taken:
                taken.add(code)
                return code

    now = utcnow()
    begin = now - timedelta(days=3 * 365)
    with write():
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
        category_ids = [
            Category.create(name=name.split()[0] + f" {i}").id for i, name in enumerate(NAMES)
        ]
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
        rows = []
        for i in range(assets):
            created = begin + timedelta(seconds=rng.randrange(30 * 86400))
            rows.append(
                {
                    "code": fresh_code(),
                    "name": f"{NAMES[i % len(NAMES)]} #{i + 1}",
                    "category": category_ids[i % len(category_ids)],
                    "location": rng.choice(room_ids),
                    "created_at": created,
                    "updated_at": created,
                }
            )
        for i in range(0, len(rows), 500):
            Asset.insert_many(rows[i : i + 500]).execute()
    assets_by_id = list(
        Asset.select(Asset.id, Asset.code, Asset.location, Asset.created_at)
        .order_by(Asset.id)
        .tuples()
    )
    progress(f"  {len(assets_by_id):,} assets in {len(room_ids)} rooms ({_since(started)})")

    # Uneven: a few assets are borrowed all the time, most now and then.
    weights = [rng.paretovariate(1.5) for _ in assets_by_id]
    extra = events - len(assets_by_id)
    counts = [0] * len(assets_by_id)
    for index in rng.choices(range(len(assets_by_id)), weights=weights, k=extra):
        counts[index] += 1

    fields = [
        Event.asset,
        Event.kind,
        Event.actor,
        Event.at,
        Event.holder,
        Event.location,
        Event.note,
        Event.data,
    ]
    written = 0
    final: dict[int, tuple] = {}
    buffer: list[tuple] = []

    def flush() -> None:
        nonlocal written
        with write():
            for i in range(0, len(buffer), CHUNK):
                Event.insert_many(buffer[i : i + CHUNK], fields=fields).execute()
        written += len(buffer)
        buffer.clear()
        progress(f"  {written:,} events ({_since(started)})")

    for (asset_id, _code, location, created), count in zip(assets_by_id, counts, strict=True):
        buffer.append((asset_id, "created", lead.id, created, None, location, "", None))
        at, holder, seen, audited = created, None, created, None
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
                kind, data = "checked_out", None
            elif roll < 0.85:
                before, location = location, rng.choice(room_ids)
                kind, row_holder = "moved", None
                data = {"from": room_names[before], "to": room_names[location]}
            else:
                audit = past_audits[min(11, int((at - begin).days // 91))]
                kind, row_holder, audited = "audited", None, at
                data = {"audit_id": audit, "expected": True, "wrong_place": False}
            seen = at
            buffer.append((asset_id, kind, actor, at, row_holder, location, "", data))
        final[asset_id] = (location, holder, seen, audited)
        if len(buffer) >= 100_000:
            flush()
    if buffer:
        flush()

    with write():
        for asset_id, (location, holder, seen, audited) in final.items():
            Asset.update(
                location=location,
                holder=holder,
                status="checked_out" if holder else "available",
                last_seen_at=seen,
                last_audited_at=audited,
            ).where(Asset.id == asset_id).execute()
    out = sum(1 for v in final.values() if v[1])
    progress(f"  projection updated: {out:,} assets out with people ({_since(started)})")
    return Dataset(
        folder=folder,
        lead_id=lead.id,
        root_id=root.id,
        codes=[code for _id, code, _loc, _created in assets_by_id],
        events=written,
    )


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"
