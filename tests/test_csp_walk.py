"""Every page of the app, opened in Chromium under the real Content Security Policy.

The policy forbids inline script and style; a template that slips one in works
in a test client but breaks in a browser, with only a console message to show
for it. This walks every GET route in the URL map (as an admin, on the demo
data plus a running audit and an open fault) and fails on any console error,
page error or 5xx. A new route with a new kind of URL argument fails here until
it is given a sample value below, so no page escapes the walk.
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from app import create_app
from app.models import Asset, Audit, Category, Fault, Location, User, db
from app.register import accounts, attachments, custom_fields
from app.spreadsheets import imports

from .browser_kit import CHROMIUM, CHROMIUM_ARGS, PHONE
from .live import Client, Server, tagtrail_script

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "walk-the-whole-app"
# Not pages: files, images and data that a browser downloads rather than shows.
NOT_PAGES = {"static", "home.healthz", "labels.preview", "activity.fault_photo"}


def _demo_server(tmp_path) -> Server:
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTRAIL_")}
    env["TAGTRAIL_INSTANCE"] = str(instance)
    subprocess.run(
        [str(tagtrail_script()), "demo", "--password", DEMO_PASSWORD],
        env=env,
        check=True,
        capture_output=True,
    )
    return Server(instance).start()


def _samples(instance) -> tuple[dict, list]:
    """Sample values for URL arguments, read from the demo database; and the rules."""
    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "walk-secret-key-x" * 2})
    with app.app_context():
        asset = Asset.select().where(Asset.status != "retired").first()
        samples = {
            "code": asset.code,
            "location_code": Location.select().first().code,
            "person_id": User.get(User.email == "sam@demo.tagtrail").id,
            "location_id": Location.select().first().id,
            "category_id": Category.select().first().id,
            "audit_id": Audit.select().first().id,
        }
        # An uploaded spreadsheet waiting for its preview, as the import page keeps it.
        sheet = io.BytesIO(b"Name,Serial,Location\nLadder,L-1,Main site > Store\n")
        samples["token"] = imports.store(sheet, "walk.csv", Path(app.instance_path) / "imports")
        # A photo on the sample asset, so its thumbnail and pages are walked too.
        picture = io.BytesIO()
        Image.new("RGB", (64, 48), "orange").save(picture, "PNG")
        picture.seek(0)
        added = attachments.add(
            asset.code,
            actor=User.get(User.email == "admin@demo.tagtrail"),
            stream=picture,
            original_name="front.png",
            folder=Path(app.instance_path) / "uploads",
        )
        samples["attachment_id"] = added.attachment.id
        # A custom field with a value on the sample asset, so its pages and the
        # asset's form and page show one.
        field = next(
            (f for f in custom_fields.all_fields() if f.name == "Manual"), None
        ) or custom_fields.create_field("Manual", "link")
        custom_fields.set_values(asset.code, {field.id: "https://example.test/manual.pdf"})
        samples["field_id"] = field.id
        # A working reset link (signed with the server's own secret), so the page to
        # choose a new password is walked, not only the dead-link page.
        secret = (Path(instance) / "secret_key").read_text().strip()
        admin = User.get(User.email == "admin@demo.tagtrail")
        samples["link"] = accounts.make_link(accounts.RESET, admin, secret)
        fault = Fault.select().first()
        if fault:
            samples["fault_id"] = fault.id
        rules = [
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in NOT_PAGES
        ]
        db.close()
    return samples, rules


def _url(rule, samples: dict) -> str:
    values = {}
    for argument in rule.arguments:
        key = (
            "location_code"
            if (rule.endpoint == "scan.location" and argument == "code")
            else argument
        )
        assert key in samples, (
            f"{rule.rule}: add a sample value for <{argument}> in tests/test_csp_walk.py"
        )
        values[argument] = samples[key]
    path = rule.rule
    for argument, value in values.items():
        path = path.replace(f"<{argument}>", str(value))
        for converter in ("int", "path", "string"):
            path = path.replace(f"<{converter}:{argument}>", str(value))
    return path


def test_every_page_loads_under_the_csp_without_a_console_error(tmp_path):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: sudo apt-get install chromium")
    server = _demo_server(tmp_path)
    try:
        admin = Client(server.url)
        admin.sign_in("admin@demo.tagtrail", DEMO_PASSWORD)
        assert admin.post("/audits/new", {"name": "Walk-through"}).status == 303
        samples, _ = _samples(server.instance)
        _, fault = admin.act(samples["code"], "fault", description="Cracked", severity="usable")
        assert fault.status == 200, fault.body[:300]
        samples, rules = _samples(server.instance)
        problems: list[str] = []
        visited = 0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
                for cookie in admin.jar:
                    context.add_cookies(
                        [{"name": cookie.name, "value": cookie.value, "url": server.url}]
                    )
                page = context.new_page()

                def on_console(message) -> None:
                    # A page that answers 404 on purpose (a blank-label form for a
                    # bound code) logs "Failed to load resource"; failed scripts,
                    # styles and images are caught by on_response instead.
                    if message.type == "error" and "Failed to load resource" not in message.text:
                        problems.append(f"{page.url}: {message.text}")

                def on_response(response) -> None:
                    if response.request.resource_type != "document" and response.status >= 400:
                        problems.append(f"{page.url}: {response.url} answered {response.status}")

                page.on("console", on_console)
                page.on("response", on_response)
                page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
                for rule in sorted(rules, key=lambda r: r.rule):
                    url = server.url + _url(rule, samples)
                    try:
                        response = page.goto(url)
                    except PlaywrightError as exc:
                        if "Download is starting" in str(exc):
                            continue  # a CSV or PDF: a file, not a page
                        raise
                    assert response is not None
                    if response.status >= 500:
                        problems.append(f"{url}: HTTP {response.status}")
                    kind = response.headers.get("content-type", "")
                    if kind.startswith("text/html"):
                        page.wait_for_load_state("load")
                        visited += 1
            finally:
                browser.close()
    finally:
        server.stop()
    assert visited >= 40, visited
    assert not problems, "\n".join(problems)
