"""A print job: which labels, on what stock, from which position, how many
copies; its preview, its PDF, and the record that its assets' labels printed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import labels

from ..models import User
from ..worker import run
from . import formats, rules, selection


@dataclass
class Job:
    fmt: labels.Format
    start: int
    copies: int
    org_line: str
    tags: bool
    things: list  # assets or locations, in print order


def make(
    *,
    format_name: str,
    choice: str,
    codes: list[str],
    category_id: int | None,
    location_id: int | None,
    since: date | None,
    start: int,
    copies: int,
    org_line: str,
    tags: bool,
) -> Job:
    """Check a job's choices (Invalid says which field is wrong) and pick its labels."""
    fmt = formats.get_format(format_name)
    start = rules.check_start(fmt, start)
    copies = rules.check_copies(copies)
    things = selection.choose(
        choice, codes_=codes, category_id=category_id, location_id=location_id, since=since
    )
    return Job(fmt, start, copies, selection.org_line(org_line), tags, things)


def notes(job: Job, public_url: str) -> dict:
    """What the page says beside the stock for this job's run."""
    preview = selection.to_labels(job.things, public_url, preview=True, tags=job.tags)
    return selection.stock_notes(job.fmt, public_url, preview, job.org_line)


def preview_svg(job: Job | None, fmt: labels.Format, public_url: str) -> str:
    """The first page as it will print, label outlines included (an empty sheet
    of `fmt` when there is no job yet)."""
    data = selection.to_labels(job.things, public_url, preview=True, tags=job.tags) if job else []
    per_page = 1 if fmt.roll else fmt.per_page - (job.start - 1 if job else 0)
    copies = job.copies if job else 1
    first_page = [label for label in data for _ in range(copies)][: max(per_page, 0)]
    return next(
        labels.page_svgs(
            first_page,
            fmt,
            start=job.start if job else 1,
            nudge=formats.nudge(fmt.name),
            org_line=job.org_line if job else "",
            outlines=True,
        )
    )


def print_pdf(job: Job, public_url: str, actor: User) -> bytes:
    """Render the PDF (in the render worker), then record that the assets' labels
    were printed; nothing is recorded if rendering fails."""
    rules.check_chosen(job.things)
    data = run(
        labels.render_pdf,
        selection.to_labels(job.things, public_url, tags=job.tags),
        job.fmt,
        start=job.start,
        copies=job.copies,
        nudge=formats.nudge(job.fmt.name),
        org_line=job.org_line,
    )
    assets = selection.marked(job.things)
    if assets:
        selection.record_printed(assets, actor, job.fmt)
    return data
