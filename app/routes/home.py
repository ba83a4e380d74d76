"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ..ops import settings
from ..pages import home as home_page
from ..permissions import public, role
from ..replacement import settings as replacement_settings
from ..templating import local_today, local_zone, site

bp = Blueprint("home", __name__)


@bp.route("/")
@role("member")
def index():
    """Start here: what I hold and, for leads, what needs attention."""
    context = home_page.page(
        current_user,
        local_today(),
        site()["audit_interval_days"],
        checklist_dismissed=site()["checklist_dismissed"],
        zone=local_zone(),
        thresholds=replacement_settings.thresholds(site()),
    )
    return render_template("home/index.html", **context)


@bp.route("/getting-started/dismiss", methods=["POST"])
@role("lead")
def dismiss_checklist():
    """Hide the getting-started list on home, for everyone."""
    settings.dismiss_checklist()
    flash("The getting-started list is hidden.", "ok")
    return redirect(url_for("home.index"), 303)


@bp.route("/menu")
@role("member")
def menu():
    """The phone's "Menu": every page this person may open, and signing out."""
    return render_template("home/menu.html")


@bp.route("/healthz")
@public
def healthz():
    """Liveness for monitors and the benchmark reference: never touches the database."""
    return current_app.response_class("ok\n", mimetype="text/plain")
