"""The kit rules, spelled once: what may be in a kit, what a kit's name may be,
who keeps kits, and what a kit's card says before anyone takes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from .. import codes
from ..models import Asset, Kit, Reservation, User
from ..register.rules import in_service, is_lead, is_unusable
from ..reservations.moments import moment_text, period_text
from ..reservations.rules import in_force

NAME_MAX = 120
MAX_ITEMS = 100  # far more than any kit a person carries; a typo of a list, not a kit


def may_manage(person: User | None) -> bool:
    """Leads make, edit and delete kits; everyone may take and return one."""
    return is_lead(person)


def name_error(name: str) -> str | None:
    if not name:
        return "Give the kit a name."
    if len(name) > NAME_MAX:
        return f"Keep the name to {NAME_MAX} characters."
    return None


def name_key(name: str) -> str:
    """Kit names are unique ignoring case: "camera KIT" is the same name as "Camera kit"."""
    return name.strip().casefold()


def name_taken(other: Kit) -> str:
    return f"There is already a kit called {other.name}: give this one another name."


def not_an_item(kit: Kit) -> str:
    """A kit's code typed as an item: a kit is not an asset, so no kit inside a kit."""
    code = codes.pretty(kit.code)
    return f"{code} is the kit {kit.name}, not an item: a kit cannot go inside a kit."


def item_refusal(asset: Asset, in_kit: Kit | None, this_kit: Kit | None = None) -> str | None:
    """Why `asset` may not go into `this_kit` (None: a new kit), or None if it may.
    `in_kit`: the kit it is in now, if any."""
    label = f"{asset.name} ({codes.pretty(asset.code)})"
    if not in_service(asset):
        return f"{label} is retired."
    if in_kit is not None and (this_kit is None or in_kit.id != this_kit.id):
        return f"{label} is already in the kit {in_kit.name}."
    if in_kit is not None:
        return f"{label} is already in this kit."
    return None


@dataclass(frozen=True)
class ItemWarning:
    """One line of the card: the item's code and name, and what is wrong."""

    code: str
    name: str
    text: str


@dataclass(frozen=True)
class OutWith:
    """The whole kit is out with one person: said once on the card."""

    who: str  # "you", or the person's name
    due_back: date | None  # when every item is due the same day


def out_with(items: list[Asset], viewer: User | None) -> OutWith | None:
    """Every item of the kit out with the same person (each item's holder already
    read), or None: then each item out has its own line instead."""
    holders = {asset.holder_id for asset in items}
    if not items or len(holders) != 1 or None in holders:
        return None
    first = items[0]
    who = "you" if viewer is not None and first.holder_id == viewer.id else first.holder.name
    dues = {asset.due_back for asset in items}
    return OutWith(who, first.due_back if len(dues) == 1 else None)


def warning(asset: Asset, holder_name: str | None, *, whole: bool = False) -> str | None:
    """What the kit's card says about one item before anyone takes the kit, or None.
    `holder_name`: "you" for the viewer's own; `whole`: the kit is out whole with
    one person, said once for all (`out_with`), so an item out says nothing more."""
    if not in_service(asset):
        return f"{asset.name} is retired."
    if asset.status == "missing":
        return f"{asset.name} is missing."
    if is_unusable(asset):
        return f"{asset.name} is {asset.status_label.lower()}."
    if asset.holder_id and not whole:
        who = holder_name or "someone"
        if asset.not_back_since is not None:
            return f"{asset.name} did not come back with the kit: it is still with {who}."
        return f"{asset.name} is out with {who}."
    return None


def warnings(items: list[Asset], viewer: User | None = None) -> list[ItemWarning]:
    """The card's warnings for someone about to take the kit, in the kit's order
    (each item's holder already read). A kit out whole with one person is said
    once (`out_with`); a retired, missing or faulty item always has its own line."""
    whole = out_with(items, viewer) is not None
    out = []
    for asset in items:
        name = None
        if asset.holder_id:
            mine = viewer is not None and asset.holder_id == viewer.id
            name = "you" if mine else asset.holder.name
        text = warning(asset, name, whole=whole)
        if text is not None:
            out.append(ItemWarning(asset.code, asset.name, text))
    return out


def booked_message(kit: Kit, booking: Reservation, zone: tzinfo, now: datetime) -> str:
    """Why the kit cannot go now: someone's booking of the kit itself is in the way."""
    return (
        f"This kit is reserved by {booking.person.name}, "
        f"{period_text(booking.starts_at, booking.ends_at, zone, now)}. "
        f"{free_text(booking, zone, now)}"
    )


def free_text(booking: Reservation, zone: tzinfo, now: datetime) -> str:
    """When the kit is free around `booking`: before it too, when it is still to come."""
    after = moment_text(booking.ends_at, zone, now)
    if in_force(booking.starts_at, booking.state == "started", now):
        return f"It is free from {after}."
    return f"It is free until {moment_text(booking.starts_at, zone, now)} and from {after}."


def item_refusal_text(asset: Asset, message: str) -> str:
    """An item's refusal on the kit's page: it names the item once (custody's
    messages that already start with the item's name are left as they are)."""
    return message if message.startswith(asset.name) else f"{asset.name}: {message}"


def audit_message(kit: Kit, names: list[str]) -> str:
    """What an audit says when a kit's label is scanned: a kit label is never proof
    that its items were seen, so each item is ticked on its own."""
    listed = ", ".join(names) if names else "no items"
    return f"That is the label of the kit {kit.name}: tick each of its items on its own ({listed})."
