"""The register (the asset list): a page of the assets a search matches, with
their photos and the total, and the filter form's choices."""

from __future__ import annotations

from ..register import assets, attachments, places, teams


def page(search: assets.Search, *, filters: bool) -> dict:
    """What the register shows for `search`; a custom filter that cannot be read
    lists nothing (the page says why).

    `filters`: the whole page, with the choices of the filter form as plain
    (id, name) values. An htmx swap of the results alone, as someone types,
    shows no form, so it reads none of them."""
    unreadable = bool(search.custom and search.custom.errors)
    rows, total = ([], 0) if unreadable else assets.search(search)
    out = {
        "rows": rows,
        "photos": attachments.cover_photos([a.id for a in rows]),
        "total": total,
        "pages": max((total + search.per_page - 1) // search.per_page, 1),
    }
    if filters:
        out["categories"] = places.category_options()
        out["locations"] = places.location_options()
        out["holders"], out["teams"] = teams.holders_and_teams()
    return out
