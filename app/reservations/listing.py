"""What pages show of reservations: an asset's current and coming bookings
(one query, for the asset page's budget), and the lists of bookings on the
Reservations page. Plain data; the words and times are the templates'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from peewee import JOIN

from ..models import Asset, Kit, Reservation, ReservationItem, User, utcnow
from ..prepared import Prepared
from . import rules

SHOWN_ON_ASSET = 3  # the current booking and the next ones


@dataclass(frozen=True)
class Booking:
    id: int
    person: str
    person_id: int
    starts_at: datetime
    ends_at: datetime
    state: str
    note: str = ""
    assets: list[Asset] = field(default_factory=list)
    may_start: bool = False
    may_cancel: bool = False
    started: bool = False
    kit: str = ""  # the kit's name, when the booking was made for a kit
    kit_code: str = ""


@dataclass(frozen=True)
class AssetBookings:
    """`current`: the booking in force now (booked or started); `coming`: the
    next ones, soonest first; `startable`: the viewer's, which they may start now;
    `out`: someone has it out now (overdue or not), so it is free for nobody else
    until it comes back; `due_at`: when it is due back to the minute, when it is
    out for a started booking (its end)."""

    current: Booking | None
    coming: list[Booking]
    startable: Booking | None
    may_reserve: bool
    out: bool = False
    due_at: datetime | None = None


def with_kit(query):
    """`query` (of Reservation, or joined to it) with the booking's kit, if any,
    joined as `reservation.kit`: no lookup per booking."""
    return (
        query.select_extend(Kit)
        .switch(Reservation)
        .join(Kit, JOIN.LEFT_OUTER, on=(Reservation.kit == Kit.id))
    )


def kit_name(r: Reservation) -> str:
    """The name of the kit the booking was made for ("" for none); the kit is
    joined (`with_kit`)."""
    return r.kit.name if r.kit_id else ""


def _booking(r: Reservation, viewer: User | None, now, policy, assets=None) -> Booking:
    return Booking(
        id=r.id,
        person=r.person.name,
        person_id=r.person_id,
        starts_at=r.starts_at,
        ends_at=r.ends_at,
        state=rules.state_label(r, now, policy),
        note=r.note,
        assets=assets or [],
        may_start=rules.may_start(r, viewer, now, policy),
        started=r.state == "started",
        kit=kit_name(r),
        kit_code=r.kit.code if r.kit_id else "",
        may_cancel=r.state == "booked"
        and rules.holds(r.state, r.starts_at, now, policy)
        and rules.may_change(viewer, r),
    )


@Prepared
def _asset_bookings(asset_id, start, limit):
    return with_kit(rules.one_overlapping(asset_id, start, None)).limit(limit)


def for_asset(asset: Asset, viewer: User | None, now: datetime | None = None) -> AssetBookings:
    """The asset page's bookings, in one query."""
    now = now or utcnow()
    policy = rules.current_policy()
    items = _asset_bookings(asset.id, now, SHOWN_ON_ASSET + 5)
    held = [
        _booking(i.reservation, viewer, now, policy)
        for i in items
        if rules.holds(i.reservation.state, i.reservation.starts_at, now, policy)
    ][:SHOWN_ON_ASSET]
    # In force: begun, or started early (its items are out with its person).
    current = next((b for b in held if rules.in_force(b.starts_at, b.started, now)), None)
    mine = viewer.id if viewer is not None else None
    out_to_viewer = rules.out_with_other(asset, mine)
    return AssetBookings(
        current=current,
        coming=[b for b in held if b is not current],
        startable=None
        if out_to_viewer
        else next((b for b in held if b.may_start and b.person_id == mine), None),
        may_reserve=viewer is not None and rules.reservable_refusal(asset, policy) is None,
        out=rules.out_with_other(asset, None),
        due_at=rules.due_at(asset, items),
    )


def bookings(
    viewer: User, *, person_id: int | None, now: datetime | None = None, limit: int = 200
) -> list[Booking]:
    """Bookings not yet over, soonest first: one person's, or everyone's
    (person_id None), each with its assets (two queries)."""
    now = now or utcnow()
    policy = rules.current_policy()
    query = (
        with_kit(
            Reservation.select(Reservation, User).join(User, on=(Reservation.person == User.id))
        )
        .where(Reservation.state.in_(rules.ACTIVE), Reservation.ends_at > now)
        .order_by(Reservation.starts_at, Reservation.id)
        .limit(limit)
    )
    if person_id is not None:
        query = query.where(Reservation.person == person_id)
    found = [r for r in query if rules.holds(r.state, r.starts_at, now, policy)]
    assets: dict[int, list[Asset]] = {r.id: [] for r in found}
    if found:
        for item in (
            ReservationItem.select(ReservationItem, Asset)
            .join(Asset)
            .where(ReservationItem.reservation.in_(list(assets)))
            .order_by(Asset.name)
        ):
            assets[item.reservation_id].append(item.asset)
    return [_booking(r, viewer, now, policy, assets[r.id]) for r in found]


def starting(since: datetime, until: datetime) -> list[Reservation]:
    """Booked reservations starting in [since, until), soonest first, with their
    person and kit joined and their assets as `assets` (for the reminders)."""
    found = list(
        with_kit(
            Reservation.select(Reservation, User).join(User, on=(Reservation.person == User.id))
        )
        .where(
            Reservation.state == "booked",
            Reservation.starts_at >= since,
            Reservation.starts_at < until,
        )
        .order_by(Reservation.starts_at, Reservation.id)
    )
    by_id = {r.id: r for r in found}
    for r in found:
        r.assets = []
    if found:
        for item in (
            ReservationItem.select(ReservationItem, Asset)
            .join(Asset)
            .where(ReservationItem.reservation.in_(list(by_id)))
            .order_by(Asset.name)
        ):
            by_id[item.reservation_id].assets.append(item.asset)
    return found


def started_kits(asset_ids) -> dict[int, str]:
    """For each of these assets out with the person of a started booking made for
    a kit, the kit's name (one query; the reminders name the kit)."""
    ids = list(asset_ids)
    if not ids:
        return {}
    rows = (
        ReservationItem.select(ReservationItem.asset, Kit.name)
        .join(Reservation, on=(ReservationItem.reservation == Reservation.id))
        .join(Kit, on=(Reservation.kit == Kit.id))
        .switch(ReservationItem)
        .join(Asset, on=(ReservationItem.asset == Asset.id))
        .where(
            ReservationItem.asset.in_(ids),
            ReservationItem.active == True,  # noqa: E712
            Reservation.state == "started",
            Reservation.person == Asset.holder,
        )
        .tuples()
    )
    return dict(rows)


def kit_due_at(kit_id: int) -> datetime | None:
    """When a kit out for its started booking is due back, to the minute (the
    booking's end); None when none of its bookings is started (one query)."""
    started = (
        Reservation.select(Reservation.ends_at)
        .where(Reservation.kit == kit_id, Reservation.state == "started")
        .order_by(Reservation.ends_at.desc())
        .first()
    )
    return started.ends_at if started else None
