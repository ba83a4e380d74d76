"""Budgets from the custody issue: page weight and static caching."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup

from app.custody import custody, maintenance
from app.register import assets

from . import factories

TEN_KB = 10 * 1024


def _busy_asset(lead):
    """A long-named asset with an open fault, a holder, a due date and a full history page."""
    holder = factories.make_holder("Bartholomew Featherstonehaugh-Smythe")
    location = factories.make_location("Workshop", factories.make_location("Main site"))
    asset = factories.make_asset(
        actor=lead,
        name="Cordless hammer drill 18V brushless " * 3,
        serial="SN-" + "9" * 30,
        location=location.id,
    )
    for i in range(assets.HISTORY_PAGE):
        assets.update_asset(
            asset.code,
            {"notes": f"Checked the chuck and battery, round {i}"},
            version=i + 1,
            actor=lead,
        )
    maintenance.report_fault(
        asset.code, actor=lead, description="Battery latch is loose " * 5, severity="usable"
    )
    custody.check_out(
        asset.code,
        actor=lead,
        today=date.today(),
        holder_id=holder.id,
        note="For the site at the harbour",
    )
    return asset


def test_asset_page_html_stays_under_10_kb_for_a_lead(client, auth):
    """Even with every lead action, a fault band and a full page of history."""
    lead = auth.login("lead")
    asset = _busy_asset(lead)
    response = client.get(f"/A/{asset.code}")
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert len(soup.select("#timeline > li")) == assets.HISTORY_PAGE
    assert soup.select_one("#status-card .band")
    assert len(response.data) <= TEN_KB, len(response.data)


def test_static_files_are_versioned_and_cached_for_a_year(client, auth):
    """After the first visit the browser needs only the HTML: assets carry a content
    hash in their URL and a year-long cache lifetime."""
    auth.login("member")
    soup = BeautifulSoup(client.get("/").data, "html.parser")
    urls = [tag.get("src") or tag.get("href") for tag in soup.select("script[src], link[href]")]
    static = [u for u in urls if u.startswith("/static/")]
    assert len(static) >= 3
    for url in static:
        assert "?v=" in url, url
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.max_age >= 365 * 24 * 3600, url
        response.close()
