"""Secure cookies once the public address is https, wherever that address was set.

`_finish_config` reads TAGTRAIL_PUBLIC_URL once at start; an address saved
under Settings can change while the server runs, so the decision is made per
response here, for every cookie the response sets (session and remember-me).
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from .ops import rules as ops_rules
from .ops import settings


def https_site(app: Flask) -> bool:
    """Whether cookies must say Secure: set so in the config, or an https public address
    (TAGTRAIL_PUBLIC_URL when set, else the one saved in Settings)."""
    config = app.config
    if config.get("SESSION_COOKIE_SECURE") and config.get("REMEMBER_COOKIE_SECURE"):
        return True
    if config.get("PUBLIC_URL"):
        return ops_rules.is_https(config["PUBLIC_URL"])
    return ops_rules.is_https(settings.effective(config)["public_url"])


def _with_secure(header: str) -> str:
    attributes = [part.strip().lower() for part in header.split(";")[1:]]
    return header if "secure" in attributes else f"{header}; Secure"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, plus Secure on every cookie of an https site.

    The session is saved after the after-request hooks, so the remember-me
    cookie flask-login set there is already on the response. Only answers that
    set a cookie look at the settings: /healthz and the like run no SQL.
    """

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        cookies = response.headers.getlist("Set-Cookie")
        if cookies and https_site(app):
            response.headers.setlist("Set-Cookie", [_with_secure(c) for c in cookies])
