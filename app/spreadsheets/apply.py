"""Carrying out a checked plan: categories, locations and holders it names,
new assets in bulk, updates one by one, and every event that goes with them.
Call inside database.write(), with a plan made inside the same transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from peewee import chunked

from .. import codes
from ..custody import servicing
from ..models import Asset, Category, CustomValue, Event, Fault, Location, Team, User, utcnow
from ..prepared import insert_many
from ..register import custody_intervals, last_use, places, upkeep
from ..register.events import plain
from ..register.rules import UNUSABLE, event_cost
from ..replacement import life
from . import custom_columns, custom_values
from .plan import CONDITIONS, TEXT
from .preview import Preview, RowPlan

CHUNK = 400  # codes per IN (...) when reading back the new assets' ids


FAULT_TEXT = "Marked faulty in a spreadsheet import."
EDITED = (*TEXT, "purchase_date", "cost_cents", "warranty_end", "external_tag")


@dataclass
class Summary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    categories: int = 0
    locations: int = 0
    teams: int = 0
    people: int = 0
    fields: int = 0  # custom fields made
    dry_run: bool = False
    already: bool = False  # this upload was imported before: nothing done now


@dataclass
class _Run:
    preview: Preview
    actor: User | None
    note: str
    now: datetime
    events: list[dict] = field(default_factory=list)
    faults: list[dict] = field(default_factory=list)
    people: dict = field(default_factory=dict)

    @property
    def look(self):
        return self.preview.lookup

    def event(self, kind: str, asset_id: int, **values) -> None:
        data = values.pop("data", None)
        self.events.append(
            {
                "asset": asset_id,
                "kind": kind,
                "actor": self.actor,
                "at": self.now,
                "note": self.note,
                "holder": values.pop("holder", None),
                "from_holder": values.pop("from_holder", None),
                "location": values.pop("location", None),
                "data": data,
                "cost_cents": event_cost(kind, data),
                "key": None,
            }
        )

    def category_id(self, name: str | None) -> int | None:
        if not name:
            return None
        known = self.look.categories.get(name.lower())
        if known is None:
            known = Category.create(name=name, created_at=self.now).id
            self.look.categories[name.lower()] = known
            self.look.category_names[known] = name
        return known

    def team_id(self, name: str | None) -> int | None:
        if not name:
            return None
        known = self.look.teams.get(name.lower())
        if known is None:
            known = Team.create(name=name, created_at=self.now).id
            self.look.teams[name.lower()] = known
            self.look.team_names[known] = name
        return known

    def location_id(self, parts: list[str] | None) -> int | None:
        parent = None
        for depth in range(1, len(parts or []) + 1):
            key = tuple(p.lower() for p in parts[:depth])
            known = self.look.path_ids.get(key)
            if known is None:
                name = parts[depth - 1]
                code = self.fresh_code()
                known = Location.create(name=name, parent=parent, code=code, created_at=self.now).id
                self.look.path_ids[key] = known
                self.look.locations[known] = (parts[depth - 1], parent)
            parent = known
        return parent

    def holder_id(self, ref) -> int | None:
        if not isinstance(ref, tuple):
            return ref
        if ref not in self.people:
            name, email = self.preview.new_people[ref]
            self.people[ref] = User.create(name=name, email=email or None, role="member").id
            self.look.user_names[self.people[ref]] = name
        return self.people[ref]

    def fresh_code(self) -> str:
        while True:
            bits = secrets.randbits(5 * codes.LENGTH)  # one draw per code, not one per character
            code = "".join(codes.ALPHABET[(bits >> (5 * i)) & 31] for i in range(codes.LENGTH))
            if code not in self.look.taken_codes:
                self.look.taken_codes.add(code)
                return code

    def condition_events(self, asset_id: int, before: str, after: str, holder_was: str = ""):
        """Events that take an asset from one condition to another."""
        if before == after:
            return
        if before == "missing":
            self.event("found", asset_id)
        if before in UNUSABLE and after not in UNUSABLE:
            self.event("repaired", asset_id)
            Fault.update(closed_at=self.now).where(
                Fault.asset == asset_id, Fault.closed_at.is_null()
            ).execute()
        if after == "faulty":
            self.event("fault_reported", asset_id, data={"severity": "do_not_use"})
            self.faults.append(
                {
                    "asset": asset_id,
                    "reported_by": self.actor,
                    "reported_at": self.now,
                    "description": FAULT_TEXT,
                    "severity": "do_not_use",
                }
            )
        elif after == "in_repair":
            self.event("repair_started", asset_id)
        elif after == "missing":
            self.event("marked_missing", asset_id)
        elif after == "retired":
            data = {"reason": "other"}
            if holder_was:
                data["holder_was"] = holder_was
            self.event("retired", asset_id, data=data)


def _condition(status: str) -> str:
    return status if status in CONDITIONS else "ok"


def _create_all(run: _Run, plans: list[RowPlan]) -> None:
    for chunk in chunked(plans, CHUNK):
        rows = []
        for plan in chunk:
            v = plan.values
            plan.code = plan.code or run.fresh_code()
            run.look.taken_codes.add(plan.code)
            retired = v["status"] == "retired"
            rows.append(
                {
                    "code": plan.code,
                    "name": v["name"],
                    "category": run.category_id(v.get("category")),
                    "team": run.team_id(v.get("team")),
                    "location": run.location_id(v.get("location")),
                    "holder": run.holder_id(v["holder_ref"]),
                    "status": v["status"],
                    "due_back": v.get("due_back"),
                    "retired_at": run.now if retired else None,
                    "retire_reason": "other" if retired else "",
                    "created_at": run.now,
                    "updated_at": run.now,
                    **{name: v.get(name, "") for name in ("manufacturer", "model_name")},
                    **{name: v.get(name, "") for name in ("supplier", "order_number", "notes")},
                    "external_tag": v.get("external_tag", ""),
                    **{
                        name: v.get(name)
                        for name in ("serial", "purchase_date", "cost_cents", "warranty_end")
                    },
                }
            )
        insert_many(Asset, rows)
        ids = dict(
            Asset.select(Asset.code, Asset.id)
            .where(Asset.code.in_([r["code"] for r in rows]))
            .tuples()
        )
        custom_rows = []
        for plan, row in zip(chunk, rows, strict=True):
            asset_id = ids[plan.code]
            snapshot = {
                k: plain(plan.values[k])
                for k in (*EDITED, "name", "category", "team")
                if plan.values.get(k) not in (None, "")
            }
            values, said = custom_values.new_values(plan, run.preview.custom, asset_id)
            custom_rows += values
            snapshot.update(said)
            if plan.values.get("location"):
                snapshot["location"] = " > ".join(plan.values["location"])
            run.event("created", asset_id, location=row["location"], data=snapshot)
            if row["holder"]:
                due = plan.values.get("due_back")
                data = {"due_back": due.isoformat()} if due else None
                run.event("checked_out", asset_id, holder=row["holder"], data=data)
            holder_was = plan.values.get("holder_was", "")
            run.condition_events(asset_id, "ok", _condition(row["status"]), holder_was)
        insert_many(CustomValue, custom_rows)


def _update(run: _Run, plan: RowPlan, asset: Asset) -> None:
    v, changes = plan.values, plan.changes
    edits = {}
    for name in EDITED:
        if name in changes:
            edits[name] = [plain(getattr(asset, name)), plain(v[name])]
            setattr(asset, name, v[name])
    if "category" in changes:
        edits["category"] = [run.look.category_names.get(asset.category_id), v["category"]]
        asset.category = run.category_id(v["category"])
    if "team" in changes:
        edits["team"] = [run.look.team_names.get(asset.team_id), v["team"]]
        asset.team = run.team_id(v["team"])
    holder_id = run.holder_id(v["holder_ref"])
    if "due_back" in changes and holder_id == asset.holder_id:
        edits["due_back"] = [plain(asset.due_back), plain(v["due_back"])]
        asset.due_back = v["due_back"]
    edits.update(custom_values.write_changes(plan, run.preview.custom, asset))
    if edits:
        run.event("edited", asset.id, data=edits)
    if "location" in changes:
        before = " > ".join(run.look.location_path(asset.location_id)) or None
        asset.location = run.location_id(v["location"])
        run.event(
            "moved",
            asset.id,
            location=asset.location_id,
            data={"from": before, "to": " > ".join(v["location"])},
        )
    before_condition, after_condition = _condition(asset.status), _condition(v["status"])
    if before_condition == "missing" and after_condition != "missing":
        run.condition_events(asset.id, "missing", "ok")
        before_condition = "ok"
    if holder_id != asset.holder_id and after_condition != "retired":
        due = v.get("due_back")
        if asset.holder_id and holder_id:
            data = {"from": run.look.user_names.get(asset.holder_id), "from_id": asset.holder_id}
            data["to"] = run.look.user_names.get(holder_id)
            if due:
                data["due_back"] = due.isoformat()
            run.event(
                "transferred", asset.id, holder=holder_id, from_holder=asset.holder_id, data=data
            )
        elif holder_id:
            data = {"due_back": due.isoformat()} if due else None
            run.event("checked_out", asset.id, holder=holder_id, data=data)
        else:
            run.event("checked_in", asset.id, holder=asset.holder_id, location=asset.location_id)
        asset.holder, asset.due_back = holder_id, due if holder_id else None
    holder_was = run.look.user_names.get(asset.holder_id, "") if asset.holder_id else ""
    holder_was = holder_was or v.get("holder_was", "")
    run.condition_events(asset.id, before_condition, after_condition, holder_was)
    if after_condition == "retired":
        asset.holder, asset.due_back = None, None
        asset.retired_at, asset.retire_reason = run.now, "other"
    asset.status = v["status"]
    asset.version += 1
    asset.updated_at = run.now
    asset.save()


def apply(preview: Preview, *, actor: User | None, note: str, key: str) -> Summary:
    """Write what the plan says; `key` goes on the first event so that the same
    upload confirmed twice is found and skipped."""
    run = _Run(preview, actor, note, utcnow())
    summary = Summary(unchanged=preview.count("unchanged"))
    categories, locations = len(run.look.categories), len(run.look.path_ids)
    teams = len(run.look.teams)
    summary.fields = custom_columns.make_fields(preview.custom, actor)
    _create_all(run, [p for p in preview.rows if p.action == "new"])
    for plan in preview.rows:
        if plan.action == "update":
            _update(run, plan, preview.current[plan.asset_id])
    if run.events:
        run.events[0]["key"] = key
    since = custody_intervals.last_event_id()
    insert_many(Event, run.events)
    custody_intervals.follow_since(since)  # the spells of custody, in the same write
    last_use.follow_since(since)  # and each asset's last use
    upkeep.follow_since(since)  # and what its work has cost
    insert_many(Fault, run.faults)
    _refresh_service_dates(run, preview)
    _refresh_life_ends(preview)
    summary.new, summary.updated = preview.count("new"), preview.count("update")
    summary.events = len(run.events)
    summary.categories = len(run.look.categories) - categories
    summary.locations = len(run.look.path_ids) - locations
    if summary.locations:  # a new place can change how the others are labelled
        places.clear_path_cache()
    summary.teams = len(run.look.teams) - teams
    summary.people = len(run.people)
    return summary


def _refresh_life_ends(preview: Preview) -> None:
    """Imported and updated assets get the end of their useful life."""
    codes_in = [p.code for p in preview.rows if p.action == "new" and p.code]
    ids = [p.asset_id for p in preview.rows if p.action == "update" and p.asset_id]
    for chunk in chunked(codes_in, 500):
        ids += [i for (i,) in Asset.select(Asset.id).where(Asset.code.in_(chunk)).tuples()]
    life.refresh_assets(ids)


def _refresh_service_dates(run: _Run, preview: Preview) -> None:
    """Imported and updated assets get their next service date from their
    category's interval: one UPDATE per category that has one."""
    names = {p.values.get("category") for p in preview.rows if p.action in ("new", "update")}
    ids = {run.category_id(name) for name in names if name}
    if not ids:
        return
    for category_id, interval in (
        Category.select(Category.id, Category.service_interval_days)
        .where(Category.id.in_(list(ids)), Category.service_interval_days.is_null(False))
        .tuples()
    ):
        servicing.refresh_category(category_id, interval)
