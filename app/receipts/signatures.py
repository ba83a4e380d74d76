"""A signature: a small PNG drawn on the phone's screen, or the signer's full
name typed (the way to sign without JavaScript), or both."""

from __future__ import annotations

import base64
import binascii
import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..errors import Invalid
from ..models import User
from . import rules

DATA_URL_PREFIX = "data:image/png;base64,"
FOLDER = "receipts"  # under instance/uploads/
TOO_LARGE = "The signature is too large (at most 200 KB)."
NOT_A_PICTURE = "The signature could not be read. Clear it and sign again."
BLANK = "The signature is empty: " + rules.SIGN_HOW + "."
# Darker than this on white counts as ink (a pen's grey, not a scanner's off-white).
INK_LEVEL = 200


@dataclass(frozen=True)
class Signature:
    """What was given: the drawn PNG (b"" if none) and the typed name ("" if none)."""

    png: bytes
    typed: str


def _decode(drawn: str) -> bytes:
    if not drawn.startswith(DATA_URL_PREFIX):
        raise Invalid({"signature": NOT_A_PICTURE})
    encoded = drawn[len(DATA_URL_PREFIX) :]
    # base64 is 4 characters for 3 bytes: refuse before decoding something huge.
    if len(encoded) > (rules.MAX_SIGNATURE_BYTES + 2) // 3 * 4 + 4:
        raise Invalid({"signature": TOO_LARGE})
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid({"signature": NOT_A_PICTURE}) from None
    if len(data) > rules.MAX_SIGNATURE_BYTES:
        raise Invalid({"signature": TOO_LARGE})
    return data


def has_ink(data: bytes) -> bool:
    """Whether a PNG shows anything: some pixel, laid on white, is darker than
    INK_LEVEL. A cleared pad is all transparent (or all white)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(white, rgba).convert("L")
    darkest = grey.getextrema()[0]  # one band: (min, max)
    return isinstance(darkest, int | float) and darkest < INK_LEVEL


def check_png(data: bytes) -> None:
    """A real PNG that decodes in full, of a sensible size, with ink on it."""
    from PIL import Image

    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise Invalid({"signature": NOT_A_PICTURE})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != "PNG":
                    raise ValueError(image.format)
                width, height = image.size
                if width * height > rules.MAX_SIGNATURE_PIXELS:
                    raise ValueError("too many pixels")
                image.verify()
            inked = has_ink(data)  # verify() leaves the image unusable: open it again
    except Exception:  # Pillow raises many kinds for a damaged or hostile file
        raise Invalid({"signature": NOT_A_PICTURE}) from None
    if not inked:
        raise Invalid({"signature": BLANK})


def read(drawn: str, typed: str, signer: User) -> Signature | None:
    """The signature sent with a form, checked; None when neither was given.
    Raises Invalid naming the field that is wrong."""
    drawn, typed = (drawn or "").strip(), " ".join((typed or "").split())
    if not drawn and not typed:
        return None
    png = _decode(drawn) if drawn else b""
    if png:
        check_png(png)
    if typed and not rules.same_name(typed, signer.name):
        raise Invalid({"signature_name": rules.WRONG_NAME})
    return Signature(png, typed)


def store(sig: Signature, uploads_dir: Path) -> str:
    """Write the drawn PNG under uploads/receipts/ with a random name and return
    that name (relative to uploads/), or "" when only a name was typed."""
    if not sig.png:
        return ""
    return write_new(uploads_dir, "png", sig.png)


def write_new(uploads_dir: Path, ext: str, data: bytes) -> str:
    """Write a new file under uploads/receipts/ with a random name (never over
    another) and return that name, relative to uploads/."""
    (uploads_dir / FOLDER).mkdir(parents=True, exist_ok=True)
    name = f"{FOLDER}/{secrets.token_hex(16)}.{ext}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    with open(os.open(uploads_dir / name, flags, 0o640), "wb") as fh:
        fh.write(data)
    return name


def discard(uploads_dir: Path, name: str) -> None:
    if name:
        (uploads_dir / name).unlink(missing_ok=True)
