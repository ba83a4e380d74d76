"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from peewee import fn

from ..models import Asset
from ..permissions import public, role
from ..services import assets, people
from ..templating import site

bp = Blueprint("home", __name__)


@bp.route("/")
@role("member")
def index():
    """Start here: find by code, what I hold, and (for leads) the register at a glance."""
    mine = list(people.holdings(current_user))
    counts, cadence = {}, {}
    if current_user.has_role("lead"):
        counts = dict(
            Asset.select(Asset.status, fn.COUNT(Asset.id)).group_by(Asset.status).tuples()
        )
        interval = site()["audit_interval_days"]
        cadence = {
            "interval": interval,
            "audit_due": Asset.select().where(assets.audit_due(interval)).count(),
            "unseen": Asset.select().where(assets.not_seen(90)).count(),
        }
    return render_template("home/index.html", mine=mine, counts=counts, cadence=cadence)


@bp.route("/healthz")
@public
def healthz():
    """Liveness for monitors and the benchmark reference: never touches the database."""
    return current_app.response_class("ok\n", mimetype="text/plain")
