"""The print forms (labels for assets or locations, and blank labels): the
stock on offer, what the page says beside it, and what the lists hold.

The route passes in what the request said (the chosen stock, the ticked codes,
the line on each label) and the organisation's settings, as plain values."""

from __future__ import annotations

from ..errors import Invalid
from ..ops import rules as ops_rules
from ..printing import formats, print_job, rules, selection
from ..register import label_codes, places


def _stock(paper_size: str, public_url: str) -> dict:
    """What both forms offer: the formats, the one to start on, the address warning."""
    return {
        "default_format": formats.default_format_name(paper_size),
        "formats": formats.formats(),
        "org_line_max": rules.ORG_LINE_MAX,
        "warning": ops_rules.public_url_warning(public_url),
    }


def _notes(job: print_job.Job | None, format_name: str, public_url: str) -> dict | None:
    """The notes beside the stock: for the job's run, or the chosen stock alone
    (none when the stock is not one on offer: the form says what is wrong)."""
    if job:
        return print_job.notes(job, public_url)
    try:
        fmt = formats.get_format(format_name)
    except Invalid:
        return None
    return selection.stock_notes(fmt, public_url)


def print_page(
    job: print_job.Job | None,
    *,
    format_name: str,
    codes: list[str],
    kit_codes: list[str] | None = None,
    paper_size: str,
    public_url: str,
) -> dict:
    """The "Print labels" page, for `job` when the form was sent and made one.

    `format_name`: the stock asked for ("" for the default); `codes`: the assets
    a link or the ticked list named."""
    stock = _stock(paper_size, public_url)
    return {
        **stock,
        "job": job,
        "marks": bool(job and selection.marked(job.things)),
        "notes": _notes(job, format_name or stock["default_format"], public_url),
        "max_copies": rules.MAX_COPIES,
        "picked": selection.picked(codes),
        "picked_kits": selection.picked_kits(kit_codes or []),
        "categories": list(places.categories()),
        "locations": places.location_options(),
    }


def blank_page(*, format_name: str, org_line: str | None, paper_size: str, public_url: str) -> dict:
    """The blank labels page. `org_line`: the line on each label, once the form
    got as far as reading it (None before: no notes then). A stock or a line that
    does not check out shows no notes; the form says what is wrong when sent."""
    stock = _stock(paper_size, public_url)
    notes, line = None, ""
    if org_line is not None:
        try:
            fmt = formats.get_format(format_name or stock["default_format"])
            line = selection.org_line(org_line)
        except Invalid:
            line = ""
        else:
            notes = selection.blank_notes(fmt, public_url, line)
    return {
        **stock,
        "notes": notes,
        "warned": bool(notes and selection.org_line_warned(notes)),
        "org_line": line,
        "max_blanks": label_codes.MAX_BLANKS,
    }
