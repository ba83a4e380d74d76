"""Return all: everything a person holds back in one step (a leaver's last
day), each item in the condition the lead saw, a fault reported for any that
came back poor or broken, every subscription seat they hold freed, and one
return receipt for the lot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from ..database import write
from ..errors import Invalid, NotFound
from ..models import Asset, SubscriptionSeat, User
from ..receipts import receipts, runs
from ..register.rules import require_lead
from ..subscriptions import seats as subscription_seats
from .checks import return_and_report

NOTE = "Returned with everything they held."
SEATS_NOTE = "Freed with everything they held."


@dataclass(frozen=True)
class Said:
    """What the lead said about one item: its condition ("" as it was) and, if
    something is wrong with it, what and how bad."""

    condition: str = ""
    description: str = ""
    severity: str = ""


@dataclass
class Returned:
    """What Return all did: the items back, the seats freed."""

    items: list[Asset] = dataclass_field(default_factory=list)
    seats: list[SubscriptionSeat] = dataclass_field(default_factory=list)


def field(name: str, asset_id: int) -> str:
    """The form field for one item's `name` ("condition", "description", "severity")."""
    return f"{name}-{asset_id}"


def return_all(
    person_id: int,
    *,
    actor: User,
    signing: runs.Signing | None = None,
    said: Mapping[int, Said] | None = None,
) -> Returned:
    """Return everything a person holds, one event per item, and free every
    subscription seat they hold, in ONE write (leads). `said`: per asset id, its
    condition and any fault (a bad one refuses the whole step, its error under
    that item's field, and frees no seat). `signing`: the form's signature, for
    the one return receipt of them all, which lists the seats freed too."""
    require_lead(actor, "return everything a person holds")
    said = said or {}
    with write():
        person = User.get_or_none(User.id == person_id)
        if person is None:
            raise NotFound("No such person.")
        held = list(Asset.select().where(Asset.holder == person).order_by(Asset.name))
        seats = (
            SubscriptionSeat.select()
            .where(SubscriptionSeat.person == person.id, SubscriptionSeat.freed_at.is_null())
            .count()
        )
        receipt = runs.open_for("return", actor, person, held, signing, seats=seats)
        done = Returned()
        for asset in held:
            one = said.get(asset.id, Said())
            try:
                outcome = return_and_report(
                    asset.code,
                    actor=actor,
                    expected_holder_id=person.id,
                    condition_said=one.condition,
                    note=NOTE,
                    description=one.description,
                    severity=one.severity,
                    receipt=receipt,
                )
            except Invalid as exc:  # name the item's own field
                raise Invalid({field(k, asset.id): v for k, v in exc.errors.items()}) from exc
            done.items.append(outcome.asset)
        done.seats = subscription_seats.free_all_of(person, actor=actor, note=SEATS_NOTE)
        if receipt is not None:
            for seat in done.seats:
                receipts.add_seat(receipt, seat)
        runs.close(receipt, signing)
        return done
