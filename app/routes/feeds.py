"""Calendar feeds of reservations: the .ics at its secret link (no sign-in: the
link is the secret), and getting a new link for my feed or, for leads, an item's."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
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


# A new link is kept in the session for one showing: the POST redirects to a GET
# page that shows it once, so a reload shows the page again without renewing the
# link (and so without killing the one just copied).
NEW_LINK = "new_feed_link"


def _keep_for_one_showing(what: str, token: str) -> None:
    session[NEW_LINK] = {"for": what, "token": token}


def _take_new_link(what: str) -> str | None:
    kept = session.get(NEW_LINK)
    if not isinstance(kept, dict) or kept.get("for") != what:
        return None
    session.pop(NEW_LINK)
    return kept.get("token")


def _link_page(token: str | None, **words: str):
    links = _links(token) if token else {}
    return no_store(make_response(render_template("feeds/link.html", **links, **words)))


@bp.route("/feeds/mine", methods=["GET", "POST"])
@role("member")
def renew_mine():
    """A new link to my reservations' calendar (POST; the old one stops working),
    then shown once (GET)."""
    actor = current_actor()
    if request.method == "POST":
        _keep_for_one_showing("mine", feed.renew_person_feed(actor, actor))
        return redirect(url_for("feeds.renew_mine"), 303)
    return _link_page(
        _take_new_link("mine"),
        title="My reservations",
        renew=url_for("feeds.renew_mine"),
        back=url_for("reservations.index"),
    )


@bp.route("/A/<code>/feed", methods=["GET", "POST"])
@role("lead")
def renew_asset(code: str):
    """An item's reservations as a calendar: GET says what the link is, POST makes
    a new one (the old one stops working)."""
    asset = asset_or_404(code)
    if request.method == "POST":
        try:
            token = feed.renew_asset_feed(current_actor(), asset)
        except Forbidden:
            abort(403)
        _keep_for_one_showing(f"asset:{asset.code}", token)
        return redirect(url_for("feeds.renew_asset", code=asset.code, link="new"), 303)
    if request.args.get("link") != "new":
        return render_template("feeds/asset.html", asset=asset)
    return _link_page(
        _take_new_link(f"asset:{asset.code}"),
        title=f"{asset.name}: reservations",
        renew=url_for("feeds.renew_asset", code=asset.code),
        back=url_for("scan.asset", code=asset.code),
    )
