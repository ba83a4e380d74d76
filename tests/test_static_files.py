"""Static files: compressed for the wire, cached for a year, and a first visit that fits
a weak signal (issue: proven under load, "Static files")."""

from __future__ import annotations

import gzip
import re
import time
from pathlib import Path

import brotli
import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import sync_playwright

from . import factories
from .browser_kit import CHROMIUM, CHROMIUM_ARGS, PHONE, set_up_organisation
from .test_browser import PASSWORD

FIRST_VISIT_BUDGET = 35 * 1024
STATIC = Path(__file__).parent.parent / "app" / "static"


def _static_urls(client) -> list[str]:
    soup = BeautifulSoup(client.get("/").data, "html.parser")
    urls = [t.get("src") or t.get("href") for t in soup.select("script[src], link[href]")]
    return [u for u in urls if u.startswith("/static/") and not u.split("?")[0].endswith(".png")]


def test_stylesheets_go_out_without_their_comments_and_every_rule_kept(client, auth):
    """The comments are for engineers: a phone gets the rules alone, the same
    rules in the same order."""
    auth.login("member")
    for sheet in sorted(STATIC.glob("*.css")):
        source = sheet.read_text()
        # The lean copy strips "/* ... */" without parsing: no string may hold one.
        rules_only = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
        assert "/*" not in rules_only and "*/" not in rules_only, sheet.name
        assert not [q for q in re.findall(r"\"[^\"\n]*\"|'[^'\n]*'", source) if "/*" in q]
        served = client.get(f"/static/{sheet.name}", headers={"Accept-Encoding": "identity"})
        assert served.status_code == 200 and served.mimetype == "text/css"
        body = served.get_data(as_text=True)
        served.close()
        assert "/*" not in body and "\n  " not in body
        assert len(body) < len(source)
        # Every rule survives, word for word once the layout is set aside.
        rules = re.sub(r"\s+", " ", rules_only).strip()
        assert re.sub(r"\s+", " ", body).strip() == rules


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("br, gzip", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)],
)
def test_scripts_and_styles_are_compressed_as_the_browser_asks(
    client, auth, accept, encoding, decode
):
    auth.login("member")
    urls = [u for u in _static_urls(client) if u.split("?")[0].endswith((".js", ".css"))]
    assert len(urls) >= 3
    for url in urls:
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        packed = client.get(url, headers={"Accept-Encoding": accept})
        body_plain, body_packed = plain.get_data(), packed.get_data()
        plain.close(), packed.close()
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == encoding, url
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert decode(body_packed) == body_plain, url
        assert packed.cache_control.max_age >= 365 * 24 * 3600
        if len(body_plain) > 4096:
            assert len(body_packed) < len(body_plain) / 2, url


def test_html_is_never_compressed(client, auth):
    """Pages carry a CSRF token beside text people typed: no compression side channel."""
    lead = auth.login("lead")
    asset = factories.make_asset(actor=lead, name="Drill")
    response = client.get(f"/A/{asset.code}", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


@pytest.mark.browser
def test_first_visit_fits_35_kb_and_a_repeat_visit_fetches_only_the_page(server, tmp_path):
    """Chromium's own network log: bytes on the wire for the asset page, then again."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: sudo apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
            page = context.new_page()
            # First run: the set-up page creates the admin, then an asset to look at.
            set_up_organisation(page, server, PASSWORD, org="Weight Watchers Ltd")
            page.get_by_label("Name", exact=True).fill("Cordless drill 18V")
            page.get_by_role("button", name="Add asset", exact=True).click()
            page.wait_for_url(f"{server}/A/*")
            asset_url = page.url
            page.close()

            # A phone opening the label's URL for the first time: an empty cache.
            cdp_page = context.new_page()
            cdp = context.new_cdp_session(cdp_page)
            cdp.send("Network.enable")
            cdp.send("Network.clearBrowserCache")
            received: dict[str, dict] = {}
            visit = [1]  # which visit a request belongs to, by when it was sent

            def on_sent(event):
                received.setdefault(event["requestId"], {})["visit"] = visit[0]

            def on_response(event):
                received.setdefault(event["requestId"], {})["url"] = event["response"]["url"]

            def on_finished(event):
                received.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

            def on_cached(event):
                received.setdefault(event["requestId"], {})["cache"] = True

            cdp.on("Network.requestWillBeSent", on_sent)
            cdp.on("Network.responseReceived", on_response)
            cdp.on("Network.loadingFinished", on_finished)
            cdp.on("Network.requestServedFromCache", on_cached)

            def of_visit(number: int) -> list[dict]:
                return [r for r in received.values() if r.get("visit") == number and "url" in r]

            def settled(number: int) -> None:
                """networkidle, then every request of the visit finished (Chromium fetches
                the favicon on its own, and on a busy machine it can land after idle)."""
                cdp_page.wait_for_load_state("networkidle")
                deadline = time.monotonic() + 10
                while any("bytes" not in r for r in of_visit(number)):
                    if time.monotonic() > deadline:
                        break
                    cdp_page.wait_for_timeout(50)

            cdp_page.goto(asset_url)
            settled(1)
            first = {r["url"]: r.get("bytes", 0) for r in of_visit(1)}
            total = sum(first.values())
            assert any(u.split("?")[0].endswith(".js") for u in first), first
            assert any(u.split("?")[0].endswith(".css") for u in first), first
            assert total <= FIRST_VISIT_BUDGET, (total, first)

            # The same phone scanning another label later: only the page comes down.
            visit[0] = 2
            cdp_page.goto(asset_url)
            settled(2)
            fetched = [
                r["url"] for r in of_visit(2) if not r.get("cache") and r.get("bytes", 0) > 0
            ]
            assert fetched == [asset_url], fetched
            print(f"first visit {total} bytes over {len(first)} requests: {first}")
        finally:
            browser.close()
