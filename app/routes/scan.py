"""What a label scan opens: /A/<code> for assets, /L/<code> for locations."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import codes
from ..custody import maintenance
from ..errors import Invalid
from ..extensions import limiter
from ..kits import kits
from ..pages import asset as asset_page
from ..pages import kit_audit
from ..pages import kits as kits_page
from ..pages import location as location_page
from ..permissions import public
from ..register import assets, label_codes, places
from ..templating import local_today
from .helpers import page_arg, walking_audit_id

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
        return _kit(canonical) or _not_found(code)
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
    context = asset_page.page(
        found, current_user, local_today(), walking_audit_id(), page=page_arg()
    )
    return render_template("scan/asset.html", replaced_code=replaced, **context)


def _kit(code: str | None):
    """A kit's label: no asset has the code, so the kits service is asked."""
    kit = kits.get_by_code(code)
    if kit is None:
        return None
    if not current_user.is_authenticated:
        return render_template("kits/public.html", kit=kit)
    return render_template(
        "kits/show.html",
        **kits_page.page(kit, current_user),
        kit_audit=kit_audit.band(kit, current_user, walking_audit_id()),
    )


@bp.route("/find")
@public
def find():
    """The "Find by code" box: a typed code goes to its asset or location; signed
    in, an old tag (kept by an import from another system) to its asset."""
    typed = request.args.get("code", "")[:200]
    code = codes.parse(typed)
    what = label_codes.resolve(code) if code else None
    if what is not None and what.kind == "location":
        return redirect(url_for("scan.location", code=code))
    if what is not None or kits.get_by_code(code):  # an asset, label or kit
        return redirect(url_for("scan.asset", code=code))
    if current_user.is_authenticated:
        found = assets.codes_by_old_tag(typed)
        if len(found) == 1:
            return redirect(url_for("scan.asset", code=found[0]))
        if found:  # two assets carry it: the list shows both
            return redirect(url_for("assets.index", q=typed.strip()))
    return _not_found(typed)


@bp.route("/l/<code>")
@bp.route("/L/<code>")
@public
def location(code: str):
    """A location label: signed in, the assets kept there; signed out, nothing private."""
    canonical = codes.parse(code)
    found = places.location_by_code(canonical) if canonical else None
    if found is None:
        return _not_found(code, kind="location")
    if not current_user.is_authenticated:
        return render_template("scan/public_location.html", location=found)
    return render_template("scan/location.html", **location_page.page(found, current_user))


@bp.route("/A/<code>/report", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PUBLIC_REPORT_LIMIT"], methods=["POST"])
def report(code: str):
    """ "Report found / Report a problem" for anyone who scanned the label."""
    canonical = codes.parse(code)
    found = assets.get_by_code(canonical) if canonical else None
    if found is None:  # a friendly page, not a bare 404: a stranger scanned this
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
