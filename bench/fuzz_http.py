"""The HTTP state machine from the suite, run long: random people, random actions.

    .venv/bin/python bench/fuzz_http.py [--examples 300] [--steps 50]

Exits non-zero with hypothesis's shortest failing sequence if any step gives a
5xx or leaves an asset's row unlike a replay of its events.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, settings  # noqa: E402

from app import create_app  # noqa: E402
from tests.conftest import Client  # noqa: E402
from tests.http_machine import machine, people  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tagtrail-fuzz-") as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-secret-key-not-for-production",
                "INSTANCE_PATH": str(Path(folder) / "instance"),
                "PUBLIC_URL": "http://tags.example.test",
                "RATELIMIT_ENABLED": False,
            }
        )
        app.test_client_class = Client
        register = machine(app, people(app))
        run = register.TestCase
        run.settings = settings(
            max_examples=args.examples,
            stateful_step_count=args.steps,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        started = time.monotonic()
        run().runTest()
        counts = collections.Counter(register.seen)
    print(f"{args.examples} runs of up to {args.steps} steps in {time.monotonic() - started:.0f} s")
    print("answers: " + ", ".join(f"{code} x{n}" for code, n in sorted(counts.items())))
    print("no 5xx; every row equal to a replay of its events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
