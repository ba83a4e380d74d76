"""The asset register: create, edit, find. Every change writes an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import JOIN, SQL, Entity, IntegrityError, Node, NodeList, Select, Value, fn

from ..audits import rules as audit_rules
from ..custody import condition as custody_condition
from ..custody import servicing
from ..database import is_sqlite, write
from ..errors import Conflict, Invalid, NotFound
from ..models import STATUS_LABELS, Asset, Category, Event, Location, Team, User, utcnow
from ..ops import money
from ..prepared import Prepared
from ..replacement import life
from ..reservations import rules as reservation_rules
from . import (
    attention,
    custom_fields,
    custom_search,
    events,
    places,
    teams_rules,
    text_search,
)

# Fields a lead edits on the register form, in the order the form shows them.
EDITABLE = (
    "name",
    "category",
    "team",
    "condition",
    "manufacturer",
    "model_name",
    "serial",
    "purchase_date",
    "cost_cents",
    "supplier",
    "warranty_end",
    "order_number",
    "external_tag",
    "service_interval_days",
    "notes",
)
TEXT_FIELDS = ("manufacturer", "model_name", "supplier", "order_number", "external_tag", "notes")


def _serial_clash(exc: IntegrityError) -> Invalid:
    """The unique index caught a duplicate serial our own check could not see
    (another process wrote it between). Any other integrity error is a bug."""
    if "serial" not in str(exc):
        raise exc
    return Invalid({"serial": "That serial number is already on another asset."})


def stale() -> Conflict:
    return Conflict(
        "Someone else changed this asset while you were editing. "
        "Their changes are shown below; make yours again."
    )


def _resolve(values: dict, *, exclude_id: int | None = None, asset: Asset | None = None) -> dict:
    """Check references and uniqueness; turn ids into rows. Call inside write().

    values["custom"], if there, maps custom field ids to typed text: it comes back
    checked, as ("custom", (parsed, current values)), for write_values."""
    errors: dict[str, str] = {}
    out = dict(values)
    if "name" in out or exclude_id is None:  # required on create; edits may omit it
        out["name"] = (out.get("name") or "").strip()
        if not out["name"]:
            errors["name"] = "Give the asset a name."
    for text in TEXT_FIELDS:
        if text in out:
            out[text] = (out[text] or "").strip()
    if "category" in out:
        cid = out["category"]
        out["category"] = Category.get_or_none(Category.id == cid) if cid else None
        if cid and out["category"] is None:
            errors["category"] = "That category does not exist."
    if "team" in out:
        tid = out["team"]
        out["team"] = Team.get_or_none(Team.id == tid) if tid else None
        if tid and out["team"] is None:
            errors["team"] = "That team does not exist."
    if "location" in out:
        lid = out["location"]
        out["location"] = Location.get_or_none(Location.id == lid) if lid else None
        if lid and out["location"] is None:
            errors["location"] = "That location does not exist."
    if "condition" in out:
        try:
            out["condition"] = custody_condition.clean(out["condition"])
        except Invalid as exc:
            errors.update(exc.errors)
    cost = out.get("cost_cents")
    if cost is not None and cost < 0:
        errors["cost_cents"] = "Cost cannot be negative."
    elif money.too_large(cost):
        errors["cost_cents"] = money.TOO_LARGE
    try:
        servicing.check_interval(out.get("service_interval_days"))
    except Invalid as exc:
        errors.update(exc.errors)
    serial = None
    if "serial" in out:
        serial = out["serial"] = (out["serial"] or "").strip() or None
    if serial:
        clash = Asset.select(Asset.code).where(fn.LOWER(Asset.serial) == serial.lower())
        if exclude_id is not None:
            clash = clash.where(Asset.id != exclude_id)
        other = clash.first()
        if other:
            errors["serial"] = f"Serial {serial} is already on asset {other.code}."
    if "category" in out:
        category_id = out["category"].id if out["category"] else None
    else:
        category_id = asset.category_id if asset else None
    if asset is not None and category_id != asset.category_id:
        out.setdefault("custom", {})  # values of fields the new category lacks are emptied
    if "custom" in out:
        current = custom_fields.current_values(asset.id) if asset else {}
        parsed, custom_errors = custom_fields.check_values(category_id, out["custom"], current)
        errors.update(custom_errors)
        out["custom"] = (parsed, current)
    if errors:
        raise Invalid(errors)
    return out


def create_asset(values: dict, *, actor: User, code: str | None = None) -> Asset:
    """Add an asset with a fresh code (or a given unbound one) and a `created` event."""
    try:
        with write():
            fields = _resolve(values)
            custom = fields.pop("custom", None)
            if code is None:
                code = places.unique_code()
            elif Asset.select().where(Asset.code == code).exists():
                raise Conflict(f"Code {code} is already in use.")
            asset = Asset(code=code, **fields)
            asset.service_due_on = servicing.due_on(asset, asset.category)
            life.set_on(asset, asset.category)
            asset.save(force_insert=True)
            snapshot = {k: events.plain(v) for k, v in fields.items() if v not in (None, "")}
            if custom:
                added = custom_fields.write_values(asset, *custom)
                snapshot.update({k: after for k, (_, after) in added.items()})
            events.record(
                "created", asset=asset, actor=actor, location=asset.location, data=snapshot
            )
            return asset
    except IntegrityError as exc:
        raise _serial_clash(exc) from exc


def update_asset(code: str, values: dict, *, version: int, actor: User) -> dict:
    """Apply an edit made against `version`. Returns the changes, {} when none."""
    try:
        with write():
            asset = Asset.get_or_none(Asset.code == code)
            if asset is None:
                raise NotFound("No such asset.")
            if asset.version != version:
                raise stale()
            fields = _resolve(values, exclude_id=asset.id, asset=asset)
            new_location = fields.pop("location", asset.location)
            custom = fields.pop("custom", None)
            changes = {}
            for name, after in fields.items():
                before = getattr(asset, name)
                if before != after:
                    changes[name] = [events.plain(before), events.plain(after)]
                    setattr(asset, name, after)
            if custom:
                changes.update(custom_fields.write_values(asset, *custom))
            # The interval, the category or the purchase date may have moved it.
            asset.service_due_on = servicing.due_on(asset, asset.category)
            life.set_on(asset, asset.category)
            moved = (new_location.id if new_location else None) != asset.location_id
            if not changes and not moved:
                return {}
            if changes:
                events.record("edited", asset=asset, actor=actor, data=changes)
            if moved:
                before = asset.location
                asset.location = new_location
                events.record(
                    "moved",
                    asset=asset,
                    actor=actor,
                    location=new_location,
                    data={"from": events.plain(before), "to": events.plain(new_location)},
                )
                changes["location"] = [events.plain(before), events.plain(new_location)]
            asset.version += 1
            asset.updated_at = utcnow()
            asset.save()
            return changes
    except IntegrityError as exc:
        raise _serial_clash(exc) from exc


def _in_context():
    """Assets with their category, holder, location and keeping team, in one query."""
    return (
        Asset.select(Asset, Category, User, Location, Team)
        .join(Category, JOIN.LEFT_OUTER)
        .switch(Asset)
        .join(User, JOIN.LEFT_OUTER, on=(Asset.holder == User.id))
        .switch(Asset)
        .join(Location, JOIN.LEFT_OUTER)
        .switch(Asset)
        .join(Team, JOIN.LEFT_OUTER, on=(Asset.team == Team.id))
    )


@dataclass(frozen=True, slots=True)
class Listed:
    """An asset as a list shows it (assets/_rows.html): its name and code, its
    status (and whether it is overdue), the names of its holder and place, and
    the dates the dashboard's lists add. Plain values, not a model: turning 50
    joined rows into models cost as much as the query that found them, and a
    page that needs another field says so loudly rather than reading None."""

    id: int
    code: str
    name: str
    status: str
    holder_id: int | None
    due_back: date | None
    warranty_end: date | None
    service_due_on: date | None
    holder_name: str | None
    location_id: int | None

    @property
    def location_label(self) -> str:
        """Its place as a list shows it: the name, or as much of the path as tells
        it from another place of that name (places.location_labels)."""
        return places.location_label(self.location_id)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


def _listed():
    """The query of Listed rows, in Listed's order, in one query."""
    return Asset.select(
        Asset.id,
        Asset.code,
        Asset.name,
        Asset.status,
        Asset.holder,
        Asset.due_back,
        Asset.warranty_end,
        Asset.service_due_on,
        User.name,
        Asset.location,
    ).join(User, JOIN.LEFT_OUTER, on=(Asset.holder == User.id))


def _rows(query) -> list[Listed]:
    return [Listed(*row) for row in query.tuples()]


@Prepared
def _by_code(code):
    return _in_context().where(Asset.code == code).limit(1)


def get_by_code(code: str) -> Asset | None:
    """The asset with its category, holder and location, in one query."""
    return _by_code.first(code)


def codes_by_old_tag(text: str, limit: int = 2) -> list[str]:
    """The codes of assets whose old tag (the external tag an import kept from
    another system) is `text`, case ignored; at most `limit`."""
    text = " ".join(text.split())
    if not text:
        return []
    query = Asset.select(Asset.code).where(fn.LOWER(Asset.external_tag) == text.lower())
    return [code for (code,) in query.limit(limit).tuples()]


HISTORY_PAGE = 15  # entries per page on the asset page (it must stay under 10 KB)


def history(asset: Asset, page: int = 1, per_page: int = HISTORY_PAGE) -> tuple[list[Event], bool]:
    """One page of an asset's events, newest first, and whether older ones exist.

    Actor, holder and location come in the same query, so the page's query
    count does not grow with the history.
    """
    page = max(page, 1)
    rows = _history(asset.id, per_page + 1, (page - 1) * per_page)
    return rows[:per_page], len(rows) > per_page


@Prepared
def _history(asset_id, limit, offset):
    Actor = User.alias("actor")
    Holder = User.alias("holder")
    return (
        Event.select(
            Event, Actor.id, Actor.name, Holder.id, Holder.name, Location.id, Location.name
        )
        .join(Actor, JOIN.LEFT_OUTER, on=(Event.actor == Actor.id))
        .switch(Event)
        .join(Holder, JOIN.LEFT_OUTER, on=(Event.holder == Holder.id))
        .switch(Event)
        .join(Location, JOIN.LEFT_OUTER, on=(Event.location == Location.id))
        .where(Event.asset == asset_id)
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(limit)
        .offset(offset)
    )


@dataclass
class Search:
    text: str = ""
    status: str = ""
    category_id: int | None = None
    location_id: int | None = None
    holder_id: int | None = None
    # The department (teams_rules): a team's id, or no_team for "No team".
    team_id: int | None = None
    no_team: bool = False
    page: int = 1
    per_page: int = 50
    audit_due_days: int | None = None  # last audited longer ago than this, or never
    unseen_days: int | None = None  # no tick or custody event for this long
    # The dashboard's other lists; `today` is the organisation's date.
    today: date | None = None
    warranty_days: int | None = None  # warranty ends within this many days
    service_due: bool = False  # service overdue or due soon
    open_fault: bool = False  # has a fault nobody has closed yet
    needs_check: bool = False  # returned, waiting for its category's check
    # Custom fields: the filters asked for, and the fields the search box looks in.
    custom: custom_search.Custom | None = None
    # Free over this period for anyone to book (reservations' rule).
    free: reservation_rules.Wanted | None = None


def search(s: Search) -> tuple[list[Listed], int]:
    """One page of the register and the total count that matched."""
    query = _listed()
    conditions = []
    text = s.text.strip()
    if text:
        conditions.append(text_search.condition(text, s.custom.searched if s.custom else []))
    if s.status:
        conditions.append(Asset.status == s.status)
    joins = custom_search.joins(s.custom.filters) if s.custom else []
    if s.category_id:
        conditions.append(Asset.category == s.category_id)
    if s.location_id:
        conditions.append(Asset.location.in_(places.subtree_ids(s.location_id)))
    if s.holder_id:
        conditions.append(Asset.holder == s.holder_id)
    if s.team_id or s.no_team:
        conditions.append(teams_rules.in_team_sql(s.team_id if s.team_id else None))
    if s.audit_due_days:
        conditions.append(audit_rules.due_sql(s.audit_due_days, utcnow()))
    if s.unseen_days:
        conditions.append(attention.not_seen(s.unseen_days, utcnow()))
    order = [fn.LOWER(Asset.name), Asset.id]
    today = s.today or date.today()
    if s.open_fault:
        conditions.append(attention.has_open_fault())
    if s.needs_check:
        conditions.append(custody_condition.needs_check_sql())
    if s.warranty_days:
        conditions.append(attention.warranty_ending(today, s.warranty_days))
        order.insert(0, Asset.warranty_end)
    if s.service_due:
        conditions.append(attention.service_due(today))
        order.insert(0, Asset.service_due_on)
    if s.free:
        conditions.append(reservation_rules.free_sql(s.free))
    by_name = len(order) == 2  # the register's own order, which has an index
    offset = (s.page - 1) * s.per_page
    scan = text and not text_search.indexed(text)
    if scan or (s.custom and custom_search.scans(s.custom.filters)):
        # Searching without the word-part index reads every asset's own fields
        # whatever is asked (and text ignoring case, every value of its field),
        # so one scan gives the page's ids and the total riding along (a window
        # count); then those rows in full with their category, holder and place.
        ids = Asset.select(Asset.id, fn.COUNT(SQL("*")).over().alias("matches"))
        ids = _page(ids, conditions, joins, order, s, walk=False, by_name=by_name, scan=True)
        page = list(ids.tuples())
        if not page:
            return [], (_count(conditions, joins, s)[0] if s.page > 1 else 0)
        by_id = {row.id: row for row in _rows(query.where(Asset.id.in_([i for i, _ in page])))}
        return [by_id[i] for i, _ in page], page[0][1]
    # Else the count comes from indexes alone, and the page with it: read in name
    # order from its index, testing each asset as it comes, when enough of the
    # register matches that a page turns up soon; else the matches are listed
    # and sorted. The page's rows come in full in the same query.
    total, everything = _count(conditions, joins, s)
    if offset >= total:
        return [], total
    narrowed = conditions or joins
    walk = by_name and (not narrowed or _walk_is_cheaper(total, everything, offset + s.per_page))
    ids = _page(Asset.select(Asset.id), conditions, joins, order, s, walk=walk, by_name=by_name)
    return _rows(query.where(Asset.id.in_(ids)).order_by(*_sort(order, by_name))), total


# Walking the name index costs about a third of listing and sorting per asset:
# walk when reading (offset + page) × all / matches entries is cheaper than
# sorting the matches.
WALK_COST = 3


def _walk_is_cheaper(matches: int, everything: int, upto: int) -> bool:
    return upto * everything <= WALK_COST * matches * matches


def _count(conditions: list, joins: list, s: Search) -> tuple[int, int]:
    """How many assets match, and (on SQLite, for choosing the plan) how many
    entries a walk would read from (every asset, or the category's), in one
    statement. A single custom filter is counted in its own index, the search
    box alone in the word-part index. PostgreSQL counts only by reading the
    table, and chooses its plan itself: it is told 0."""
    everything: Node = Value(0)
    if is_sqlite():
        everything = Asset.select(fn.COUNT(SQL("*")))
        if s.category_id:
            everything = everything.where(Asset.category == s.category_id)
    matches = None
    if not conditions and not joins:
        matches = Asset.select(fn.COUNT(SQL("*")))
    elif not conditions and s.custom:
        matches = custom_search.count_alone(s.custom.filters)
    elif len(conditions) == 1 and not joins and text_search.indexed(text := s.text.strip()):
        matches = text_search.count_alone(text, s.custom.searched if s.custom else [])
    if matches is None:
        matches = _narrowed(Asset.select(fn.COUNT(SQL("*"))), conditions, joins)
    both = Select(columns=[matches.alias("matches"), everything.alias("everything")])
    return tuple(both.bind(Asset._meta.database).tuples().get())


def _sort(order: list, by_name: bool, scan: bool = False) -> list:
    """`order` for SQLite's planner to sort by rather than read from the name index
    (a leading `+` hides the index). With `scan` (every asset is read anyway),
    PostgreSQL's too: `|| ''` (the same text) hides it, else it walks the whole
    index to the page's end, reading every row, many times slower than a sort."""
    if not by_name:
        return order
    if is_sqlite():
        return [NodeList((SQL("+"), order[0]), glue=""), *order[1:]]
    if scan:
        return [order[0].concat(""), *order[1:]]
    return order


def _narrowed(query, conditions: list, joins: list):
    """`query` of Asset joined to the custom values its filters ask for, and the
    other conditions."""
    for value, on, looked_up in joins:
        if looked_up and is_sqlite():
            value = _IndexedBy(value, custom_search.LOOKUP_INDEX)
        # (Select's own join: the model query's wants a model to join to.)
        query = Select.join(query, value, JOIN.INNER, on)
    for condition in conditions:
        query = query.where(condition)
    return query


def _page(
    ids,
    conditions: list,
    joins: list,
    order: list,
    s: Search,
    *,
    walk: bool,
    by_name: bool,
    scan: bool = False,
):
    """The query for one page of ids (with whatever `ids` selects beside), in
    `order`. On SQLite the plan is told (the planner cannot know how many assets
    a filter matches): walking the name index, or listing the matches and sorting
    them. PostgreSQL weighs that from its statistics."""
    if is_sqlite() and walk:
        # A category's assets are read in order from their own index: their names
        # often sit together, far from where the name index starts.
        walked = "asset_category_id_lower_name_id" if s.category_id else "asset_lower_name_id"
        ids = ids.from_(_IndexedBy(Asset, walked))
    elif not walk:
        order = _sort(order, by_name, scan)
    return _narrowed(ids, conditions, joins).order_by(*order).paginate(s.page, s.per_page)


class _IndexedBy(Node):
    """SQLite's `table INDEXED BY index` (in FROM or a join)."""

    def __init__(self, model, index: str):
        self.model, self.index = model, index

    def __sql__(self, ctx):
        ctx.sql(self.model)
        return ctx.literal(" INDEXED BY ").sql(Entity(self.index))
