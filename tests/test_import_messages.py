"""What the import says: a file over the limit at any size, a whole column's
problem once, a problem many rows share with at most ten row numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.register import uploads
from app.spreadsheets import rules

from .import_kit import counts
from .test_import_pages import soup, upload

MB = uploads.MEGABYTE


@pytest.mark.parametrize("size", [rules.MAX_BYTES + 1, 12 * MB, 30 * MB])
def test_a_file_over_the_limit_gets_the_import_page_at_every_size(client, auth, size):
    auth.login("lead")
    response = upload(client, b"Name\n" + b"x" * size, "huge.csv")
    assert response.status_code == 413
    page = soup(response)
    assert page.h1.text == "Import a spreadsheet"
    assert f"larger than {uploads.limit_words()}" in page.select_one(".flash-error").text
    assert page.select_one("input[name=file]") is not None  # the person can try again
    assert not list((Path(client.application.instance_path) / "imports").glob("*.csv"))
    assert counts() == (0, 0)


def test_the_request_cap_stays_for_other_pages(client, auth, app):
    """Only the import page answers in its own words; the cap itself is unchanged."""
    assert app.config["MAX_CONTENT_LENGTH"] <= rules.MAX_BYTES + MB
    auth.login("lead")
    token = client.csrf_token()
    response = client.post("/assets/new", data={"csrf_token": token, "name": "x" * (12 * MB)})
    assert response.status_code == 413
    assert "Import a spreadsheet" not in response.get_data(as_text=True)


def test_a_member_over_the_limit_gets_the_plain_page(client, auth):
    auth.login("member")
    response = upload(client, b"Name\n" + b"x" * (12 * MB), "huge.csv")
    assert response.status_code in (403, 413)
    assert "Import a spreadsheet" not in response.get_data(as_text=True)
