"""What a print job may ask for: the line on each label, copies, the start
position, the nudge, and the stock a print form starts on. The print and
blank-label pages, their routes and the printing services all read these."""

from __future__ import annotations

from labels import Format

from ..errors import Invalid

# The stock every print form (and the command line) starts on, by the paper the
# organisation uses: the commonest sheet of address-sized labels on each paper.
DEFAULT_STOCK = {"a4": "avery-l7160", "letter": "avery-5160"}

# The line printed on each label goes to the layout whole: what a stock cannot
# hold is cut with an ellipsis there and the page warns before printing
# (labels.fit). Cutting it here instead printed "... 0000 o" with no warning on
# a roll. This is only the bound past which no label could hold it.
ORG_LINE_MAX = 300

MAX_COPIES = 100  # copies of each label in one job
MAX_NUDGE_MM = 10  # how far a printer's feed may be corrected, either way


def check_start(fmt: Format, start: int) -> int:
    """The label position a sheet starts printing from; a roll always starts at 1."""
    if fmt.roll:
        return 1
    if not 1 <= start <= fmt.per_page:
        raise Invalid({"start": f"Start position must be 1–{fmt.per_page} on this sheet."})
    return start


def check_copies(copies: int) -> int:
    if not 1 <= copies <= MAX_COPIES:
        raise Invalid({"copies": f"Copies must be 1–{MAX_COPIES}."})
    return copies


def check_chosen(things: list) -> list:
    """A PDF needs at least one label: a choice that matches nothing is refused
    (the preview says so too) instead of reaching the renderer empty."""
    if not things:
        raise Invalid({"choice": "Nothing matches that choice, so there are no labels to print."})
    return things
