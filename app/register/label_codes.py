"""Codes on labels that are not an asset's own: blanks printed ahead, and
old codes after re-labelling. Scans of either still lead somewhere useful."""

from __future__ import annotations

from dataclasses import dataclass

import labels

from ..custody import rules as custody_rules
from ..database import write
from ..errors import Invalid, NotFound, Refused
from ..models import Asset, LabelCode, Location, User, utcnow
from . import assets, events, places

MAX_BLANKS = labels.MAX_LABELS  # each blank code is one label of a single print


@dataclass
class Found:
    kind: str  # "asset", "replaced", "blank", "location"
    asset: Asset | None = None
    location: Location | None = None
    label: LabelCode | None = None


def resolve(code: str) -> Found | None:
    """What a scanned code is now."""
    asset = assets.get_by_code(code)
    if asset is not None:
        return Found("asset", asset=asset)
    label = LabelCode.get_or_none(LabelCode.code == code)
    if label is not None and label.state == "replaced":
        return Found("replaced", asset=assets.get_by_code(label.asset.code), label=label)
    if label is not None and label.state == "blank":
        return Found("blank", label=label)
    if label is not None and label.state == "bound":
        return Found("asset", asset=assets.get_by_code(label.asset.code))
    location = Location.get_or_none(Location.code == code)
    if location is not None:
        return Found("location", location=location)
    return None


def reserve_blanks(count: int, actor: User) -> list[str]:
    """Reserve `count` fresh codes for labels printed before their assets exist."""
    if not 1 <= count <= MAX_BLANKS:
        raise Invalid({"count": f"Ask for 1–{MAX_BLANKS} blank labels."})
    with write():
        out = []
        for _ in range(count):
            code = places.unique_code()
            LabelCode.create(code=code, state="blank", created_by=actor)
            out.append(code)
        return out


def release_blanks(codes: list[str]) -> None:
    """Give back reserved codes whose labels were never printed."""
    with write():
        LabelCode.delete().where(LabelCode.code.in_(codes), LabelCode.state == "blank").execute()


def _blank(code: str) -> LabelCode:
    label = LabelCode.get_or_none(LabelCode.code == code)
    if label is None:
        raise NotFound("No blank label has that code.")
    if label.state != "blank":
        raise Refused("This label is already in use.")
    return label


def create_with_blank(code: str, values: dict, actor: User) -> Asset:
    """A new asset that takes the blank label's code."""
    with write():
        label = _blank(code)
        asset = assets.create_asset(values, actor=actor, code=code)
        label.state, label.asset, label.changed_at = "bound", asset, utcnow()
        label.save()
        return asset


def _replace_code(asset: Asset, new_code: str, actor: User, kind: str, printed_at=None) -> Asset:
    old = asset.code
    # A code that came from a blank label already has a row: it changes state.
    updated = (
        LabelCode.update(state="replaced", changed_at=utcnow())
        .where(LabelCode.code == old)
        .execute()
    )
    if not updated:
        LabelCode.create(code=old, state="replaced", asset=asset, created_by=actor)
    # A re-label still has to be printed; a blank label already was.
    Asset.update(
        code=new_code, version=Asset.version + 1, updated_at=utcnow(), label_printed_at=printed_at
    ).where(Asset.id == asset.id).execute()
    asset = Asset.get_by_id(asset.id)
    events.record(
        "relabelled", asset=asset, actor=actor, data={"from": old, "to": new_code, "how": kind}
    )
    return asset


def attach_blank(code: str, asset_code: str, actor: User) -> Asset:
    """Put a blank label on an existing asset: it takes the label's code, and its
    old code keeps leading to it."""
    with write():
        label = _blank(code)
        asset = Asset.get_or_none(Asset.code == asset_code)
        if asset is None:
            raise Invalid({"asset": "Choose an asset from the list."})
        custody_rules.require("relabel", asset, actor)  # a new code is a new label
        asset = _replace_code(asset, code, actor, "blank label", printed_at=label.created_at)
        label.state, label.asset, label.changed_at = "bound", asset, utcnow()
        label.save()
        return asset


def relabel(asset_code: str, actor: User) -> Asset:
    """Give an asset a fresh code for a new label (the old one was damaged)."""
    with write():
        asset = Asset.get_or_none(Asset.code == asset_code)
        if asset is None:
            raise NotFound("No asset has that code.")
        custody_rules.require("relabel", asset, actor)  # a lead's, on an item in service
        return _replace_code(asset, places.unique_code(), actor, "re-label")
