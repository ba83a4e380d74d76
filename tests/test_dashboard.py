"""The home dashboard: every count and list against a dataset whose answers were
worked out by hand, the full lists it links to, the members' view, and a fixed
number of queries whatever the data size."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.audits import audits
from app.custody import custody, maintenance
from app.models import Asset
from app.register import places

from . import factories
from .pages import soup_of

# Edges such as "warranty ends in 30 days, not 31" hold only within one day.
pytestmark = pytest.mark.usefixtures("clock")


def today() -> date:
    return datetime.now(UTC).date()  # the test organisation's time zone is UTC


def days(n: int) -> date:
    return today() + timedelta(days=n)


def build(lead, tag: str = "") -> dict[str, Asset]:
    """Twenty assets, each placed to land in (or just miss) one dashboard list."""
    holder = factories.make_holder(f"Pat{tag}")
    cat = factories.make_category(f"Pumps{tag}")
    places.save_category(cat.name, cat.id, service_interval_days=30)
    made: dict[str, Asset] = {}

    def add(key: str, **values) -> Asset:
        made[key] = factories.make_asset(lead, name=f"{key}{tag}", **values)
        return made[key]

    for key, due in (("overdue-3", -3), ("overdue-1", -1), ("due-today", 0)):
        add(key)
        custody.check_out(
            made[key].code, actor=lead, today=days(-10), holder_id=holder.id, due_back=days(due)
        )
    add("fault-usable")
    maintenance.report_fault(
        made["fault-usable"].code, actor=lead, description="Loose", severity="usable"
    )
    add("fault-blocking")
    maintenance.report_fault(
        made["fault-blocking"].code, actor=lead, description="Sparks", severity="do_not_use"
    )
    add("fault-fixed")
    maintenance.report_fault(
        made["fault-fixed"].code, actor=lead, description="Dent", severity="usable"
    )
    maintenance.mark_fixed(made["fault-fixed"].code, actor=lead)
    store = factories.make_location(f"Store{tag}")
    add("missing", location=store.id)
    audit = audits.start(f"Spot check{tag}", actor=lead, location_id=store.id)
    audits.mark_missing(audit.id, made["missing"].code, actor=lead)
    for key, offset in (("warranty-0", 0), ("warranty-30", 30), ("warranty-31", 31)):
        add(key, warranty_end=days(offset))
    add("warranty-ended", warranty_end=days(-1))
    add("warranty-retired", warranty_end=days(5))
    custody.retire(made["warranty-retired"].code, actor=lead, reason="scrapped")
    # Category interval 30 days from purchase: due in -10, +10, +20, +14, +15 days.
    for key, bought in (
        ("service-overdue", -40),
        ("service-soon", -20),
        ("service-later", -10),
        ("service-edge", -16),
        ("service-15", -15),
    ):
        add(key, category=cat.id, purchase_date=days(bought))
    now = datetime.now(UTC).replace(tzinfo=None)
    for key, seen in (("old-never-seen", None), ("old-seen-100", 100), ("old-seen-10", 10)):
        add(key)
        Asset.update(
            created_at=now - timedelta(days=200),
            last_seen_at=None if seen is None else now - timedelta(days=seen),
            last_audited_at=now - timedelta(days=10),  # audited lately: not audit due
        ).where(Asset.id == made[key].id).execute()
    return made


def section(soup, id_: str) -> tuple[int, list[str]]:
    """A dashboard list's count and the names in its rows, in order."""
    card = soup.select_one(f"#{id_}")
    assert card is not None, id_
    count = int(card.select_one("h2 .count").get_text(strip=True))
    names = [s.get_text(strip=True) for s in card.select(".rows .row-main strong")]
    return count, names


@pytest.fixture
def lead_dashboard(client, auth):
    lead = auth.login("lead")
    made = build(lead)
    soup, response = client.soup("/")
    assert response.status_code == 200
    return soup, made


def test_counts_by_status(lead_dashboard):
    soup, _ = lead_dashboard
    shown = {
        a["data-status"]: int(a.strong.get_text())
        for a in soup.select("#register-counts a[data-status]")
    }
    # Three out, one blocking fault, one missing, one retired: 20 - 6 = 14 available.
    assert shown == {
        "available": 14,
        "checked_out": 3,
        "faulty": 1,
        "in_repair": 0,
        "missing": 1,
        "retired": 1,
    }
    assert soup.select_one("#register-counts-title .count").get_text() == "20"


def test_each_list_against_hand_computed_answers(lead_dashboard):
    soup, _ = lead_dashboard
    assert section(soup, "dash-overdue") == (2, ["overdue-3", "overdue-1"])
    assert section(soup, "dash-faults") == (2, ["fault-blocking", "fault-usable"])
    assert section(soup, "dash-missing") == (1, ["missing"])
    assert section(soup, "dash-unseen") == (2, ["old-never-seen", "old-seen-100"])
    assert section(soup, "dash-warranty") == (2, ["warranty-0", "warranty-30"])
    # Due -10, +10 and +14 days are in (14-day horizon); +15 and +20 are not.
    assert section(soup, "dash-service") == (3, ["service-overdue", "service-soon", "service-edge"])
    # Audit due: the 19 in service, less the three audited ten days ago.
    assert soup.select_one("#audit-due-count strong").get_text() == "16"
    recent = soup.select("#dash-activity .timeline > li:not(.feed-asset)")
    assert len(recent) == 5
    assert "Added" in recent[0].get_text()  # the last asset added is the newest event
    subs = [" ".join(s.get_text().split()) for s in soup.select("#dash-overdue .row-sub")]
    assert subs == ["With Pat · 3 days overdue", "With Pat · 1 day overdue"]


def test_each_list_links_to_a_full_list_with_the_same_items(client, lead_dashboard):
    """Following each "see all" link shows the same items the dashboard counted."""
    soup, _ = lead_dashboard
    expected = {
        "dash-overdue": {"overdue-3", "overdue-1"},
        "dash-faults": {"fault-blocking", "fault-usable"},
        "dash-missing": {"missing"},
        "dash-unseen": {"old-never-seen", "old-seen-100"},
        "dash-warranty": {"warranty-0", "warranty-30"},
        "dash-service": {"service-overdue", "service-soon", "service-edge"},
    }
    for id_, names in expected.items():
        url = soup.select_one(f"#{id_} .see-all a")["href"]
        full = soup_of(client.get(url))
        # /overdue also lists what is due today and tomorrow, in a list of its own.
        rows = "#overdue-list" if url == "/overdue" else "main .rows"
        listed = {s.get_text(strip=True) for s in full.select(f"{rows} .row-main strong")}
        assert listed == names, (id_, url)
    assert soup.select_one("#dash-activity .see-all a")["href"] == "/activity"


def test_rows_are_capped_and_the_link_says_how_many(client, auth):
    lead = auth.login("lead")
    holder = factories.make_holder()
    for n in range(7):
        asset = factories.make_asset(lead, name=f"Late {n}")
        custody.check_out(
            asset.code, actor=lead, today=days(-30), holder_id=holder.id, due_back=days(-20 + n)
        )
    soup = soup_of(client.get("/"))
    count, names = section(soup, "dash-overdue")
    assert count == 7 and names == [f"Late {n}" for n in range(5)]
    assert "(all 7)" in soup.select_one("#dash-overdue .see-all").get_text()


@pytest.mark.parametrize(
    "offset, listed", [(-1, False), (0, True), (1, True), (30, True), (31, False)]
)
def test_warranty_list_boundaries(client, auth, offset, listed):
    auth.login("lead")
    factories.make_asset(name="Boundary", warranty_end=days(offset))
    soup = soup_of(client.get("/"))
    assert section(soup, "dash-warranty") == ((1, ["Boundary"]) if listed else (0, []))
    full = soup_of(client.get("/assets?warranty=30"))
    assert bool(full.select("#asset-results .row-main")) is listed


def test_service_due_moves_after_service_done(client, auth):
    auth.login("lead")
    cat = factories.make_category("Vans")
    places.save_category(cat.name, cat.id, service_interval_days=30)
    van = factories.make_asset(name="Van", category=cat.id, purchase_date=days(-45))
    assert section(soup_of(client.get("/")), "dash-service") == (1, ["Van"])
    client.form(f"/A/{van.code}/service", {"cost": "120"})
    assert section(soup_of(client.get("/")), "dash-service") == (0, [])
    assert Asset.get_by_id(van.id).service_due_on == days(30)


def test_members_see_their_items_with_due_dates_and_no_dashboard(client, auth):
    lead = factories.make_user("lead")
    member = auth.login("member")
    late = factories.make_asset(lead, name="Late drill")
    fine = factories.make_asset(lead, name="Ladder")
    custody.check_out(late.code, actor=lead, today=days(-9), holder_id=member.id, due_back=days(-2))
    custody.check_out(fine.code, actor=lead, today=today(), holder_id=member.id, due_back=days(4))
    build(lead)  # plenty going on that members do not see here
    soup = soup_of(client.get("/"))
    assert soup.select_one("#register-counts") is None
    assert soup.select(".attention") == []
    rows = soup.select("#my-items .rows li")
    assert [r.select_one(".row-main strong").get_text() for r in rows] == ["Late drill", "Ladder"]
    assert "is-overdue" in rows[0]["class"]
    assert "2 days overdue" in rows[0].get_text()
    assert not rows[1].get("class")
    assert " ".join(rows[1].select_one(".row-sub").get_text().split()) == (
        f"Due back {days(4):%d %b %Y} · in 4 days"
    )


def test_leads_see_their_own_items_too(client, auth):
    lead = auth.login("lead")
    asset = factories.make_asset(lead, name="My laptop")
    custody.check_out(asset.code, actor=lead, today=today())
    soup = soup_of(client.get("/"))
    assert soup.select_one("#register-counts") is not None
    assert [s.get_text() for s in soup.select("#my-items .row-main strong")] == ["My laptop"]


def test_empty_dashboard(client, auth):
    auth.login("admin")
    soup = soup_of(client.get("/"))
    for id_ in ("dash-overdue", "dash-faults", "dash-missing", "dash-warranty", "dash-service"):
        assert section(soup, id_) == (0, [])
    assert soup.select_one("#my-items") is None


def test_query_count_is_fixed_whatever_the_data_size(client, auth, count_queries):
    """The same number of queries with one dataset as with three times as much, and few."""
    lead = auth.login("lead")

    def queries() -> int:
        # user, settings, my items, the aggregate (with the getting-started list's
        # counts), six lists, recent activity, the items due for replacement
        # this quarter other than by age and the categories' figures they are
        # judged by, and the places' labels (the tree, which each process keeps
        # for a few seconds)
        with count_queries(at_most=14) as calls:
            soup, response = client.soup("/")
        assert response.status_code == 200
        assert section(soup, "dash-overdue")[0] > 0
        return len(calls)

    build(lead, " a")
    small = queries()
    build(lead, " b")
    build(lead, " c")
    assert queries() == small


def test_a_lead_sees_a_few_of_their_own_items_then_a_link(client, auth):
    lead = auth.login("lead")
    for n in range(7):
        asset = factories.make_asset(lead, name=f"Kit {n}")
        custody.check_out(asset.code, actor=lead, today=today())
    soup = soup_of(client.get("/"))
    assert len(soup.select("#my-items .rows li")) == 5
    link = soup.select_one("#my-items .see-all a")["href"]
    full = soup_of(client.get(link))
    assert len(full.select("#asset-results .rows li")) == 7
