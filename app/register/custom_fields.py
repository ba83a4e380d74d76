"""Custom fields (leads define them) and each asset's values of them.

What a name, a kind or a value may be, and which fields apply to an asset, are
custom_field_rules.py's. A changed value is part of the asset's `edited` event,
keyed "cf:<field name>" with its old and new text, like any other field; the
asset service (assets.py) calls `check_values` and `write_values` inside its own
transaction, so the version check and the event cover them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import JOIN, IntegrityError, fn

from ..database import write
from ..errors import Invalid, NotFound
from ..models import Asset, Category, CustomField, CustomValue, User, utcnow
from ..prepared import Prepared
from . import custom_field_rules as rules
from . import events

# The prefix of a custom value's key in an `edited` event's data.
EVENT_PREFIX = "cf:"


def input_name(field_id: int) -> str:
    """The form input (and error key) of one field's value."""
    return f"cf-{field_id}"


@dataclass(frozen=True)
class Shown:
    """One field with one asset's value, as a page or form shows it."""

    field_id: int
    name: str
    kind: str
    choices: tuple[str, ...]
    category_id: int | None
    category: str  # the category's name, "" for every asset
    text: str  # the kept value, "" for none
    display: str  # as a page shows it

    @property
    def day(self) -> date | None:
        """A date field's value as a date, for the page to write it the usual way."""
        return date.fromisoformat(self.text) if self.kind == "date" and self.text else None

    @property
    def input(self) -> str:
        return input_name(self.field_id)


@dataclass(frozen=True)
class Problem:
    """A value a field change would not keep: on which asset, and why."""

    code: str
    asset: str
    text: str
    reason: str


class WouldNotConvert(Invalid):
    """A field change that would lose values: nothing was changed."""

    def __init__(self, problems: list[Problem]):
        count = len(problems)
        which = "1 value" if count == 1 else f"{count} values"
        super().__init__(
            {"": f"{which} would not convert. Fix them on their assets, or drop them."}
        )
        self.problems = problems


# --- fields ---------------------------------------------------------------


def all_fields() -> list[CustomField]:
    """Every field in order, its category joined."""
    query = (
        CustomField.select(CustomField, Category)
        .join(Category, JOIN.LEFT_OUTER)
        .order_by(CustomField.position, CustomField.id)
    )
    return list(query)


def with_counts() -> list[tuple[CustomField, int]]:
    """Every field in order with how many assets have a value of it: two queries."""
    counts = dict(
        CustomValue.select(CustomValue.field, fn.COUNT(CustomValue.id))
        .group_by(CustomValue.field)
        .tuples()
    )
    return [(f, counts.get(f.id, 0)) for f in all_fields()]


def get_field(field_id: int) -> CustomField | None:
    return CustomField.get_or_none(CustomField.id == field_id)


def fields_for(category_id: int | None) -> list[CustomField]:
    """The fields that apply to an asset of this category, in order."""
    query = (
        CustomField.select()
        .where(rules.applies_sql(category_id))
        .order_by(CustomField.position, CustomField.id)
    )
    return list(query)


def _checked(name: str, kind: str, choices, category_id: int | None, field_id: int | None):
    """Name, kind and choices checked, the category looked up; Invalid naming each
    bad one. Call inside write()."""
    errors: dict[str, str] = {}
    cleaned: list[str] = []
    try:
        name = rules.check_name(name)
    except ValueError as exc:
        errors["name"] = str(exc)
    try:
        kind = rules.check_kind(kind)
        cleaned = rules.check_choices(kind, choices)
    except ValueError as exc:
        errors["choices" if kind == "choice" else "kind"] = str(exc)
    category = None
    if category_id is not None:
        category = Category.get_or_none(Category.id == category_id)
        if category is None:
            errors["category"] = "That category does not exist."
    if "name" not in errors:
        others = CustomField.select(CustomField.id, CustomField.name)
        if field_id is not None:
            others = others.where(CustomField.id != field_id)
        if any(rules.same_name(name, o.name) for o in others):
            errors["name"] = NAME_TAKEN
    if errors:
        raise Invalid(errors)
    return name, kind, cleaned, category


NAME_TAKEN = "There is already a field with that name."


def _name_clash(exc: IntegrityError) -> Invalid:
    """The unique index on names caught what the check above could not see (someone
    else added the name between). Any other integrity error is a bug."""
    if "custom_field_lower_name" not in str(exc):
        raise exc
    return Invalid({"name": NAME_TAKEN})


def create_field(
    name: str,
    kind: str,
    *,
    choices=(),
    category_id: int | None = None,
    on_labels: bool = False,
    actor: User | None = None,
) -> CustomField:
    """Add a field at the end of the order."""
    try:
        return _create_field(name, kind, choices, category_id, on_labels, actor)
    except IntegrityError as exc:
        raise _name_clash(exc) from exc


def _create_field(name, kind, choices, category_id, on_labels, actor) -> CustomField:
    with write():
        if CustomField.select().count() >= rules.FIELDS_MAX:
            raise Invalid({"": f"There can be at most {rules.FIELDS_MAX} custom fields."})
        name, kind, cleaned, category = _checked(name, kind, choices, category_id, None)
        last = CustomField.select(fn.MAX(CustomField.position)).scalar()
        field = CustomField.create(
            name=name,
            kind=kind,
            choices=cleaned,
            category=category,
            position=(last or 0) + 1,
            on_labels=bool(on_labels),
        )
        events.record(
            "custom_field_added",
            actor=actor,
            note=name,
            data={"name": [None, name], "kind": [None, rules.KIND_LABELS[kind]]},
        )
        return field


def _problems(field: CustomField, kind: str, choices: list[str], category_id: int | None):
    """Each value of `field` that would not survive the change, and each value
    that would be kept in a new form: (problems, {value id: parsed})."""
    rows = (
        CustomValue.select(CustomValue, Asset.code, Asset.name, Asset.category)
        .join(Asset)
        .where(CustomValue.field == field.id)
        .order_by(Asset.code)
    )
    problems: list[Problem] = []
    converted: dict[int, rules.Parsed] = {}
    for value in rows:
        asset = value.asset
        if category_id is not None and asset.category_id != category_id:
            reason = "Its asset is not in the field's category."
            problems.append(Problem(asset.code, asset.name, value.text, reason))
            continue
        try:
            converted[value.id] = rules.parse_custom_value(kind, choices, value.text)
        except ValueError as exc:
            problems.append(Problem(asset.code, asset.name, value.text, str(exc)))
    return problems, converted


def change_problems(
    field_id: int, kind: str, choices=(), category_id: int | None = None
) -> list[Problem]:
    """The values a change of kind, choices or category would not keep (for the
    page to show before the lead decides)."""
    field = get_field(field_id)
    if field is None:
        raise NotFound("No such field.")
    try:
        kind = rules.check_kind(kind)
        cleaned = rules.check_choices(kind, choices)
    except ValueError:
        return []
    return _problems(field, kind, cleaned, category_id)[0]


def update_field(
    field_id: int,
    name: str,
    kind: str,
    *,
    choices=(),
    category_id: int | None = None,
    on_labels: bool = False,
    drop: bool = False,
    actor: User | None = None,
) -> CustomField:
    """Change a field. A new kind, choices or category that some values do not
    fit raises WouldNotConvert (listing them) and changes nothing, unless `drop`:
    then those values are removed. Every value that changes (converted to the new
    kind's form, or dropped) is an `edited` event on its asset."""
    try:
        return _update_field(field_id, name, kind, choices, category_id, on_labels, drop, actor)
    except IntegrityError as exc:
        raise _name_clash(exc) from exc


def _update_field(field_id, name, kind, choices, category_id, on_labels, drop, actor):
    with write():
        field = CustomField.get_or_none(CustomField.id == field_id)
        if field is None:
            raise NotFound("No such field.")
        name, kind, cleaned, category = _checked(name, kind, choices, category_id, field.id)
        problems, converted = _problems(field, kind, cleaned, category_id)
        if problems and not drop:
            raise WouldNotConvert(problems)
        before = {
            "name": field.name,
            "kind": rules.KIND_LABELS[field.kind],
            "choices": "; ".join(field.choices or []),
            "category": field.category.name if field.category_id else "All assets",
            "on_labels": "yes" if field.on_labels else "no",
        }
        old_name = field.name
        field.name, field.kind, field.choices = name, kind, cleaned
        field.category, field.on_labels = category, bool(on_labels)
        field.save()
        after = {
            "name": name,
            "kind": rules.KIND_LABELS[kind],
            "choices": "; ".join(cleaned),
            "category": category.name if category else "All assets",
            "on_labels": "yes" if on_labels else "no",
        }
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if changes:
            events.record("custom_field_changed", actor=actor, note=old_name, data=changes)
        _rewrite_values(field, converted, actor)
        return field


def _rewrite_values(field: CustomField, keep: dict[int, rules.Parsed], actor) -> None:
    """Store each kept value in its new form and remove the rest, with an event on
    each asset whose value changed."""
    key = EVENT_PREFIX + field.name
    for value in CustomValue.select().where(CustomValue.field == field.id):
        new = keep.get(value.id)
        if new is None:
            value.delete_instance()
            _edited(value.asset_id, {key: [value.text, None]}, actor)
            continue
        text, number, day = new
        if (text, number, day) == (value.text, value.number, value.day):
            continue
        CustomValue.update(text=text, number=number, day=day).where(
            CustomValue.id == value.id
        ).execute()
        if text != value.text:
            _edited(value.asset_id, {key: [value.text, text]}, actor)


def _edited(asset_id: int, data: dict, actor) -> None:
    """An `edited` event on an asset changed from outside its form, whose version
    moves on so an open form of it cannot overwrite the change."""
    asset = Asset.get_by_id(asset_id)
    events.record("edited", asset=asset, actor=actor, data=data)
    Asset.update(version=Asset.version + 1, updated_at=utcnow()).where(
        Asset.id == asset_id
    ).execute()


def move_field(field_id: int, step: int) -> None:
    """Move a field one place up (step -1) or down (+1) in the order."""
    with write():
        order = [
            f.id
            for f in CustomField.select(CustomField.id).order_by(
                CustomField.position, CustomField.id
            )
        ]
        if field_id not in order:
            raise NotFound("No such field.")
        at = order.index(field_id)
        to = max(0, min(len(order) - 1, at + (1 if step > 0 else -1)))
        order.insert(to, order.pop(at))
        for position, fid in enumerate(order, start=1):
            CustomField.update(position=position).where(CustomField.id == fid).execute()


def value_count(field_id: int) -> int:
    return CustomValue.select().where(CustomValue.field == field_id).count()


def delete_field(field_id: int, *, actor: User | None = None) -> int:
    """Remove a field and every value of it; returns how many values went. The
    register's history keeps one event naming the field and the count."""
    with write():
        field = CustomField.get_or_none(CustomField.id == field_id)
        if field is None:
            raise NotFound("No such field.")
        dropped = CustomValue.delete().where(CustomValue.field == field.id).execute()
        field.delete_instance()
        events.record(
            "custom_field_removed",
            actor=actor,
            note=field.name,
            data={"name": [field.name, None], "values": [dropped, 0]},
        )
        return dropped


# --- values ---------------------------------------------------------------


def check_values(
    category_id: int | None, raw: dict[int, str | None], current: dict[int, str]
) -> tuple[dict[CustomField, rules.Parsed], dict[str, str]]:
    """Parse typed values for an asset of this category: ({field: parsed},
    {input name: message}). `raw` maps field id to text; None means an unticked
    yes/no box, which is "no" when the asset had a value and stays blank when it
    had none. A field that does not apply to the category is an error unless
    blank; a value the asset has of one (its category is changing) is emptied,
    so values exist only where their field applies, and the asset's history
    records each one emptied. Call inside write()."""
    parsed: dict[CustomField, rules.Parsed] = {}
    errors: dict[str, str] = {}
    wanted = set(raw) | set(current)
    if not wanted:
        return parsed, errors
    fields = {f.id: f for f in CustomField.select().where(CustomField.id.in_(list(wanted)))}
    for field_id in current:
        field = fields.get(field_id)
        if field is not None and not rules.applies(field, category_id):
            parsed[field] = rules.BLANK
    for field_id, text in raw.items():
        field = fields.get(field_id)
        if field is None:
            continue  # removed while the form was open: nothing to keep
        if not rules.applies(field, category_id):
            if (text or "").strip():
                where = field.category.name if field.category_id else ""
                errors[input_name(field_id)] = f"This field is for {where} only."
            continue
        if text is None:
            text = "no" if current.get(field_id) else ""
        try:
            parsed[field] = rules.parse_custom_value(field.kind, field.choices, text)
        except ValueError as exc:
            errors[input_name(field_id)] = str(exc)
    return parsed, errors


def current_values(asset_id: int) -> dict[int, str]:
    """An asset's kept values by field id."""
    query = CustomValue.select(CustomValue.field, CustomValue.text).where(
        CustomValue.asset == asset_id
    )
    return {field_id: text for field_id, text in query.tuples()}


def write_values(
    asset: Asset, parsed: dict[CustomField, rules.Parsed], current: dict[int, str]
) -> dict[str, list]:
    """Store checked values on an asset (inside the caller's write()); returns the
    changes for its `edited` event, {"cf:<name>": [before, after]}. The caller
    records the event and moves the asset's version."""
    changes: dict[str, list] = {}
    for field, (text, number, day) in parsed.items():
        before = current.get(field.id)
        if (before or "") == text:
            continue
        if not text:
            CustomValue.delete().where(
                CustomValue.asset == asset.id, CustomValue.field == field.id
            ).execute()
        elif before is None:
            CustomValue.create(asset=asset, field=field, text=text, number=number, day=day)
        else:
            CustomValue.update(text=text, number=number, day=day).where(
                CustomValue.asset == asset.id, CustomValue.field == field.id
            ).execute()
        changes[EVENT_PREFIX + field.name] = [before or None, text or None]
    return changes


def set_values(
    code: str, raw: dict[int, str | None], *, version: int | None = None, actor: User | None = None
) -> dict[str, list]:
    """Change some of one asset's values in their own transaction, with the
    `edited` event; `version`, if given, must be the asset's. Returns the changes."""
    from .assets import stale  # the one wording of a stale form

    with write():
        asset = Asset.get_or_none(Asset.code == code)
        if asset is None:
            raise NotFound("No such asset.")
        if version is not None and asset.version != version:
            raise stale()
        current = current_values(asset.id)
        parsed, errors = check_values(asset.category_id, raw, current)
        if errors:
            raise Invalid(errors)
        changes = write_values(asset, parsed, current)
        if changes:
            _edited(asset.id, changes, actor)
        return changes


def _shown(field: CustomField, text: str) -> Shown:
    return Shown(
        field.id,
        field.name,
        field.kind,
        tuple(field.choices or ()),
        field.category_id,
        field.category.name if field.category_id else "",
        text,
        rules.shown(field.kind, text),
    )


def values_for(asset: Asset) -> list[Shown]:
    """The asset's filled-in values of the fields that apply to it, in order:
    one query, built once (the asset page opens on every scan)."""
    return [
        Shown(field_id, name, kind, (), None, "", text, rules.shown(kind, text))
        for field_id, name, kind, text in _values(asset.id, asset.category_id)
    ]


@Prepared
def _values(asset_id, category_id):
    return (
        CustomField.select(CustomField.id, CustomField.name, CustomField.kind, CustomValue.text)
        .join(
            CustomValue,
            on=((CustomValue.field == CustomField.id) & (CustomValue.asset == asset_id)),
        )
        .where(rules.applies_sql(category_id))
        .order_by(CustomField.position, CustomField.id)
        .tuples()
    )


def form_fields(asset: Asset | None, typed: dict[int, str | None] | None = None) -> list[Shown]:
    """Every field for the asset form, in order, with the asset's value (or what
    was typed, when the form comes back): the page shows those of the chosen
    category and hides the rest."""
    current = current_values(asset.id) if asset is not None else {}
    shown = []
    for field in all_fields():
        text = current.get(field.id, "")
        if typed is not None and field.id in typed:
            text = typed[field.id] or ""
        shown.append(_shown(field, text))
    return shown


def on_labels(asset_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """For label printing: each asset's values of fields marked for labels, as
    (name, value shown) in order; assets with none are left out. One query."""
    if not asset_ids:
        return {}
    query = (
        CustomValue.select(CustomValue.asset, CustomField.name, CustomField.kind, CustomValue.text)
        .join(CustomField)
        .where(CustomField.on_labels, CustomValue.asset.in_(asset_ids))
        .order_by(CustomField.position, CustomField.id)
    )
    out: dict[int, list[tuple[str, str]]] = {}
    for asset_id, name, kind, text in query.tuples():
        out.setdefault(asset_id, []).append((name, rules.shown(kind, text)))
    return out
