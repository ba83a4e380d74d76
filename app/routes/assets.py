"""The register: list and search assets, add and edit them (leads)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import codes
from ..clock import utcnow
from ..errors import Conflict, Invalid, NotFound
from ..forms import AssetForm, place_choices
from ..pages import register as register_page
from ..pages import subscriptions as subscription_page
from ..permissions import may, role
from ..register import assets, custom_fields, custom_search, places, teams_rules
from ..register.rules import STATUSES
from ..reservations import moments as reservation_moments
from ..reservations import rules as reservation_rules
from ..templating import local_today, local_zone, render, site, wants_fragment
from .helpers import (
    apply_errors,
    asset_or_404,
    current_actor,
    form_int,
    form_text,
    int_arg,
    page_arg,
    query_date,
)

bp = Blueprint("assets", __name__, url_prefix="/assets")


def _typed_custom() -> dict[int, str | None]:
    """The custom values the form sent, by field id. "cf-shown" lists the ids of
    the fields the form showed; an unticked yes/no box sends nothing (None)."""
    typed: dict[int, str | None] = {}
    for raw in request.form.get("cf-shown", "").split(",")[:500]:
        if raw.isdecimal() and len(raw) < 10:
            text = request.form.get(f"cf-{raw}")
            typed[int(raw)] = None if text is None else text[:5000]
    return typed


def _custom_errors(form: AssetForm, exc: Invalid) -> dict[str, str]:
    """Split a refusal: custom values' messages go beside their fields, the rest
    to the form's own."""
    custom = {k: v for k, v in exc.errors.items() if k.startswith("cf-")}
    rest = {k: v for k, v in exc.errors.items() if k not in custom}
    if rest:
        apply_errors(form, Invalid(rest))
    elif custom:
        form.form_errors.append("Please fix the marked fields. Nothing was saved.")
    return custom


def _form_page(form: AssetForm, asset, status: int = 200, **extra):
    """The add or edit form, with the custom fields in order."""
    typed = _typed_custom() if request.method == "POST" else None
    return render_template(
        "assets/form.html",
        form=form,
        asset=asset,
        custom=custom_fields.form_fields(asset, typed),
        custom_errors=extra.pop("custom_errors", {}),
        **extra,
    ), status


def _edit_form(asset, **kwargs) -> AssetForm:
    form = AssetForm(obj=asset, **kwargs)
    place_choices(form)
    return form


def _free_period(errors: dict[str, str]) -> reservation_rules.Wanted | None:
    """The "Free from … to …" filter's period, or None when it is not asked;
    what is wrong with it goes into `errors` (and the filter is not applied)."""
    names = ("free_from", "free_from_time", "free_to", "free_to_time")
    if not any(request.args.get(name, "").strip() for name in names):
        return None
    zone = local_zone()
    try:
        start, end = reservation_moments.asked_period(
            query_date("free_from"),
            request.args.get("free_from_time", "")[:20],
            query_date("free_to"),
            request.args.get("free_to_time", "")[:20],
            zone,
        )
    except Invalid as exc:
        labels = {"free_from": "Free from", "free_to": "Free to"}
        errors.update({k: f"{labels.get(k, 'Free')}: {v}" for k, v in exc.errors.items()})
        return None
    return reservation_rules.Wanted(start, end, zone, utcnow(), reservation_rules.current_policy())


def _team_filter() -> dict:
    """The Team filter: a team's id, or "none" for assets of no team."""
    if request.args.get("team") == teams_rules.NO_TEAM_KEY:
        return {"no_team": True}
    return {"team_id": int_arg("team")}


@bp.route("", strict_slashes=False)
@role("member")
def index():
    """Search and filter the register; htmx swaps only the results as you type."""
    status = request.args.get("status", "")
    due_for_audit = request.args.get("due") == "audit"
    custom = custom_search.read(request.args)
    free = _free_period(custom.errors)
    search = assets.Search(
        text=request.args.get("q", "")[:200],
        status=status if status in STATUSES else "",
        category_id=int_arg("category"),
        location_id=int_arg("location"),
        holder_id=int_arg("holder"),
        **_team_filter(),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        audit_due_days=site()["audit_interval_days"] if due_for_audit else None,
        unseen_days=min(int_arg("unseen") or 0, 3650) or None,
        today=local_today(),
        warranty_days=min(int_arg("warranty") or 0, 3650) or None,
        service_due=request.args.get("service") == "due",
        open_fault=request.args.get("fault") == "open",
        needs_check=request.args.get("check") == "waiting",
        custom=custom,
        free=free,
    )
    return render(
        "assets/index.html",
        "assets/_results.html",
        "asset-results",
        422 if custom.errors else 200,
        search=search,
        # An empty register says what it is for; an empty search, how to widen it.
        filtered=any(value for key, value in request.args.items(multi=True) if key != "page"),
        **register_page.page(search, filters=not wants_fragment("asset-results")),
        # Subscriptions have no label: leads find them by the same search box.
        subscription_hits=(
            subscription_page.search_hits(search.text) if may("subscriptions.show") else []
        ),
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
    custom_errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            asset = assets.create_asset(
                {**form.values(), "custom": _typed_custom()}, actor=current_actor()
            )
        except Invalid as exc:
            custom_errors = _custom_errors(form, exc)
        else:
            flash(f"Added {asset.name} as {codes.pretty(asset.code)}.", "ok")
            if request.form.get("then") == "another":
                kept = {"category": asset.category_id, "location": asset.location_id}
                return redirect(url_for("assets.new", **kept), 303)
            return redirect(url_for("scan.asset", code=asset.code), 303)
    status = 422 if form.errors or form.form_errors else 200
    return _form_page(form, None, status, adding={}, custom_errors=custom_errors)


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
    return _form_page(form, asset, 422 if errors else 200, adding=errors)


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
    custom_errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        try:
            version = int(form.version.data or 0)
            changes = assets.update_asset(
                asset.code,
                {**form.values(), "custom": _typed_custom()},
                version=version,
                actor=current_actor(),
            )
        except ValueError:
            form.form_errors.append("This form is damaged. Reload the page and try again.")
        except Invalid as exc:
            custom_errors = _custom_errors(form, exc)
        except Conflict as exc:
            # Show what is there now, with the newer version, so a resubmit is deliberate.
            fresh = assets.get_by_code(asset.code) or abort(404)
            form = _edit_form(fresh, formdata=None)
            form.version.data = fresh.version
            form.form_errors.append(str(exc))
            return render_template(
                "assets/form.html",
                form=form,
                asset=fresh,
                custom=custom_fields.form_fields(fresh),
                custom_errors={},
            ), 409
        except NotFound:
            abort(404)
        else:
            flash("Saved." if changes else "Nothing changed.", "ok")
            return redirect(url_for("scan.asset", code=asset.code), 303)
    status = 422 if form.errors or form.form_errors else 200
    return _form_page(form, asset, status, custom_errors=custom_errors)
