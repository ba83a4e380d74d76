"""Labels that are not (or no longer) an asset's own code: bind a blank label
to a new or existing asset, and re-label an asset whose label was damaged."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import codes
from ..custody import rules as custody_rules
from ..errors import Forbidden, Invalid, NotFound, Refused
from ..forms import AssetForm, place_choices
from ..permissions import role
from ..register import assets, label_codes
from .helpers import apply_errors, asset_or_404, current_actor

bp = Blueprint("binding", __name__, url_prefix="/A/<code>")


def _blank(code: str):
    canonical = codes.parse(code)
    found = label_codes.resolve(canonical) if canonical else None
    if found is None or found.kind != "blank":
        abort(404)
    return found.label


@bp.route("/bind/new", methods=["GET", "POST"])
@role("lead")
def bind_new(code: str):
    """Create a new asset that takes this blank label's code."""
    label = _blank(code)
    form = AssetForm()
    place_choices(form)
    if form.validate_on_submit():
        try:
            asset = label_codes.create_with_blank(label.code, form.values(), current_actor())
        except Invalid as exc:
            apply_errors(form, exc)
        except (Refused, NotFound) as exc:
            form.form_errors.append(str(exc))
        else:
            flash(f"Added {asset.name} with this label.", "ok")
            return redirect(url_for("scan.asset", code=asset.code), 303)
    return render_template("binding/new.html", form=form, label=label), (
        422 if form.errors or form.form_errors else 200
    )


@bp.route("/bind/attach", methods=["GET", "POST"])
@role("lead")
def bind_attach(code: str):
    """Put this blank label on an asset already in the register."""
    label = _blank(code)
    error, status = "", 200
    if request.method == "POST":
        try:
            asset = label_codes.attach_blank(
                label.code, request.form.get("asset", ""), current_actor()
            )
        except Invalid as exc:
            error, status = next(iter(exc.errors.values())), exc.status
        except (Refused, Forbidden, NotFound) as exc:
            error, status = str(exc), exc.status
        else:
            flash(f"This label now belongs to {asset.name}. Its old label still leads here.", "ok")
            return redirect(url_for("scan.asset", code=asset.code), 303)
    q = request.values.get("q", "").strip()[:100]
    rows, _ = assets.search(assets.Search(text=q, per_page=20)) if q else ([], 0)
    # One match is the one meant: it comes chosen, so the next tap attaches.
    chosen = request.form.get("asset") or (rows[0].code if len(rows) == 1 else "")
    return render_template(
        "binding/attach.html", label=label, q=q, rows=rows, chosen=chosen, error=error
    ), status


@bp.route("/relabel", methods=["GET", "POST"])
@role("lead")
def relabel(code: str):
    """Give the asset a new code for a replacement label; the old code keeps working."""
    asset = asset_or_404(code)
    refused = custody_rules.refusal("relabel", asset, current_actor())
    if request.method == "POST" and refused is None:
        try:
            asset = label_codes.relabel(asset.code, current_actor())
        except (Refused, Forbidden) as exc:
            refused = exc
        else:
            flash(
                f"New code {codes.pretty(asset.code)}. Print its label now; the old label "
                "will say it was replaced.",
                "ok",
            )
            return redirect(url_for("labels.index", choice="selected", asset=asset.code), 303)
    status = refused.status if refused is not None and request.method == "POST" else 200
    return render_template("binding/relabel.html", asset=asset, refused=refused), status
