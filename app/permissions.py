"""Who may open what. Every view declares a role; one hook enforces it.

`@role("lead")` or `@public` sets `view.required_role`. The before-request
hook below is the only place the check happens. A view with no declaration is
refused (fail closed), and a test walks the URL map to make sure none exist.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from .models import ROLES

PUBLIC = "public"


def role(name: str) -> Callable:
    if name not in ROLES:
        raise ValueError(f"unknown role {name!r}")

    def mark(view: Callable) -> Callable:
        view.required_role = name
        return view

    return mark


def public(view: Callable) -> Callable:
    view.required_role = PUBLIC
    return view


def required_role(endpoint: str | None) -> str | None:
    if endpoint is None or endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "required_role", None)


def may(endpoint: str) -> bool:
    """Whether the person signed in (if anyone) may open `endpoint`, by the role
    its view declares: the role `enforce` checks. Templates ask this before
    showing a link or a button, so the two cannot disagree. An endpoint that
    does not exist is a mistake in the template, said as one."""
    if endpoint not in current_app.view_functions:
        raise ValueError(f"no endpoint {endpoint!r}")
    needed = required_role(endpoint)
    if needed == PUBLIC:
        return True
    if needed is None or not current_user.is_authenticated:
        return False
    return current_user.has_role(needed)


def here() -> str:
    """This page's path and query: where to come back to after signing in."""
    return request.full_path if request.query_string else request.path


def sign_in_url(target: str | None = None) -> str:
    """ "Sign in", then back to `target` (default: this page); login checks `next`."""
    return url_for("auth.login", next=target or here())


def login_redirect():
    """Send a signed-out visitor to sign in, remembering where they were going."""
    url = sign_in_url()
    if request.headers.get("HX-Request") == "true":
        # htmx would swap a 302's target into the fragment; ask for a real visit.
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)


def enforce() -> object | None:
    """before_request hook: the one role check for every route."""
    needed = required_role(request.endpoint)
    if needed == PUBLIC:
        return None
    if needed is None:
        current_app.logger.error("view %s declares no role; refusing", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        return login_redirect()
    if not current_user.has_role(needed):
        abort(403)
    return None
