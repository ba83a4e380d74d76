"""Uploaded photos: checked by their first bytes, never by name, and size-capped."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import BinaryIO

from .errors import Invalid, ServiceError

MAX_BYTES = 10 * 1024 * 1024


class TooLarge(ServiceError):
    """Over the per-file limit (HTTP 413)."""


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


def save_image(stream: BinaryIO, folder: Path) -> str:
    """Store an uploaded image under a random name; return that name."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge("That photo is larger than 10 MB.")
    kind = sniff_image(data[:16])
    if kind is None:
        raise Invalid({"photo": "That file is not a photo (JPEG, PNG, GIF, WebP or HEIC)."})
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    path = folder / name
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640), "wb") as fh:
        fh.write(data)
    return name


def discard(folder: Path, name: str) -> None:
    (folder / name).unlink(missing_ok=True)
