"""Uploaded files: checked by their first bytes, never by name, and size-capped.

Fault photos and asset attachments both land in instance/uploads/ under random
names; attachment photos also get a small JPEG thumbnail in uploads/thumbs/.
Every photo is decoded in full and stored written anew, without its EXIF, XMP
or comments (a phone photo's EXIF holds where it was taken): see clean_photo.
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

from peewee import IntegrityError

from ..custody.engine import clean_key
from ..errors import Invalid, TooLarge

MEGABYTE = 1024 * 1024
# The one per-file upload limit (photos, attachments, spreadsheets to import).
# Flask's MAX_CONTENT_LENGTH, the pages and the docs all follow it.
MAX_BYTES = 10 * MEGABYTE
THUMB_FOLDER = "thumbs"
THUMB_PIXELS = 320  # the longer side; sharp at 160 CSS px on a 2x phone screen
# More pixels than any phone camera takes; a bigger picture is more likely a
# decompression bomb than a photo of a drill.
MAX_PIXELS = 80_000_000


@dataclass(frozen=True)
class FileType:
    ext: str
    content_type: str
    kind: str  # "photo" or "document"


TYPES = {
    "jpg": FileType("jpg", "image/jpeg", "photo"),
    "png": FileType("png", "image/png", "photo"),
    "gif": FileType("gif", "image/gif", "photo"),
    "webp": FileType("webp", "image/webp", "photo"),
    "pdf": FileType("pdf", "application/pdf", "document"),
}
# What else a file of each type is commonly called, so "IMG_1.JPEG" keeps its name.
OTHER_EXTS = {"jpg": ("jpeg", "jpe"), "png": (), "gif": (), "webp": (), "pdf": ()}


def sniff_image(head: bytes) -> str | None:
    """The image type from a file's first bytes: jpg, png, gif, webp, heic, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return "heic"  # what iPhones shoot
    return None


def sniff_attachment(head: bytes) -> FileType | None:
    """An attachment's type from its first bytes: one of TYPES, or None.

    HEIC is not among them: no browser outside Safari shows it, and a
    thumbnail cannot be made from it without another library.
    """
    if head.startswith(b"%PDF-"):
        return TYPES["pdf"]
    return TYPES.get(sniff_image(head) or "")


def size_words(size: int) -> str:
    """A size in bytes as people read it: 512 → "512 bytes", 2048 → "2 KB",
    10485760 → "10 MB", 1234567 → "1.2 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < MEGABYTE:
        return f"{size / 1024:.0f} KB"
    whole, rest = divmod(size, MEGABYTE)
    return f"{whole} MB" if not rest else f"{size / MEGABYTE:.1f} MB"


def limit_words() -> str:
    """The per-file limit as the pages say it ("10 MB")."""
    return size_words(MAX_BYTES)


def _read_capped(stream: BinaryIO, what: str) -> bytes:
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge(f"That {what} is larger than {limit_words()}.")
    return data


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet (names are random; never overwrite)."""
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640), "wb") as fh:
        fh.write(data)


# Pillow's name for each stored photo type. MPO is how Pillow reads a phone's
# JPEG that carries extra pictures (depth maps, previews): only the main one is kept.
PILLOW_FORMATS = {"jpg": ("JPEG", "MPO"), "png": ("PNG",), "gif": ("GIF",), "webp": ("WEBP",)}
# What a photo keeps of its own information when written anew: how it looks and
# moves. Never EXIF or XMP (where, when, with which phone), nor comments.
KEPT_INFO = ("icc_profile", "transparency", "duration", "loop", "background")
JPEG_QUALITY = 90  # when a JPEG has to be turned upright; otherwise its own tables


def _decoded(image, ext: str):
    """Check an opened image is what its first bytes said and decodes in full."""
    from PIL import Image

    if image.format not in PILLOW_FORMATS[ext]:
        raise ValueError(f"{image.format} is not {ext}")
    frames = 1 if image.format in ("JPEG", "MPO") else getattr(image, "n_frames", 1)
    width, height = image.size
    if width * height * frames > MAX_PIXELS:
        raise Image.DecompressionBombError("too many pixels")
    for frame in range(frames):
        image.seek(frame)
        image.load()  # raises for a truncated or garbled file
    image.seek(0)
    return frames


def clean_photo(data: bytes, ext: str) -> bytes:
    """The photo written anew: decoded in full (what does not decode raises), turned
    upright by its EXIF orientation, and without EXIF, XMP or comments, so no
    place, time or camera details are stored. Same type as it came."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice it; refuse outright instead.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            frames = _decoded(image, ext)
            out = io.BytesIO()
            kept: dict[str | tuple[int, int], Any] = {
                key: image.info[key] for key in KEPT_INFO if key in image.info
            }
            colour = {"icc_profile": kept["icc_profile"]} if "icc_profile" in kept else {}
            if frames > 1:  # an animated GIF or WebP: no orientation to apply
                image.info = kept
                image.save(out, PILLOW_FORMATS[ext][0], save_all=True, exif=b"", **colour)
                return out.getvalue()
            orientation = image.getexif().get(0x0112, 1)
            if ext == "jpg" and orientation == 1 and image.format == "JPEG":
                # Upright already: reuse its own quantisation, so it barely changes.
                image.info = kept
                image.save(out, "JPEG", quality="keep", subsampling="keep", exif=b"", **colour)
                return out.getvalue()
            upright = ImageOps.exif_transpose(image)
            upright.info = kept
            options = {"quality": JPEG_QUALITY} if ext in ("jpg", "webp") else {}
            upright.save(out, PILLOW_FORMATS[ext][0], exif=b"", **colour, **options)
            return out.getvalue()


def save_image(stream: BinaryIO, folder: Path) -> str:
    """Store an uploaded photo under a random name, written anew by clean_photo;
    return that name. Nothing is stored when it is refused."""
    data = _read_capped(stream, "photo")
    kind = sniff_image(data[:16])
    if kind not in PILLOW_FORMATS:
        raise Invalid({"photo": "That file is not a photo (JPEG, PNG, GIF or WebP)."})
    try:
        cleaned = clean_photo(data, kind)
    except Exception:  # Pillow raises many kinds for a damaged or hostile file
        raise Invalid(
            {"photo": "That photo could not be read; it may be damaged. Try another."}
        ) from None
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    _write_new(folder / name, cleaned)
    return name


@dataclass(frozen=True)
class Stored:
    """An attachment's file as written: its name under uploads/, type and size."""

    name: str
    type: FileType
    size: int
    has_thumb: bool


def thumbnail(data: bytes) -> bytes:
    """A small JPEG of an image, turned upright by its EXIF orientation and with
    no metadata (a phone photo's EXIF can hold where it was taken)."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice it; refuse outright instead.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            image.draft("RGB", (THUMB_PIXELS * 2, THUMB_PIXELS * 2))  # JPEG: decode smaller
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
            if upright.mode in ("RGBA", "LA", "P", "PA"):
                # Transparency on white, as the page behind it.
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
                upright = flat
            elif upright.mode != "RGB":
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=80, optimize=True)
            return out.getvalue()


def save_attachment(stream: BinaryIO, folder: Path) -> Stored:
    """Check and store an attachment (and a photo's thumbnail). Nothing is left
    on disk when it is refused."""
    data = _read_capped(stream, "file")
    if not data:
        raise Invalid({"file": "That file is empty."})
    file_type = sniff_attachment(data[:16])
    if file_type is None:
        raise Invalid(
            {"file": "That file is not a photo (JPEG, PNG, WebP or GIF) or a PDF document."}
        )
    thumb = None
    if file_type.kind == "photo":
        try:
            data = clean_photo(data, file_type.ext)
            thumb = thumbnail(data)
        except Exception:  # Pillow raises many kinds for a damaged or hostile file
            raise Invalid(
                {"file": "That photo could not be read; it may be damaged. Try another."}
            ) from None
    token = secrets.token_hex(16)
    name = f"{token}.{file_type.ext}"
    folder.mkdir(parents=True, exist_ok=True)
    _write_new(folder / name, data)
    if thumb is not None:
        try:
            (folder / THUMB_FOLDER).mkdir(exist_ok=True)
            _write_new(thumb_path(folder, name), thumb)
        except OSError:
            discard(folder, name)
            raise
    return Stored(name, file_type, len(data), thumb is not None)


class Recorded(Protocol):
    """What recording an upload returns: whether it was a repeat of a done action."""

    @property
    def duplicate(self) -> bool: ...


R = TypeVar("R", bound=Recorded)


def store_under_key(
    stream: BinaryIO,
    folder: Path,
    key: str | None,
    record: Callable[[Stored, str | None], R],
    already: R,
) -> R:
    """Store one upload, then record it (its row and event) under an action key.

    The file is written first, outside the transaction, so a slow disk never holds
    the write lock. `record` gets the stored file and the cleaned key. When the
    key was already used (a resent form: `record` says so, or PostgreSQL's unique
    key refuses a concurrent twin and `already` stands in) or the write fails,
    the file is removed again, so nothing is left on disk without its row.
    """
    key = clean_key(key)
    stored = save_attachment(stream, folder)
    try:
        result = record(stored, key)
    except IntegrityError:  # SQLite's single writer sees the first key in `record`
        result = already
    except BaseException:
        discard(folder, stored.name)
        raise
    if result.duplicate:
        discard(folder, stored.name)
    return result


def thumb_path(folder: Path, stored_name: str) -> Path:
    return folder / THUMB_FOLDER / (stored_name.rsplit(".", 1)[0] + ".jpg")


def discard(folder: Path, name: str) -> None:
    """Remove an uploaded file and its thumbnail, if there is one."""
    (folder / name).unlink(missing_ok=True)
    thumb_path(folder, name).unlink(missing_ok=True)


def download_name(original: str, file_type: FileType) -> str:
    """A safe file name to offer: no folders or control characters, and always
    ending in the extension of what the file really is."""
    base = original.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch if ch.isprintable() else " " for ch in base if ch not in '"<>:|?*')
    base = " ".join(base.split()).strip(". ")[:200]
    stem, dot, ext = base.rpartition(".")
    if dot and ext.lower() in (file_type.ext, *OTHER_EXTS[file_type.ext]):
        return base
    return f"{base or 'attachment'}.{file_type.ext}"
