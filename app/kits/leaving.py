"""What retiring an item does to its kit: the item leaves the kit, so the kit is
not left with an item nobody can take. Custody's retire calls this inside its
own transaction; it needs nothing of kits.py (which imports custody)."""

from __future__ import annotations

from ..models import Asset, Event, Kit, KitItem, User
from ..register import events

RETIRED_WHY = "the item was retired"


def facts(kit: Kit, **extra) -> dict:
    """What each item's event keeps of the kit: its name and code as they were."""
    return {"kit": kit.name, "kit_code": kit.code, **extra}


def bump(kit: Kit) -> None:
    Kit.update(version=Kit.version + 1).where(Kit.id == kit.id).execute()


def retired(asset: Asset, actor: User) -> list[Event]:
    """`asset` was retired: take it out of its kit, if it is in one, with an event
    on the item (the kit's history is its items' events)."""
    row = KitItem.select(KitItem, Kit).join(Kit).where(KitItem.asset == asset.id).first()
    if row is None:
        return []
    kit = row.kit
    row.delete_instance()
    bump(kit)
    data = facts(kit, why=RETIRED_WHY)
    return [events.record("kit_removed", asset=asset, actor=actor, data=data)]
