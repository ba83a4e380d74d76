"""People: holders and users. Leads add holders; admins manage roles and sign-in."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..custody import leavers
from ..errors import Forbidden, Invalid, NotFound, Refused
from ..forms import InviteForm, PersonForm, team_choices
from ..pages import acceptance as acceptance_page
from ..pages import activity as activity_page
from ..pages import receipts as receipt_page
from ..pages import subscriptions as subscription_page
from ..permissions import role
from ..register import accounts, people, teams
from ..register.rules import manages_accounts, may_edit_person, may_invite, may_send_reset
from ..subscriptions import seats
from ..templating import local_today, site
from .helpers import (
    apply_errors,
    current_actor,
    deliver_receipt,
    form_text,
    int_arg,
    mail_settings,
    page_arg,
    public_link,
    signing_from_form,
)

bp = Blueprint("people", __name__, url_prefix="/people")


def _limit_form(form: PersonForm) -> None:
    """Leads see only name and email; role and active are admin matters. Nobody
    types another person's password: they choose it from an invite or reset link."""
    team_choices(form.team)
    if not manages_accounts(current_user):
        del form.role
        del form.active


@bp.route("", strict_slashes=False)
@role("lead")
def index():
    """Everyone who can hold items or sign in; `?team=` narrows to one team."""
    team_id = int_arg("team")
    return render_template(
        "people/index.html",
        people=people.people(team_id=team_id),
        teams=teams.options(),
        team_id=team_id,
    )


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
                actor=current_actor(),
                team_id=form.team.data,
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
        return_seats=bool(seats.of_person(person.id)),  # Return all frees them too
        receipts=receipt_page.for_person(person, current_user),
        seats=subscription_page.person_seats(person.id, local_today()),
        events=history,
        page=page,
        older=older,
        today=local_today(),
        may_edit=may_edit_person(current_user, person),
        may_invite=(
            bool(person.email)
            and person.active
            and not person.password_hash
            and may_invite(current_user, person.role)
        ),
        may_reset=person.can_sign_in and may_send_reset(current_user, person),
    )


@bp.route("/<int:person_id>/return-all", methods=["GET", "POST"])
@role("lead")
def return_all(person_id: int):
    """Return everything the person holds (e.g. when they leave), one event per item."""
    person = people.by_id.first(person_id) or abort(404)
    if request.method == "GET":
        return _return_all_page(person)
    try:
        signing = signing_from_form()
        returned = leavers.return_all(
            person.id, actor=current_actor(), signing=signing, said=_said_per_item()
        )
    except Invalid as exc:  # the signature: nothing was returned
        flash("Please fix the marked fields. Nothing was saved.", "error")
        return _return_all_page(person, exc.errors, exc.status)
    flash(_returned_words(returned, person.name), "ok")
    deliver_receipt(signing.receipt_id)
    return render_template(
        "people/returned.html", person=person, returned=returned.items, seats=returned.seats
    )


def _returned_words(returned: leavers.Returned, name: str) -> str:
    items, freed = len(returned.items), len(returned.seats)
    if not items and freed:
        return f"Freed {freed} seat{'' if freed == 1 else 's'} of {name}."
    words = f"Returned {items} item{'' if items == 1 else 's'} from {name}"
    if freed:
        words += f" and freed {freed} seat{'' if freed == 1 else 's'}"
    return words + "."


def _said_per_item() -> dict[int, leavers.Said]:
    """Each item's condition and fault from the Return all form, by asset id."""
    ids = {
        int(asset_id)
        for name in request.form
        for kind, _, asset_id in [name.partition("-")]
        if kind in ("condition", "description", "severity") and asset_id.isdecimal()
    }
    return {
        i: leavers.Said(
            condition=request.form.get(leavers.field("condition", i), ""),
            description=form_text(leavers.field("description", i)),
            severity=request.form.get(leavers.field("severity", i), ""),
        )
        for i in ids
    }


def _return_all_page(person, errors: dict | None = None, status: int = 200):
    holdings = list(people.holdings(person))
    held_seats = seats.of_person(person.id)
    signing = acceptance_page.return_all_signing(
        person, current_actor(), len(holdings) + len(held_seats)
    )
    page = render_template(
        "people/return_all.html",
        person=person,
        holdings=holdings,
        seats=held_seats,
        signing=signing,
        errors=errors or {},
        values=request.form,
    )
    return page, status


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@role("lead")
def edit(person_id: int):
    """Edit a person's details (and, for admins, role and active)."""
    person = people.by_id.first(person_id) or abort(404)
    if not may_edit_person(current_user, person):
        abort(403)
    form = PersonForm(obj=person)
    _limit_form(form)
    if form.validate_on_submit():
        fields = ("name", "email", "team", "role", "active")
        values = {name: form[name].data for name in fields if name in form}
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


def _link_sent(kind, person, endpoint: str, *, inviter: str = ""):
    """Email the link, or show it to pass on when there is no mail server."""
    token = accounts.make_link(kind, person, current_app.config["SECRET_KEY"])
    smtp, problem = mail_settings()
    delivery = accounts.deliver(
        kind,
        person,
        public_link(endpoint, link=token),
        smtp=smtp,
        org=site()["org_name"],
        inviter=inviter,
    )
    return render_template(
        "people/link_sent.html",
        person=person,
        kind=kind.name,
        lasts=kind.lasts,
        delivery=delivery,
        problem=delivery.problem or problem,
    )


def _invite_roles(form: InviteForm) -> None:
    """The roles this person may invite to (a lead: members)."""
    form.role.choices = [c for c in form.role.choices if may_invite(current_user, c.value)]


@bp.route("/invite", methods=["GET", "POST"])
@role("lead")
def invite():
    """Invite someone to sign in: they get a link to choose their own password."""
    form = InviteForm()
    _invite_roles(form)
    if form.validate_on_submit():
        try:
            person = accounts.invite(
                name=form.name.data,
                email=form.email.data,
                role=form.role.data,
                actor=current_actor(),
            )
        except Invalid as exc:
            apply_errors(form, exc)
        except Forbidden:
            abort(403)
        else:
            return _link_sent(accounts.INVITE, person, "account.welcome", inviter=current_user.name)
    return render_template("people/invite.html", form=form, lasts=accounts.INVITE.lasts), (
        422 if form.errors else 200
    )


@bp.route("/<int:person_id>/invite", methods=["POST"])
@role("lead")
def reinvite(person_id: int):
    """Send someone who does not sign in yet a (fresh) invite; an earlier one stops working."""
    return _send_link(
        accounts.reinvite, person_id, accounts.INVITE, "account.welcome", inviter=current_user.name
    )


@bp.route("/<int:person_id>/reset-link", methods=["POST"])
@role("admin")
def reset_link(person_id: int):
    """An admin sends someone a link to set a new password (an hour, once)."""
    return _send_link(accounts.reset_for, person_id, accounts.RESET, "account.reset")


def _send_link(make, person_id: int, kind, endpoint: str, **words):
    """Make a person's link with `make` (the service) and say it was sent, or why not."""
    try:
        person = make(person_id, actor=current_actor())
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    except Refused as exc:
        flash(str(exc), "error")
        return redirect(url_for("people.detail", person_id=person_id), 303)
    return _link_sent(kind, person, endpoint, **words)
