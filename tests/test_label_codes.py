"""Codes on labels that are not an asset's own: blank labels printed ahead and
bound on first scan, and old codes left behind by re-labelling. Each still
leads somewhere useful."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app import codes
from app.models import Asset, Event, LabelCode
from app.register import label_codes

from . import factories
from .label_kit import PUBLIC, assert_pdf, decode, pretty
from .pages import counts, path_of, soup_of

L7651 = "avery-l7651"


@pytest.fixture
def lead(auth):
    """Signed in as a lead."""
    return auth.login("lead")


def blank_code(actor) -> str:
    return label_codes.reserve_blanks(1, actor)[0]


def state(code: str) -> tuple:
    label = LabelCode.get(LabelCode.code == code)
    return label.state, label.asset_id


def kinds(asset) -> list[str]:
    return [e.kind for e in Event.select().where(Event.asset == asset.id).order_by(Event.id)]


def replaced_link(client, old: str) -> str:
    """Where a replaced code leads someone signed in: straight to its asset's page,
    which says the label was replaced (the page's canonical address is returned)."""
    soup, response = client.soup(f"/A/{old}")
    assert response.status_code == 200
    note = soup.select_one("main #label-replaced")
    assert note is not None and pretty(old) in note.get_text()
    assert soup.select_one("#status-card") is not None
    return soup.select_one("link[rel=canonical]")["href"]


# Printing blank labels -----------------------------------------------------------


def test_blank_labels_reserve_codes_and_decode(client, lead, tmp_path):
    """Five blanks: a PDF whose QRs carry five new codes, each stored as a blank."""
    response = client.form("/labels/blank", {"count": "5", "format": L7651, "start": "1"})
    pdf = assert_pdf(response, f"blank-labels-{L7651}")
    rows = list(LabelCode.select())
    assert len(rows) == 5
    assert {(r.state, r.asset_id, r.created_by_id) for r in rows} == {("blank", None, lead.id)}
    assert all(codes.is_valid(r.code) for r in rows)
    found = decode(pdf, tmp_path / "raster")
    assert sorted(found) == sorted(f"{PUBLIC}/A/{r.code}" for r in rows)
    assert counts() == (0, 0)  # no assets, no events: nothing is in the register yet


@pytest.mark.parametrize(
    ("count", "message"),
    [("0", "Ask for 1–2000 blank labels."), ("2001", "Ask for 1–2000 blank labels.")],
)
def test_bad_blank_counts_create_nothing(client, lead, count, message):
    """Zero or more than 2000 blanks: 422 with the message by the field, no codes."""
    response = client.form("/labels/blank", {"count": count, "format": L7651})
    assert response.status_code == 422
    soup = soup_of(response)
    assert soup.select_one("#count").find_parent("div").select_one("p.error").get_text() == message
    assert soup.select_one("#count")["value"] == count  # the form keeps what was typed
    assert LabelCode.select().count() == 0


def test_blank_start_off_the_sheet_creates_nothing(client, lead):
    """A start past the sheet's last label is refused before any code is reserved."""
    response = client.form("/labels/blank", {"count": "5", "format": L7651, "start": "66"})
    assert response.status_code == 422
    assert "1–65" in soup_of(response).select_one("main").get_text()
    assert LabelCode.select().count() == 0


# Scanning a blank ------------------------------------------------------------------


def test_signed_out_scan_of_a_blank_says_only_that_it_is_unused(client, auth):
    """Signed out: a neutral card, no bind links."""
    code = blank_code(factories.make_user("lead"))
    soup, response = client.soup(f"/A/{code}")
    assert response.status_code == 200
    card = soup.select_one("main section.card")
    assert card.h1.get_text(strip=True) == "This label is not in use yet"
    assert card.select_one(".code").get_text(strip=True) == pretty(code)
    assert "has not been put on an item yet" in card.get_text()
    assert not soup.select("main a[href*='/bind/']")


def test_member_scan_of_a_blank_says_ask_a_lead(client, auth):
    """A member is told to ask a lead, and cannot bind it."""
    code = blank_code(factories.make_user("lead"))
    auth.login("member")
    soup, _ = client.soup(f"/A/{code}")
    assert "Ask a lead" in soup.select_one("main section.card").get_text()
    assert not soup.select("main a[href*='/bind/']")
    assert client.get(f"/A/{code}/bind/new").status_code == 403
    assert client.form(f"/A/{code}/bind/new", {"name": "Mine now"}).status_code == 403
    assert state(code) == ("blank", None)


def test_lead_scan_of_a_blank_offers_both_ways_to_use_it(client, lead):
    """A lead gets "Create a new asset…" and "Attach to an existing asset", however typed."""
    code = blank_code(lead)
    for url in (f"/A/{code}", f"/a/{pretty(code).lower()}"):
        soup, response = client.soup(url)
        assert response.status_code == 200
        links = [(a.get_text(strip=True), a["href"]) for a in soup.select("main .card-actions a")]
        assert links == [
            ("Create a new asset with this label", f"/A/{code}/bind/new"),
            ("Attach to an existing asset", f"/A/{code}/bind/attach"),
        ]


# Binding a blank to a new asset ------------------------------------------------------


def test_bind_new_creates_the_asset_with_the_blank_code(client, lead):
    """The new asset takes exactly the label's code; the label is bound to it."""
    code = blank_code(lead)
    room = factories.make_location("Van 2")
    soup, _ = client.soup(f"/A/{code}/bind/new")
    assert soup.select_one("main .code.big").get_text(strip=True) == pretty(code)
    response = client.form(
        f"/A/{code}/bind/new", {"name": "Laser level", "location": room.id, "serial": "LL-9"}
    )
    assert response.status_code == 303
    assert path_of(response) == f"/A/{code}"
    asset = Asset.get(Asset.code == code)
    assert (asset.name, asset.location_id, asset.serial) == ("Laser level", room.id, "LL-9")
    assert state(code) == ("bound", asset.id)
    assert kinds(asset) == ["created"]
    assert Event.get(Event.asset == asset.id).actor_id == lead.id
    soup, _ = client.soup(f"/A/{code}")
    assert soup.select_one("#status-card h1").get_text(strip=True) == "Laser level"


def test_a_bound_label_cannot_be_bound_again(client, lead):
    """Once used, the blank's bind pages are gone and nothing changes."""
    code = blank_code(lead)
    client.form(f"/A/{code}/bind/new", {"name": "Laser level"})
    other = factories.make_asset(lead, name="Spirit level")
    before = counts()
    assert client.get(f"/A/{code}/bind/new").status_code == 404
    assert client.form(f"/A/{code}/bind/new", {"name": "Second"}).status_code == 404
    assert client.form(f"/A/{code}/bind/attach", {"asset": other.code}).status_code == 404
    assert counts() == before
    assert Asset.get(Asset.code == code).name == "Laser level"
    assert Asset.get_by_id(other.id).code == other.code


def test_bind_new_without_a_name_is_refused(client, lead):
    """A missing name re-renders the form with 422; the label stays blank."""
    code = blank_code(lead)
    response = client.form(f"/A/{code}/bind/new", {"name": ""})
    assert response.status_code == 422
    assert "Give the asset a name." in soup_of(response).select_one("main form").get_text()
    assert state(code) == ("blank", None)
    assert counts() == (0, 0)


# Attaching a blank to an existing asset -----------------------------------------------


def test_attach_gives_the_asset_the_label_code(client, lead):
    """The asset takes the blank's code; its old code says "replaced" and leads to it."""
    code = blank_code(lead)
    drill = factories.make_asset(lead, name="Hammer drill")
    old = drill.code
    soup, _ = client.soup(f"/A/{code}/bind/attach", query_string={"q": "hammer"})
    assert [i["value"] for i in soup.select("main input[name=asset]")] == [old]
    response = client.form(f"/A/{code}/bind/attach", {"asset": old, "q": "hammer"})
    assert response.status_code == 303
    assert path_of(response) == f"/A/{code}"
    assert Asset.get_by_id(drill.id).code == code
    assert state(code) == ("bound", drill.id)
    assert state(old) == ("replaced", drill.id)
    event = Event.get(Event.asset == drill.id, Event.kind == "relabelled")
    assert event.data == {"from": old, "to": code, "how": "blank label"}
    assert event.actor_id == lead.id
    assert replaced_link(client, old) == f"/A/{code}"
    soup, _ = client.soup(f"/A/{code}")
    assert soup.select_one("#status-card h1").get_text(strip=True) == "Hammer drill"


def test_attach_to_an_unknown_asset_changes_nothing(client, lead):
    """An asset code that is not in the register: 422 with the message, label still blank."""
    code = blank_code(lead)
    drill = factories.make_asset(lead, name="Hammer drill")
    before = counts()
    response = client.form(f"/A/{code}/bind/attach", {"asset": "ZZZZZZ", "q": "hammer"})
    assert response.status_code == 422
    error = soup_of(response).select_one("main .flash-error").get_text(strip=True)
    assert error == "Choose an asset from the list. Nothing was changed."
    assert state(code) == ("blank", None)
    assert Asset.get_by_id(drill.id).code == drill.code
    assert counts() == before


# Re-labelling --------------------------------------------------------------------------


def test_relabel_confirm_page(client, lead):
    """GET /A/<code>/relabel explains the change and posts back to itself."""
    drill = factories.make_asset(lead, name="Hammer drill")
    soup, response = client.soup(f"/A/{drill.code}/relabel")
    assert response.status_code == 200
    assert soup.select_one("main h1").get_text(strip=True) == "Re-label Hammer drill"
    assert f"instead of {pretty(drill.code)}" in soup.select_one("main").get_text()
    assert soup.select_one("main form[method=post]")["action"] == f"/A/{drill.code}/relabel"
    assert Asset.get_by_id(drill.id).code == drill.code  # a GET changes nothing


def test_relabel_gives_a_new_code_and_goes_to_print_it(client, lead):
    """POST: a new valid code, a relabelled event, then the print page with it selected."""
    drill = factories.make_asset(lead, name="Hammer drill")
    old = drill.code
    response = client.form(f"/A/{old}/relabel")
    assert response.status_code == 303
    new = Asset.get_by_id(drill.id).code
    assert codes.is_valid(new) and new != old
    location = urlsplit(response.headers["Location"])
    assert location.path == "/labels"
    assert parse_qs(location.query) == {"choice": ["selected"], "asset": [new]}
    event = Event.get(Event.asset == drill.id, Event.kind == "relabelled")
    assert event.data == {"from": old, "to": new, "how": "re-label"}
    assert state(old) == ("replaced", drill.id)

    soup, response = client.soup(response.headers["Location"])
    assert response.status_code == 200
    assert pretty(new) in soup.select_one("#flash .flash-ok").get_text()
    assert [i["value"] for i in soup.select("main input[name=asset]")][:1] == [new]
    assert soup.select_one("main input[name=choice][value=selected]").has_attr("checked")
    assert soup.select_one("section.card h2").get_text(strip=True) == "Preview: 1 label"
    assert replaced_link(client, old) == f"/A/{new}"


def test_relabelling_twice_keeps_both_old_codes_working(client, lead):
    """Both earlier labels say "replaced" and lead to the asset's current code."""
    drill = factories.make_asset(lead, name="Hammer drill")
    first = drill.code
    client.form(f"/A/{first}/relabel")
    second = Asset.get_by_id(drill.id).code
    client.form(f"/A/{second}/relabel")
    third = Asset.get_by_id(drill.id).code
    assert len({first, second, third}) == 3
    assert replaced_link(client, first) == f"/A/{third}"
    assert replaced_link(client, second) == f"/A/{third}"
    assert kinds(drill) == ["created", "relabelled", "relabelled"]


def test_an_asset_bound_from_a_blank_can_be_relabelled(client, lead):
    """Re-labelling an asset whose code came from a blank marks that blank replaced."""
    code = blank_code(lead)
    client.form(f"/A/{code}/bind/new", {"name": "Laser level"})
    response = client.form(f"/A/{code}/relabel")
    assert response.status_code == 303
    asset = Asset.get(Asset.name == "Laser level")
    assert asset.code != code
    assert state(code) == ("replaced", asset.id)
    assert LabelCode.select().count() == 1
    assert replaced_link(client, code) == f"/A/{asset.code}"


def test_members_cannot_relabel(client, auth):
    """Members get 403 from the confirm page and the POST; the code stays."""
    drill = factories.make_asset(factories.make_user("lead"), name="Hammer drill")
    auth.login("member")
    assert client.get(f"/A/{drill.code}/relabel").status_code == 403
    assert client.form(f"/A/{drill.code}/relabel").status_code == 403
    assert Asset.get_by_id(drill.id).code == drill.code
    assert LabelCode.select().count() == 0
    soup, _ = client.soup(f"/A/{drill.code}")
    assert not soup.select(f"a[href='/A/{drill.code}/relabel']")


def test_relabel_of_an_unknown_code_is_not_found(client, lead):
    """No asset has the code: 404, nothing written."""
    assert client.get("/A/ZZZZZZ/relabel").status_code == 404
    assert client.form("/A/ZZZZZZ/relabel").status_code == 404
    assert counts() == (0, 0)


def test_a_retired_item_is_not_relabelled_nor_bound_to_a_blank(client, lead):
    """Its card offers no "Re-label…"; the page says why, and a crafted POST
    or a blank label bound to it changes nothing either (one rule for all)."""
    from app.custody import custody

    drill = factories.make_asset(lead, name="Hammer drill")
    custody.retire(drill.code, actor=lead, reason="sold")
    soup, response = client.soup(f"/A/{drill.code}/relabel")
    assert response.status_code == 200
    assert "This item is retired." in soup.select_one("main").get_text()
    assert soup.select_one("main form[method=post]") is None
    before = counts()
    response = client.form(f"/A/{drill.code}/relabel")
    assert response.status_code == 409
    assert Asset.get_by_id(drill.id).code == drill.code
    code = blank_code(lead)
    response = client.form(f"/A/{code}/bind/attach", {"asset": drill.code, "q": "hammer"})
    assert response.status_code == 409
    assert state(code) == ("blank", None)
    assert counts() == before
