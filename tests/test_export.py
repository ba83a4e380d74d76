"""Exports: formula-safe cells, the round trip, the history's date range, the CLI."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.custody import custody
from app.database import write
from app.models import Asset, Event, Location, User
from app.ops import settings as site_settings
from app.spreadsheets import exports, imports
from app.spreadsheets.csvfiles import FORMULA_STARTS, to_csv

from . import factories
from .import_kit import run


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def register_csv(client) -> bytes:
    response = client.get("/export/assets.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="assets-')
    return response.data


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # No NUL and no lone surrogates: PostgreSQL cannot store them (and no form
    # can send them: the app refuses NUL, and a surrogate is not valid UTF-8).
    text=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=30,
    ).filter(lambda t: t.strip()),
    start=st.sampled_from(FORMULA_STARTS + ("", "x")),
)
def test_export_cells_never_start_a_formula(app, text, start):
    """Whatever a name, note or serial holds, no exported cell starts a formula."""
    with app.app_context():
        lead = User.select().where(User.role == "lead").first() or factories.make_user("lead")
        value = start + text
        asset = factories.make_asset(
            actor=lead, name=value, notes=value, manufacturer=value, serial=None
        )
        rows = read_csv(to_csv(exports.REGISTER_HEADER, exports.register_rows()))
        for row in rows:
            for cell in row.values():
                assert not cell.startswith(FORMULA_STARTS), cell
        mine = next(r for r in rows if r["Code"] == asset.code)
        stored = Asset.get_by_id(asset.id)
        assert mine["Notes"] in (stored.notes, "'" + stored.notes)
        assert mine["Name"] in (stored.name, "'" + stored.name)


def _register() -> list[tuple]:
    paths = {}
    for loc in Location.select():
        parts, node = [], loc
        while node is not None:
            parts.append(node.name)
            node = node.parent
        paths[loc.id] = " > ".join(reversed(parts))
    out = []
    for a in Asset.select().order_by(Asset.code):
        holder = (a.holder.name, a.holder.email) if a.holder_id else None
        out.append(
            (
                a.code,
                a.name,
                a.external_tag,
                a.category.name if a.category_id else None,
                a.manufacturer,
                a.model_name,
                a.serial,
                a.purchase_date,
                a.cost_cents,
                a.supplier,
                a.order_number,
                a.warranty_end,
                a.status,
                paths.get(a.location_id),
                holder,
                a.due_back,
                a.notes,
            )
        )
    return out


def test_round_trip_reproduces_the_register(tmp_path, client, auth):
    """Export, import into an empty database: the same register, codes included."""
    lead = auth.login("lead")
    hq = factories.make_location("HQ")
    room = factories.make_location("Room 5", parent=hq)
    tools = factories.make_category("Tools")
    drill = factories.make_asset(
        actor=lead,
        name="Drill, cordless",
        category=tools.id,
        location=room.id,
        serial="=SN1",
        manufacturer="Bosch",
        model_name="GSR",
        purchase_date=date(2024, 3, 31),
        cost_cents=123450,
        supplier="Acme",
        warranty_end=date(2027, 3, 31),
        notes='Line one\nline "two"; café',
    )
    sam = factories.make_holder("Sam Smith")
    custody.check_out(
        drill.code, actor=lead, holder_id=sam.id, today=date.today(), due_back=date(2099, 1, 1)
    )
    factories.make_asset(actor=lead, name="Ladder", location=hq.id)
    run(
        b"Asset tag,Name,Status\n"
        b"LAP-1,Old laptop,Retired\nOLD-2,Camera,Faulty\nOLD-3,Van,Missing\n",
        actor=lead,
    )
    before = _register()
    data = register_csv(client)

    from app import create_app

    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "INSTANCE_PATH": str(tmp_path / "empty"),
            # Its own empty SQLite file, even on the PostgreSQL run.
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty' / 'tagtrail.sqlite3'}",
        }
    )
    with other.app_context():
        importer = factories.make_user("lead")
        assert not Asset.select().exists()
        summary = run(data, actor=importer)
        assert summary.new == len(before)
        assert _register() == before
        assert imports.preview(imports.read(data)).counts["unchanged"] == len(before)


def test_history_export_takes_local_days(client, auth, app):
    lead = auth.login("lead")
    with app.app_context():
        site_settings.save({"timezone": "Pacific/Auckland"})
    asset = factories.make_asset(actor=lead, name="Drill")
    with write():
        # 23:30 UTC on 1 March is 12:30 on 2 March in Auckland (UTC+13).
        Event.update(at=datetime(2026, 3, 1, 23, 30)).where(Event.asset == asset).execute()
        Event.create(asset=asset, kind="moved", actor=lead, at=datetime(2026, 3, 5, 9, 0))
    response = client.get("/export/history.csv?from=2026-03-02&to=2026-03-02")
    assert response.status_code == 200
    rows = read_csv(response.data)
    assert [(r["Event"], r["When"], r["Code"]) for r in rows] == [
        ("created", "2026-03-02 12:30:00", asset.code)
    ]
    everything = read_csv(client.get("/export/history.csv").data)
    assert [r["Event"] for r in everything] == ["created", "moved"]
    page, response = client.soup("/export/history.csv?from=2026-03-05&to=2026-03-01")
    assert response.status_code == 422 and "before the start" in page.text
    assert client.get("/export/history.csv?from=yesterday").status_code == 422


@pytest.fixture
def cli(app, monkeypatch):
    """Run `tagtrail ...` against the test app's instance folder."""
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_cli_export_and_import(cli, app, tmp_path):
    with app.app_context():
        lead = factories.make_user("lead")
        factories.make_asset(actor=lead, name="Drill", serial="D1")
    out = tmp_path / "assets.csv"
    result = cli(*["export-csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_csv(out.read_bytes())[0]["Serial"] == "D1"
    history = tmp_path / "history.csv"
    result = cli(
        "export-csv", "--events", "--from", "2000-01-01", "--to", "2099-01-01", "-o", str(history)
    )
    assert result.exit_code == 0 and read_csv(history.read_bytes())[0]["Event"] == "created"
    sheet = tmp_path / "new.csv"
    sheet.write_bytes("Name;Serial;Cost\r\nCafé machine;C1;£5\r\n".encode("cp1252"))
    with app.app_context():
        before = (Asset.select().count(), Event.select().count())
    result = cli(*["import-csv", str(sheet), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would import: 1 new" in result.output and "nothing was written" in result.output
    with app.app_context():
        assert (Asset.select().count(), Event.select().count()) == before
    result = cli(*["import-csv", str(sheet)])
    assert result.exit_code == 0 and "Imported: 1 new" in result.output
    with app.app_context():
        assert Asset.get(Asset.serial == "C1").cost_cents == 500
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Name,Cost\nX,lots\n,3\n")
    result = cli(*["import-csv", str(bad)])
    assert result.exit_code == 1
    assert "row 2: Cost" in result.output and "row 3: A new asset needs a name." in result.output
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = cli(*["import-csv", str(binary)])
    assert result.exit_code == 1 and "binary" in result.output
