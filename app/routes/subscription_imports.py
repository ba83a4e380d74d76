"""Importing subscriptions (leads): the upload is the asset import's page (its
"Subscriptions" choice); here, the preview with every row's errors, and confirm."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..errors import Invalid
from ..permissions import role
from ..spreadsheets import imports
from ..spreadsheets import subscription_import as si
from ..spreadsheets.rules import ENCODINGS
from ..spreadsheets.subscription_columns import FIELDS
from .helpers import current_actor

bp = Blueprint("subscription_imports", __name__, url_prefix="/import/subscriptions")


def _folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _date_order(values) -> str | None:
    order = values.get("dates", "")
    return order if order in ("dmy", "mdy") else None


def _upload_page(error: str, status: int):
    return render_template("imports/upload.html", error=error, kind=si.KIND), status


def _preview_page(token, filename, preview, *, error="", summary=None, status=200):
    return render_template(
        "imports/subscriptions_preview.html",
        token=token,
        filename=filename,
        preview=preview,
        fields=FIELDS,
        encodings=ENCODINGS,
        error=error,
        summary=summary,
    ), status


def _read(values, token: str):
    """The kept upload and the columns as the form maps them (None: guessed)."""
    table, filename = imports.load(_folder(), token, values.get("encoding") or None, si.KIND)
    chosen = values.getlist("col")
    mapping = si.check_mapping_form(chosen, len(table.headers)) if chosen else None
    return table, filename, mapping


@bp.route("/<token>")
@role("lead")
def preview(token: str):
    """What the subscription import would do, row by row; columns can be re-mapped."""
    try:
        table, filename, mapping = _read(request.args, token)
    except imports.Expired as exc:
        return _upload_page(str(exc), exc.status)
    except imports.WrongEncoding as exc:
        guessed = si.preview(exc.table, None, None)
        return _preview_page(token, exc.filename, guessed, error=exc.errors["encoding"], status=422)
    except Invalid as exc:
        table, filename = imports.load(_folder(), token, kind=si.KIND)
        guessed = si.preview(table, None, None)
        return _preview_page(token, filename, guessed, error=exc.errors["mapping"], status=422)
    result = si.preview(table, mapping, _date_order(request.args))
    return _preview_page(token, filename, result)


@bp.route("/<token>", methods=["POST"])
@role("lead")
def confirm(token: str):
    """Import every row or none; a dry run does it all and keeps none of it."""
    dry_run = request.form.get("mode") == "dry"
    done = url_for("subscriptions.index")
    try:
        table, filename, mapping = _read(request.form, token)
        summary = si.confirm(
            _folder(),
            token,
            table,
            actor=current_actor(),
            mapping=mapping,
            date_order=_date_order(request.form),
            dry_run=dry_run,
        )
    except imports.Expired as exc:
        if si.already_imported(token):
            flash("That file was already imported. Nothing was done twice.", "ok")
            return redirect(done, 303)
        return _upload_page(str(exc), exc.status)
    except imports.WrongEncoding as exc:
        guessed = si.preview(exc.table, None, None)
        return _preview_page(token, exc.filename, guessed, error=exc.errors["encoding"], status=422)
    except imports.Blocked as exc:
        return _preview_page(token, filename, exc.preview, error=str(exc), status=exc.status)
    except Invalid as exc:
        table, filename = imports.load(_folder(), token, kind=si.KIND)
        guessed = si.preview(table, None, None)
        error = exc.errors.get("mapping") or " ".join(exc.errors.values())
        return _preview_page(token, filename, guessed, error=error, status=exc.status)
    if summary.already:
        flash("That file was already imported. Nothing was done twice.", "ok")
        return redirect(done, 303)
    if dry_run:
        result = si.preview(table, mapping, _date_order(request.form))
        return _preview_page(token, filename, result, summary=summary)
    flash(
        f"Imported {filename}: {summary.new} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged subscriptions.",
        "ok",
    )
    return redirect(done, 303)
