"""The issue's owner journey on the demo organisation, in Chromium at 390×844
and 360×740: the owner types one subscription and imports another (a file
naming a vendor nobody added is refused first, changing nothing); `tagtrail
remind` emails the renewal 30 days ahead, once, and not the one 31 days away
(a real SMTP server on loopback); the waste report shows the three seats held
by people who have left; the replacement plan says which laptops to budget
for now and next quarter, and why. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .browser_kit import (  # noqa: F401 (browser is a fixture)
    assert_no_sideways_scroll,
    browser,
    demo_site,
    phone,
    sign_in,
)
from .mail_kit import inbox  # noqa: F401 (a fixture)
from .test_browser import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser


def _rows(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _today(db: Path) -> date:
    """The organisation's today, as `tagtrail remind` works it out."""
    zone = dict(_rows(db, "SELECT key, value FROM setting")).get("timezone") or "UTC"
    return datetime.now(ZoneInfo(zone)).date()


def _remind(site: dict, port: int) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTRAIL_")}
    env.update(
        TAGTRAIL_INSTANCE=str(site["base"] / "instance"),
        TAGTRAIL_PUBLIC_URL=site["url"],
        TAGTRAIL_SMTP_HOST="127.0.0.1",
        TAGTRAIL_SMTP_PORT=str(port),
        TAGTRAIL_SMTP_FROM="tagtrail@example.test",
        TAGTRAIL_SMTP_STARTTLS="false",
    )
    done = subprocess.run(
        [str(Path(sys.executable).parent / "tagtrail"), "remind"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _about(mailbox, product: str) -> list:
    return [
        (rcpt, message)
        for _, rcpt, message in mailbox.messages
        if product in message["Subject"] or product in message.get_body().get_content()
    ]


@pytest.mark.parametrize("size", ["390", "360"])
def test_an_owner_tracks_subscriptions_waste_and_what_to_replace(
    browser,  # noqa: F811
    inbox,  # noqa: F811
    tmp_path,
    size,
):
    mailbox, port = inbox
    with demo_site(tmp_path, PASSWORD) as site:
        url, db = site["url"], site["db"]
        today = _today(db)
        page = phone(browser, size)
        sign_in(page, url, "admin@demo.tagtrail", PASSWORD)
        ARTIFACTS.mkdir(exist_ok=True)

        # Typed: a vendor, then a subscription renewing in exactly 30 days.
        page.goto(f"{url}/vendors")
        page.get_by_label("Name").fill("Slack")
        page.get_by_role("button", name="Add vendor").tap()
        expect(page.locator("body")).to_contain_text("Slack")
        page.goto(f"{url}/subscriptions/new")
        page.get_by_label("Vendor").select_option(label="Slack")
        page.get_by_label("Product").fill("Slack Pro")
        page.get_by_label("Seats bought").fill("12")
        page.get_by_label("Cost").fill("840")
        page.get_by_label("Paid").select_option(label="Yearly")
        page.get_by_label("Started").fill((today - timedelta(days=335)).isoformat())
        page.get_by_label("Renews on").fill((today + timedelta(days=30)).isoformat())
        page.get_by_label("Owner").select_option(label="Ada Admin")
        assert_no_sideways_scroll(page)
        page.get_by_role("button", name="Save").tap()
        page.wait_for_url(re.compile(re.escape(url) + r"/subscriptions/\d+$"))
        expect(page.locator("h1")).to_contain_text("Slack Pro")

        # Imported: a file naming a vendor nobody added is refused, nothing saved.
        renews = (today + timedelta(days=31)).isoformat()
        wrong = tmp_path / "wrong.csv"
        header = "Vendor,Product,Seats,Cost,Period,Renews on\n"
        wrong.write_text(f"{header}Notion Labs,Notion Plus,8,96,year,{renews}\n")
        page.goto(f"{url}/assets/import")
        page.locator("#import-kind").get_by_label("Subscriptions", exact=False).check()
        page.locator("#file").set_input_files(str(wrong))
        page.get_by_role("button", name="Upload and preview").tap()
        expect(page.locator("body")).to_contain_text("no vendor called “Notion Labs”")
        assert_no_sideways_scroll(page)
        page.screenshot(path=ARTIFACTS / f"owner-import-refused-{size}.png", full_page=True)
        assert _rows(db, "SELECT COUNT(*) FROM subscription WHERE product = 'Notion Plus'") == [
            (0,)
        ]
        right = tmp_path / "right.csv"
        right.write_text(f"{header}Figma,FigJam,8,96,year,{renews}\n")
        page.goto(f"{url}/assets/import")
        page.locator("#import-kind").get_by_label("Subscriptions", exact=False).check()
        page.locator("#file").set_input_files(str(right))
        page.get_by_role("button", name="Upload and preview").tap()
        page.get_by_role("button", name="Import 1 row").tap()
        page.wait_for_url(f"{url}/subscriptions")
        expect(page.locator("#subscriptions")).to_contain_text("FigJam")
        expect(page.locator("#subscriptions")).to_contain_text("Slack Pro")
        assert_no_sideways_scroll(page)
        page.screenshot(path=ARTIFACTS / f"owner-subscriptions-{size}.png", full_page=True)

        # The renewal reminder: Slack Pro (30 days ahead) to its owner, once;
        # FigJam (31 days) not yet.
        _remind(site, port)
        [(rcpt, message)] = _about(mailbox, "Slack Pro")
        assert rcpt == ["admin@demo.tagtrail"]
        assert "in 30 days" in message.get_body().get_content()
        assert _about(mailbox, "FigJam") == []
        _remind(site, port)
        assert len(_about(mailbox, "Slack Pro")) == 1
        page.goto(url + "/subscriptions")
        page.get_by_role("link", name="Slack Pro").tap()
        expect(page.locator("body")).to_contain_text("Renewal reminder sent")

        # Waste: the three seats still held by people who have left.
        page.goto(f"{url}/reports/waste")
        held = page.locator("#waste-deactivated tbody tr")
        expect(held).to_have_count(3)
        assert_no_sideways_scroll(page)
        page.screenshot(path=ARTIFACTS / f"owner-waste-{size}.png", full_page=True)

        # The replacement plan: which laptops, and why; and next quarter's.
        page.goto(f"{url}/reports/replacement")
        due = page.locator("#replacement-due tbody tr")
        expect(due.filter(has_text="Past its useful life since")).to_have_count(2)
        repairs = re.compile(r"Repairs and services £620 in 12 months")
        expect(due.filter(has_text=repairs)).to_have_count(1)
        coming = page.locator("#replacement-next tbody tr")
        expect(coming).to_have_count(1)
        expect(coming).to_contain_text("Useful life ends")
        expect(coming).to_contain_text("£1,250.00")
        assert_no_sideways_scroll(page)
        page.screenshot(path=ARTIFACTS / f"owner-replacement-{size}.png", full_page=True)
        page.goto(url + "/")
        expect(page.locator("#replacement-card")).to_contain_text(
            "Due for replacement this quarter"
        )
        page.context.close()
