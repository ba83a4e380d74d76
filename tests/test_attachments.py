"""Attachments: photos and PDFs per asset, checked by their bytes, capped at 10 MB,
served only to signed-in people, with thumbnails for the asset page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.http import parse_options_header
from werkzeug.test import encode_multipart

from app.models import Attachment, Event
from app.register import attachments, uploads

from . import factories

LIMIT = uploads.MAX_BYTES
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
STORED = re.compile(r"^[0-9a-f]{32}\.(jpg|png|gif|webp|pdf)$")


def image_bytes(fmt: str, size=(64, 32), mode="RGB", colour="red", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt, **save)
    return out.getvalue()


def rotated_jpeg() -> bytes:
    """A 64×32 JPEG whose EXIF says "rotate 90°": it shows 32 wide and 64 tall."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held on its side
    exif[0x010F] = "PhoneMaker"  # metadata a thumbnail must not carry along
    return image_bytes("JPEG", exif=exif.tobytes())


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def files_in(app) -> list[str]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def snapshot(app, asset) -> tuple:
    """Rows, events and files: what a refused upload must leave alone."""
    return (
        Attachment.select().count(),
        Event.select().where(Event.asset == asset).count(),
        files_in(app),
    )


def upload(client, asset, content: bytes, name: str, htmx: str | None = None, **fields):
    """POST the upload form as multipart. Encoded here, not by the test client: for
    bodies over 500 KB its encoder spools to a temporary file it never closes."""
    data = {"csrf_token": client.csrf_token(), **fields}
    data["file"] = FileStorage(io.BytesIO(content), filename=name)
    boundary, body = encode_multipart(data)
    headers = {"HX-Request": "true", "HX-Target": htmx} if htmx else {}
    return client.post(
        f"/A/{asset.code}/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers,
    )


def disposition(response) -> tuple[str, str]:
    value, options = parse_options_header(response.headers["Content-Disposition"])
    return value, options.get("filename")


def file_error(soup) -> str:
    field = soup.select_one("input[name=file]").find_parent(class_="field")
    error = field.select_one(".error")
    assert error is not None, "no error shown next to the file field"
    return error.get_text(strip=True)


@pytest.fixture
def drill(app):
    return factories.make_asset(name="Drill")


# Uploading ---------------------------------------------------------------------


def test_a_lead_uploads_a_photo_and_it_shows_as_a_thumbnail(client, auth, drill, app):
    """Plain form: 303 back to the list; a row, an event, the file and an upright thumbnail."""
    lead = auth.login("lead")
    response = upload(client, drill, rotated_jpeg(), "IMG_0001.JPG")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/A/{drill.code}/attachments"

    [row] = Attachment.select()
    assert (row.asset_id, row.kind, row.content_type, row.original_name) == (
        drill.id,
        "photo",
        "image/jpeg",
        "IMG_0001.JPG",
    )
    assert STORED.match(row.stored_name) and row.uploaded_by_id == lead.id
    folder = Path(app.instance_path) / "uploads"
    stored = folder / row.stored_name
    assert row.size_bytes == stored.stat().st_size
    with Image.open(stored) as original:  # stored upright, without the EXIF
        assert original.size == (32, 64) and not original.getexif()

    with Image.open(uploads.thumb_path(folder, row.stored_name)) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (32, 64)  # turned upright
        assert not thumb.getexif()  # no orientation left to apply twice, no maker, no place

    [event] = Event.select().where(Event.kind == "attachment_added")
    assert (event.asset_id, event.actor_id) == (drill.id, lead.id)
    assert event.data == {
        "attachment_id": row.id,
        "kind": "photo",
        "name": "IMG_0001.JPG",
        "size_bytes": row.size_bytes,
    }

    soup, _ = client.soup(f"/A/{drill.code}")
    [img] = soup.select("#attachments img")
    assert img["src"] == f"/attachments/{row.id}/thumb"  # never the 10 MB original
    assert img.find_parent("a")["href"] == f"/attachments/{row.id}"
    assert "Photo added" in soup.select_one("#timeline li").get_text(" ", strip=True)


@pytest.mark.parametrize(
    "content, name, kind, ext",
    [
        (image_bytes("PNG", mode="RGBA", colour=(0, 0, 0, 0)), "scan.txt", "photo", "png"),
        (image_bytes("WEBP"), "photo.jpg", "photo", "webp"),
        (image_bytes("GIF"), "anim.gif", "photo", "gif"),
        (image_bytes("JPEG", mode="L"), "grey.jpeg", "photo", "jpg"),
        (PDF, "manual.exe", "document", "pdf"),
        (PDF, "receipt.PDF", "document", "pdf"),
    ],
)
def test_the_type_comes_from_the_bytes_not_the_name(
    client, auth, drill, app, content, name, kind, ext
):
    """Each accepted type is recognised whatever it is called, and stored under a random name."""
    auth.login("lead")
    assert upload(client, drill, content, name).status_code == 303
    [row] = Attachment.select()
    assert row.kind == kind and row.stored_name.endswith("." + ext)
    assert row.content_type == uploads.TYPES[ext].content_type
    assert name.rsplit(".", 1)[0] not in row.stored_name
    thumbs = [f for f in files_in(app) if f.startswith("thumbs/")]
    assert len(thumbs) == (1 if kind == "photo" else 0)


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"just some text, honestly\n" * 10, "photo.jpg", "not a photo"),
        (b"<html><script>alert(1)</script></html>", "manual.pdf", "not a photo"),
        (b"PK\x03\x04" + b"\x00" * 64, "manual.pdf", "not a photo"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "a.heic", "not a"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "broken.jpg", "could not be read"),
        (b"", "empty.pdf", "empty"),
    ],
)
@pytest.mark.parametrize("htmx", [None, "attachment-manager"])
def test_other_files_are_refused_with_a_message_and_nothing_kept(
    client, auth, drill, app, content, name, message, htmx
):
    """422 with the reason next to the file field; no row, no event, no file on disk."""
    auth.login("lead")
    before = snapshot(app, drill)
    response = upload(client, drill, content, name, htmx=htmx)
    assert response.status_code == 422
    soup = soup_of(response)
    assert message in file_error(soup)
    assert (soup.html is None) == bool(htmx)
    assert snapshot(app, drill) == before


def test_a_form_without_a_file_is_422(client, auth, drill, app):
    auth.login("lead")
    response = client.form(f"/A/{drill.code}/attachments", {})
    assert response.status_code == 422
    assert "Choose a photo or a PDF" in file_error(soup_of(response))
    assert Attachment.select().count() == 0


@pytest.mark.parametrize("htmx", [None, "attachment-manager"])
def test_over_10_mb_is_413_with_a_message_and_nothing_kept(client, auth, drill, app, htmx):
    """The limit and one byte of PDF: refused, nothing written, no stray file."""
    auth.login("lead")
    before = snapshot(app, drill)
    big = PDF + b"\x00" * (LIMIT + 1 - len(PDF))
    response = upload(client, drill, big, "big.pdf", htmx=htmx)
    assert response.status_code == 413
    assert f"larger than {uploads.limit_words()}" in file_error(soup_of(response))
    assert snapshot(app, drill) == before


def test_exactly_10_mb_is_accepted(client, auth, drill, app):
    auth.login("lead")
    exact = PDF + b"\x00" * (LIMIT - len(PDF))
    assert upload(client, drill, exact, "exact.pdf").status_code == 303
    assert Attachment.get().size_bytes == LIMIT


def test_a_body_over_the_request_limit_is_a_413_page(client, auth, drill, app):
    """More than MAX_CONTENT_LENGTH never reaches the service: a friendly 413 page."""
    auth.login("lead")
    before = snapshot(app, drill)
    response = upload(client, drill, PDF + b"\x00" * (12 * 1024 * 1024), "huge.pdf")
    assert response.status_code == 413
    assert soup_of(response).select_one("main h1").get_text(strip=True) == "Too large"
    assert f"The limit is {uploads.limit_words()} per file." in response.get_data(as_text=True)
    assert snapshot(app, drill) == before


def test_htmx_upload_swaps_the_list_and_a_plain_get_is_a_page(client, auth, drill):
    """The htmx answer is the #attachment-manager fragment plus the flash out of band."""
    auth.login("lead")
    response = upload(client, drill, PDF, "receipt.pdf", htmx="attachment-manager")
    assert response.status_code == 200
    soup = soup_of(response)
    assert soup.html is None
    section = soup.select_one("section#attachment-manager")
    assert [s.get_text(strip=True) for s in section.select(".row-main")] == ["receipt.pdf"]
    assert soup.select_one("#flash[hx-swap-oob]").get_text(strip=True) == "Document added."
    assert section.select_one("form")["hx-target"] == "#attachment-manager"

    soup, response = client.soup(f"/A/{drill.code}/attachments")
    assert response.status_code == 200 and soup.html is not None
    assert soup.select_one("main section#attachment-manager form[enctype='multipart/form-data']")


def test_a_double_tap_stores_one_file(client, auth, drill, app):
    """The form's key is sent twice: one row, one event, one file on disk."""
    auth.login("lead")
    for _ in range(2):
        assert upload(client, drill, PDF, "r.pdf", key="upload-key-0001").status_code == 303
    assert Attachment.select().count() == 1
    assert Event.select().where(Event.kind == "attachment_added").count() == 1
    assert len(files_in(app)) == 1


def test_members_may_look_but_not_upload(client, auth, drill, app):
    """A member sees the list and downloads, but has no form, and a POST is refused."""
    lead = factories.make_user("lead")
    attachments.add(
        drill.code,
        actor=lead,
        stream=io.BytesIO(PDF),
        original_name="manual.pdf",
        folder=Path(app.instance_path) / "uploads",
    )
    auth.login("member")
    soup, _ = client.soup(f"/A/{drill.code}/attachments")
    assert soup.select_one("main form") is None
    assert soup.select_one(".remove-link") is None
    response = client.get(soup.select_one(".attachment")["href"])
    assert response.status_code == 200 and response.data == PDF
    response.close()  # a file response holds its file open until closed
    before = snapshot(app, drill)
    assert upload(client, drill, PDF, "x.pdf").status_code == 403
    assert snapshot(app, drill) == before


# Downloading -------------------------------------------------------------------


def _stored(app, lead, drill, content: bytes, name: str) -> Attachment:
    return attachments.add(
        drill.code,
        actor=lead,
        stream=io.BytesIO(content),
        original_name=name,
        folder=Path(app.instance_path) / "uploads",
    ).attachment


def test_signed_out_visitors_get_the_sign_in_page_not_the_file(client, auth, drill, app):
    photo = _stored(app, factories.make_user("lead"), drill, rotated_jpeg(), "p.jpg")
    for url in (f"/attachments/{photo.id}", f"/attachments/{photo.id}/thumb"):
        response = client.get(url, follow_redirects=True)
        assert response.request.path == "/login"
        assert response.mimetype == "text/html"
        assert soup_of(response).select_one("input[name=password]") is not None


def test_a_photo_is_served_inline_with_its_type_and_no_sniffing(client, auth, drill, app):
    photo = _stored(app, factories.make_user("lead"), drill, rotated_jpeg(), "holiday.jpeg")
    auth.login("member")
    response = client.get(f"/attachments/{photo.id}")
    stored = Path(app.instance_path) / "uploads" / photo.stored_name
    assert response.status_code == 200 and response.data == stored.read_bytes()
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert disposition(response) == ("inline", "holiday.jpeg")
    assert response.headers["Cache-Control"] == "no-store"  # nor kept on the phone
    response.close()
    thumb = client.get(f"/attachments/{photo.id}/thumb")
    assert thumb.mimetype == "image/jpeg" and len(thumb.data) < len(rotated_jpeg()) * 4
    assert "sandbox" not in thumb.headers["Content-Security-Policy"]
    thumb.close()


def test_a_pdf_is_served_sandboxed_under_a_safe_name(client, auth, drill, app):
    """A hostile name loses its folders, quotes and line breaks, and ends in .pdf."""
    doc = _stored(app, factories.make_user("lead"), drill, PDF, '..\\..\\evil"\r\nname.html')
    auth.login("member")
    response = client.get(f"/attachments/{doc.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert disposition(response) == ("inline", "evil name.html.pdf")
    assert client.get(f"/attachments/{doc.id}/thumb").status_code == 404  # no thumb for a PDF
    response.close()


def test_non_ascii_names_are_offered_in_utf8(client, auth, drill, app):
    doc = _stored(app, factories.make_user("lead"), drill, PDF, "Quittung Bohrmaschine März.pdf")
    auth.login("member")
    response = client.get(f"/attachments/{doc.id}")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''Quittung%20Bohrmaschine%20M%C3%A4rz.pdf" in disposition
    response.close()


def test_a_missing_file_is_a_404_not_a_500(client, auth, drill, app):
    doc = _stored(app, factories.make_user("lead"), drill, PDF, "gone.pdf")
    (Path(app.instance_path) / "uploads" / doc.stored_name).unlink()
    auth.login("member")
    assert client.get(f"/attachments/{doc.id}").status_code == 404
    assert client.get("/attachments/999999").status_code == 404


# Removing ----------------------------------------------------------------------


def test_a_lead_removes_an_attachment_and_its_files(client, auth, drill, app):
    """Asked first on its own page; then the row, the file and the thumbnail go,
    and an `attachment_removed` event keeps the record. A second tap changes nothing."""
    lead = auth.login("lead")
    photo = _stored(app, lead, drill, rotated_jpeg(), "p.jpg")
    assert len(files_in(app)) == 2
    soup, _ = client.soup(f"/A/{drill.code}/attachments")
    confirm = soup.select_one(".remove-link")["href"]
    soup, response = client.soup(confirm)
    assert response.status_code == 200
    form = soup.select_one("main form[method=post]")
    assert Attachment.select().count() == 1  # the GET asked, nothing more

    response = client.form(form["action"], {})
    assert response.status_code == 303
    assert Attachment.select().count() == 0
    assert files_in(app) == []
    [event] = Event.select().where(Event.kind == "attachment_removed")
    assert (event.actor_id, event.data["attachment_id"], event.data["name"]) == (
        lead.id,
        photo.id,
        "p.jpg",
    )

    again = client.form(form["action"], {}, follow_redirects=True)
    assert "Already removed." in again.get_data(as_text=True)
    assert Event.select().where(Event.kind == "attachment_removed").count() == 1
    assert client.get(confirm).status_code == 303


def test_members_cannot_remove(client, auth, drill, app):
    photo = _stored(app, factories.make_user("lead"), drill, PDF, "p.pdf")
    auth.login("member")
    url = f"/A/{drill.code}/attachments/{photo.id}/remove"
    assert client.get(url).status_code == 403
    assert client.form(url, {}).status_code == 403
    assert Attachment.select().count() == 1 and len(files_in(app)) == 1


def test_an_attachment_is_removed_only_through_its_own_asset(client, auth, drill, app):
    other = factories.make_asset(name="Ladder")
    photo = _stored(app, factories.make_user("lead"), other, PDF, "p.pdf")
    auth.login("lead")
    client.form(f"/A/{drill.code}/attachments/{photo.id}/remove", {})
    assert Attachment.select().count() == 1


# The asset page stays light --------------------------------------------------------


def test_the_asset_page_shows_a_few_thumbnails_and_links_to_the_rest(client, auth, drill, app):
    """Six photos and five documents at most, thumbnails only; the rest one tap away."""
    lead = factories.make_user("lead")
    for n in range(8):
        _stored(app, lead, drill, image_bytes("PNG"), f"p{n}.png")
    for n in range(7):
        _stored(app, lead, drill, PDF, f"d{n}.pdf")
    auth.login("member")
    soup, _ = client.soup(f"/A/{drill.code}")
    section = soup.select_one("#attachments")
    imgs = section.select("img")
    assert len(imgs) == attachments.PAGE_PHOTOS
    assert all(re.fullmatch(r"/attachments/\d+/thumb", i["src"]) for i in imgs)
    assert all(i.get("loading") == "lazy" for i in imgs)
    assert len(section.select(".docs a")) == attachments.PAGE_DOCUMENTS
    more = section.select("p > a")[-1]
    assert more.get_text(strip=True) == "All 15 attachments"
    assert more["href"] == f"/A/{drill.code}/attachments"


def test_thumbnails_are_small_even_for_a_big_photo(app):
    """A 4000×3000 photo becomes a JPEG of at most 320 px a side and a few KB."""
    from PIL import ImageDraw

    picture = Image.new("RGB", (4000, 3000), "skyblue")
    draw = ImageDraw.Draw(picture)
    for n in range(0, 4000, 50):
        draw.line([(n, 0), (4000 - n, 3000)], fill=(n % 255, 80, 160), width=9)
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=95)
    thumb = uploads.thumbnail(data.getvalue())
    with Image.open(io.BytesIO(thumb)) as small:
        assert max(small.size) <= uploads.THUMB_PIXELS
    assert len(thumb) < 40 * 1024


def test_a_decompression_bomb_is_refused(client, auth, drill, app):
    """A tiny file that claims 100 megapixels is not decoded."""
    auth.login("lead")
    bomb = image_bytes("PNG", size=(10_000, 10_000), mode="1")
    before = snapshot(app, drill)
    response = upload(client, drill, bomb, "bomb.png")
    assert response.status_code == 422
    assert "could not be read" in file_error(soup_of(response))
    assert snapshot(app, drill) == before


def test_a_lead_sees_the_way_in_before_anything_is_attached(client, auth, drill):
    auth.login("lead")
    soup, _ = client.soup(f"/A/{drill.code}")
    assert soup.select_one("#attachments") is None
    links = [a["href"] for a in soup.select("#details a")]
    assert f"/A/{drill.code}/attachments" in links
