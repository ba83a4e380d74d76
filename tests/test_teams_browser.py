"""Teams in Chromium at 360 px on the demo organisation: the team page, the
people list's team filter and the register's Team filter fit the phone, and
the filter narrows the list as it changes. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from .browser_kit import (  # noqa: F401 (browser is a fixture)
    assert_no_sideways_scroll,
    browser,
    demo_site,
    phone,
    sign_in,
)
from .test_browser import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with demo_site(tmp_path_factory.mktemp("teams"), PASSWORD) as running:
        db = sqlite3.connect(running["db"])
        try:
            running["studio"] = db.execute("SELECT id FROM team WHERE name = 'Studio'").fetchone()[
                0
            ]
        finally:
            db.close()
        yield running


def test_team_pages_and_filters_on_a_phone(site, browser):  # noqa: F811
    url = site["url"]
    page = phone(browser, "360")
    sign_in(page, url, "lead@demo.tagtrail", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{url}/teams")
    expect(page.locator("#teams .row-main")).to_have_text(["Site crew", "Studio"])
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "teams-360.png", full_page=True)

    page.goto(f"{url}/teams/{site['studio']}")
    expect(page.locator("#team-kept strong")).to_have_text(["Shared printer"])
    expect(page.locator("#team-people .row-main")).to_have_text(["Alice Member", "Sam Member"])
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "team-studio-360.png", full_page=True)

    page.goto(f"{url}/people")
    page.select_option("#people-filter select[name=team]", label="Site crew")
    page.click("#people-filter button[type=submit]")
    expect(page.locator("#people .row-main strong")).to_have_text(["Lee Lead", "Pat Holder"])
    assert_no_sideways_scroll(page)

    page.goto(f"{url}/assets")
    page.click("#filter-panel summary")
    page.select_option("select[name=team]", label="Studio")
    # htmx swaps the results as the choice changes; the printer the studio keeps is there.
    expect(page.locator("#asset-results")).to_contain_text("Shared printer")
    expect(page).to_have_url(re.compile(rf"[?&]team={site['studio']}(&|$)"))
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "register-team-filter-360.png", full_page=True)
    page.context.close()
