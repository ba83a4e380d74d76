"""What an import needs to know about the register, read once up front: a
10,000-row file must not cost 10,000 queries."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from peewee import chunked

from ..models import Asset, Category, Kit, LabelCode, Location, Team, User
from . import rules

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


# A typed location as it resolved: its path, and when a start of it could be
# several places, that start and their whole paths (else both empty).
Resolved = tuple[list[str], list[str], list[list[str]]]


class PlaceEnds:
    """Places by every shorter end of their paths, ignoring case: ("office",) and
    ("main site", "office") end Site > Main site > Office."""

    def __init__(self) -> None:
        self.ends: dict[tuple[str, ...], list[list[str]]] = defaultdict(list)

    def add(self, path: list[str]) -> None:
        key = tuple(p.lower() for p in path)
        for start in range(1, len(key)):
            self.ends[key[start:]].append(path)

    def ending(self, parts: list[str]) -> list[list[str]]:
        """The whole paths of the places whose path ends with `parts`."""
        return self.ends.get(tuple(p.lower() for p in parts), [])


def resolve_path(parts: list[str], named: Callable[[list[str]], list[list[str]]]) -> Resolved:
    """A typed path as `named` knows the places: the longest start of it that
    names one place, written out whole, then the rest as typed, to be made under
    it ("Office > Cupboard": Main site > Office > Cupboard); as typed when no
    start of it names a place."""
    for cut in range(len(parts), 0, -1):
        found = named(parts[:cut])
        if len(found) == 1:
            return found[0] + parts[cut:], [], []
        if found:
            return parts, parts[:cut], found
    return parts, [], []


class Lookup:
    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.code_by_id: dict[int, str] = {}
        self.by_serial: dict[str, int] = {}
        self.by_tag: dict[str, int] = {}
        self.taken_codes: set[str] = set()
        self.categories: dict[str, int] = {}
        self.category_names: dict[int, str] = {}
        self.teams: dict[str, int] = {}  # by name, lower case
        self.team_names: dict[int, str] = {}
        self.locations: dict[int, tuple[str, int | None]] = {}
        self.path_ids: dict[tuple[str, ...], int] = {}
        # The register's places as it was read, not as the import adds to them.
        self.path_ends = PlaceEnds()
        self.users_by_email: dict[str, tuple[int, bool]] = {}
        self.users_by_name: dict[str, list[tuple[int, bool]]] = defaultdict(list)
        self.user_names: dict[int, str] = {}
        self.unidentified: list[tuple] = []  # assets with neither serial nor tag
        self._holders: dict[int, int] | None = None  # asset → holder, read when needed

    @classmethod
    def load(cls) -> Lookup:
        look = cls()
        rows = Asset.select(
            Asset.id,
            Asset.code,
            Asset.serial,
            Asset.external_tag,
            Asset.name,
            Asset.category,
            Asset.location,
            Asset.manufacturer,
            Asset.model_name,
        ).tuples()
        for team_id, name in Team.select(Team.id, Team.name).tuples():
            look.teams[name.lower()] = team_id
            look.team_names[team_id] = name
        for asset_id, code, serial, tag, name, category, location, maker, model in rows:
            look.by_code[code] = asset_id
            look.code_by_id[asset_id] = code
            if serial:
                look.by_serial[serial.lower()] = asset_id
            if tag:
                look.by_tag.setdefault(tag.lower(), asset_id)
            if not serial and not tag:
                look.unidentified.append((asset_id, name, category, location, maker, model))
        look.taken_codes = set(look.by_code)
        look.taken_codes.update(c for (c,) in Location.select(Location.code).tuples())
        look.taken_codes.update(c for (c,) in LabelCode.select(LabelCode.code).tuples())
        look.taken_codes.update(c for (c,) in Kit.select(Kit.code).tuples())
        for category_id, name in Category.select(Category.id, Category.name).tuples():
            look.categories[name.lower()] = category_id
            look.category_names[category_id] = name
        for location_id, name, parent in Location.select(
            Location.id, Location.name, Location.parent
        ).tuples():
            look.locations[location_id] = (name, parent)
        for location_id in sorted(look.locations):  # the oldest of two same-named wins
            key = tuple(p.lower() for p in look.location_path(location_id))
            look.path_ids.setdefault(key, location_id)
        for location_id in look.path_ids.values():
            look.path_ends.add(look.location_path(location_id))
        for user_id, email, name, active in User.select(
            User.id, User.email, User.name, User.active
        ).tuples():
            if email:
                look.users_by_email[email.lower()] = (user_id, active)
            look.users_by_name[name.strip().lower()].append((user_id, active))
            look.user_names[user_id] = name
        return look

    def code_of(self, asset_id: int) -> str:
        return self.code_by_id.get(asset_id, "?")

    def location_path(self, location_id: int | None) -> list[str]:
        parts: list[str] = []
        seen: set[int] = set()  # a cycle in a damaged tree ends where it repeats
        while location_id in self.locations and location_id not in seen:
            seen.add(location_id)
            name, location_id = self.locations[location_id]
            parts.append(name)
        return parts[::-1]

    def location_id(self, parts: list[str]) -> int | None:
        return self.path_ids.get(tuple(p.lower() for p in parts))

    def resolve_location(self, parts: list[str]) -> Resolved:
        """A typed path as the register knows it (`resolve_path`)."""
        return resolve_path(parts, self.locations_named)

    def locations_named(self, parts: list[str]) -> list[list[str]]:
        """The whole paths of the locations a typed path names, ignoring case: the
        one it is the whole path of, else each one whose path ends with it, so
        "Office" finds Main site > Office rather than making a second Office."""
        key = tuple(p.lower() for p in parts)
        if key in self.path_ids:
            return [self.location_path(self.path_ids[key])]
        return self.path_ends.ending(parts)

    def person_name(self, ref) -> str:
        if ref is None:
            return "—"
        if isinstance(ref, tuple):
            return f"{ref[2] or ref[1]} (new)"
        return self.user_names.get(ref, "?")

    def resolve_holder(self, plan, preview) -> None:
        """ "Checked out to" (a name or an email) and "Holder email" to a person.
        Someone unknown becomes a new holder (a person who never signs in)."""
        name = plan.values.pop("holder", "")
        email = plan.values.pop("holder_email", "").lower()
        person = None
        if name and not email:  # "Sam Lee (#12)": one of several called that
            name, person = rules.person_from_cell(name)
        # A file with a holder email column keeps emails there: "@" in a name is a name.
        if "@" in name and not email and not person and "holder_email" not in preview.mapping:
            email, name = name.lower(), ""
        if not name and not email:
            return
        if email and not _EMAIL.match(email):
            plan.errors.append(f"“{email}” is not an email address.")
            return
        found = None
        if email:
            found = self.users_by_email.get(email)
        else:
            matches = self._people_called(name, person, plan.asset_id)
            if len(matches) > 1:
                plan.errors.append(f"Several people are called {name}: give their email.")
                return
            found = matches[0] if matches else None
        if found is None:
            key = ("new", email, name.lower()) + ((person,) if person else ())
            preview.new_people.setdefault(key, (name or email.split("@")[0], email))
            plan.values["holder_ref"] = key
            return
        user_id, active = found
        if not active:
            who = self.user_names[user_id]
            plan.errors.append(f"{who} is deactivated: they cannot hold items.")
            return
        plan.values["holder_ref"] = user_id

    def _people_called(self, name: str, person: int | None, asset_id: int | None) -> list:
        """Who a holder name means: the person its mark names, if still called
        that; else everyone so called, or of several the asset's holder now."""
        matches = self.users_by_name.get(name.lower(), [])
        marked = [m for m in matches if m[0] == person]
        if marked or len(matches) < 2:
            return marked or matches
        if self._holders is None:
            query = Asset.select(Asset.id, Asset.holder).where(Asset.holder.is_null(False))
            self._holders = dict(query.tuples())
        now = self._holders.get(asset_id) if asset_id else None
        return [m for m in matches if m[0] == now] or matches

    def match_unidentified(self, plans) -> None:
        """Rows with no code, tag or serial match assets with none either that
        have the same name, category, maker, model and location; identical rows
        are counted, so importing ten chairs twice still gives ten chairs."""
        waiting = [
            p
            for p in plans
            if not p.asset_id
            and not p.code
            and not p.values.get("serial")
            and not p.values.get("external_tag")
        ]
        if not waiting:
            return
        pool: dict[tuple, list[int]] = defaultdict(list)
        claimed = {p.asset_id for p in plans if p.asset_id}  # found by code already
        for asset_id, name, category, location, maker, model in sorted(self.unidentified):
            if asset_id in claimed:
                continue
            key = (
                name.lower(),
                self.category_names.get(category, "").lower(),
                tuple(p.lower() for p in self.location_path(location)),
                (maker or "").lower(),
                (model or "").lower(),
            )
            pool[key].append(asset_id)
        for plan in waiting:
            values = plan.values
            key = (
                values.get("name", "").lower(),
                values.get("category", "").lower(),
                tuple(p.lower() for p in values.get("location", [])),
                values.get("manufacturer", "").lower(),
                values.get("model_name", "").lower(),
            )
            if pool.get(key):
                plan.asset_id = pool[key].pop(0)

    def assets_by_id(self, ids: set[int]) -> dict[int, Asset]:
        out: dict[int, Asset] = {}
        for chunk in chunked(sorted(ids), 500):
            for asset in Asset.select().where(Asset.id.in_(chunk)):
                out[asset.id] = asset
        return out
