"""Custom fields (leads): list them in order, add, change, move and remove them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..errors import Invalid, NotFound
from ..forms import CustomFieldForm, options
from ..permissions import role
from ..register import custom_fields, places
from ..register.custom_field_rules import KIND_LABELS
from .helpers import apply_errors, current_actor

bp = Blueprint("custom_fields", __name__, url_prefix="/custom-fields")

SHOWN_PROBLEMS = 50  # values listed when a change would not keep them; the rest are counted


@bp.route("", strict_slashes=False)
@role("lead")
def index():
    """Every custom field, in the order forms and asset pages show them."""
    return render_template(
        "custom_fields/index.html", fields=custom_fields.with_counts(), kinds=KIND_LABELS
    )


def _form(field=None) -> CustomFieldForm:
    form = CustomFieldForm(obj=field)
    form.kind.choices = options(KIND_LABELS.items())
    form.category.choices = options(
        [("", "All assets")] + [(c.id, c.name) for c in places.categories()]
    )
    if field is not None and request.method == "GET":
        form.category.data = field.category_id
        form.choices.data = "\n".join(field.choices or [])
    return form


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:field_id>/edit", methods=["GET", "POST"])
@role("lead")
def save(field_id: int | None = None):
    """Add or change a field; a change that some values would not survive lists them."""
    field = None
    if field_id is not None:
        field = custom_fields.get_field(field_id) or abort(404)
    form = _form(field)
    problems: list = []
    if form.validate_on_submit():
        values = form.values()
        try:
            if field is None:
                custom_fields.create_field(
                    form.name.data, form.kind.data, actor=current_actor(), **values
                )
            else:
                custom_fields.update_field(
                    field.id,
                    form.name.data,
                    form.kind.data,
                    drop=request.form.get("drop") == "yes",
                    actor=current_actor(),
                    **values,
                )
        except custom_fields.WouldNotConvert as exc:
            problems = exc.problems
            form.form_errors.append(str(exc))
        except Invalid as exc:
            apply_errors(form, exc)
        except NotFound:
            abort(404)
        else:
            flash("Saved.", "ok")
            return redirect(url_for("custom_fields.index"), 303)
    failed = form.errors or form.form_errors
    return render_template(
        "custom_fields/form.html",
        form=form,
        field=field,
        problems=problems[:SHOWN_PROBLEMS],
        more=max(len(problems) - SHOWN_PROBLEMS, 0),
        dropping=len(problems),
    ), (422 if failed else 200)


@bp.route("/<int:field_id>/move", methods=["POST"])
@role("lead")
def move(field_id: int):
    """Move a field one place up or down."""
    step = {"up": -1, "down": 1}.get(request.form.get("to", ""))
    if step is None:
        abort(400, description="Move it up or down.")
    try:
        custom_fields.move_field(field_id, step)
    except NotFound:
        abort(404)
    return redirect(url_for("custom_fields.index", _anchor=f"field-{field_id}"), 303)


@bp.route("/<int:field_id>/remove", methods=["GET", "POST"])
@role("lead")
def remove(field_id: int):
    """Remove a field and its values, after the lead confirms."""
    field = custom_fields.get_field(field_id) or abort(404)
    if request.method == "POST":
        try:
            dropped = custom_fields.delete_field(field.id, actor=current_actor())
        except NotFound:
            abort(404)
        values = "1 value" if dropped == 1 else f"{dropped} values"
        flash(f"Removed {field.name} and its {values}.", "ok")
        return redirect(url_for("custom_fields.index"), 303)
    return render_template(
        "custom_fields/remove.html", field=field, count=custom_fields.value_count(field.id)
    )
