"""The subscription reports and Home's renewals card in Chromium at 360 px on
the demo organisation, with subscriptions added to it: everything fits the
phone. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import os
import subprocess
import sys

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

# Run against the live server's instance folder: long names, a leaver's seat, a
# subscription past renewal and one renewing within the month.
ADD = """
from datetime import date, timedelta
from app import create_app
from app.models import User
from app.subscriptions import seats, subscriptions, vendors

app = create_app()
with app.app_context():
    lead = User.get(User.email == "lead@demo.tagtrail")
    today = date.today()
    def add(vendor, product, **values):
        found = vendors.by_name(vendor) or vendors.save_vendor(vendor, actor=lead)
        base = dict(vendor_id=found.id, product=product, kind="saas", seats=10,
                    cost_cents=123456, period="year", starts_on=today - timedelta(days=400),
                    renews_on=today + timedelta(days=200), auto_renews=True, remind_days=30,
                    owner_id=None, owner_team_id=None, notes="")
        base.update(values)
        return subscriptions.create(base, actor=lead)
    cc = add("Adobe Systems Incorporated", "Creative Cloud All Apps for Teams (named user)")
    leaver = User.create(name="Morgan Long-Surname-Leaver", email="morgan@demo.tagtrail")
    seats.assign(cc.id, leaver.id, actor=lead)
    User.update(active=False).where(User.id == leaver.id).execute()
    add("Dell Technologies", "ProSupport Plus for Client Systems",
        renews_on=today - timedelta(days=3))
    add("Gandi", "example-organisation-domain.com", seats=1, cost_cents=1500,
        renews_on=today + timedelta(days=12), auto_renews=False)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with demo_site(tmp_path_factory.mktemp("subscription-reports"), PASSWORD) as running:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTRAIL_")}
        env["TAGTRAIL_INSTANCE"] = str(running["db"].parent)
        done = subprocess.run(
            [sys.executable, "-c", ADD], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
        yield running


@pytest.mark.parametrize("size", ["360", "390"])
def test_the_reports_and_the_card_fit_a_phone(site, browser, size):  # noqa: F811
    url = site["url"]
    page = phone(browser, size)
    sign_in(page, url, "lead@demo.tagtrail", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    expect(page.locator("#dash-renewals")).to_contain_text("subscription")
    assert_no_sideways_scroll(page)
    page.locator("#dash-renewals").screenshot(path=ARTIFACTS / f"home-renewals-{size}.png")

    page.goto(f"{url}/reports/subscription-spend")
    expect(page.locator("#spend-vendors")).to_contain_text("Adobe Systems Incorporated")
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / f"subscription-spend-{size}.png", full_page=True)

    page.goto(f"{url}/reports/waste")
    expect(page.locator("#waste-deactivated")).to_contain_text("Morgan Long-Surname-Leaver")
    expect(page.locator("#waste-past")).to_contain_text("ProSupport Plus")
    assert_no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / f"waste-{size}.png", full_page=True)
