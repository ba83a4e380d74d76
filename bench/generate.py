"""Build a realistic tagtrail database for the benchmarks.

    .venv/bin/python bench/generate.py --assets 100000 --events 1000000 [--seed 7] [--rebuild]

One site > buildings > floors > rooms tree, categories with service intervals,
60 people, and for every asset a history of check-outs, returns, moves, faults,
repairs and past audits, written already matching its row (bench/dataset.py).
The instance folder is cached under the system's temporary folder by its
options, so the other benchmarks reuse it; the path is printed at the end.
Serve it with: TAGTRAIL_INSTANCE=<path> .venv/bin/tagtrail serve
(sign in as lead@bench.test with the password in bench/harness.py).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time

from dataset import cached_dataset


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="build afresh even if cached")
    args = parser.parse_args()
    started = time.monotonic()
    folder = cached_dataset(args.assets, args.events, args.seed, args.rebuild)
    con = sqlite3.connect(folder / "tagtrail.sqlite3")
    try:
        counts = {
            table: con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in ("asset", "event", "location", "category", "user", "fault")
        }
        size = (folder / "tagtrail.sqlite3").stat().st_size / 2**20
    finally:
        con.close()
    print(", ".join(f"{t}: {n:,}" for t, n in counts.items()))
    print(f"{size:.0f} MB in {folder} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
