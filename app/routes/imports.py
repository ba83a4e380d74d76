"""Importing a spreadsheet (leads): upload, preview with every row's errors, confirm."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..errors import Invalid, TooLarge
from ..permissions import role
from ..spreadsheets import imports, messages
from ..spreadsheets.rules import ENCODINGS
from ..spreadsheets.values import FIELDS
from .helpers import current_actor

bp = Blueprint("imports", __name__, url_prefix="/assets/import")


def _folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _date_order(values) -> str | None:
    order = values.get("dates", "")
    return order if order in ("dmy", "mdy") else None


def _encoding(values) -> str | None:
    return values.get("encoding") or None


def _choices(values) -> imports.Choices | None:
    """Status meanings (status-<value>=<ours>) and the quantity choice, if the
    form sent any; None on a first preview, so remembered ones are used."""
    statuses = {k[7:]: v for k, v in values.items() if k.startswith("status-") and v}
    quantity = values.get("quantity", "")
    if not statuses and not quantity and not values.getlist("col"):
        return None
    return imports.check_choices_form(statuses, quantity)


def _mapping(values, width: int) -> list[str] | None:
    chosen = values.getlist("col")
    return imports.check_mapping_form(chosen, width) if chosen else None


KINDS = ("assets", "subscriptions")


def _kind(values) -> str:
    """Which kind of import the upload page is for (assets unless it says)."""
    kind = values.get("kind", "")
    return kind if kind in KINDS else "assets"


def _upload_page(error: str = "", status: int = 200):
    kind = _kind(request.form if request.method == "POST" else request.args)
    return render_template("imports/upload.html", error=error, kind=kind), status


def _column(values, name: str) -> int | None:
    """A column index the page passed back (the column just kept), if it is one."""
    text = values.get(name, "")
    return int(text) if text.isdecimal() and len(text) < 6 else None


def _preview_page(token, filename, preview, *, error="", summary=None, status=200):
    shared, own = messages.group(preview.rows)
    kept = _column(request.args, "kept")
    return render_template(
        "imports/preview.html",
        token=token,
        filename=filename,
        preview=preview,
        fields=FIELDS,
        statuses=imports.STATUS_CHOICES,
        encodings=ENCODINGS,
        shared=shared,
        own=own,
        error=error,
        summary=summary,
        kept=kept if kept in preview.custom.by_index else None,
        made=request.args.get("made") == "1",
        unkept=_column(request.args, "unkept"),
    ), status


@bp.route("", methods=["GET", "POST"])
@role("lead")
def upload():
    """Upload a spreadsheet saved as CSV; a preview comes before anything is saved."""
    if request.method == "GET":
        return _upload_page()
    upload_ = request.files.get("file")
    if upload_ is None or not upload_.filename:
        return _upload_page("Choose a CSV file to upload.", 422)
    kind = _kind(request.form)
    try:
        token = imports.store(upload_.stream, upload_.filename, _folder(), kind)
    except TooLarge as exc:
        return _upload_page(str(exc), exc.status)
    except Invalid as exc:
        return _upload_page(" ".join(exc.errors.values()), exc.status)
    if kind == "subscriptions":
        return redirect(url_for("subscription_imports.preview", token=token), 303)
    return redirect(url_for("imports.preview", token=token), 303)


@bp.route("/<token>")
@role("lead")
def preview(token: str):
    """What the import would do, row by row; the columns can be re-mapped here."""
    try:
        table, filename = imports.load(_folder(), token, _encoding(request.args))
        mapping = _mapping(request.args, len(table.headers))
        choices = _choices(request.args)
    except imports.Expired as exc:
        return _upload_page(str(exc), exc.status)
    except imports.WrongEncoding as exc:
        guessed = imports.preview(exc.table)
        error = exc.errors["encoding"]
        return _preview_page(token, exc.filename, guessed, error=error, status=exc.status)
    except Invalid as exc:
        guessed = imports.preview(table)
        return _preview_page(
            token, filename, guessed, error=exc.errors["mapping"], status=exc.status
        )
    result = imports.preview(table, mapping, _date_order(request.args), choices)
    return _preview_page(token, filename, result)


@bp.route("/<token>/keep/<int:column>", methods=["POST"])
@role("lead")
def keep(token: str, column: int):
    """Keep a column nobody recognised as a new custom field, typed from its
    values; the preview comes back with the column mapped to it."""

    def change(table, mapping):
        mapping, made = imports.keep_column_made(table, mapping, column, actor=current_actor())
        return mapping, ({"kept": column, "made": "1"} if made else {"kept": column})

    return _change_column(token, change)


@bp.route("/<token>/unkeep/<int:column>", methods=["POST"])
@role("lead")
def unkeep(token: str, column: int):
    """Undo "Keep as a custom field": leave the column out again (the field the
    tap made goes too, while it holds no values)."""

    def change(table, mapping):
        made = request.form.get("made") == "1"
        mapping = imports.unkeep_column(table, mapping, column, made=made, actor=current_actor())
        return mapping, {"unkept": column}

    return _change_column(token, change)


def _change_column(token: str, change):
    """Read the upload and the columns as the form maps them, apply one column's
    change, and go back to the preview; or show the page that says why not."""
    try:
        table, filename = imports.load(_folder(), token, _encoding(request.form))
        mapping = (
            _mapping(request.form, len(table.headers)) or imports.suggested(table.headers, table)[0]
        )
        mapping, said = change(table, mapping)
    except imports.Expired as exc:
        return _upload_page(str(exc), exc.status)
    except imports.WrongEncoding as exc:
        guessed = imports.preview(exc.table)
        error = exc.errors["encoding"]
        return _preview_page(token, exc.filename, guessed, error=error, status=exc.status)
    except Invalid as exc:
        result = imports.preview(table)
        error = exc.errors.get("mapping") or " ".join(exc.errors.values())
        return _preview_page(token, filename, result, error=error, status=exc.status)
    return _back_to_preview(token, mapping, said)


def _back_to_preview(token: str, mapping: list[str], said: dict):
    """303 to the preview with the columns as now mapped and the other choices
    the form carried."""
    kept = {
        key: value
        for key, value in request.form.items()
        if key.startswith("status-") or key in ("dates", "quantity", "encoding")
    }
    return redirect(url_for("imports.preview", token=token, col=mapping, **kept, **said), 303)


@bp.route("/<token>", methods=["POST"])
@role("lead")
def confirm(token: str):
    """Import every row or none; a dry run does the whole import and keeps none of it."""
    dry_run = request.form.get("mode") == "dry"
    try:
        table, filename = imports.load(_folder(), token, _encoding(request.form))
        mapping = _mapping(request.form, len(table.headers))
        choices = _choices(request.form)
        summary = imports.confirm(
            _folder(),
            token,
            table,
            filename,
            actor=current_actor(),
            mapping=mapping,
            date_order=_date_order(request.form),
            dry_run=dry_run,
            choices=choices,
        )
    except imports.Expired as exc:
        if imports.already_imported(token):
            flash("That file was already imported. Nothing was done twice.", "ok")
            return redirect(url_for("assets.index"), 303)
        return _upload_page(str(exc), exc.status)
    except imports.WrongEncoding as exc:
        guessed = imports.preview(exc.table)
        error = exc.errors["encoding"]
        return _preview_page(token, exc.filename, guessed, error=error, status=exc.status)
    except imports.Blocked as exc:
        return _preview_page(token, filename, exc.preview, error=str(exc), status=exc.status)
    except Invalid as exc:
        result = imports.preview(table)
        return _preview_page(
            token, filename, result, error=exc.errors["mapping"], status=exc.status
        )
    if summary.already:
        flash("That file was already imported. Nothing was done twice.", "ok")
        return redirect(url_for("assets.index"), 303)
    if dry_run:
        result = imports.preview(table, mapping, _date_order(request.form), choices)
        return _preview_page(token, filename, result, summary=summary)
    flash(
        f"Imported {filename}: {summary.new} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged.",
        "ok",
    )
    return redirect(url_for("assets.index"), 303)
