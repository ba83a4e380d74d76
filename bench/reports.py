"""Every report page and CSV, over HTTP, on 100,000 assets and 1,000,000 events.

    .venv/bin/python bench/reports.py [--seconds 5] [--reuse INSTANCE_FOLDER]

Uses the shared dataset (bench/dataset.py, built once and cached; --reuse
points at any instance folder instead, an older one is upgraded first), serves
it with the real server (`tagtrail serve`, waitress) on loopback, signs in as
the bench lead and, from another process (wrk, one connection), loads each
report page and each of its CSVs in turn. Prints p50, p99 and requests per
second for each, and p99 as a multiple of /healthz's from the same server in
the same run (shared machines are noisy). Target: p99 <= 500 ms for every one.

A report is one line in REPORTS: its name and the address to load.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import time
import urllib.request
from pathlib import Path

from dataset import cached_dataset
from harness import SECRET, server, sign_in, wrk

TARGET_P99_MS = 500.0
MIN_REQUESTS = 10  # fewer in a wrk run: timed one by one instead

# (what, address): a new report is one more line here.
REPORTS = [
    ("assets by location", "/reports/assets?by=location"),
    ("assets by location, CSV", "/reports/assets.csv?by=location"),
    ("assets by category", "/reports/assets?by=category"),
    ("assets by category, CSV", "/reports/assets.csv?by=category"),
    ("assets by holder", "/reports/assets?by=holder"),
    ("assets by holder, CSV", "/reports/assets.csv?by=holder"),
    ("idle 90 days", "/reports/idle?days=90"),
    ("idle 90 days, CSV", "/reports/idle.csv?days=90"),
    ("utilisation, 90 days", "/reports/utilisation"),
    ("utilisation, 90 days, page 200", "/reports/utilisation?page=200"),
    ("utilisation, 90 days, CSV assets", "/reports/utilisation.csv?table=assets"),
    ("utilisation, 90 days, CSV categories", "/reports/utilisation.csv?table=categories"),
    ("utilisation, 365 days", "/reports/utilisation?from={year_ago}"),
    ("maintenance, 365 days", "/reports/maintenance"),
    ("maintenance, CSV jobs", "/reports/maintenance.csv?view=jobs"),
    ("maintenance, CSV assets", "/reports/maintenance.csv?view=assets"),
    ("value today", "/reports/value"),
    ("value today, page 200", "/reports/value?page=200"),
    ("value today, CSV assets", "/reports/value.csv?table=assets"),
    ("value today, CSV categories", "/reports/value.csv?table=categories"),
    ("value today, CSV departments", "/reports/value.csv?table=departments"),
    ("replacement plan", "/reports/replacement"),
    ("replacement plan, page 200", "/reports/replacement?page=200"),
    ("replacement plan, CSV due", "/reports/replacement.csv"),
    ("replacement plan, CSV forecast", "/reports/replacement-forecast.csv"),
    ("home (replacement card)", "/"),
    ("subscription spend", "/reports/subscription-spend"),
    ("subscription spend, CSV", "/reports/subscription-spend.csv"),
    ("subscription waste", "/reports/waste"),
    ("subscription waste, CSV", "/reports/waste.csv"),
]


def _one_by_one(opener, url: str, times: int) -> dict:
    """`times` requests in a row from here (the slowest is the p99 of so few)."""
    took = []
    for _ in range(times):
        started = time.perf_counter()
        with opener.open(url, timeout=120) as response:
            response.read()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {
        "p50": statistics.median(took),
        "p99": took[-1],
        "rps": times / (sum(took) / 1000),
        "requests": times,
        "errors": 0,
    }


def prepare(folder: Path) -> None:
    """Upgrade an older instance here, before the server starts, so the first
    request is not the one that waits for it."""
    os.environ.update(TAGTRAIL_INSTANCE=str(folder), TAGTRAIL_SECRET_KEY=SECRET)
    from app import create_app
    from app.database import close_connection

    create_app()
    close_connection()
    con = sqlite3.connect(folder / "tagtrail.sqlite3")
    try:  # a freshly built file's write-ahead log, folded in as a long-running site's is
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--reuse", help="an instance folder to use instead of the shared one")
    parser.add_argument("--only", help="only the reports whose name contains this")
    args = parser.parse_args()
    folder = Path(args.reuse) if args.reuse else cached_dataset(100_000, 1_000_000, 7, False)
    prepare(folder)
    from datetime import date, timedelta

    year_ago = (date.today() - timedelta(days=364)).isoformat()
    chosen = [(n, p) for n, p in REPORTS if not args.only or args.only in n]
    load = os.getloadavg()
    print(f"instance: {folder}\nload average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    rows = []
    with server(folder, threads=4) as base:
        opener, cookie = sign_in(base)
        agent = dict(opener.addheaders).get("User-agent", "Python-urllib")
        as_lead = {"cookie": cookie, "headers": {"User-Agent": agent}}
        health = wrk(base + "/healthz", seconds=args.seconds, connections=1)
        for name, path in chosen:
            url = base + path.format(year_ago=year_ago)
            with opener.open(url, timeout=120) as response:  # warm, and proves it answers
                assert response.status == 200, (name, response.status)
                size = len(response.read())
            result = wrk(url, seconds=args.seconds, connections=1, timeout=60, **as_lead)
            assert result["errors"] == 0, (name, result["output"])
            if result["requests"] < MIN_REQUESTS:  # too slow for wrk's run: time them here
                result = _one_by_one(opener, url, MIN_REQUESTS)
            rows.append((name, result, size))
            print(f"  {name}: p99 {result['p99']:.0f} ms", flush=True)
        urllib.request.urlopen(base + "/healthz").read()
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    print("| report | size | requests | p50 | p99 | req/s | p99 ÷ /healthz p99 | ≤ 500 ms |")
    print("|---|---|---|---|---|---|---|---|")
    hp99 = health["p99"]
    print(
        f"| /healthz (reference) | | {health['requests']} | {health['p50']:.1f} ms "
        f"| {hp99:.1f} ms | {health['rps']:.0f} | 1 | |"
    )
    failed = 0
    for name, r, size in rows:
        ok = r["p99"] <= TARGET_P99_MS
        failed += not ok
        print(
            f"| {name} | {size / 1024:.0f} KB | {r['requests']} | {r['p50']:.0f} ms "
            f"| {r['p99']:.0f} ms | {r['rps']:.1f} | {r['p99'] / hp99:.0f}× "
            f"| {'yes' if ok else 'NO'} |"
        )
    print(f"\n{len(rows) - failed} of {len(rows)} within {TARGET_P99_MS:.0f} ms p99.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
