"""Every kind of history event, declared once: the words its line starts with and
what else the line shows (holder, place, due date, cost, ...).

`line(event)` turns one event into a plain `Line` that the history template
prints as it is, so no template branches on a kind, and a kind nobody declared
still reads sensibly ("Some new kind by Sam"). Services write kinds by name
through `events.record`; a test checks every name written here is declared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..custody import condition as conditions
from ..models import FAULT_SEVERITIES, Event
from . import places


@dataclass(frozen=True)
class Piece:
    """A run of text after the words: `cents`, if set, follows it as money, and
    `badge`, if set, is the CSS class of a badge the text is shown in (after a
    space)."""

    text: str
    cents: int | None = None
    badge: str = ""


@dataclass(frozen=True)
class Change:
    """One edited field: its label, the value before and after (None or '' when
    there was none), and whether the values are money in cents."""

    label: str
    before: object
    after: object
    money: bool = False


@dataclass(frozen=True)
class Line:
    """One history line, ready to print: the words (in bold), the pieces after
    them, and for an edit the fields it changed."""

    kind: str
    words: str
    pieces: tuple[Piece, ...]
    changes: tuple[Change, ...] = ()
    receipt: int | None = None  # the handover or return receipt this event is on


@dataclass(frozen=True)
class Kind:
    """A kind of event. `words` starts its history line (`words_for` when they
    depend on the event); `shows` names the PARTS that follow, in order; `changes`
    lists the fields an edit changed, from its data; `brief` is the shorter name
    report tables use."""

    words: str
    shows: tuple[str, ...] = ("by",)
    brief: str = ""
    words_for: Callable[[Event], str] | None = None
    changes: bool = False


def _is_cents(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Facts:
    """What the parts read from an event, with the fallbacks for missing people,
    places and data in one place."""

    def __init__(self, event: Event):
        self.event = event
        self.data: dict = event.data if isinstance(event.data, dict) else {}
        self.actor = event.actor.name if event.actor_id and event.actor else "someone"
        self.holder = event.holder.name if event.holder_id and event.holder else None
        self.place = _place(event)


def _place(event: Event) -> str | None:
    """The event's place as lists name it: as much of its path as tells it from
    another place of that name (places.location_labels)."""
    if not (event.location_id and event.location):
        return None
    return places.location_label(event.location_id) or event.location.name


def _by_unless_holder(f: _Facts) -> list[Piece]:
    """ "by" whoever did it, unless that is the holder or the one who handed over."""
    if f.event.actor_id in (f.event.holder_id, f.data.get("from_id")):
        return []
    return [Piece(f" by {f.actor}")]


def _cost(f: _Facts) -> list[Piece]:
    cents = f.data.get("cost_cents")
    return [Piece(" · cost ", cents=cents)] if _is_cents(cents) else []


def _override(f: _Facts) -> list[Piece]:
    if not f.data.get("override"):
        return []
    was = str(f.data.get("status_was") or "").replace("_", " ")
    return [Piece(f"checked out anyway ({was})", badge="status-faulty")]


def _severity(f: _Facts) -> list[Piece]:
    key = "do_not_use" if f.data.get("severity") == "do_not_use" else "usable"
    return [Piece(f" · {FAULT_SEVERITIES[key].lower()}")]


def _for_reservation(f: _Facts) -> list[Piece]:
    """A check-out that started a booking says so, naming the kit booked, if any."""
    if not f.data.get("reservation"):
        return []
    kit = f.data.get("kit")
    return [Piece(f" · reservation of {kit} started" if kit else " · reservation started")]


def _condition(f: _Facts) -> list[Piece]:
    """The condition the event gave, and what it was before (old words too:
    "worn", "damaged")."""
    said = conditions.label(f.data.get("condition"))
    if not said:
        return []
    was = conditions.label(f.data.get("condition_was"))
    return [Piece(f" · condition: {said}" + (f" (was {was})" if was else ""))]


def _when(text: str, value) -> list[Piece]:
    """`text` with the value filled in, or nothing when there is no value."""
    return [Piece(text.format(value))] if value else []


# What a line can show after its words. Each reads the event and gives the text
# to add, or nothing when the event has nothing to say there.
PARTS: dict[str, Callable[[_Facts], list[Piece]]] = {
    "by": lambda f: [Piece(f" by {f.actor}")],
    "by_unless_holder": _by_unless_holder,
    "to_holder": lambda f: [Piece(f" to {f.holder or 'someone'}")],
    "from_holder": lambda f: (
        _when(" from {}", f.holder) if f.event.actor_id != f.event.holder_id else []
    ),
    "from_giver": lambda f: [Piece(f" from {f.data.get('from') or 'someone'}")],
    "at_place": lambda f: _when(" at {}", f.place),
    "to_place": lambda f: [Piece(f" to {f.place or 'no location'}")],
    # A return that changed the place names it in its words (_returned_words).
    "to_place_unless_moved": lambda f: [] if "moved_from" in f.data else _when(" to {}", f.place),
    "moved_from": lambda f: (
        [Piece(f" (was at {f.data['moved_from'] or 'no location'})")]
        if "moved_from" in f.data
        else []
    ),
    "due": lambda f: _when(", due {}", f.data.get("due_back")),
    "override": _override,
    "condition": _condition,
    # A return that left the item waiting for its category's check.
    "check": lambda f: _when(" · needs check: {}", f.data.get("check")),
    # ...and the check "Checked, ready" answered.
    "checked": lambda f: _when(" · {}", f.data.get("check")),
    "severity": _severity,
    "cost": _cost,
    "next_due": lambda f: _when(" · next due {}", f.data.get("next_due")),
    "reason": lambda f: [Piece(f" · {f.data.get('reason') or ''}")],
    "holder_was": lambda f: _when(" (was with {})", f.data.get("holder_was")),
    "withheld": lambda f: [Piece(" · leads can read it")] if f.data.get("withheld") else [],
    "sender": lambda f: _when(" · {}", f.data.get("name")) + _when(" ({})", f.data.get("contact")),
    "file_name": lambda f: _when(" · {}", f.data.get("name")),
    "holder": lambda f: _when(" · {}", f.holder),
    "back_to_holder": lambda f: _when(", back to {}", f.holder),
    # Reservations (app/reservations): for whom, the period as it was then.
    "for_person": lambda f: _when(" for {}", f.data.get("for")),
    "period": lambda f: _when(" · {}", f.data.get("period")),
    "was_period": lambda f: _when(" (was {})", f.data.get("was")),
    "why": lambda f: _when(": {}", f.data.get("why")),
    # A booking made for a kit names it (the kit's name as it was then).
    "with_kit": lambda f: _when(" with {}", f.data.get("kit")),
    "over_reservation": lambda f: (
        [Piece(f"over {f.data['over_reservation']}'s reservation", badge="status-faulty")]
        if f.data.get("over_reservation")
        else []
    ),
    "for_reservation": _for_reservation,
    "place": lambda f: _when(" · {}", f.place),
    # Kits (app/kits): the kit's name as it was then, and a rename's old name.
    "kit": lambda f: _when(" · {}", f.data.get("kit")),
    "was_kit": lambda f: _when(" (was {})", f.data.get("was")),
}


def _returned_words(event: Event) -> str:
    """ "Returned to Yard" when the return put the item somewhere new."""
    moved = isinstance(event.data, dict) and "moved_from" in event.data
    if moved and (place := _place(event)):
        return f"Returned to {place}"
    return "Returned"


def _edited_words(event: Event) -> str:
    if event.asset_id:
        return "Details edited"
    # Asset-less edits are a category's or (register/teams.py) a team's, by their note.
    return "Team renamed" if (event.note or "").startswith("Team: ") else "Category edited"


def _attachment_words(event: Event) -> str:
    data: dict = event.data if isinstance(event.data, dict) else {}
    thing = "Photo" if data.get("kind") == "photo" else "Document"
    return f"{thing} {'added' if event.kind == 'attachment_added' else 'removed'}"


# Audit and label events say who, and where when they have a place.
_WHO_AND_WHERE = ("by", "holder", "place")

KINDS: dict[str, Kind] = {
    "created": Kind("Added", ("by", "at_place")),
    "edited": Kind("Details edited", words_for=_edited_words, changes=True),
    "moved": Kind("Moved", ("to_place", "by")),
    "checked_out": Kind(
        "Checked out",
        (
            "to_holder",
            "by_unless_holder",
            "due",
            "for_reservation",
            "condition",
            "override",
            "over_reservation",
        ),
    ),
    "checked_in": Kind(
        "Returned",
        ("from_holder", "by", "to_place_unless_moved", "moved_from", "condition", "check"),
        words_for=_returned_words,
    ),
    "transferred": Kind(
        "Handed over",
        ("from_giver", "to_holder", "by_unless_holder", "condition", "over_reservation"),
    ),
    # A handover left to be accepted later: the receiver accepts or declines it.
    "handover_accepted": Kind("Handover accepted", ("by",)),
    "handover_signed": Kind("Handover signed", ("holder", "by_unless_holder")),
    "handover_declined": Kind("Handover declined", ("by", "back_to_holder")),
    "fault_reported": Kind("Fault reported", ("by", "severity")),
    # The check its category asks after each return is done (the note says more).
    "checked_ready": Kind(conditions.CHECKED_READY, ("by", "checked"), brief="Checked"),
    "repair_started": Kind("Repair started", ("by", "cost")),
    "repaired": Kind("Marked fixed", ("by", "cost"), brief="Fixed"),
    "serviced": Kind("Service done", ("by", "cost", "next_due"), brief="Serviced"),
    "retired": Kind("Retired", ("by", "reason", "holder_was")),
    "found": Kind("Found"),
    "public_report": Kind("Message from someone who scanned the label", ("withheld", "sender")),
    "attachment_added": Kind("Photo added", ("by", "file_name"), words_for=_attachment_words),
    "attachment_removed": Kind("Photo removed", ("by", "file_name"), words_for=_attachment_words),
    # A lead's change to a custom field itself (no asset; the note names the field).
    "custom_field_added": Kind("Custom field added", changes=True),
    "custom_field_changed": Kind("Custom field changed", changes=True),
    "custom_field_removed": Kind("Custom field removed", changes=True),
    "label_printed": Kind("Label printed", _WHO_AND_WHERE),
    "relabelled": Kind("Relabelled", _WHO_AND_WHERE),
    "audit_started": Kind("Audit started", _WHO_AND_WHERE),
    "audited": Kind("Audited", _WHO_AND_WHERE),
    "audit_undone": Kind("Audit undone", _WHO_AND_WHERE),
    "marked_missing": Kind("Marked missing", _WHO_AND_WHERE),
    "audit_closed": Kind("Audit closed", _WHO_AND_WHERE),
    "reserved": Kind("Reserved", ("with_kit", "for_person", "period", "by")),
    "reservation_changed": Kind(
        "Reservation changed", ("with_kit", "for_person", "period", "was_period", "by")
    ),
    "reservation_cancelled": Kind(
        "Reservation cancelled", ("with_kit", "for_person", "period", "why", "by")
    ),
    # Written by `tagtrail remind`, with no actor.
    "reservation_lapsed": Kind(
        "Reservation lapsed", ("with_kit", "for_person", "period"), brief="Lapsed"
    ),
    "kit_added": Kind("Put in a kit", ("kit", "by"), brief="Into kit"),
    "kit_removed": Kind("Taken out of a kit", ("kit", "by"), brief="Out of kit"),
    "kit_renamed": Kind("Kit renamed", ("kit", "was_kit", "by")),
    # A kit came back without this item: it stays with the person, flagged.
    "kit_item_not_back": Kind("Not back with its kit", ("kit", "holder", "by"), brief="Not back"),
}


def kind(name: str) -> Kind:
    """The declared kind, or for an unknown one its name as words (an event
    written by a newer version, say), with who and where."""
    known = KINDS.get(name)
    if known is not None:
        return known
    return Kind((name or "event").replace("_", " ").capitalize(), _WHO_AND_WHERE)


def brief(name: str) -> str:
    """The kind's short name for report tables."""
    found = kind(name)
    return found.brief or found.words


def _changes(data: dict) -> tuple[Change, ...]:
    """An edit's fields as [before, after] pairs, sorted by field name."""
    rows = []
    for field, pair in sorted(data.items(), key=lambda item: item[0].lower()):
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        if field.startswith("cf:"):  # a custom field: its name as the lead wrote it
            label = field[3:]
        else:
            label = field.replace("_cents", "").replace("_name", "").replace("_", " ")
        if field == "condition":  # "Broken", not "broken"
            before, after = conditions.label(before), conditions.label(after)
        money = field.endswith("cost_cents") and all(
            _is_cents(v) or v in (None, "") for v in (before, after)
        )
        rows.append(Change(label, before, after, money=money))
    return tuple(rows)


def line(event: Event) -> Line:
    """The history line for one event (its asset, people and place already loaded
    or joined: this reads them, it does not query for more)."""
    declared = kind(event.kind)
    facts = _Facts(event)
    pieces = tuple(piece for part in declared.shows for piece in PARTS[part](facts))
    words = declared.words_for(event) if declared.words_for else declared.words
    changes = _changes(facts.data) if declared.changes else ()
    receipt = facts.data.get("receipt")
    receipt = receipt if isinstance(receipt, int) and not isinstance(receipt, bool) else None
    return Line(event.kind, words, pieces, changes, receipt)
