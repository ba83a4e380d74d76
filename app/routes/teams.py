"""Teams (departments): everyone sees them; leads add, rename and remove them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from ..errors import Invalid, NotFound, Refused
from ..forms import TeamForm
from ..permissions import role
from ..register import teams
from .helpers import apply_errors, current_actor

bp = Blueprint("teams", __name__, url_prefix="/teams")


@bp.route("", strict_slashes=False)
@role("member")
def index():
    """Every team, with its people and the assets it keeps."""
    return render_template("teams/index.html", teams=teams.teams())


@bp.route("/<int:team_id>")
@role("member")
def detail(team_id: int):
    """A team: its people, the assets it keeps and those its people hold."""
    page = teams.page(team_id) or abort(404)
    return render_template("teams/detail.html", page=page, team=page.team)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:team_id>/edit", methods=["GET", "POST"])
@role("lead")
def save(team_id: int | None = None):
    """Add a team or rename one."""
    team = None
    if team_id is not None:
        team = teams.get_team(team_id) or abort(404)
    form = TeamForm(obj=team)
    if form.validate_on_submit():
        try:
            saved = teams.save_team(form.name.data, team_id, actor=current_actor())
        except Invalid as exc:
            apply_errors(form, exc)
        except NotFound:
            abort(404)
        else:
            flash(f"Saved {saved.name}.", "ok")
            return redirect(url_for("teams.detail", team_id=saved.id), 303)
    return render_template("teams/form.html", form=form, team=team), (422 if form.errors else 200)


@bp.route("/<int:team_id>/remove", methods=["POST"])
@role("lead")
def remove(team_id: int):
    """Remove a team nobody belongs to and that keeps nothing."""
    try:
        name = teams.remove_team(team_id)
    except NotFound:
        abort(404)
    except Refused as exc:
        flash(str(exc), "error")
        return redirect(url_for("teams.detail", team_id=team_id), 303)
    flash(f"Removed {name}.", "ok")
    return redirect(url_for("teams.index"), 303)
