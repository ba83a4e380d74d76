"""tagtrail: scan-first asset tracking for small teams."""

from __future__ import annotations

import hmac

from flask import Flask

from . import config as cfg
from . import converters, static_files
from .database import before_commit, bind, close_connection, open_database
from .extensions import csrf, htmx, limiter, login_manager
from .register import passwords, search_index


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, database, extensions, blueprints."""
    test_config = dict(test_config or {})
    instance_path = test_config.pop("INSTANCE_PATH", None) or cfg.default_instance_path()
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    cfg.private_instance(app.instance_path)
    converters.init_app(app)

    app.config.from_object(cfg.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    cfg.apply_environment(app.config)
    app.config.update(test_config)
    _finish_config(app)
    cfg.private_database(app.config["DATABASE_URL"])
    # The test suite's cheap password hashing, asked for only through the
    # configuration handed to create_app (never the environment or config.py).
    passwords.use_cheapest(
        bool(test_config.get("TESTING") and test_config.get("CHEAPEST_PASSWORD_HASHING"))
    )

    bind(open_database(app.config["DATABASE_URL"], pooled=True))
    before_commit(search_index.catch_up)  # the search box's index, kept with its rows
    if app.config.get("AUTO_MIGRATE", True):
        from .migrations import upgrade

        upgrade()
        close_connection()

    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    return app


def _finish_config(app: Flask) -> None:
    config = app.config
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = cfg.load_or_create_secret(app.instance_path)
    elif config["SECRET_KEY"] in cfg.KNOWN_DEFAULT_SECRETS and not config.get("TESTING"):
        raise RuntimeError(
            "TAGTRAIL_SECRET_KEY is set to a well-known value. Unset it to have one "
            "generated into the instance folder, or set a long random string."
        )
    elif len(config["SECRET_KEY"]) < cfg.MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(
            f"TAGTRAIL_SECRET_KEY is too short ({len(config['SECRET_KEY'])} characters; "
            f"at least {cfg.MIN_SECRET_KEY_LENGTH} are needed). Unset it to have one "
            "generated into the instance folder, or set a long random string, e.g. the "
            "output of: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = cfg.sqlite_url(app.instance_path)
    config["PUBLIC_URL"] = (config["PUBLIC_URL"] or "").strip().rstrip("/")
    secure = config["PUBLIC_URL"].lower().startswith("https://")
    # Cookies over https only, once phones reach the server through https.
    config["SESSION_COOKIE_SECURE"] = bool(config.get("SESSION_COOKIE_SECURE") or secure)
    config["REMEMBER_COOKIE_SECURE"] = bool(config.get("REMEMBER_COOKIE_SECURE") or secure)


def _init_extensions(app: Flask) -> None:
    from .cookies import SessionInterface
    from .register import people

    htmx.init_app(app)
    csrf.init_app(app)
    _init_limiter(app)
    static_files.init_app(app)
    app.session_interface = SessionInterface()
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    # Under `tagtrail serve` waitress reads the proxy headers (it drops them
    # from peers it does not trust, before the app could see them); ProxyFix
    # is for other WSGI servers; one layer owns them. Only -For and -Proto: the
    # documented nginx config passes a phone's own X-Forwarded-Host through.
    if proxies and not app.config.get("SERVER_READS_PROXY_HEADERS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        number, _, token = user_id.partition(":")
        if not number.isdecimal() or not token:
            return None
        user = people.by_id.first(int(number))
        if user is None or not user.can_sign_in:
            return None
        # Constant-time: a cookie from before a sign-out carries the old token.
        return user if hmac.compare_digest(user.session_token, token) else None


def _init_limiter(app: Flask) -> None:
    """Sign-in and public-report limits, counted where TAGTRAIL_RATELIMIT_STORAGE says.

    A shared store that stops answering does not stop sign-ins: each process
    counts in its own memory until the store is back (Flask-Limiter's fallback).
    """
    from limits.errors import ConfigurationError

    config = app.config
    uri = (config.get("RATELIMIT_STORAGE") or "memory://").strip()
    config["RATELIMIT_STORAGE_URI"] = uri
    config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    if uri.startswith(("redis", "valkey")):
        # An unreachable store answers within seconds, not a phone's patience.
        config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 2, "socket_connect_timeout": 2}
        )
    try:
        limiter.init_app(app)
    except ConfigurationError as exc:
        hint = " (pip install -e '.[redis]')" if uri.startswith("redis") else ""
        raise RuntimeError(
            f"TAGTRAIL_RATELIMIT_STORAGE is not a storage tagtrail can use: {exc}{hint}"
        ) from None


def _register_blueprints(app: Flask) -> None:
    from .routes import (
        acceptance,
        account,
        actions,
        activity,
        admin,
        assets,
        attachments,
        audits,
        auth,
        binding,
        categories,
        custom_fields,
        errors,
        exports,
        feeds,
        home,
        imports,
        kits,
        labels,
        locations,
        people,
        receipts,
        replacement,
        reports,
        reservations,
        scan,
        scanner,
        subscription_imports,
        subscriptions,
        teams,
        vendors,
        week,
    )

    for module in (
        home,
        auth,
        account,
        scan,
        scanner,
        actions,
        reservations,
        kits,
        week,
        feeds,
        binding,
        activity,
        assets,
        imports,
        subscription_imports,
        exports,
        attachments,
        receipts,
        acceptance,
        people,
        locations,
        categories,
        teams,
        subscriptions,
        vendors,
        custom_fields,
        labels,
        audits,
        reports,
        replacement,
        admin,
        errors,
    ):
        app.register_blueprint(module.bp)


def _register_hooks(app: Flask) -> None:
    from . import permissions, templating
    from .routes.auth import require_setup
    from .safety import refuse_nul_characters

    app.before_request(refuse_nul_characters)
    app.before_request(require_setup)
    app.before_request(permissions.enforce)
    app.teardown_request(close_connection)
    app.after_request(templating.security_headers)
    templating.init_app(app)
