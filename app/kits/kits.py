"""Kits: find them, and make, rename, fill and empty them (leads). Every change
is an event on each item's history. Taking a kit and bringing it back is
taking.py."""

from __future__ import annotations

from peewee import JOIN, IntegrityError, fn

from .. import codes
from ..custody import rules as custody_rules
from ..database import is_sqlite, write
from ..errors import Conflict, Invalid, NotFound, Refused
from ..models import Asset, Kit, KitItem, Reservation, User
from ..prepared import Prepared
from ..register import events, label_codes, places
from ..register.rules import require_lead
from . import leaving, rules


def get_by_code(code: str | None) -> Kit | None:
    return Kit.get_or_none(Kit.code == code) if code else None


def items(kit: Kit) -> list[Asset]:
    """The kit's assets in its order, each with its holder (two queries)."""
    holder = User.alias()
    query = (
        Asset.select(Asset, holder)
        .join(KitItem, on=(KitItem.asset == Asset.id))
        .switch(Asset)
        .join(holder, JOIN.LEFT_OUTER, on=(Asset.holder == holder.id), attr="holder")
        .where(KitItem.kit == kit.id)
        .order_by(KitItem.position, KitItem.id)
    )
    return list(query)


@Prepared
def _kit_of(asset_id):
    return Kit.select().join(KitItem).where(KitItem.asset == asset_id).limit(1)


def kit_of(asset: Asset) -> Kit | None:
    """The kit the asset is in, if any (one query, which every asset page asks)."""
    return _kit_of.first(asset.id)


def all_kits() -> list[tuple[Kit, int]]:
    """Every kit by name, with how many items it has."""
    query = (
        Kit.select(Kit, fn.COUNT(KitItem.id).alias("count"))
        .join(KitItem, JOIN.LEFT_OUTER)
        .group_by(Kit.id)
        .order_by(fn.LOWER(Kit.name), Kit.id)
    )
    return [(kit, kit.count) for kit in query]


NOT_BACK_SHOWN = 200  # the Kits page's list of items not back: far more than any team has


def not_back() -> list[Asset]:
    """Items that did not come back with their kit and are still out, longest
    first, each with its holder and its kit (one query)."""
    holder = User.alias()
    query = (
        Asset.select(Asset, holder, Kit)
        .join(holder, on=(Asset.holder == holder.id), attr="holder")
        .switch(Asset)
        .join(KitItem, JOIN.LEFT_OUTER, on=(KitItem.asset == Asset.id), attr="in_kit")
        .join(Kit, JOIN.LEFT_OUTER, attr="kit")
        .where(custody_rules.not_back_sql())
        .order_by(Asset.not_back_since, Asset.id)
        .limit(NOT_BACK_SHOWN)
    )
    return list(query)


def _lines(typed: str) -> list[str]:
    return [line.strip() for line in (typed or "").splitlines() if line.strip()]


def _assets(typed: str, this_kit: Kit | None) -> list[Asset]:
    """The assets the typed codes (one a line) stand for, in order, or Invalid
    naming every line that cannot go into the kit."""
    lines = _lines(typed)
    if not lines:
        raise Invalid({"items": "Scan or type at least one item code."})
    if len(lines) > rules.MAX_ITEMS:
        raise Invalid({"items": f"A kit holds at most {rules.MAX_ITEMS} items."})
    problems: list[str] = []
    found: list[Asset] = []
    for typed_code in lines:
        code = codes.parse(typed_code)
        if code is None:
            problems.append(f"“{typed_code[:40]}” is not a code.")
            continue
        kit = get_by_code(code)
        if kit is not None:
            problems.append(rules.not_an_item(kit))
            continue
        what = label_codes.resolve(code)
        if what is None:
            problems.append(f"No item has the code {codes.pretty(code)}.")
        elif what.kind == "location":
            problems.append(f"{codes.pretty(code)} is a location label, not an item.")
        elif what.asset is None:
            problems.append(f"{codes.pretty(code)} is a blank label, not on any item yet.")
        elif all(a.id != what.asset.id for a in found):  # the same item twice: once
            found.append(what.asset)
    for asset in found:
        refused = rules.item_refusal(asset, kit_of(asset), this_kit)
        if refused is not None:
            problems.append(refused)
    if problems:
        raise Invalid({"items": " ".join(problems)})
    return found


_facts = leaving.facts  # what each item's event keeps of the kit
_bump = leaving.bump


def _add(kit: Kit, assets: list[Asset], actor: User) -> None:
    start = (
        KitItem.select(KitItem.position).where(KitItem.kit == kit).order_by(KitItem.position.desc())
    ).scalar()
    position = 0 if start is None else start + 1
    try:
        for offset, asset in enumerate(assets):
            KitItem.create(kit=kit, asset=asset, position=position + offset)
    except IntegrityError:  # someone put it in another kit at the same moment
        raise Conflict("An item was put in another kit just now. Try again.") from None
    for asset in assets:
        events.record("kit_added", asset=asset, actor=actor, data=_facts(kit))


def create(name: str, item_codes: str, *, actor: User) -> Kit:
    """A new kit of the typed or scanned item codes (one a line), with a fresh code."""
    require_lead(actor, "make kits")
    name = (name or "").strip()
    errors = {}
    if (problem := rules.name_error(name)) is not None:
        errors["name"] = problem
    with write():
        try:
            assets = _assets(item_codes, None)
        except Invalid as exc:
            errors.update(exc.errors)
        if "name" not in errors and (same := _same_name(name)) is not None:
            errors["name"] = rules.name_taken(same)
        if errors:
            raise Invalid(errors)
        kit = Kit.create(code=places.unique_code(), name=name)
        _add(kit, assets, actor)
        return kit


def _same_name(name: str, besides: int | None = None) -> Kit | None:
    """Another kit with this name ignoring case, checked inside the write. On
    SQLite the write lock makes it exact; on PostgreSQL two leads saving the same
    name at the same instant could both succeed (no unique index yet: case folding
    differs between the two databases, and kits are few enough to compare here)."""
    key = rules.name_key(name)
    return next(
        (
            k
            for k in Kit.select(Kit.id, Kit.name)
            if k.id != besides and rules.name_key(k.name) == key
        ),
        None,
    )


def found(kit_code: str) -> Kit:
    """The kit a typed code names, or NotFound."""
    kit = get_by_code(codes.parse(kit_code or ""))
    if kit is None:
        raise NotFound("No kit has that code.")
    return kit


def locked_by_code(kit_code: str) -> Kit:
    """The kit a typed code names, its row locked (inside a write)."""
    return _locked(found(kit_code).id)


def _locked(kit_id: int, version: int | None = None) -> Kit:
    query = Kit.select().where(Kit.id == kit_id)
    kit = (query if is_sqlite() else query.for_update()).first()
    if kit is None:
        raise NotFound("No such kit.")
    if version is not None and version != kit.version:
        raise Conflict("Someone changed this kit meanwhile. Reload the page.")
    return kit


def rename(kit_id: int, name: str, *, actor: User, version: int | None = None) -> Kit:
    require_lead(actor, "edit kits")
    name = (name or "").strip()
    if (problem := rules.name_error(name)) is not None:
        raise Invalid({"name": problem})
    with write():
        kit = _locked(kit_id, version)
        if name == kit.name:
            return kit
        if (same := _same_name(name, besides=kit.id)) is not None:
            raise Invalid({"name": rules.name_taken(same)})
        was = kit.name
        Kit.update(name=name).where(Kit.id == kit.id).execute()
        _bump(kit)
        kit = Kit.get_by_id(kit.id)
        for asset in items(kit):
            events.record("kit_renamed", asset=asset, actor=actor, data=_facts(kit, was=was))
        return kit


def add_items(kit_id: int, item_codes: str, *, actor: User) -> list[Asset]:
    require_lead(actor, "edit kits")
    with write():
        kit = _locked(kit_id)
        assets = _assets(item_codes, kit)
        if len(items(kit)) + len(assets) > rules.MAX_ITEMS:
            raise Invalid({"items": f"A kit holds at most {rules.MAX_ITEMS} items."})
        _add(kit, assets, actor)
        _bump(kit)
        return assets


def remove_item(kit_id: int, asset_code: str, *, actor: User) -> Asset:
    require_lead(actor, "edit kits")
    with write():
        kit = _locked(kit_id)
        asset = Asset.get_or_none(Asset.code == codes.parse(asset_code or ""))
        row = KitItem.get_or_none(KitItem.kit == kit, KitItem.asset == asset) if asset else None
        if asset is None or row is None:
            raise NotFound("That item is not in this kit.")
        row.delete_instance()
        _bump(kit)
        events.record("kit_removed", asset=asset, actor=actor, data=_facts(kit))
        return asset


def delete(kit_id: int, *, actor: User) -> str:
    """Delete an empty kit; its code is never given to anything else."""
    require_lead(actor, "delete kits")
    with write():
        kit = _locked(kit_id)
        if KitItem.select().where(KitItem.kit == kit).exists():
            raise Refused("Take the items out of the kit first.")
        name = kit.name
        # A booking made for the kit keeps its items; it forgets the kit.
        Reservation.update(kit=None).where(Reservation.kit == kit.id).execute()
        kit.delete_instance()
        return name
