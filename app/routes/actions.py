"""What people do to an asset from its page: custody, faults, repairs.

Every action is a POST to /A/<code>/<action>. An htmx POST aimed at the
status card gets the new card back, with out-of-band swaps for the flash
message and the top of the history; a plain form gets a 303 to the asset
page. A GET of the same URL shows the action's own small form page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from .. import codes
from ..custody import custody, maintenance, servicing
from ..custody.engine import Forbidden, Outcome, Refused
from ..errors import Invalid, NotFound
from ..models import Asset, User
from ..permissions import role
from ..register import assets, places
from ..register.uploads import TooLarge
from ..templating import local_today, wants_fragment
from .helpers import current_actor, form_date, form_int, form_money, form_text
from .scan import asset_context, card_context

bp = Blueprint("actions", __name__, url_prefix="/A/<code>")

CARD = "status-card"


def _asset(code: str):
    canonical = codes.parse(code)
    found = assets.get_by_code(canonical) if canonical else None
    if found is None:
        abort(404)
    return found


def _people(query: str) -> list[User]:
    people = User.select().where(User.active == True).order_by(User.name)  # noqa: E712
    if query:
        people = people.where(User.name.contains(query.strip()[:60]))
    return list(people.limit(30))


def form_page(action: str, asset, status: int = 200, errors: dict | None = None, **extra):
    """The small page for one action (also where a plain form's errors land)."""
    q = request.values.get("q", "")
    context = {
        "action": action,
        "asset": asset,
        "errors": errors or {},
        "values": request.form,
        "q": q,
        "people": _people(q) if action in ("checkout", "transfer") else [],
        "locations": places.location_tree() if action in ("return", "move") else [],
        "reasons": custody.RETIRE_REASONS,
        "conditions": custody.CONDITIONS,
        **extra,
    }
    if wants_fragment("people-pick"):
        return render_template("actions/_people.html", **context)
    return render_template("actions/page.html", **context), status


def respond(action: str, code: str, run: Callable[[Asset], Outcome]):
    """Run an action and answer the way the request asked: card fragment or page."""
    asset = _asset(code)
    errors, status = {}, 200
    try:
        outcome = run(asset)
    except NotFound:
        abort(404)
    except Invalid as exc:
        errors, status = exc.errors, 422
        flash("Please fix the marked fields. Nothing was saved.", "error")
    except (Refused, Forbidden, TooLarge) as exc:
        status = {Refused: 409, Forbidden: 403, TooLarge: 413}[type(exc)]
        flash(f"{exc} Nothing was saved.", "error")
    else:
        flash(outcome.message, "ok")
    fresh = assets.get_by_code(asset.code)
    if wants_fragment(CARD):
        new_events = outcome.events if status == 200 else []
        response = current_app.make_response(
            (
                render_template(
                    "scan/_action_result.html",
                    **card_context(fresh),
                    new_events=new_events,
                    open_form=action if errors else None,
                    errors=errors,
                    values=request.form,
                ),
                status,
            )
        )
        # Set by hand: htmx-flask 0.1.0's make_response(reswap=...) rejects valid
        # values ("beforebegin" "afterbegin" lack a comma in its list).
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    if status == 200:
        return redirect(url_for("scan.asset", code=asset.code), 303)
    if status == 422:
        return form_page(action, fresh, status, errors)
    return render_template("scan/asset.html", **asset_context(fresh)), status


def _key() -> str | None:
    return request.form.get("key")


@bp.route("/checkout", methods=["GET", "POST"])
@role("member")
def checkout(code: str):
    """Check out to me (one tap) or to someone else, with a due date and a note."""
    if request.method == "GET":
        return form_page("checkout", _asset(code))
    return respond(
        "checkout",
        code,
        lambda found: custody.check_out(
            found.code,
            actor=current_actor(),
            today=local_today(),
            holder_id=form_int("holder"),
            due_back=form_date("due_back"),
            note=form_text("note"),
            override=request.form.get("override") == "1",
            key=_key(),
        ),
    )


@bp.route("/return", methods=["GET", "POST"])
@role("member")
def checkin(code: str):
    """Return (one tap), optionally saying where it went back to and in what state."""
    if request.method == "GET":
        return form_page("return", _asset(code))
    return respond(
        "return",
        code,
        lambda found: custody.check_in(
            found.code,
            actor=current_actor(),
            expected_holder_id=form_int("holder"),
            location_id=form_int("location"),
            condition=request.form.get("condition", ""),
            note=form_text("note"),
            key=_key(),
        ),
    )


@bp.route("/transfer", methods=["GET", "POST"])
@role("member")
def transfer(code: str):
    """Hand the item straight from its holder to someone else."""
    if request.method == "GET":
        return form_page("transfer", _asset(code))
    return respond(
        "transfer",
        code,
        lambda found: custody.transfer(
            found.code,
            actor=current_actor(),
            today=local_today(),
            to_holder_id=form_int("to_holder"),
            expected_holder_id=form_int("holder"),
            due_back=form_date("due_back"),
            note=form_text("note"),
            key=_key(),
        ),
    )


@bp.route("/move", methods=["GET", "POST"])
@role("lead")
def move(code: str):
    """Record the item's new home."""
    if request.method == "GET":
        return form_page("move", _asset(code))
    return respond(
        "move",
        code,
        lambda found: custody.move(
            found.code,
            actor=current_actor(),
            location_id=form_int("location"),
            note=form_text("note"),
            key=_key(),
        ),
    )


@bp.route("/retire", methods=["GET", "POST"])
@role("lead")
def retire(code: str):
    """Retire the item: sold, scrapped, lost, stolen or other."""
    if request.method == "GET":
        return form_page("retire", _asset(code))
    return respond(
        "retire",
        code,
        lambda found: custody.retire(
            found.code,
            actor=current_actor(),
            reason=request.form.get("reason", ""),
            note=form_text("note"),
            key=_key(),
        ),
    )


@bp.route("/fault", methods=["GET", "POST"])
@role("member")
def fault(code: str):
    """Report a fault, with how bad it is and an optional photo."""
    if request.method == "GET":
        return form_page("fault", _asset(code))
    photo = request.files.get("photo")
    return respond(
        "fault",
        code,
        lambda found: maintenance.report_fault(
            found.code,
            actor=current_actor(),
            description=form_text("description"),
            severity=request.form.get("severity", ""),
            photo=photo.stream if photo and photo.filename else None,
            uploads_dir=Path(current_app.instance_path) / "uploads",
            key=_key(),
        ),
    )


@bp.route("/repair", methods=["GET", "POST"])
@role("lead")
def repair(code: str):
    """Start a repair, with a note and an optional cost."""
    if request.method == "GET":
        return form_page("repair", _asset(code))
    return respond(
        "repair",
        code,
        lambda found: maintenance.start_repair(
            found.code,
            actor=current_actor(),
            note=form_text("note"),
            cost_cents=form_money("cost"),
            key=_key(),
        ),
    )


@bp.route("/fixed", methods=["GET", "POST"])
@role("lead")
def fixed(code: str):
    """Mark fixed: closes the repair and open faults, with a note and an optional cost."""
    if request.method == "GET":
        return form_page("fixed", _asset(code))
    return respond(
        "fixed",
        code,
        lambda found: maintenance.mark_fixed(
            found.code,
            actor=current_actor(),
            note=form_text("note"),
            cost_cents=form_money("cost"),
            key=_key(),
        ),
    )


@bp.route("/service", methods=["GET", "POST"])
@role("lead")
def service(code: str):
    """Service done: a note and an optional cost; the next service date moves on."""
    if request.method == "GET":
        return form_page("service", _asset(code))
    return respond(
        "service",
        code,
        lambda found: servicing.record_service(
            found.code,
            actor=current_actor(),
            today=local_today(),
            note=form_text("note"),
            cost_cents=form_money("cost"),
            key=_key(),
        ),
    )
