"""Sign in, sign out, and the first-run set-up."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from ..errors import Invalid, Refused
from ..extensions import limiter
from ..forms import LoginForm, SetupForm
from ..network import suggest_public_url
from ..ops import money
from ..ops import rules as ops_rules
from ..permissions import public, role
from ..register import people
from ..safety import safe_next
from .helpers import apply_errors

bp = Blueprint("auth", __name__)

# Endpoints reachable before the first user exists.
_BEFORE_SETUP = {"auth.setup", "static", "home.healthz"}


def require_setup():
    """before_request: until someone has set up, every page leads to /setup."""
    if request.endpoint in _BEFORE_SETUP or request.endpoint is None:
        return None
    if current_app.extensions.get("tagtrail.has_users"):
        return None
    if people.has_users():
        current_app.extensions["tagtrail.has_users"] = True
        return None
    return redirect(url_for("auth.setup"))


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup():
    """Create the first admin and name the organisation (only while nobody exists)."""
    if people.has_users():
        abort(404)
    zone = current_app.config.get("TIMEZONE") or "UTC"
    form = SetupForm(zone=zone)
    if request.method == "GET":
        form.public_url.data = suggest_public_url(request.host_url)
        # Without JavaScript the configured zone is the answer; setup.js swaps in
        # the browser's own zone (and its currency) where it can.
        form.timezone.data = zone
        form.currency.data = money.currency_for_timezone(zone)
    if form.validate_on_submit():
        try:
            user = people.setup_first_admin(
                org_name=form.org_name.data,
                public_url=form.public_url.data or "",
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                paper_size=form.paper_size.data,
                timezone=form.timezone.data or "",
                currency=form.currency.data or "",
            )
        except Invalid as exc:
            apply_errors(form, exc)
        except Refused:
            abort(404)
        else:
            current_app.extensions["tagtrail.has_users"] = True
            login_user(user, remember=True)
            flash("Welcome. Add your first assets below.", "ok")
            warning = ops_rules.public_url_warning(form.public_url.data or "")
            if warning:
                flash(warning, "warn")
            return redirect(url_for("assets.new"), 303)
    status = 422 if form.errors else 200
    return render_template(
        "auth/setup.html",
        form=form,
        guess=request.method == "GET",
        zone_currencies=json.dumps(money.ZONE_CURRENCIES),
    ), status


def _account_key() -> str:
    return "signin:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    # Only failed attempts count: a person who signs in fine is never throttled.
    return response.status_code != 303


_signin_limit = lambda: current_app.config["SIGNIN_LIMIT"]  # noqa: E731


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_signin_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_signin_limit, methods=["POST"], deduct_when=_failed, key_func=_account_key)
def login():
    """Sign in with email and password, then go back where the person was heading."""
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        user = people.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session at sign-in: nothing carried over
            login_user(user, remember=form.remember.data)
            return redirect(target, 303)
        form.password.errors.append("That email and password do not match an active account.")
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, next=target), status


@bp.route("/logout", methods=["POST"])
@role("member")
def logout():
    """Sign out: this device's session and every remember cookie for this account end,
    and the browser forgets what it kept (the scanner's offline copy names people,
    places and audits; its unsent scans must not go out as the next person's)."""
    people.revoke_sessions(current_user.id)
    logout_user()
    flash("You are signed out.", "ok")
    response = redirect(url_for("auth.login"), 303)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
