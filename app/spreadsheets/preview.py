"""What an import would do, as the preview page and the command line read it:
each row's plan (RowPlan) and the whole file's (Preview), with what stops the
import and the words the page says of it. plan.py makes them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Asset
from . import custom_columns, formats, rules
from . import values as iv


@dataclass
class RowPlan:
    line: int
    action: str = "new"  # new, update, unchanged, error
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    asset_id: int | None = None
    code: str | None = None  # the asset's code: its own, or one kept from the file
    # The tag column's cell, and what it became: "code" (kept as a new asset's
    # code) or "old" (kept as its external tag, the old tag).
    tag: str = ""
    tag_kept_as: str = ""

    @property
    def title(self) -> str:
        return self.values.get("name") or self.code or ""


@dataclass
class Preview:
    headers: list[str]
    mapping: list[str]
    date_order: str | None
    date_choice_needed: bool
    rows: list[RowPlan]
    problems: list[str] = field(default_factory=list)
    column_problems: dict[int, str] = field(default_factory=dict)  # by column
    # How the file's bytes were read (rules.ENCODINGS), and whether that was a
    # guess the person may overrule, or their choice.
    encoding: str = "utf-8"
    encoding_guessed: bool = False
    encoding_chosen: bool = False
    new_categories: list[str] = field(default_factory=list)
    new_locations: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)
    new_people: dict[tuple, tuple[str, str]] = field(default_factory=dict)
    # Other systems' exports (formats.py): the status values nobody has said the
    # meaning of yet, (key, as written, rows); what was chosen; columns left out.
    unknown_statuses: list[tuple[str, str, int]] = field(default_factory=list)
    choices: formats.Choices = field(default_factory=formats.Choices)
    has_quantity: bool = False
    # Custom fields: the file's custom columns (custom_columns.Columns), and the
    # columns nobody recognised that could be kept as one, (index, header, kind).
    custom: custom_columns.Columns = field(default_factory=custom_columns.Columns)
    keepable: list[tuple[int, str, str]] = field(default_factory=list)
    # For carrying the plan out in the same transaction: what was read.
    lookup: object = field(default=None, repr=False)
    current: dict[int, Asset] = field(default_factory=dict, repr=False)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("new", "update", "unchanged", "error")}

    @property
    def left_out(self) -> list[str]:
        """The columns nothing is taken from."""
        return [h for h, name in zip(self.headers, self.mapping, strict=False) if not name and h]

    @property
    def left_out_shown(self) -> list[str]:
        """The columns left out, as a person would say them (shown_headers)."""
        return [iv.readable_header(h) for h in self.left_out]

    @property
    def status_values(self) -> list[tuple[str, str, int, str]]:
        """Every status value the person chose a meaning for or must: (key, as
        written, rows, our status or "")."""
        return [(k, t, n, self.choices.statuses.get(k, "")) for k, t, n in self.unknown_statuses]

    @property
    def ok(self) -> bool:
        return not self.problems and not any(r.errors for r in self.rows)

    @property
    def row_count(self) -> int:
        """Rows of the file; a row with a quantity may make several assets."""
        return len({r.line for r in self.rows})

    @property
    def size_words(self) -> str:
        return rules.rows_words(self.row_count, len(self.rows))

    @property
    def tag_words(self) -> list[str]:
        """Why the file's tags became codes or old tags, one plain sentence
        each, with the first new asset's tag of each kind as the example."""
        new = [r for r in self.rows if r.action == "new" and r.tag_kept_as]
        kept = next((r.tag for r in new if r.tag_kept_as == "code"), "")
        old = next((r.tag for r in new if r.tag_kept_as == "old"), "")
        return rules.tag_words(kept, old)

    @property
    def shown_headers(self) -> list[str]:
        """Each header as a person would say it ("HB.labels": "Labels")."""
        return [iv.readable_header(h) for h in self.headers]

    @property
    def blockers(self) -> list[tuple[str, str]]:
        """What stops the import, each with the id of the place on the page
        where it is put right: (words, anchor). Empty when it can go ahead."""
        out, said = [], set()
        waiting = sum(1 for v in self.status_values if not v[3])
        if waiting:
            out.append((rules.waiting_words(waiting), "status-values"))
            said.add(formats.statuses_words(waiting))
        if self.date_choice_needed:
            out.append((rules.DATE_ORDER_WORDS, "dates"))
            said.add(rules.DATE_ORDER_PROBLEM)
        if self.column_problems:
            n = len(self.column_problems)
            where = f"col-{min(self.column_problems)}"
            out.append((f"{n} column{'s need' if n > 1 else ' needs'} another look", where))
            said.update(self.column_problems.values())
        out.extend((p, "mapping") for p in self.problems if p not in said)
        bad = len({r.line for r in self.rows if r.errors})
        if bad:
            out.append((f"{bad} row{'s have' if bad > 1 else ' has'} errors", "import-errors"))
        return out
