"""Subscriptions as CSV: the export (every field but the licence key, seats used,
cost a year, owner, state), and the import through the asset import's
machinery (upload, decoding, headers, preview, one write), with its own
columns and row checks: vendors and owners must exist, bad rows save nothing,
other trackers' licence columns are understood, and an export imports back."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.models import Subscription, SubscriptionEvent, SubscriptionSeat
from app.register import teams, uploads
from app.spreadsheets import exports, imports, rules
from app.spreadsheets import subscription_import as si
from app.subscriptions import seats, subscriptions, vendors

from . import factories
from .custody_kit import a_lead
from .import_kit import sheet
from .pages import soup_of
from .subscription_kit import make_subscription

TODAY = date(2026, 6, 1)


def upload(client, data: bytes, name: str = "subs.csv", kind: str = "subscriptions"):
    fields = {
        "csrf_token": client.csrf_token(),
        "kind": kind,
        "file": FileStorage(io.BytesIO(data), name),
    }
    boundary, body = encode_multipart(fields)
    return client.post(
        "/assets/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def exported(today: date = TODAY) -> list[dict[str, str]]:
    header, rows = exports.subscription_export(today)
    from app.spreadsheets.csvfiles import to_csv

    text = to_csv(header, rows).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def export_bytes(today: date = TODAY) -> bytes:
    from app.spreadsheets.csvfiles import to_csv

    return to_csv(*exports.subscription_export(today))


def plan(text: str, **kwargs):
    return si.preview(imports.read(sheet(text)), None, kwargs.get("date_order"))


def confirm_form(client, url):
    """Post the preview's own Import form, as a person tapping Import would."""
    page = soup_of(client.get(url))
    form = page.select_one("#import-confirm form")
    assert form is not None, page.select_one("#import-confirm").get_text(" ", strip=True)
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]") if i["name"] != "col"}
    data["col"] = [i["value"] for i in form.select("input[name=col]")]
    data["mode"] = "import"
    return form["action"], data


@pytest.fixture
def world(app):
    """Two vendors, a team and people; three subscriptions, one cancelled."""
    lead = a_lead()
    ops = teams.save_team("Ops", actor=factories.make_user("admin", password=None))
    nina = factories.make_user("member", name="Nina Novak", email="nina@example.test")
    figma = make_subscription(
        lead,
        "Figma",
        product="Figma Professional",
        seats=5,
        cost_cents=1500,
        period="month",
        owner_id=nina.id,
        notes="=HYPERLINK(evil)",
    )
    subscriptions.set_key(figma.id, "SECRET-KEY-123", version=figma.version, actor=lead)
    seats.assign(figma.id, nina.id, actor=lead)
    make_subscription(
        lead,
        "Microsoft",
        product="Office 365",
        kind="licence",
        seats=None,
        cost_cents=120000,
        period="year",
        owner_team_id=ops.id,
        renews_on=date(2026, 5, 1),
    )
    gone = make_subscription(lead, "Microsoft", product="Visio", renews_on=date(2026, 12, 1))
    subscriptions.cancel(gone.id, version=gone.version, actor=lead, ended_on=date(2026, 3, 1))
    return lead, nina, ops


def test_the_export_has_every_field_but_the_key(world):
    rows = exported()
    assert [r["Product"] for r in rows] == ["Figma Professional", "Office 365", "Visio"]
    figma, office, visio = rows
    assert figma["Vendor"] == "Figma" and figma["Kind"] == "SaaS"
    assert (figma["Seats"], figma["Seats used"]) == ("5", "1")
    assert (figma["Cost"], figma["Period"], figma["Cost per year"]) == (
        "15.00",
        "Monthly",
        "180.00",
    )
    assert (figma["Owner"], figma["Owner email"]) == ("Nina Novak", "nina@example.test")
    assert figma["Notes"] == "'=HYPERLINK(evil)"  # a formula is defused
    assert figma["State"] == "Running" and figma["Auto renews"] == "yes"
    assert (office["Seats"], office["Owner"], office["Owner email"]) == ("unlimited", "Ops", "")
    assert office["State"] == "Past renewal" and office["Kind"] == "Licence"
    assert (visio["State"], visio["Ends on"]) == ("Ended", "2026-03-01")
    assert "SECRET-KEY-123" not in export_bytes().decode("utf-8-sig")


def test_the_export_downloads_for_leads(client, auth, world):
    auth.login("lead")
    page = soup_of(client.get("/export"))
    link = page.select_one("#export-subscriptions a.button")
    response = client.get(link["href"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "subscriptions-" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("ID,Vendor,Product,Kind,Seats,Seats used,Cost")


def test_an_export_imports_back_unchanged_and_restores_an_edit(world):
    lead = world[0]
    data = export_bytes()
    again = si.preview(imports.read(data), None, None)
    assert again.ok and again.counts == {"new": 0, "update": 0, "unchanged": 3, "error": 0}
    assert set(again.left_out) == {"Seats used", "Cost per year", "State", "Ends on"}
    office = Subscription.get(Subscription.product == "Office 365")
    values = {n: getattr(office, n) for n in subscriptions.FIELDS} | {"seats": 10, "notes": "x"}
    subscriptions.update(office.id, values, version=office.version, actor=lead)
    folder = Path("unused")
    summary = si.confirm(
        folder, "a" * 32, imports.read(data), actor=lead, mapping=None, date_order=None
    )
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 2)
    office = Subscription.get_by_id(office.id)
    assert office.seats is None  # "unlimited" is a value
    assert office.notes == "x"  # a blank cell changes nothing, as in the asset import


def test_an_export_imports_into_an_empty_register(world):
    lead = world[0]
    data = export_bytes()
    before = [{k: v for k, v in r.items() if k not in ("ID", "Seats used")} for r in exported()]
    SubscriptionEvent.delete().execute()
    SubscriptionSeat.delete().execute()
    Subscription.delete().execute()
    summary = si.confirm(
        Path("unused"), "b" * 32, imports.read(data), actor=lead, mapping=None, date_order=None
    )
    assert summary.new == 3
    after = [{k: v for k, v in r.items() if k not in ("ID", "Seats used")} for r in exported()]
    # Cancelling is not imported: the one cancelled comes back running.
    assert [r for r in after if r["Product"] != "Visio"] == [
        r for r in before if r["Product"] != "Visio"
    ]
    kinds = {e.kind for e in SubscriptionEvent.select()}
    assert kinds == {"imported"}


def test_an_unknown_vendor_is_a_row_error_and_nothing_is_saved(client, auth, world):
    auth.login("lead")
    text = (
        "Vendor,Product,Seats\nFigma,FigJam,3\nMicrosoft,Teams,10\nFigma,Slides,2\n"
        "Adobee,Photoshop,4\n"
    )
    response = upload(client, sheet(text))
    assert response.status_code == 303
    page = soup_of(client.get(response.headers["Location"]))
    errors = [li.get_text() for li in page.select("#row-errors li")]
    assert errors == ["Row 5: no vendor called “Adobee”. Add it under Vendors first."]
    assert page.select_one("#import-confirm form") is None
    assert page.select_one("#import-confirm button[disabled]")
    url = response.headers["Location"]
    response = client.form(url, {"col": ["vendor", "product", "seats"], "mode": "import"})
    assert response.status_code == 422
    assert Subscription.select().count() == 3


@pytest.mark.parametrize(
    "row, message",
    [
        ("Figma,A,-3,,,", "Row 2: seats must be at least 1"),
        ("Figma,A,3,-5,,", "Row 2: cost: “-5”: an amount cannot be negative."),
        ("Figma,A,3,10,2026-05-01,2026-01-01", "Row 2: the renewal date is before the start."),
        ("Figma,A,three,,,", "Row 2: seats: “three” is not a whole number."),
        ("Figma,A,3,lots,,", "Row 2: cost: "),
        ("Figma,,3,,,", "Row 2: give the product’s name."),
        ("Figma,A,3,,2026-13-45,", "Row 2: starts on: "),
    ],
)
def test_bad_rows_are_refused_with_a_clear_message(world, row, message):
    found = plan("Vendor,Product,Seats,Cost,Start date,Renewal date\n" + row + "\n")
    assert not found.ok
    [error] = found.rows[0].errors
    assert error.startswith(message)
    with pytest.raises(imports.Blocked):
        si.confirm(
            Path("unused"),
            "c" * 32,
            imports.read(sheet("Vendor,Product,Seats,Cost,Start date,Renewal date\n" + row + "\n")),
            actor=world[0],
            mapping=None,
            date_order=None,
        )
    assert Subscription.select().count() == 3


def test_cutting_seats_below_those_given_out_is_refused(world):
    found = plan("Vendor,Product,Seats\nFigma,Figma Professional,0\n")
    assert found.rows[0].errors == [
        "Row 2: seats must be at least 1 (leave it blank for unlimited)."
    ]
    seats.assign(
        Subscription.get(Subscription.product == "Figma Professional").id,
        factories.make_user("member").id,
        actor=world[0],
    )
    found = plan("Vendor,Product,Seats\nFigma,Figma Professional,1\n")
    assert found.rows[0].errors == [
        "Row 2: 2 seats are given out; free some before cutting it to 1."
    ]


def test_other_trackers_licence_columns_are_understood(world):
    lead, nina, _ = world
    text = (
        "Name,Manufacturer,Seats,Expiration Date,Purchase Date,Purchase Cost,Product Key,"
        "Licensed to Email,Category,Notes\n"
        'Office 2021,Microsoft,25,2027-03-31,2024-04-01,"£1,250.00",ABC-DEF,'
        "nina@example.test,Office software,Volume licence\n"
    )
    found = plan(text)
    assert found.mapping == [
        "product",
        "vendor",
        "seats",
        "renews_on",
        "starts_on",
        "cost_cents",
        "licence_key",
        "owner_email",
        "",
        "notes",
    ]
    assert found.left_out == ["Category"]
    assert found.ok and found.counts["new"] == 1
    si.confirm(
        Path("unused"),
        "d" * 32,
        imports.read(sheet(text)),
        actor=lead,
        mapping=None,
        date_order=None,
    )
    made = Subscription.get(Subscription.product == "Office 2021")
    assert (made.seats, made.cost_cents, made.period) == (25, 125000, "year")
    assert (made.renews_on, made.starts_on, made.owner_id) == (
        date(2027, 3, 31),
        date(2024, 4, 1),
        nina.id,
    )
    assert made.licence_key == "ABC-DEF" and made.notes == "Volume licence"
    assert [e.kind for e in made.events.order_by(SubscriptionEvent.id)] == [
        "imported",
        "key_changed",
    ]


def test_owners_must_exist_and_dates_may_need_an_order(world):
    found = plan("Vendor,Product,Owner\nFigma,A,Nobody Here\nFigma,B,Ops\nFigma,C,Nina Novak\n")
    assert found.rows[0].errors == ["Row 2: owner: no person or team is called “Nobody Here”."]
    assert found.rows[1].values["owner_team_id"] == world[2].id
    assert found.rows[2].values["owner_id"] == world[1].id
    found = plan("Vendor,Product,Renewal date\nFigma,A,03/04/2027\n")
    assert found.date_choice_needed and not found.ok
    found = plan("Vendor,Product,Renewal date\nFigma,A,03/04/2027\n", date_order="dmy")
    assert found.ok and found.rows[0].values["renews_on"] == date(2027, 4, 3)


def test_an_id_renames_but_never_overwrites_a_stranger(world):
    figma = Subscription.get(Subscription.product == "Figma Professional")
    found = plan(f"ID,Vendor,Product\n{figma.id},Figma,Figma Organisation\n")
    assert found.rows[0].action == "update"
    assert found.rows[0].changes == {"Product": ("Figma Professional", "Figma Organisation")}
    # The same number, but neither the vendor nor the product: another
    # tagtrail's subscription, added as new.
    found = plan(f"ID,Vendor,Product\n{figma.id},Microsoft,Project\n")
    assert found.rows[0].action == "new"


def test_the_same_subscription_twice_in_a_file_is_an_error(world):
    found = plan("Vendor,Product\nFigma,New one\nfigma,NEW ONE\n")
    assert found.rows[1].errors == ["Row 3: this is the same subscription as row 2."]


def test_the_pages_preview_import_once_and_dry_run(client, auth, world):
    auth.login("lead")
    page = soup_of(client.get("/assets/import?kind=subscriptions"))
    assert page.select_one("#import-kind input[value=subscriptions]").has_attr("checked")
    url = upload(client, sheet("Vendor,Product,Seats,Cost,Period\nFigma,FigJam,3,8,Monthly\n"))
    url = url.headers["Location"]
    page = soup_of(client.get(url))
    assert page.select_one("[data-count=new]").text == "1"
    chosen = [s.find("option", selected=True)["value"] for s in page.select("select[name=col]")]
    assert chosen == ["vendor", "product", "seats", "cost_cents", "period"]
    action, data = confirm_form(client, url)
    dry = client.post(action, data=data | {"mode": "dry"})
    assert "would add 1" in soup_of(dry).select_one("#dry-run").get_text()
    assert Subscription.select().where(Subscription.product == "FigJam").count() == 0
    done = client.post(action, data=data)
    assert (done.status_code, done.headers["Location"]) == (303, "/subscriptions")
    made = Subscription.get(Subscription.product == "FigJam")
    assert (made.seats, made.cost_cents, made.period) == (3, 800, "month")
    again = client.post(action, data=data, follow_redirects=True)
    assert "already imported" in again.get_data(as_text=True)
    assert Subscription.select().where(Subscription.product == "FigJam").count() == 1


def test_columns_are_changed_on_the_preview(client, auth, world):
    auth.login("lead")
    url = upload(client, sheet("Supplier name,Thing,Licences\nFigma,FigJam,3\n"))
    url = url.headers["Location"]
    page = soup_of(client.get(url))
    assert "No column is the product" in page.select_one("#import-blockers").get_text()
    assert page.select_one("#import-confirm form") is None
    page = soup_of(client.get(url + "?col=vendor&col=product&col=seats"))
    assert page.select_one("[data-count=new]").text == "1"
    assert page.select_one("#import-confirm form") is not None
    response = client.get(url + "?col=vendor&col=bogus&col=seats")
    assert response.status_code == 422
    assert "damaged" in soup_of(response).select_one(".flash-error").get_text()


def test_an_asset_upload_is_not_a_subscription_import(client, auth, world):
    auth.login("lead")
    response = upload(client, sheet("Name\nDrill\n"), kind="assets")
    token = response.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/import/subscriptions/{token}").status_code == 404


LIMIT = uploads.limit_words()


@pytest.mark.parametrize(
    "data, name, status, message",
    [
        (b"", "empty.csv", 422, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", 422, "binary"),
        (b"PK\x03\x04" + b"\0" * 100, "book.xlsx", 422, "workbook"),
        (b"Vendor\n" + b"x" * rules.MAX_BYTES, "huge.csv", 413, f"larger than {LIMIT}"),
    ],
)
def test_bad_files_get_the_asset_imports_messages(client, auth, data, name, status, message):
    auth.login("lead")
    response = upload(client, data, name)
    assert response.status_code == status
    page = soup_of(response)
    assert message in page.select_one(".flash-error").get_text()
    if status == 422:  # the page comes back on the subscriptions choice
        assert page.select_one("#import-kind input[value=subscriptions]").has_attr("checked")
    assert not list((Path(client.application.instance_path) / "imports").glob("*.csv"))


def test_a_windows_1252_file_reads_as_the_asset_import_reads_it(world):
    data = sheet("Vendor,Product,Notes\nFigma,Café plan,Déjà vu\n", "cp1252")
    found = si.preview(imports.read(data), None, None)
    assert found.encoding_guessed and found.rows[0].values["product"] == "Café plan"


def test_vendor_lookup_ignores_case(world):
    assert vendors.by_name("figma") is not None
    found = plan("Vendor,Product\nFIGMA,Whiteboard\n")
    assert found.ok


def test_the_command_line_writes_the_same_file(app, world, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from app.cli import main

    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    out = tmp_path / "subs.csv"
    result = CliRunner().invoke(main, ["export-csv", "--subscriptions", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [r["Product"] for r in rows] == ["Figma Professional", "Office 365", "Visio"]
    assert "SECRET-KEY-123" not in out.read_text(encoding="utf-8-sig")
