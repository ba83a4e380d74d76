"""From a table and a column mapping to a plan: for every row, new / update /
unchanged / error, with its errors and the changes it would make. Reads the
database, writes nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ..models import Asset
from ..register.rules import MAX_LOCATION_DEPTH, TOO_DEEP
from . import custom_columns, custom_values, formats, messages, rules
from . import values as iv
from .csvfiles import FORMULA_STARTS
from .lookup import Lookup, PlaceEnds, Resolved, resolve_path
from .preview import Preview, RowPlan

TEXT = ("name", "manufacturer", "model_name", "serial", "supplier", "order_number", "notes")
CONDITIONS = ("faulty", "in_repair", "missing", "retired")


def check_mapping(mapping: list[str]) -> list[str]:
    problems, seen = [], set()
    for name in mapping:
        if name and custom_columns.is_custom(name):
            if not custom_columns.well_formed(name):
                problems.append("The column mapping is damaged; choose the columns again.")
            continue  # checked against the fields there are: custom_columns.resolve
        if name and name not in iv.FIELDS:
            problems.append("The column mapping is damaged; choose the columns again.")
        elif name and name in seen:
            problems.append(f"Two columns are mapped to “{iv.FIELDS[name][0]}”: choose one.")
        seen.add(name)
    if not {"name", "tag", "serial", "external_tag"} & seen:
        problems.append("Map a column to Name (or to a tag or serial, to update assets).")
    return problems


def choose_date_order(
    table: iv.Table,
    mapping: list[str],
    chosen: str | None,
    also=(),
    date_fields: tuple[str, ...] = iv.DATE_FIELDS,
):
    """(order, whether the person must choose): from the choice, else the dates
    (in the date columns, `date_fields` of this kind of import, and the columns
    `also` names: custom date fields)."""
    if chosen in ("dmy", "mdy"):
        return chosen, False
    columns = [i for i, name in enumerate(mapping) if name in date_fields or i in also]
    cells = [row[i] for _, row in table.rows for i in columns if i < len(row)]
    evidence = iv.date_order_evidence(cells)
    if len(evidence) == 1:
        return evidence.pop(), False
    return None, bool(evidence)


def _unescape(cell: str) -> str:
    """Undo the apostrophe our exports put before a cell a spreadsheet would
    run as a formula (app/spreadsheets/csvfiles.py), so that "=SN1" comes back as itself."""
    if cell.startswith("'") and cell[1:2] and cell[1] in FORMULA_STARTS:
        cell = cell[1:]
    return cell.strip()


def _cells(row: list[str], mapping: list[str]) -> dict[str, str]:
    """The row's cells by field, formula apostrophes off and placeholders
    ("N/A", "-", rules.is_placeholder) blank, before anything reads them."""
    cells = {name: _unescape(row[i]) for i, name in enumerate(mapping) if name and i < len(row)}
    return {name: "" if rules.is_placeholder(name, text) else text for name, text in cells.items()}


def _parse(plan: RowPlan, cells: dict[str, str], order: str | None) -> None:
    """Cells to values, each problem an error on the row. Blank cells are left out."""
    values, errors = plan.values, plan.errors
    for name, text in cells.items():
        if not text or rules.is_placeholder(name, text):
            continue
        limit = rules.field_max(name)
        if len(text) > limit:
            errors.append(f"{iv.FIELDS[name][0]} is longer than {limit} characters.")
            continue
        try:
            if name in iv.DATE_FIELDS:
                if name == "warranty_end" and iv.warranty_months(text) is not None:
                    values["warranty_months"] = iv.warranty_months(text)
                else:
                    values[name] = iv.parse_date(text, order)
            elif name == "cost_cents":
                values[name] = iv.parse_cost(text)
            elif name == "status":
                values[name] = iv.parse_status(text)
            elif name == "location":
                values[name] = iv.location_path(text)
                if any(len(part) > 120 for part in values[name]):
                    errors.append("A location name is longer than 120 characters.")
                elif len(values[name]) > MAX_LOCATION_DEPTH:
                    errors.append(f"The location has {len(values[name])} levels. {TOO_DEEP}")
            elif name == "team":
                values[name] = " ".join(text.split())  # as a team's name is kept
            else:
                values[name] = text
        except ValueError as exc:
            errors.append(f"{iv.FIELDS[name][0]}: {exc}")
    months = values.pop("warranty_months", None)
    if months is not None:
        if "purchase_date" in values:
            values["warranty_end"] = iv.add_months(values["purchase_date"], months)
        else:
            errors.append("Warranty is a number of months but the row has no purchase date.")


def _identify(plan: RowPlan, look: Lookup) -> None:
    """Which asset the row is, if any, and the code a new one keeps."""
    values = plan.values
    tag = values.pop("tag", "")
    if tag:
        code = iv.as_code(tag)
        if code and code in look.by_code:
            plan.asset_id = look.by_code[code]
        elif code and code not in look.taken_codes:
            plan.code = code
            plan.tag, plan.tag_kept_as = tag, "code"
        elif values.get("external_tag", tag).lower() != tag.lower():
            plan.errors.append(
                f"Asset tag {tag} is not a free tagtrail code, and the row has another "
                "external tag: which is it?"
            )
        else:
            values["external_tag"] = tag
            plan.tag, plan.tag_kept_as = tag, "old"
    serial = values.get("serial", "").lower()
    if serial and serial in look.by_serial:
        other = look.by_serial[serial]
        if plan.asset_id and other != plan.asset_id:
            serial_text, code = values["serial"], look.code_of(other)
            plan.errors.append(f"Serial {serial_text} is already on asset {code}.")
        plan.asset_id = plan.asset_id or other
    external = values.get("external_tag", "").lower()
    if external and not plan.asset_id and external in look.by_tag:
        plan.asset_id = look.by_tag[external]


def _duplicates(plans: list[RowPlan]) -> None:
    """The same serial, code or tag twice in the file, or two rows for one asset."""
    keys = defaultdict(list)
    for plan in plans:
        for label, value in (
            ("Serial", plan.values.get("serial", "").lower()),
            ("Code", plan.code or ""),
            ("External tag", plan.values.get("external_tag", "").lower()),
            ("Asset", str(plan.asset_id or "")),
        ):
            if value:
                keys[(label, value)].append(plan)
    for (label, _), group in keys.items():
        if len(group) < 2:
            continue
        lines = messages.lines_words(p.line for p in group)
        for plan in group:
            what = "the same asset" if label == "Asset" else f"the same {label.lower()}"
            plan.errors.append(f"Rows {lines} are {what}: keep one.")


def _custody(plan: RowPlan, current: Asset | None) -> None:
    """The status and holder the row asks for, from Status and Checked out to.
    A blank Status keeps the asset's own; a holder alone means checked out."""
    values = plan.values
    status, holder = values.get("status"), values.get("holder_ref")
    now_status = current.status if current else "available"
    now_holder = current.holder_id if current else None
    if now_status == "retired" and (
        status not in (None, "retired") or (holder is not None and status is None)
    ):
        plan.errors.append("This asset is retired; an import cannot bring it back.")
        return
    if values.pop("placed", False) and status == "checked_out" and holder is None:
        status = "available"  # checked out to a place: it is there, with nobody
    if status is None and holder is None:
        status, holder = now_status, now_holder
    elif status is None:
        status = now_status if now_status in CONDITIONS else "checked_out"
    elif status == "available":
        status = "checked_out" if holder is not None else "available"
    elif status == "retired":
        holder = None
    elif holder is None:  # checked out, faulty, in repair, missing: the holder stays
        holder = now_holder
        if status == "checked_out" and holder is None:
            plan.errors.append("Status is Checked out, but “Checked out to” is empty.")
            return
    if "due_back" in values and holder is None:
        plan.errors.append("Due back is set but the item is not checked out to anyone.")
    values["status"], values["holder_ref"] = status, holder


def _show(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return " > ".join(value)
    return str(value)


def _compare(plan: RowPlan, asset: Asset, look: Lookup) -> None:
    values, changes = plan.values, plan.changes
    for name in (*TEXT, "purchase_date", "cost_cents", "warranty_end", "external_tag", "due_back"):
        if name in values and values[name] != getattr(asset, name):
            if name == "serial" and values[name].lower() == (asset.serial or "").lower():
                continue  # the same serial typed in another case
            changes[name] = (_show(getattr(asset, name)), _show(values[name]))
    if "category" in values:
        before = look.category_names.get(asset.category_id, "")
        if before.lower() != values["category"].lower():
            changes["category"] = (_show(before), values["category"])
    if "team" in values:
        before = look.team_names.get(asset.team_id, "")
        if before.lower() != values["team"].lower():
            changes["team"] = (_show(before), values["team"])
    if "location" in values:
        before = look.location_path(asset.location_id)
        if [p.lower() for p in before] != [p.lower() for p in values["location"]]:
            changes["location"] = (_show(before), _show(values["location"]))
    if values["status"] != asset.status:
        changes["status"] = (asset.status, values["status"])
    if values["holder_ref"] != asset.holder_id:
        before, after = asset.holder_id, values["holder_ref"]
        changes["holder"] = (look.person_name(before), look.person_name(after))
    if values["holder_ref"] == asset.holder_id and "due_back" not in values:
        changes.pop("due_back", None)


def _new_team(plan: RowPlan, look: Lookup, preview: Preview, seen: set) -> None:
    """A team the register does not have yet is made by the import, as a category
    is; the preview names it (for updated assets too)."""
    team = plan.values.get("team")
    if team and team.lower() not in look.teams and ("team", team.lower()) not in seen:
        seen.add(("team", team.lower()))
        preview.new_teams.append(team)


def _finish_new(plan: RowPlan, look: Lookup, preview: Preview, seen: set) -> None:
    if not plan.values.get("name"):
        plan.errors.append(messages.NO_NAME)
    values = plan.values
    category = values.get("category")
    if category and category.lower() not in look.categories and category.lower() not in seen:
        seen.add(category.lower())
        preview.new_categories.append(category)
    if "location" in values and look.location_id(values["location"]) is None:
        shown = " > ".join(values["location"])
        if ("location", shown.lower()) not in seen:
            seen.add(("location", shown.lower()))
            preview.new_locations.append(shown)


def plan(
    table: iv.Table,
    mapping: list[str],
    date_order: str | None = None,
    choices: formats.Choices | None = None,
) -> Preview:
    """What importing `table` with `mapping` would do, row by row."""
    mapping = (list(mapping) + [""] * len(table.headers))[: len(table.headers)]
    custom = custom_columns.resolve(table, mapping, custom_columns.all_fields())
    dated = [i for i, c in custom.by_index.items() if c.kind == "date"]
    order, must_choose = choose_date_order(table, mapping, date_order, dated)
    preview = Preview(table.headers, mapping, order, must_choose, [], check_mapping(mapping))
    preview.custom, preview.keepable = custom, custom_columns.keepable(table, mapping)
    for i, problem in custom.problems.items():
        preview.column_problems[i] = problem
        preview.problems.append(problem)
    preview.choices = choices = choices or formats.Choices()
    preview.has_quantity = "quantity" in mapping
    slashes = iv.is_homebox(table.headers)
    preview.encoding = table.encoding
    preview.encoding_guessed = table.encoding_guessed
    preview.encoding_chosen = table.encoding_chosen
    if must_choose:
        preview.problems.append(rules.DATE_ORDER_PROBLEM)
    if preview.problems and not must_choose:
        return preview
    look = Lookup.load()
    plans, unknown = [], []
    for line, row in table.rows:
        plan_ = RowPlan(line)
        if line == table.cut_short:
            plan_.errors.append(rules.cut_short_words(line, len(row), len(table.headers)))
        cells = _cells(row, mapping)
        said = formats.prepare(cells, choices, slashes)
        _parse(plan_, cells, order)
        _known_location(plan_, look)
        custom_values.read_row(plan_, row, custom, order)
        plan_.errors.extend(said.errors)
        plan_.values["placed"] = said.placed
        if said.holder_was:
            plan_.values["holder_was"] = said.holder_was
        if said.unknown_status:
            unknown.append(said.unknown_status)
        _identify(plan_, look)
        look.resolve_holder(plan_, preview)
        plans.append(plan_)
        if not plan_.errors:  # a row in error is said once, not once per copy
            plans.extend(formats.copies(plan_, said.copies))
    _new_places_once(plans, look)
    messages.column_errors(preview, plans)
    preview.unknown_statuses = formats.unknown_statuses(unknown)
    waiting = [v for v in preview.status_values if not v[3]]
    if waiting:
        preview.problems.append(formats.statuses_words(len(waiting)))
    if len(plans) > rules.MAX_ROWS:
        preview.problems.append(rules.too_many_assets_words(len(plans)))
    look.match_unidentified(plans)
    _duplicates(plans)
    current = look.assets_by_id({p.asset_id for p in plans if p.asset_id})
    custom_values.load_current(custom, current)
    seen: set = set()
    for plan_ in plans:
        asset = current.get(plan_.asset_id)
        _custody(plan_, asset)
        _custom_applies(plan_, custom, asset, look)
        if asset is not None:
            plan_.code = asset.code
            if not plan_.errors:
                _compare(plan_, asset, look)
                custom_values.compare(plan_, custom, asset.id)
        else:
            _finish_new(plan_, look, preview, seen)
        if not plan_.errors:
            _new_team(plan_, look, preview, seen)
        if plan_.errors:
            plan_.action = "error"
        elif asset is None:
            plan_.action = "new"
        else:
            plan_.action = "update" if plan_.changes else "unchanged"
    preview.rows, preview.lookup, preview.current = plans, look, current
    messages.name_column(preview)
    return preview


def _known_location(plan_: RowPlan, look: Lookup) -> None:
    """A location typed as the end of one existing place's path is that place,
    and one that starts so is a new place under it (Lookup.resolve_location)."""
    if plan_.values.get("location"):
        _placed(plan_, look.resolve_location(plan_.values["location"]))


def _new_places_once(plans: list[RowPlan], look: Lookup) -> None:
    """A new place a file names once whole and again by its end ("Main site >
    Workshop > Mezzanine", then "Mezzanine") is one new place: a path that no
    start of names an existing place is read against the places the file makes
    under others, as `_known_location` reads it against the register."""
    made = PlaceEnds()  # the places the file makes, but the top-level ones
    seen: set[tuple[str, ...]] = set()
    unplaced = []  # rows whose path would start at the top level, all of it new
    for plan_ in plans:
        path = plan_.values.get("location")
        if not path or look.location_id(path) is not None:
            continue
        for depth in range(2, len(path) + 1):
            key = tuple(p.lower() for p in path[:depth])
            if key not in seen and look.location_id(path[:depth]) is None:
                seen.add(key)
                made.add(path[:depth])
        if look.location_id(path[:1]) is None:
            unplaced.append(plan_)
    for plan_ in unplaced:
        _placed(plan_, resolve_path(plan_.values["location"], made.ending))


def _placed(plan_: RowPlan, resolved: Resolved) -> None:
    """The row's location written out whole from here on (the preview, the
    comparison, the move's event), or an error when a start of it could be
    several places (and then no new place named after it in the preview)."""
    path, start, choices = resolved
    if choices:
        plan_.values.pop("location")
        plan_.errors.append(messages.location_ambiguous(start, choices))
    else:
        plan_.values["location"] = path


def _custom_applies(plan_: RowPlan, custom, asset: Asset | None, look: Lookup) -> None:
    """A custom value for a field of another category than the row's (or, with
    no Category column, the asset's) is an error on the row."""
    if "custom" not in plan_.values:
        return
    if "category" in plan_.values:
        category_id = look.categories.get(plan_.values["category"].lower())
    else:
        category_id = asset.category_id if asset is not None else None
    custom_values.check_applies(plan_, custom, category_id, look.category_names)
