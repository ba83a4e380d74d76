"""Taking a kit and bringing it back, in one tap: check out, return (asking
first about what is not here), hand over, reserve and start its booking. Each
moves every item in ONE transaction, each item through custody's own
check-out or return or the reservations' own booking (their rules, locks and
events), so a kit goes out whole or not at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

from peewee import fn

from ..custody import custody
from ..custody.engine import key_used
from ..database import write
from ..errors import Invalid, Refused, ServiceError
from ..models import Asset, Kit, Reservation, User, utcnow
from ..receipts import runs
from ..register import events
from ..reservations import moments as reservation_moments
from ..reservations import reservations
from ..reservations import rules as reservation_rules
from . import kits, leaving, rules


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
    signing: runs.Signing | None = None,
) -> Taken:
    """Check every item of the kit out to `holder_id` (default: the actor), in one
    transaction: if any one item cannot go, none does. `signing`: the form's
    signature for the one receipt of them all (when the rules want one)."""
    with write():
        kit = kits.locked_by_code(kit_code)
        if key_used(key) is not None:
            return Taken(kit, "Already done.", duplicate=True)
        assets = kits.items(kit)
        if not assets:
            raise Refused("This kit has no items.")
        holder = actor if holder_id in (None, actor.id) else User.get_or_none(User.id == holder_id)
        booked = _kit_booked(kit, assets, holder, due_back, zone) if holder else None
        if booked is not None:  # said once, as the kit's booking, not once per item
            raise Refused(rules.booked_message(kit, booked, zone, utcnow()))
        receipt = runs.open_for("handover", actor, holder, assets, signing)
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
                    receipt=receipt,
                )
            except ServiceError as exc:
                raise _item_error(asset, exc) from None
            moved.append(outcome.asset)
        runs.close(receipt, signing)
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
    signing: runs.Signing | None = None,
) -> Taken:
    """Return the kit: every item out that was ticked as here (`present`, asset
    codes; None: all of them) comes back, in one transaction. An item not ticked
    is asked about first: unless `confirmed`, nothing changes and `asked` lists
    them. Once confirmed, it stays out with its holder and is flagged."""
    with write():
        kit = kits.locked_by_code(kit_code)
        if key_used(key) is not None:
            return Taken(kit, "Already done.", duplicate=True)
        out = [asset for asset in kits.items(kit) if asset.holder_id]
        if not out:
            raise Refused("Nothing in this kit is checked out.")
        back = [a for a in out if present is None or a.code in present]
        missing = [a for a in out if a not in back]
        if not back:
            raise Invalid({"present": "Tick what is here, then Return."})
        if missing and not confirmed:
            return Taken(kit, "", asked=missing)
        # One return receipt when one person gives them all back.
        givers = {a.holder_id for a in back}
        giver = back[0].holder if len(givers) == 1 else None
        receipt = runs.open_for("return", actor, giver, back, signing)
        moved: list[Asset] = []
        for asset in back:
            try:
                outcome = custody.check_in(
                    asset.code,
                    actor=actor,
                    expected_holder_id=asset.holder_id,
                    note=f"With the kit {kit.name}.",
                    key=key if not moved else None,
                    receipt=receipt,
                )
            except ServiceError as exc:
                raise _item_error(asset, exc) from None
            moved.append(outcome.asset)
        runs.close(receipt, signing)
        now = utcnow()
        for asset in missing:  # something came back, so the key is on its event
            events.record(
                "kit_item_not_back",
                asset=asset,
                actor=actor,
                holder=asset.holder,
                note=f"Not here when the kit {kit.name} came back.",
                data=leaving.facts(kit),
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
        kit = kits.locked_by_code(kit_code)
        assets = kits.items(kit)
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


def start_reservation(
    kit_code: str,
    *,
    actor: User,
    today: date,
    zone: tzinfo,
    signing: runs.Signing | None = None,
) -> Reservation:
    """Start reservation from the kit's label: every item of its booking checked out
    to its person in one transaction (the reservations' own start)."""
    kit = kits.found(kit_code)
    booking = startable(kit, actor)
    if booking is None:
        raise Refused("This kit has no reservation you can start now.")
    return reservations.start(booking.id, actor=actor, today=today, zone=zone, signing=signing)


def transfer(
    kit_code: str,
    *,
    actor: User,
    today: date,
    to_holder_id: int | None,
    signing: runs.Signing | None = None,
) -> Taken:
    """Hand every item of the kit that is out straight to another person, in one
    transaction, each through custody's own hand-over (its rules and event)."""
    with write():
        kit = kits.locked_by_code(kit_code)
        out = [asset for asset in kits.items(kit) if asset.holder_id]
        if not out:
            raise Refused("Nothing in this kit is checked out.")
        if to_holder_id is None:
            raise Invalid({"holder": "Choose a person from the list."})
        to_holder = User.get_or_none(User.id == to_holder_id)
        receipt = runs.open_for("handover", actor, to_holder, out, signing)
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
                    receipt=receipt,
                )
            except ServiceError as exc:
                raise _item_error(asset, exc) from None
            moved.append(outcome.asset)
        runs.close(receipt, signing)
        to = moved[0].holder
        return Taken(kit, f"Handed over to {to.name}: {_items(len(moved))}.", moved=moved)
