"""Saying an import's problems once: a problem of a whole column at the
column, and a message many rows share with at most ten of their row numbers.
The preview page and the command line both ask this module."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import values as iv

MAX_LINES = 10  # row numbers named before "and 117 more"
NO_NAME = "A new asset needs a name."
NO_NAME_COLUMN = "No column is the asset's name: choose one (new assets need a name)."


def location_ambiguous(parts: list[str], paths: list[list[str]]) -> str:
    """A location typed that ends several existing locations' paths."""
    shown = sorted(" > ".join(path) for path in paths)
    listed = ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")
    return (
        f"The location “{' > '.join(parts)}” could be {listed}: "
        f"write its whole path, such as “{shown[0]}”."
    )


def lines_words(lines: Iterable[int], limit: int = MAX_LINES) -> str:
    """ "6, 7", or "2, 3, … 11 and 117 more": at most `limit` row numbers."""
    unique = sorted(set(lines))
    shown = ", ".join(str(n) for n in unique[:limit])
    more = len(unique) - limit
    return f"{shown} and {more} more" if more > 0 else shown


@dataclass
class Shared:
    """One message and the rows that have it."""

    message: str
    lines: list[int]

    @property
    def where(self) -> str:
        """ "Rows 2, 3 and 117 more", or "" when the message names them already."""
        listed = lines_words(self.lines)
        return "" if listed in self.message else f"Rows {listed}."


def group(rows: Sequence) -> tuple[list[Shared], list[tuple[object, list[str]]]]:
    """Errors said by more than one row, each once with its rows (most rows
    first), and each row with the errors only it has."""
    by_message: dict[str, list[int]] = {}
    for row in rows:
        for error in dict.fromkeys(row.errors):
            by_message.setdefault(error, []).append(row.line)
    shared = {m: lines for m, lines in by_message.items() if len(set(lines)) > 1}
    own = []
    for row in rows:
        errors = [e for e in row.errors if e not in shared]
        if errors:
            own.append((row, errors))
    groups = [Shared(m, sorted(set(lines))) for m, lines in shared.items()]
    groups.sort(key=lambda g: -len(g.lines))
    return groups, own


def column_errors(preview, plans: Sequence) -> None:
    """A mapped column none of whose values could be read (the wrong column
    chosen, most often) is one problem at the column, not an error on every
    row. Needs at least three values, so that two typing slips stay row errors."""
    for index, name in enumerate(preview.mapping):
        custom = preview.custom.by_index.get(index)
        if not name or (name not in iv.FIELDS and custom is None):
            continue
        label = custom.name if custom else iv.FIELDS[name][0]
        prefix = f"{label}: "
        failed = [p for p in plans if any(e.startswith(prefix) for e in p.errors)]
        if len({p.line for p in failed}) < 3:
            continue
        if custom:
            filled = {p.line for p in plans if index in p.values.get("custom", {})}
        else:
            filled = {p.line for p in plans if name in p.values}
        if filled - {p.line for p in failed}:
            continue  # some of its values are fine: the rows say which are not
        first = next(e for e in failed[0].errors if e.startswith(prefix))[len(prefix) :]
        for plan in failed:
            plan.errors = [e for e in plan.errors if not e.startswith(prefix)]
        header = preview.headers[index]
        problem = (
            f"No value in column “{header}” can be read as {label} "
            f"(row {failed[0].line}: {first}) Choose another column or leave it out."
        )
        preview.column_problems[index] = problem
        preview.problems.append(problem)


def name_column(preview) -> None:
    """New rows with no name column: said once, not on every new row."""
    if "name" in preview.mapping:
        return
    lacking = [p for p in preview.rows if NO_NAME in p.errors]
    if not lacking:
        return
    for plan in lacking:
        plan.errors.remove(NO_NAME)
        if not plan.errors and plan.action == "error":
            plan.action = "new"
    preview.problems.append(NO_NAME_COLUMN)
