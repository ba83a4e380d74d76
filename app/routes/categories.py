"""Categories (leads)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from ..errors import Invalid, NotFound
from ..forms import CategoryForm, options
from ..permissions import role
from ..register import people, places
from .helpers import apply_errors, current_actor

bp = Blueprint("categories", __name__, url_prefix="/categories")


@bp.route("", strict_slashes=False)
@role("member")
def index():
    """All categories."""
    return render_template("categories/index.html", categories=places.categories())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:category_id>/edit", methods=["GET", "POST"])
@role("lead")
def save(category_id: int | None = None):
    """Add or change a category: name, service interval, useful life, salvage value,
    and the check after each return."""
    category = None
    if category_id is not None:
        category = places.get_category(category_id) or abort(404)
    form = CategoryForm(obj=category)
    form.checker.choices = options(
        [("", "Nobody else: leads only"), *((p.id, p.name) for p in people.people(False))]
    )
    if category is not None and not form.is_submitted():
        form.checker.data = category.checker_id
    if form.validate_on_submit():
        try:
            values = form.values()
            places.save_category(values.pop("name"), category_id, actor=current_actor(), **values)
        except Invalid as exc:
            apply_errors(form, exc)
        except NotFound:
            abort(404)
        else:
            flash("Saved.", "ok")
            return redirect(url_for("categories.index"), 303)
    return render_template("categories/form.html", form=form, category=category), (
        422 if form.errors else 200
    )
