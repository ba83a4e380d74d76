"""Calendar feeds of reservations: the .ics at its secret link (no sign-in: the
link is the secret), and getting a new link for my feed or, for leads, an item's."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)

from ..errors import Forbidden
from ..extensions import limiter
from ..permissions import public, role
from ..reservations import feed
from ..templating import local_zone, site
from .helpers import asset_or_404, current_actor, no_store, public_link

bp = Blueprint("feeds", __name__)

NOT_IN_USE = (
    "This calendar link is not in use: it was renewed or never existed. "
    "Get the current link from tagtrail.\n"
)


def _feed_limit() -> str:
    return current_app.config["FEED_LIMIT"]


@bp.route("/feeds/<token>.ics")
@public
@limiter.limit(_feed_limit)
def calendar(token: str):
    """The calendar (.ics) of one person's or one item's reservations."""
    found = feed.find(token)
    if found is None:
        response = make_response(NOT_IN_USE, 404)
        response.mimetype = "text/plain"
        return no_store(response)
    body = feed.calendar(
        found,
        zone=local_zone(),
        public_url=site()["public_url"],
        org_name=site()["org_name"],
        link=lambda code: public_link("scan.asset", code=code),
    )
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="reservations.ics"'
    response.headers["X-Robots-Tag"] = "noindex"
    return no_store(response)


def _links(token: str) -> dict[str, str]:
    address = public_link("feeds.calendar", token=token)
    return {"https": address, "webcal": "webcal://" + address.split("://", 1)[1]}


@bp.route("/feeds/mine", methods=["POST"])
@role("member")
def renew_mine():
    """A new link to my reservations' calendar; the old one stops working."""
    actor = current_actor()
    token = feed.renew_person_feed(actor, actor)
    page = render_template(
        "feeds/link.html",
        **_links(token),
        title="My reservations",
        renew=url_for("feeds.renew_mine"),
        back=url_for("reservations.index"),
    )
    return no_store(make_response(page))


@bp.route("/A/<code>/feed", methods=["GET", "POST"])
@role("lead")
def renew_asset(code: str):
    """An item's reservations as a calendar: GET says what the link is, POST makes
    a new one (the old one stops working)."""
    asset = asset_or_404(code)
    if request.method == "GET":
        return render_template("feeds/asset.html", asset=asset)
    try:
        token = feed.renew_asset_feed(current_actor(), asset)
    except Forbidden:
        abort(403)
    page = render_template(
        "feeds/link.html",
        **_links(token),
        title=f"{asset.name}: reservations",
        renew=url_for("feeds.renew_asset", code=asset.code),
        back=url_for("scan.asset", code=asset.code),
    )
    return no_store(make_response(page))
