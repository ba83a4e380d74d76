"""Private downloads are never kept in a cache: exports, report CSVs and PDFs,
label PDFs, attachments and their thumbnails, fault photos."""

from __future__ import annotations

import pytest

from app.audits import audits
from app.models import Attachment, Fault

from . import factories
from .test_attachments import image_bytes, upload
from .test_faults import JPEG, fault

L7160 = "avery-l7160"


@pytest.fixture
def world(client, auth):
    """A lead signed in, an item with a photo attachment and a fault photo, an audit."""
    lead = auth.login("lead")
    drill = factories.make_asset(lead, name="Drill")
    assert upload(client, drill, image_bytes("JPEG"), "drill.jpg").status_code == 303
    fault(client, drill, photo=(JPEG, "x.jpg"))
    audit = audits.start("Stores", actor=lead)
    return {
        "asset": drill,
        "attachment": Attachment.get(Attachment.asset == drill).id,
        "fault": Fault.get(Fault.asset == drill).id,
        "audit": audit.id,
    }


GETS = [
    "/export/assets.csv",
    "/export/history.csv",
    "/reports/assets.csv",
    "/reports/idle.csv",
    "/reports/utilisation.csv",
    "/reports/maintenance.csv",
    "/reports/value.csv",
    "/audits/{audit}/report.csv",
    "/audits/{audit}/report.pdf",
    "/attachments/{attachment}",
    "/attachments/{attachment}/thumb",
    "/faults/{fault}/photo",
    f"/labels/calibrate?format={L7160}&download=1",
]

POSTS = [
    ("/labels/pdf", {"format": L7160, "choice": "all"}),
    ("/labels/blank", {"format": L7160, "count": "3", "start": "1"}),
    ("/labels/calibrate", {"format": L7160, "do": "download"}),
]


@pytest.mark.parametrize("url", GETS)
def test_every_private_download_is_sent_no_store(client, world, url):
    """Shared proxies and the browser's own cache on a shared phone keep no copy."""
    with client.get(url.format(**world)) as response:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.headers.get("Cache-Control") == "no-store"


@pytest.mark.parametrize(("url", "form"), POSTS)
def test_every_private_pdf_made_from_a_form_is_sent_no_store(client, world, url, form):
    response = client.form(url, form)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    assert response.headers.get("Cache-Control") == "no-store"
