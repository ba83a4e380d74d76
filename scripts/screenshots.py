"""Take the README's screenshots (docs/screenshots/) from a fresh demo server.

    .venv/bin/python scripts/screenshots.py                 # 390x844, light: the README's
    .venv/bin/python scripts/screenshots.py --dark --size 360x740 --out /tmp/shots

Starts `tagtrail demo` and `tagtrail serve` in a temporary folder, adds photos to
three assets (drawn here, so the register shows its thumbnails), starts an audit,
and saves each screen as a small PNG (256 colours). Needs Playwright and Debian's
Chromium, as the browser tests do.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "screens-of-tagtrail"
# (file name, path or "asset"/"audit"), all as the demo's lead.
SCREENS = [
    ("home", "/"),
    ("asset", "asset"),
    ("register", "/assets"),
    ("audit", "audit"),
    ("print-labels", "/labels?choice=unprinted"),
]
LEAD = "lead@demo.tagtrail"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _picture(colour: str, shape: str) -> bytes:
    """A plain drawing of a thing on a bench, standing in for a photo."""
    image = Image.new("RGB", (320, 320), "#d9d4c7")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 230, 320, 320), fill="#8a7a63")
    if shape == "box":
        draw.rounded_rectangle((70, 90, 250, 250), radius=18, fill=colour)
    else:
        draw.ellipse((80, 80, 240, 240), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _save(page, path: Path) -> None:
    png = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    png.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"{path}  {path.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="390x844")
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    tagtrail = Path(sys.executable).parent / "tagtrail"
    with tempfile.TemporaryDirectory() as folder:
        url = f"http://127.0.0.1:{_free_port()}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTRAIL_")}
        # The address labels would carry on a site network (the server itself
        # listens on loopback), so no "phones cannot reach it" warning shows.
        env.update(TAGTRAIL_INSTANCE=str(Path(folder) / "instance"))
        env.update(TAGTRAIL_PUBLIC_URL="http://192.168.1.20:8000")
        subprocess.run([tagtrail, "demo", "--password", PASSWORD], env=env, check=True)
        port = url.rsplit(":", 1)[1]
        server = subprocess.Popen(
            [tagtrail, "serve", "--host", "127.0.0.1", "--port", port],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless"])
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    is_mobile=True,
                    has_touch=True,
                    color_scheme="dark" if args.dark else "light",
                )
                page = context.new_page()
                page.goto(url + "/login")
                page.get_by_label("Email").fill(LEAD)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(url + "/")
                # Photos on three assets of the register's first page.
                page.goto(url + "/assets")
                links = page.locator("#asset-results .rows li > a")
                codes = [links.nth(i).get_attribute("href").rsplit("/", 1)[1] for i in (0, 2, 3)]
                looks = [("#c0392b", "box"), ("#2e86c1", "round"), ("#f1c40f", "box")]
                for code, (colour, shape) in zip(codes, looks, strict=True):
                    page.goto(f"{url}/A/{code}/attachments")
                    photo = _picture(colour, shape)
                    page.get_by_label(re.compile("^Add a photo")).set_input_files(
                        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo}
                    )
                    page.get_by_role("button", name="Upload").click()
                    page.wait_for_load_state("load")
                page.goto(url + "/audits/new")
                page.get_by_label("Name").fill("Spring check")
                page.get_by_role("button", name="Start audit").click()
                page.wait_for_url(re.compile(r".*/audits/\d+$"))
                audit = page.url
                places = {"asset": f"{url}/A/{codes[0]}", "audit": audit}
                for name, where in SCREENS:
                    target = places.get(where, url + where)
                    page.goto(target)
                    page.wait_for_load_state("networkidle")
                    suffix = "-dark" if args.dark else ""
                    _save(page, args.out / f"{name}{suffix}.png")
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
