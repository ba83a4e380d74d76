"""Helpers for the receipt tests: signature pictures, and a handover the way the
asset page makes one."""

from __future__ import annotations

import base64
import io
import random
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw

from app.custody import custody
from app.receipts import receipts


def png(*, ink: bool = True, size: tuple[int, int] = (300, 120)) -> bytes:
    """A pad's picture: transparent, with a stroke of ink unless `ink` is False."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line([(10, 100), (80, 20), (150, 90), (290, 30)], "black", 4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def noisy_png(pixels: int = 300) -> bytes:
    """A PNG that does not compress: random colours, over 200 KB at 300x300."""
    rng = random.Random(7)
    raw = bytes(rng.getrandbits(8) for _ in range(pixels * pixels * 4))
    out = io.BytesIO()
    Image.frombytes("RGBA", (pixels, pixels), raw).save(out, "PNG")
    return out.getvalue()


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def uploads_dir(app) -> Path:
    return Path(app.instance_path) / "uploads"


def hand_over(app, asset, lead, person, *, drawn="", typed="", key=None, **deliver):
    """A lead checks `asset` out to `person` with a receipt, in one write."""
    return receipts.act(
        "handover",
        asset.code,
        lambda receipt: custody.check_out(
            asset.code,
            actor=lead,
            today=date.today(),
            holder_id=person.id,
            key=key,
            receipt=receipt,
        ),
        actor=lead,
        person_id=person.id,
        drawn=drawn,
        typed=typed,
        uploads_dir=uploads_dir(app),
        deliver_with=deliver or None,
    )
