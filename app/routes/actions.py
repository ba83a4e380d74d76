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
from flask_login import current_user

from ..custody import checks, custody, maintenance, servicing
from ..custody import condition as conditions
from ..custody.engine import Outcome
from ..errors import Forbidden, Invalid, NotFound, OverReservation, Refused, TooLarge
from ..pages import action as action_page
from ..pages import asset as asset_page
from ..permissions import role
from ..receipts import receipts
from ..register import assets
from ..templating import local_today, local_zone, site, wants_fragment
from .helpers import (
    asset_or_404,
    current_actor,
    form_date,
    form_int,
    form_money,
    form_text,
    mail_settings,
    walking_audit_id,
)

bp = Blueprint("actions", __name__, url_prefix="/A/<code>")

CARD = "status-card"


def form_page(action: str, asset, status: int = 200, errors: dict | None = None, **extra):
    """The small page for one action (also where a plain form's errors land)."""
    raw = request.form.get("to_holder" if action == "transfer" else "holder", "").strip()
    chosen = int(raw) if raw.isdecimal() and len(raw) <= 18 else None
    context = {
        **action_page.form_page(action, asset, current_user, request.values.get("q", ""), chosen),
        "errors": errors or {},
        "values": request.form,
        **extra,
    }
    if wants_fragment("people-pick"):
        return render_template("actions/_people.html", **context)
    return render_template("actions/page.html", **context), status


def respond(action: str, code: str, run: Callable[..., Outcome]):
    """Run an action and answer the way the request asked: card fragment or page.
    An item that just became poor or broken (with no fault said) comes back with
    the fault report open: on the card, or its own page without JavaScript."""
    asset = asset_or_404(code)
    errors, status, overridable, invite = {}, 200, False, False
    handed = None
    try:
        outcome = run(asset)
        if isinstance(outcome, receipts.Handed):  # with a receipt: see _with_receipt
            handed, outcome = outcome, outcome.outcome
    except NotFound:
        abort(404)
    except Invalid as exc:
        errors, status = exc.errors, exc.status
        flash("Please fix the marked fields. Nothing was saved.", "error")
    except (Refused, Forbidden, TooLarge) as exc:
        status = exc.status
        flash(f"{exc} Nothing was saved.", "error")
        overridable = isinstance(exc, OverReservation)
    else:
        invite = not outcome.duplicate and conditions.invites_fault(outcome.events)
        flash(f"{outcome.message} Report a fault?" if invite else outcome.message, "ok")
        if handed is not None and handed.receipt_id is not None:
            flash(str(handed.receipt_id), "receipt")  # _flash.html: a link to it
            if handed.delivery is not None and handed.delivery.problem:
                flash(handed.delivery.problem, "error")
    fresh = assets.get_by_code(asset.code)
    if overridable:
        # A lead may go ahead anyway: the form comes back as typed, with the box
        # to say so (over htmx too, in place of the page it was sent from).
        page, status = form_page(action, fresh, status, overridable=True)
        response = current_app.make_response((page, status))
        if request.htmx and not request.htmx.boosted:
            response.headers["HX-Retarget"] = "body"
            response.headers["HX-Reswap"] = "innerHTML"
            response.headers["HX-Push-Url"] = url_for(request.endpoint, code=asset.code)
        return response
    if wants_fragment(CARD):
        new_events = outcome.events if status == 200 else []
        response = current_app.make_response(
            (
                render_template(
                    "scan/_action_result.html",
                    **asset_page.card(fresh, current_user, local_today(), walking_audit_id()),
                    new_events=new_events,
                    open_form="fault" if invite else (action if errors else None),
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
        target = "actions.fault" if invite else "scan.asset"
        return redirect(url_for(target, code=asset.code), 303)
    if status == 422:
        return form_page(action, fresh, status, errors)
    context = asset_page.page(fresh, current_user, local_today(), walking_audit_id())
    return render_template("scan/asset.html", **context), status


def _key() -> str | None:
    return request.form.get("key")


def _uploads() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _with_receipt(
    kind: str, code: str, person_id: int | None, action, awaiting: bool = False
) -> receipts.Handed:
    """The custody `action` and, when the rules want one, its receipt and the
    signature the form sent, in one write; then the receipt is delivered."""
    smtp, _ = mail_settings()  # mail not set up: the receipt is only stored
    return receipts.act(
        kind,
        code,
        action,
        actor=current_actor(),
        person_id=person_id,
        drawn=request.form.get("signature", ""),
        typed=form_text("signature_name", 120),
        signer_id=form_int("signer"),
        uploads_dir=_uploads(),
        awaiting=awaiting,
        deliver_with={
            "public_url": site()["public_url"] or request.host_url.rstrip("/"),
            "smtp": smtp,
            "org_name": site()["org_name"],
            "zone": local_zone(),
        },
    )


@bp.route("/checkout", methods=["GET", "POST"])
@role("member")
def checkout(code: str):
    """Check out to me (one tap) or to someone else, with a due date and a note."""
    if request.method == "GET":
        return form_page("checkout", asset_or_404(code))

    def run(found):
        holder_id = _chosen_holder()
        return _with_receipt(
            "handover",
            found.code,
            holder_id or current_actor().id,
            lambda receipt: custody.check_out(
                found.code,
                actor=current_actor(),
                today=local_today(),
                holder_id=holder_id,
                due_back=form_date("due_back"),
                note=form_text("note"),
                override=request.form.get("override") == "1",
                key=_key(),
                zone=local_zone(),
                condition=request.form.get("condition", ""),
                receipt=receipt,
            ),
            awaiting=request.form.get("later") == "1",  # "Hand over to be accepted later"
        )

    return respond("checkout", code, run)


def _chosen_holder() -> int | None:
    """Who takes the item: the one tap and a member's own form name nobody (it is
    the person tapping); the "Check out to…" form's list must have someone picked."""
    holder_id = form_int("holder")
    if holder_id is None and request.form.get("choose") == "holder":
        raise Invalid({"holder": "Choose who takes it."})
    return holder_id


@bp.route("/return", methods=["GET", "POST"])
@role("member")
def checkin(code: str):
    """Return (one tap), optionally saying where it went back to, in what
    condition, and what is wrong with it (a fault report in the same step)."""
    if request.method == "GET":
        return form_page("return", asset_or_404(code))
    return respond(
        "return",
        code,
        lambda found: _with_receipt(
            "return",
            found.code,
            form_int("holder"),  # None: whoever holds it
            lambda receipt: checks.return_and_report(
                found.code,
                actor=current_actor(),
                expected_holder_id=form_int("holder"),
                location_id=form_int("location"),
                condition_said=request.form.get("condition", ""),
                note=form_text("note"),
                description=form_text("description"),
                severity=request.form.get("severity", ""),
                key=_key(),
                receipt=receipt,
            ),
        ),
    )


@bp.route("/transfer", methods=["GET", "POST"])
@role("member")
def transfer(code: str):
    """Hand the item straight from its holder to someone else."""
    if request.method == "GET":
        return form_page("transfer", asset_or_404(code))
    return respond(
        "transfer",
        code,
        lambda found: _with_receipt(
            "handover",
            found.code,
            form_int("to_holder"),
            lambda receipt: custody.transfer(
                found.code,
                actor=current_actor(),
                today=local_today(),
                to_holder_id=form_int("to_holder"),
                expected_holder_id=form_int("holder"),
                due_back=form_date("due_back"),
                note=form_text("note"),
                key=_key(),
                override=request.form.get("override") == "1",
                zone=local_zone(),
                condition=request.form.get("condition", ""),
                receipt=receipt,
            ),
        ),
    )


@bp.route("/checked-ready", methods=["GET", "POST"])
@role("member")
def checked_ready(code: str):
    """Checked, ready: the check its category asks after a return is done."""
    if request.method == "GET":
        return form_page("ready", asset_or_404(code))
    return respond(
        "ready",
        code,
        lambda found: checks.checked_ready(
            found.code, actor=current_actor(), note=form_text("note"), key=_key()
        ),
    )


@bp.route("/move", methods=["GET", "POST"])
@role("lead")
def move(code: str):
    """Record the item's new home."""
    if request.method == "GET":
        return form_page("move", asset_or_404(code))
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
        return form_page("retire", asset_or_404(code))
    return respond(
        "retire",
        code,
        lambda found: custody.retire(
            found.code,
            actor=current_actor(),
            reason=request.form.get("reason", ""),
            note=form_text("note"),
            key=_key(),
            zone=local_zone(),
        ),
    )


@bp.route("/fault", methods=["GET", "POST"])
@role("member")
def fault(code: str):
    """Report a fault, with how bad it is and an optional photo."""
    if request.method == "GET":
        return form_page("fault", asset_or_404(code))
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
        return form_page("repair", asset_or_404(code))
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
        return form_page("fixed", asset_or_404(code))
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
        return form_page("service", asset_or_404(code))
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
