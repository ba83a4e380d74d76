"""kill -9 the server again and again while 8 people check items out and in.

    .venv/bin/python bench/crash.py [--cycles 1000] [--clients 8]

After the last cycle it checks, on the database file itself, that every write
the server acknowledged is there, that `PRAGMA integrity_check` says ok, and
that each asset's row equals a replay of its events. Exit status 1 on any loss.
The test suite runs the same thing for 20 cycles (tests/test_durability.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.crash_kit import crash_cycles  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    started = time.monotonic()

    def progress(report) -> None:
        if report.cycles % 50 == 0:
            print(
                f"  cycle {report.cycles}: {report.acknowledged} acknowledged writes, "
                f"{report.unanswered} cut off by the kill",
                flush=True,
            )

    with tempfile.TemporaryDirectory(prefix="tagtrail-crash-") as folder:
        report = crash_cycles(Path(folder), args.cycles, clients=args.clients, progress=progress)
    minutes = (time.monotonic() - started) / 60
    print(f"kill -9 cycles:          {report.cycles} ({minutes:.1f} min)")
    print(f"acknowledged writes:     {report.acknowledged}")
    print(f"lost acknowledged:       {len(report.lost)}")
    print(f"rows unlike their events:{len(report.mismatched):>2}")
    print(f"integrity_check:         {report.integrity}")
    print(f"5xx answers:             {report.server_errors}")
    ok = not report.lost and not report.mismatched and report.integrity == "ok"
    ok = ok and report.server_errors == 0
    print("zero losses" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
