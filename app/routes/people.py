"""People: holders and users. Leads add holders; admins manage roles and sign-in."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..custody import custody
from ..errors import Forbidden, Invalid, NotFound
from ..forms import PersonForm
from ..pages import activity as activity_page
from ..permissions import role
from ..register import people
from ..register.rules import manages_accounts, may_edit_person
from ..templating import local_today
from .helpers import apply_errors, current_actor, page_arg

bp = Blueprint("people", __name__, url_prefix="/people")


def _limit_form(form: PersonForm) -> None:
    """Leads see only name and email; role, password and active are admin matters."""
    if not manages_accounts(current_user):
        del form.role
        del form.password
        del form.active


@bp.route("", strict_slashes=False)
@role("lead")
def index():
    """Everyone who can hold items or sign in."""
    return render_template("people/index.html", people=people.people())


@bp.route("/new", methods=["GET", "POST"])
@role("lead")
def new():
    """Add a person (a holder, or for admins a user who signs in)."""
    form = PersonForm()
    _limit_form(form)
    if form.validate_on_submit():
        try:
            person = people.create_person(
                name=form.name.data,
                email=form.email.data,
                role=form.role.data if "role" in form else "member",
                password=form.password.data if "password" in form else None,
                actor=current_actor(),
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(f"Added {person.name}.", "ok")
            return redirect(url_for("people.detail", person_id=person.id), 303)
    return render_template("people/form.html", form=form, person=None), (
        422 if form.errors else 200
    )


@bp.route("/<int:person_id>")
@role("lead")
def detail(person_id: int):
    """A person and what they hold now."""
    person = people.by_id.first(person_id) or abort(404)
    page = page_arg()
    history, older = activity_page.of_person(person, page=page)
    return render_template(
        "people/detail.html",
        person=person,
        holdings=list(people.holdings(person)),
        events=history,
        page=page,
        older=older,
        today=local_today(),
        may_edit=may_edit_person(current_user, person),
    )


@bp.route("/<int:person_id>/return-all", methods=["GET", "POST"])
@role("lead")
def return_all(person_id: int):
    """Return everything the person holds (e.g. when they leave), one event per item."""
    person = people.by_id.first(person_id) or abort(404)
    if request.method == "GET":
        return render_template(
            "people/return_all.html", person=person, holdings=list(people.holdings(person))
        )
    returned = custody.return_all(person.id, actor=current_actor())
    flash(
        f"Returned {len(returned)} item{'' if len(returned) == 1 else 's'} from {person.name}.",
        "ok",
    )
    return render_template("people/returned.html", person=person, returned=returned)


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@role("lead")
def edit(person_id: int):
    """Edit a person's details (and, for admins, role, password and active)."""
    person = people.by_id.first(person_id) or abort(404)
    if not may_edit_person(current_user, person):
        abort(403)
    form = PersonForm(obj=person)
    _limit_form(form)
    if form.validate_on_submit():
        values = {
            name: form[name].data
            for name in ("name", "email", "role", "password", "active")
            if name in form
        }
        try:
            people.update_person(person.id, values, actor=current_actor())
        except Invalid as exc:
            apply_errors(form, exc)
        except Forbidden:
            abort(403)
        except NotFound:
            abort(404)
        else:
            flash("Saved.", "ok")
            return redirect(url_for("people.detail", person_id=person.id), 303)
    return render_template("people/form.html", form=form, person=person), (
        422 if form.errors else 200
    )
