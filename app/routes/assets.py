"""The register: list and search assets, add and edit them (leads)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import codes
from ..errors import Conflict, Invalid, NotFound
from ..forms import AssetForm, place_choices
from ..permissions import role
from ..register import assets, custom_search, people, places
from ..register.rules import STATUSES
from ..templating import local_today, render, site
from .helpers import (
    apply_errors,
    asset_or_404,
    current_actor,
    form_int,
    form_text,
    int_arg,
    page_arg,
)

bp = Blueprint("assets", __name__, url_prefix="/assets")


def _edit_form(asset, **kwargs) -> AssetForm:
    form = AssetForm(obj=asset, **kwargs)
    place_choices(form)
    return form


@bp.route("", strict_slashes=False)
@role("member")
def index():
    """Search and filter the register; htmx swaps only the results as you type."""
    status = request.args.get("status", "")
    due_for_audit = request.args.get("due") == "audit"
    custom = custom_search.read(request.args)
    search = assets.Search(
        text=request.args.get("q", "")[:200],
        status=status if status in STATUSES else "",
        category_id=int_arg("category"),
        location_id=int_arg("location"),
        holder_id=int_arg("holder"),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        audit_due_days=site()["audit_interval_days"] if due_for_audit else None,
        unseen_days=min(int_arg("unseen") or 0, 3650) or None,
        today=local_today(),
        warranty_days=min(int_arg("warranty") or 0, 3650) or None,
        service_due=request.args.get("service") == "due",
        open_fault=request.args.get("fault") == "open",
        custom=custom,
    )
    # A filter that cannot be read is said beside the results, and nothing is listed.
    rows, total = assets.search(search) if not custom.errors else ([], 0)
    pages = max((total + search.per_page - 1) // search.per_page, 1)
    return render(
        "assets/index.html",
        "assets/_results.html",
        "asset-results",
        422 if custom.errors else 200,
        search=search,
        rows=rows,
        total=total,
        pages=pages,
        categories=list(places.categories()),
        locations=places.location_tree(),
        holders=people.holders(),
    )


@bp.route("/new", methods=["GET", "POST"])
@role("lead")
def new():
    """Add an asset; it gets a fresh code and a `created` event."""
    form = AssetForm()
    place_choices(form)
    if request.method == "GET":
        # "Add and add another" comes back here with the last category and location.
        form.category.data, form.location.data = int_arg("category"), int_arg("location")
    elif request.form.get("then") in ("category", "location"):
        return _add_in_place(form, request.form["then"])
    if form.validate_on_submit():
        try:
            asset = assets.create_asset(form.values(), actor=current_actor())
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(f"Added {asset.name} as {codes.pretty(asset.code)}.", "ok")
            if request.form.get("then") == "another":
                kept = {"category": asset.category_id, "location": asset.location_id}
                return redirect(url_for("assets.new", **kept), 303)
            return redirect(url_for("scan.asset", code=asset.code), 303)
    status = 422 if form.errors else 200
    return render_template("assets/form.html", form=form, asset=None, adding={}), status


def _add_in_place(form: AssetForm, what: str, asset=None):
    """A new category or location made from the asset form, which comes back with
    everything typed kept and the new one chosen (the asset itself is not saved yet)."""
    errors = {}
    try:
        if what == "category":
            made = places.save_category(
                form_text("new_category", places.CATEGORY_NAME_MAX), actor=current_actor()
            )
            form.category.data = made.id
        else:
            made = places.create_location(
                form_text("new_location", places.LOCATION_NAME_MAX), form_int("new_parent")
            )
            form.location.data = made.id
    except Invalid as exc:
        errors = {what: next(iter(exc.errors.values()))}
    else:
        place_choices(form)
        flash(f"Added {made.name}, chosen below. The asset is not saved yet.", "ok")
    return render_template("assets/form.html", form=form, asset=asset, adding=errors), (
        422 if errors else 200
    )


@bp.route("/<code>/edit", methods=["GET", "POST"])
@role("lead")
def edit(code: str):
    """Edit an asset's details; the history records each changed field."""
    asset = asset_or_404(code)
    form = _edit_form(asset)
    if request.method == "GET":
        form.version.data = asset.version
    elif request.form.get("then") in ("category", "location"):
        return _add_in_place(form, request.form["then"], asset)
    elif form.validate_on_submit():
        try:
            version = int(form.version.data or 0)
            changes = assets.update_asset(
                asset.code, form.values(), version=version, actor=current_actor()
            )
        except ValueError:
            form.form_errors.append("This form is damaged. Reload the page and try again.")
        except Invalid as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            # Show what is there now, with the newer version, so a resubmit is deliberate.
            fresh = assets.get_by_code(asset.code)
            form = _edit_form(fresh, formdata=None)
            form.version.data = fresh.version
            form.form_errors.append(str(exc))
            return render_template("assets/form.html", form=form, asset=fresh), 409
        except NotFound:
            abort(404)
        else:
            flash("Saved." if changes else "Nothing changed.", "ok")
            return redirect(url_for("scan.asset", code=asset.code), 303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("assets/form.html", form=form, asset=asset), status
