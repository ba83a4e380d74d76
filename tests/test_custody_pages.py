"""Pages about who has what: overdue, return all, a person's page, the activity feed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.custody import custody
from app.models import Asset, Event
from app.templating import local_today

from . import factories
from .pages import soup_of


def a_lead():
    """A lead who never signs in (no password to hash, so tests stay quick)."""
    return factories.make_user("lead", password=None)


def texts(soup, selector: str) -> list[str]:
    return [el.get_text(" ", strip=True) for el in soup.select(selector)]


@pytest.fixture
def today(app) -> date:
    """Today in the organisation's time zone, as the app reckons due dates."""
    with app.test_request_context():
        return local_today()


@pytest.fixture
def lender(auth):
    return a_lead()


def lend(lender, name: str, person, due_back: date | None = None) -> Asset:
    """A new asset checked out to `person` (due dates must be in the future here)."""
    asset = factories.make_asset(lender, name=name)
    custody.check_out(
        asset.code, actor=lender, today=date.today(), holder_id=person.id, due_back=due_back
    )
    return Asset.get_by_id(asset.id)


def make_overdue(asset: Asset, due_back: date) -> None:
    Asset.update(due_back=due_back).where(Asset.id == asset.id).execute()


# Overdue -----------------------------------------------------------------------


def test_overdue_item_is_marked_on_its_card_and_listed(client, auth, lender, today):
    """Past its due date: "Overdue" on the card and a row on /overdue with who and how long."""
    pat, sam = factories.make_holder("Pat Holder"), factories.make_holder("Sam Other")
    long_late = lend(lender, "Tripod", pat, due_back=today + timedelta(days=5))
    just_late = lend(lender, "Camera", sam, due_back=today + timedelta(days=5))
    not_due = lend(lender, "Monitor", pat, due_back=today + timedelta(days=1))
    lend(lender, "Keyboard", sam)  # no due date: never overdue
    make_overdue(long_late, today - timedelta(days=3))
    make_overdue(just_late, today - timedelta(days=1))
    auth.login("member")

    soup, _ = client.soup(f"/A/{long_late.code}")
    assert soup.select_one("#status-card .status-line .overdue-text").get_text() == "Overdue"
    soup, _ = client.soup(f"/A/{not_due.code}")
    assert soup.select_one("#status-card .overdue-text") is None
    assert "Overdue" not in soup.select_one("#status-card .status-line").get_text()

    soup, response = client.soup("/overdue")
    assert response.status_code == 200
    assert soup.h1.get_text(strip=True) == "Overdue (2)"
    rows = soup.select("#overdue-list > li")
    assert texts(soup, "#overdue-list .row-main strong") == ["Tripod", "Camera"]
    tripod, camera = (row.select_one(".row-sub").get_text(" ", strip=True) for row in rows)
    assert tripod.startswith("With Pat Holder") and tripod.endswith("3 days overdue")
    assert camera.startswith("With Sam Other") and camera.endswith("1 day overdue")
    assert rows[0].a["href"] == f"/A/{long_late.code}"


def test_returned_item_leaves_the_overdue_list(client, auth, lender, today):
    """Once it is back, it is no longer overdue, on the list or the card."""
    pat = factories.make_holder("Pat Holder")
    late = lend(lender, "Tripod", pat, due_back=today + timedelta(days=5))
    make_overdue(late, today - timedelta(days=2))
    me = auth.login("member")
    response = client.form(f"/A/{late.code}/return", {"holder": pat.id})
    assert response.status_code == 303
    assert Asset.get_by_id(late.id).due_back is None
    soup, _ = client.soup("/overdue")
    assert soup.h1.get_text(strip=True) == "Overdue (0)"
    assert soup.select_one("#overdue-list") is None
    [event] = Event.select().where(Event.kind == "checked_in")
    assert (event.actor_id, event.holder_id) == (me.id, pat.id)


# Return all --------------------------------------------------------------------


@pytest.fixture
def pat_holds(lender, today):
    """Pat holds five items (one overdue); Sam holds one that must stay out."""
    pat, sam = factories.make_holder("Pat Holder"), factories.make_holder("Sam Other")
    names = ["Drill", "Angle grinder", "Ladder", "Jigsaw", "Extension lead"]
    held = [
        lend(lender, n, pat, due_back=today + timedelta(days=i + 1)) for i, n in enumerate(names)
    ]
    make_overdue(held[0], today - timedelta(days=4))
    return pat, held, lend(lender, "Sander", sam)


def test_return_all_confirmation_lists_what_they_hold(client, auth, pat_holds):
    """The GET is a confirmation page naming every item, and writes nothing."""
    pat, held, _ = pat_holds
    auth.login("lead")
    before = Event.select().count()
    soup, response = client.soup(f"/people/{pat.id}/return-all")
    assert response.status_code == 200 and "<html" in response.get_data(as_text=True)
    assert "Pat Holder" in soup.h1.get_text()
    listed = texts(soup, "main li.return-item > p a")
    assert sorted(listed) == sorted(a.name for a in held)
    form = soup.select_one("main form[method=post]")
    assert form["action"] == f"/people/{pat.id}/return-all"
    assert form.select_one("button[type=submit]").get_text(strip=True) == "Return all 5"
    assert Event.select().count() == before
    assert Asset.select().where(Asset.holder == pat.id).count() == 5


def test_return_all_returns_each_item_with_its_own_event(client, auth, pat_holds):
    """POST: every item back, one `checked_in` per item, listed in ul#returned."""
    pat, held, sams = pat_holds
    lead = auth.login("lead")
    since = Event.select().order_by(Event.id.desc()).first().id
    response = client.form(f"/people/{pat.id}/return-all")
    assert response.status_code == 200
    soup = soup_of(response)
    returned = [
        li.select_one(".row-main").contents[0].strip() for li in soup.select("ul#returned li")
    ]
    assert sorted(returned) == sorted(a.name for a in held)
    assert "Returned 5 items from Pat Holder." in soup.select_one("#flash").get_text()
    new = list(Event.select().where(Event.id > since).order_by(Event.id))
    assert sorted(e.asset_id for e in new) == sorted(a.id for a in held)
    assert {(e.kind, e.actor_id, e.holder_id) for e in new} == {("checked_in", lead.id, pat.id)}
    assert all(e.note == "Returned with everything they held." for e in new)
    for asset in held:
        a = Asset.get_by_id(asset.id)
        assert (a.status, a.holder_id, a.due_back) == ("available", None, None)
    assert not Asset.select().where(Asset.holder == pat.id).exists()
    sander = Asset.get_by_id(sams.id)
    assert (sander.status, sander.holder_id) == ("checked_out", sams.holder_id)
    page, _ = client.soup(f"/people/{pat.id}")
    assert page.select("main h2")[0].get_text(strip=True) == "Holds now (0)"


def test_member_cannot_return_all(client, auth, pat_holds):
    """Return all is for leads: a member gets 403 both ways and nothing changes."""
    pat, _, _ = pat_holds
    auth.login("member")
    before = Event.select().count()
    assert client.get(f"/people/{pat.id}/return-all").status_code == 403
    response = client.form(f"/people/{pat.id}/return-all")
    assert response.status_code == 403
    assert "Not allowed" in soup_of(response).get_text()
    assert Event.select().count() == before
    assert Asset.select().where(Asset.holder == pat.id).count() == 5


# A person's page and the activity feed ---------------------------------------


def test_person_page_shows_holdings_with_due_dates_and_history(client, auth, pat_holds, today):
    """What they hold, each with its due date (overdue marked), and their history."""
    pat, held, sams = pat_holds
    auth.login("lead")
    soup, response = client.soup(f"/people/{pat.id}")
    assert response.status_code == 200
    # Who they are, what they hold, their latest receipts, then their history.
    holds, history = soup.select("main section.card:not(#receipts):not(#person-seats)")[1:3]
    assert holds.h2.get_text(strip=True) == "Holds now (5)"
    rows = {
        li.select_one(".row-main strong").get_text(): li.select_one(".row-sub").get_text(
            " ", strip=True
        )
        for li in holds.select("ul.rows > li")
    }
    assert set(rows) == {a.name for a in held}
    for asset in held:
        due = Asset.get_by_id(asset.id).due_back.strftime("%d %b %Y")
        assert f"due {due}" in rows[asset.name]
    assert "overdue" in rows["Drill"] and "overdue" not in rows["Ladder"]
    assert holds.select_one(f'a[href="/people/{pat.id}/return-all"]') is not None
    # History: the five check-outs to Pat, newest first; nothing about Sam's item.
    assert texts(history, "li.feed-asset a") == [a.name for a in reversed(held)]
    lines = texts(history, "ol.timeline > li:not(.feed-asset) > p:first-child")
    assert len(lines) == 5 and all(line.startswith("Checked out to Pat Holder") for line in lines)
    assert sams.name not in history.get_text()


def test_activity_feed_lists_recent_events_across_assets(client, auth, lender):
    """/activity shows every asset's events, newest first, each naming its asset."""
    pat = factories.make_holder("Pat Holder")
    tripod = lend(lender, "Tripod", pat)
    camera = factories.make_asset(lender, name="Camera")
    custody.check_in(tripod.code, actor=lender)
    auth.login("lead")
    soup, response = client.soup("/activity")
    assert response.status_code == 200
    assert texts(soup, "ol.feed li.feed-asset a") == ["Tripod", "Camera", "Tripod", "Tripod"]
    lines = texts(soup, "ol.feed > li:not(.feed-asset) > p:first-child")
    assert [line.split(" ")[0] for line in lines] == ["Returned", "Added", "Checked", "Added"]
    links = {a["href"] for a in soup.select("ol.feed li.feed-asset a")}
    assert links == {f"/A/{tripod.code}", f"/A/{camera.code}"}


def test_member_cannot_see_activity_or_people(client, auth):
    """The feed and people pages are for leads."""
    me = auth.login("member")
    for url in ("/activity", f"/people/{me.id}"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Not allowed" in soup_of(response).get_text()


def test_person_history_includes_items_handed_over_from_them(client, auth, lender):
    """A hand-over away from someone is part of their history, like a return is."""
    pat, bob = factories.make_holder("Pat Holder"), factories.make_holder("Bob Later")
    tripod = lend(lender, "Tripod", pat)
    custody.transfer(tripod.code, actor=lender, today=date.today(), to_holder_id=bob.id)
    auth.login("lead")
    soup, _ = client.soup(f"/people/{pat.id}")
    assert soup.select("main section.card")[1].h2.get_text(strip=True) == "Holds now (0)"
    history = soup.select("main section.card:not(#receipts):not(#person-seats)")[2]
    lines = texts(history, "ol.timeline > li:not(.feed-asset) > p:first-child")
    assert [line.split(" by ")[0] for line in lines] == [
        "Handed over from Pat Holder to Bob Later",
        "Checked out to Pat Holder",
    ]
