"""How the register and the asset page present things: photo thumbnails in the
list, filters folded until used, status icons from the sprite, the place a link."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

from app.register import attachments

from . import factories
from .pages import soup_of


def _photo(app, asset, actor) -> int:
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(picture, "PNG")
    picture.seek(0)
    added = attachments.add(
        asset.code,
        actor=actor,
        stream=picture,
        original_name="front.png",
        folder=Path(app.instance_path) / "uploads",
    )
    return added.attachment.id


def test_an_asset_with_a_photo_shows_its_thumbnail_small_and_lazy(client, auth, app):
    lead = auth.login("lead")
    drill = factories.make_asset(lead, name="Drill")
    factories.make_asset(lead, name="Ladder")
    first = _photo(app, drill, lead)
    newest = _photo(app, drill, lead)
    soup, response = client.soup("/assets")
    assert response.status_code == 200
    rows = {li.select_one(".row-main strong").get_text(): li for li in soup.select(".rows li")}
    img = rows["Drill"].select_one(".row-pic img")
    assert img["src"] == f"/attachments/{newest}/thumb" and newest != first
    # Sized before it arrives (the row never jumps) and fetched only when scrolled to.
    assert (img["width"], img["height"], img["loading"]) == ("48", "48", "lazy")
    assert img["alt"] == ""  # the name beside it says what it is
    assert rows["Ladder"].select_one(".row-pic img") is None
    assert rows["Ladder"].select_one(".row-pic use") is not None  # a drawing holds its place
    badge = rows["Ladder"].select_one(".row-end .badge")
    assert badge.select_one("use")["href"].endswith("#status-available")
    assert badge.get_text(strip=True) == "Available"
    thumb = client.get(img["src"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    thumb.close()


def test_the_register_filters_are_folded_until_one_is_used(client, auth):
    auth.login("lead")
    soup, _ = client.soup("/assets")
    panel = soup.select_one("form.filters details#filter-panel")
    assert panel is not None and not panel.has_attr("open")
    assert panel.select_one("select[name=status]") is not None  # inside the fold
    assert soup.select_one("form.filters input[name=q]").find_parent("details") is None
    soup, _ = client.soup("/assets?status=faulty")
    assert soup.select_one("details#filter-panel").has_attr("open")
    soup, _ = client.soup("/assets?fault=open")
    assert soup.select_one("details#filter-panel").has_attr("open")


def test_icons_follow_the_address_each_request_came_to(app, client, auth):
    """The sprite's URL is built once a request and kept for it: a request under
    another root (a proxy's prefix) gets its own, never the last one's, even
    when the requests share an app context (and so `g`)."""
    lead = auth.login("lead")
    factories.make_asset(lead, name="Drill")
    with app.app_context():
        responses = {
            root: client.get("/assets", environ_overrides={"SCRIPT_NAME": root})
            for root in ("/tagtrail", "", "/other")
        }
    for root, response in responses.items():
        used = soup_of(response).select("svg.icon use")
        assert len(used) > 4
        assert {u["href"].split("?")[0] for u in used} == {f"{root}/static/icons.svg"}, root


def test_status_and_actions_carry_icons_from_the_sprite(client, auth, app):
    lead = auth.login("lead")
    room = factories.make_location("Store")
    drill = factories.make_asset(lead, name="Drill", location=room.id)
    soup, _ = client.soup(f"/A/{drill.code}")
    sprite = (Path(app.static_folder) / "icons.svg").read_text()
    used = [u["href"] for u in soup.select("svg.icon use")]
    assert used, "no icons on the asset page"
    for href in used:
        # A versioned URL (cached for a year), naming a symbol the sprite has.
        match = re.fullmatch(r"/static/icons\.svg\?v=[0-9a-f]{10}#([\w-]+)", href)
        assert match, href
        assert f'<symbol id="{match[1]}"' in sprite, match[1]
    card = soup.select_one("#status-card")
    button = card.find("button", class_="primary")
    assert button.select_one("use")["href"].endswith("#checkout")
    assert button.get_text(strip=True) == "Check out to me"  # the icon adds no words
    nav = [a.select_one("use")["href"].rsplit("#", 1)[1] for a in soup.select("nav.nav a")]
    assert nav == ["home", "scan", "assets", "menu"]
    for svg in soup.select("svg.icon"):
        assert svg["aria-hidden"] == "true"  # the words beside it are what a reader hears
    # The place is a link to what else is kept there.
    where = card.find("dt", string="Where").find_next_sibling("dd").a
    assert where["href"] == f"/L/{room.code}" and where.get_text() == "Store"
