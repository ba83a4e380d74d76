"""A location label's page: what is kept there, and the audits walking it."""

from __future__ import annotations

from ..audits import rooms as audit_rooms
from ..models import Location, User
from ..register import assets, places

SHOWN = 200  # assets listed on the page; the register's filter has the rest


def page(location: Location, viewer: User) -> dict:
    rows, total = assets.search(assets.Search(location_id=location.id, per_page=SHOWN))
    said = audit_rooms.rooms_of(viewer)
    return {
        "location": location,
        "path": places.location_paths().get(location.id, location.name),
        "rows": rows,
        "total": total,
        # Each running audit that covers this place, and whether the viewer said
        # they are in it here.
        "running": [(a, said.get(a.id) == location.id) for a in audit_rooms.covering(location)],
    }
