"""Reservations on 100,000 assets with 50,000 bookings: what is free for a week
in one category, the asset page, and reserving at 16 clients.

    .venv/bin/python bench/reservations.py [--seconds 10] [--rebuild]

Takes the cached dataset of bench/generate.py (100k assets, 1M events), copies
it once and adds 50,000 bookings of one item each (kept beside it): for 25,000
assets, one that ended in the last month and one coming in the next six weeks,
written as the service writes them (each item with a copy of its period and
whether it still holds the asset). Then, against the real server (`tagtrail
serve`) on loopback, wrk in its own process measures:

- the register filtered to one category and "Free from next Monday 08:00 to
  Friday 17:00", one connection: p50 <= 100 ms (the count it shows is first
  checked against the rule asked asset by asset, `rules.is_free`);
- the asset page of items with bookings, random codes, 4 connections (the
  register's load bench asks p50 <= 10 ms, p99 <= 50 ms of it; its query budget,
  one more query for bookings, is tests/test_query_counts.py's);
- Reserve POSTs at 16 connections, each of another asset or day, 09:00-17:00
  seven to twelve weeks ahead: p99 <= 100 ms with no errors.

/healthz from the same server in the same run is the reference: shared
machines are noisy, so each figure is also given against it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bs4 import BeautifulSoup
from dataset import cached_dataset, derived_dataset
from harness import csrf, server, sign_in, wrk

HERE = Path(__file__).resolve().parent
VERSION = 1  # bump when what is added below changes
RESERVE_FROM_DAYS, RESERVE_DAYS = 50, 35  # the Reserve run's days, counted from today
STAMP = "%Y-%m-%d %H:%M:%S"


def _period(rng: random.Random, day: date) -> tuple[datetime, datetime]:
    """A booking starting on `day` between 07:00 and 16:00, from an hour to three days."""
    start = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.randrange(7, 17))
    return start, start + timedelta(hours=rng.choice([1, 2, 4, 8, 24, 48, 72]))


def with_reservations(
    assets: int, events: int, bookings_wanted: int, seed: int, rebuild: bool
) -> Path:
    """The cached dataset copied, with that many bookings (built once, kept beside it)."""
    base = cached_dataset(assets, events, seed, rebuild)
    suffix = f"reservations{bookings_wanted}.{VERSION}"
    return derived_dataset(base, suffix, rebuild, lambda f: _add_bookings(f, bookings_wanted, seed))


def _add_bookings(building: Path, bookings_wanted: int, seed: int) -> str:
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    today = now.date()
    con = sqlite3.connect(building / "tagtrail.sqlite3")
    try:
        with con:
            people = [i for (i,) in con.execute("SELECT id FROM user WHERE active ORDER BY id")]
            # Items anyone could book: in service, not missing; a tenth left unbooked
            # for the Reserve run.
            bookable = [
                i
                for (i,) in con.execute(
                    "SELECT id FROM asset WHERE status NOT IN ('retired', 'missing') ORDER BY id"
                )
            ]
            chosen = rng.sample(bookable, bookings_wanted // 2)
            bookings, items = [], []
            for n, asset_id in enumerate(chosen):
                person = rng.choice(people)
                past = _period(rng, today - timedelta(days=rng.randrange(4, 31)))
                coming = _period(rng, today + timedelta(days=rng.randrange(1, 43)))
                for k, ((start, end), state) in enumerate(((past, "ended"), (coming, "booked"))):
                    rid = 2 * n + k + 1
                    ended = end.strftime(STAMP) if state == "ended" else None
                    bookings.append(
                        (rid, person, person, start.strftime(STAMP), end.strftime(STAMP), "",
                         state, start.strftime(STAMP) if ended else None, ended,
                         (start - timedelta(days=3)).strftime(STAMP), 1)
                    )  # fmt: skip
                    items.append(
                        (rid, asset_id, start.strftime(STAMP), end.strftime(STAMP),
                         int(state == "booked"))
                    )  # fmt: skip
            con.executemany(
                "INSERT INTO reservation (id, person_id, made_by_id, starts_at, ends_at, note, "
                "state, started_at, ended_at, created_at, version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                bookings,
            )
            con.executemany(
                "INSERT INTO reservation_item (reservation_id, asset_id, starts_at, ends_at, "
                "active) VALUES (?, ?, ?, ?, ?)",
                items,
            )
        con.execute("ANALYZE")
    finally:
        con.close()
    return f"Added {len(bookings):,} bookings"


def _next_week() -> tuple[date, date]:
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    return monday, monday + timedelta(days=4)


def _codes(folder: Path) -> tuple[int, list[str], list[str]]:
    """The biggest category, codes of items with a coming booking (the asset
    page run), and of items nobody has booked or holds (the Reserve run)."""
    con = sqlite3.connect(folder / "tagtrail.sqlite3")
    try:
        (category,) = con.execute(
            "SELECT category_id FROM asset WHERE category_id IS NOT NULL "
            "GROUP BY category_id ORDER BY COUNT(*) DESC, category_id LIMIT 1"
        ).fetchone()
        booked = [
            c
            for (c,) in con.execute(
                "SELECT code FROM asset WHERE id IN "
                "(SELECT asset_id FROM reservation_item WHERE active) ORDER BY random() LIMIT 4000"
            )
        ]
        free = [
            c
            for (c,) in con.execute(
                "SELECT code FROM asset WHERE status NOT IN ('retired', 'missing') "
                "AND holder_id IS NULL AND id NOT IN (SELECT asset_id FROM reservation_item) "
                "ORDER BY random() LIMIT 8000"
            )
        ]
    finally:
        con.close()
    return category, booked, free


def expected_free(folder: Path, category: int, query: dict) -> tuple[int, float]:
    """How many of the category's assets the rule finds free, asked asset by
    asset in Python (`rules.is_free`), and the register's own query's CPU ms."""
    os.environ["TAGTRAIL_INSTANCE"] = str(folder)
    from app import create_app
    from app.clock import utcnow
    from app.database import close_connection
    from app.models import Asset
    from app.register import assets
    from app.reservations import moments, rules
    from app.templating import local_zone

    app = create_app()
    with app.test_request_context():
        zone = local_zone()
        start, end = moments.asked_period(
            date.fromisoformat(query["free_from"]),
            query["free_from_time"],
            date.fromisoformat(query["free_to"]),
            query["free_to_time"],
            zone,
        )
        wanted = rules.Wanted(start, end, zone, utcnow(), rules.current_policy())
        count = sum(
            rules.is_free(a, wanted) for a in Asset.select().where(Asset.category == category)
        )
        search = assets.Search(category_id=category, free=wanted)
        runs = []
        for _ in range(7):
            started = time.process_time()
            _, total = assets.search(search)
            runs.append((time.process_time() - started) * 1000)
        assert total == count, f"the register finds {total}, asked one by one {count}"
    close_connection()
    return count, sorted(runs)[3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--bookings", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="build the datasets afresh")
    args = parser.parse_args()

    folder = with_reservations(args.assets, args.events, args.bookings, args.seed, args.rebuild)
    category, booked, free = _codes(folder)
    monday, friday = _next_week()
    query = {
        "category": category,
        "free_from": monday.isoformat(),
        "free_from_time": "08:00",
        "free_to": friday.isoformat(),
        "free_to_time": "17:00",
    }
    count, cpu = expected_free(folder, category, query)
    period = f"{monday:%a %d %b} 08:00 – {friday:%a %d %b} 17:00"
    print(
        f"Free in category {category}, {period}: {count:,} assets "
        f"(the register's query alone: {cpu:.1f} CPU ms)",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="tagtrail-reserve-"))
    (work / "booked.txt").write_text("\n".join(booked) + "\n")
    (work / "free.txt").write_text("\n".join(free) + "\n")
    first_day = date.today() + timedelta(days=RESERVE_FROM_DAYS)
    seconds, results = args.seconds, {}
    with server(folder, threads=8) as base:
        opener, cookie = sign_in(base)
        token = csrf(opener, base)
        agent = dict(opener.addheaders).get("User-agent", "Python-urllib")
        lead = {"cookie": cookie, "headers": {"User-Agent": agent}}
        url = f"{base}/assets?{urllib.parse.urlencode(query)}"
        page = opener.open(url).read().decode()  # warm, and check it finds what it should
        shown = BeautifulSoup(page, "html.parser").select_one("#asset-results p.muted")
        listed = int(shown.get_text().split()[0].replace(",", ""))
        assert listed == count, f"the page lists {listed}, expected {count}"
        opener.open(f"{base}/A/{booked[0]}").read()
        print(
            f"\nMeasuring on {base}, {seconds} s per run, load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores…",
            flush=True,
        )
        for conns in (1, 4, 16):
            results[f"healthz-{conns}"] = wrk(base + "/healthz", seconds=seconds, connections=conns)
        results["free"] = wrk(url, seconds=seconds, connections=1, **lead)
        results["category"] = wrk(
            f"{base}/assets?category={category}", seconds=seconds, connections=1, **lead
        )
        results["asset"] = wrk(
            base,
            seconds=seconds,
            connections=4,
            script=HERE / "pages.lua",
            script_args=[str(work / "booked.txt")],
            **lead,
        )
        results["reserve"] = wrk(
            base,
            seconds=seconds,
            connections=16,
            script=HERE / "reserve.lua",
            script_args=[str(work / "free.txt"), token, first_day.isoformat(), str(RESERVE_DAYS)],
            **lead,
        )
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}", flush=True)
    shutil.rmtree(work, ignore_errors=True)

    rows = [
        # name, result, reference, connections, checks
        ("/healthz (reference)", "healthz-1", "healthz-1", 1, []),
        ("/healthz (reference)", "healthz-4", "healthz-4", 4, []),
        ("/healthz (reference)", "healthz-16", "healthz-16", 16, []),
        ("free for a week, one category", "free", "healthz-1", 1, [("p50", 100)]),
        ("the category alone (comparison)", "category", "healthz-1", 1, []),
        ("asset page with bookings", "asset", "healthz-4", 4, [("p50", 10), ("p99", 50)]),
        ("Reserve POST", "reserve", "healthz-16", 16, [("p99", 100)]),
    ]
    print(
        f"\n{'request':<32}{'conns':>6}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}{'errors':>8}"
        f"{'p50 ×':>8}{'p99 ×':>8}{'req/s %':>9}  target"
    )
    missed = []
    for name, key, ref, conns, checks in rows:
        r, h = results[key], results[ref]
        verdicts = []
        for stat, limit in checks:
            ok = r[stat] <= limit
            verdicts.append(f"{stat} ≤ {limit} {'ok' if ok else 'MISSED'}")
            if not ok:
                missed.append(f"{name} {stat}")
        if key == "reserve":
            verdicts.append("no errors " + ("ok" if not r["errors"] else "MISSED"))
            if r["errors"]:
                missed.append(f"{name} errors")
        print(
            f"{name:<32}{conns:6d}{r['p50']:9.1f}{r['p99']:9.1f}{r['rps']:9.0f}{r['errors']:8d}"
            f"{r['p50'] / h['p50']:8.1f}{r['p99'] / h['p99']:8.1f}{r['rps'] / h['rps'] * 100:8.1f}%"
            f"  {'; '.join(verdicts)}"
        )
    said = results["reserve"]["output"].split("Transfer/sec")[-1].partition("\n")[2].strip()
    if said:
        print("\nReserve failures (first few):\n" + said)
    print(f"\nReserve: {results['reserve']['requests']:,} bookings in {seconds} s.")
    print("\nAll targets met." if not missed else "\nMissed: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
