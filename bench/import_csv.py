"""The import speed target: 10,000 rows from upload to committed in at most 10 s.

    .venv/bin/python bench/import_csv.py [--rows 10000] [--keep FILE]

Writes a realistic spreadsheet export from another asset system (asset tags,
serials, "HQ > Floor > Room" locations, day/month dates, "£1,234.50" costs,
about one in five items checked out to one of 200 people, a few faulty or
missing), then drives a real server (`tagtrail serve` on loopback) as a
lead's browser would: POST the file (upload and check), GET the preview,
POST the confirm. Each step is timed from this process, HTTP included. A
second upload of the same file is then previewed and must show every row as
unchanged.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from html import unescape

from harness import csrf, fresh_instance, server, sign_in

TARGET_S = 10.0
CATEGORIES = [
    "Laptops", "Monitors", "Phones", "Tablets", "Projectors", "Drills", "Saws", "Ladders",
    "Cameras", "Microphones", "Chairs", "Desks", "Printers", "Routers", "Vans", "Generators",
]  # fmt: skip
MAKERS = ["Lenovo", "Dell", "Apple", "Bosch", "Makita", "Hilti", "Canon", "Epson", "HP", "Cisco"]
SUPPLIERS = ["Acme Supplies", "Office World", "Toolstation", "CDW", "Insight"]


def generate(rows: int, seed: int = 7) -> bytes:
    rnd = random.Random(seed)
    people = [f"person{n}@example.org" for n in range(200)]
    out = io.StringIO()
    out.write(
        "Asset Tag,Item Name,Serial,Model No.,Category,Manufacturer,Location,Purchase Date,"
        "Purchase Cost,Supplier,Order Number,Warranty,Status,Notes,Checked Out To\r\n"
    )
    for n in range(rows):
        category = rnd.choice(CATEGORIES)
        bought = f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{rnd.randint(2015, 2025)}"
        warranty = f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{rnd.randint(2025, 2029)}"
        cost = rnd.randint(1500, 450000)
        status = rnd.choices(["", "Faulty", "Missing", "In repair"], [95, 2, 2, 1])[0]
        holder = rnd.choice(people) if not status and rnd.random() < 0.2 else ""
        location = f"HQ > Floor {rnd.randint(1, 5)} > Room {rnd.randint(1, 30)}"
        out.write(
            f"IT-{n:05d},{category[:-1]} {n},SN{n:07d}X,M-{rnd.randint(100, 999)},{category},"
            f'{rnd.choice(MAKERS)},{location},{bought},"£{cost // 100:,}.{cost % 100:02d}",'
            f"{rnd.choice(SUPPLIERS)},PO-{rnd.randint(1000, 9999)},{warranty},{status},"
            f'"Imported, batch {n // 500}",{holder}\r\n'
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(opener, url: str, body: bytes, content_type: str):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        response = opener.open(request)
        return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:  # a 303 arrives here once redirects are off
        return exc.code, exc.headers, exc.read().decode()


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def confirm_form(page: str) -> tuple[str, bytes]:
    """The preview page's confirm form: its action and its fields, url-encoded."""
    import urllib.parse

    form = re.search(r'<section class="card" id="import-confirm">.*?</form>', page, re.S)
    if not form:
        raise SystemExit("The preview offers no import; its errors:\n" + page[:3000])
    action = unescape(re.search(r'action="([^"]+)"', form.group(0)).group(1))
    pairs = [
        (unescape(n), unescape(v))
        for n, v in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)
        )
    ]
    pairs.append(("mode", "import"))
    return action, urllib.parse.urlencode(pairs).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", help="Also write the generated CSV to this file.")
    args = parser.parse_args()
    data = generate(args.rows)
    if args.keep:
        with open(args.keep, "wb") as fh:
            fh.write(data)
    print(f"{args.rows:,} rows, {len(data) / 1e6:.1f} MB", flush=True)
    folder, _ = fresh_instance()
    with server(folder) as base:
        signed_in, _ = sign_in(base)
        cookies = next(
            h for h in signed_in.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)
        )
        opener = urllib.request.build_opener(cookies, _NoRedirect())
        token = csrf(opener, base)
        body, kind = multipart({"csrf_token": token}, "register.csv", data)
        t0 = time.perf_counter()
        status, headers, _ = _post(opener, base + "/assets/import", body, kind)
        t1 = time.perf_counter()
        assert status == 303, status
        page = opener.open(base + headers["Location"]).read().decode()
        t2 = time.perf_counter()
        action, form = confirm_form(page)
        status, headers, text = _post(
            opener, base + action, form, "application/x-www-form-urlencoded"
        )
        t3 = time.perf_counter()
        assert status == 303, (status, text[:2000])
        # The same file again: every row must now be unchanged.
        status, headers, _ = _post(opener, base + "/assets/import", body, kind)
        again = opener.open(base + headers["Location"]).read().decode()
        unchanged = re.search(r'data-count="unchanged">(\d+)<', again).group(1)
    from app.models import Asset, Event

    assets, events = Asset.select().count(), Event.select().count()
    total = t3 - t0
    print(f"upload and check   {t1 - t0:6.2f} s")
    print(f"preview page       {t2 - t1:6.2f} s")
    print(f"confirm (commit)   {t3 - t2:6.2f} s")
    print(f"upload → committed {total:6.2f} s  (target ≤ {TARGET_S:.0f} s)")
    print(f"register: {assets:,} assets, {events:,} events; re-upload unchanged: {unchanged}")
    ok = total <= TARGET_S and assets == args.rows and int(unchanged) == args.rows
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
