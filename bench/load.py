"""The load harness: the requests people make most, on 100k assets and 1M events.

    .venv/bin/python bench/load.py [--seconds 15] [--assets 100000] [--events 1000000]

Builds (or reuses) the dataset from bench/generate.py, starts `tagtrail serve`
(waitress) on it, and loads it from wrk, a second process on loopback. Every
figure is printed beside /healthz measured by the same server in the same run
with the same number of connections, since shared machines are noisy:

- asset page /A/<code>, random codes, signed in, 4 connections:
  p50 ≤ 10 ms, p99 ≤ 50 ms, throughput at least 40 % of /healthz's;
- check-out and return POSTs, 16 connections: p99 ≤ 100 ms, no errors;
- asset list search over 100k assets, 1 connection: p50 ≤ 50 ms;
- the dashboard, 1 connection: ≤ 100 ms (p50 checked; p99 shown);

and the server's memory (peak RSS) against 150 MB.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from dataset import cached_dataset
from harness import csrf, server, sign_in, wrk

HERE = Path(__file__).resolve().parent
RSS_LIMIT_MB = 150


def _codes(folder: Path) -> tuple[list[str], list[str]]:
    """Every asset code, and the codes of items free to check out (available, no
    open fault) for the custody run."""
    con = sqlite3.connect(folder / "tagtrail.sqlite3")
    try:
        every = [c for (c,) in con.execute("SELECT code FROM asset")]
        free = [
            c
            for (c,) in con.execute(
                "SELECT code FROM asset WHERE status = 'available' AND holder_id IS NULL "
                "AND id NOT IN (SELECT asset_id FROM fault WHERE closed_at IS NULL) "
                "ORDER BY random() LIMIT 4000"
            )
        ]
    finally:
        con.close()
    return every, free


def _memory(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=15, help="length of each wrk run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--search", default="drill", help="the search term for the list")
    args = parser.parse_args()

    folder = cached_dataset(args.assets, args.events, args.seed, rebuild=False)
    every, free = _codes(folder)
    work = Path(tempfile.mkdtemp(prefix="tagtrail-load-"))
    (work / "codes.txt").write_text("\n".join(every) + "\n")
    (work / "free.txt").write_text("\n".join(free) + "\n")
    seconds, pids, results = args.seconds, [], {}
    with server(folder, threads=8, pids=pids) as base:
        opener, cookie = sign_in(base)
        token = csrf(opener, base)
        agent = dict(opener.addheaders).get("User-agent", "Python-urllib")
        lead = {"cookie": cookie, "headers": {"User-Agent": agent}}
        for path in ("/", f"/A/{every[0]}", f"/assets?q={args.search}"):
            opener.open(base + path).read()  # warm: templates compile once
        print(f"Loading {base} with wrk, {seconds} s per run…", flush=True)
        for conns in (1, 4, 16):
            results[f"healthz-{conns}"] = wrk(base + "/healthz", seconds=seconds, connections=conns)
        results["asset"] = wrk(
            base,
            seconds=seconds,
            connections=4,
            script=HERE / "pages.lua",
            script_args=[str(work / "codes.txt")],
            **lead,
        )
        results["search"] = wrk(
            f"{base}/assets?q={args.search}", seconds=seconds, connections=1, **lead
        )
        results["dashboard"] = wrk(base + "/", seconds=seconds, connections=1, **lead)
        results["custody"] = wrk(
            base,
            seconds=seconds,
            connections=16,
            script=HERE / "custody.lua",
            script_args=[str(work / "free.txt"), token, f"r{int(time.time())}"],
            **lead,
        )
        rss, peak = _memory(pids[0])
        log = (folder / "server.log").read_text(errors="replace")

    rows = [
        # name, result, reference, connections, checks
        ("/healthz (reference)", "healthz-1", "healthz-1", 1, []),
        ("/healthz (reference)", "healthz-4", "healthz-4", 4, []),
        ("/healthz (reference)", "healthz-16", "healthz-16", 16, []),
        ("asset page, random codes", "asset", "healthz-4", 4, [("p50", 10), ("p99", 50)]),
        ("check-out / return POST", "custody", "healthz-16", 16, [("p99", 100)]),
        (f"search '{args.search}', 100k assets", "search", "healthz-1", 1, [("p50", 50)]),
        ("dashboard", "dashboard", "healthz-1", 1, [("p50", 100)]),
    ]
    print(
        f"\n{'request':<34}{'conns':>6}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}{'errors':>8}"
        f"{'p50 ×':>8}{'p99 ×':>8}{'req/s %':>9}  target"
    )
    missed, failures = [], []
    for name, key, ref, conns, checks in rows:
        r, h = results[key], results[ref]
        verdicts = []
        for stat, limit in checks:
            met = r[stat] <= limit
            verdicts.append(f"{stat} ≤ {limit} {'ok' if met else 'MISSED'}")
            if not met:
                missed.append(f"{name} {stat}")
        if key == "asset":
            share = r["rps"] / h["rps"] * 100
            verdicts.append(f"≥ 40 % of /healthz {'ok' if share >= 40 else 'MISSED'}")
            if share < 40:
                missed.append("asset page throughput")
        if r["errors"]:
            missed.append(f"{name}: {r['errors']} non-2xx")
            failures += [
                f"{name}: {line}"
                for line in r["output"].splitlines()
                if line.startswith("failed: ")
            ]
        print(
            f"{name:<34}{conns:>6}{r['p50']:9.1f}{r['p99']:9.1f}{r['rps']:9.0f}{r['errors']:8d}"
            f"{r['p50'] / h['p50']:8.1f}{r['p99'] / h['p99']:8.1f}{r['rps'] / h['rps'] * 100:8.0f}%"
            f"  {', '.join(verdicts)}"
        )
    for line in failures:
        print(line)
    locked = log.count("database is locked")
    print(f"\nserver memory: {rss:.0f} MB now, {peak:.0f} MB peak (limit {RSS_LIMIT_MB} MB)")
    print(f"'database is locked' in the server log: {locked}")
    if peak > RSS_LIMIT_MB:
        missed.append("memory")
    if locked:
        missed.append("database is locked")
    print("All targets met." if not missed else "Missed: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
