"""Blank labels: fresh codes reserved and printed now, bound to an asset when
someone first scans one. Nothing stays reserved unless the PDF was made."""

from __future__ import annotations

import labels

from ..errors import Invalid
from ..models import User
from ..register import label_codes
from ..worker import run
from . import formats, rules, selection


class LineNotConfirmed(Invalid):
    """The stock cuts the line on each label, or leaves it off, and the person
    has not yet seen that said: the page says it, and the same line sent again
    prints. Nothing was reserved."""

    def __init__(self, notes: dict):
        super().__init__({"org_line": "Check the line on each label before printing."})
        self.notes = notes


def print_blanks(
    fmt: labels.Format,
    count: int,
    start: int,
    line: str,
    *,
    seen_line: str | None,
    public_url: str,
    actor: User,
) -> bytes:
    """Reserve `count` fresh codes and render their labels from position `start`.

    `line`: the organisation line on each label, already checked by selection.org_line;
    `seen_line`: the line the person was last warned about, if any."""
    start = rules.check_start(fmt, start)
    notes = selection.blank_notes(fmt, public_url, line)
    base = selection.require_public_url(public_url)  # before reserving
    if selection.org_line_warned(notes) and seen_line != line:
        raise LineNotConfirmed(notes)
    codes = label_codes.reserve_blanks(count, actor)
    try:
        return run(
            labels.render_pdf,
            selection.blank_labels(codes, base),
            fmt,
            start=start,
            nudge=formats.nudge(fmt.name),
            org_line=line,
        )
    except Exception:
        label_codes.release_blanks(codes)  # nothing printed: the codes go back
        raise
