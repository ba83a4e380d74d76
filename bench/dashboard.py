"""The dashboard speed target, on a site with 100,000 assets and 1,000,000 events.

    .venv/bin/python bench/dashboard.py [--seconds 10] [--rebuild]

Builds the dataset once (bench/dataset.py with management data: warranties,
service intervals, due dates, missing and faulty items) and keeps it under the
temporary folder for later runs; --rebuild makes it afresh. Then, against the
real server (`tagtrail serve`, waitress) on loopback, wrk in its own process
GETs a lead's home page (the dashboard) with one connection and with four.

Target: p99 <= 100 ms with one connection. /healthz from the same server, at
the same concurrency, is the reference: shared machines are noisy, so each p99
is also given as a multiple of its p99.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bs4 import BeautifulSoup
from dataset import cached_dataset
from harness import server, sign_in, wrk

TARGET_P99_MS = 100.0


def in_process(folder: Path) -> tuple[dict, float]:
    """The dashboard's figures and the time to compute them, without HTTP."""
    import os

    os.environ["TAGTRAIL_INSTANCE"] = str(folder)
    from app import create_app
    from app.database import close_connection
    from app.register import dashboard

    app = create_app()
    with app.app_context():
        from app.templating import local_today, site

        started = time.perf_counter()
        summary = dashboard.summary(local_today(), site()["audit_interval_days"])
        elapsed = (time.perf_counter() - started) * 1000
    close_connection()
    figures = {
        "assets": summary.total,
        **summary.by_status,
        "overdue": summary.overdue.count,
        "open faults": summary.faults.count,
        "audit due": summary.audit_due,
        "not seen 90 d": summary.unseen.count,
        "warranty 30 d": summary.warranty.count,
        "service due": summary.service.count,
    }
    return figures, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="build the dataset afresh")
    args = parser.parse_args()

    folder = cached_dataset(args.assets, args.events, args.seed, args.rebuild)
    figures, summary_ms = in_process(folder)
    print("Dashboard figures: " + ", ".join(f"{k} {v:,}" for k, v in figures.items()))
    print(f"summary() in-process, cold: {summary_ms:.0f} ms")

    seconds = args.seconds
    with server(folder) as base:
        opener, cookie = sign_in(base)
        agent = dict(opener.addheaders).get("User-agent", "Python-urllib")
        page = opener.open(base + "/").read().decode()  # warm: templates compile once
        soup = BeautifulSoup(page, "html.parser")
        shown = soup.select_one("#register-counts-title .count")
        assert shown and int(shown.get_text()) == figures["assets"], "not the dashboard"
        print(f"\nMeasuring on {base} ({seconds} s per run, page {len(page) / 1024:.0f} KiB)…")
        as_lead = {"cookie": cookie, "headers": {"User-Agent": agent}}
        health_1 = wrk(base + "/healthz", seconds=seconds, connections=1)
        home_1 = wrk(base + "/", seconds=seconds, connections=1, **as_lead)
        health_4 = wrk(base + "/healthz", seconds=seconds, connections=4)
        home_4 = wrk(base + "/", seconds=seconds, connections=4, **as_lead)
    rows = [
        ("/healthz, 1 connection (reference)", health_1, health_1, None),
        ("dashboard GET /, 1 connection", home_1, health_1, TARGET_P99_MS),
        ("/healthz, 4 connections (reference)", health_4, health_4, None),
        ("dashboard GET /, 4 connections", home_4, health_4, None),
    ]
    head = f"\n{'measure':<38}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}{'non-2xx':>8}"
    print(head + f"{'p99/healthz':>13}{'target':>12}  met")
    failed = 0
    for name, row, health, target in rows:
        verdict = "" if target is None else ("yes" if row["p99"] <= target else "NO")
        failed += verdict == "NO" or row["errors"] > 0
        print(
            f"{name:<38}{row['p50']:9.1f}{row['p99']:9.1f}{row['rps']:8.0f}{row['errors']:8d}"
            f"{row['p99'] / health['p99']:12.1f}x"
            f"{'' if target is None else f'p99 ≤ {target:.0f}':>12}  {verdict}"
        )
    print("\nTarget met." if not failed else "\nTarget missed (or errors).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
