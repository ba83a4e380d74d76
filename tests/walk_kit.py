"""Every page of the app, for the browser tests that walk them all: the demo server
with a running audit, an open fault and a photo, a sample value for each URL
argument, and one URL per GET route.

The CSP walk (test_csp_walk.py) and the accessibility checks (test_axe_browser.py)
open the same list, so a new page is checked by both as soon as it has a sample.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from app import create_app
from app.custody import maintenance
from app.models import Asset, Audit, Category, Fault, Location, Receipt, Team, User, db
from app.register import accounts, attachments, custom_fields
from app.spreadsheets import imports

from .live import Client, Server, tagtrail_script

DEMO_PASSWORD = "walk-the-whole-app"
ROLES = {
    "admin": "admin@demo.tagtrail",
    "lead": "lead@demo.tagtrail",
    "member": "sam@demo.tagtrail",
}
# Not pages: files, images and data that a browser downloads rather than shows.
# Not pages: files, probes and the calendar feed (.ics, tested in tests/test_calendar_feed.py).
NOT_PAGES = {
    "static",
    "home.healthz",
    "labels.preview",
    "activity.fault_photo",
    "feeds.calendar",
    "receipts.signature",
}


@dataclass
class Walk:
    server: Server
    samples: dict
    rules: list

    @property
    def url(self) -> str:
        return self.server.url

    def paths(self) -> list[str]:
        """One path per GET page, in the order of their rules."""
        return [page_path(rule, self.samples) for rule in sorted(self.rules, key=lambda r: r.rule)]

    def cookies(self, role: str) -> list[dict]:
        """A signed-in session for `role`, as cookies for a browser context."""
        client = Client(self.url)
        client.sign_in(ROLES[role], DEMO_PASSWORD)
        return [{"name": c.name, "value": c.value, "url": self.url} for c in client.jar]


def _demo_server(tmp_path: Path) -> Server:
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


@contextmanager
def walk_site(tmp_path: Path) -> Iterator[Walk]:
    """The demo organisation on a live server, with an audit running and a fault open."""
    server = _demo_server(tmp_path)
    try:
        admin = Client(server.url)
        admin.sign_in(ROLES["admin"], DEMO_PASSWORD)
        assert admin.post("/audits/new", {"name": "Walk-through"}).status == 303
        samples, _ = samples_and_rules(server.instance)
        _, fault = admin.act(samples["code"], "fault", description="Cracked", severity="usable")
        assert fault.status == 200, fault.body[:300]
        _fault_with_photo(server.instance, samples["code"])
        samples, rules = samples_and_rules(server.instance)
        yield Walk(server, samples, rules)
    finally:
        server.stop()


def _fault_with_photo(instance: Path, code: str) -> None:
    """A second fault on the sample asset, with a photo, so its photo link shows."""
    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "walk-secret-key-x" * 2})
    with app.app_context():
        picture = io.BytesIO()
        Image.new("RGB", (40, 30), "red").save(picture, "PNG")
        picture.seek(0)
        maintenance.report_fault(
            code,
            actor=User.get(User.email == ROLES["lead"]),
            description="Cracked casing",
            severity="usable",
            photo=picture,
            uploads_dir=Path(app.instance_path) / "uploads",
        )
        db.close()


def samples_and_rules(instance: Path) -> tuple[dict, list]:
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
            "team_id": Team.get(Team.name == "Studio").id,  # the demo's, with its printer
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
        samples["receipt_id"] = _receipt(app, asset)
        # The demo's Adobe subscription (seats held by leavers, a licence key),
        # with a document, so its page and the document are walked.
        from app.models import Subscription
        from app.subscriptions import documents

        adobe = Subscription.get(Subscription.product == "Creative Cloud All Apps")
        samples["subscription_id"] = adobe.id
        samples["vendor_id"] = adobe.vendor_id
        documents.add(
            adobe.id,
            actor=User.get(User.email == "admin@demo.tagtrail"),
            stream=io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
            original_name="contract.pdf",
            folder=Path(app.instance_path) / "uploads",
        )
        samples["document_id"] = documents.of_subscription(adobe.id)[0].id
        rules = [
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in NOT_PAGES
        ]
        db.close()
    return samples, rules


def _receipt(app, sample: Asset) -> int:
    """A signed handover receipt (a drawn signature, the PDF stored) for Sam, so
    the receipt's page and PDF are walked."""
    from datetime import date

    from app.custody import custody
    from app.receipts import receipts

    existing = Receipt.select().first()
    if existing is not None:
        return existing.id
    free = Asset.select().where(Asset.status == "available", Asset.id != sample.id).first()
    lead, sam = User.get(User.email == ROLES["lead"]), User.get(User.email == ROLES["member"])
    picture = io.BytesIO()
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    image.putpixel((10, 10), (0, 0, 0, 255))
    image.save(picture, "PNG")
    handed = receipts.act(
        "handover",
        free.code,
        lambda receipt: custody.check_out(
            free.code, actor=lead, today=date.today(), holder_id=sam.id, receipt=receipt
        ),
        actor=lead,
        person_id=sam.id,
        drawn="data:image/png;base64," + base64.b64encode(picture.getvalue()).decode(),
        uploads_dir=Path(app.instance_path) / "uploads",
        deliver_with={"public_url": "", "smtp": None},
    )
    assert handed.receipt_id is not None
    return handed.receipt_id


def page_path(rule, samples: dict) -> str:
    values = {}
    for argument in rule.arguments:
        key = (
            "location_code"
            if (rule.endpoint == "scan.location" and argument == "code")
            else argument
        )
        assert key in samples, (
            f"{rule.rule}: add a sample value for <{argument}> in tests/walk_kit.py"
        )
        values[argument] = samples[key]
    path = rule.rule
    for argument, value in values.items():
        path = path.replace(f"<{argument}>", str(value))
        for converter in ("int", "path", "string"):
            path = path.replace(f"<{converter}:{argument}>", str(value))
    return path
