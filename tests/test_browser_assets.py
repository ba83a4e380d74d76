"""The asset list in a real Chromium at phone size: a lead ticks assets and prints
exactly those (issue: lead and owner journeys, "The first ticked asset is dropped")."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from .browser_kit import tagtrail
from .test_browser import _assert_no_horizontal_scroll, _first_admin, _shot, _watch

pytestmark = pytest.mark.browser

NAMES = ["Angle grinder", "Bandsaw", "Chisel set", "Drill 18V", "Drill press", "Epoxy gun"]


def _import(url: str, instance: Path, tmp_path: Path) -> None:
    """Six assets through `tagtrail import-csv`, against the running server's instance."""
    source = tmp_path / "assets.csv"
    source.write_text("Name\n" + "".join(f"{name}\n" for name in NAMES))
    tagtrail(instance, url, "import-csv", str(source))


def _tick(view: Page, name: str) -> None:
    view.get_by_label(f"Tick {name} to print").check()


def test_ticking_never_reloads_the_list_and_print_gets_every_tick(server, page, tmp_path):
    """Tick the first box right after the page loads, then two more: nothing reloads,
    the page says "3 ticked", a search in between keeps them, and the print page gets all."""
    problems = _watch(page)
    _first_admin(page, server)
    _import(server, tmp_path / "instance", tmp_path)

    page.goto(server + "/assets")
    page.wait_for_load_state("networkidle")
    list_requests: list[str] = []
    page.on("request", lambda r: list_requests.append(r.url) if "/assets" in r.url else None)

    for name in NAMES[:3]:
        _tick(page, name)
    page.wait_for_timeout(600)  # longer than the search box's 300 ms debounce
    assert list_requests == [], f"ticking reloaded the list: {list_requests}"
    for name in NAMES[:3]:
        expect(page.get_by_label(f"Tick {name} to print")).to_be_checked()
    expect(page.locator("#ticked-count")).to_have_text("3 ticked")
    _assert_no_horizontal_scroll(page)
    _shot(page, "assets-ticked")

    # A search swaps the rows under the ticks; they are kept, and one more adds to them.
    page.get_by_label("Search").fill("Drill")
    expect(page.get_by_label("Tick Bandsaw to print")).to_have_count(0)
    _tick(page, "Drill press")
    expect(page.locator("#ticked-count")).to_have_text("4 ticked")
    page.get_by_label("Search").fill("")
    expect(page.get_by_label("Tick Bandsaw to print")).to_be_checked()
    expect(page.get_by_label("Tick Drill 18V to print")).not_to_be_checked()

    page.get_by_role("button", name="Print labels for ticked").click()
    expect(page.get_by_role("heading", name="Preview: 4 labels")).to_be_visible()
    expect(page.get_by_label("The 4 ticked in the asset list")).to_be_checked()
    sent = parse_qs(urlsplit(page.url).query)["asset"]
    assert len(sent) == len(set(sent)) == 4, sent
    _shot(page, "assets-ticked-print")
    assert not problems, "\n".join(problems)


def test_the_print_page_follows_every_change_before_download(server, page, tmp_path):
    """Change the stock and the copies after a preview, then download at once: the notes,
    the start map, the preview and the PDF all follow the form as it now reads."""
    problems = _watch(page)
    _first_admin(page, server)
    _import(server, tmp_path / "instance", tmp_path)
    page.goto(server + "/assets")
    for name in NAMES[:2]:
        _tick(page, name)
    page.get_by_role("button", name="Print labels for ticked").click()
    expect(page.get_by_role("heading", name="Preview: 2 labels")).to_be_visible()
    expect(page.locator("#module-size")).to_contain_text("Avery L7160")

    page.get_by_label("Label stock").select_option("avery-l7651")
    expect(page.locator("#module-size")).to_contain_text("Avery L7651")
    expect(page.locator(".sheet-map input[name=start]")).to_have_count(65)
    page.get_by_label("Copies of each").fill("3")
    with page.expect_download() as download:
        # The tap leaves the copies box (a change) and lands on Download PDF, which
        # waits for the refreshed preview; the second tap downloads it.
        page.get_by_role("button", name="Download PDF").click()
        expect(page.get_by_role("heading", name="Preview: 2 labels × 3")).to_be_visible()
        page.get_by_role("button", name="Download PDF").click()
    sent = page.locator("#print-page form[method=post] input[type=hidden]")
    fields = {
        sent.nth(i).get_attribute("name"): sent.nth(i).get_attribute("value")
        for i in range(sent.count())
    }
    assert fields["format"] == "avery-l7651" and fields["copies"] == "3", fields
    text = subprocess.run(
        ["pdftotext", download.value.path(), "-"], capture_output=True, text=True, check=True
    ).stdout
    codes = re.findall(r"\b[0-9A-Z]{3}-[0-9A-Z]{3}\b", text)
    assert len(codes) == 6 and len(set(codes)) == 2, codes
    _assert_no_horizontal_scroll(page)
    _shot(page, "print-follows-changes")
    assert not problems, "\n".join(problems)


def test_an_overdue_item_keeps_a_readable_name_in_the_list(server, page, tmp_path):
    """Checked out and overdue is two pills: at 390 px they stack at the row's end
    and the name keeps its width (side by side they squeezed it to a few letters
    a line); a long place name wraps, in the list and in the item's history,
    instead of running off the screen."""
    problems = _watch(page)
    _first_admin(page, server)
    _import(server, tmp_path / "instance", tmp_path)
    page.goto(server + "/locations/new")
    page.get_by_label("Name").fill("Lagerhallenverwaltungsgebaeudeerweiterungsbau")
    page.get_by_role("button", name="Save").click()
    db = sqlite3.connect(tmp_path / "instance" / "tagtrail.sqlite3")
    with db:  # out with the admin since last week, due back two days ago
        db.execute(
            "UPDATE asset SET status = 'checked_out', due_back = date('now', '-2 days'), "
            "holder_id = (SELECT id FROM user LIMIT 1), "
            "location_id = (SELECT id FROM location LIMIT 1) WHERE name = 'Angle grinder'"
        )
        db.execute(  # and its history says it was moved there
            "INSERT INTO event (asset_id, kind, at, location_id, note) SELECT id, 'moved', "
            "datetime('now'), location_id, '' FROM asset WHERE name = 'Angle grinder'"
        )
    db.close()
    page.goto(server + "/assets")
    row = page.locator(".asset-rows li", has_text="Angle grinder")
    expect(row.locator(".badge.overdue")).to_be_visible()
    text = row.locator(".row-text").bounding_box()  # the column of name, code and place
    assert text is not None and text["width"] >= 100, text
    place = row.locator(".row-sub").bounding_box()
    card = page.locator(".asset-rows").bounding_box()
    assert place and card and place["x"] + place["width"] <= card["x"] + card["width"]
    _assert_no_horizontal_scroll(page)
    _shot(page, "assets-overdue-row")
    row.locator("a.row-link").click()
    expect(page.locator("#timeline")).to_contain_text(
        "Lagerhallenverwaltungsgebaeudeerweiterungsbau"
    )
    _assert_no_horizontal_scroll(page)  # the history's long place name wraps too
    assert problems == []
