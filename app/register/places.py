"""Locations (a tree: site > building > room > shelf) and categories."""

from __future__ import annotations

import time
from typing import NamedTuple, TypeVar

from peewee import IntegrityError, fn

from .. import codes
from ..custody import servicing
from ..database import write
from ..errors import Invalid, NotFound
from ..models import Asset, Category, Kit, LabelCode, Location, User
from ..ops import money
from ..replacement import life
from . import events
from .rules import MAX_LOCATION_DEPTH, TOO_DEEP

T = TypeVar("T")


def unique_code() -> str:
    """A random code no asset, kit, location or printed label has ever had. Call
    inside write(), so that nobody else can take it before it is stored."""
    while True:
        code = codes.generate()
        if not (
            Asset.select().where(Asset.code == code).exists()
            or Location.select().where(Location.code == code).exists()
            or LabelCode.select().where(LabelCode.code == code).exists()
            or Kit.select().where(Kit.code == code).exists()
        ):
            return code


# Locations -----------------------------------------------------------------


def _parents() -> dict[int, int | None]:
    return dict(Location.select(Location.id, Location.parent).tuples())


def _depth_first(nodes: list[tuple[int, int | None, T]]) -> list[tuple[T, int]]:
    """Each node's item in depth-first order with its depth; `nodes` are
    (id, parent id, item), siblings in the order given.

    Walked with a stack, not recursion, so a tree deeper than the limit (made
    before it existed) still lists. Places cut off from the top by a damaged
    tree (a cycle) are listed at the top level, so a lead can repair them."""
    children: dict[int | None, list[tuple[int, int | None, T]]] = {}
    for node in nodes:
        children.setdefault(node[1], []).append(node)
    out: list[tuple[T, int]] = []
    seen: set[int] = set()
    tops = children.get(None, []) + [node for node in nodes if node[1] is not None]
    for top in tops:
        if top[0] in seen:
            continue
        stack = [(top, 0)]
        while stack:
            (node_id, _, item), depth = stack.pop()
            if node_id in seen:
                continue
            seen.add(node_id)
            out.append((item, depth))
            stack.extend((child, depth + 1) for child in reversed(children.get(node_id, [])))
    return out


def location_tree() -> list[tuple[Location, int]]:
    """Every location in depth-first order with its depth, from one query (a
    damaged tree still lists whole: see _depth_first)."""
    rows = Location.select().order_by(fn.LOWER(Location.name))
    return _depth_first([(row.id, row.parent_id, row) for row in rows])


class PlaceChoice(NamedTuple):
    """A location in a list to choose from (location_options)."""

    id: int
    name: str
    above: str  # as much of the path above it as tells it apart ("Depot"), or ""
    depth: int  # how far to indent it
    code: str

    @property
    def text(self) -> str:
        """The option's words: its own name first, so a narrow closed list still
        shows it; then, where another place has the name, what it is in
        ("Office (Depot)"); indented by depth, so the open list reads as the tree."""
        within = f" ({self.above})" if self.above else ""
        return "\u2002" * self.depth + self.name + within


def location_options() -> list[PlaceChoice]:
    """Every location in the order of location_tree, for a list to choose from,
    from one query read as plain values (models cost twice as much on a page
    that lists every place)."""
    rows = (
        Location.select(Location.id, Location.name, Location.parent, Location.code)
        .order_by(fn.LOWER(Location.name))
        .tuples()
    )
    telling = _telling(_chains_of({r[0]: (r[1], r[2]) for r in rows}))
    tree = _depth_first(
        [(row_id, parent_id, (row_id, code)) for row_id, _, parent_id, code in rows]
    )
    return [
        PlaceChoice(row_id, telling[row_id][-1], " › ".join(telling[row_id][:-1]), depth, code)
        for (row_id, code), depth in tree
    ]


def subtree_ids(location_id: int) -> list[int]:
    """The location and everything below it (each once, even in a damaged tree)."""
    children: dict[int | None, list[int]] = {}
    for node_id, parent_id in _parents().items():
        children.setdefault(parent_id, []).append(node_id)
    found, seen, stack = [], {location_id}, [location_id]
    while stack:
        node = stack.pop()
        found.append(node)
        for child in children.get(node, []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return found


def _chain(parents: dict[int, int | None], location_id: int) -> tuple[list[int], bool]:
    """The location and the places above it, bottom first; True if it loops."""
    chain: list[int] = []
    seen: set[int] = set()
    node: int | None = location_id
    while node is not None and node in parents:
        if node in seen:
            return chain, True
        seen.add(node)
        chain.append(node)
        node = parents[node]
    return chain, False


# A place inside a cycle has no depth: it counts as deeper than any limit.
_LOOPS = 1 << 30


def location_depth(location_id: int | None, parents: dict | None = None) -> int:
    """How many levels down the location sits (a top-level place is 1; none is 0)."""
    if location_id is None:
        return 0
    chain, loops = _chain(_parents() if parents is None else parents, location_id)
    return _LOOPS if loops else len(chain)


def _height(location_id: int, parents: dict[int, int | None]) -> int:
    """Levels from the location down to the bottom of its subtree (itself alone is 1)."""
    children: dict[int | None, list[int]] = {}
    for node_id, parent_id in parents.items():
        children.setdefault(parent_id, []).append(node_id)
    height, level, seen = 0, [location_id], {location_id}
    while level:
        height += 1
        below = [c for node in level for c in children.get(node, []) if c not in seen]
        seen.update(below)
        level = below
    return height


def _chains() -> dict[int, list[str]]:
    """Each location's names from the top of its tree down to it, from one query."""
    return _chains_of(
        {
            node_id: (name, parent_id)
            for node_id, name, parent_id in Location.select(
                Location.id, Location.name, Location.parent
            ).tuples()
        }
    )


def _chains_of(rows: dict[int, tuple[str, int | None]]) -> dict[int, list[str]]:
    """`_chains` of id -> (name, parent id), walked upwards without recursion (a
    cycle ends where it repeats)."""
    chains: dict[int, list[str]] = {}
    for start in rows:
        chain: list[int] = []
        seen: set[int] = set()
        node: int | None = start
        while node in rows and node not in chains and node not in seen:
            seen.add(node)
            chain.append(node)
            node = rows[node][1]
        above = chains.get(node, []) if node is not None else []
        for node_id in reversed(chain):
            above = chains[node_id] = [*above, rows[node_id][0]]
    return chains


def location_paths(chains: dict[int, list[str]] | None = None) -> dict[int, str]:
    """ "Site › Building › Room" for every location."""
    chains = _chains() if chains is None else chains
    return {node_id: " › ".join(names) for node_id, names in chains.items()}


def location_labels(chains: dict[int, list[str]] | None = None) -> dict[int, str]:
    """Each location's shortest name that tells it from every other, for lists
    that show many: its own name when no other place has it ("Workshop"), else
    with as many of the places above it as it takes ("Depot › Office" beside
    "Main site › Office"); its whole path when nothing shorter will do. Names
    are compared ignoring case, as people read them."""
    telling = _telling(_chains() if chains is None else chains)
    return {node_id: " › ".join(names) for node_id, names in telling.items()}


def _telling(chains: dict[int, list[str]]) -> dict[int, list[str]]:
    """Each location's names from as high up its path as it takes to tell it
    from every other, down to its own (`location_labels`'s words, unjoined)."""
    ends: dict[tuple[str, ...], int] = {}  # how many places' paths end so
    for names in chains.values():
        lowered = tuple(n.lower() for n in names)
        for k in range(1, len(lowered) + 1):
            ends[lowered[-k:]] = ends.get(lowered[-k:], 0) + 1
    telling = {}
    for node_id, names in chains.items():
        lowered = tuple(n.lower() for n in names)
        k = next((k for k in range(1, len(names)) if ends[lowered[-k:]] == 1), len(names))
        telling[node_id] = names[-k:]
    return telling


# The asset page shows a location's path on every scan, and the register's
# lists their labels; the tree changes rarely, so each process keeps them for
# a few seconds. A save in this process clears them; an id not seen yet (made
# by another process, or an import) reloads them at once.
_paths: dict = {"at": 0.0, "paths": {}, "labels": {}}
_PATHS_TTL_SECONDS = 10.0


def clear_path_cache() -> None:
    _paths["at"] = 0.0


def _cached(location_id: int) -> dict:
    now = time.monotonic()
    if now - _paths["at"] > _PATHS_TTL_SECONDS or location_id not in _paths["paths"]:
        chains = _chains()
        _paths["paths"] = location_paths(chains)
        _paths["labels"] = location_labels(chains)
        _paths["at"] = now
    return _paths


def location_path(location_id: int | None) -> str:
    """One location's "Site › Building › Room", from the per-process cache."""
    if not location_id:
        return ""
    return _cached(location_id)["paths"].get(location_id, "")


def location_label(location_id: int | None) -> str:
    """One location's label in a list (`location_labels`), from the same cache."""
    if not location_id:
        return ""
    return _cached(location_id)["labels"].get(location_id, "")


def get_location(location_id: int) -> Location | None:
    return Location.get_or_none(Location.id == location_id)


def location_by_code(code: str) -> Location | None:
    """The location a label's (canonical) code names, if any."""
    return Location.get_or_none(Location.code == code)


def _parent(parent_id: int | None) -> Location | None:
    if parent_id is None:
        return None
    parent = Location.get_or_none(Location.id == parent_id)
    if parent is None:
        raise Invalid({"parent": "That parent location does not exist."})
    return parent


# The longest names the register keeps (the columns' own sizes).
LOCATION_NAME_MAX = Location.name.max_length
CATEGORY_NAME_MAX = Category.name.max_length


def _check_name(name: str, longest: int = LOCATION_NAME_MAX) -> str:
    name = name.strip()
    if not name:
        raise Invalid({"name": "Give a name."})
    if len(name) > longest:
        raise Invalid({"name": f"Keep the name under {longest} characters."})
    return name


def _check_depth(parent: Location | None, height: int = 1) -> None:
    """Refuse a place (with `height` levels of its own) that would sit below the limit."""
    if parent is not None and location_depth(parent.id) + height > MAX_LOCATION_DEPTH:
        raise Invalid({"parent": f"{TOO_DEEP} Choose a parent higher up."})


def create_location(name: str, parent_id: int | None = None) -> Location:
    name = _check_name(name)
    with write():
        parent = _parent(parent_id)
        _check_depth(parent)
        location = Location.create(name=name, parent=parent, code=unique_code())
    clear_path_cache()  # a new place can change how the others are labelled
    return location


def update_location(location_id: int, name: str, parent_id: int | None) -> Location:
    name = _check_name(name)
    with write():
        location = Location.get_or_none(Location.id == location_id)
        if location is None:
            raise NotFound("No such location.")
        parent = _parent(parent_id)
        if parent is not None and parent.id in subtree_ids(location.id):
            raise Invalid({"parent": "A location cannot sit inside itself or its own children."})
        _check_depth(parent, _height(location.id, _parents()))
        location.name = name
        location.parent = parent
        location.save()
    clear_path_cache()
    return location


# Categories ----------------------------------------------------------------


def categories():
    return Category.select().order_by(fn.LOWER(Category.name))


def category_options() -> list[tuple[int, str]]:
    """(id, name) of every category, in the order of categories()."""
    return list(
        Category.select(Category.id, Category.name).order_by(fn.LOWER(Category.name)).tuples()
    )


def get_category(category_id: int) -> Category | None:
    return Category.get_or_none(Category.id == category_id)


CATEGORY_NUMBERS = {
    # field: (lowest, highest, what to say)
    "service_interval_days": (1, 3650, "Give a number of days from 1 to 3650, or leave it blank."),
    "useful_life_months": (1, 600, "Give a number of months from 1 to 600, or leave it blank."),
    "salvage_percent": (0, 100, "Give a percentage from 0 to 100, or leave it blank."),
    # The replacement plan's cost (cents); the same ceiling as any amount.
    "replacement_cost_cents": (
        0,
        money.MAX_CENTS,
        f"Give an amount up to {money.MAX_AMOUNT}, or leave it blank.",
    ),
}


def _category_numbers(values: dict) -> dict:
    errors, out = {}, {}
    for name, value in values.items():
        low, high, message = CATEGORY_NUMBERS[name]  # a caller's typo is a bug: KeyError
        if value is not None and not (isinstance(value, int) and low <= value <= high):
            errors[name] = message
        out[name] = value
    if errors:
        raise Invalid(errors)
    return out


CHECK_MAX = Category.check_after_return.max_length


def _check_after_return(text: str | None) -> str:
    text = " ".join((text or "").split())
    if len(text) > CHECK_MAX:
        raise Invalid({"check_after_return": f"Keep it under {CHECK_MAX} characters."})
    return text


def _checker(checker_id: int | None) -> User | None:
    """The person who may tap "Checked, ready" besides the leads: someone active."""
    if checker_id is None:
        return None
    person = User.get_or_none(User.id == checker_id)
    if person is None or not person.active:
        raise Invalid({"checker": "Choose a person from the list."})
    return person


def save_category(
    name: str,
    category_id: int | None = None,
    *,
    actor: User | None = None,
    check_after_return: str | None = None,
    checker_id: int | None = None,
    signature_required: bool | None = None,
    **numbers,
) -> Category:
    """Add or change a category. A change records an asset-less `edited` event, and a
    new service interval moves the next service date of every asset that follows it
    (one UPDATE, in the same write). `check_after_return` (None: as it is): the
    check each return asks for before the item goes out again; `checker_id`: who
    may do it besides the leads."""
    name = _check_name(name, CATEGORY_NAME_MAX)
    fields: dict = {"name": name, **_category_numbers(numbers)}
    if check_after_return is not None:
        fields["check_after_return"] = _check_after_return(check_after_return)
    if signature_required is not None:  # handing its assets over needs a signature
        fields["signature_required"] = bool(signature_required)
    with write():
        if check_after_return is not None:
            fields["checker"] = _checker(checker_id)
        clash = Category.select().where(fn.LOWER(Category.name) == name.lower())
        if category_id is not None:
            clash = clash.where(Category.id != category_id)
        if clash.exists():
            raise Invalid({"name": "There is already a category with that name."})
        try:
            if category_id is None:
                return Category.create(**fields)
            category = Category.get_or_none(Category.id == category_id)
            if category is None:
                raise NotFound("No such category.")
            changes = {}
            for field, after in fields.items():
                if field == "checker":  # by id, named in the history
                    if category.checker_id != (after.id if after else None):
                        changes[field] = [events.plain(category.checker), events.plain(after)]
                        category.checker = after
                    continue
                before = getattr(category, field)
                if before != after:
                    changes[field] = [before, after]
                    setattr(category, field, after)
            if not changes:
                return category
            category.save()
            if "service_interval_days" in changes:
                servicing.refresh_category(category.id, category.service_interval_days)
            if "useful_life_months" in changes:
                life.refresh_category(category.id, category.useful_life_months)
            events.record("edited", actor=actor, note=f"Category: {category.name}", data=changes)
            return category
        except IntegrityError as exc:
            raise Invalid({"name": "There is already a category with that name."}) from exc
