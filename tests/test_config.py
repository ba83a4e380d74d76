"""The factory: config layering, the secret key, and the database location."""

from __future__ import annotations

import io
import os
import stat

import pytest

from app import create_app


@pytest.fixture
def instance(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("TAGTRAIL_"):
            monkeypatch.delenv(name)
    path = tmp_path / "instance"
    path.mkdir()
    monkeypatch.setenv("TAGTRAIL_INSTANCE", str(path))
    return path


def test_defaults_put_the_database_and_secret_in_the_instance_folder(instance):
    """With nothing configured, SQLite and a generated secret live in instance/."""
    app = create_app()
    assert app.instance_path == str(instance)
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance}/tagtrail.sqlite3"
    assert (instance / "tagtrail.sqlite3").exists()
    secret = (instance / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == secret and len(secret) >= 64
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    assert create_app().config["SECRET_KEY"] == secret  # reused, not regenerated


def test_layers_apply_in_order(instance, monkeypatch):
    """Defaults < instance/config.py < TAGTRAIL_* < test_config."""
    (instance / "config.py").write_text(
        "PUBLIC_URL = 'http://from-file.test'\nTIMEZONE = 'Europe/Paris'\nPAGE_SIZE = 7\n"
        "ORG_NAME = 'File Org'\n"
    )
    monkeypatch.setenv("TAGTRAIL_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("TAGTRAIL_PAGE_SIZE", "9")
    monkeypatch.setenv("TAGTRAIL_ORG_NAME", "Env Org")
    app = create_app({"ORG_NAME": "Test Org"})
    assert app.config["PUBLIC_URL"] == "http://from-file.test"  # file over default
    assert app.config["TIMEZONE"] == "Europe/Berlin"  # env over file
    assert app.config["PAGE_SIZE"] == 9  # typed like the default it overrides
    assert app.config["ORG_NAME"] == "Test Org"  # test_config over env


def test_environment_names_the_database(instance, tmp_path, monkeypatch):
    """TAGTRAIL_DATABASE_URL points the app at another file."""
    other = tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv("TAGTRAIL_DATABASE_URL", f"sqlite:///{other}")
    create_app()
    assert other.exists()
    assert not (instance / "tagtrail.sqlite3").exists()


@pytest.mark.parametrize("weak", ["dev", "change-me", "secret"])
def test_a_known_default_secret_is_refused(instance, monkeypatch, weak):
    """Outside tests, a sample secret stops start-up with a clear message."""
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", weak)
    with pytest.raises(RuntimeError, match="well-known value"):
        create_app()


@pytest.mark.parametrize("length", [12, 31])
def test_a_short_secret_is_refused(instance, monkeypatch, length):
    """A key that could be guessed offline from one cookie stops start-up, saying why."""
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "k" * length)
    with pytest.raises(RuntimeError, match=f"too short \\({length} characters"):
        create_app()
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "k" * 32)
    assert create_app().config["SECRET_KEY"] == "k" * 32


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_instance_and_everything_in_it_is_private(tmp_path, instance, monkeypatch):
    """The database holds password hashes: folder 0700, database, -wal, -shm,
    uploads and backups readable by tagtrail's own user only."""
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("TAGTRAIL_INSTANCE", str(fresh))
    app = create_app()
    from app.models import User
    from app.ops import backup
    from app.register import uploads

    with app.app_context():
        User.create(name="Pat", role="member")  # a write: the -wal and -shm exist now
        db = fresh / "tagtrail.sqlite3"
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        name = uploads.save_image(io.BytesIO(_jpeg()), fresh / "uploads")
        copy = backup.backup(db, tmp_path / "copy.sqlite3")
    assert _mode(fresh) == 0o700
    assert _mode(fresh / "uploads") == 0o700
    assert _mode(fresh / "uploads" / name) == 0o600
    assert _mode(copy) == 0o600


def test_an_instance_made_before_is_tightened(instance):
    """An install from before (folder 0755, database 0644) is made private at start-up."""
    instance.chmod(0o755)
    (instance / "uploads").mkdir(mode=0o755)
    (instance / "uploads").chmod(0o755)
    create_app()
    db = instance / "tagtrail.sqlite3"
    db.chmod(0o644)
    create_app()
    assert _mode(instance) == 0o700
    assert _mode(instance / "uploads") == 0o700
    assert _mode(db) == 0o600


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return out.getvalue()


def test_https_public_url_makes_cookies_secure(instance, monkeypatch):
    """Behind https, session and remember cookies are Secure."""
    monkeypatch.setenv("TAGTRAIL_PUBLIC_URL", "https://tags.example.org/")
    app = create_app()
    assert app.config["PUBLIC_URL"] == "https://tags.example.org"
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    plain = create_app({"PUBLIC_URL": "http://10.0.0.5:8080"})
    assert not plain.config["SESSION_COOKIE_SECURE"]


def test_unknown_database_scheme_is_a_clear_error(instance):
    """A typo in the database URL names the problem."""
    with pytest.raises(ValueError, match="Unsupported database URL"):
        create_app({"DATABASE_URL": "mysqlx://nowhere/db"})


def test_healthz_answers_without_the_database(instance, monkeypatch):
    """/healthz is plain text and runs no SQL, even before set-up."""
    from app.models import db

    app = create_app()
    sql = []
    real = db.obj.execute_sql
    monkeypatch.setattr(db.obj, "execute_sql", lambda *a, **k: sql.append(a) or real(*a, **k))
    response = app.test_client().get("/healthz")
    assert response.get_data(as_text=True) == "ok\n"
    assert response.mimetype == "text/plain"
    assert sql == []


def test_configured_name_and_address_win_over_saved_ones_and_a_saved_zone_wins(
    instance, monkeypatch
):
    """What the README says of saved settings: ORG_NAME and PUBLIC_URL from the
    configuration pin them; TIMEZONE applies only until a zone is saved."""
    from app.ops import settings

    monkeypatch.setenv("TAGTRAIL_ORG_NAME", "Env Org")
    monkeypatch.setenv("TAGTRAIL_PUBLIC_URL", "http://env.test")
    monkeypatch.setenv("TAGTRAIL_TIMEZONE", "Europe/Berlin")
    app = create_app()
    saved = {"org_name": "Saved Org", "public_url": "http://saved.test"}
    settings.save(saved)
    assert settings.effective(app.config)["timezone"] == "Europe/Berlin"  # none saved yet
    settings.save({**saved, "timezone": "Asia/Tokyo"})
    effective = settings.effective(app.config)
    assert (effective["org_name"], effective["public_url"], effective["timezone"]) == (
        "Env Org",
        "http://env.test",
        "Asia/Tokyo",
    )
