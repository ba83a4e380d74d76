"""Faults, photos and repairs: POST /A/<code>/fault, /repair and /fixed, and the photo route.

Each test checks what the page shows (parsed with BeautifulSoup) and what the
database holds: the Fault rows, the Event rows and the asset's status.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.custody import custody
from app.models import Asset, Event, Fault
from app.register.uploads import MAX_BYTES, limit_words

from . import factories


def image_bytes(fmt: str) -> bytes:
    """A small real image: fault photos are decoded, so their first bytes are not enough."""
    out = io.BytesIO()
    Image.new("RGB", (48, 24), "orange").save(out, fmt)
    return out.getvalue()


JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")
WEBP = image_bytes("WEBP")
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b"\x00" * 64
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|gif|webp)$")
LIMIT = MAX_BYTES


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def path_of(response) -> str:
    return urlsplit(response.headers["Location"]).path


def uploads(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def reload(asset: Asset) -> Asset:
    return Asset.get_by_id(asset.id)


def kinds(asset: Asset) -> list[str]:
    return [e.kind for e in Event.select().where(Event.asset == asset).order_by(Event.id)]


def state(asset: Asset) -> tuple[int, int, str]:
    """Faults, events and status: the things a refused action must leave alone."""
    events = Event.select().where(Event.asset == asset).count()
    return Fault.select().where(Fault.asset == asset).count(), events, reload(asset).status


def fault(client, asset, htmx: str | None = "status-card", photo=None, **fields):
    """POST the fault form; `photo` is (bytes, file name) and makes it multipart."""
    url = f"/A/{asset.code}/fault"
    data = {"description": "Chuck wobbles at speed", "severity": "usable", **fields}
    if photo is None:
        return client.form(url, data, htmx=htmx)
    # Encoded here rather than by the test client: for bodies over 500 KB its
    # encoder spools to a temporary file it never closes, and the ResourceWarning
    # fails the next test under filterwarnings=error.
    data["csrf_token"] = client.csrf_token()
    data["photo"] = FileStorage(io.BytesIO(photo[0]), filename=photo[1])
    boundary, body = encode_multipart(data)
    headers = {"HX-Request": "true", "HX-Target": htmx} if htmx else {}
    return client.post(
        url, data=body, content_type=f"multipart/form-data; boundary={boundary}", headers=headers
    )


def card(soup):
    found = soup.select_one("#status-card")
    assert found is not None, "no status card"
    return found


def bands(soup) -> list[str]:
    return [b.get_text(" ", strip=True) for b in card(soup).select(".band")]


def flash(soup) -> list[str]:
    return [p.get_text(strip=True) for p in soup.select("#flash p.flash")]


@pytest.fixture
def drill(auth):
    return factories.make_asset(name="Cordless drill")


# Reporting a fault ------------------------------------------------------------


def test_still_usable_fault_keeps_status_and_shows_a_band(client, auth, drill):
    """htmx: the card fragment comes back with the band; status stays Available."""
    member = auth.login("member")
    response = fault(client, drill, description="Chuck wobbles at speed", severity="usable")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html  # a fragment, not a page
    soup = soup_of(response)
    assert card(soup).select_one(".status-line").get_text(strip=True) == "Available"
    assert bands(soup) == ["Still usable: Chuck wobbles at speed"]
    assert flash(soup) == ["Fault reported. Thank you."]
    timeline = soup.select_one("[hx-swap-oob^='afterbegin:#timeline']")
    assert "Fault reported" in timeline.get_text(" ", strip=True)

    (row,) = Fault.select().where(Fault.asset == drill)
    assert (row.description, row.severity, row.photo, row.closed_at) == (
        "Chuck wobbles at speed",
        "usable",
        "",
        None,
    )
    assert row.reported_by_id == member.id
    assert reload(drill).status == "available"
    event = Event.get(Event.asset == drill, Event.kind == "fault_reported")
    assert event.actor_id == member.id
    assert event.note == "Chuck wobbles at speed"
    assert event.data == {"fault_id": row.id, "severity": "usable", "photo": False}


def test_do_not_use_makes_it_faulty_without_javascript(client, auth, drill):
    """A plain form: 303 back to the asset page, which shows Faulty and the band."""
    auth.login("member")
    response = fault(client, drill, htmx=None, description="Cable frayed", severity="do_not_use")
    assert response.status_code == 303
    assert path_of(response) == f"/A/{drill.code}"
    soup, page = client.soup(path_of(response))
    assert "<html" in page.get_data(as_text=True)
    assert card(soup).select_one(".status-line").get_text(strip=True) == "Faulty"
    assert bands(soup) == ["Do not use: Cable frayed"]
    assert "band-do_not_use" in card(soup).select_one(".band")["class"]
    assert flash(soup) == ["Fault reported. Thank you."]
    assert reload(drill).status == "faulty"
    event = Event.get(Event.asset == drill, Event.kind == "fault_reported")
    assert event.data["severity"] == "do_not_use"


def test_do_not_use_on_a_checked_out_item_makes_it_faulty(client, auth, drill):
    """The holder reports a blocking fault: status becomes Faulty, the holder stays."""
    member = auth.login("member")
    assert client.form(f"/A/{drill.code}/checkout", htmx="status-card").status_code == 200
    response = fault(client, drill, severity="do_not_use")
    assert response.status_code == 200
    soup = soup_of(response)
    assert card(soup).select_one(".status-line").get_text(strip=True) == "Faulty"
    asset = reload(drill)
    assert (asset.status, asset.holder_id) == ("faulty", member.id)
    # The holder can still hand it back.
    buttons = [b.get_text(strip=True) for b in card(soup).find_all("button")]
    assert "Return" in buttons


def test_the_same_key_twice_records_one_fault(client, auth, drill, app):
    """A double tap resends the form's key: one Fault, one event, one stored photo."""
    auth.login("member")
    for _ in range(2):
        response = fault(client, drill, key="fault-key-0001", photo=(JPEG, "x.jpg"))
        assert response.status_code == 200
    assert Fault.select().where(Fault.asset == drill).count() == 1
    assert kinds(drill).count("fault_reported") == 1
    assert len(uploads(app)) == 1


# Bad input writes nothing -----------------------------------------------------


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"severity": "catastrophic"}, "severity"),
        ({"severity": ""}, "severity"),
        ({"description": "x" * 2001}, "description"),
    ],
)
@pytest.mark.parametrize("htmx", ["status-card", None])
def test_bad_fields_are_422_and_write_nothing(client, auth, drill, fields, field, htmx):
    """The form comes back open with the error beside the field; no Fault, no event."""
    auth.login("member")
    before = state(drill)
    response = fault(client, drill, htmx=htmx, **fields)
    assert response.status_code == 422
    soup = soup_of(response)
    form = soup.select_one("form[action$='/fault']")
    assert form is not None, "the fault form is not shown again"
    error = form.select_one(".has-error .error")
    assert error is not None and error.get_text(strip=True)
    control = error.find_parent(class_="has-error").select_one(f"[name={field}]")
    assert control is not None, f"the error is not next to {field}"
    if htmx:
        assert "<html" not in response.get_data(as_text=True)
        assert form.find_parent("details").has_attr("open")
    assert state(drill) == before


def test_a_description_of_exactly_2000_characters_is_accepted(client, auth, drill):
    auth.login("member")
    response = fault(client, drill, description="x" * 2000)
    assert response.status_code == 200
    assert len(Fault.get(Fault.asset == drill).description) == 2000


def test_a_good_photo_with_a_bad_description_is_not_kept(client, auth, drill, app):
    """Fields are checked before the photo is stored, so a 422 leaves no file behind."""
    auth.login("member")
    response = fault(client, drill, description="", photo=(JPEG, "x.jpg"))
    assert response.status_code == 422
    assert state(drill) == (0, 1, "available")
    assert uploads(app) == []


def test_a_fault_on_a_missing_item_records_it_found_first(client, auth, drill):
    """Someone has it in hand: "found" is logged before the fault."""
    Asset.update(status="missing").where(Asset.id == drill.id).execute()
    auth.login("member")
    assert fault(client, drill, severity="usable").status_code == 200
    assert kinds(drill)[-2:] == ["found", "fault_reported"]
    assert reload(drill).status == "available"


@pytest.mark.parametrize(
    "photo",
    [
        (b"just some text, honestly\n" * 10, "photo.jpg"),
        (PDF, "scan.pdf"),
        (PDF, "photo.jpeg"),
        (b"", "empty.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "x.svg"),
        (HEIC, "IMG_0002.HEIC"),  # cannot be decoded here; iPhones send JPEG when asked
    ],
)
def test_a_file_that_is_not_an_image_is_422_and_not_kept(client, auth, drill, app, photo):
    """Checked by its bytes: a text file named .jpg or a PDF is refused and not stored."""
    auth.login("member")
    before = state(drill)
    response = fault(client, drill, photo=photo)
    assert response.status_code == 422
    soup = soup_of(response)
    error = soup.select_one("input[name=photo]").find_parent(class_="field").select_one(".error")
    assert error is not None and "not a photo" in error.get_text()
    assert state(drill) == before
    assert uploads(app) == []


@pytest.mark.parametrize("htmx", ["status-card", None])
def test_a_photo_over_10_mb_is_413_and_not_kept(client, auth, drill, app, htmx):
    """The limit + 1 byte of JPEG: refused with a message, nothing written, no file left."""
    auth.login("member")
    before = state(drill)
    big = b"\xff\xd8\xff" + b"\x00" * (LIMIT + 1 - 3)
    response = fault(client, drill, htmx=htmx, photo=(big, "big.jpg"))
    assert response.status_code == 413
    soup = soup_of(response)
    assert any(f"larger than {limit_words()}" in m for m in flash(soup))
    assert card(soup) is not None
    assert state(drill) == before
    assert uploads(app) == []


def test_a_photo_of_exactly_10_mb_is_accepted(client, auth, drill, app):
    """The limit is inclusive: a photo of exactly the limit (a JPEG padded after its
    end, which decoders ignore) is stored, written anew without the padding."""
    auth.login("member")
    exact = JPEG + b"\x00" * (LIMIT - len(JPEG))
    response = fault(client, drill, photo=(exact, "exact.jpg"))
    assert response.status_code == 200
    (stored,) = uploads(app)
    assert 0 < stored.stat().st_size < LIMIT


@pytest.mark.parametrize("htmx", ["status-card", None])
def test_a_body_over_the_request_limit_is_a_413_page(client, auth, drill, app, htmx):
    """12 MB is more than MAX_CONTENT_LENGTH: a friendly 413, not a 500, nothing written."""
    auth.login("member")
    before = state(drill)
    huge = b"\xff\xd8\xff" + b"\x00" * (12 * 1024 * 1024)
    response = fault(client, drill, htmx=htmx, photo=(huge, "huge.jpg"))
    assert response.status_code == 413
    soup = soup_of(response)
    assert soup.select_one("main h1").get_text(strip=True) == "Too large"
    assert state(drill) == before
    assert uploads(app) == []


# Photos -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, name, kind",
    [
        (JPEG, "IMG_0001.JPG", "jpg"),
        (PNG, "x.txt", "png"),
        (WEBP, "photo.webp", "webp"),
        (JPEG, "no-extension", "jpg"),
    ],
)
def test_real_images_are_accepted_by_their_bytes(client, auth, drill, app, content, name, kind):
    """The type comes from the first bytes; the stored name is random, never the upload's."""
    auth.login("member")
    response = fault(client, drill, photo=(content, name))
    assert response.status_code == 200, response.get_data(as_text=True)
    (row,) = Fault.select().where(Fault.asset == drill)
    assert STORED_NAME.match(row.photo), row.photo
    assert row.photo.endswith("." + kind)
    assert name not in row.photo and name.rsplit(".", 1)[0] not in row.photo
    (stored,) = uploads(app)
    assert stored.name == row.photo
    with Image.open(stored) as image:  # written anew, the same picture
        assert image.size == (48, 24) and image.format == Image.open(io.BytesIO(content)).format
    event = Event.get(Event.asset == drill, Event.kind == "fault_reported")
    assert event.data["photo"] is True
    link = card(soup_of(response)).select_one(".band a")
    assert link is not None and link["href"] == f"/faults/{row.id}/photo"


def test_two_uploads_of_one_file_get_different_names(client, auth, drill, app):
    auth.login("member")
    for n in range(2):
        fault(client, drill, description=f"Crack {n}", photo=(JPEG, "same.jpg"))
    names = [f.photo for f in Fault.select().order_by(Fault.id)]
    assert len(set(names)) == 2
    assert [p.name for p in uploads(app)] == sorted(names)


def test_photo_is_served_to_signed_in_people_only(client, auth, drill):
    """/faults/<id>/photo: the bytes for a member; a redirect to sign in when signed out."""
    auth.login("member")
    fault(client, drill, photo=(PNG, "x.txt"))
    row = Fault.get(Fault.asset == drill)
    url = f"/faults/{row.id}/photo"

    other = factories.make_user("member")
    auth.logout()
    auth.login("member", user=other)
    with client.get(url) as response:  # a file response: close it, or it leaks a handle
        assert response.status_code == 200
        with Image.open(io.BytesIO(response.data)) as image:
            assert (image.format, image.size) == ("PNG", (48, 24))
        assert response.mimetype == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"

    auth.logout()
    response = client.get(url)
    assert response.status_code in (302, 303)
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert "next=" in urlsplit(response.headers["Location"]).query
    assert PNG not in response.data


def test_photo_is_not_kept_by_shared_caches(client, auth, drill):
    """Only signed-in people may see a fault photo, so a site proxy must not cache it."""
    auth.login("member")
    fault(client, drill, photo=(JPEG, "x.jpg"))
    row = Fault.get(Fault.asset == drill)
    with client.get(f"/faults/{row.id}/photo") as response:
        assert response.status_code == 200
        cache = response.cache_control
        assert not cache.public, response.headers["Cache-Control"]
        assert cache.private or cache.no_store, response.headers["Cache-Control"]


def test_photo_route_is_404_without_a_photo(client, auth, drill):
    auth.login("member")
    fault(client, drill)
    row = Fault.get(Fault.asset == drill)
    assert client.get(f"/faults/{row.id}/photo").status_code == 404
    assert client.get("/faults/999999/photo").status_code == 404


# Repairs ----------------------------------------------------------------------


def test_repair_then_fixed_closes_faults_and_logs_costs(client, auth, drill):
    """Fault → repair (45.50) → check out refused → fixed (120) → available; history says so."""
    lead = auth.login("lead")
    fault(client, drill, description="Motor smokes", severity="do_not_use")
    fault(client, drill, description="Label peeling", severity="usable")
    assert reload(drill).status == "faulty"

    response = client.form(
        f"/A/{drill.code}/repair",
        {"note": "Sent to Makita service", "cost": "45.50"},
        htmx="status-card",
    )
    assert response.status_code == 200
    soup = soup_of(response)
    assert card(soup).select_one(".status-line").get_text(strip=True) == "In repair"
    assert reload(drill).status == "in_repair"
    started = Event.get(Event.asset == drill, Event.kind == "repair_started")
    assert started.data == {"cost_cents": 4550}
    assert started.note == "Sent to Makita service"
    assert started.actor_id == lead.id

    # In repair: nobody can check it out (no override was asked for).
    before = state(drill)
    response = client.form(f"/A/{drill.code}/checkout", htmx="status-card")
    assert response.status_code == 409
    assert any("in repair" in m for m in flash(soup_of(response)))
    assert state(drill) == before
    assert reload(drill).holder_id is None

    response = client.form(
        f"/A/{drill.code}/fixed", {"note": "New motor fitted", "cost": "120"}, htmx=None
    )
    assert response.status_code == 303
    asset = reload(drill)
    assert asset.status == "available"
    faults = list(Fault.select().where(Fault.asset == drill))
    assert len(faults) == 2 and all(f.closed_at is not None for f in faults)
    repaired = Event.get(Event.asset == drill, Event.kind == "repaired")
    assert repaired.data == {"faults_closed": 2, "cost_cents": 12000}
    assert repaired.note == "New motor fitted"

    soup, _ = client.soup(f"/A/{drill.code}")
    assert bands(soup) == []
    assert card(soup).select_one(".status-line").get_text(strip=True) == "Available"
    entries = [li.p.get_text(" ", strip=True) for li in soup.select("#history ol.timeline > li")]
    assert entries[:4] == [
        f"Marked fixed by {lead.name} · cost 120.00",
        f"Repair started by {lead.name} · cost 45.50",
        f"Fault reported by {lead.name} · still usable",
        f"Fault reported by {lead.name} · do not use",
    ]
    notes = soup.select_one("#history").get_text(" ", strip=True)
    for note in ("New motor fitted", "Sent to Makita service", "Motor smokes", "Label peeling"):
        assert note in notes


def test_fixed_closes_faults_without_a_repair(client, auth, drill):
    """Mark fixed straight from faulty: the faults close and the item is available."""
    auth.login("lead")
    fault(client, drill, severity="do_not_use")
    response = client.form(f"/A/{drill.code}/fixed", {"note": "Tightened"}, htmx="status-card")
    assert response.status_code == 200
    assert reload(drill).status == "available"
    assert Fault.get(Fault.asset == drill).closed_at is not None
    assert Event.get(Event.asset == drill, Event.kind == "repaired").data == {"faults_closed": 1}


def test_fixed_without_a_cost_leaves_the_asset_page_working(client, auth, drill):
    """Plain form, no cost: 303, then the asset page shows "Marked fixed" (not a 500)."""
    lead = auth.login("lead")
    fault(client, drill, severity="do_not_use")
    response = client.form(f"/A/{drill.code}/fixed", {"note": "Tightened"}, htmx=None)
    assert response.status_code == 303
    assert reload(drill).status == "available"
    soup, page = client.soup(f"/A/{drill.code}")
    assert page.status_code == 200
    first = soup.select_one("#history ol.timeline > li p").get_text(" ", strip=True)
    assert first == f"Marked fixed by {lead.name}"


def test_fixed_with_nothing_open_is_409(client, auth, drill):
    auth.login("lead")
    before = state(drill)
    response = client.form(f"/A/{drill.code}/fixed", {"cost": "10"}, htmx="status-card")
    assert response.status_code == 409
    assert any("no open fault or repair" in m for m in flash(soup_of(response)))
    assert state(drill) == before


def test_repair_on_a_checked_out_item_is_409(client, auth, drill):
    lead = auth.login("lead")
    holder = factories.make_holder("Hana Holder")
    client.form(f"/A/{drill.code}/checkout", {"holder": holder.id}, htmx="status-card")
    assert reload(drill).holder_id == holder.id
    before = state(drill)
    response = client.form(f"/A/{drill.code}/repair", {"cost": "5"}, htmx="status-card")
    assert response.status_code == 409
    assert any("Hana Holder still has it" in m for m in flash(soup_of(response)))
    assert state(drill) == before
    assert lead.id != holder.id


def test_repair_twice_is_409(client, auth, drill):
    auth.login("lead")
    client.form(f"/A/{drill.code}/repair", htmx="status-card")
    before = state(drill)
    response = client.form(f"/A/{drill.code}/repair", htmx="status-card")
    assert response.status_code == 409
    assert state(drill) == before


@pytest.mark.parametrize("cost", ["-5", "abc", "1.234"])
def test_repair_with_a_bad_cost_is_422(client, auth, drill, cost):
    auth.login("lead")
    before = state(drill)
    response = client.form(f"/A/{drill.code}/repair", {"cost": cost}, htmx=None)
    assert response.status_code == 422
    soup = soup_of(response)
    error = soup.select_one("input[name=cost]").find_parent(class_="field").select_one(".error")
    assert error is not None
    assert state(drill) == before


@pytest.mark.parametrize("action", ["repair", "fixed"])
def test_members_cannot_repair_or_mark_fixed(client, auth, drill, action):
    """403 for members, on the form page and on the POST; nothing written."""
    auth.login("member")
    fault(client, drill, severity="do_not_use")
    before = state(drill)
    assert client.get(f"/A/{drill.code}/{action}").status_code == 403
    response = client.form(f"/A/{drill.code}/{action}", {"cost": "1"}, htmx="status-card")
    assert response.status_code == 403
    assert state(drill) == before
    assert Fault.get(Fault.asset == drill).closed_at is None


def test_members_see_no_repair_links_but_leads_do(client, auth, drill):
    auth.login("member")
    fault(client, drill, severity="do_not_use")
    soup, _ = client.soup(f"/A/{drill.code}")
    assert card(soup).select("a[href$='/repair'], a[href$='/fixed']") == []
    auth.logout()
    auth.login("lead")
    soup, _ = client.soup(f"/A/{drill.code}")
    links = {a.get_text(strip=True) for a in card(soup).select(".lead-actions a")}
    assert {"Mark fixed…", "Start repair…"} <= links


# Retired ----------------------------------------------------------------------


@pytest.mark.parametrize("htmx", ["status-card", None])
def test_fault_on_a_retired_item_is_409(client, auth, drill, app, htmx):
    lead = factories.make_user("lead")
    custody.retire(drill.code, actor=lead, reason="scrapped")
    auth.login("member")
    before = state(drill)
    response = fault(client, drill, htmx=htmx, photo=(JPEG, "x.jpg"))
    assert response.status_code == 409
    assert any("retired" in m for m in flash(soup_of(response)))
    assert state(drill) == before == (0, 2, "retired")
    assert uploads(app) == []


def test_the_repair_forms_say_their_costs_add_up(client, auth, drill):
    """A lead who enters the quote at the start and the bill when fixed is told
    both count (the maintenance report and the replacement plan add them)."""
    auth.login("lead")
    fault(client, drill, severity="do_not_use")
    for action, words in [("repair", "is added to this one"), ("fixed", "the two are added up")]:
        soup, response = client.soup(f"/A/{drill.code}/{action}")
        assert response.status_code == 200
        hint = soup.select_one("input[name=cost]").find_parent(class_="field").select_one(".hint")
        assert hint is not None and words in hint.get_text(), action
    soup, _ = client.soup(f"/A/{drill.code}/service")
    field = soup.select_one("input[name=cost]").find_parent(class_="field")
    assert field.select_one(".hint") is None
