"""Photos are decoded in full and stored without where they were taken.

Fault photos and attachment photos alike: a phone photo's EXIF (and XMP) can
hold GPS coordinates, so the stored original is written anew without them, and
a file that only starts like a photo is refused with nothing kept.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.models import Attachment, Fault
from app.register import uploads

from . import factories

GPS_IFD = 0x8825
PNG_XMP = "XML:com.adobe.xmp"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="51,30.1234N" exif:GPSLongitude="0,7.5678W"/></rdf:RDF></x:xmpmeta>'
)


def phone_photo(fmt: str = "JPEG", orientation: int = 6) -> bytes:
    """A 64×32 photo as a phone saves it: GPS in its EXIF and XMP, held on its side."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (51.0, 30.0, 7.4), 3: "W", 4: (0.0, 7.0, 34.1)})
    if fmt == "PNG":  # PNG keeps XMP in a text chunk
        text = PngInfo()
        text.add_itxt(PNG_XMP, XMP.decode())
        options = {"pnginfo": text}
    else:
        options = {"xmp": XMP}
    out = io.BytesIO()
    Image.new("RGB", (64, 32), "teal").save(out, fmt, exif=exif, **options)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as image:  # the test photo really carries them
        assert image.getexif().get_ifd(GPS_IFD)
        assert {"xmp", PNG_XMP} & set(image.info)
    return data


def assert_no_place(path: Path, size=(32, 64)) -> None:
    """The stored file decodes, stands upright and carries no EXIF, GPS or XMP."""
    data = path.read_bytes()
    with Image.open(path) as image:
        assert image.size == size
        assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
        assert not {"xmp", PNG_XMP, "exif"} & set(image.info)
    assert b"GPSLatitude" not in data and b"PhoneMaker" not in data and b"Exif" not in data


def files(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def post_file(client, url: str, field: str, content: bytes, name: str, **fields):
    data = {"csrf_token": client.csrf_token(), **fields}
    data[field] = FileStorage(io.BytesIO(content), filename=name)
    boundary, body = encode_multipart(data)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def report_fault(client, asset, content: bytes, name: str = "IMG_0001.JPG"):
    fields = {"description": "Cracked casing", "severity": "usable"}
    return post_file(client, f"/A/{asset.code}/fault", "photo", content, name, **fields)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_fault_photo_is_stored_without_gps(client, auth, app, fmt):
    """The stored fault photo is the same picture, upright, with no location in it."""
    drill = factories.make_asset(name="Drill")
    auth.login("member")
    response = report_fault(client, drill, phone_photo(fmt))
    assert response.status_code in (200, 303), response.get_data(as_text=True)
    row = Fault.get(Fault.asset == drill)
    (stored,) = files(app)
    assert stored.name == row.photo
    assert_no_place(stored)
    with client.get(f"/faults/{row.id}/photo") as served:
        assert served.data == stored.read_bytes()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_an_attached_photo_and_its_thumbnail_are_stored_without_gps(client, auth, app, fmt):
    """The original an attachment keeps, not only its thumbnail, carries no location."""
    drill = factories.make_asset(name="Drill")
    auth.login("lead")
    response = post_file(client, f"/A/{drill.code}/attachments", "file", phone_photo(fmt), "p")
    assert response.status_code == 303
    row = Attachment.get()
    folder = Path(app.instance_path) / "uploads"
    assert_no_place(folder / row.stored_name)
    assert_no_place(uploads.thumb_path(folder, row.stored_name))
    assert row.size_bytes == (folder / row.stored_name).stat().st_size


def test_an_upright_jpeg_keeps_its_quality(app):
    """Without a turn to apply, a JPEG is written with its own quantisation tables."""
    original = phone_photo("JPEG", orientation=1)
    cleaned = uploads.clean_photo(original, "jpg")
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(cleaned)) as after:
        assert after.quantization == before.quantization
        assert after.size == (64, 32) and not after.getexif()


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 40,  # JPEG start, garbage
        phone_photo("JPEG")[:200],  # cut short
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 4096,
    ],
)
def test_a_fault_photo_that_does_not_decode_is_refused_and_not_kept(client, auth, app, content):
    """First bytes like a photo are not enough: 422 with the reason, no fault, no file."""
    drill = factories.make_asset(name="Drill")
    auth.login("member")
    response = report_fault(client, drill, content)
    assert response.status_code == 422
    assert "could not be read" in response.get_data(as_text=True)
    assert Fault.select().count() == 0
    assert files(app) == []


def test_an_animated_gif_keeps_its_frames_but_not_its_comment(app):
    """Written anew frame by frame; a GIF comment (free text) is not carried along."""
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], comment=b"Yard 51N")
    cleaned = uploads.clean_photo(out.getvalue(), "gif")
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.n_frames == 3 and "comment" not in image.info
    assert b"Yard 51N" not in cleaned
