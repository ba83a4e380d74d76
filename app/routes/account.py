"""Your own account: a password chosen from an invite or reset link,
"Forgot your password?" and "Change my password"."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user

from ..errors import Invalid, NotFound
from ..extensions import limiter
from ..forms import ChangePasswordForm, ForgotForm, NewPasswordForm
from ..permissions import public, role
from ..register import accounts
from ..templating import site
from .helpers import apply_errors, mail_settings, public_link

bp = Blueprint("account", __name__)

# The same words whether or not the address has an account.
FORGOT_ANSWER = (
    "If {email} has an account here, a link to set a new password is on its way. "
    "It works once, for an hour. Nothing there? Check the spam folder, or ask an admin."
)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


_reset_limit = lambda: current_app.config["RESET_LIMIT"]  # noqa: E731
_signin_limit = lambda: current_app.config["SIGNIN_LIMIT"]  # noqa: E731


def _address_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()[:254]


def _own_key() -> str:
    return f"password:{current_user.id}"


def _dead_link(response) -> bool:
    return response.status_code == 404


def _refused(response) -> bool:
    return response.status_code != 303


@bp.route("/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_address_key)
def forgot():
    """Ask for a link to set a new password; the answer never says whether the
    address has an account."""
    form = ForgotForm()
    smtp, problem = mail_settings()
    if form.validate_on_submit():
        email = form.email.data.strip()
        accounts.request_reset(
            email,
            smtp=smtp,
            secret=_secret(),
            link_for=lambda token: public_link("account.reset", link=token),
            org=site()["org_name"],
        )
        return render_template(
            "account/forgot_sent.html", answer=FORGOT_ANSWER.format(email=email[:254])
        )
    return render_template(
        "account/forgot.html", form=form, mail_works=smtp is not None and problem is None
    ), (422 if form.errors else 200)


def _set_password(kind: accounts.LinkKind, link: str, template: str, welcome: str):
    person = accounts.person_for(kind, link, _secret())
    if person is None:
        return render_template("account/dead_link.html", kind=kind.name), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.use_link(kind, link, _secret(), form.password.data)
        except NotFound:
            return render_template("account/dead_link.html", kind=kind.name), 404
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            session.clear()  # a fresh session: nothing carried over from whoever was here
            login_user(user, remember=True)
            flash(welcome, "ok")
            return redirect(url_for("home.index"), 303)
    response = render_template(template, form=form, person=person, link=link)
    return response, (422 if form.errors else 200)


@bp.route("/welcome/<link>", methods=["GET", "POST"])
@public
@limiter.limit(_signin_limit, methods=["POST"], deduct_when=_dead_link)
def welcome(link: str):
    """An invited person chooses their password and is signed in."""
    return _set_password(
        accounts.INVITE, link, "account/welcome.html", "Welcome. You are signed in."
    )


@bp.route("/reset/<link>", methods=["GET", "POST"])
@public
@limiter.limit(_signin_limit, methods=["POST"], deduct_when=_dead_link)
def reset(link: str):
    """Choose a new password from a reset link; every other session ends."""
    return _set_password(
        accounts.RESET,
        link,
        "account/reset.html",
        "Your new password is set. You are signed out on every other device.",
    )


@bp.route("/account/password", methods=["GET", "POST"])
@role("member")
@limiter.limit(_signin_limit, methods=["POST"], deduct_when=_refused, key_func=_own_key)
def password():
    """Change my password: the current one is required; other sessions end, this one stays."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_password(current_user.id, form.current.data, form.password.data)
        except Invalid as exc:
            apply_errors(form, exc)
        except NotFound:
            return redirect(url_for("auth.login"), 303)
        else:
            remember = bool(
                request.cookies.get(
                    current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
                )
            )
            login_user(user, remember=remember)  # this session carries the new token
            flash("Your password is changed. You are signed out on every other device.", "ok")
            return redirect(url_for("account.password"), 303)
    return render_template("account/password.html", form=form), (422 if form.errors else 200)
