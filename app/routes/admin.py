"""Organisation settings (admins)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from ..errors import Invalid
from ..forms import SettingsForm
from ..ops import rules as ops_rules
from ..ops import settings
from ..permissions import role
from ..templating import site
from .helpers import apply_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/settings", methods=["GET", "POST"])
@role("admin")
def settings_page():
    """Name, public address, time zone, audit cycle, paper size and currency."""
    current = site()
    form = SettingsForm(data=current)
    pinned = {
        "org_name": bool(current_app.config.get("ORG_NAME")),
        "public_url": bool(current_app.config.get("PUBLIC_URL")),
    }
    if form.validate_on_submit():
        sent = {
            name: form[name].data or ""
            for name in settings.EDITABLE
            if not pinned.get(name)  # the configuration's value wins; nothing to save
        }
        try:
            settings.change(sent)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash("Settings saved.", "ok")
            return redirect(url_for("admin.settings_page"), 303)
    status = 422 if form.errors else 200
    return render_template(
        "admin/settings.html", form=form, pinned=pinned, terms_max=ops_rules.TERMS_MAX
    ), status
