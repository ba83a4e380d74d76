"""Template helpers, the fragment-or-page decision, and response headers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, render_template, request
from flask_login import current_user

from . import codes
from .audits import audits
from .audits import rules as audit_rules
from .clock import in_zone, utcnow
from .custody import condition as conditions
from .custody import maintenance
from .custody import rules as custody_rules
from .models import FAULT_SEVERITIES, STATUS_LABELS
from .ops import rules as ops_rules
from .ops import settings
from .ops.money import format_money
from .permissions import may, sign_in_url
from .receipts import rules as receipt_rules
from .register import custom_field_rules, event_kinds, places, uploads
from .reservations import moments as reservation_moments

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def wants_fragment(target_id: str) -> bool:
    """True when htmx asked to swap exactly this element.

    A boosted navigation and a history restore also carry HX-Request, but
    they replace the whole page, so they get the full page.
    """
    hx = request.htmx
    return bool(hx and not hx.boosted and not hx.history_restore_request and hx.target == target_id)


def render(page: str, fragment: str, target_id: str, status: int = 200, **context):
    """Render the fragment for an htmx swap of `target_id`, else the whole page."""
    template = fragment if wants_fragment(target_id) else page
    return render_template(template, **context), status


def site() -> dict[str, str]:
    if "site" not in g:
        g.site = settings.effective(current_app.config)
    return g.site


def local_today() -> date:
    """Today in the organisation's time zone (due dates are local dates), read
    once a request: a list asks it for every row's status badge."""
    if "local_today" not in g:
        g.local_today = datetime.now(ZoneInfo(site()["timezone"])).date()
    return g.local_today


def local_zone() -> ZoneInfo:
    """The organisation's time zone, in which people type and read times."""
    return ZoneInfo(site()["timezone"])


def is_overdue(asset) -> bool:
    """Custody's overdue rule, by the organisation's calendar."""
    return custody_rules.is_overdue(asset, local_today())


def next_audit(asset) -> str:
    """ "due now", or the date the organisation's audit cycle next asks for it
    (the audits' rule: app/audits/rules.py)."""
    interval = site()["audit_interval_days"]
    due = audit_rules.next_due(asset, interval)
    if due is None:
        return "due now (never audited)"
    return (
        "due now" if audit_rules.is_due(asset, interval, utcnow()) else localtime(due, "%d %b %Y")
    )


def new_key() -> str:
    """A fresh idempotency key for one rendered action form."""
    return uuid.uuid4().hex


def money(cents: int | None) -> str:
    """An amount with the organisation's currency symbol (none chosen: a plain number).
    Spreadsheets keep plain numbers (spreadsheets.csvfiles.money)."""
    if cents is None:
        return ""
    return format_money(cents, site()["currency"])


def place_label(location) -> str:
    """A place as lists name it (places.location_labels): "" for none."""
    return places.location_label(location.id) if location else ""


def localtime(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """Stored UTC shown in the organisation's time zone."""
    if value is None:
        return ""
    return in_zone(value, local_zone()).strftime(fmt)


def moment(value: datetime | None) -> str:
    """A stored UTC time as people read a booking's: "Tue 14:00" within the
    coming week, else "Tue 03 Feb 14:00" (reservations/rules.py)."""
    if value is None:
        return ""
    return reservation_moments.moment_text(value, local_zone(), utcnow())


def period(start: datetime, end: datetime) -> str:
    """A booking's period as people read it, `{{ b.starts_at|period(b.ends_at) }}`:
    "Thu 14:00 – Sat 17:00", within one day "Tue 09:00 – 17:00" (moments.period_text)."""
    return reservation_moments.period_text(start, end, local_zone(), utcnow())


def may_see_receipt(event) -> bool:
    """Whether the signed-in person may open the receipt a history entry is on."""
    return receipt_rules.may_see_from_event(event, current_user)


def nice_date(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else ""


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    response.vary.add("HX-Request")
    if response.mimetype == "text/html" and current_user and current_user.is_authenticated:
        # Pages show who holds what; keep them out of shared caches.
        headers.setdefault("Cache-Control", "private, no-cache")
    return response


def init_app(app: Flask) -> None:
    # Block tags leave no blank lines behind: the asset page must stay under
    # 10 KB of HTML for phones on a weak signal.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(
        money=money,
        localtime=localtime,
        moment=moment,
        period=period,
        nice_date=nice_date,
        pretty_code=codes.pretty,
        history_line=event_kinds.line,
        place=place_label,
        condition_label=conditions.label,
        usual_severity=conditions.usual_severity,
    )
    app.jinja_env.globals.update(
        site=site,
        STATUS_LABELS=STATUS_LABELS,
        severities=FAULT_SEVERITIES,
        CONDITIONS=conditions.CONDITIONS,
        public_url_warning=ops_rules.public_url_warning,
        new_key=new_key,
        local_today=local_today,
        is_overdue=is_overdue,
        next_audit=next_audit,
        via_label=audit_rules.via_label,
        via_words=audit_rules.via_words,
        sign_in_url=sign_in_url,
        may_see_receipt=may_see_receipt,
        may=may,
        upload_limit=uploads.limit_words,
        # The longest text a few boxes take, from the services that check them.
        limits={
            "audit_name": audits.NAME_MAX,
            "location_name": places.LOCATION_NAME_MAX,
            "category_name": places.CATEGORY_NAME_MAX,
            "finder_name": maintenance.FINDER_NAME_MAX,
            "contact": maintenance.CONTACT_MAX,
            "custom_value": custom_field_rules.VALUE_MAX,
        },
        text_max=maintenance.MAX_TEXT,
    )
    settings.clear_cache()
    places.clear_path_cache()
