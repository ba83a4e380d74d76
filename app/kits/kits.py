"""Kits: make, rename, fill and empty them (leads), and check a kit out or
return it in one tap. Every change is an event on each item's history; taking
or returning a kit moves every item in ONE transaction, each item through
custody's own check-out or return (its rules, its lock, its event), so a kit
goes out whole or not at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

from peewee import JOIN, IntegrityError, fn

from .. import codes
from ..custody import custody
from ..custody import rules as custody_rules
from ..custody.engine import key_used
from ..database import is_sqlite, write
from ..errors import Conflict, Invalid, NotFound, Refused, ServiceError
from ..models import Asset, Kit, KitItem, Reservation, User, utcnow
from ..prepared import Prepared
from ..register import events, label_codes, places
from ..register.rules import require_lead
from ..reservations import moments as reservation_moments
from ..reservations import reservations
from ..reservations import rules as reservation_rules
from . import leaving, rules


@dataclass
class Taken:
    """What a kit check-out or return did: the message, the items that moved,
    and (on a return) the items that stayed out because they were not there, or
    the items to ask about before anything moves."""

    kit: Kit
    message: str
    moved: list[Asset] = field(default_factory=list)
    not_back: list[Asset] = field(default_factory=list)
    duplicate: bool = False
    # A return with items not ticked, not yet confirmed: nothing changed; ask.
    asked: list[Asset] = field(default_factory=list)


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


def _found(kit_code: str) -> Kit:
    """The kit a typed code names, or NotFound."""
    kit = get_by_code(codes.parse(kit_code or ""))
    if kit is None:
        raise NotFound("No kit has that code.")
    return kit


def _locked_by_code(kit_code: str) -> Kit:
    """The kit a typed code names, its row locked (inside a write)."""
    return _locked(_found(kit_code).id)


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


def _item_error(asset: Asset, exc: ServiceError) -> ServiceError:
    """The item's refusal, naming the item once, as the same kind of refusal."""
    if isinstance(exc, Invalid):
        return Invalid(
            {key: rules.item_refusal_text(asset, value) for key, value in exc.errors.items()}
        )
    text = rules.item_refusal_text(asset, str(exc))
    try:
        return type(exc)(text)
    except TypeError:  # a kind with its own arguments: the plain refusal
        return Refused(text)


def _kit_booked(
    kit: Kit, assets: list[Asset], holder: User, due_back: date | None, zone: tzinfo
) -> Reservation | None:
    """Someone else's booking of this kit that checking it out to `holder` until the
    end of `due_back` (None: for good) would run into: the reservations' own overlap
    rule over all the kit's items at once (one query)."""
    now = utcnow()
    until = reservation_moments.end_of_day(due_back, zone) if due_back else None
    return _own_booking(kit, assets, now, until, now, not_for=holder.id)


def _own_booking(
    kit: Kit,
    assets: list[Asset],
    start: datetime,
    end: datetime | None,
    now: datetime,
    not_for: int | None = None,
) -> Reservation | None:
    """A booking of this kit itself (not of one of its items) over [start, end)."""
    policy = reservation_rules.current_policy()
    found = reservation_rules.clashes(
        [a.id for a in assets], start, end, now, policy, not_for=not_for
    )
    return next((i.reservation for i in found if i.reservation.kit_id == kit.id), None)


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def check_out(
    kit_code: str,
    *,
    actor: User,
    today: date,
    holder_id: int | None = None,
    due_back: date | None = None,
    key: str | None = None,
    zone: tzinfo = UTC,
) -> Taken:
    """Check every item of the kit out to `holder_id` (default: the actor), in one
    transaction: if any one item cannot go, none does."""
    with write():
        kit = _locked_by_code(kit_code)
        if key_used(key) is not None:
            return Taken(kit, "Already done.", duplicate=True)
        assets = items(kit)
        if not assets:
            raise Refused("This kit has no items.")
        holder = actor if holder_id in (None, actor.id) else User.get_or_none(User.id == holder_id)
        booked = _kit_booked(kit, assets, holder, due_back, zone) if holder else None
        if booked is not None:  # said once, as the kit's booking, not once per item
            raise Refused(rules.booked_message(kit, booked, zone, utcnow()))
        moved: list[Asset] = []
        for index, asset in enumerate(assets):
            try:
                outcome = custody.check_out(
                    asset.code,
                    actor=actor,
                    today=today,
                    holder_id=holder_id,
                    due_back=due_back,
                    note=f"With the kit {kit.name}.",
                    key=key if index == 0 else None,  # the first event carries it
                    zone=zone,
                )
            except ServiceError as exc:
                raise _item_error(asset, exc) from None
            moved.append(outcome.asset)
        holder = moved[0].holder
        who = "you" if holder.id == actor.id else holder.name
        return Taken(kit, f"Checked out to {who}: {_items(len(moved))}.", moved=moved)


def check_in(
    kit_code: str,
    *,
    actor: User,
    present: set[str] | None = None,
    key: str | None = None,
    confirmed: bool = False,
) -> Taken:
    """Return the kit: every item out that was ticked as here (`present`, asset
    codes; None: all of them) comes back, in one transaction. An item not ticked
    is asked about first: unless `confirmed`, nothing changes and `asked` lists
    them. Once confirmed, it stays out with its holder and is flagged."""
    with write():
        kit = _locked_by_code(kit_code)
        if key_used(key) is not None:
            return Taken(kit, "Already done.", duplicate=True)
        out = [asset for asset in items(kit) if asset.holder_id]
        if not out:
            raise Refused("Nothing in this kit is checked out.")
        back = [a for a in out if present is None or a.code in present]
        missing = [a for a in out if a not in back]
        if not back:
            raise Invalid({"present": "Tick what is here, then Return."})
        if missing and not confirmed:
            return Taken(kit, "", asked=missing)
        moved: list[Asset] = []
        for asset in back:
            try:
                outcome = custody.check_in(
                    asset.code,
                    actor=actor,
                    expected_holder_id=asset.holder_id,
                    note=f"With the kit {kit.name}.",
                    key=key if not moved else None,
                )
            except ServiceError as exc:
                raise _item_error(asset, exc) from None
            moved.append(outcome.asset)
        now = utcnow()
        for asset in missing:  # something came back, so the key is on its event
            events.record(
                "kit_item_not_back",
                asset=asset,
                actor=actor,
                holder=asset.holder,
                note=f"Not here when the kit {kit.name} came back.",
                data=_facts(kit),
            )
            # Flagged where people look (its page, the dashboard) until it changes hands.
            Asset.update(
                version=Asset.version + 1,
                updated_at=now,
                not_back_since=fn.COALESCE(Asset.not_back_since, now),
            ).where(Asset.id == asset.id).execute()
        message = f"Returned {_items(len(moved))}."
        for asset in missing:
            message += f" {asset.name} is not here: it stays with {asset.holder.name}."
        return Taken(kit, message, moved=moved, not_back=missing)


def reserve(
    kit_code: str,
    *,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    zone: tzinfo,
    person_id: int | None = None,
    note: str = "",
) -> Reservation:
    """Book every item of the kit, through the reservations' own booking (its
    rules, no double booking); the booking remembers the kit."""
    with write():
        kit = _locked_by_code(kit_code)
        assets = items(kit)
        if not assets:
            raise Refused("This kit has no items.")
        try:
            return reservations.reserve(
                [a.code for a in assets],
                actor=actor,
                starts_at=starts_at,
                ends_at=ends_at,
                zone=zone,
                person_id=person_id,
                note=note,
                kit=kit,
            )
        except Refused:
            # Over the kit's own booking: said as the kit's, as a check-out says it.
            now = utcnow()
            own = _own_booking(kit, assets, starts_at, ends_at, now)
            if own is None:
                raise
            raise Refused(rules.booked_message(kit, own, zone, now)) from None


BOOKINGS_SHOWN = 3  # the kit's current booking and the next ones, as on an item's page


def bookings(kit: Kit, now: datetime | None = None) -> list[Reservation]:
    """The kit's bookings that still hold its items (started, or booked and not
    lapsed) and have not ended, soonest first, each with its person (one query)."""
    now = now or utcnow()
    policy = reservation_rules.current_policy()
    query = (
        Reservation.select(Reservation, User)
        .join(User, on=(Reservation.person == User.id))
        .where(
            Reservation.kit == kit.id,
            Reservation.state.in_(("booked", "started")),
            Reservation.ends_at > now,
        )
        .order_by(Reservation.starts_at, Reservation.id)
        .limit(BOOKINGS_SHOWN + 5)  # a few lapsed ones may be among them
    )
    held = [r for r in query if reservation_rules.holds(r.state, r.starts_at, now, policy)]
    return held[:BOOKINGS_SHOWN]


def startable(kit: Kit, viewer: User, now: datetime | None = None) -> Reservation | None:
    """The kit's booking `viewer` may start now (the person it is for, or a lead)."""
    now = now or utcnow()
    policy = reservation_rules.current_policy()
    booked = (
        Reservation.select()
        .where(
            Reservation.kit == kit.id,
            Reservation.state == "booked",
            Reservation.ends_at > now,
        )
        .order_by(Reservation.starts_at)
        .limit(5)
    )
    return next((b for b in booked if reservation_rules.may_start(b, viewer, now, policy)), None)


def start_reservation(kit_code: str, *, actor: User, today: date, zone: tzinfo) -> Reservation:
    """Start reservation from the kit's label: every item of its booking checked out
    to its person in one transaction (the reservations' own start)."""
    kit = _found(kit_code)
    booking = startable(kit, actor)
    if booking is None:
        raise Refused("This kit has no reservation you can start now.")
    return reservations.start(booking.id, actor=actor, today=today, zone=zone)


def transfer(kit_code: str, *, actor: User, today: date, to_holder_id: int | None) -> Taken:
    """Hand every item of the kit that is out straight to another person, in one
    transaction, each through custody's own hand-over (its rules and event)."""
    with write():
        kit = _locked_by_code(kit_code)
        out = [asset for asset in items(kit) if asset.holder_id]
        if not out:
            raise Refused("Nothing in this kit is checked out.")
        if to_holder_id is None:
            raise Invalid({"holder": "Choose a person from the list."})
        moved: list[Asset] = []
        for asset in out:
            try:
                outcome = custody.transfer(
                    asset.code,
                    actor=actor,
                    today=today,
                    to_holder_id=to_holder_id,
                    expected_holder_id=asset.holder_id,
                    note=f"With the kit {kit.name}.",
                )
            except ServiceError as exc:
                raise _item_error(asset, exc) from None
            moved.append(outcome.asset)
        to = moved[0].holder
        return Taken(kit, f"Handed over to {to.name}: {_items(len(moved))}.", moved=moved)
