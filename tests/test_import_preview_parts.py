"""The asset and the subscription import previews share their file line, counts,
date order and column summary (imports/_preview_parts.html): the same file
shows them the same on both pages, so the two cannot drift apart."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from .import_kit import sheet
from .pages import soup_of

# A date that reads either way round, and a column neither import knows.
ASSETS = "Name,Serial,Purchase date,Colour\nDrill,S-1,03/04/2024,red\n"
SUBSCRIPTIONS = "Vendor,Product,Start date,Colour\nFigma,FigJam,03/04/2024,red\n"
SHARED = ["#import-counts table", "#dates-field", "#columns > summary", "#left-out"]


def preview(client, text: str, kind: str):
    fields = {
        "csrf_token": client.csrf_token(),
        "kind": kind,
        "file": FileStorage(io.BytesIO(sheet(text)), "same.csv"),
    }
    boundary, body = encode_multipart(fields)
    posted = client.post(
        "/assets/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert posted.status_code == 303
    return soup_of(client.get(posted.headers["Location"]))


@pytest.fixture
def both(client, auth):
    auth.login("lead")
    return preview(client, ASSETS, "assets"), preview(client, SUBSCRIPTIONS, "subscriptions")


def test_the_shared_sections_are_the_same_on_both_previews(both):
    assets, subscriptions = both
    for selector in SHARED:
        ours, theirs = assets.select_one(selector), subscriptions.select_one(selector)
        assert ours is not None and theirs is not None, selector
        assert str(ours) == str(theirs), selector
    assert (
        assets.select_one("#import-size").get_text()
        == subscriptions.select_one("#import-size").get_text()
    )


def test_an_ambiguous_date_is_asked_for_the_same_way_and_blocks_both(both):
    for page in both:
        field = page.select_one("#dates-field")
        assert "has-error" in field["class"]
        assert field.select_one("option[value='']").get_text() == "Choose…"
        blockers = {a["href"] for a in page.select("#import-blockers a")}
        assert "#dates" in blockers
        assert page.select_one("#left-out").get_text() == "Left out: “Colour”"
