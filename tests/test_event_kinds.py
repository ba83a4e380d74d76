"""The registry of event kinds: every kind the code writes is declared there, the
history templates branch on no kind, and the history reads as it always has."""

from __future__ import annotations

import ast
import re
from datetime import date, timedelta
from pathlib import Path

from app.custody import custody, maintenance
from app.database import write
from app.models import Asset, Event
from app.register import assets, event_kinds, events

from . import factories

APP = Path(__file__).resolve().parent.parent / "app"


def _written_kinds() -> dict[str, str]:
    """Every kind the app's code writes, with one place that writes it: the first
    argument of `events.record(...)` and of the import's `run.event(...)`, and the
    "kind" of an event row inserted in bulk."""
    found: dict[str, str] = {}
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(APP)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = ast.unparse(node.func.value)
                if (node.func.attr, owner) in (("record", "events"), ("event", "run")):
                    first = node.args[0] if node.args else None
                    assert isinstance(first, ast.Constant), f"{where}: kind is not a plain name"
                    found.setdefault(first.value, where)
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "Event.insert_many":
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Dict):
                        for key, value in zip(inner.keys, inner.values, strict=True):
                            if isinstance(key, ast.Constant) and key.value == "kind":
                                assert isinstance(value, ast.Constant), where
                                found.setdefault(value.value, where)
    return found


def test_every_kind_the_code_writes_is_declared_and_every_declared_kind_is_written():
    written = _written_kinds()
    # The scan itself works: it finds kinds from custody, audits, imports and printing.
    assert {"checked_out", "audited", "marked_missing", "label_printed", "public_report"} <= set(
        written
    )
    undeclared = {kind: where for kind, where in written.items() if kind not in event_kinds.KINDS}
    assert not undeclared, f"declare these in app/register/event_kinds.py: {undeclared}"
    assert set(event_kinds.KINDS) == set(written), "a declared kind nothing writes"


def test_every_declared_kind_makes_a_line_from_a_bare_event():
    """Each kind's parts exist and cope with an event with no people, place or data."""
    for name, kind in event_kinds.KINDS.items():
        assert kind.words and kind.words[0].isupper(), name
        assert set(kind.shows) <= set(event_kinds.PARTS), name
        line = event_kinds.line(Event(kind=name, data=None))
        assert line.words == (kind.words_for(Event(kind=name)) if kind.words_for else kind.words)
        assert all(isinstance(piece.text, str) for piece in line.pieces)


def test_an_unknown_kind_reads_as_its_name_with_who_and_where(app):
    who = factories.make_user("lead", name="Lee Lead", password=None)
    line = event_kinds.line(Event(kind="calibrated_twice", actor=who, data={"x": 1}))
    assert line.words == "Calibrated twice"
    assert "".join(piece.text for piece in line.pieces) == " by Lee Lead"
    assert event_kinds.brief("calibrated_twice") == "Calibrated twice"


def test_a_place_in_the_history_is_told_from_another_of_its_name(app):
    """ "Moved to Depot › Office", as the register lists it, when two places are
    called Office; a return that moved the item says so the same way."""
    office = factories.make_location("Office", parent=factories.make_location("Depot"))
    factories.make_location("Office", parent=factories.make_location("Main site"))
    moved = event_kinds.line(Event(kind="moved", location=office, data={"moved_from": ""}))
    assert "".join(piece.text for piece in moved.pieces).startswith(" to Depot › Office")
    back = Event(kind="checked_in", location=office, data={"moved_from": "Yard"})
    assert event_kinds.line(back).words == "Returned to Depot › Office"


def test_report_tables_take_their_short_words_from_the_registry():
    assert [event_kinds.brief(k) for k in ("repair_started", "repaired", "serviced")] == [
        "Repair started",
        "Fixed",
        "Serviced",
    ]


def test_no_template_branches_on_an_event_kind():
    """History templates print the registry's line; none tests `e.kind` itself."""
    templates = APP / "templates"
    branching = re.compile(r"\b(e|event|ev)\.kind\b")
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if branching.search(path.read_text())
    ]
    assert offenders == []


def test_asset_history_reads_the_same_words_for_each_kind(client, auth):
    """A history with custody, faults, repairs, an edit and a kind nobody declared:
    each line keeps the words it has always had."""
    lead = auth.login("lead")
    pat = factories.make_holder("Pat Holder")
    store = factories.make_location("Store")
    asset = factories.make_asset(actor=lead, name="Drill", location=store.id)
    due = date.today() + timedelta(days=3)
    custody.check_out(asset.code, actor=lead, today=date.today(), holder_id=pat.id, due_back=due)
    custody.check_in(asset.code, actor=lead, condition="fair")
    maintenance.report_fault(asset.code, actor=lead, description="Chuck slips", severity="usable")
    maintenance.start_repair(asset.code, actor=lead, cost_cents=12345)
    maintenance.mark_fixed(asset.code, actor=lead)
    version = Asset.get_by_id(asset.id).version
    assets.update_asset(asset.code, {"cost_cents": 1950}, version=version, actor=lead)
    with write():
        events.record("calibrated_twice", asset=asset, actor=lead, holder=pat, location=store)

    soup, response = client.soup(f"/A/{asset.code}")
    assert response.status_code == 200
    items = soup.select("#history #timeline > li")
    lines = [li.p.get_text(" ", strip=True) for li in items]
    assert lines == [
        f"Calibrated twice by {lead.name} · Pat Holder · Store",
        f"Details edited by {lead.name}",
        f"Marked fixed by {lead.name}",
        f"Repair started by {lead.name} · cost 123.45",
        f"Fault reported by {lead.name} · still usable",
        f"Returned from Pat Holder by {lead.name} to Store · condition: Fair",
        f"Checked out to Pat Holder by {lead.name}, due {due.isoformat()}",
        f"Added by {lead.name} at Store",
    ]
    assert [li.strong.get_text() for li in items][-2:] == ["Checked out", "Added"]
    changes = [li.get_text(" ", strip=True) for li in items[1].select("ul.changes > li")]
    assert changes == ["cost: — → 19.50"]
