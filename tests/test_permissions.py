"""Access: every route declares a role; the role table holds; GETs write nothing;
every POST needs a CSRF token."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import request, url_for
from flask_login import login_user
from werkzeug.exceptions import Forbidden

from app import permissions
from app.audits import audits
from app.kits import kits
from app.models import MODELS, Fault
from app.permissions import PUBLIC
from app.register import attachments, custom_fields, label_codes, teams
from app.reservations import reservations
from app.spreadsheets import imports
from app.subscriptions import documents, seats

from . import factories
from .receipt_kit import data_url, hand_over, png
from .subscription_kit import make_subscription

# Who may open each endpoint, from the role table in DESIGN.md. A new route
# must be added here, which makes whoever adds it decide.
EXPECTED = {
    "home.healthz": PUBLIC,
    "auth.setup": PUBLIC,
    "auth.login": PUBLIC,
    "scan.asset": PUBLIC,  # public card when signed out
    "scan.location": PUBLIC,
    "scan.find": PUBLIC,
    "scan.report": PUBLIC,  # "Report found / Report a problem", rate-limited
    "scanner.service_worker": PUBLIC,  # a static script; it holds nothing private
    "account.forgot": PUBLIC,  # rate-limited; never says who has an account
    "account.welcome": PUBLIC,  # an invite link: the signed link is the permission
    "account.reset": PUBLIC,  # a reset link, the same
    "auth.logout": "member",
    "account.password": "member",  # "Change my password"
    "home.index": "member",
    "home.menu": "member",  # the phone's "Menu": each person sees only their pages
    "home.dismiss_checklist": "lead",  # the getting-started list is for those who can act on it
    "assets.index": "member",
    "locations.index": "member",
    "categories.index": "member",
    "assets.new": "lead",
    "assets.edit": "lead",
    "people.index": "lead",
    "people.new": "lead",
    "people.detail": "lead",
    "people.edit": "lead",
    "people.invite": "lead",  # a lead invites members; role choice is the service's
    "people.reinvite": "lead",
    "people.reset_link": "admin",  # a link to someone else's account is an admin's to send
    "locations.new": "lead",
    "locations.edit": "lead",
    "categories.save": "lead",
    "teams.index": "member",  # teams group, anyone sees them; managing them is a lead's
    "teams.detail": "member",
    "teams.save": "lead",
    "teams.remove": "lead",
    # Subscriptions are the leads' (members see only their own seats).
    "subscriptions.index": "lead",
    "subscriptions.save": "lead",
    "subscriptions.show": "lead",
    "subscriptions.give_seat": "lead",
    "subscriptions.free_seat": "lead",
    "subscriptions.reveal_key": "lead",
    "subscriptions.renew": "lead",
    "subscriptions.cancel": "lead",
    "subscriptions.upload": "lead",
    "subscriptions.download": "lead",
    "vendors.index": "lead",
    "vendors.rename": "lead",
    "subscriptions.mine": "member",
    "custom_fields.index": "lead",
    "custom_fields.save": "lead",
    "custom_fields.move": "lead",
    "custom_fields.remove": "lead",
    "actions.checkout": "member",  # to self; to others needs lead (checked in the service)
    "actions.checkin": "member",
    "actions.transfer": "member",  # own items or taking one over; others need lead
    "actions.fault": "member",
    "actions.checked_ready": "member",  # leads, or the person the category names
    "actions.move": "lead",
    "actions.retire": "lead",
    "actions.repair": "lead",
    "actions.fixed": "lead",
    "actions.service": "lead",
    # Reserving for someone else needs a lead (checked in the service), as do
    # everyone's bookings on the Reservations page (shown only to leads).
    "reservations.reserve": "member",
    "reservations.start": "member",
    "reservations.cancel": "member",
    "reservations.change": "member",
    "reservations.index": "member",
    "kits.index": "member",  # anyone finds a kit to book; making one needs a lead
    "kits.create": "lead",
    "kits.edit": "lead",
    "kits.checkout": "member",
    "kits.checkin": "member",
    "kits.reserve": "member",
    "kits.transfer": "lead",
    "kits.start": "member",
    "feeds.calendar": PUBLIC,  # the secret link is the key; rate-limited
    "feeds.renew_mine": "member",  # a new link to my own reservations' calendar
    "feeds.renew_asset": "lead",  # an item's calendar link
    "week.asset_week": "member",
    "activity.overdue": "member",
    "activity.fault_photo": "member",
    "activity.index": "lead",
    "attachments.index": "member",  # anyone signed in may look and download
    "attachments.download": "member",
    "attachments.thumb": "member",
    "attachments.upload": "lead",
    "attachments.remove": "lead",
    "people.return_all": "lead",
    "labels.index": "lead",  # "Print labels"
    "labels.preview": "lead",
    "labels.pdf": "lead",
    "labels.blank": "lead",
    "labels.calibrate": "lead",
    "labels.new_format": "lead",
    "binding.bind_new": "lead",  # creating assets is a lead's job (members are told so)
    "binding.bind_attach": "lead",
    "binding.relabel": "lead",
    "scanner.page": "member",  # the in-browser scanner
    "scanner.actions": "member",  # each action then follows the asset page's rules
    "audits.index": "member",
    "audits.show": "member",  # members tick audits
    "audits.set_room": "member",
    "audits.walk_this": "member",
    "audits.tick": "member",
    "audits.undo": "member",
    "audits.new": "lead",  # "Start audit"
    "audits.elsewhere": "lead",
    "audits.missing": "lead",
    "audits.close": "lead",
    "audits.report": "lead",
    "audits.report_csv": "lead",
    "audits.report_pdf": "lead",
    "imports.upload": "lead",  # importing and exporting the register is a lead's job
    "imports.preview": "lead",
    "imports.confirm": "lead",
    "imports.keep": "lead",  # keeping a column as a custom field from the preview
    "imports.unkeep": "lead",  # and undoing it
    "exports.index": "lead",
    "exports.register": "lead",
    "exports.history": "lead",
    "exports.subscriptions": "lead",
    "subscription_imports.preview": "lead",
    "subscription_imports.confirm": "lead",
    "reports.index": "lead",  # "see reports" is a lead's right in DESIGN.md
    "reports.assets": "lead",
    "reports.assets_csv": "lead",
    "reports.idle": "lead",
    "reports.idle_csv": "lead",
    "reports.utilisation": "lead",
    "reports.utilisation_csv": "lead",
    "reports.maintenance": "lead",
    "reports.maintenance_csv": "lead",
    "reports.value": "lead",
    "reports.value_csv": "lead",
    "replacement.page": "lead",
    "replacement.due_csv": "lead",
    "replacement.forecast_csv": "lead",
    "reports.subscription_spend_page": "lead",
    "reports.subscription_spend_csv": "lead",
    "reports.waste_page": "lead",
    "reports.waste_csv": "lead",
    "admin.settings_page": "admin",
    # Signed-in people; then only leads and the two people on it (else 404).
    "receipts.index": "member",
    "receipts.show": "member",
    "receipts.pdf": "member",
    "receipts.signature": "member",
    "acceptance.accept": "member",
    "acceptance.decline": "member",
    "acceptance.sign": "member",
}
RANK = {PUBLIC: 0, "member": 1, "lead": 2, "admin": 3}


@pytest.fixture
def world(app):
    """One of everything, so every URL in the map can be built."""
    admin = factories.make_user("admin")
    member = factories.make_user("member")
    location = factories.make_location("Store")
    category = factories.make_category("Drills")
    asset = factories.make_asset(name="Drill", location=location.id, category=category.id)
    uploads = Path(app.instance_path) / "uploads"
    uploads.mkdir()
    (uploads / "crack.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    fault = Fault.create(asset=asset, description="Cracked", photo="crack.png")
    photo = attachments.add(
        asset.code, actor=admin, stream=io.BytesIO(_png()), original_name="p.png", folder=uploads
    ).attachment
    blank = label_codes.reserve_blanks(1, admin)[0]
    audit = audits.start("Quarterly", actor=admin)
    tick = audits.tick(audit.id, asset.code, actor=admin).tick
    field = custom_fields.create_field("Colour", "text")
    sheet = io.BytesIO(b"Name,Serial\nLadder,L-1\n")
    token = imports.store(sheet, "a.csv", uploads.parent / "imports")
    kept = io.BytesIO(b"Vendor,Product\nFigma,FigJam\n")
    subscription_token = imports.store(kept, "s.csv", uploads.parent / "imports", "subscriptions")
    start = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)
    reservation = reservations.reserve(
        [asset.code], actor=member, starts_at=start, ends_at=start + timedelta(hours=4), zone=UTC
    )
    kit = kits.create("Drill kit", factories.make_asset(name="Bit set").code, actor=admin)
    team = teams.save_team("Studio")
    subscription = make_subscription(admin)
    seat = seats.assign(subscription.id, member.id, actor=admin)
    pdf = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    documents.add(subscription.id, actor=admin, stream=pdf, original_name="c.pdf", folder=uploads)
    lent = factories.make_asset(name="Level")
    handed = hand_over(app, lent, admin, member, drawn=data_url(png()))  # PDF not made yet
    return {
        "team_id": team.id,
        "subscription_id": subscription.id,
        "seat_id": seat.id,
        "document_id": documents.of_subscription(subscription.id)[0].id,
        "vendor_id": subscription.vendor_id,
        "receipt_id": handed.receipt_id,
        "kit": kit.code,
        "token": token,
        "subscription_token": subscription_token,
        "audit_id": audit.id,
        "tick_id": tick.id,
        "blank": blank,
        "fault_id": fault.id,
        "attachment_id": photo.id,
        "code": asset.code,
        "person_id": member.id,
        "location_id": location.id,
        "category_id": category.id,
        "field_id": field.id,
        "column": 1,
        "admin": admin,
        "link": "not-a-real-link",
        "reservation_id": reservation.id,
    }


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _url(rule, world) -> str:
    values = {arg: world[arg] for arg in rule.arguments}
    if rule.endpoint.startswith("binding.bind_"):
        values["code"] = world["blank"]
    if rule.endpoint.startswith("kits.") and "code" in values:
        values["code"] = world["kit"]
    if rule.endpoint.startswith("subscription_imports."):
        values["token"] = world["subscription_token"]
    if rule.endpoint == "scan.location":
        from app.models import Location

        values["code"] = Location.get_by_id(world["location_id"]).code
    return rule.build(values)[1]


def test_every_view_declares_its_role(app):
    """No route is left without a role, and each matches the role table."""
    declared = {
        r.endpoint: getattr(app.view_functions[r.endpoint], "required_role", None)
        for r in _rules(app)
    }
    assert declared == EXPECTED


@pytest.mark.parametrize("who", ["anonymous", "member", "lead", "admin"])
def test_role_checks_on_every_route(app, client, auth, world, who):
    """Each role gets in where the table says and nowhere else."""
    if who != "anonymous":
        auth.login(who)
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        needed = EXPECTED[rule.endpoint]
        url = _url(rule, world)
        response = client.get(url)
        response.close()  # file responses hold their file open until closed
        if rule.endpoint == "auth.setup":
            assert response.status_code == 404  # gone once a user exists
            continue
        if needed == PUBLIC:
            assert response.status_code in (200, 302, 404), url
            assert "/login?next=" not in response.headers.get("Location", ""), url
        elif who == "anonymous":
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login?next="), url
        elif RANK[who] < RANK[needed]:
            assert response.status_code == 403, (who, url)
        elif rule.endpoint.startswith("acceptance."):
            assert response.status_code == 404, url  # not the receiver, nor its staff
        elif rule.endpoint == "receipts.index":
            assert response.status_code == 200, url  # everyone's own list
        elif rule.endpoint.startswith("receipts.") and who == "member":
            assert response.status_code == 404, url  # a receipt they are not on
        else:
            assert response.status_code == 200, (who, url, response.status_code)


def test_htmx_request_when_signed_out_gets_a_client_redirect(client, auth):
    """htmx follows HX-Redirect to sign-in instead of swapping a login page into a fragment."""
    response = client.get("/assets", headers={"HX-Request": "true", "HX-Target": "asset-results"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login?next=/assets"


def _dump(app) -> dict:
    """Every row of every table (on SQLite or PostgreSQL alike)."""
    with app.app_context():
        return {
            m._meta.table_name: list(m.select().order_by(m._meta.primary_key).tuples())
            for m in MODELS
        }


def test_no_get_changes_anything(app, client, auth, world):
    """Every GET in the URL map, as an admin, leaves the database byte-for-byte the same."""
    auth.login("admin", user=world["admin"])
    before = _dump(app)
    for rule in _rules(app):
        if "GET" in rule.methods:
            client.get(_url(rule, world)).close()
            client.get(_url(rule, world), headers={"HX-Request": "true"}).close()
    assert _dump(app) == before


def test_state_changing_routes_are_posts(app):
    """Only GET, HEAD, OPTIONS and POST exist; every write route takes POST."""
    for rule in _rules(app):
        assert rule.methods <= {"GET", "HEAD", "OPTIONS", "POST"}, rule


@pytest.mark.parametrize("htmx", [False, True])
def test_every_post_without_a_csrf_token_is_refused(app, client, auth, world, htmx):
    """A POST with no token, plain or htmx, gets 400 and writes nothing."""
    auth.login("admin", user=world["admin"])
    before = _dump(app)
    headers = {"HX-Request": "true"} if htmx else {}
    posts = [r for r in _rules(app) if "POST" in r.methods]
    assert len(posts) >= 8
    for rule in posts:
        response = client.post(_url(rule, world), data={"name": "x"}, headers=headers)
        assert response.status_code == 400, rule
        assert "expired" in response.get_data(as_text=True)
    assert _dump(app) == before


def test_a_member_cannot_post_to_lead_routes(client, auth, world):
    """Refusals hold for writes too, not just for showing the form."""
    auth.login("member")
    response = client.form("/assets/new", {"name": "Sneaky"})
    assert response.status_code == 403
    from app.models import Asset

    assert not Asset.select().where(Asset.name == "Sneaky").exists()


@pytest.mark.parametrize("who", [None, "member", "lead", "admin"])
def test_may_agrees_with_the_hook_on_every_endpoint(app, who):
    """Templates show a link when `may(endpoint)` says so: for every endpoint in
    the URL map and every role (and signed out), it says yes exactly when the
    before-request hook lets that person in (no 403, no sign-in first)."""
    user = factories.make_user(who) if who else None
    rules = list(app.url_map.iter_rules())
    assert len({rule.endpoint for rule in rules}) > 80
    with app.test_request_context("/"):
        if user:
            login_user(user)
        for rule in rules:
            endpoint = rule.endpoint
            request.url_rule = rule  # as if this rule had matched the request
            try:
                let_in = permissions.enforce() is None
            except Forbidden:
                let_in = False
            assert permissions.may(endpoint) is let_in, (who, endpoint)
            needed = permissions.required_role(endpoint)
            assert let_in is (RANK[needed] <= RANK[who or PUBLIC]), (who, endpoint)
        with pytest.raises(ValueError):
            permissions.may("locations.nowhere")  # a typo in a template fails loudly


@pytest.mark.parametrize(
    "url, lead_links",
    [
        ("/locations", ["locations.new", "locations.edit"]),
        ("/categories", ["categories.save", "categories.edit", "custom_fields.index"]),
        ("/teams", ["teams.save", "teams.edit"]),
        ("/assets", ["assets.new", "imports.upload", "exports.index", "labels.index"]),
    ],
)
def test_a_member_sees_no_lead_links(app, client, auth, world, url, lead_links):
    """The lists show a member no link or button to a lead's page (which would
    only answer 403), and show a lead every one of them."""
    with app.test_request_context():
        hrefs = {
            "locations.new": url_for("locations.new"),
            "locations.edit": url_for("locations.edit", location_id=world["location_id"]),
            "categories.save": url_for("categories.save"),
            "categories.edit": url_for("categories.save", category_id=world["category_id"]),
            "custom_fields.index": url_for("custom_fields.index"),
            "teams.save": url_for("teams.save"),
            "teams.edit": url_for("teams.save", team_id=world["team_id"]),
            "assets.new": url_for("assets.new"),
            "imports.upload": url_for("imports.upload"),
            "exports.index": url_for("exports.index"),
            "labels.index": url_for("labels.index"),
        }
    wanted = {hrefs[e] for e in lead_links}

    def targets() -> set[str]:
        soup, _ = client.soup(url)
        main = soup.select_one("main")
        found = {a["href"].split("?")[0] for a in main.select("a[href]")}
        found |= {f["action"] for f in main.select("form[action]")}
        found |= {"ticks" for _ in main.select("input[type=checkbox][form=print-form]")}
        return found

    auth.login("member")
    seen = targets()
    assert not (wanted & seen), wanted & seen
    assert "ticks" not in seen
    auth.logout()
    auth.login("lead")
    seen = targets()
    assert wanted <= seen, wanted - seen
    if url == "/assets":
        assert "ticks" in seen
