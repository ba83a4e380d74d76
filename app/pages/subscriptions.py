"""What the subscription pages show: the leads' list (search, filter, pages,
the year's total), one subscription's page, a person's seats and the search
box's matches. Plain data for the templates; the rules are
app/subscriptions/rules.py."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from peewee import JOIN, fn

from ..models import (
    SUBSCRIPTION_KINDS,
    SUBSCRIPTION_PERIODS,
    Subscription,
    SubscriptionSeat,
    Team,
    User,
    Vendor,
)
from ..subscriptions import documents, history, rules, seats, vendors

PER_PAGE = 50
SEARCH_MAX = 100
FILTERS = {"running": "Running", "cancelled": "Cancelled", "all": "All"}
HITS = 10  # subscriptions the site's search lists before "All matching"


@dataclass(frozen=True)
class Row:
    """One subscription as the list shows it."""

    id: int
    product: str
    vendor: str
    kind: str
    renews_on: date | None
    renewal: str
    renewal_class: str
    seats: str
    per_year_cents: int | None
    owner: str
    cancelled: bool


def renewal_words(subscription: Subscription, today: date) -> tuple[str, str]:
    """ "in 12 days", "Past renewal", "Cancelled, ends 31 Jan 2027", and a CSS
    class for the warnings (the states come from rules.py)."""
    if rules.is_cancelled(subscription):
        ends = subscription.ended_on
        if ends is None:
            return "Cancelled", "muted"
        verb = "ends" if ends >= today else "ended"
        return f"Cancelled, {verb} {ends.strftime('%d %b %Y')}", "muted"
    if subscription.renews_on is None:
        return "No renewal date", "muted"
    if rules.past_renewal(subscription, today):
        return "Past renewal", "overdue-text"
    days = (subscription.renews_on - today).days
    when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    return when, ("due-soon" if rules.reminder_from(subscription) <= today else "")


def _in_use():
    return (
        SubscriptionSeat.select(fn.COUNT(SubscriptionSeat.id))
        .where(
            SubscriptionSeat.subscription == Subscription.id, SubscriptionSeat.freed_at.is_null()
        )
        .alias("in_use")
    )


def _owner_name(subscription: Subscription) -> str:
    if subscription.owner_id is not None:
        return subscription.owner.name
    if subscription.owner_team_id is not None:
        return subscription.owner_team.name
    return ""


def _query(text: str, show: str):
    owner, team = User.alias("owner"), Team.alias("owner_team")
    query = (
        Subscription.select(Subscription, Vendor, owner, team, _in_use())
        .join(Vendor)
        .switch(Subscription)
        .join(owner, JOIN.LEFT_OUTER, on=(Subscription.owner == owner.id))
        .switch(Subscription)
        .join(team, JOIN.LEFT_OUTER, on=(Subscription.owner_team == team.id))
    )
    if show == "running":
        query = query.where(Subscription.cancelled_at.is_null())
    elif show == "cancelled":
        query = query.where(Subscription.cancelled_at.is_null(False))
    words = " ".join(text.split()).lower()
    if words:
        query = query.where(
            fn.LOWER(Subscription.product).contains(words) | fn.LOWER(Vendor.name).contains(words)
        )
    return query


def _row(s: Subscription, today: date) -> Row:
    renewal, css = renewal_words(s, today)
    return Row(
        s.id,
        s.product,
        s.vendor.name,
        SUBSCRIPTION_KINDS.get(s.kind, s.kind),
        None if rules.is_cancelled(s) else s.renews_on,
        renewal,
        css,
        rules.seats_text(s.seats, s.in_use),
        rules.cost_per_year_cents(s.cost_cents, s.period),
        _owner_name(s),
        rules.is_cancelled(s),
    )


def listing(text: str, show: str, page: int, today: date) -> dict:
    """The list: one page of rows, by renewal date, and the year's cost of
    every subscription the search and filter match."""
    text = text[:SEARCH_MAX]
    show = show if show in FILTERS else "running"
    query = _query(text, show)
    order = (Subscription.renews_on.asc(nulls="LAST"), fn.LOWER(Subscription.product))
    query = query.order_by(*order, Subscription.id).offset((page - 1) * PER_PAGE)
    rows = [_row(s, today) for s in query.limit(PER_PAGE + 1)]
    costs = _query(text, show).select(Subscription.cost_cents, Subscription.period).tuples()
    per_year = [rules.cost_per_year_cents(cost, period) for cost, period in costs]
    return {
        "rows": rows[:PER_PAGE],
        "more": len(rows) > PER_PAGE,
        "page": page,
        "text": text,
        "show": show,
        "filters": FILTERS,
        "total_per_year_cents": sum(c for c in per_year if c is not None),
        "matched": len(per_year),
        "any_at_all": Subscription.select().exists() if not per_year else True,
    }


@dataclass
class Detail:
    """Everything one subscription's page shows."""

    subscription: Subscription
    vendor: str
    kind: str
    period: str
    owner: str
    renewal: str
    renewal_class: str
    seats_text: str
    seats_free: int | None
    per_year_cents: int | None
    per_month_cents: int | None
    has_key: bool
    cancelled: bool
    next_renewal: date | None
    held: list = field(default_factory=list)
    people: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    history: list = field(default_factory=list)


def detail(subscription_id: int, today: date) -> Detail | None:
    s = (
        _query("", "all").where(Subscription.id == subscription_id).first()
    )  # with its vendor, owner and seats in use
    if s is None:
        return None
    held = seats.of_subscription(s.id)
    renewal, css = renewal_words(s, today)
    holding = {h.person_id for h in held}
    people = [
        (u.id, u.name)
        for u in User.select(User.id, User.name)
        .where(User.active == True)  # noqa: E712
        .order_by(fn.LOWER(User.name), User.id)
        if u.id not in holding
    ]
    return Detail(
        subscription=s,
        vendor=s.vendor.name,
        kind=SUBSCRIPTION_KINDS.get(s.kind, s.kind),
        period=SUBSCRIPTION_PERIODS.get(s.period, s.period),
        owner=_owner_name(s),
        renewal=renewal,
        renewal_class=css,
        seats_text=rules.seats_text(s.seats, len(held)),
        seats_free=rules.seats_free(s, len(held)),
        per_year_cents=rules.cost_per_year_cents(s.cost_cents, s.period),
        per_month_cents=rules.cost_per_month_cents(s.cost_cents, s.period),
        has_key=bool(s.licence_key),
        cancelled=rules.is_cancelled(s),
        next_renewal=None if rules.is_cancelled(s) else rules.next_renewal(s),
        held=held,
        people=people,
        documents=documents.of_subscription(s.id),
        history=history.lines(s.id),
    )


def person_seats(person_id: int, today: date) -> list[seats.Held]:
    """The seats a person holds now, for their page and their home, each with
    where its subscription stands (cancelled, ended, not started)."""
    return [replace(h, standing=rules.standing(h, today)) for h in seats.of_person(person_id)]


def search_hits(text: str) -> list[tuple[int, str, str]]:
    """(id, product, vendor) of the subscriptions whose product or vendor holds
    the searched words, for the register's search box (leads)."""
    if not " ".join((text or "").split()):
        return []
    query = (
        _query(text[:SEARCH_MAX], "all")
        .order_by(fn.LOWER(Subscription.product), Subscription.id)
        .limit(HITS + 1)
    )
    return [(s.id, s.product, s.vendor.name) for s in query]


def vendor_list() -> list[vendors.Listed]:
    return vendors.vendors()


def form_choices(owner_id: int | None = None) -> tuple[list, list, list]:
    """The add/edit form's lists: vendors, people (active, and the current
    owner even if not), teams."""
    from ..register import teams

    people = list(
        User.select(User.id, User.name)
        .where((User.active == True) | (User.id == owner_id))  # noqa: E712
        .order_by(fn.LOWER(User.name), User.id)
        .tuples()
    )
    return vendors.options(), people, teams.options()


def form_data(subscription: Subscription) -> dict:
    """A subscription as the edit form starts (never its licence key)."""
    owner = ""
    if subscription.owner_id is not None:
        owner = f"person-{subscription.owner_id}"
    elif subscription.owner_team_id is not None:
        owner = f"team-{subscription.owner_team_id}"
    return {
        "vendor": subscription.vendor_id,
        "product": subscription.product,
        "kind": subscription.kind,
        "seats": subscription.seats,
        "cost": subscription.cost_cents,
        "period": subscription.period,
        "starts_on": subscription.starts_on,
        "renews_on": subscription.renews_on,
        "auto_renews": subscription.auto_renews,
        "remind_days": subscription.remind_days,
        "owner": owner,
        "notes": subscription.notes,
        "version": subscription.version,
    }


def is_seat_of(subscription_id: int, seat_id: int) -> bool:
    """Whether a seat (given out or freed) belongs to this subscription."""
    return (
        SubscriptionSeat.select()
        .where(SubscriptionSeat.id == seat_id, SubscriptionSeat.subscription == subscription_id)
        .exists()
    )
