"""Locations as a tree (leads)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from ..errors import Invalid, NotFound
from ..forms import LocationForm, options
from ..permissions import role
from ..register import places
from .helpers import apply_errors

bp = Blueprint("locations", __name__, url_prefix="/locations")


def _choices(form: LocationForm, exclude=None) -> None:
    hidden = set(places.subtree_ids(exclude.id)) if exclude else set()
    form.parent.choices = options(
        [("", "— (top level)")]
        + [(place.id, place.text) for place in places.location_options() if place.id not in hidden]
    )


@bp.route("", strict_slashes=False)
@role("member")
def index():
    """The location tree."""
    return render_template("locations/index.html", tree=places.location_tree())


@bp.route("/new", methods=["GET", "POST"])
@role("lead")
def new():
    """Add a location, optionally inside another."""
    form = LocationForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            places.create_location(form.name.data, form.parent.data)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(f"Added {form.name.data.strip()}.", "ok")
            return redirect(url_for("locations.index"), 303)
    return render_template("locations/form.html", form=form, location=None), (
        422 if form.errors else 200
    )


@bp.route("/<int:location_id>/edit", methods=["GET", "POST"])
@role("lead")
def edit(location_id: int):
    """Rename a location or move it under another."""
    location = places.get_location(location_id) or abort(404)
    form = LocationForm(obj=location)
    _choices(form, exclude=location)
    if form.validate_on_submit():
        try:
            places.update_location(location.id, form.name.data, form.parent.data)
        except Invalid as exc:
            apply_errors(form, exc)
        except NotFound:
            abort(404)
        else:
            flash("Saved.", "ok")
            return redirect(url_for("locations.index"), 303)
    return render_template("locations/form.html", form=form, location=location), (
        422 if form.errors else 200
    )
