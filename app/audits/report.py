"""The audit report: counts, missing, moved, unexpected, who and how long.
As a page, a CSV and a PDF (text codes only: no QR can be scanned off it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from peewee import JOIN, fn

from ..clock import in_zone
from ..models import Asset, Audit, AuditItem, AuditTick, Event, User
from ..register import places
from . import audits, progress, rules


@dataclass
class Line:
    code: str
    name: str
    # seen, seen by action, seen elsewhere, with holder, missing, not seen,
    # unexpected, unknown
    result: str
    detail: str = ""
    by: str = ""
    at: datetime | None = None  # when it was seen (or the code typed), stored (naive UTC)
    last_seen: datetime | None = None  # not seen in the audit: when it last was, if ever


@dataclass
class Report:
    audit: Audit
    scope: str
    zone: tzinfo  # the organisation's: times are read in it
    expected: int = 0
    seen: int = 0
    lines: list[Line] = field(default_factory=list)
    auditors: list[str] = field(default_factory=list)
    duration: timedelta | None = None

    def of(self, *results: str) -> list[Line]:
        return [line for line in self.lines if line.result in results]


def _last_facts(asset_ids: list[int]) -> dict[int, tuple]:
    """Last seen time, last holder and last location for each asset (3 queries)."""
    if not asset_ids:
        return {}
    rows = {a.id: a for a in Asset.select().where(Asset.id.in_(asset_ids))}
    last_holder_event = (
        Event.select(Event.asset, fn.MAX(Event.id).alias("last"))
        .where(Event.asset.in_(asset_ids), Event.holder.is_null(False))
        .group_by(Event.asset)
    )
    holders = {
        asset_id: name
        for asset_id, name in Event.select(Event.asset, User.name)
        .join(User, on=(Event.holder == User.id))
        .where(Event.id.in_([r.last for r in last_holder_event]))
        .tuples()
    }
    return {
        i: (
            rows[i].last_seen_at,
            holders.get(i, ""),
            places.location_label(rows[i].location_id),
        )
        for i in rows
    }


def build(audit: Audit, zone: tzinfo) -> Report:
    """The report of `audit`, its times as they were in `zone` (the organisation's)."""
    report = Report(
        audit=audit, scope=audits.scope_label(audit), zone=zone, duration=progress.duration(audit)
    )
    ticks = {
        t.asset_id: t
        for t in AuditTick.select(AuditTick, User)
        .join(User, on=(AuditTick.by == User.id))
        .where(AuditTick.audit == audit, AuditTick.undone_at.is_null())
    }
    missing_ids = {
        asset_id
        for (asset_id,) in AuditItem.select(AuditItem.asset)
        .where(AuditItem.audit == audit, AuditItem.marked_missing == True)  # noqa: E712
        .tuples()
    }
    items = list(
        AuditItem.select(AuditItem, Asset, User)
        .join(Asset, on=(AuditItem.asset == Asset.id))
        .join(User, JOIN.LEFT_OUTER, on=(Asset.holder == User.id))
        .where(AuditItem.audit == audit)
        .order_by(Asset.name)
    )
    facts = _last_facts([i.asset_id for i in items if i.asset_id not in ticks])
    report.expected = len(items)
    for item in items:
        asset, tick = item.asset, ticks.get(item.asset_id)
        if tick:
            report.seen += 1
            if tick.via:  # an action during the audit proved someone had it
                result = "seen by action"
                detail = rules.via_words(tick.via, tick.by.name)
            elif tick.wrong_place:
                result = "seen elsewhere"
                detail = f"seen in {places.location_label(tick.room_id)}"
                if tick.resolution == "moved":
                    detail += " (location updated)"
            else:
                result, detail = "seen", places.location_label(tick.room_id)
            report.lines.append(Line(asset.code, asset.name, result, detail, tick.by.name, tick.at))
            continue
        last_seen, last_holder, last_place = facts.get(asset.id, (None, "", ""))
        if asset.holder_id:
            result, detail = "with holder", f"out with {asset.holder.name}"
        elif asset.id in missing_ids:
            result = "missing"
            detail = "; ".join(
                filter(
                    None,
                    [
                        f"last seen {in_zone(last_seen, zone):%d %b %Y %H:%M}"
                        if last_seen
                        else "never seen",
                        f"last holder {last_holder}" if last_holder else "",
                        f"last at {last_place}" if last_place else "",
                    ],
                )
            )
        else:
            result, detail = "not seen", asset.status_label
        report.lines.append(Line(asset.code, asset.name, result, detail, last_seen=last_seen))
    for tick in ticks.values():
        if not tick.expected and tick.asset_id:
            report.lines.append(
                Line(
                    tick.asset.code,
                    tick.asset.name,
                    "unexpected",
                    f"seen in {places.location_label(tick.room_id)}" if tick.room_id else "",
                    tick.by.name,
                    tick.at,
                )
            )
    for tick in (
        AuditTick.select(AuditTick, User)
        .join(User, on=(AuditTick.by == User.id))
        .where(AuditTick.audit == audit, AuditTick.asset.is_null(), AuditTick.undone_at.is_null())
    ):
        report.lines.append(
            Line(tick.code, "", "unknown", "not a tagtrail asset code", tick.by.name, tick.at)
        )
    report.auditors = sorted(
        # Whoever returned an item meanwhile did not audit anything.
        {t.by.name for t in ticks.values() if not t.via}
        | {
            n
            for (n,) in AuditTick.select(User.name)
            .join(User, on=(AuditTick.by == User.id))
            .where(AuditTick.audit == audit, AuditTick.via == "")
            .tuples()
        }
    )
    return report


CSV_HEADER = ["code", "name", "result", "detail", "by", "seen at", "last seen"]


def csv_rows(report: Report) -> list[list]:
    """The report as spreadsheet rows (written by app/spreadsheets/csvfiles.py, which defuses
    formula-like cells); times in the organisation's zone, as the history export's: when
    each was seen in the audit, or, for those that were not, when they last were."""

    def local(at: datetime | None) -> str:
        return f"{in_zone(at, report.zone):%Y-%m-%d %H:%M}" if at else ""

    return [
        [line.code, line.name, line.result, line.detail, line.by, local(line.at),
         local(line.last_seen)]
        for line in report.lines
    ]  # fmt: skip


def html_to_pdf(html: str) -> bytes:
    """Render the print template; runs in the worker process. Nothing is fetched:
    a URL that reached the page (none should) is skipped, never loaded."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class RefuseAll(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError("report rendering loads nothing")

    return HTML(string=html, url_fetcher=RefuseAll()).write_pdf()
