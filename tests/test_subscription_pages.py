"""The subscription pages: the leads' list, adding and editing with every
error next to its field, one subscription's page (seats, licence key,
renewing, cancelling, documents, history), vendors, the person's seats and the
site's search; members refused; the last seat asked for by eight people."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from app import models
from app.models import Subscription, SubscriptionAttachment, SubscriptionEvent, SubscriptionSeat
from app.subscriptions import rules, seats, subscriptions, vendors

from . import factories
from .pages import field_error, path_of, selected, soup_of
from .subscription_kit import make_subscription

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def kinds(subscription) -> list[str]:
    return [
        e.kind
        for e in SubscriptionEvent.select()
        .where(SubscriptionEvent.subscription == subscription.id)
        .order_by(SubscriptionEvent.id)
    ]


def flash(soup) -> str:
    return " ".join(p.get_text(" ", strip=True) for p in soup.select("#flash p"))


def form_for(vendor_id: int, **overrides) -> dict:
    base = {
        "vendor": str(vendor_id),
        "product": "Figma Professional",
        "kind": "saas",
        "seats": "5",
        "cost": "15.00",
        "period": "month",
        "starts_on": "2026-01-01",
        "renews_on": "2027-01-01",
        "auto_renews": "y",
        "remind_days": "30",
        "owner": "",
        "notes": "",
        "licence_key": "",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


# The list -------------------------------------------------------------------------


def test_the_list_shows_renewal_seats_cost_per_year_and_owner(client, auth, clock):
    lead = auth.login("lead")
    today = date.today()
    figma = make_subscription(
        lead,
        "Figma",
        product="Figma Professional",
        seats=5,
        cost_cents=1500,
        period="month",
        starts_on=date(2020, 1, 1),
        renews_on=date.fromordinal(today.toordinal() + 12),
        owner_id=lead.id,
    )
    make_subscription(
        lead,
        "Acme",
        product="Printer support",
        seats=None,
        cost_cents=120000,
        period="year",
        starts_on=date(2020, 1, 1),
        renews_on=date.fromordinal(today.toordinal() - 3),
    )
    seats.assign(figma.id, lead.id, actor=lead)
    soup, response = client.soup("/subscriptions")
    assert response.status_code == 200
    rows = {
        r.select_one(".row-main strong").get_text(): r for r in soup.select("#subscriptions li")
    }
    assert list(rows) == ["Printer support", "Figma Professional"]  # by renewal date
    fig = rows["Figma Professional"]
    assert fig.select_one(".renewal").get_text() == "in 12 days"
    in_12 = date.fromordinal(today.toordinal() + 12).strftime("%d %b %Y")
    assert fig.select_one(".renews-on").get_text() == in_12
    assert fig.select_one(".seats").get_text() == "1 of 5"
    assert fig.select_one(".per-year").get_text() == "180.00"
    assert fig.select_one(".owner").get_text() == lead.name
    support = rows["Printer support"]
    assert support.select_one(".renewal").get_text() == "Past renewal"
    assert support.select_one(".seats").get_text() == "0 (unlimited)"
    total = soup.select_one("#subscriptions-total").get_text(" ", strip=True)
    assert total == "1,380.00 a year · 2 subscriptions"


def test_search_filter_and_cancelled_words(client, auth, clock):
    lead = auth.login("lead")
    make_subscription(lead, "Adobe", product="Creative Cloud")
    make_subscription(lead, "Microsoft", product="Microsoft 365")
    gone = make_subscription(lead, "Slack", product="Slack Pro")
    client.form(f"/subscriptions/{gone.id}/cancel", {"version": "1", "ended_on": "2027-01-31"})

    def products(url):
        soup, _ = client.soup(url)
        return [s.get_text() for s in soup.select("#subscriptions .row-main strong")], soup

    assert products("/subscriptions")[0] == ["Creative Cloud", "Microsoft 365"]
    assert products("/subscriptions?q=adob")[0] == ["Creative Cloud"]  # by vendor
    assert products("/subscriptions?q=365")[0] == ["Microsoft 365"]  # by product
    found, soup = products("/subscriptions?show=cancelled")
    assert found == ["Slack Pro"]
    assert soup.select_one("#subscriptions .renewal").get_text() == "Cancelled, ends 31 Jan 2027"
    assert len(products("/subscriptions?show=all")[0]) == 3
    assert products("/subscriptions?q=nothing-like-it")[1].select_one("#subscriptions-none")


def test_the_list_pages(client, auth, monkeypatch):
    from app.pages import subscriptions as page

    monkeypatch.setattr(page, "PER_PAGE", 2)
    lead = auth.login("lead")
    for n in range(3):
        make_subscription(lead, product=f"P{n}", renews_on=date(2027, 1, n + 1))
    first, _ = client.soup("/subscriptions")
    assert [s.get_text() for s in first.select("#subscriptions strong")] == ["P0", "P1"]
    assert first.select_one(".pager a").get_text() == "Next"
    second, _ = client.soup("/subscriptions?page=2")
    assert [s.get_text() for s in second.select("#subscriptions strong")] == ["P2"]
    assert client.get("/subscriptions?page=abc").status_code == 400


def test_members_are_refused_every_page_and_action(client, auth):
    lead = factories.make_user("lead")
    subscription = make_subscription(lead)
    vendor = vendors.by_name("Figma")
    auth.login("member")
    for url in (
        "/subscriptions",
        "/subscriptions/new",
        f"/subscriptions/{subscription.id}",
        f"/subscriptions/{subscription.id}/edit",
        "/vendors",
        f"/vendors/{vendor.id}/edit",
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        f"/subscriptions/{subscription.id}/seats",
        f"/subscriptions/{subscription.id}/key",
        f"/subscriptions/{subscription.id}/renew",
        f"/subscriptions/{subscription.id}/cancel",
        "/vendors",
    ):
        assert client.form(url, {"person": "1", "name": "X", "version": "1"}).status_code == 403
    assert SubscriptionSeat.select().count() == 0
    assert kinds(subscription) == ["created"]
    menu, _ = client.soup("/menu")
    assert not menu.find("a", string="Subscriptions") and not menu.select(
        "a[href='/subscriptions']"
    )


def test_leads_find_it_in_the_menu(client, auth):
    auth.login("lead")
    menu, _ = client.soup("/menu")
    assert menu.select_one("a[href='/subscriptions'] .row-main").get_text() == "Subscriptions"


# Adding and editing ---------------------------------------------------------------


def test_add_a_subscription_with_a_key_and_a_team_owner(client, auth):
    lead = auth.login("lead")
    vendor = vendors.save_vendor("Figma", actor=lead)
    from app.register import teams

    team = teams.save_team("Design", actor=lead)
    soup, _ = client.soup("/subscriptions/new")
    assert soup.select_one("#add-vendor")["href"].startswith("/vendors")
    assert soup.select_one(f"select[name=owner] option[value='team-{team.id}']")
    response = client.form(
        "/subscriptions/new",
        form_for(vendor.id, owner=f"team-{team.id}", licence_key="ABCD-1234", remind_days=""),
    )
    assert response.status_code == 303
    s = Subscription.get()
    assert path_of(response) == f"/subscriptions/{s.id}"
    assert (s.product, s.seats, s.cost_cents, s.period, s.owner_team_id, s.owner_id) == (
        "Figma Professional",
        5,
        1500,
        "month",
        team.id,
        None,
    )
    assert s.remind_days == 30 and s.auto_renews and s.licence_key == "ABCD-1234"
    assert kinds(s) == ["created", "key_changed"]
    page, _ = client.soup(f"/subscriptions/{s.id}")
    assert page.select_one("#key-hidden").get_text() == "hidden"
    assert "ABCD-1234" not in str(page)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"product": "  "}, "product", "Give the product’s name."),
        ({"vendor": ""}, "vendor", "Choose the vendor."),
        ({"vendor": "999999"}, "vendor", "That vendor does not exist."),
        ({"vendor": "x' or 1=1"}, "vendor", "Choose the vendor."),
        ({"seats": "-3"}, "seats", "Give a whole number from 1 to 100000"),
        ({"seats": "0"}, "seats", "Give a whole number from 1 to 100000"),
        ({"cost": "-5"}, "cost", "negative"),
        ({"cost": "lots"}, "cost", ""),
        ({"period": "week"}, "period", "Choose monthly or yearly."),
        ({"kind": "lease"}, "kind", "Choose what kind of subscription it is."),
        ({"renews_on": "2025-06-01"}, "renews_on", "The renewal date is before the start."),
        ({"starts_on": "31/01/2026"}, "starts_on", "Pick a date from the calendar"),
        ({"remind_days": "400"}, "remind_days", "Give a whole number from 0 to 365"),
        ({"owner": "person-999999"}, "owner", "That person does not exist."),
        ({"licence_key": "k" * 4001}, "licence_key", ""),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(
    client, auth, changes, field, message
):
    lead = auth.login("lead")
    vendor = vendors.save_vendor("Figma", actor=lead)
    response = client.form("/subscriptions/new", form_for(vendor.id, **changes))
    assert response.status_code == 422
    soup = soup_of(response)
    assert message in field_error(soup, field)
    assert soup.select_one("input[name=product]")["value"] == changes.get(
        "product", "Figma Professional"
    )  # typed values kept
    assert soup.select_one("input[name=seats]")["value"] == changes.get("seats", "5")
    assert Subscription.select().count() == 0 and SubscriptionEvent.select().count() == 0


def test_edit_keeps_the_key_when_blank_and_replaces_it_when_typed(client, auth):
    lead = auth.login("lead")
    s = make_subscription(lead, product="Old name")
    client.form(
        f"/subscriptions/{s.id}/edit",
        {**form_for(s.vendor_id), "licence_key": "K1", "version": "1"},
    )
    form, _ = client.soup(f"/subscriptions/{s.id}/edit")
    assert form.select_one("input[name=licence_key]")["value"] == ""  # never sent back
    assert form.select_one("input[name=product]")["value"] == "Figma Professional"
    version = form.select_one("input[name=version]")["value"]
    response = client.form(
        f"/subscriptions/{s.id}/edit",
        {**form_for(s.vendor_id, product="New name", licence_key=""), "version": version},
    )
    assert response.status_code == 303
    fresh = Subscription.get_by_id(s.id)
    assert (fresh.product, fresh.licence_key) == ("New name", "K1")
    assert kinds(s) == ["created", "edited", "key_changed", "edited"]


def test_a_stale_edit_says_so_and_saves_nothing(client, auth):
    lead = auth.login("lead")
    s = make_subscription(lead, product="Mine")
    client.form(f"/subscriptions/{s.id}/renew", {"version": "1"})  # version 2 now
    response = client.form(
        f"/subscriptions/{s.id}/edit",
        {**form_for(s.vendor_id, product="Theirs"), "version": "1"},
        follow_redirects=True,
    )
    soup = soup_of(response)
    assert "Someone changed this subscription while you were editing it." in flash(soup)
    assert soup.select_one("input[name=product]")["value"] == "Mine"
    assert Subscription.get_by_id(s.id).product == "Mine"


def test_unknown_subscription_is_404(client, auth):
    auth.login("lead")
    assert client.get("/subscriptions/424242").status_code == 404
    assert client.get("/subscriptions/424242/edit").status_code == 404
    assert client.form("/subscriptions/424242/seats", {"person": "1"}).status_code == 404
    assert client.form("/subscriptions/424242/key").status_code == 404
    assert client.form("/subscriptions/424242/renew", {"version": "1"}).status_code == 404
    lead = auth.user
    mine, other = make_subscription(lead), make_subscription(lead)
    seat = seats.assign(other.id, lead.id, actor=lead)
    # A seat freed through another subscription's address: not found, still held.
    assert client.form(f"/subscriptions/{mine.id}/seats/{seat.id}/free").status_code == 404
    assert SubscriptionSeat.get_by_id(seat.id).freed_at is None


# One subscription's page ---------------------------------------------------------

SEATS = "sub-seats"


def test_give_and_free_seats_without_javascript(client, auth):
    lead = auth.login("lead")
    s = make_subscription(lead, seats=2)
    pat = factories.make_holder("Pat Seat")
    laptop = factories.make_asset(lead, name="Pat's laptop")
    response = client.form(
        f"/subscriptions/{s.id}/seats", {"person": pat.id, "asset": laptop.code.lower()}
    )
    assert response.status_code == 303 and path_of(response) == f"/subscriptions/{s.id}"
    soup, _ = client.soup(f"/subscriptions/{s.id}")
    assert flash(soup) == "Seat given to Pat Seat."
    assert soup.select_one("#seats-text").get_text() == "1 of 2"
    [row] = soup.select("#seat-list li")
    assert row.select_one(".row-main strong").get_text() == "Pat Seat"
    assert laptop.code in row.select_one(".row-sub a")["href"]
    assert "since" in row.select_one(".row-sub").get_text()
    # Pat is no longer offered; a history line says who gave the seat.
    assert str(pat.id) not in [o["value"] for o in soup.select("#seat-person option")]
    first = soup.select_one("#sub-history li").get_text(" ", strip=True)
    assert first.startswith("Seat given : Pat Seat") or "Seat given: Pat Seat" in first
    assert lead.name in first
    free = row.select_one("form")["action"]
    assert client.form(free).status_code == 303
    soup, _ = client.soup(f"/subscriptions/{s.id}")
    assert soup.select_one("#seats-text").get_text() == "0 of 2"
    assert not soup.select("#seat-list li")
    again = client.form(free)  # a second tap frees nothing more
    assert again.status_code == 409
    assert flash(soup_of(again)) == "That seat is already free."
    assert kinds(s) == ["created", "seat_assigned", "seat_freed"]


def test_give_a_seat_with_htmx_swaps_the_seats_and_the_history(client, auth):
    lead = auth.login("lead")
    s = make_subscription(lead, seats=1)
    pat = factories.make_holder("Pat Seat")
    key = "a" * 32
    response = client.form(
        f"/subscriptions/{s.id}/seats", {"person": pat.id, "key": key}, htmx=SEATS
    )
    assert response.status_code == 200
    soup = soup_of(response)
    assert "<html" not in response.get_data(as_text=True)
    assert soup.select_one("#sub-seats #seats-text").get_text() == "1 of 1"
    assert soup.select_one("#seats-full")  # the last seat went: no form
    assert soup.select_one("#flash[hx-swap-oob]").get_text(strip=True) == "Seat given to Pat Seat."
    assert soup.select_one("#sub-history[hx-swap-oob]")
    # The same form sent again (a double tap): still one seat.
    again = client.form(f"/subscriptions/{s.id}/seats", {"person": pat.id, "key": key}, htmx=SEATS)
    assert again.status_code == 200
    assert SubscriptionSeat.select().count() == 1 and kinds(s).count("seat_assigned") == 1


def test_seat_refusals_change_nothing(client, auth):
    lead = auth.login("lead")
    s = make_subscription(lead, seats=1)
    pat, sam = factories.make_holder("Pat"), factories.make_holder("Sam")
    response = client.form(f"/subscriptions/{s.id}/seats", {"person": ""}, htmx=SEATS)
    assert response.status_code == 422
    assert (
        "Choose who gets the seat." in soup_of(response).select_one("#sub-seats .error").get_text()
    )
    response = client.form(f"/subscriptions/{s.id}/seats", {"person": pat.id, "asset": "ZZZZZZ"})
    assert response.status_code == 422
    soup = soup_of(response)
    assert "<html" in response.get_data(as_text=True)  # no JavaScript: the page again
    assert "No item has the code" in soup.select_one("#seat-asset").find_parent("div").get_text()
    assert client.form(f"/subscriptions/{s.id}/seats", {"person": pat.id}).status_code == 303
    response = client.form(f"/subscriptions/{s.id}/seats", {"person": sam.id}, htmx=SEATS)
    assert response.status_code == 409
    assert "All 1 seats are taken." in flash(soup_of(response))
    assert client.form(f"/subscriptions/{s.id}/seats", {"person": "abc"}).status_code == 422
    assert SubscriptionSeat.select().count() == 1


def test_eight_leads_ask_for_the_last_seat_at_once_through_http(app, auth):
    """Eight browsers tap "Give a seat" for eight people when one seat is left:
    one 303, seven 409, one seat given."""
    lead = factories.make_user("lead")
    s = make_subscription(lead, seats=3)
    seats.assign(s.id, factories.make_holder("Early 1").id, actor=lead)
    seats.assign(s.id, factories.make_holder("Early 2").id, actor=lead)
    clients = []
    for n in range(8):
        racer = factories.make_user("lead", name=f"Racer {n}")
        c = app.test_client()
        login = {"email": racer.email, "password": factories.PASSWORD}
        assert c.form("/login", login).status_code == 303
        clients.append((racer, c, c.csrf_token()))
    barrier = threading.Barrier(len(clients))
    results: dict[int, tuple[int, str]] = {}

    def tap(racer, c, token):
        try:
            barrier.wait(timeout=30)
            r = c.post(
                f"/subscriptions/{s.id}/seats", data={"csrf_token": token, "person": racer.id}
            )
            results[racer.id] = (r.status_code, r.get_data(as_text=True))
        finally:
            models.db.close()

    threads = [threading.Thread(target=tap, args=args) for args in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _ in results.values()) == [303] + [409] * 7
    assert SubscriptionSeat.select().where(SubscriptionSeat.freed_at.is_null()).count() == 3
    assert kinds(s).count("seat_assigned") == 3
    for status, body in results.values():
        if status == 409:
            assert "All 3 seats are taken." in flash(soup_of_text(body))


def soup_of_text(text: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(text, "html.parser")


def test_reveal_the_key_is_recorded_with_and_without_javascript(client, auth):
    lead = auth.login("lead")
    s = make_subscription(lead)
    client.form(
        f"/subscriptions/{s.id}/edit",
        {**form_for(s.vendor_id), "licence_key": "SECRET-KEY-42", "version": "1"},
    )
    page, _ = client.soup(f"/subscriptions/{s.id}")
    assert page.select_one("#key-hidden").get_text() == "hidden"
    assert "SECRET-KEY-42" not in str(page)
    response = client.form(f"/subscriptions/{s.id}/key", htmx="sub-key")
    soup = soup_of(response)
    assert "<html" not in response.get_data(as_text=True)
    assert soup.select_one("#sub-key #licence-key").get_text() == "SECRET-KEY-42"
    history = soup.select_one("#sub-history[hx-swap-oob]")
    assert history.select_one("li strong").get_text() == "Licence key revealed"
    assert response.headers["Cache-Control"] == "no-store"
    plain = client.form(f"/subscriptions/{s.id}/key")
    assert plain.status_code == 200 and "<html" in plain.get_data(as_text=True)
    assert soup_of(plain).select_one("#licence-key").get_text() == "SECRET-KEY-42"
    assert kinds(s).count("key_revealed") == 2
    reveals = SubscriptionEvent.select().where(SubscriptionEvent.kind == "key_revealed")
    assert {e.actor_id for e in reveals} == {lead.id}
    # No key kept: the section says so, with nothing recorded.
    bare = make_subscription(lead)
    response = client.form(f"/subscriptions/{bare.id}/key", htmx="sub-key")
    assert response.status_code == 409
    soup = soup_of(response)
    assert "<html" not in response.get_data(as_text=True)
    assert soup.select_one("#flash[hx-swap-oob]").get_text(strip=True) == (
        "This subscription has no licence key."
    )
    assert "No licence key kept." in soup.select_one("#sub-key").get_text()
    assert kinds(bare) == ["created"]
    # Shown again later: hidden once more.
    assert "SECRET-KEY-42" not in client.get(f"/subscriptions/{s.id}").get_data(as_text=True)


def test_renewed_moves_one_period_on_or_to_a_typed_date(client, auth):
    lead = auth.login("lead")
    s = make_subscription(lead, period="year", renews_on=date(2027, 1, 31))
    response = client.form(f"/subscriptions/{s.id}/renew", {"version": "1"})
    assert response.status_code == 303
    assert Subscription.get_by_id(s.id).renews_on == date(2028, 1, 31)
    stale = client.form(f"/subscriptions/{s.id}/renew", {"version": "1"})  # a double tap
    assert stale.status_code == 303
    assert Subscription.get_by_id(s.id).renews_on == date(2028, 1, 31)
    bad = client.form(f"/subscriptions/{s.id}/renew", {"version": "2", "renews_on": "2027-06-01"})
    assert bad.status_code == 422
    soup = soup_of(bad)
    error = soup.select_one("#renew-date").find_parent("div").select_one(".error").get_text()
    assert error == "The next renewal must be after the current one."
    assert (
        client.form(
            f"/subscriptions/{s.id}/renew", {"version": "2", "renews_on": "2028-03-01"}
        ).status_code
        == 303
    )
    assert Subscription.get_by_id(s.id).renews_on == date(2028, 3, 1)
    assert kinds(s) == ["created", "renewed", "renewed"]


def test_cancel_records_the_end_date_and_note(client, auth, clock):
    """Cancelling with an end date after today: it "ends" then (today is FIXED_NOW's)."""
    lead = auth.login("lead")
    s = make_subscription(lead, starts_on=date(2026, 1, 1))
    bad = client.form(f"/subscriptions/{s.id}/cancel", {"version": "1", "ended_on": "2025-01-01"})
    assert bad.status_code == 422
    soup = soup_of(bad)
    assert soup.select_one("#cancel-date")["value"] == "2025-01-01"
    assert "before the start" in soup.select_one("#cancel-date").find_parent("div").get_text()
    assert Subscription.get_by_id(s.id).cancelled_at is None
    ok = client.form(
        f"/subscriptions/{s.id}/cancel",
        {"version": "1", "ended_on": "2027-01-31", "note": "Moved to Penpot"},
    )
    assert ok.status_code == 303
    soup, _ = client.soup(f"/subscriptions/{s.id}")
    assert soup.select_one("#renewal-words").get_text() == "Cancelled, ends 31 Jan 2027"
    assert not soup.select_one("#cancel-form") and not soup.select_one("#give-seat")
    line = soup.select_one("#sub-history li").get_text(" ", strip=True)
    assert "Cancelled" in line and "Moved to Penpot" in line
    fresh = Subscription.get_by_id(s.id)
    assert fresh.ended_on == date(2027, 1, 31) and fresh.cancelled_at is not None


def test_documents_upload_list_and_download(client, auth, tmp_path):
    import io

    lead = auth.login("lead")
    s = make_subscription(lead)
    key = "d" * 32
    response = client.form(
        f"/subscriptions/{s.id}/documents",
        {"file": (io.BytesIO(PDF), "Contract 2026.pdf"), "key": key},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    client.form(
        f"/subscriptions/{s.id}/documents",
        {"file": (io.BytesIO(PDF), "Contract 2026.pdf"), "key": key},
        content_type="multipart/form-data",
    )  # the same form again: one document
    [doc] = SubscriptionAttachment.select()
    soup, _ = client.soup(f"/subscriptions/{s.id}")
    link = soup.select_one("#document-list a")
    assert link.select_one("strong").get_text() == "Contract 2026.pdf"
    got = client.get(link["href"])
    assert got.data == PDF and got.headers["Content-Security-Policy"] == "sandbox"
    assert got.headers["Cache-Control"] == "no-store"
    got.close()  # a file response holds its file open until closed
    assert kinds(s) == ["created", "document_added"]
    # Not a PDF or a photo: refused by its bytes, whatever its name.
    bad = client.form(
        f"/subscriptions/{s.id}/documents",
        {"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "invoice.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "not a photo" in soup_of(bad).select_one("#document-file").find_parent("div").get_text()
    assert SubscriptionAttachment.select().count() == 1 and doc.id
    auth.logout()
    auth.login("member")
    assert client.get(link["href"]).status_code == 403


# Vendors, the person's seats, the search box ---------------------------------------


def test_vendors_list_add_and_rename_unique_ignoring_case(client, auth):
    lead = auth.login("lead")
    make_subscription(lead, "Adobe")
    make_subscription(lead, "Adobe")
    response = client.form("/vendors", {"name": "  Figma "})
    assert response.status_code == 303
    soup, _ = client.soup("/vendors")
    rows = [li.get_text(" ", strip=True) for li in soup.select("#vendors li")]
    assert rows == ["Adobe 2 subscriptions Rename", "Figma 0 subscriptions Rename"]
    taken = client.form("/vendors", {"name": "adobe"})
    assert taken.status_code == 422
    assert field_error(soup_of(taken), "name") == "There is already a vendor by that name."
    figma = vendors.by_name("Figma")
    rename = client.form(f"/vendors/{figma.id}/edit", {"name": "ADOBE"})
    assert rename.status_code == 422
    assert client.form(f"/vendors/{figma.id}/edit", {"name": "Figma Inc"}).status_code == 303
    assert vendors.by_name("figma inc").id == figma.id
    assert client.form("/vendors", {"name": ""}).status_code == 422
    back = client.form("/vendors?back=new", {"name": "Slack"})
    assert path_of(back) == "/subscriptions/new"
    form = soup_of(client.get(back.headers["Location"]))
    assert selected(form, "vendor") == str(vendors.by_name("Slack").id)  # chosen already


def test_the_person_and_leads_see_the_persons_seats(client, auth):
    lead = factories.make_user("lead")
    member = factories.make_user("member", name="Mo Member")
    s = make_subscription(lead, "Adobe", product="Creative Cloud")
    laptop = factories.make_asset(lead, name="Mo's laptop")
    seats.assign(s.id, member.id, actor=lead, asset_code=laptop.code)
    auth.login(user=member)
    home, _ = client.soup("/")
    assert home.select_one("#my-seats")["href"] == "/my-seats"
    mine, _ = client.soup("/my-seats")
    [row] = mine.select("#person-seats li")
    assert row.select_one(".row-main").get_text(" ", strip=True) == "Creative Cloud · Adobe"
    assert "Mo's laptop" in row.select_one(".row-sub").get_text()
    assert not row.select("a")  # a member cannot open the subscription
    auth.logout()
    auth.login(user=lead)
    page, _ = client.soup(f"/people/{member.id}")
    [row] = page.select("#person-seats li")
    assert row.select_one("a")["href"] == f"/subscriptions/{s.id}"


def test_my_seats_mark_a_cancelled_or_not_started_subscription(client, auth, clock):
    """Today is 11 March 2026. A seat on a subscription that no longer runs says
    so with the day it ended; one cancelled but still running says to when."""
    lead = factories.make_user("lead")
    member = factories.make_user("member", name="Mo Member")
    running = make_subscription(lead, "Adobe", product="A running")
    ended = make_subscription(lead, "Adobe", product="B ended")
    ending = make_subscription(lead, "Adobe", product="C ending")
    later = make_subscription(lead, "Adobe", product="D later", starts_on=date(2026, 5, 1))
    for s in (running, ended, ending, later):
        seats.assign(s.id, member.id, actor=lead)
    for s, last_day in ((ended, date(2026, 2, 28)), (ending, date(2026, 6, 30))):
        subscriptions.cancel(s.id, version=s.version, actor=lead, ended_on=last_day)
    auth.login(user=member)
    mine, _ = client.soup("/my-seats")
    rows = mine.select("#person-seats li")
    shown = [
        (
            row.select_one(".row-main strong").get_text(),
            [(" ".join(b["class"]), b.get_text()) for b in row.select(".row-main .badge")],
            row.select_one(".row-sub").get_text(" ", strip=True).split(" · ")[1:],
        )
        for row in rows
    ]
    assert shown == [
        ("A running", [], []),
        ("B ended", [("badge overdue", "Cancelled")], ["ended 28 Feb 2026"]),
        ("C ending", [("badge quiet", "Cancelled")], ["runs to 30 Jun 2026"]),
        ("D later", [("badge quiet", "Not started")], ["starts 01 May 2026"]),
    ]
    # The page's "not running" is the reports' (rules.running_sql): A and C run today.
    running_today = Subscription.select().where(rules.running_sql(date(2026, 3, 11)))
    assert {s.product for s in running_today} == {"A running", "C ending"}


def test_the_search_box_finds_subscriptions_for_leads(client, auth):
    lead = auth.login("lead")
    s = make_subscription(lead, "Adobe", product="Creative Cloud")
    soup, _ = client.soup("/assets?q=adobe")
    [hit] = soup.select("#subscription-hits li a")
    assert hit["href"] == f"/subscriptions/{s.id}"
    assert hit.get_text(" ", strip=True) == "Creative Cloud · Adobe"
    live = client.get(
        "/assets?q=creative", headers={"HX-Request": "true", "HX-Target": "asset-results"}
    )
    assert soup_of(live).select_one("#subscription-hits a")["href"] == f"/subscriptions/{s.id}"
    assert not client.soup("/assets?q=nothing")[0].select_one("#subscription-hits")
    auth.logout()
    auth.login("member")
    assert not client.soup("/assets?q=adobe")[0].select_one("#subscription-hits")


def test_the_demo_has_subscriptions_with_seats_held_by_leavers(app, clock):
    from app.models import User
    from app.ops import demo
    from app.pages import subscriptions as page
    from app.subscriptions import rules

    demo.build(password="demo-password")
    today = date.today()
    every = {s.product: s for s in Subscription.select()}
    assert len(every) == 5
    figma = every["Figma Professional"]
    assert (figma.period, figma.seats) == ("month", 5)
    adobe = every["Creative Cloud All Apps"]
    assert (adobe.period, adobe.seats) == ("year", 10) and adobe.licence_key
    left = [h.person for h in seats.of_subscription(adobe.id) if not h.person_active]
    assert sorted(left) == ["Jo Former", "Max Departed", "Rita Gone"]
    assert not User.select().where(User.name.in_(left), User.active == True).exists()  # noqa: E712
    domain = every["harbourworks.example domain"]
    assert domain.kind == "domain" and rules.reminder_due(domain, today)
    support = every["Power tool service contract"]
    assert rules.past_renewal(support, today)
    words = {r.product: r.renewal for r in page.listing("", "all", 1, today)["rows"]}
    assert words["Power tool service contract"] == "Past renewal"
    assert words["harbourworks.example domain"] == "in 20 days"


def test_a_new_form_starts_on_saas_yearly_with_a_30_day_reminder(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/subscriptions/new")
    assert selected(soup, "kind") == "saas" and selected(soup, "period") == "year"
    assert soup.select_one("input[name=remind_days]")["value"] == "30"


def test_the_add_and_edit_forms_sent_twice_do_it_once(client, auth):
    lead = auth.login("lead")
    vendor = vendors.save_vendor("Figma", actor=lead)
    soup, _ = client.soup("/subscriptions/new")
    key = soup.select_one("#subscription-form input[name=key]")["value"]
    sent = {**form_for(vendor.id), "key": key}
    first = client.form("/subscriptions/new", sent)
    second = client.form("/subscriptions/new", sent)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    [s] = Subscription.select()
    assert kinds(s) == ["created"]
    edit = {**form_for(vendor.id, product="Renamed"), "version": "1"}
    assert client.form(f"/subscriptions/{s.id}/edit", edit).status_code == 303
    again = client.form(f"/subscriptions/{s.id}/edit", edit, follow_redirects=True)
    assert flash(soup_of(again)) == "Saved Renamed."
    assert kinds(s) == ["created", "edited"]


def test_the_list_and_a_subscriptions_page_do_not_query_per_row(client, auth, count_queries):
    lead = auth.login("lead")
    from app.register import teams

    team = teams.save_team("Design", actor=lead)
    for n in range(6):
        owner = {"owner_id": lead.id} if n % 2 else {"owner_team_id": team.id}
        s = make_subscription(lead, f"Vendor {n}", **owner)
        seats.assign(s.id, factories.make_holder(f"Holder {n}").id, actor=lead)
    # user, settings, the rows, the year's total (and nothing per row)
    with count_queries(at_most=5):
        soup, _ = client.soup("/subscriptions")
    assert len(soup.select("#subscriptions li")) == 6
    assert {o.get_text() for o in soup.select("#subscriptions .owner")} == {lead.name, "Design"}
    # user, settings, the subscription, its seats, people to offer, documents, history
    with count_queries(at_most=8):
        page, _ = client.soup(f"/subscriptions/{s.id}")
    assert page.select_one("#seats-text").get_text() == "1 of 5"


def test_an_unreadable_number_is_said_once(client, auth):
    """Seats of "-3" gets one message, not the same one twice."""
    auth.login("lead")
    response = client.form("/subscriptions/new", {"seats": "-3", "product": "X"})
    assert response.status_code in (200, 422)
    text = response.get_data(as_text=True)
    assert text.count("Give a whole number from 1 to 100000, or leave it blank.") == 1
