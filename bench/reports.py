"""How long each report takes on 100,000 assets and 1,000,000 events.

    .venv/bin/python bench/common.py [--runs 3] [--reuse INSTANCE_FOLDER]

Builds a throwaway instance (bench/dataset.py), gives half the assets a cost
and a purchase date and every category a useful life, then times each report's
service call in-process (the work behind the page; rendering one page of 50
rows adds little) and prints the median of --runs runs. --reuse points at an
instance folder an earlier run left behind, to skip the two-minute build.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from harness import SECRET


def prepare() -> str:
    from dataset import build_dataset

    from app.database import write
    from app.models import Asset, Category

    print("Building the dataset (a few minutes)…", flush=True)
    folder = build_dataset(assets=100_000, events=1_000_000).folder
    with write():
        Category.update(useful_life_months=36, salvage_percent=10).execute()
        Asset.update(cost_cents=123_456, purchase_date=date(2024, 5, 17)).where(
            Asset.id % 2 == 0
        ).execute()
    return str(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", help="an instance folder from an earlier run")
    args = parser.parse_args()
    folder = args.reuse or prepare()
    os.environ.update(TAGTRAIL_INSTANCE=folder, TAGTRAIL_SECRET_KEY=SECRET)
    from app import create_app
    from app.models import utcnow
    from app.reports import breakdown, common, maintenance_costs, utilisation
    from app.reports import idle as reports_idle
    from app.reports import value as reports_value

    app = create_app()
    zone, now, today = ZoneInfo("UTC"), utcnow(), date.today()
    quarter = common.Period(today - timedelta(days=89), today)
    year = common.Period(today - timedelta(days=364), today)
    cases = {
        "assets by location": lambda: breakdown.breakdown("location"),
        "assets by category": lambda: breakdown.breakdown("category"),
        "assets by holder": lambda: breakdown.breakdown("holder"),
        "idle 90 days, first page": lambda: reports_idle.idle(90, now, 1, 50),
        "utilisation, 90 days": lambda: utilisation.utilisation(quarter, zone, now),
        "utilisation, 365 days": lambda: utilisation.utilisation(year, zone, now),
        "maintenance, 365 days": lambda: maintenance_costs.maintenance(year, zone),
        "value today": lambda: reports_value.valuation(today, zone),
    }
    print(f"instance: {folder}\n\n| report | median of {args.runs} |\n|---|---|")
    with app.app_context():
        for label, run in cases.items():
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                run()
                times.append(time.perf_counter() - started)
            print(f"| {label} | {statistics.median(times) * 1000:.0f} ms |", flush=True)


if __name__ == "__main__":
    main()
