"""The /scan page as the server renders it: modes by role, the fixed words, its
scripts kept off other pages, the way in from home and the nav, the manifest."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

from app.audits import audits

from . import factories

MODES = ["Open", "Audit", "Check out to…", "Return", "Take over", "Move to…"]


def _modes(soup) -> list[str]:
    return [label.get_text(strip=True) for label in soup.select("#scan-modes label")]


def _scripts(soup) -> list[str]:
    return [tag["src"].split("?")[0] for tag in soup.select("script[src]")]


def test_a_lead_gets_every_mode_and_the_running_audit(client, auth):
    lead = auth.login("lead")
    factories.make_asset(actor=lead, name="Drill")
    audit = audits.start("Quarterly", actor=lead)
    soup, response = client.soup("/scan")
    assert response.status_code == 200
    assert _modes(soup) == MODES
    assert soup.select_one('#scan-modes input[value="open"]').has_attr("checked")
    option = soup.select_one("#scan-audit option")
    assert (option["value"], option.get_text(strip=True)) == (str(audit.id), "Quarterly")
    assert (option["data-seen"], option["data-expected"]) == ("0", "1")
    assert soup.select_one("#scan-code") is not None
    assert soup.select_one("#scan-type")["action"] == "/find"  # works without JavaScript too
    assert _scripts(soup)[-5:] == [
        "/static/scan-labels.js",
        "/static/scan-list.js",
        "/static/scan-queue.js",
        "/static/scan-camera.js",
        "/static/scanner.js",
    ]
    # The decoder is fetched by the script only when the browser has no BarcodeDetector.
    assert "/static/vendor/jsqr-1.4.0.min.js" not in _scripts(soup)
    assert soup.select_one("#scanner")["data-decoder-url"].startswith(
        "/static/vendor/jsqr-1.4.0.min.js?v="
    )
    assert soup.select_one("#scanner")["data-public-url"] == "http://tags.example.test"


def test_a_member_checks_out_only_to_themselves_and_cannot_move(client, auth):
    member = auth.login("member")
    factories.make_holder("Someone Else")
    soup, _ = client.soup("/scan")
    # Only to themselves; "Take over" is a scan, so the item is in hand.
    assert _modes(soup) == ["Open", "Audit", "Check out to me", "Return", "Take over"]
    holders = soup.select("#scan-holder option")
    assert [(o["value"], o.get_text(strip=True)) for o in holders] == [
        (str(member.id), f"{member.name} (me)")
    ]
    assert soup.select_one("#no-audit").get_text(strip=True) == "No audit is running."


def test_locations_carry_their_codes_for_location_labels(client, auth):
    auth.login("lead")
    store = factories.make_location("Store")
    shelf = factories.make_location("Shelf 1", parent=store)
    soup, _ = client.soup("/scan")
    rows = soup.select("#scan-place option")
    options = {o.get("data-code"): o.get_text() for o in rows}
    assert options[store.code] == "Store"
    assert options[shelf.code] == "\u2002Shelf 1"  # indented under the store


def test_the_scanner_scripts_stay_off_other_pages(client, auth):
    lead = auth.login("lead")
    asset = factories.make_asset(actor=lead, name="Drill")
    for url in ("/", f"/A/{asset.code}", "/assets"):
        soup = BeautifulSoup(client.get(url).data, "html.parser")
        scripts = _scripts(soup)
        assert not [s for s in scripts if "scan" in s or "jsqr" in s], (url, scripts)


def test_scan_is_in_the_nav_and_big_on_home(client, auth):
    auth.login("member")
    soup, _ = client.soup("/")
    bar = [(a.get_text(strip=True), a["href"]) for a in soup.select("nav.nav a")]
    assert bar[1] == ("Scan", "/scan")  # in the bar on every page, next to Home
    button = soup.select_one("main .scan-entry a.button.primary")
    assert (button.get_text(strip=True), button["href"]) == ("Scan", "/scan")


def test_signed_out_visitors_are_sent_to_sign_in(client, auth):
    response = client.get("/scan")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/scan"


def test_manifest_and_icons_let_it_go_on_the_home_screen(client, auth):
    auth.login("member")
    soup, _ = client.soup("/")
    href = soup.select_one('link[rel="manifest"]')["href"]
    response = client.get(href)
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "../"
    sizes = set()
    for icon in manifest["icons"]:
        image = client.get("/static/" + icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png", icon
        assert image.data.startswith(b"\x89PNG")
        sizes.add(icon["sizes"])
        image.close()
    assert {"192x192", "512x512"} <= sizes
    response.close()


def test_the_service_worker_is_served_from_the_root(client, auth):
    """It is served from the root (so it may control /scan) and registered with the
    /scan scope; asset pages are outside it and always come from the server."""
    response = client.get("/scan-sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    auth.login("member")
    scanner = client.soup("/scan")[0].select_one("#scanner")
    assert (scanner["data-worker-url"], scanner["data-worker-scope"]) == ("/scan-sw.js", "/scan")


def test_the_page_says_what_to_do_on_plain_http(client, auth):
    """The warning is in the page for the script to show when the context is not
    secure, and it names the page that explains it (docs/https.md)."""
    auth.login("member")
    soup, _ = client.soup("/scan")
    note = soup.select_one("#camera-insecure")
    assert note.has_attr("hidden")
    assert "HTTPS for the camera scanner" in note.get_text()
