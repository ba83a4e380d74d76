"""Vendors: who subscriptions are bought from. Unique ignoring case; a name
taken meanwhile by someone else is the same form error, never a crash."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError, fn

from ..database import write
from ..errors import Invalid, NotFound
from ..models import Subscription, User, Vendor
from ..register.rules import require_lead
from .rules import check_vendor_name

TAKEN = "There is already a vendor by that name."


@dataclass(frozen=True, slots=True)
class Listed:
    id: int
    name: str
    subscriptions: int


def vendors() -> list[Listed]:
    """Every vendor by name, with how many subscriptions it has."""
    count = Subscription.select(fn.COUNT(Subscription.id)).where(Subscription.vendor == Vendor.id)
    query = Vendor.select(Vendor.id, Vendor.name, count).order_by(fn.LOWER(Vendor.name), Vendor.id)
    return [Listed(*row) for row in query.tuples()]


def options() -> list[tuple[int, str]]:
    return list(
        Vendor.select(Vendor.id, Vendor.name).order_by(fn.LOWER(Vendor.name), Vendor.id).tuples()
    )


def by_name(name: str) -> Vendor | None:
    """The vendor called `name`, case and spacing ignored."""
    return Vendor.get_or_none(fn.LOWER(Vendor.name) == " ".join((name or "").split()).lower())


def save_vendor(name: str, vendor_id: int | None = None, *, actor: User) -> Vendor:
    """Add a vendor, or rename one."""
    require_lead(actor, "add or rename vendors")
    name = check_vendor_name(name)
    try:
        with write():
            same = by_name(name)
            if same is not None and same.id != vendor_id:
                raise Invalid({"name": TAKEN})
            if vendor_id is None:
                return Vendor.create(name=name)
            vendor = Vendor.get_or_none(Vendor.id == vendor_id)
            if vendor is None:
                raise NotFound("That vendor does not exist.")
            vendor.name = name
            vendor.save()
            return vendor
    except IntegrityError:
        raise Invalid({"name": TAKEN}) from None
