"""The subscriptions' rules, spelled once: what a subscription may hold, what it
costs a year, how many seats are free, when its renewal reminder is due, and
what counts as waste. Services, pages, reports, the import and the reminders
all ask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from peewee import Case, Cast

from ..errors import Invalid
from ..models import SUBSCRIPTION_KINDS, SUBSCRIPTION_PERIODS, Subscription
from ..ops import money

# Limits past which a figure is a typing mistake, not a contract.
MAX_SEATS = 100_000
# A cost a period: any amount's one ceiling (what its column holds), said the same.
MAX_COST_CENTS = money.MAX_CENTS
MAX_REMIND_DAYS = 365
REMIND_DAYS = 30  # the default: a reminder 30 days before each renewal
PRODUCT_MAX = 200
VENDOR_MAX = 120
KEY_MAX = 4000
NOTES_MAX = 10_000

MONTHS = {"month": 1, "year": 12}

# Dates outside these are typing mistakes (a year of 9999), not contracts.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
DATE_RANGE = f"Pick a date between {FIRST_DAY.year} and {LAST_DAY.year}."


def in_range(day: date | None) -> bool:
    return day is None or FIRST_DAY <= day <= LAST_DAY


# What a subscription holds ----------------------------------------------------


@dataclass(frozen=True)
class Fields:
    """A subscription's own values, checked (the vendor by id, the owner by id)."""

    vendor_id: int
    product: str
    kind: str
    seats: int | None
    cost_cents: int | None
    period: str
    starts_on: date | None
    renews_on: date | None
    auto_renews: bool
    remind_days: int
    owner_id: int | None
    owner_team_id: int | None
    notes: str


def check_fields(
    *,
    vendor_id: int | None,
    product: str,
    kind: str,
    seats: int | None,
    cost_cents: int | None,
    period: str,
    starts_on: date | None,
    renews_on: date | None,
    auto_renews: bool,
    remind_days: int | None,
    owner_id: int | None,
    owner_team_id: int | None,
    notes: str,
    seats_in_use: int = 0,
) -> Fields:
    """The values as they will be kept; Invalid naming every field that is wrong.
    `seats_in_use`: an edit may not cut the seats below those given out."""
    errors: dict[str, str] = {}
    product = " ".join((product or "").split())
    if vendor_id is None:
        errors["vendor"] = "Choose the vendor."
    if not product:
        errors["product"] = "Give the product’s name."
    elif len(product) > PRODUCT_MAX:
        errors["product"] = f"Keep the product’s name to {PRODUCT_MAX} characters."
    if kind not in SUBSCRIPTION_KINDS:
        errors["kind"] = "Choose what kind of subscription it is."
    if seats is not None:
        if seats < 1:
            errors["seats"] = "Seats must be at least 1 (leave it blank for unlimited)."
        elif seats > MAX_SEATS:
            errors["seats"] = f"Seats must be at most {MAX_SEATS:,}."
        elif seats < seats_in_use:
            errors["seats"] = (
                f"{seats_in_use} seats are given out; free some before cutting it to {seats}."
            )
    if cost_cents is not None and cost_cents < 0:
        errors["cost"] = "The cost cannot be negative."
    elif money.too_large(cost_cents):
        errors["cost"] = money.TOO_LARGE
    if period not in SUBSCRIPTION_PERIODS:
        errors["period"] = "Choose monthly or yearly."
    if not in_range(starts_on):
        errors["starts_on"] = DATE_RANGE
    if not in_range(renews_on):
        errors["renews_on"] = DATE_RANGE
    elif starts_on and renews_on and renews_on < starts_on:
        errors["renews_on"] = "The renewal date is before the start."
    if remind_days is None:
        remind_days = REMIND_DAYS
    if not 0 <= remind_days <= MAX_REMIND_DAYS:
        errors["remind_days"] = f"Remind from 0 to {MAX_REMIND_DAYS} days ahead."
    if owner_id is not None and owner_team_id is not None:
        errors["owner"] = "Choose a person or a team as the owner, not both."
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = f"Keep the notes to {NOTES_MAX:,} characters."
    if errors:
        raise Invalid(errors)
    assert vendor_id is not None
    return Fields(
        vendor_id,
        product,
        kind,
        seats,
        cost_cents,
        period,
        starts_on,
        renews_on,
        bool(auto_renews),
        remind_days,
        owner_id,
        owner_team_id,
        notes,
    )


def check_vendor_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid({"name": "Give the vendor’s name."})
    if len(name) > VENDOR_MAX:
        raise Invalid({"name": f"Keep the vendor’s name to {VENDOR_MAX} characters."})
    return name


def check_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > KEY_MAX:
        raise Invalid({"licence_key": f"Keep the licence key to {KEY_MAX:,} characters."})
    return key


def check_end(ended_on: date | None, subscription: Subscription) -> date:
    """The last day a cancelled subscription runs."""
    if ended_on is None:
        raise Invalid({"ended_on": "Give the last day it runs."})
    if not in_range(ended_on):
        raise Invalid({"ended_on": DATE_RANGE})
    if subscription.starts_on and ended_on < subscription.starts_on:
        raise Invalid({"ended_on": "The end date is before the start."})
    return ended_on


# Money --------------------------------------------------------------------------


def cost_per_year_cents(cost_cents: int | None, period: str) -> int | None:
    """A period's cost as a year's: twelve months of a monthly cost."""
    if cost_cents is None:
        return None
    return cost_cents * 12 // MONTHS.get(period, 12)


def cost_per_month_cents(cost_cents: int | None, period: str) -> int | None:
    """A period's cost as a month's: a yearly cost over twelve, halves rounded up."""
    if cost_cents is None:
        return None
    months = MONTHS.get(period, 12)
    return (2 * cost_cents + months) // (2 * months)


# State ----------------------------------------------------------------------------


class Dated(Protocol):
    """What a subscription's state is judged on: a Subscription, or a row read
    with these columns of it (a held seat's)."""

    @property
    def starts_on(self) -> date | None: ...
    @property
    def ended_on(self) -> date | None: ...
    @property
    def cancelled_at(self) -> datetime | None: ...


def is_cancelled(subscription: Dated) -> bool:
    return subscription.cancelled_at is not None


def is_running(subscription: Dated, today: date) -> bool:
    """Paid for today: started (or no start given) and not past its end."""
    if subscription.starts_on and subscription.starts_on > today:
        return False
    return subscription.ended_on is None or subscription.ended_on >= today


@dataclass(frozen=True)
class Standing:
    """Where a subscription stands for someone holding a seat in it, when that
    is not simply "running": its word, whether it has ended (the page marks
    that as an alert), then a date and what happens on it ("ended 31 Jan 2026")."""

    word: str
    ended: bool
    when: str
    day: date | None


def standing(subscription: Dated, today: date) -> Standing | None:
    """None while it runs and nobody cancelled it. Not running: not started yet,
    or cancelled and past its last day (only a cancellation gives it an end).
    Cancelled but running: it still runs to its last day."""
    if not is_running(subscription, today):
        if subscription.starts_on and subscription.starts_on > today:
            return Standing("Not started", False, "starts", subscription.starts_on)
        return Standing("Cancelled", True, "ended", subscription.ended_on)
    if is_cancelled(subscription):
        return Standing("Cancelled", False, "runs to", subscription.ended_on)
    return None


def past_renewal(subscription: Subscription, today: date) -> bool:
    """Its renewal date has gone by and nobody moved it on or cancelled it:
    either it renewed without anyone saying, or it lapsed. Waste either way
    until someone looks."""
    return (
        not is_cancelled(subscription)
        and subscription.renews_on is not None
        and subscription.renews_on < today
    )


def reminder_from(subscription: Subscription) -> date | None:
    """The first day its renewal reminder is due."""
    if subscription.renews_on is None or is_cancelled(subscription):
        return None
    return subscription.renews_on - timedelta(days=subscription.remind_days)


def reminder_due(subscription: Subscription, today: date) -> bool:
    """Remind now: within its reminder days of a renewal still to come, and not
    yet reminded for this renewal date."""
    starts = reminder_from(subscription)
    return (
        starts is not None
        and starts <= today <= subscription.renews_on
        and subscription.reminded_for != subscription.renews_on
    )


# Seats ------------------------------------------------------------------------------


def seats_free(subscription: Subscription, in_use: int) -> int | None:
    """Seats left to give; None for unlimited."""
    if subscription.seats is None:
        return None
    return max(subscription.seats - in_use, 0)


def seats_text(seats: int | None, in_use: int) -> str:
    """ "3 of 5" or "3 (unlimited)"."""
    return f"{in_use} (unlimited)" if seats is None else f"{in_use} of {seats}"


def next_renewal(subscription: Subscription) -> date | None:
    """One period after the current renewal date (the last day of a shorter
    month when the day does not exist); None past the last date kept."""
    current = subscription.renews_on
    if current is None:
        return None
    months = MONTHS.get(subscription.period, 12)
    total = current.month - 1 + months
    year, month = current.year + total // 12, total % 12 + 1
    if year > LAST_DAY.year:
        return None
    for day in range(current.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, current.day)


# The export's state column -----------------------------------------------------------


def state_words(subscription: Subscription, today: date) -> str:
    """Where a subscription stands today, as the CSV export says it: Ended,
    Cancelled (still running to its end), Not started, Past renewal or Running."""
    if is_cancelled(subscription):
        ended = subscription.ended_on is not None and subscription.ended_on < today
        return "Ended" if ended else "Cancelled"
    if subscription.starts_on and subscription.starts_on > today:
        return "Not started"
    if past_renewal(subscription, today):
        return "Past renewal"
    return "Running"


# Renewals, spend and waste (the reminders and the reports) ----------------------
# The SQL forms below are the rules above written as conditions and columns on
# Subscription, so that the reports add up thousands of rows in the database;
# tests check that each agrees with its Python twin.

RENEWALS_AHEAD_DAYS = 30  # the digest's and Home's "Renewals in the next 30 days"


def _per_period(per_year: bool):
    """`cost_per_year_cents` (per_year) or `cost_per_month_cents` as a CASE on the
    period, in whole numbers: both databases divide integers as Python's // does
    for amounts that are never negative."""
    cents = Cast(Subscription.cost_cents, "BIGINT")

    def value(months: int):
        return cents * 12 / months if per_year else (2 * cents + months) / (2 * months)

    return Case(
        Subscription.period, [(period, value(m)) for period, m in MONTHS.items()], value(12)
    )


def cost_per_year_sql():
    """`cost_per_year_cents` as a column of Subscription (NULL without a cost)."""
    return _per_period(per_year=True)


def cost_per_month_sql():
    """`cost_per_month_cents` as a column of Subscription (NULL without a cost)."""
    return _per_period(per_year=False)


def running_sql(today: date):
    """`is_running` as a condition on Subscription."""
    return (Subscription.starts_on.is_null() | (Subscription.starts_on <= today)) & (
        Subscription.ended_on.is_null() | (Subscription.ended_on >= today)
    )


def past_renewal_sql(today: date):
    """`past_renewal` as a condition on Subscription."""
    return Subscription.cancelled_at.is_null() & (Subscription.renews_on < today)


def renewing_sql(today: date, days: int = RENEWALS_AHEAD_DAYS):
    """Not cancelled and renewing from today to `days` days ahead, both included."""
    return Subscription.cancelled_at.is_null() & Subscription.renews_on.between(
        today, today + timedelta(days=days)
    )


def reminder_candidates_sql(today: date):
    """Every subscription `reminder_due` could be true of (it decides): renewing
    within the longest reminder allowed and not yet reminded for that date."""
    return renewing_sql(today, MAX_REMIND_DAYS) & (
        Subscription.reminded_for.is_null() | (Subscription.reminded_for != Subscription.renews_on)
    )


def seats_cost_per_year_cents(
    yearly_cents: int | None, seats: int | None, count: int
) -> int | None:
    """What `count` of its seats cost a year: the year's cost × count ÷ seats
    bought, rounded once to whole cents, halves up. None when the cost is not
    recorded or the seats are unlimited (a seat has no price of its own)."""
    if yearly_cents is None or not seats:
        return None
    return (2 * yearly_cents * count + seats) // (2 * seats)


def seat_waste_counts(past_renewal: bool) -> bool:
    """Whether a free seat's or a deactivated person's seat's cost adds to the
    waste a year. Not when its subscription is past renewal: that whole
    subscription's cost a year is counted already, and money counts once."""
    return not past_renewal
