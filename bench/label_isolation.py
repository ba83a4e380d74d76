"""Does printing a big label sheet slow down scanning?

Measures the asset page (/A/<code>, signed in) under light load from wrk,
first alone and then while 1,000-label PDFs render back to back, with
/healthz from the same server as the reference. Target: p99 of the asset
page stays within 50 ms while the sheet renders.
"""

from __future__ import annotations

import argparse
import threading
import time
import urllib.parse

from harness import csrf, make_instance, server, sign_in, wrk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=2, help="light load")
    args = parser.parse_args()

    folder, codes = make_instance(1000)
    with server(folder) as base:
        opener, cookie = sign_in(base)
        page = f"{base}/A/{codes[len(codes) // 2]}"
        ref = wrk(base + "/healthz", seconds=args.seconds, connections=args.connections)
        alone = wrk(page, seconds=args.seconds, connections=args.connections, cookie=cookie)

        renders, stop = [], threading.Event()

        def print_sheets():
            while not stop.is_set():
                body = urllib.parse.urlencode(
                    {
                        "csrf_token": csrf(opener, base),
                        "choice": "all",
                        "format": "avery-l7651",
                        "copies": "1",
                    }
                ).encode()
                started = time.perf_counter()
                pdf = opener.open(base + "/labels/pdf", data=body, timeout=300).read()
                renders.append((time.perf_counter() - started, len(pdf)))

        printer = threading.Thread(target=print_sheets, daemon=True)
        printer.start()
        time.sleep(1.0)  # let the first render get going
        during = wrk(page, seconds=args.seconds, connections=args.connections, cookie=cookie)
        stop.set()
        printer.join(timeout=300)

    print(f"{'':34}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}{'errors':>8}{'rps/healthz':>13}")
    for name, row in (
        ("/healthz (reference)", ref),
        ("asset page, alone", alone),
        ("asset page, while PDFs render", during),
    ):
        print(
            f"{name:34}{row['p50']:9.1f}{row['p99']:9.1f}{row['rps']:9.0f}{row['errors']:8d}"
            f"{row['rps'] / ref['rps']:13.2f}"
        )
    if renders:
        times = sorted(t for t, _ in renders)
        print(
            f"1,000-label L7651 renders during the run: {len(times)}, "
            f"median {times[len(times) // 2]:.1f} s (through the app, worker process)"
        )
    verdict = "meets" if during["p99"] <= 50 else "misses"
    print(f"Target p99 <= 50 ms while rendering: {verdict} ({during['p99']:.1f} ms)")


if __name__ == "__main__":
    main()
