"""The replacement plan's rules, spelled once: when an asset's useful life ends,
when it is due for replacement and why (in an owner's words), what replacing it
costs, which assets count, and the quarters of the forecast.

- End of useful life: the purchase date plus the category's useful life in
  months of 30.4375 days (487/16 of a day), rounded up to a whole day: the
  first day the value report (app/reports/value.book_value) counts the life as
  used up. `Asset.life_ends_on` keeps it (app/replacement/life.py).
- Due for replacement when any of: past its useful life (its life ends today
  or earlier); its repair and service cost over the last 12 months is above a
  share of its book value now (Settings; default 50 %); at least N faults
  reported in the last 12 months (Settings; default 3).
- The last 12 months: the 365 days up to and including today.
- Replacement cost: the category's replacement cost if set, else the asset's
  purchase cost; neither: no cost (counted, not summed).
- In service: not retired (register.rules). A missing item still counts: it
  is part of the fleet until someone retires it, and it will need replacing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache

from ..ops.money import format_money
from ..register.rules import IN_SERVICE, in_service_sql

__all__ = ["IN_SERVICE", "in_service_sql"]

# A month of the useful life is 30.4375 days = 487/16 of a day.
MONTH_NUM, MONTH_DEN = 16, 487

WINDOW_DAYS = 365  # "the last 12 months": these many days, today included

REPAIR_SHARE_PERCENT = 50  # repairs above this share of the book value: due
REPAIR_SHARE_MIN, REPAIR_SHARE_MAX = 1, 1000
FAULTS = 3  # this many faults in the window: due
FAULTS_MIN, FAULTS_MAX = 1, 100

QUARTERS = 8  # the forecast: the current quarter and the seven after it


def life_days(useful_life_months: int) -> int:
    """The useful life in whole days, rounded up."""
    return (useful_life_months * MONTH_DEN + MONTH_NUM - 1) // MONTH_NUM


def life_ends_on(purchase_date: date | None, useful_life_months: int | None) -> date | None:
    """The first day the useful life is used up; None without a purchase date or
    a useful life."""
    if purchase_date is None or not useful_life_months or useful_life_months <= 0:
        return None
    return purchase_date + timedelta(days=life_days(useful_life_months))


def replacement_cost(
    category_cost_cents: int | None, purchase_cost_cents: int | None
) -> int | None:
    """What replacing it costs: the category's replacement cost, else what it cost."""
    return category_cost_cents if category_cost_cents is not None else purchase_cost_cents


def replacement_total(
    category_cost_cents: int | None, items: int, purchase_cents: int | None, costed: int
) -> tuple[int, int]:
    """What replacing `items` items of one category costs, and how many of them
    have no cost: the category's replacement cost each when it has one, else
    their purchase costs (`purchase_cents` summed over the `costed` that have one)."""
    if category_cost_cents is not None:
        return category_cost_cents * items, 0
    return purchase_cents or 0, items - costed


@dataclass(frozen=True)
class Thresholds:
    """The settings in force: repairs above `share_percent` % of the book value,
    or `faults` faults, in the last 12 months make an asset due."""

    share_percent: int = REPAIR_SHARE_PERCENT
    faults: int = FAULTS


def repairs_too_costly(repair_cents: int, book_cents: int | None, share_percent: int) -> bool:
    """Repairs over the last 12 months above the share of the book value now. An
    asset without a book value (no cost) is never due for this reason."""
    if book_cents is None or repair_cents <= 0:
        return False
    return repair_cents * 100 > share_percent * book_cents


def share_text(repair_cents: int, book_cents: int) -> str:
    """Repairs as a whole percentage of the book value, halves up."""
    if book_cents <= 0:
        return "more than all"
    return f"{(200 * repair_cents + book_cents) // (2 * book_cents):,} %"


@lru_cache(maxsize=4096)
def day_text(day: date) -> str:
    """A day in a sentence. Kept per day: the CSV says it for some 24,000 items
    sharing a few hundred days, and strftime is the dearest part of a row."""
    return f"{day.day} {day:%b %Y}"


def amount_text(cents: int, currency: str | None) -> str:
    """Money for a sentence: whole amounts without their ".00"."""
    text = format_money(cents, currency)
    return text.replace(".00", "", 1) if cents % 100 == 0 else text


def coming_reason(life_ends: date) -> str:
    """Why an item not yet due is on the list of what comes due by next quarter's end."""
    return f"Useful life ends {day_text(life_ends)}"


def window_start(today: date) -> date:
    """The first day of "the last 12 months" up to and including today."""
    return today - timedelta(days=WINDOW_DAYS - 1)


def past_life(life_ends: date | None, today: date) -> bool:
    """Its useful life ends today or has ended."""
    return life_ends is not None and life_ends <= today


def too_many_faults(faults: int, thresholds: Thresholds) -> bool:
    return faults >= thresholds.faults


def is_due(
    *,
    today: date,
    life_ends: date | None,
    repair_cents: int,
    book_cents: int | None,
    faults: int,
    thresholds: Thresholds,
) -> bool:
    """Due for replacement: what `due_reasons` gives reasons for, without the words."""
    return (
        past_life(life_ends, today)
        or repairs_too_costly(repair_cents, book_cents, thresholds.share_percent)
        or too_many_faults(faults, thresholds)
    )


def is_due_sql(*, today: date, life_ends, repair_cents, book_cents, faults, thresholds: Thresholds):
    """`is_due` as a SQL condition for a WHERE, on a query's columns and
    expressions (each NULL where `is_due` takes None: a NULL book value makes
    its comparison NULL, which a WHERE keeps no row for). The book value is
    worked out last, for the rows the other tests leave. Only ever a first
    sift: the rows it keeps are judged again (`due_reasons`: due when it gives
    a reason), and tests hold the sift to `is_due` on the same items."""
    costly = (repair_cents > 0) & (repair_cents * 100 > book_cents * thresholds.share_percent)
    return (
        (life_ends.is_null(False) & (life_ends <= today)) | (faults >= thresholds.faults) | costly
    )


def due_reasons(
    *,
    today: date,
    life_ends: date | None,
    repair_cents: int,
    book_cents: int | None,
    faults: int,
    thresholds: Thresholds,
    currency: str | None,
) -> list[str]:
    """Every reason the asset is due for replacement, in an owner's words; []
    when it is not due."""
    reasons = []
    if past_life(life_ends, today):
        reasons.append(f"Past its useful life since {day_text(life_ends)}")
    if repairs_too_costly(repair_cents, book_cents, thresholds.share_percent):
        assert book_cents is not None
        if book_cents > 0:
            share = f"{share_text(repair_cents, book_cents)} of its"
        else:
            share = "more than its"
        reasons.append(
            f"Repairs and services {amount_text(repair_cents, currency)} in 12 months, "
            f"{share} {amount_text(book_cents, currency)} book value"
        )
    if too_many_faults(faults, thresholds):
        reasons.append(f"{faults} faults in 12 months")
    return reasons


# Quarters -------------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @cached_property  # asked for each item coming due: tens of thousands of times
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @cached_property
    def last_day(self) -> date:
        following = self.next()
        return following.first_day - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def forecast_quarters(today: date, count: int = QUARTERS) -> list[Quarter]:
    """The current calendar quarter first, then the ones after it."""
    quarters = [quarter_of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].next())
    return quarters


def quarter_index(quarters: list[Quarter], life_ends: date | None, due_now: bool) -> int | None:
    """Which of the forecast's quarters an asset comes due in: the current one if
    it is due already, else the one its life ends in; None: none of them."""
    if due_now:
        return 0
    if life_ends is None or life_ends > quarters[-1].last_day:
        return None
    for index, quarter in enumerate(quarters):
        if life_ends <= quarter.last_day:
            return index
    return None
