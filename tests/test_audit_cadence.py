"""Audit cadence: the interval, each asset's next audit, and the due / unseen lists."""

from __future__ import annotations

from datetime import timedelta

from app.audits import audits
from app.models import Asset, utcnow
from app.ops import settings

from . import factories
from .pages import soup_of


def _aged(asset, *, created_days=0, audited_days=None, seen_days=None):
    now = utcnow()
    Asset.update(
        created_at=now - timedelta(days=created_days),
        last_audited_at=None if audited_days is None else now - timedelta(days=audited_days),
        last_seen_at=None if seen_days is None else now - timedelta(days=seen_days),
    ).where(Asset.id == asset.id).execute()


def _names(client, url) -> list[str]:
    soup, response = client.soup(url)
    assert response.status_code == 200
    return sorted(s.get_text(strip=True) for s in soup.select("#asset-results .row-main strong"))


def test_audit_due_uses_the_organisations_interval(client, auth):
    """Never audited or audited longer ago than the interval: due; recently: not."""
    lead = auth.login("lead")
    never = factories.make_asset(lead, name="Never audited")
    old = factories.make_asset(lead, name="Audited long ago")
    fresh = factories.make_asset(lead, name="Audited last week")
    _aged(old, audited_days=120)
    _aged(fresh, audited_days=7)
    assert _names(client, "/assets?due=audit") == ["Audited long ago", "Never audited"]
    settings.save({"audit_interval_days": "5"})
    assert _names(client, "/assets?due=audit") == sorted(
        ["Audited long ago", "Audited last week", "Never audited"]
    )
    assert never and fresh


def test_not_seen_in_90_days(client, auth):
    """No tick or custody event for 90 days; assets newer than that are not counted."""
    lead = auth.login("lead")
    idle = factories.make_asset(lead, name="Idle")
    busy = factories.make_asset(lead, name="Busy")
    new = factories.make_asset(lead, name="New")
    _aged(idle, created_days=200, seen_days=100)
    _aged(busy, created_days=200, seen_days=3)
    _aged(new, created_days=10)
    assert _names(client, "/assets?unseen=90") == ["Idle"]


def test_a_tick_or_a_custody_action_counts_as_seen(client, auth):
    """Ticking in an audit or checking out sets last seen (and a tick, last audited).
    The lent item is not one the audit expects: had it been, the check-out would
    count as seen in that audit (test_audit_actions.py), and so as audited."""
    lead = auth.login("lead")
    ticked = factories.make_asset(lead, name="Ticked")
    audit = audits.start("Q", actor=lead)
    lent = factories.make_asset(lead, name="Lent")
    audits.tick(audit.id, ticked.code, actor=lead)
    from datetime import date

    from app.custody import custody

    custody.check_out(lent.code, actor=lead, today=date.today())
    ticked, lent = Asset.get_by_id(ticked.id), Asset.get_by_id(lent.id)
    assert ticked.last_audited_at and ticked.last_seen_at
    assert lent.last_seen_at and lent.last_audited_at is None


def test_home_page_shows_audit_due_and_not_seen_counts(client, auth):
    """Leads see both counts on the home page, each linking to the filtered list."""
    lead = auth.login("lead")
    due = factories.make_asset(lead, name="Due")
    _aged(due, created_days=200, seen_days=150)
    soup = soup_of(client.get("/"))
    links = {a.get_text(" ", strip=True): a["href"] for a in soup.select(".counts a")}
    due_link = next(text for text in links if "Audit due" in text)
    assert due_link.startswith("1 ") and links[due_link] == "/assets?due=audit"
    unseen = next(text for text in links if "Not seen in 90 days" in text)
    assert unseen.startswith("1 ") and links[unseen] == "/assets?unseen=90"


def test_asset_page_shows_the_next_audit_date(client, auth):
    """The details say when the asset is next due for audit."""
    lead = auth.login("lead")
    asset = factories.make_asset(lead, name="Drill")
    soup = soup_of(client.get(f"/A/{asset.code}"))
    details = dict(
        zip(
            [dt.get_text() for dt in soup.select("#details dt")],
            [dd.get_text() for dd in soup.select("#details dd")],
            strict=True,
        )
    )
    assert details["Next audit"] == "due now (never audited)"
    _aged(asset, audited_days=10)
    soup = soup_of(client.get(f"/A/{asset.code}"))
    details = dict(
        zip(
            [dt.get_text() for dt in soup.select("#details dt")],
            [dd.get_text() for dd in soup.select("#details dd")],
            strict=True,
        )
    )
    expected = (utcnow() - timedelta(days=10) + timedelta(days=90)).strftime("%d %b %Y")
    assert details["Next audit"] == expected


def test_admin_sets_the_interval_and_bad_values_are_refused(client, auth):
    """The interval is a whole number of days from 1 to 3650."""
    auth.login("admin")
    form = {"org_name": "ACME", "public_url": "", "timezone": "UTC"}
    assert client.form("/admin/settings", {**form, "audit_interval_days": "0"}).status_code == 422
    assert client.form("/admin/settings", {**form, "audit_interval_days": "x"}).status_code == 422
    assert client.form("/admin/settings", {**form, "audit_interval_days": "30"}).status_code == 303
    settings.clear_cache()
    assert settings.saved()["audit_interval_days"] == "30"
