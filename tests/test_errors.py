"""One exception hierarchy: every refusal a service raises carries its HTTP
status, and one that slips past its route still gets a friendly page with it."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from flask import Blueprint

import app as app_package
from app import errors, worker
from app.custody import batch
from app.ops import demo, mail
from app.register import label_codes, people, uploads
from app.routes.errors import MESSAGES
from app.spreadsheets import imports

from . import factories
from .pages import soup_of

# What a refusal may answer with: 400 (a malformed batch), the kinds' own codes.
ALLOWED = {400, 403, 404, 409, 413, 422, 503}
KINDS = {
    errors.Invalid: 422,
    errors.Refused: 409,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooLarge: 413,
    errors.Busy: 503,
}


def _every_module() -> None:
    """Import every module of the app, so every ServiceError subclass exists."""
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_service_error_has_an_allowed_status():
    _every_module()
    everything = _subclasses(errors.ServiceError)
    assert set(KINDS) <= everything
    assert {cls: cls.status for cls in everything if cls.status not in ALLOWED} == {}
    assert {cls: cls.status for cls in KINDS if cls.status != KINDS[cls]} == {}


def test_the_kinds_are_defined_once_in_app_errors():
    """A module's own exception subclasses a kind; it never defines another Refused."""
    _every_module()
    names = {cls.__name__ for cls in KINDS} | {"ServiceError"}
    elsewhere = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in _subclasses(errors.ServiceError)
        if cls.__name__ in names and cls.__module__ != "app.errors"
    ]
    assert elsewhere == []
    assert worker.Busy is errors.Busy and uploads.TooLarge is errors.TooLarge


def test_module_exceptions_are_the_kind_they_say():
    assert issubclass(imports.Expired, errors.NotFound)
    assert issubclass(imports.Blocked, errors.Invalid)
    assert issubclass(batch.BadBatch, errors.Invalid) and batch.BadBatch.status == 400
    assert issubclass(mail.MailError, errors.Busy)
    assert issubclass(worker.Unavailable, errors.Busy)


def test_app_errors_does_not_import_flask():
    """Services, the worker process and the command line raise these: no web layer."""
    tree = ast.parse(Path(errors.__file__).read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert imported == ["__future__"]


# The safety net: a refusal no route caught ------------------------------------

SLIPS = [
    (errors.Invalid({"name": "Give it a name."}), 422, "Give it a name."),
    (errors.Refused("This item is retired."), 409, "This item is retired."),
    (errors.Forbidden("Only a lead can retire items."), 403, "Only a lead can retire items."),
    (errors.NotFound("No such person."), 404, "No such person."),
    (errors.Conflict("Code ABC is already in use."), 409, "Code ABC is already in use."),
    (errors.TooLarge("That photo is larger than 10 MB."), 413, "larger than 10 MB"),
    (errors.Busy("The queue is full. Try again in a minute."), 503, "Try again in a minute."),
    (imports.Expired("That upload is no longer here."), 404, "That upload is no longer here."),
    (imports.Blocked(None), 422, "Fix the errors shown"),
    (batch.BadBatch("The list of actions is empty."), 400, "The list of actions is empty."),
    (mail.MailError("The mail server did not answer."), 503, "did not answer"),
    (worker.Unavailable(worker.MISSING_LIBRARY_MESSAGE), 503, "needs Pango"),
]


@pytest.fixture
def raising_client(app, auth):
    """A client for an app with one extra page that raises whatever a test hands it."""
    box: list[Exception] = []
    bp = Blueprint("raise_for_test", __name__)

    @bp.route("/raise-for-test")
    def raise_it():
        raise box[0]

    raise_it.required_role = "member"
    app.register_blueprint(bp)
    auth.login("member")
    return auth.client, box


@pytest.mark.parametrize(
    "exc, status, words", SLIPS, ids=[type(exc).__name__ for exc, _, _ in SLIPS]
)
def test_a_refusal_that_slips_through_gets_its_status_and_a_friendly_page(
    raising_client, exc, status, words
):
    client, box = raising_client
    box.append(exc)
    response = client.get("/raise-for-test")
    assert response.status_code == status
    soup = soup_of(response)
    title = soup.select_one("main h1").get_text(strip=True)
    assert title == MESSAGES[status][0] != MESSAGES[500][0]
    text = soup.select_one("main p").get_text(" ", strip=True)
    assert words in text and text.endswith("Nothing was saved.")
    assert soup.select_one("main a[href='/']") is not None  # a way on, in the site's frame


# Kinds that used to be misused ----------------------------------------------


def test_a_lead_editing_an_admin_is_forbidden_not_a_conflict(app):
    admin, lead = factories.make_user("admin"), factories.make_user("lead")
    with pytest.raises(errors.Forbidden):
        people.update_person(admin.id, {"name": "Renamed"}, actor=lead)


def test_a_member_relabelling_is_forbidden_not_refused(app):
    asset = factories.make_asset()
    member = factories.make_user("member")
    with pytest.raises(errors.Forbidden):
        label_codes.relabel(asset.code, member)


def test_a_second_setup_is_refused_not_a_conflict(app):
    factories.make_user("admin")
    with pytest.raises(errors.Refused):
        people.setup_first_admin(
            org_name="Harbour Works",
            public_url="",
            name="Second Admin",
            email="second@example.test",
            password=factories.PASSWORD,
            paper_size="a4",
        )


def test_a_short_demo_password_is_invalid_input_not_a_conflict(app):
    with pytest.raises(errors.Invalid) as raised:
        demo.build(password="short")
    assert set(raised.value.errors) == {"password"}
    assert str(raised.value).startswith("Demo password: ")


def test_demo_data_over_existing_data_is_refused(app):
    factories.make_asset()
    with pytest.raises(errors.Refused):
        demo.build(password=factories.PASSWORD)


def test_a_refused_page_says_who_to_ask(client, auth):
    """A member is told to ask a lead or an admin; a lead, refused a page only an
    admin may open, is told to ask an admin."""

    def said(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 403
        return soup_of(response).select_one("main").get_text(" ", strip=True)

    auth.login("member")
    assert "Ask a lead or an admin." in said("/people")
    auth.logout()
    auth.login("lead")
    text = said("/admin/settings")
    assert "Ask an admin." in text
    assert "Ask a lead" not in text
