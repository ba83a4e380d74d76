"""Importing subscriptions: the second kind of import, through the same steps
as assets. The upload is kept, decoded and read by imports.py and decoding.py,
headers are matched by headers.Columns, cells read as the asset import reads
money and dates (cells.py), placeholders and formula apostrophes taken off as
there (plan.py); each row is checked by the subscriptions' own rule
(subscriptions.rules.check_fields), previewed, and applied in one write by the
subscriptions' own services, every row or none.

A row is an existing subscription when its ID is one, else when one
subscription has its vendor and product; otherwise it is new. Vendors and
owners must exist: an import makes neither."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from peewee import fn

from ..database import write
from ..errors import Invalid
from ..models import Setting, Subscription, SubscriptionSeat, Team, User, Vendor
from ..subscriptions import subscriptions
from ..subscriptions.subscriptions import FIELDS as KEPT
from . import imports, rules
from . import subscription_columns as sc
from . import values as iv
from .apply import Summary
from .plan import _cells, choose_date_order
from .preview import Preview, RowPlan

KIND = "subscriptions"
NO_VENDOR = "no vendor called “{name}”. Add it under Vendors first."
NO_VENDOR_COLUMN = "No column is the vendor: choose one (every subscription has a vendor)."
NO_PRODUCT_COLUMN = "No column is the product: choose one (every subscription has a name)."
DAMAGED = "The column mapping is damaged; choose the columns again."
CHANGE_WORDS = {"vendor_id": "Vendor", "owner_id": "Owner", "owner_team_id": "Owner (team)"}
# A new row's values where its file says nothing (the form's defaults).
DEFAULTS: dict[str, object] = dict(
    kind="saas",
    seats=None,
    cost_cents=None,
    period="year",
    starts_on=None,
    renews_on=None,
    auto_renews=False,
    remind_days=None,
    owner_id=None,
    owner_team_id=None,
    notes="",
)


@dataclass
class Row(RowPlan):
    """One row's plan: `values` are check_fields' keyword arguments as the row
    would leave them, `key` a licence key for a new one."""

    subscription_id: int | None = None
    version: int = 0
    key: str = ""
    said: list[str] = field(default_factory=list)  # errors before "Row N: "

    @property
    def title(self) -> str:
        return str(self.values.get("product") or "")


@dataclass
class _Lookup:
    """The register's vendors, owners and subscriptions, read once per plan."""

    vendors: dict[str, int]
    teams: dict[str, int]
    people: dict[str, list[int]]
    emails: dict[str, int]
    by_id: dict[int, Subscription]
    by_name: dict[tuple[int, str], list[int]]
    in_use: Counter
    names: dict[str, dict[int, str]] = field(default_factory=dict)

    def shown(self, name: str, value) -> str:
        """A value as the preview's list of changes says it (names, not ids)."""
        if value is None:
            return ""
        return self.names.get(name, {}).get(value, str(value))

    @classmethod
    def read(cls) -> _Lookup:
        people: dict[str, list[int]] = {}
        emails = {}
        for i, name, email in User.select(User.id, User.name, User.email).tuples():
            people.setdefault(" ".join(name.lower().split()), []).append(i)
            if email:
                emails[email.lower()] = i
        subs = {s.id: s for s in Subscription.select()}
        by_name: dict[tuple[int, str], list[int]] = {}
        for s in subs.values():
            by_name.setdefault((s.vendor_id, s.product.lower()), []).append(s.id)
        used = (
            SubscriptionSeat.select(SubscriptionSeat.subscription, fn.COUNT(SubscriptionSeat.id))
            .where(SubscriptionSeat.freed_at.is_null())
            .group_by(SubscriptionSeat.subscription)
            .tuples()
        )
        vendors = dict(Vendor.select(Vendor.id, Vendor.name).tuples())
        teams = dict(Team.select(Team.id, Team.name).tuples())
        return cls(
            vendors={n.lower(): i for i, n in vendors.items()},
            teams={n.lower(): i for i, n in teams.items()},
            people=people,
            emails=emails,
            by_id=subs,
            by_name=by_name,
            in_use=Counter(dict(used)),
            names={
                "vendor_id": vendors,
                "owner_team_id": teams,
                "owner_id": dict(User.select(User.id, User.name).tuples()),
            },
        )


def _read(row: Row, cells: dict[str, str], order: str | None, look: _Lookup) -> dict:
    """The row's cells as values, each problem one of its errors."""
    out: dict = {}
    for name, text in cells.items():
        if not text:
            continue
        if len(text) > sc.limit(name):
            row.said.append(f"{sc.label(name)} is longer than {sc.limit(name)} characters.")
            continue
        try:
            if name in sc.DATE_FIELDS:
                out[name] = iv.parse_date(text, order)
            elif name == "cost_cents":
                out[name] = iv.parse_cost(text)
            elif name == "seats":
                out[name] = sc.read_seats(text)
            elif name in ("remind_days", "id"):
                out[name] = sc.read_count(text, name)
            elif name == "kind":
                out[name] = sc.read_kind(text)
            elif name == "period":
                out[name] = sc.read_period(text)
            elif name == "auto_renews":
                out[name] = sc.read_yes_no(text)
            else:
                out[name] = " ".join(text.split()) if name != "notes" else text
        except ValueError as exc:
            message = str(exc)
            if name in sc.DATE_FIELDS or name == "cost_cents":
                message = f"{sc.label(name)}: {message}"
            row.said.append(message)
    if "vendor" in out:
        found = look.vendors.get(out["vendor"].lower())
        if found is None:
            row.said.append(NO_VENDOR.format(name=out["vendor"]))
        out["vendor_id"] = found
    _owner(row, out, look)
    return out


def _owner(row: Row, out: dict, look: _Lookup) -> None:
    """The owner cell (a team's name or a person's) and the owner email, as ids."""
    email, name = out.pop("owner_email", ""), out.pop("owner", "")
    if email:
        person = look.emails.get(email.lower())
        if person is None:
            row.said.append(f"Owner: nobody has the email “{email}”.")
        out["owner_id"], out["owner_team_id"] = person, None
    elif name:
        plain, marked = rules.person_from_cell(name)
        team = look.teams.get(plain.lower())
        people = look.people.get(" ".join(plain.lower().split()), [])
        if team is not None and marked is None:
            out["owner_id"], out["owner_team_id"] = None, team
        elif marked in people or len(people) == 1:
            out["owner_id"], out["owner_team_id"] = marked or people[0], None
        elif people:
            row.said.append(f"Owner: several people are called “{plain}”: give their email.")
        else:
            row.said.append(f"Owner: no person or team is called “{plain}”.")


def _target(row: Row, got: dict, look: _Lookup) -> Subscription | None:
    """The subscription the row is, if any: by ID (when that one has the row's
    vendor or product, so a file from another tagtrail cannot overwrite a
    different subscription that has its number), else by vendor and product."""
    by_id = look.by_id.get(got.get("id", 0))
    if by_id is not None and (
        by_id.vendor_id == got.get("vendor_id")
        or by_id.product.lower() == got.get("product", "").lower()
    ):
        return by_id
    if got.get("vendor_id") is None or not got.get("product"):
        return None
    same = look.by_name.get((got["vendor_id"], got["product"].lower()), [])
    if len(same) > 1:
        row.said.append(
            f"Several subscriptions are called “{got['product']}” from {got['vendor']}: "
            "add the ID column to say which."
        )
    return look.by_id[same[0]] if len(same) == 1 else None


def _check(row: Row, got: dict, current: Subscription | None, look: _Lookup) -> None:
    """The row checked by the subscriptions' rule: its values as they would be kept."""
    values: dict
    if current is None:
        values = dict(DEFAULTS, vendor_id=None, product="")
        in_use = 0
    else:
        values = {name: getattr(current, name) for name in KEPT}
        in_use = look.in_use.get(current.id, 0)
    values |= {k: v for k, v in got.items() if k in KEPT}
    if "seats" in got:  # "unlimited" is a value; a blank cell is not
        values["seats"] = got["seats"]
    try:
        fields = subscriptions.rules.check_fields(**values, seats_in_use=in_use)
    except Invalid as exc:
        if row.said and "vendor" in exc.errors and got.get("vendor"):
            del exc.errors["vendor"]  # said already: no such vendor
        row.said.extend(exc.errors.values())
        return
    row.values = {name: getattr(fields, name) for name in KEPT}
    if current is None:
        row.action = "new"
        row.key = got.get("licence_key", "")
        return
    row.subscription_id, row.version = current.id, current.version
    row.changes = {
        CHANGE_WORDS.get(name) or sc.label(name): (
            look.shown(name, getattr(current, name)),
            look.shown(name, value),
        )
        for name, value in row.values.items()
        if getattr(current, name) != value
    }
    row.action = "update" if row.changes else "unchanged"


def plan(table: iv.Table, mapping: list[str], date_order: str | None = None) -> Preview:
    """What importing the table would do. Reads the database, writes nothing."""
    order, ask = choose_date_order(table, mapping, date_order, date_fields=sc.DATE_FIELDS)
    mapping = (list(mapping) + [""] * len(table.headers))[: len(table.headers)]
    preview = Preview(table.headers, mapping, order, ask, [])
    preview.encoding = table.encoding
    preview.encoding_guessed = table.encoding_guessed
    preview.encoding_chosen = table.encoding_chosen
    named = [name for name in mapping if name]
    if any(name not in sc.FIELDS for name in named) or len(named) != len(set(named)):
        preview.problems.append(DAMAGED)
    if "vendor" not in named:
        preview.problems.append(NO_VENDOR_COLUMN)
    if "product" not in named:
        preview.problems.append(NO_PRODUCT_COLUMN)
    if ask:
        preview.problems.append(rules.DATE_ORDER_PROBLEM)
    if preview.problems and not ask:
        return preview
    look = _Lookup.read()
    seen: dict[object, int] = {}
    for line, cells in table.rows:
        row = Row(line)
        if line == table.cut_short:
            row.said.append(rules.cut_short_words(line, len(cells), len(table.headers)))
        got = _read(row, _cells(cells, mapping), order, look)
        current = _target(row, got, look)
        if not row.said:
            _check(row, got, current, look)
        which = current.id if current else (got.get("vendor_id"), got.get("product", "").lower())
        if not row.said and which in seen:
            row.said.append(f"this is the same subscription as row {seen[which]}.")
        seen.setdefault(which, line)
        if row.said:
            row.action = "error"
            row.errors = [f"Row {line}: {m[:1].lower()}{m[1:]}" for m in row.said]
            row.values = row.values or {"product": got.get("product", "")}
        preview.rows.append(row)
    return preview


def _apply(preview: Preview, actor: User) -> Summary:
    summary = Summary()
    for row in preview.rows:
        assert isinstance(row, Row)
        if row.action == "new":
            subscriptions.create(row.values, actor=actor, licence_key=row.key, kind="imported")
            summary.new += 1
        elif row.action == "update":
            assert row.subscription_id is not None
            subscriptions.update(row.subscription_id, row.values, version=row.version, actor=actor)
            summary.updated += 1
        else:
            summary.unchanged += 1
    return summary


class _Rollback(Exception):
    def __init__(self, summary: Summary):
        self.summary = summary


def _done_key(token: str) -> str:
    return f"subscription-import:{token}"


def already_imported(token: str) -> bool:
    return Setting.select().where(Setting.key == _done_key(token)).exists()


def confirm(
    folder: Path,
    token: str,
    table: iv.Table,
    *,
    actor: User,
    mapping: list[str] | None,
    date_order: str | None,
    dry_run: bool = False,
) -> Summary:
    """Import every row or none, in one write, planned again inside it; a dry
    run does it all and rolls it back. Confirming twice imports once."""
    mapping = mapping or sc.COLUMNS.mapping(table.headers)
    try:
        with write():
            if already_imported(token):
                return Summary(already=True)
            checked = plan(table, mapping, date_order)
            if not checked.ok:
                raise imports.Blocked(checked)
            summary = _apply(checked, actor)
            Setting.create(key=_done_key(token), value="imported")
            if dry_run:
                raise _Rollback(summary)
    except _Rollback as rollback:
        rollback.summary.dry_run = True
        return rollback.summary
    imports.discard(folder, token)
    return summary


def preview(table: iv.Table, mapping: list[str] | None, date_order: str | None) -> Preview:
    return plan(table, mapping or sc.COLUMNS.mapping(table.headers), date_order)


def check_mapping_form(values: list[str], width: int) -> list[str]:
    """A mapping sent back by the preview page's form, checked for shape."""
    if len(values) != width or any(v and v not in sc.FIELDS for v in values):
        raise Invalid({"mapping": DAMAGED})
    return values
