"""What to print (assets, locations or blank codes), their label data and the
notes beside the stock, and the record that they were printed. The stock
itself (formats, nudges) is in formats.py; a job's limits are in rules.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

import labels
from labels import Format

from ..database import write
from ..errors import Invalid
from ..models import Asset, Kit, Location, User, utcnow
from ..ops import rules as ops_rules
from ..register import custom_fields, events, places
from ..register.rules import in_service_sql
from . import rules

# Any code, to lay out a blank label before its code is reserved: codes are set
# in a monospace face and their addresses are all as long, so all lay out alike.
BLANK_SAMPLE = "0" * 6
CHOICES = (
    "selected",
    "all",
    "unprinted",
    "category",
    "location",
    "since",
    "locations",
    "kits",
    "kit",
)


def choose(
    choice: str,
    *,
    codes_: Sequence[str] = (),
    category_id: int | None = None,
    location_id: int | None = None,
    since: date | None = None,
) -> list:
    """The assets (or locations, or kits) to print, in a stable order."""
    if choice not in CHOICES:
        raise Invalid({"choice": "Choose which labels to print."})
    if choice == "locations":
        return [loc for loc, _ in places.location_tree()]
    if choice == "kits":  # a kit's label is like an asset's: its code on /A/ and its name
        return list(Kit.select().order_by(Kit.name, Kit.id))
    if choice == "kit":  # one kit's label, from its page
        kits = list(Kit.select().where(Kit.code.in_(list(codes_))).order_by(Kit.name, Kit.id))
        if not kits:
            raise Invalid({"choice": "That kit is not there any more: choose another set."})
        return kits
    query = Asset.select().where(in_service_sql()).order_by(Asset.name, Asset.id)
    if choice == "selected":
        if not codes_:
            raise Invalid({"choice": "Tick some assets in the list first, or choose another set."})
        query = query.where(Asset.code.in_(list(codes_)))
    elif choice == "unprinted":
        query = query.where(Asset.label_printed_at.is_null())
    elif choice == "category":
        if not category_id:
            raise Invalid({"category": "Choose a category."})
        query = query.where(Asset.category == category_id)
    elif choice == "location":
        if not location_id:
            raise Invalid({"location": "Choose a location."})
        query = query.where(Asset.location.in_(places.subtree_ids(location_id)))
    elif choice == "since":
        if since is None:
            raise Invalid({"since": "Give a date."})
        query = query.where(Asset.created_at >= datetime.combine(since, time.min))
    return list(query)


def picked(codes_: list[str]) -> list[Asset]:
    """The assets a link or the ticked list named, for the print page to name them."""
    return choose("selected", codes_=codes_) if codes_ else []


def picked_kits(codes_: list[str]) -> list[Kit]:
    """The kits a kit page's "Print label" link named, for the print page to name them."""
    return list(Kit.select().where(Kit.code.in_(codes_))) if codes_ else []


def require_public_url(public_url: str) -> str:
    """Refuse to print QR codes that would lead nowhere."""
    if not public_url:
        said = ops_rules.public_url_warning(public_url) or "No public address is set."
        raise Invalid({"": said + " Nothing was printed."})
    return public_url


def to_labels(
    things: list, public_url: str, *, preview: bool = False, tags: bool = False
) -> list[labels.Label]:
    """Label data for assets (/A/) or locations (/L/), with each asset's external
    tag when `tags`, and a line "Name: value" for each of its custom values whose
    field is marked for labels. Only an on-screen preview may go without a public
    address."""
    if not preview:
        require_public_url(public_url)
    lines = custom_fields.on_labels([t.id for t in things if isinstance(t, Asset)])
    out = []
    for thing in things:
        kind = "L" if isinstance(thing, Location) else "A"
        tag = thing.external_tag if tags and isinstance(thing, Asset) else ""
        # A kit's label says it is a kit: its code is on /A/ like an item's.
        name = f"Kit · {thing.name}" if isinstance(thing, Kit) else thing.name
        url = labels.qr_url(public_url, kind, thing.code)
        fields = (
            tuple(f"{name}: {value}" for name, value in lines.get(thing.id, ()))
            if isinstance(thing, Asset)
            else ()
        )
        out.append(
            labels.Label(url, thing.code, name, tag, "location" if kind == "L" else "asset", fields)
        )
    return out


def org_line(value: str) -> str:
    """The line for each label as given, or Invalid when no label could hold it."""
    value = value.strip()
    if len(value) > rules.ORG_LINE_MAX:
        too_long = f"at most {rules.ORG_LINE_MAX} characters: this one has {len(value)}"
        raise Invalid({"": f"The line on each label is {too_long}."})
    return value


def stock_notes(fmt: Format, public_url: str, run: Sequence[labels.Label] = (), org_line: str = ""):
    """What the print page says beside the stock, before anything is printed: the
    QR's module size with this public address (and whether it is small enough to
    need a close scan), and which lines of `run` the stock cuts or leaves off."""
    notes: dict[str, object] = {"title": fmt.short_title, "module_mm": None, "small": False}
    if public_url:
        size = labels.module_mm(fmt, labels.qr_url(public_url, "A", "0" * 6))
        notes.update(module_mm=size, small=size < labels.SMALL_MODULE_MM)
    fit = labels.fit(run, fmt, org_line)
    return {
        **notes,
        "org": fit.org,
        "org_shown": fit.org_shown,
        "tags_cut": fit.tags_cut,
        "fields_lost": fit.fields_lost,
    }


def blank_notes(fmt: Format, public_url: str, org_line: str = ""):
    """The notes beside the stock for blank labels: as stock_notes, for a label
    that holds a code alone (every blank label is laid out alike)."""
    sample = labels.Label(labels.qr_url(public_url, "A", BLANK_SAMPLE), BLANK_SAMPLE)
    return stock_notes(fmt, public_url, [sample], org_line)


def org_line_warned(notes: dict) -> bool:
    """True when the stock cuts the line or leaves it off: the page says so
    before anything is printed."""
    return notes["org"] in ("cut", "left off")


def blank_labels(codes: list[str], public_url: str) -> list[labels.Label]:
    """Label data for blank labels: the code alone, no name yet."""
    require_public_url(public_url)
    return [labels.Label(labels.qr_url(public_url, "A", code), code) for code in codes]


def marked(things: list) -> list[Asset]:
    """The assets a print of `things` marks as printed: location and kit labels mark nothing."""
    return [thing for thing in things if isinstance(thing, Asset)]


def record_printed(assets: list[Asset], actor: User, fmt: Format) -> None:
    """A `label_printed` event per asset and its `label printed at`."""
    now = utcnow()
    with write():
        for asset in assets:
            Asset.update(label_printed_at=now, version=Asset.version + 1).where(
                Asset.id == asset.id
            ).execute()
            events.record(
                "label_printed", asset=asset, actor=actor, at=now, data={"format": fmt.name}
            )
