"""The asset page and its status card: everything they show, for one viewer.

The card's buttons are `custody.rules.allowed_actions`, the same rule the
services' guards use; the "Seen ✓" card is the running audit this person is
walking, else one they said where they are in, else one that expects the item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .. import codes
from ..audits import audits
from ..audits import rooms as audit_rooms
from ..audits import rules as audit_rules
from ..custody import condition, maintenance
from ..custody import rules as custody_rules
from ..kits import kits
from ..models import Asset, Audit, AuditItem, AuditTick, Location, User
from ..register import assets, attachments, custom_fields, label_codes, places
from ..reservations import listing as reservation_listing


@dataclass
class SeenCard:
    audit: Audit
    expected: bool
    tick: AuditTick | None
    room: Location | None
    walking: bool  # leads the page; for anyone else a small line
    decides: bool  # may settle "seen elsewhere" (update the location, or leave it)


def seen_card(
    asset: Asset, viewer: User, walking_id: int | None, audit: Audit | None = None
) -> SeenCard | None:
    """The "Seen ✓" card for `audit` (default: the one that matters to `viewer`).

    `walking_id`: the audit this person walks on this device, if any.
    """
    if audit is None:
        running = audits.running()
        if not running:
            return None
    said = audit_rooms.rooms_of(viewer)
    if audit is None:
        audit = next((a for a in running if a.id == walking_id), None) or next(
            (a for a in running if a.id in said), None
        )
        if audit is None:
            expecting = {
                i
                for (i,) in AuditItem.select(AuditItem.audit)
                .where(AuditItem.asset == asset.id, AuditItem.audit.in_([a.id for a in running]))
                .tuples()
            }
            audit = next((a for a in running if a.id in expecting), None)
    if audit is None or audit.status != "running":
        return None
    expected = (
        AuditItem.select().where(AuditItem.audit == audit.id, AuditItem.asset == asset.id).exists()
    )
    room_id = said.get(audit.id)
    return SeenCard(
        audit,
        expected,
        audits.active_tick(audit.id, asset.id),
        Location.get_or_none(Location.id == room_id) if room_id else None,
        audit.id == walking_id or audit.id in said,
        audit_rules.elsewhere_refusal(audit, viewer) is None,
    )


def card(
    asset: Asset,
    viewer: User,
    today: date,
    walking_id: int | None = None,
    *,
    audit: Audit | None = None,
) -> dict:
    """What the status card shows (an htmx action's answer needs no more)."""
    faults = maintenance.open_faults(asset)
    return {
        "asset": asset,
        "location_path": places.location_path(asset.location_id),
        "faults": faults,
        "allowed": custody_rules.allowed_actions(asset, viewer, has_open_fault=bool(faults)),
        "overdue": custody_rules.is_overdue(asset, today),
        "not_back": custody_rules.is_not_back(asset),  # from the row: no query
        # The check it waits for ("clean and recharge"): its category is read
        # only when the row says it waits.
        "check": condition.check_text(asset) if condition.needs_check(asset) else "",
        "check_next": condition.still_to_do(asset, viewer) if condition.needs_check(asset) else "",
        "seen": seen_card(asset, viewer, walking_id, audit),
        "bookings": reservation_listing.for_asset(asset, viewer),
        # The kit it is part of, if any: the card says so, after an htmx swap too.
        "kit": kits.kit_of(asset),
    }


def after_tick(
    audit: Audit,
    asset: Asset | None,
    typed: str,
    viewer: User,
    today: date,
    walking_id: int | None,
) -> dict | None:
    """The "Seen ✓" card and the status card after a tick on an asset page, or
    None when the typed code names no asset. The status card comes too: a tick
    may have found a missing item."""
    if asset is None:  # refused before the code was looked up
        parsed = codes.parse(typed)
        what = label_codes.resolve(parsed) if parsed else None
        asset = what.asset if what else None
    if asset is None:
        return None
    fresh = assets.get_by_code(asset.code)
    return {"audit": audit, **card(fresh, viewer, today, walking_id, audit=audit)}


def page(
    asset: Asset, viewer: User, today: date, walking_id: int | None = None, page: int = 1
) -> dict:
    """Everything the asset page shows: the card, photos and documents, history."""
    history, older = assets.history(asset, page=page)
    return {
        **card(asset, viewer, today, walking_id),
        "history": maintenance.as_seen_by(history, viewer),
        "older": older,
        "page": page,
        "files": attachments.summary(asset),  # (a few photos, a few documents, how many)
        "custom": custom_fields.values_for(asset),  # filled-in custom fields, in order
    }
