"""The "Receipts" page: everyone's own receipts (as the person or as the staff),
newest first, paged, each row naming its first items; a lead's list of one
person's receipts; the person page's latest five above the history."""

from __future__ import annotations

from datetime import date

from app.custody import custody
from app.database import write
from app.models import Receipt
from app.pages import receipts as receipt_page
from app.receipts import receipts

from . import factories
from .pages import soup_of


def _rows(soup):
    return [
        (
            li.a["href"],
            li.select_one(".row-main").get_text(" ", strip=True),
            li.select_one(".row-sub").get_text(" ", strip=True),
        )
        for li in soup.select("#receipt-list ul.receipt-rows li")
    ]


def _kit_handover(client, lead, member, names):
    """A lead hands several items over at once, on one receipt left unsigned."""

    assets = [factories.make_asset(lead, name=name) for name in names]
    with write():
        receipt = receipts.open_receipt("handover", person=member, staff=lead)
        for asset in assets:
            custody.check_out(
                asset.code, actor=lead, today=date.today(), holder_id=member.id, receipt=receipt
            )
    return receipt


def test_a_member_lists_their_own_receipts_newest_first(client, auth):
    lead = factories.make_user("lead", name="Lee Lead", password=None)
    member = auth.login("member")
    other = factories.make_user("member", name="Other Person", password=None)
    first = _kit_handover(client, lead, member, ["Drill", "Tripod"])
    second = _kit_handover(client, lead, member, ["Radio A", "Radio D", "Radio C", "Radio B"])
    _kit_handover(client, lead, other, ["Not mine"])  # someone else's: not listed
    soup, response = client.soup("/receipts")
    assert response.status_code == 200
    assert soup.h1.get_text(strip=True) == "Receipts"
    rows = _rows(soup)
    assert [r[0] for r in rows] == [f"/receipts/{second.id}", f"/receipts/{first.id}"]
    assert rows[0][1] == "Handover · Radio A, Radio B, Radio C and 1 more"
    assert rows[1][1] == "Handover · Drill, Tripod"
    assert rows[0][2].endswith("· Not signed")
    home, _ = client.soup("/")
    assert home.select_one("#my-items a#my-receipts")["href"] == "/receipts"


def test_staff_see_receipts_they_gave_and_not_others_lists(client, auth):
    lead = auth.login("lead")
    member = factories.make_user("member", name="Ann Lee", password=None)
    given = _kit_handover(client, lead, member, ["Drill", "Tripod"])
    soup, _ = client.soup("/receipts")
    assert [r[0] for r in _rows(soup)] == [f"/receipts/{given.id}"]  # as the staff
    theirs, _ = client.soup(f"/receipts?person={member.id}")
    assert theirs.h1.get_text(strip=True) == "Receipts of Ann Lee"
    assert [r[0] for r in _rows(theirs)] == [f"/receipts/{given.id}"]
    assert client.get("/receipts?person=99999").status_code == 404
    assert client.get("/receipts?person=x").status_code == 400


def test_a_member_cannot_list_someone_elses_receipts(client, auth):
    lead = factories.make_user("lead", password=None)
    other = factories.make_user("member", name="Other Person", password=None)
    _kit_handover(client, lead, other, ["Drill", "Tripod"])
    auth.login("member")
    assert client.get(f"/receipts?person={other.id}").status_code == 404
    soup, _ = client.soup("/receipts")
    assert _rows(soup) == []
    assert "None yet" in soup.select_one("#receipt-list").get_text()


def test_the_list_is_paged(client, auth, monkeypatch):
    monkeypatch.setattr(receipt_page, "PER_PAGE", 2)
    lead = factories.make_user("lead", password=None)
    member = auth.login("member")
    made = [_kit_handover(client, lead, member, [f"Item {n}", "Spare"]) for n in range(3)]
    soup, _ = client.soup("/receipts")
    assert [r[0] for r in _rows(soup)] == [f"/receipts/{r.id}" for r in made[:0:-1]]
    older = soup.select_one("nav.pager a")
    assert older.get_text() == "Older" and older["href"] == "/receipts?page=2"
    page2 = soup_of(client.get("/receipts?page=2"))
    assert [r[0] for r in _rows(page2)] == [f"/receipts/{made[0].id}"]


def test_person_page_shows_the_latest_five(client, auth):
    lead = auth.login("lead")
    member = factories.make_user("member", name="Ann Lee", password=None)
    for n in range(7):
        _kit_handover(client, lead, member, [f"Item {n}", "Spare"])
    soup, _ = client.soup(f"/people/{member.id}")
    ids = [int(a["href"].rsplit("/", 1)[1]) for a in soup.select("#receipts li a")]
    newest = [r.id for r in Receipt.select().order_by(Receipt.id.desc())]
    assert ids == newest[:5]
    assert soup.select_one("#receipts a#all-receipts").get_text() == "All receipts"
