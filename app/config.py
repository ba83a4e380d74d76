"""Configuration: defaults, then instance/config.py, then TAGTRAIL_* variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from .register import uploads

# Secrets that appear in docs and examples; refusing them outside tests stops a
# copied sample config from signing real sessions.
KNOWN_DEFAULT_SECRETS = {"", "dev", "change-me", "changeme", "secret", "tagtrail"}
# A shorter key can be guessed offline from one signed cookie.
MIN_SECRET_KEY_LENGTH = 32

ENV_PREFIX = "TAGTRAIL_"


class Defaults:
    PUBLIC_URL = ""
    DATABASE_URL = ""  # empty: sqlite file inside the instance folder
    SECRET_KEY = ""
    TIMEZONE = "UTC"
    ORG_NAME = ""  # empty: use the name saved at /setup
    PAGE_SIZE = 50
    TRUSTED_PROXIES = 0  # reverse proxies in front that set X-Forwarded-*
    # Where that proxy connects from; "*" trusts any address (only if the port is firewalled).
    TRUSTED_PROXY_ADDRESS = "127.0.0.1"
    PUBLIC_REPORT_LIMIT = "5 per minute;30 per day"
    SIGNIN_LIMIT = "5 per minute"  # failed sign-ins, per address and per account
    # "Forgot your password?" requests, per address and per email address asked about.
    RESET_LIMIT = "5 per hour"
    # Calendar feeds (.ics) fetched per address: apps look every hour or so.
    FEED_LIMIT = "60 per minute"
    # Where those limits are counted: memory:// is per process; several servers
    # share them through one store, e.g. redis://127.0.0.1:6379 (Flask-Limiter's URIs).
    RATELIMIT_STORAGE = "memory://"
    # The largest upload (uploads.MAX_BYTES) plus room for the form around it.
    MAX_CONTENT_LENGTH = uploads.MAX_BYTES + uploads.MEGABYTE
    REMEMBER_COOKIE_DURATION = timedelta(days=90)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # The token lives as long as the session: a phone left on an asset page
    # for an afternoon can still tap "Return".
    WTF_CSRF_TIME_LIMIT = None
    SEND_FILE_MAX_AGE_DEFAULT = timedelta(days=365)
    COMPRESS_MIMETYPES = [
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
        "application/manifest+json",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 6
    # Reminder email (`tagtrail remind`). No host: it prints what it would send.
    SMTP_HOST = ""
    SMTP_PORT = 587  # 465 means TLS from the first byte; otherwise STARTTLS if set
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    SMTP_FROM = ""  # empty: SMTP_USER, when that is an address
    SMTP_STARTTLS = True
    DIGEST_WEEKDAY = "monday"  # the day `tagtrail remind` also sends leads the digest


def _coerce(current, raw: str):
    """Read an environment string as the type of the default it overrides."""
    if isinstance(current, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, timedelta):
        return timedelta(seconds=int(raw))
    return raw


def apply_environment(config, environ=os.environ) -> None:
    """Let TAGTRAIL_<KEY> override any upper-case setting."""
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "INSTANCE":
            continue
        key = name[len(ENV_PREFIX) :]
        config[key] = _coerce(config.get(key, ""), raw)


def default_instance_path() -> str:
    return os.path.abspath(os.environ.get(ENV_PREFIX + "INSTANCE") or "instance")


def sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "tagtrail.sqlite3")


def _tighten(path: Path, mode: int) -> None:
    """Take group and other access away from a file or folder made before."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(mode)
    except (FileNotFoundError, PermissionError):
        pass  # not there yet, or not ours (a mounted volume): leave it


def private_instance(instance_path: str) -> None:
    """Everything tagtrail writes is for its own user only: the database holds
    password hashes, the uploads are the organisation's. From here on files are
    made 0600 and folders 0700 (umask 077: SQLite's -wal and -shm, backups and
    uploads included); the instance folder and its uploads folder made before
    are tightened."""
    os.umask(0o077)
    folder = Path(instance_path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in (folder, folder / "uploads"):
        _tighten(path, 0o700)


def private_database(database_url: str) -> None:
    """A SQLite database (and its -wal and -shm) made before is tightened to 0600."""
    if not database_url.startswith("sqlite"):
        return
    from .ops.backup import database_file

    path = database_file(database_url)
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        _tighten(path.with_name(name), 0o600)


def load_or_create_secret(instance_path: str) -> str:
    """Read instance/secret_key, creating it (mode 0600) on first run."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key
