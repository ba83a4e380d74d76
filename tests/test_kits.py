"""Kits through the web pages: making one (and every refusal, with nothing saved),
scanning its code, checking every item out in one tap and one transaction,
returning it with an item not here, and the card's warnings."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup

from app.audits import audits
from app.codes import pretty
from app.custody import custody, leavers, maintenance
from app.kits import taking
from app.models import (
    Asset,
    AuditTick,
    Event,
    Kit,
    KitItem,
    Reservation,
    ReservationItem,
)
from app.register import places
from app.reservations import reservations

from . import factories
from .import_kit import preview, sheet
from .label_kit import PUBLIC, assert_pdf, decode, pdf_text, printed


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def flash(soup) -> str:
    return soup.select_one("#flash").get_text(" ", strip=True)


def kinds(asset) -> list[str]:
    return [e.kind for e in Event.select().where(Event.asset == asset.id).order_by(Event.id)]


def fresh(asset) -> Asset:
    return Asset.get_by_id(asset.id)


def make_kit(client, name: str, *assets, expect: int = 303):
    lines = "\n".join(pretty(a.code).lower() for a in assets)  # as people type them
    response = client.form("/kits", {"name": name, "items": lines})
    assert response.status_code == expect, response.get_data(as_text=True)
    return response


def the_kit(name: str = "Camera kit") -> Kit:
    return Kit.get(Kit.name == name)


def test_a_lead_makes_a_kit_and_its_code_opens_its_page(client, gear):
    response = make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"], gear["Lens 2"])
    kit = the_kit()
    assert response.headers["Location"].endswith(f"/A/{kit.code}")
    # Its own code, from the assets' alphabet, taken by nothing else.
    assert len(kit.code) == 6 and not Asset.select().where(Asset.code == kit.code).exists()
    items = KitItem.select().where(KitItem.kit == kit).order_by(KitItem.position)
    assert [i.asset.name for i in items] == ["Camera body", "Lens 1", "Lens 2"]
    # Putting an item in a kit is on its history.
    assert kinds(gear["Lens 1"])[-1] == "kit_added"
    # The label's URL, in any spelling, opens the kit's page.
    page = client.get(f"/a/{pretty(kit.code).lower()}")
    assert page.status_code == 200
    soup = soup_of(page)
    assert soup.select_one("#kit-name").get_text(strip=True) == "Camera kit"
    rows = [li.select_one(".row-main").get_text(strip=True) for li in soup.select(".kit-items li")]
    assert rows == ["Camera body", "Lens 1", "Lens 2"]
    buttons = [b.get_text(strip=True) for b in soup.select("#kit-card button, #kit-card summary")]
    assert "Check out to me" in buttons and "Check out to…" in buttons
    assert not soup.select(".kit-warning")
    # Find by code goes there too, and the item's page says which kit it is in.
    assert client.get(f"/find?code={kit.code}").headers["Location"].endswith(f"/A/{kit.code}")
    item_page = soup_of(client.get(f"/A/{gear['Lens 1'].code}"))
    assert item_page.select_one("#in-kit").get_text(" ", strip=True) == "Part of kit Camera kit"


def test_a_kit_is_listed_on_the_kits_page_and_in_the_menu(client, gear):
    make_kit(client, "Camera kit", gear["Camera body"])
    soup = soup_of(client.get("/kits"))
    assert "Camera kit" in soup.select_one("#kits").get_text(" ", strip=True)
    assert soup_of(client.get("/menu")).find("a", href="/kits") is not None


@pytest.mark.parametrize(
    "problem",
    ["in another kit", "retired", "a kit code", "unknown code", "not a code", "no name"],
)
def test_bad_items_are_refused_with_a_clear_message_and_nothing_saved(client, gear, lead, problem):
    make_kit(client, "Video kit", gear["Lens 2"])
    before = (Kit.select().count(), KitItem.select().count(), Event.select().count())
    name, extra = "Camera kit", ""
    if problem == "in another kit":
        extra, expected = pretty(gear["Lens 2"].code), "Lens 2 ("
        expected += f"{pretty(gear['Lens 2'].code)}) is already in the kit Video kit."
    elif problem == "retired":
        custody.retire(gear["Battery"].code, actor=lead, reason="scrapped")
        before = (before[0], before[1], Event.select().count())
        extra, expected = gear["Battery"].code, "is retired."
    elif problem == "a kit code":
        video = the_kit("Video kit")
        extra = video.code
        expected = f"{pretty(video.code)} is the kit Video kit, not an item: a kit cannot go"
    elif problem == "unknown code":
        extra, expected = "ZZZ-ZZ9", "No item has the code ZZZ-ZZ9."
    elif problem == "not a code":
        extra, expected = "hello", "“hello” is not a code."
    else:
        name, expected = "", "Give the kit a name."
    typed = f"{gear['Camera body'].code}\n{extra}\n"
    response = client.form("/kits", {"name": name, "items": typed})
    assert response.status_code == 422
    soup = soup_of(response)
    assert expected in soup.select_one("#kit-form").get_text(" ", strip=True)
    assert "Nothing was saved." in flash(soup)
    assert (Kit.select().count(), KitItem.select().count(), Event.select().count()) == before


def test_a_member_cannot_make_a_kit(client, auth, gear):
    auth.logout()
    auth.login("member")
    response = client.form("/kits", {"name": "Mine", "items": gear["Lens 1"].code})
    assert response.status_code == 403
    assert not Kit.select().exists()


@pytest.mark.parametrize("via", ["plain", "htmx"])
def test_check_out_to_me_moves_every_item_each_with_its_own_event(client, gear, lead, via):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"], gear["Lens 2"])
    kit = the_kit()
    page = soup_of(client.get(f"/A/{kit.code}"))
    form = page.find("button", string="Check out to me").find_parent("form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    response = client.post(
        form["action"],
        data=data,
        headers={"HX-Request": "true", "HX-Target": "kit-card"} if via == "htmx" else {},
    )
    if via == "plain":
        assert response.status_code == 303
        soup = soup_of(client.get(response.headers["Location"]))
    else:
        assert response.status_code == 200
        soup = soup_of(response)
    assert "Checked out to you: 3 items." in flash(soup)
    for name in ("Camera body", "Lens 1", "Lens 2"):
        asset = fresh(gear[name])
        assert (asset.status, asset.holder_id) == ("checked_out", lead.id)
        assert kinds(asset)[-1] == "checked_out"
    assert fresh(gear["Battery"]).holder_id is None
    # The same form again (a double tap) changes nothing.
    count = Event.select().count()
    client.post(form["action"], data=data)
    assert Event.select().count() == count
    # Now the card offers the return, with every item ticked.
    boxes = soup_of(client.get(f"/A/{kit.code}")).select("#kit-return input[name=present]")
    assert len(boxes) == 3 and all(b.has_attr("checked") for b in boxes)


def test_a_lead_checks_a_kit_out_to_someone(client, gear):
    make_kit(client, "Camera kit", gear["Lens 1"], gear["Lens 2"])
    sam = factories.make_user("member", name="Sam")
    kit = the_kit()
    response = client.form(f"/kits/{kit.code}/checkout", {"holder": sam.id})
    assert response.status_code == 303
    assert {fresh(gear[n]).holder_id for n in ("Lens 1", "Lens 2")} == {sam.id}


def test_if_one_item_cannot_go_none_does(client, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"], gear["Lens 2"])
    kit = the_kit()
    sam = factories.make_user("member", name="Sam")
    custody.check_out(gear["Lens 2"].code, actor=lead, today=date.today(), holder_id=sam.id)
    before = Event.select().count()
    response = client.form(f"/kits/{kit.code}/checkout", {"key": "kit-take-0001"})
    assert response.status_code == 303
    message = flash(soup_of(client.get(response.headers["Location"])))
    assert "Lens 2: Already checked out to Sam" in message
    assert "Nothing was checked out." in message
    # The two items before it were not left checked out: one transaction.
    assert Event.select().count() == before
    assert fresh(gear["Camera body"]).holder_id is None
    assert fresh(gear["Lens 1"]).holder_id is None


def hidden(form) -> dict[str, list[str]]:
    """A form's hidden fields as it would post them (a name may come several times)."""
    data: dict[str, list[str]] = {}
    for field in form.select("input[type=hidden]"):
        data.setdefault(field["name"], []).append(field["value"])
    return data


def post_form(client, form, via: str):
    headers = {"HX-Request": "true", "HX-Target": "kit-card"} if via == "htmx" else {}
    return client.post(form["action"], data=hidden(form), headers=headers)


def answer(client, response, via: str) -> BeautifulSoup:
    """The page a post leads to: the htmx answer, or the page after the 303."""
    if via == "htmx" or response.status_code != 303:
        return soup_of(response)
    return soup_of(client.get(response.headers["Location"]))


def out_kit(client, gear) -> Kit:
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"], gear["Lens 2"])
    kit = the_kit()
    assert client.form(f"/kits/{kit.code}/checkout").status_code == 303
    return kit


@pytest.mark.parametrize("via", ["plain", "htmx"])
def test_return_with_an_item_unticked_asks_first_and_changes_nothing(client, gear, lead, via):
    kit = out_kit(client, gear)
    before = Event.select().count()
    present = [gear["Camera body"].code, gear["Lens 1"].code]  # Lens 2 not ticked
    response = client.form(
        f"/kits/{kit.code}/return",
        {"present": present, "key": "kit-back-0001"},
        htmx="kit-card" if via == "htmx" else None,
    )
    # Asked on the card itself: a fragment over htmx, the whole page without.
    assert response.status_code == 200
    soup = soup_of(response)
    assert ("<html" in response.get_data(as_text=True)) == (via == "plain")
    question = soup.select_one("#kit-card #kit-question")
    lines = [p.get_text(strip=True) for p in question.select(".kit-asked p")]
    assert lines == ["Lens 2 is not here?"]
    # Nothing changed: every item is still out, no event written.
    assert Event.select().count() == before
    assert {fresh(gear[n]).holder_id for n in ("Camera body", "Lens 1", "Lens 2")} == {lead.id}
    # The answers post the same return again, with the same key and ticks.
    confirm = question.select_one("#kit-confirm")
    assert confirm.find("button").get_text(strip=True) == "Yes, return the rest"
    assert hidden(confirm)["key"] == ["kit-back-0001"] and hidden(confirm)["confirm"] == ["1"]
    assert sorted(hidden(confirm)["present"]) == sorted(present)
    here = question.select_one(".kit-asked")
    assert here.find("button").get_text(strip=True) == "It is here"
    assert sorted(hidden(here)["present"]) == sorted([*present, gear["Lens 2"].code])
    # Back in the list, the ticks are as they were.
    boxes = {b["value"]: b.has_attr("checked") for b in soup.select("#kit-return [name=present]")}
    assert boxes == {a.code: a.code in present for a in gear.values() if a.name != "Battery"}


@pytest.mark.parametrize("via", ["plain", "htmx"])
def test_yes_return_the_rest_keeps_the_item_out_and_flags_it(client, gear, lead, via):
    kit = out_kit(client, gear)
    present = [gear["Camera body"].code, gear["Lens 1"].code]
    asked = soup_of(
        client.form(f"/kits/{kit.code}/return", {"present": present, "key": "kit-back-0002"})
    )
    confirm = asked.select_one("#kit-confirm")
    message = flash(answer(client, post_form(client, confirm, via), via))
    assert "Returned 2 items." in message
    assert "Lens 2 is not here: it stays with" in message
    for name in ("Camera body", "Lens 1"):
        asset = fresh(gear[name])
        assert (asset.status, asset.holder_id) == ("available", None)
        assert kinds(asset)[-1] == "checked_in"
    lens = fresh(gear["Lens 2"])
    assert (lens.status, lens.holder_id) == ("checked_out", lead.id)
    assert kinds(lens)[-1] == "kit_item_not_back"
    # A double tap on the confirm stays one return.
    count = Event.select().count()
    again = flash(answer(client, post_form(client, confirm, via), via))
    assert "Already done." in again
    assert Event.select().count() == count
    # The flag reads on the item's history.
    history = soup_of(client.get(f"/A/{lens.code}")).select_one("#timeline").get_text(" ")
    assert "Not back with its kit" in history
    # The kit's card offers to return Lens 2 alone.
    card = soup_of(client.get(f"/A/{kit.code}"))
    assert len(card.select("#kit-return input[name=present]")) == 1


def return_without(client, kit, *missing: Asset) -> None:
    """Return the kit with `missing` unticked, and say yes to the question."""
    page = soup_of(client.get(f"/A/{kit.code}"))
    codes = [b["value"] for b in page.select("#kit-return [name=present]")]
    present = [c for c in codes if c not in {a.code for a in missing}]
    asked = soup_of(
        client.form(f"/kits/{kit.code}/return", {"present": present, "key": uuid.uuid4().hex})
    )
    assert post_form(client, asked.select_one("#kit-confirm"), "plain").status_code == 303


def test_an_item_not_back_is_flagged_on_its_page_the_dashboard_and_kits(
    client, gear, lead, count_queries
):
    kit = out_kit(client, gear)
    lens = gear["Lens 2"]
    with count_queries() as before:  # out, not flagged yet
        assert client.get(f"/A/{lens.code}").status_code == 200
    assert not soup_of(client.get(f"/A/{lens.code}")).select("#not-back")
    return_without(client, kit, lens)
    assert fresh(lens).not_back_since is not None
    # On its page, from its row: not one query more.
    with count_queries() as after:
        page = client.get(f"/A/{lens.code}")
    assert len(after) == len(before), f"{before}\n--- flagged ---\n{after}"
    band = soup_of(page).select_one("#status-card #not-back").get_text(" ", strip=True)
    assert band.startswith("Not back with the kit Camera kit since ")
    assert band.endswith(f", still with {lead.name}.")
    # On the leads' dashboard, beside the other lists, linking to the full list.
    home = soup_of(client.get("/"))
    section = home.select_one("#dash-not-back")
    assert section.select_one("h2").get_text(" ", strip=True) == "Not back with its kit 1"
    [row] = section.select("li")
    assert row.select_one(".row-main strong").get_text(strip=True) == "Lens 2"
    assert f"Still with {lead.name}" in row.get_text(" ", strip=True)
    link = section.select_one(".see-all a")["href"]
    assert link == "/kits#not-back"
    listed = soup_of(client.get("/kits")).select_one("#not-back")
    [item] = listed.select("li")
    assert "Lens 2" in item.get_text(" ", strip=True)
    assert f"Camera kit · Still with {lead.name}" in item.get_text(" ", strip=True)


def test_the_dashboard_has_no_not_back_list_when_nothing_is_flagged(client, gear):
    out_kit(client, gear)
    assert not soup_of(client.get("/")).select("#dash-not-back")
    assert not soup_of(client.get("/kits")).select("#not-back")


@pytest.mark.parametrize("how", ["return", "kit return", "transfer", "return all", "retire"])
def test_the_flag_clears_when_the_item_changes_hands(client, gear, lead, how):
    kit = out_kit(client, gear)
    lens = gear["Lens 2"]
    return_without(client, kit, lens)
    assert fresh(lens).not_back_since is not None
    sam = factories.make_user("member", name="Sam")
    if how == "return":
        custody.check_in(lens.code, actor=lead)
    elif how == "kit return":  # the kit's card offers it alone, ticked
        form = soup_of(client.get(f"/A/{kit.code}")).select_one("#kit-return")
        data = hidden(form) | {"present": [lens.code]}
        assert client.post(form["action"], data=data).status_code == 303
    elif how == "transfer":
        custody.transfer(lens.code, actor=lead, today=date.today(), to_holder_id=sam.id)
    elif how == "return all":
        leavers.return_all(lead.id, actor=lead)
    else:
        custody.retire(lens.code, actor=lead, reason="lost")
    assert fresh(lens).not_back_since is None
    assert not soup_of(client.get(f"/A/{lens.code}")).select("#not-back")
    assert not soup_of(client.get("/")).select("#dash-not-back")


def test_a_second_return_without_it_keeps_when_it_went_missing(clock, client, gear, lead):
    kit = out_kit(client, gear)
    lens = gear["Lens 2"]
    return_without(client, kit, lens, gear["Lens 1"])
    since = fresh(lens).not_back_since
    clock.shift(3600)
    return_without(client, kit, lens)  # Lens 1 back now; Lens 2 still not
    assert fresh(lens).not_back_since == since
    assert fresh(gear["Lens 1"]).not_back_since is None


def test_it_is_here_returns_everything_at_once(client, gear, lead):
    kit = out_kit(client, gear)
    present = [gear["Camera body"].code]  # two not ticked
    asked = soup_of(
        client.form(f"/kits/{kit.code}/return", {"present": present, "key": "kit-back-0003"})
    )
    assert [p.get_text(strip=True) for p in asked.select(".kit-asked p")] == [
        "Lens 1 is not here?",
        "Lens 2 is not here?",
    ]
    # Lens 1 is here after all: asked again, about Lens 2 only.
    [lens1, _] = asked.select(".kit-asked")
    again = soup_of(post_form(client, lens1, "htmx"))
    assert [p.get_text(strip=True) for p in again.select(".kit-asked p")] == ["Lens 2 is not here?"]
    assert fresh(gear["Lens 1"]).holder_id == lead.id
    # And Lens 2 too: everything comes back, with no more questions.
    response = post_form(client, again.select_one(".kit-asked"), "htmx")
    assert "Returned 3 items." in flash(soup_of(response))
    assert not soup_of(response).select("#kit-question")
    assert {fresh(gear[n]).holder_id for n in ("Camera body", "Lens 1", "Lens 2")} == {None}


def test_everything_ticked_returns_in_one_tap(client, gear):
    kit = out_kit(client, gear)
    form = soup_of(client.get(f"/A/{kit.code}")).select_one("#kit-return")
    data = hidden(form) | {"present": [b["value"] for b in form.select("[name=present]")]}
    response = client.post(form["action"], data=data)
    assert response.status_code == 303
    assert "Returned 3 items." in flash(soup_of(client.get(response.headers["Location"])))
    assert {fresh(gear[n]).holder_id for n in ("Camera body", "Lens 1", "Lens 2")} == {None}


def test_a_return_with_nothing_ticked_is_refused(client, gear, lead):
    kit = out_kit(client, gear)
    before = Event.select().count()
    response = client.form(f"/kits/{kit.code}/return", {"key": "kit-back-0004"}, htmx="kit-card")
    assert response.status_code == 422
    assert "Tick what is here, then Return. Nothing was returned." in flash(soup_of(response))
    assert Event.select().count() == before
    assert fresh(gear["Lens 1"]).holder_id == lead.id


def test_the_card_warns_about_a_faulty_item_before_anyone_takes_it(client, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"])
    maintenance.report_fault(
        gear["Lens 1"].code, actor=lead, description="Cracked", severity="do_not_use"
    )
    soup = soup_of(client.get(f"/A/{the_kit().code}"))
    assert [w.get_text(strip=True) for w in soup.select(".kit-warning")] == ["Lens 1 is faulty."]
    # Taking the kit is refused for that item, and nothing moves.
    response = client.form(f"/kits/{the_kit().code}/checkout")
    message = flash(soup_of(client.get(response.headers["Location"])))
    assert "Lens 1: This item is faulty" in message
    assert fresh(gear["Camera body"]).holder_id is None


def test_the_empty_kit_forms_show_no_error(client, gear):
    # "items" is also the name of a dict's method: the form must not print that.
    make_kit(client, "Camera kit", gear["Lens 1"])
    for url in ("/kits", f"/kits/{the_kit().code}/edit", f"/kits/{the_kit().code}/reserve"):
        soup = soup_of(client.get(url))
        assert soup.select(".error, .has-error") == [], url
        assert "built-in method" not in str(soup), url
    # The kit's Reserve form posts to the kit and goes back to it, without htmx.
    form = soup_of(client.get(f"/kits/{the_kit().code}/reserve")).select_one(
        "form#kit-reserve-form"
    )
    assert form["action"] == f"/kits/{the_kit().code}/reserve" and not form.get("hx-post")
    assert form.select_one("a")["href"] == f"/A/{the_kit().code}"


def test_a_lead_renames_fills_empties_and_deletes_a_kit(client, gear):
    make_kit(client, "Camera kit", gear["Lens 1"])
    kit = the_kit()
    url = f"/kits/{kit.code}/edit"
    client.form(url, {"do": "rename", "name": "Photo kit", "version": kit.version})
    assert Kit.get_by_id(kit.id).name == "Photo kit"
    assert kinds(gear["Lens 1"])[-1] == "kit_renamed"
    assert client.form(url, {"do": "add", "items": gear["Lens 2"].code}).status_code == 303
    refused = client.form(url, {"do": "delete"})
    assert refused.status_code == 409
    assert "Take the items out of the kit first." in flash(soup_of(refused))
    for name in ("Lens 1", "Lens 2"):
        client.form(url, {"do": "remove", "asset": gear[name].code})
        assert kinds(gear[name])[-1] == "kit_removed"
    assert client.form(url, {"do": "delete"}).status_code == 303
    assert not Kit.select().exists()
    # The code is never given to anything else.
    assert kit.code not in {places.unique_code() for _ in range(50)}


def test_a_signed_out_scan_of_a_kit_shows_only_its_name(client, auth, gear):
    make_kit(client, "Camera kit", gear["Lens 1"])
    code = the_kit().code
    auth.logout()
    soup = soup_of(client.get(f"/A/{code}"))
    assert soup.select_one("#public-card h1").get_text(strip=True) == "Camera kit"
    assert not soup.select("#kit-card")


def test_an_import_never_gives_an_asset_a_kits_code(client, gear):
    """A spreadsheet's asset tag that is a kit's code is kept as an old tag."""
    make_kit(client, "Camera kit", gear["Lens 1"])
    code = the_kit().code
    shown = preview(sheet(f"Asset tag,Name\n{code},Tripod\n"))
    [row] = shown.rows
    assert row.action == "new" and row.code is None
    assert row.values["external_tag"] == code


@pytest.mark.usefixtures("clock")  # now is 2026-03-11 12:00 UTC
def test_reserving_a_kit_books_every_item_and_remembers_the_kit(client, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"])
    kit = the_kit()
    page = soup_of(client.get(f"/A/{kit.code}"))
    assert page.find("a", string="Reserve")["href"] == f"/kits/{kit.code}/reserve"
    period = {
        "starts_at_date": "2026-03-17",
        "starts_at_time": "09:00",
        "ends_at_date": "2026-03-17",
        "ends_at_time": "17:00",
        "note": "Client shoot, Leeds",
    }
    response = client.form(f"/kits/{kit.code}/reserve", period)
    assert response.status_code == 303, response.get_data(as_text=True)
    booking = Reservation.get(Reservation.note == "Client shoot, Leeds")
    assert (booking.kit_id, booking.person_id) == (kit.id, lead.id)
    booked = ReservationItem.select().where(ReservationItem.reservation == booking)
    assert {i.asset_id for i in booked} == {gear["Camera body"].id, gear["Lens 1"].id}
    assert kinds(gear["Lens 1"])[-1] == "reserved"
    # The same period again: no double booking, and nothing saved.
    count = Reservation.select().count()
    again = client.form(f"/kits/{kit.code}/reserve", {**period, "note": "Again"})
    assert again.status_code == 409
    assert "Nothing was saved." in flash(soup_of(again))
    assert Reservation.select().count() == count
    # A period that ends before it starts is refused on the form.
    bad = client.form(f"/kits/{kit.code}/reserve", {**period, "ends_at_time": "08:00"})
    assert bad.status_code == 422
    assert Reservation.select().count() == count


def test_kit_labels_print_and_their_qr_opens_the_kit_page(client, gear, tmp_path):
    make_kit(client, "Camera kit", gear["Lens 1"])
    code = the_kit().code
    response = client.form(
        "/labels/pdf",
        {"choice": "kits", "format": "avery-l7160", "start": "1", "copies": "1", "org_line": ""},
    )
    pdf = assert_pdf(response, "labels-avery-l7160")
    # The label says it is a kit (the name may wrap onto a second line).
    assert "Kit · Camera kit" in " ".join(pdf_text(pdf).split())
    [text] = decode(pdf, tmp_path / "raster")
    assert text == f"{PUBLIC}/A/{code}"
    soup = soup_of(client.get(f"/A/{code}"))
    assert soup.select_one("#kit-name").get_text(strip=True) == "Camera kit"
    # A kit's label marks no item's label as printed.
    assert printed() == []
    page = soup_of(client.get("/labels"))
    assert page.find("input", attrs={"name": "choice", "value": "kits"}) is not None


def test_in_an_audit_a_kit_label_lists_its_items_and_proves_nothing(client, gear, lead):
    """Scanning a kit's label in an audit ticks nothing: each item is ticked on its own."""
    make_kit(client, "Camera kit", gear["Lens 1"], gear["Lens 2"])
    code = the_kit().code
    audit = audits.start("Spring", actor=lead)
    before = (AuditTick.select().count(), Event.select().count())
    tick = {"key": uuid.uuid4().hex, "action": "tick", "code": code, "audit_id": audit.id}
    take = {"key": uuid.uuid4().hex, "action": "checkout", "code": code}
    now = int(time.time() * 1000)
    answer = client.post(
        "/scan/actions",
        json={"actions": [{**tick, "scanned_at": now}, {**take, "scanned_at": now}]},
        headers={"X-CSRFToken": client.csrf_token()},
    ).json
    [ticked, taken] = answer["results"]
    assert ticked["status"] == "check"
    assert ticked["message"] == (
        "That is the label of the kit Camera kit: tick each of its items on its own "
        "(Lens 1, Lens 2)."
    )
    assert taken["status"] == "refused"
    assert "That is a kit's label" in taken["message"]
    assert (AuditTick.select().count(), Event.select().count()) == before
    assert fresh(gear["Lens 1"]).last_audited_at is None


@pytest.mark.usefixtures("clock")  # now is 2026-03-11 12:00 UTC
def test_scanning_a_booked_kit_starts_its_reservation_in_one_tap(client, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"])
    kit = the_kit()
    start, end = datetime(2026, 3, 11, 12, 30), datetime(2026, 3, 11, 17, 0)
    booking = taking.reserve(kit.code, actor=lead, starts_at=start, ends_at=end, zone=UTC)
    soup = soup_of(client.get(f"/A/{kit.code}"))
    form = soup.select_one("#kit-start")
    assert form.find("button").get_text(strip=True) == "Start reservation"
    response = client.form(form["action"], htmx="kit-card")
    assert response.status_code == 200
    assert "Reservation started" in flash(soup_of(response))
    assert Reservation.get_by_id(booking.id).state == "started"
    for name in ("Camera body", "Lens 1"):
        assert (fresh(gear[name]).holder_id, kinds(gear[name])[-1]) == (lead.id, "checked_out")
    # Started: no second start is offered.
    assert not soup_of(client.get(f"/A/{kit.code}")).select("#kit-start")


def test_a_lead_hands_a_kit_over_in_one_tap(client, gear, lead):
    make_kit(client, "Camera kit", gear["Lens 1"], gear["Lens 2"])
    kit = the_kit()
    client.form(f"/kits/{kit.code}/checkout")
    sam = factories.make_user("member", name="Sam")
    soup = soup_of(client.get(f"/A/{kit.code}"))
    assert soup.select_one("#kit-transfer") is not None
    response = client.form(f"/kits/{kit.code}/transfer", {"holder": sam.id})
    assert response.status_code == 303
    page = soup_of(client.get(response.headers["Location"]))
    assert "Handed over to Sam: 2 items." in flash(page)
    for name in ("Lens 1", "Lens 2"):
        assert (fresh(gear[name]).holder_id, kinds(gear[name])[-1]) == (sam.id, "transferred")
    # No one chosen: a clear message, nothing handed over.
    refused = client.form(f"/kits/{kit.code}/transfer", {})
    assert refused.status_code == 303
    assert "Choose a person" in flash(soup_of(client.get(refused.headers["Location"])))
    assert fresh(gear["Lens 1"]).holder_id == sam.id


@pytest.mark.usefixtures("clock")  # now is 2026-03-11 12:00 UTC
def test_everyone_sees_the_kits_bookings_and_its_booking_refuses_a_check_out_once(
    client, auth, gear, lead
):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"])
    kit = the_kit()
    sam = factories.make_user("member", name="Sam")
    start, end = datetime(2026, 3, 12, 9, 0), datetime(2026, 3, 12, 17, 0)
    taking.reserve(kit.code, actor=lead, person_id=sam.id, starts_at=start, ends_at=end, zone=UTC)
    auth.logout()
    auth.login("member")
    soup = soup_of(client.get(f"/A/{kit.code}"))
    [line] = [li.get_text(" ", strip=True) for li in soup.select("#kit-card #kit-bookings li")]
    assert line.startswith("Reserved by Sam, ") and " – " in line
    assert not soup.select("#kit-start")  # hers to see, Sam's to start
    # Taking it for good would run into Sam's booking of the kit: said once, as the kit's.
    before = Event.select().count()
    response = client.form(f"/kits/{kit.code}/checkout", {"key": "kit-take-0002"}, htmx="kit-card")
    assert response.status_code == 409
    message = flash(soup_of(response))
    assert message.startswith("This kit is reserved by Sam, ")
    assert "It is free until " in message and "Nothing was checked out." in message
    assert "Camera body" not in message and "Lens 1" not in message
    assert Event.select().count() == before
    assert {fresh(gear[n]).holder_id for n in ("Camera body", "Lens 1")} == {None}


@pytest.mark.usefixtures("clock")  # now is 2026-03-11 12:00 UTC
def test_an_items_own_booking_names_the_item_once(client, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"])
    kit = the_kit()
    sam = factories.make_user("member", name="Sam")
    start, end = datetime(2026, 3, 12, 9, 0), datetime(2026, 3, 12, 17, 0)
    reservations.reserve(
        [gear["Lens 1"].code], actor=lead, person_id=sam.id, starts_at=start, ends_at=end, zone=UTC
    )
    assert not soup_of(client.get(f"/A/{kit.code}")).select("#kit-bookings")  # not the kit's
    response = client.form(f"/kits/{kit.code}/checkout", {"holder": sam.id}, htmx="kit-card")
    assert response.status_code == 200  # Sam may take what Sam booked
    both = [gear["Camera body"].code, gear["Lens 1"].code]
    assert client.form(f"/kits/{kit.code}/return", {"present": both}).status_code == 303
    response = client.form(f"/kits/{kit.code}/checkout", {"key": "kit-take-0003"}, htmx="kit-card")
    message = flash(soup_of(response))
    assert message.startswith("Lens 1 is reserved by Sam, "), message
    assert "Lens 1: " not in message
    assert fresh(gear["Camera body"]).holder_id is None


def card_warnings(client, kit) -> list[str]:
    soup = soup_of(client.get(f"/A/{kit.code}"))
    return [w.get_text(" ", strip=True) for w in soup.select("#kit-card .kit-warning")]


def test_a_kit_out_whole_with_one_person_is_said_once(client, auth, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"], gear["Lens 2"])
    kit = the_kit()
    assert client.form(f"/kits/{kit.code}/checkout").status_code == 303
    # To the person who has it: once, not "... is out with" for every item.
    assert card_warnings(client, kit) == ["Out with you."]
    # To anyone else about to take it: once, with whom and until when.
    sam = factories.make_user("member", name="Sam")
    due = date.today().replace(year=date.today().year + 1)
    codes = [gear[n].code for n in ("Camera body", "Lens 1", "Lens 2")]
    assert client.form(f"/kits/{kit.code}/return", {"present": codes}).status_code == 303
    taken = client.form(f"/kits/{kit.code}/checkout", {"holder": sam.id, "due_back": due})
    assert taken.status_code == 303
    assert card_warnings(client, kit) == [f"Out with Sam, due back {due:%a %d %b}."]
    # A faulty item still has its own line.
    maintenance.report_fault(
        gear["Lens 1"].code, actor=lead, description="Cracked", severity="do_not_use"
    )
    assert card_warnings(client, kit) == [
        f"Out with Sam, due back {due:%a %d %b}.",
        "Lens 1 is faulty.",
    ]


def test_a_partly_out_kit_says_which_items_are_out(client, gear, lead):
    make_kit(client, "Camera kit", gear["Camera body"], gear["Lens 1"], gear["Lens 2"])
    kit = the_kit()
    sam = factories.make_user("member", name="Sam")
    custody.check_out(gear["Lens 1"].code, actor=lead, today=date.today(), holder_id=sam.id)
    custody.check_out(gear["Lens 2"].code, actor=lead, today=date.today())
    assert card_warnings(client, kit) == ["Lens 1 is out with Sam.", "Lens 2 is out with you."]


def test_an_item_not_back_says_so_on_the_kits_card(client, gear, lead):
    kit = out_kit(client, gear)
    return_without(client, kit, gear["Lens 2"])
    assert card_warnings(client, kit) == [
        "Lens 2 did not come back with the kit: it is still with you."
    ]
