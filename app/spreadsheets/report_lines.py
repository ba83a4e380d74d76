"""The reports' longest CSVs (a row per asset: up to 100,000) written out as
lines, cell by cell as `to_csv` would write them (csvfiles.lines_csv): text
through `field`, names that repeat through `Fields`, money through
`money_field`, whole numbers and dates as they print. Building each line in
one step costs a fraction of passing each cell through `to_csv`'s check and
the writer; tests hold each file to the bytes `to_csv` makes of the same rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .csvfiles import CENTS, Days, Fields, field, money_field

IDLE_HEADER = ["Code", "Name", "Status", "Category", "Location", "Last used", "Idle days"]


def idle(rows: Iterable[tuple]) -> Iterator[str]:
    """reports.idle.idle_all's rows."""
    fields = Fields()  # statuses, categories and places repeat down the file
    days = Days()  # and the days items were last used
    for code, name, status, category, place, day, idle_days in rows:
        yield (
            f"{code},{field(name)},{fields[status]},{fields[category]},{fields[place]},"
            f"{days[day] if day else 'never'},{idle_days}"
        )


VALUE_HEADER = [
    "Code", "Name", "Category", "Purchase date", "Cost", "Useful life (months)", "Salvage %",
    "Months elapsed", "Depreciation", "Book value", "Not depreciated because",
]  # fmt: skip


def value(rows: Iterable[tuple]) -> Iterator[str]:
    """reports.value.holdings_export's rows."""
    fields = Fields()
    for code, name, category, bought, cost, life, salvage, months, book, reason in rows:
        if book is not None and cost >= 0:  # the usual row: 0 <= book <= cost
            lost = cost - book
            yield (
                f"{code},{field(name)},{fields[category]},{bought},"
                f"{cost // 100}.{CENTS[cost % 100]},{life},{salvage},{months},"
                f"{lost // 100}.{CENTS[lost % 100]},{book // 100}.{CENTS[book % 100]},"
            )
            continue
        lost = "" if book is None else money_field(cost - book)
        yield (
            f"{code},{field(name)},{fields[category]},{bought or ''},{money_field(cost)},"
            f"{'' if life is None else life},{salvage},{months},{lost},{money_field(book)},"
            f"{field(reason)}"
        )


UTILISATION_HEADER = ["Code", "Name", "Category", "Days owned", "Days checked out", "Utilisation %"]


def utilisation(rows: Iterable[tuple]) -> Iterator[str]:
    """reports.utilisation.asset_rows's rows (the figures are text)."""
    fields = Fields()
    for code, name, category, owned, out, percent in rows:
        yield f"{code},{field(name)},{fields[category]},{owned},{out},{percent}"


DUE_HEADER = [
    "Code", "Name", "Category", "Life ends", "Book value", "Repairs and services last 12 months",
    "Repairs and services to date", "Faults last 12 months", "Utilisation % last 365 days",
    "Replacement cost", "Reasons",
]  # fmt: skip


def due(rows: Iterable[tuple]) -> Iterator[str]:
    """replacement.plan.Plan.csv_rows's rows."""
    fields = Fields()  # categories, and reasons: most are "past its life since" a few hundred days
    days = Days()  # when lives end: a few hundred days
    for code, name, category, ends, book, repairs, to_date, faults, percent, cost, why in rows:
        if (
            book is not None and cost is not None
            and book >= 0 and cost >= 0 and repairs >= 0 and to_date >= 0
        ):  # fmt: skip
            yield (  # the usual row: money_field's sums written in place
                f"{code},{field(name)},{fields[category]},{days[ends]},"
                f"{book // 100}.{CENTS[book % 100]},{repairs // 100}.{CENTS[repairs % 100]},"
                f"{to_date // 100}.{CENTS[to_date % 100]},{faults},{percent},"
                f"{cost // 100}.{CENTS[cost % 100]},{fields[why]}"
            )
            continue
        yield (
            f"{code},{field(name)},{fields[category]},{days[ends]},{money_field(book)},"
            f"{money_field(repairs)},{money_field(to_date)},{faults},{percent},"
            f"{money_field(cost)},{fields[why]}"
        )


MAINTENANCE_JOBS_HEADER = ["Date", "Code", "Name", "What", "Note", "By", "Cost"]


def maintenance_jobs(rows: Iterable[tuple]) -> Iterator[str]:
    """reports.maintenance_costs.job_rows's rows."""
    fields = Fields()  # what was done and who did it repeat down the file
    for day, code, name, what, note, by, cost in rows:
        yield (
            f"{day},{code},{field(name)},{fields[what]},{field(note)},{fields[by]},"
            f"{money_field(cost)}"
        )


MAINTENANCE_ASSETS_HEADER = ["Code", "Name", "Category", "Jobs", "Cost", "Last job"]


def maintenance_assets(rows: Iterable[tuple], jobs: int, cost_cents: int) -> Iterator[str]:
    """reports.maintenance_costs.asset_rows's rows, then the total of `jobs`
    jobs costing `cost_cents`."""
    fields = Fields()
    for code, name, category, count, cost, day in rows:
        yield f"{code},{field(name)},{fields[category]},{count},{money_field(cost)},{day}"
    yield f",Total,,{jobs},{money_field(cost_cents)},"
