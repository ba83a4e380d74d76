"""Vendors: who subscriptions are bought from. Leads list, add and rename them
(names unique ignoring case); adding one from the subscription form comes back
to it with the new vendor chosen."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..errors import Invalid, NotFound
from ..forms import VendorForm
from ..pages import subscriptions as page
from ..permissions import role
from ..subscriptions import vendors
from .helpers import apply_errors, current_actor

bp = Blueprint("vendors", __name__)


@bp.route("/vendors", methods=["GET", "POST"])
@role("lead")
def index():
    """Every vendor with how many subscriptions each has; the form adds one."""
    form = VendorForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                saved = vendors.save_vendor(form.name.data, actor=current_actor())
            except Invalid as exc:
                apply_errors(form, exc)
            else:
                flash(f"Added {saved.name}.", "ok")
                back = request.args.get("back") == "new"
                target = (
                    url_for("subscriptions.save", vendor=saved.id) if back else url_for(".index")
                )
                return redirect(target, 303)
        status = 422
    return render_template(
        "subscriptions/vendors.html", form=form, vendors=page.vendor_list()
    ), status


@bp.route("/vendors/<int:vendor_id>/edit", methods=["GET", "POST"])
@role("lead")
def rename(vendor_id: int):
    """Rename a vendor (names are unique, ignoring case)."""
    current = next((v for v in page.vendor_list() if v.id == vendor_id), None) or abort(404)
    form = VendorForm(data={"name": current.name})
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                saved = vendors.save_vendor(form.name.data, vendor_id, actor=current_actor())
            except Invalid as exc:
                apply_errors(form, exc)
            except NotFound:
                abort(404)
            else:
                flash(f"Renamed to {saved.name}.", "ok")
                return redirect(url_for(".index"), 303)
        status = 422
    return render_template("subscriptions/vendor_form.html", form=form, vendor=current), status
