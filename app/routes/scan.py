"""What a label scan opens: /A/<code> for assets, /L/<code> for locations."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import codes
from ..audits import rules as audit_rules
from ..custody import maintenance
from ..errors import Invalid
from ..extensions import limiter
from ..models import Location
from ..permissions import public
from ..register import assets, label_codes, places
from .audit_session import seen_card
from .helpers import int_arg

bp = Blueprint("scan", __name__)


def _not_found(typed: str, kind: str = "asset"):
    return (
        render_template(
            "scan/not_found.html", typed=typed, kind=kind, valid=codes.parse(typed) is not None
        ),
        404,
    )


# The lower-case rule is listed first so that it registers last: url_for
# then builds the upper-case form that labels carry.
@bp.route("/a/<code>")
@bp.route("/A/<code>")
@public
def asset(code: str):
    """The asset page a label opens; signed-out visitors see only a public card."""
    canonical = codes.parse(code)
    what = label_codes.resolve(canonical) if canonical else None
    if what is None:
        return _not_found(code)
    if what.kind == "location":
        return redirect(url_for("scan.location", code=what.location.code))
    if what.kind == "blank":
        return render_template("scan/blank.html", label=what.label)
    found = what.asset
    if not current_user.is_authenticated:
        if what.kind == "replaced":
            return render_template("scan/replaced.html", old=canonical, asset=found)
        return render_template("scan/public.html", asset=found)
    # An old label opens its asset at once, saying so: the scan's purpose is the item.
    replaced = canonical if what.kind == "replaced" else None
    context = asset_context(found, page=int_arg("page") or 1, replaced_code=replaced)
    return render_template("scan/asset.html", **context)


def card_context(asset, **extra) -> dict:
    """What the status card shows (an htmx action's answer needs no more)."""
    return {
        "asset": asset,
        "location_path": places.location_path(asset.location_id),
        "faults": maintenance.open_faults(asset),
        "seen": seen_card(asset),
        **extra,
    }


def asset_context(asset, page: int = 1, **extra) -> dict:
    """Everything the asset page shows; action views reuse it to re-render."""
    history, older = assets.history(asset, page=page)
    history = maintenance.as_seen_by(history, current_user)
    return card_context(asset, history=history, older=older, page=page, **extra)


@bp.route("/find")
@public
def find():
    """The "Find by code" box: a typed code goes to its asset or location."""
    typed = request.args.get("code", "")
    code = codes.parse(typed)
    what = label_codes.resolve(code) if code else None
    if what is not None and what.kind == "location":
        return redirect(url_for("scan.location", code=code))
    if what is not None:  # an asset, an old label of one, or a blank label
        return redirect(url_for("scan.asset", code=code))
    return _not_found(typed)


@bp.route("/l/<code>")
@bp.route("/L/<code>")
@public
def location(code: str):
    """A location label: signed in, the assets kept there; signed out, nothing private."""
    canonical = codes.parse(code)
    found = Location.get_or_none(Location.code == canonical) if canonical else None
    if found is None:
        return _not_found(code, kind="location")
    if not current_user.is_authenticated:
        return render_template("scan/public_location.html", location=found)
    rows, total = assets.search(assets.Search(location_id=found.id, per_page=200))
    path = places.location_paths().get(found.id, found.name)
    said = audit_rules.rooms_of(current_user)
    return render_template(
        "scan/location.html",
        location=found,
        path=path,
        rows=rows,
        total=total,
        running=[(a, said.get(a.id) == found.id) for a in audit_rules.covering(found)],
    )


@bp.route("/A/<code>/report", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PUBLIC_REPORT_LIMIT"], methods=["POST"])
def report(code: str):
    """ "Report found / Report a problem" for anyone who scanned the label."""
    canonical = codes.parse(code)
    found = assets.get_by_code(canonical) if canonical else None
    if found is None:
        return _not_found(code)
    errors = {}
    if request.method == "POST":
        try:
            maintenance.public_report(
                found.code,
                name=request.form.get("name", ""),
                contact=request.form.get("contact", ""),
                message=request.form.get("message", ""),
                key=request.form.get("key"),
            )
        except Invalid as exc:
            errors = exc.errors
        else:
            flash("Thank you. The team has your message.", "ok")
            # The thanks stand alone: an empty form under them reads as "send again".
            return redirect(url_for("scan.report", code=found.code, sent=1), 303)
    sent = request.method == "GET" and request.args.get("sent") == "1"
    return render_template(
        "scan/report.html", asset=found, errors=errors, values=request.form, sent=sent
    ), 422 if errors else 200
