"""Each limit is defined once: the pages, the request cap and the docs say the
figure the code enforces. Pages build their words from the constant (the
upload test changes it and reads the pages again); boxes and docs are
compared with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import labels
from app.config import Defaults, default_instance_path
from app.custody.maintenance import MAX_TEXT
from app.printing import rules as printing_rules
from app.register import passwords, uploads
from app.reports import rules as report_rules
from app.spreadsheets import rules as import_rules

from . import factories

DOCS = Path(__file__).resolve().parent.parent / "docs"


def doc(name: str) -> str:
    """A doc's text with its line breaks folded, as a reader sees it."""
    return " ".join((DOCS / name).read_text().split())


@pytest.mark.parametrize(
    ("size", "words"),
    [
        (512, "512 bytes"),
        (2048, "2 KB"),
        (10 * uploads.MEGABYTE, "10 MB"),
        (1_234_567, "1.2 MB"),
    ],
)
def test_sizes_read_as_people_say_them(size, words):
    assert uploads.size_words(size) == words


def test_one_upload_limit_for_every_file(app):
    """Imports take the same files as photos and attachments, and the request cap
    leaves room for the form around the largest file and no more than a megabyte."""
    assert import_rules.MAX_BYTES == uploads.MAX_BYTES
    room = app.config["MAX_CONTENT_LENGTH"] - uploads.MAX_BYTES
    assert 0 < room <= uploads.MEGABYTE


def test_pages_state_the_upload_limit_from_the_constant(client, auth, monkeypatch):
    """With the limit changed, every page that states it says the new figure."""
    lead = auth.login("lead")
    drill = factories.make_asset(lead, name="Drill")
    monkeypatch.setattr(uploads, "MAX_BYTES", 3 * uploads.MEGABYTE)
    pages = {
        f"/A/{drill.code}/fault": "label[for=fault-photo]",
        f"/A/{drill.code}/attachments": "#attachment-manager .hint",
        "/assets/import": "label[for=file]",
    }
    for url, selector in pages.items():
        soup, response = client.soup(url)
        assert response.status_code == 200, url
        assert "3 MB" in soup.select_one(selector).get_text(), url
        assert soup.body["data-upload-limit"] == "3 MB", url  # what app.js says on a 413


def test_note_boxes_take_what_the_services_take(client, auth):
    """Every note, fault description and public message box stops where the
    service would refuse, so a phone never sends text to be turned back."""
    lead = auth.login("lead")
    drill = factories.make_asset(lead, name="Drill")
    boxes = {
        f"/A/{drill.code}/fault": "#fault-description",
        f"/A/{drill.code}/checkout": "#note",
        f"/A/{drill.code}/report": "#message",
    }
    for url, selector in boxes.items():
        soup, response = client.soup(url)
        assert response.status_code == 200, url
        assert soup.select_one(selector)["maxlength"] == str(MAX_TEXT), url


def test_set_up_states_the_password_rule(client):
    soup, _ = client.soup("/setup")
    label = soup.select_one("label[for=password]").get_text()
    assert f"at least {passwords.MIN_LENGTH} characters" in label
    assert passwords.problem("x" * (passwords.MIN_LENGTH - 1)) is not None


def test_the_idle_report_box_takes_what_the_server_does(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/reports/idle")
    box = soup.select_one("#days")
    assert (box["max"], box["value"]) == (
        str(report_rules.IDLE_DAYS_MAX),
        str(report_rules.IDLE_DAYS),
    )


def test_docs_state_the_limits_the_code_enforces():
    limit = uploads.limit_words()
    security = doc("reliability-and-security.md")
    assert f"passwords have at least {passwords.MIN_LENGTH} characters" in security
    assert f"At most {limit} and {import_rules.MAX_ROWS:,} rows." in doc("import-export.md")
    assert f"up to {limit} each" in doc("photos.md")
    assert f"{limit} at most" in doc("custody.md")
    assert f"up to {printing_rules.ORG_LINE_MAX} characters" in doc("labels.md")
    assert f"at most {labels.MAX_LABELS:,} labels" in doc("labels.md")
    reports = doc("reports.md")
    idle = f"(1 to {report_rules.IDLE_DAYS_MAX}, chosen on the page; {report_rules.IDLE_DAYS} by"
    assert idle in reports
    assert f"(default: the last {report_rules.UTILISATION_DAYS} days)" in reports
    assert f"(default: the last {report_rules.MAINTENANCE_DAYS} days)" in reports
    assert f"Per-asset tables show {Defaults.PAGE_SIZE} rows a page" in reports


def test_the_readme_states_the_configured_defaults(monkeypatch):
    """Every default the README's settings table gives as a plain value is the one
    in app/config.py (booleans as true/false)."""
    readme = (DOCS.parent / "README.md").read_text()
    stated = dict(re.findall(r"^\| `TAGTRAIL_(\w+)` \| `([^`]*)` \|", readme, re.MULTILINE))
    assert {"PAGE_SIZE", "SIGNIN_LIMIT", "SMTP_STARTTLS", "TIMEZONE"} <= stated.keys()
    monkeypatch.delenv("TAGTRAIL_INSTANCE", raising=False)  # found before the configuration
    assert Path(default_instance_path()) == Path(stated.pop("INSTANCE")).resolve()
    for name, value in stated.items():
        default = getattr(Defaults, name)
        expected = str(default).lower() if isinstance(default, bool) else str(default)
        assert value == expected, name
