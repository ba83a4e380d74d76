"""Subscription spend and waste, against figures worked out by hand (today is
11 March 2026, conftest's FIXED_NOW), on the page and in the CSVs. The
PostgreSQL run repeats every test here on PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.models import Subscription, User
from app.register import teams
from app.reports import subscription_spend, waste
from app.subscriptions import rules, seats, subscriptions

from . import factories
from .subscription_kit import make_subscription
from .test_reports import cells, rows_of

pytestmark = pytest.mark.usefixtures("clock")

TODAY = date(2026, 3, 11)


def person(name: str, team=None, role: str = "member") -> User:
    user = factories.make_user(role, name=name)
    if team is not None:
        User.update(team=team.id).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def give(sub: Subscription, *people: User, lead: User) -> None:
    for who in people:
        seats.assign(sub.id, who.id, actor=lead)


@pytest.fixture
def books(app):
    """Two teams, three leavers, and eight subscriptions (two not running today):

    | product      | vendor    | cost          | seats | in use | team          |
    | Figma Pro    | Figma     | 15.00 a month | 5     | 2      | Design (owner)|
    | CC           | Adobe     | 123.45 a year | 10    | 4 (3 gone) | Ops (team) |
    | M365         | Microsoft | 20.00 a month | ∞     | 1      | No team       |
    | ProSupport   | Dell      | 500.00 a year | 2     | 0      | Ops (owner), past renewal |
    | Freebie      | Figma     | none          | 3     | 0      | Design (team) |
    | Visio        | Microsoft | 10.00 a month | 1     | 0      | No team; cancelled, ends 31 Mar |
    | Domain       | Gandi     | 15.00 a year  | 1     | 0      | ended 28 Feb: not running |
    | Future tool  | Figma     | 9.99 a month  | 1     | 0      | starts 1 Jun: not running |
    """
    lead = factories.make_user("lead", name="Lena Lead")
    design, ops = teams.save_team("Design", actor=lead), teams.save_team("Ops", actor=lead)
    dana, oli = person("Dana Design", design), person("Oli Ops", ops)
    gone = [person(f"Gone {n}", design) for n in (1, 2, 3)]
    figma = make_subscription(lead, vendor="Figma", product="Figma Pro", cost_cents=1500,
                              period="month", seats=5, owner_id=dana.id)  # fmt: skip
    give(figma, dana, oli, lead=lead)
    cc = make_subscription(lead, vendor="Adobe", product="CC", cost_cents=12345, period="year",
                           seats=10, owner_team_id=ops.id)  # fmt: skip
    give(cc, *gone, oli, lead=lead)
    User.update(active=False).where(User.id.in_([g.id for g in gone])).execute()
    m365 = make_subscription(lead, vendor="Microsoft", product="M365", cost_cents=2000,
                             period="month", seats=None)  # fmt: skip
    give(m365, dana, lead=lead)
    make_subscription(lead, vendor="Dell", product="ProSupport", cost_cents=50000, period="year",
                      seats=2, owner_id=oli.id, renews_on=date(2026, 3, 1))  # fmt: skip
    make_subscription(lead, vendor="Figma", product="Freebie", cost_cents=None, seats=3,
                      owner_team_id=design.id)  # fmt: skip
    visio = make_subscription(lead, vendor="Microsoft", product="Visio", cost_cents=1000,
                              period="month", seats=1, owner_id=lead.id)  # fmt: skip
    subscriptions.cancel(visio.id, version=visio.version, actor=lead, ended_on=date(2026, 3, 31))
    domain = make_subscription(lead, vendor="Gandi", product="Domain", cost_cents=1500,
                               period="year", seats=1, owner_team_id=design.id)  # fmt: skip
    subscriptions.cancel(domain.id, version=domain.version, actor=lead, ended_on=date(2026, 2, 28))
    make_subscription(lead, vendor="Figma", product="Future tool", cost_cents=999, period="month",
                      seats=1, starts_on=date(2026, 6, 1), renews_on=date(2027, 6, 1))  # fmt: skip
    return lead


def figures(line) -> tuple:
    return (line.name, line.subscriptions, line.without_cost, line.month_cents, line.year_cents)


def test_spend_by_team_and_by_vendor(books):
    """Per month: 15.00; 123.45 ÷ 12 = 10.2875 → 10.29; 20.00; 500.00 ÷ 12 = 41.666… →
    41.67; 10.00. Per year: 180.00; 123.45; 240.00; 500.00; 120.00. Teams by the
    owner team, else the owner's team; costliest first, No team last."""
    report = subscription_spend.spend(TODAY)
    assert [figures(x) for x in report.teams] == [
        ("Ops", 2, 0, 1029 + 4167, 12345 + 50000),
        ("Design", 2, 1, 1500, 18000),
        ("No team", 2, 0, 2000 + 1000, 24000 + 12000),
    ]
    assert [figures(x) for x in report.vendors] == [
        ("Dell", 1, 0, 4167, 50000),
        ("Microsoft", 2, 0, 3000, 36000),
        ("Figma", 2, 1, 1500, 18000),
        ("Adobe", 1, 0, 1029, 12345),
    ]
    assert figures(report.total) == ("Total", 6, 1, 9696, 116345)
    for table in (report.teams, report.vendors):
        assert sum(x.month_cents for x in table) == report.total.month_cents
        assert sum(x.year_cents for x in table) == report.total.year_cents


def test_waste_seats_leavers_and_past_renewal(books):
    """Free seats: Figma Pro 3 of 5 = 180.00 × 3 ÷ 5 = 108.00; CC 6 of 10 = 123.45 ×
    6 ÷ 10 = 74.07; Visio 1 of 1 = 120.00; ProSupport 2 of 2 = 500.00 but counted
    under past renewal; Freebie 3, no cost. Leavers: 123.45 ÷ 10 = 12.345 → 12.35 a
    seat, three of them. Past renewal: ProSupport, 500.00.
    Total: 302.07 + 37.05 + 500.00 = 839.12."""
    report = waste.waste(TODAY)
    assert [(x.product, x.free, x.seats, x.year_cents, x.counted) for x in report.free] == [
        ("ProSupport", 2, 2, 50000, False),
        ("Visio", 1, 1, 12000, True),
        ("Figma Pro", 3, 5, 10800, True),
        ("CC", 6, 10, 7407, True),
        ("Freebie", 3, 3, None, True),
    ]
    assert [(x.person, x.product, x.year_cents, x.counted) for x in report.held] == [
        ("Gone 1", "CC", 1235, True),
        ("Gone 2", "CC", 1235, True),
        ("Gone 3", "CC", 1235, True),
    ]
    assert [(x.product, x.renews_on, x.year_cents) for x in report.past] == [
        ("ProSupport", date(2026, 3, 1), 50000)
    ]
    assert (report.free_cents, report.held_cents, report.past_cents) == (30207, 3705, 50000)
    assert report.total_cents == 83912


def test_the_sql_costs_agree_with_the_rules(app):
    """cost_per_year_sql and cost_per_month_sql give what the Python rules give,
    halves and the largest cost included."""
    lead = factories.make_user("lead")
    # The largest a PostgreSQL integer column holds: × 12 needs the BIGINT cast.
    costs = [None, 0, 1, 5, 6, 11, 12, 18, 1234, 12345, 99_999_999, rules.MAX_COST_CENTS]
    made = [
        make_subscription(lead, cost_cents=cost, period=period)
        for cost in costs
        for period in ("month", "year")
    ]
    query = Subscription.select(
        Subscription.id, rules.cost_per_month_sql(), rules.cost_per_year_sql()
    ).where(Subscription.id.in_([s.id for s in made]))
    found = {sid: (m, y) for sid, m, y in query.tuples()}
    for sub in made:
        month, year = found[sub.id]
        assert (None if month is None else int(month)) == rules.cost_per_month_cents(
            sub.cost_cents, sub.period
        ), (sub.cost_cents, sub.period)
        assert (None if year is None else int(year)) == rules.cost_per_year_cents(
            sub.cost_cents, sub.period
        ), (sub.cost_cents, sub.period)


def test_the_sql_conditions_agree_with_the_rules(app):
    """running_sql, past_renewal_sql and renewing_sql pick what is_running,
    past_renewal and a 30-day look ahead pick, around every edge."""
    lead = factories.make_user("lead")
    made = []
    for starts in (None, TODAY - timedelta(1), TODAY, TODAY + timedelta(1)):
        for renews in (None, TODAY - timedelta(1), TODAY, TODAY + timedelta(30),
                       TODAY + timedelta(31)):  # fmt: skip
            if starts and renews and renews < starts:
                continue
            made.append(make_subscription(lead, starts_on=starts, renews_on=renews))
    for ended in (TODAY - timedelta(1), TODAY, TODAY + timedelta(1)):
        sub = make_subscription(lead, starts_on=None, renews_on=TODAY - timedelta(1))
        made.append(subscriptions.cancel(sub.id, version=sub.version, actor=lead, ended_on=ended))

    def picked(condition) -> set[int]:
        return {s.id for s in Subscription.select(Subscription.id).where(condition)}

    rows = [Subscription.get_by_id(s.id) for s in made]
    assert picked(rules.running_sql(TODAY)) == {s.id for s in rows if rules.is_running(s, TODAY)}
    assert picked(rules.past_renewal_sql(TODAY)) == {
        s.id for s in rows if rules.past_renewal(s, TODAY)
    }
    assert picked(rules.renewing_sql(TODAY)) == {
        s.id
        for s in rows
        if not rules.is_cancelled(s)
        and s.renews_on is not None
        and TODAY <= s.renews_on <= TODAY + timedelta(30)
    }


def test_seat_costs_round_half_up():
    assert rules.seats_cost_per_year_cents(12345, 10, 1) == 1235  # 1234.5
    assert rules.seats_cost_per_year_cents(12345, 10, 6) == 7407
    assert rules.seats_cost_per_year_cents(100, 3, 1) == 33
    assert rules.seats_cost_per_year_cents(100, 3, 2) == 67
    assert rules.seats_cost_per_year_cents(None, 3, 1) is None
    assert rules.seats_cost_per_year_cents(100, None, 1) is None


# The pages and their CSVs ------------------------------------------------------------


def test_spend_page_and_csv(client, auth, books):
    auth.login("lead")
    soup, response = client.soup("/reports/subscription-spend")
    assert response.status_code == 200
    total = soup.select_one("#report-subscription-spend .report-total").get_text(" ", strip=True)
    assert total.startswith("6 subscriptions running on")
    assert "96.96 a month" in total and "1,163.45 a year" in total
    assert "1 without a cost recorded" in total
    teams = [cells(tr) for tr in soup.select("#spend-teams tbody tr")]
    assert [row[0] for row in teams] == [
        "Ops 2 subscriptions",
        "Design 2 subscriptions, 1 without cost",
        "No team 2 subscriptions",
    ]
    assert teams[0][1:] == ["51.96", "623.45"]
    assert cells(soup.select_one("#spend-teams tfoot tr")) == ["Total", "96.96", "1,163.45"]
    assert cells(soup.select_one("#spend-vendors tfoot tr")) == ["Total", "96.96", "1,163.45"]
    assert [cells(tr)[0].split(" ")[0] for tr in soup.select("#spend-vendors tbody tr")] == [
        "Dell",
        "Microsoft",
        "Figma",
        "Adobe",
    ]

    header, *rows = rows_of(client.get("/reports/subscription-spend.csv?table=teams"))
    assert header == ["Team", "Subscriptions", "Without cost", "Per month", "Per year"]
    assert rows == [
        ["Ops", "2", "0", "51.96", "623.45"],
        ["Design", "2", "1", "15.00", "180.00"],
        ["No team", "2", "0", "30.00", "360.00"],
        ["Total", "6", "1", "96.96", "1163.45"],
    ]
    response = client.get("/reports/subscription-spend.csv?table=vendors")
    assert response.mimetype == "text/csv"
    assert "subscription-spend-by-vendor-2026-03-11.csv" in response.headers["Content-Disposition"]
    header, *rows = rows_of(response)
    assert header[0] == "Vendor" and rows[0] == ["Dell", "1", "0", "41.67", "500.00"]
    assert rows[-1] == ["Total", "6", "1", "96.96", "1163.45"]
    assert client.get("/reports/subscription-spend.csv?table=people").status_code == 400


def test_waste_page_and_csvs(client, auth, books):
    auth.login("lead")
    soup, response = client.soup("/reports/waste")
    assert response.status_code == 200
    total = soup.select_one("#report-waste .report-total").get_text(" ", strip=True)
    assert total.startswith("Wasted a year: 839.12")
    free = [cells(tr) for tr in soup.select("#waste-free tbody tr")]
    assert free[0] == ["ProSupport Dell", "2 of 2", "500.00 counted under Past renewal"]
    assert free[2] == ["Figma Pro Figma", "3 of 5", "108.00"]
    assert free[4] == ["Freebie Figma", "3 of 3", "—"]
    assert cells(soup.select_one("#waste-free tfoot tr")) == ["Total", "15", "302.07"]
    held = [cells(tr) for tr in soup.select("#waste-deactivated tbody tr")]
    assert [row[0] for row in held] == ["Gone 1", "Gone 2", "Gone 3"]
    assert held[0][1].startswith("CC Adobe · since") and held[0][2] == "12.35"
    assert cells(soup.select_one("#waste-deactivated tfoot tr")) == ["Total", "3 seats", "37.05"]
    assert cells(soup.select_one("#waste-past tbody tr")) == [
        "ProSupport Dell",
        "01 Mar 2026 auto-renews",
        "500.00",
    ]

    header, *rows = rows_of(client.get("/reports/waste.csv?table=free"))
    assert header == ["Product", "Vendor", "Seats", "In use", "Free", "Per year", "Counted"]
    assert rows[0] == ["ProSupport", "Dell", "2", "0", "2", "500.00", "no: past renewal"]
    assert rows[-1] == ["Total", "", "", "", "", "302.07", ""]
    header, *rows = rows_of(client.get("/reports/waste.csv?table=deactivated"))
    assert rows[0][:3] == ["Gone 1", "CC", "Adobe"] and rows[0][4:] == ["12.35", "yes"]
    assert rows[-1] == ["Total", "", "", "", "37.05", ""]
    header, *rows = rows_of(client.get("/reports/waste.csv?table=past"))
    assert rows == [
        ["ProSupport", "Dell", "2026-03-01", "yes", "500.00"],
        ["Total", "", "", "", "500.00"],
    ]


def test_empty_reports_say_so(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/reports/waste")
    assert (
        soup.select_one("#report-waste .report-total")
        .get_text(" ", strip=True)
        .startswith("Wasted a year: 0.00")
    )
    assert cells(soup.select_one("#waste-free tbody tr")) == ["Every seat bought is given out."]
    soup, _ = client.soup("/reports/subscription-spend")
    assert cells(soup.select_one("#spend-teams tbody tr")) == ["No subscriptions running today."]


def test_members_are_refused(client, auth):
    auth.login("member")
    for url in (
        "/reports/subscription-spend",
        "/reports/subscription-spend.csv",
        "/reports/waste",
        "/reports/waste.csv",
    ):
        assert client.get(url).status_code == 403, url


def test_leads_find_them_in_the_list(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/reports")
    titles = [a.select_one("strong").get_text() for a in soup.select("#report-list a")]
    assert "Subscription spend" in titles and "Waste" in titles
    assert soup.select_one("#report-list a[href='/reports/waste']")


# Home's card ---------------------------------------------------------------------------


def test_home_counts_renewals_in_the_next_30_days(client, auth):
    """Leads see the card only when something renews within 30 days (today and the
    30th day included, cancelled ones left out), with their cost a year: 180.00 +
    15.00 = 195.00. Counted in the dashboard's one counting query."""
    lead = auth.login("lead")
    soup, _ = client.soup("/")
    assert soup.select_one("#dash-renewals") is None
    make_subscription(lead, vendor="Gandi", product="Domain", renews_on=TODAY + timedelta(30),
                      cost_cents=1500, period="year")  # fmt: skip
    make_subscription(lead, vendor="Figma", product="Figma Pro", renews_on=TODAY,
                      cost_cents=1500, period="month")  # fmt: skip
    make_subscription(lead, product="Later", renews_on=TODAY + timedelta(31))
    gone = make_subscription(lead, product="Cancelled", renews_on=TODAY + timedelta(5))
    subscriptions.cancel(gone.id, version=gone.version, actor=lead, ended_on=TODAY)
    soup, _ = client.soup("/")
    card = soup.select_one("#dash-renewals")
    assert card.select_one("h2 .count").get_text(strip=True) == "2"
    assert card.select_one("p strong").get_text(" ", strip=True) == (
        "2 subscriptions · 195.00 a year"
    )
    assert card.select_one(".see-all a")["href"] == "/subscriptions"


def test_members_get_no_renewals_card(client, auth):
    lead = factories.make_user("lead")
    make_subscription(lead, renews_on=TODAY + timedelta(3))
    auth.login("member")
    soup, _ = client.soup("/")
    assert soup.select_one("#dash-renewals") is None
