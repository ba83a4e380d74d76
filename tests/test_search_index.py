"""The search box's word-part index (schema version 12): SQLite's FTS5 trigram
table kept by triggers, PostgreSQL's pg_trgm indexes. It must find exactly what
testing every asset with LIKE finds, stay in step with every change to an
asset, a value or a field, and take any text typed as itself."""

from __future__ import annotations

import random

import pytest

from app.database import is_sqlite
from app.models import Asset, CustomValue, db
from app.register import assets, custom_fields, custom_search, text_search

from . import factories, import_kit
from .pages import names_in

ALPHABET = "abcdeABCDE xyz-%_\"'*(){}:^"
SEARCHED = ("text", "link", "choice")


def _word(rng: random.Random, low: int = 3, high: int = 14) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(low, high))).strip() or "x"


@pytest.fixture
def register(app):
    """40 assets with awkward text in every searched field, and a text, a choice
    and a number field."""
    rng = random.Random(12)
    lead = factories.make_user("lead")
    centre = custom_fields.create_field("Cost centre", "text")
    choices = sorted({_word(rng) for _ in range(4)})
    dept = custom_fields.create_field("Department", "choice", choices=choices)
    watts = custom_fields.create_field("Power (W)", "number")
    for n in range(40):
        values = {
            "name": _word(rng),
            "serial": f"S{n}-{_word(rng)}" if n % 3 else "",
            "model_name": _word(rng) if n % 2 else "",
            "manufacturer": _word(rng) if n % 4 else "",
            "external_tag": _word(rng) if n % 5 == 0 else "",
        }
        asset = factories.make_asset(lead, **values)
        custom = {watts.id: str(100 + n)}
        if n % 2:
            custom[centre.id] = _word(rng)
        if n % 3:
            custom[dept.id] = rng.choice(choices)
        custom_fields.set_values(asset.code, custom, actor=lead)
    return rng


def _by_hand(text: str) -> list[str]:
    """The codes of the assets containing `text`, worked out in Python."""
    folded, code = text.lower(), text_search.code_part(text)
    kinds = {f.id: f.kind for f in custom_fields.all_fields()}
    found = []
    for a in Asset.select():
        own = [a.name, a.serial or "", a.model_name, a.manufacturer, a.external_tag]
        own += [
            v.text
            for v in CustomValue.select().where(CustomValue.asset == a.id)
            if kinds[v.field_id] in SEARCHED
        ]
        if any(folded in value.lower() for value in own) or (code and code in a.code):
            found.append(a.code)
    return sorted(found)


def _searched(text: str) -> list[str]:
    search = assets.Search(text=text, per_page=1000, custom=custom_search.read({}))
    rows, total = assets.search(search)
    assert total == len(rows)
    return sorted(r.code for r in rows)


def _queries(rng: random.Random) -> list[str]:
    """Parts of what is there, of every length, and FTS5's own syntax."""
    values = [a.name for a in Asset.select()] + [v.text for v in CustomValue.select()]
    values += [a.serial for a in Asset.select() if a.serial]
    parts = []
    for value in rng.sample(values, 30):
        start = rng.randrange(len(value))
        parts.append(value[start : start + rng.randrange(1, 7)])
    code = Asset.select().first().code
    parts += [code[1:4].lower(), f"{code[:3]}-{code[3:]}", code]
    parts += ['"', '""', "a*", "AND", "x OR y", "NEAR(a b)", "{name}: a", "---", "%", "_", "^a"]
    return [p.strip() for p in parts if p.strip()]


def test_the_index_finds_what_reading_every_asset_finds(register, monkeypatch):
    queries = _queries(register)
    indexed = {q: _searched(q) for q in queries}
    monkeypatch.setattr(text_search, "_indexable", lambda text, code: False)
    for q in queries:
        expected = _by_hand(q)
        assert indexed[q] == expected, q
        assert _searched(q) == expected, q  # LIKE, every asset read


def test_a_search_of_three_letters_or_more_reads_the_index_not_the_register(register):
    """SQLite's plan looks the text up in the trigram table; PostgreSQL's
    trigram indexes are there for its planner (it picks them by its statistics)."""
    if not is_sqlite():
        # With sequential scans priced out (40 assets are too few for the
        # planner to want an index), the query's shape lets it use them all.
        searched = [(f.id, f.kind, ()) for f in custom_fields.all_fields()]
        sql, params = Asset.select(Asset.id).where(text_search.condition("drill", searched)).sql()
        with db.atomic():
            db.execute_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(r[0] for r in db.execute_sql(f"EXPLAIN {sql}", params))
        for index in ("asset_name_trgm", "asset_code_trgm", "asset_external_tag_trgm"):
            assert index in plan, plan
        # The values' one is weighed against the field's own index by their counts.
        names = {r[0] for r in db.execute_sql("SELECT indexname FROM pg_indexes")}
        assert "custom_value_text_trgm" in names
        return
    condition = text_search.condition("drill", [])
    query = Asset.select(Asset.id).where(condition)
    sql, params = query.sql()
    plan = " | ".join(r[-1] for r in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "VIRTUAL TABLE INDEX" in plan and "asset_search" in plan, plan
    assert "SCAN asset" not in plan.replace("SCAN asset_search", ""), plan
    short = Asset.select(Asset.id).where(text_search.condition("dr", []))
    sql, params = short.sql()
    plan = " | ".join(r[-1] for r in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "asset_search" not in plan  # two letters: every asset is read


def test_the_index_follows_every_change(app):
    lead = factories.make_user("lead")
    centre = custom_fields.create_field("Cost centre", "text")
    note = custom_fields.create_field("Note", "text")
    asset = factories.make_asset(lead, name="Cordless drill", serial="SN-AAA111")
    assert _searched("cordless") == [asset.code]
    assert _searched("aaa111") == [asset.code]

    assets.update_asset(
        asset.code,
        {"name": "Hammer drill", "serial": "SN-BBB222", "manufacturer": "Makita"},
        version=1,
        actor=lead,
    )
    assert _searched("cordless") == [] and _searched("aaa111") == []
    assert _searched("hammer") == _searched("bbb222") == _searched("makita") == [asset.code]

    custom_fields.set_values(asset.code, {centre.id: "CC-4321 north", note.id: "Loft"}, actor=lead)
    assert _searched("4321 no") == _searched("loft") == [asset.code]
    custom_fields.set_values(asset.code, {centre.id: "CC-9999 south"}, actor=lead)
    assert _searched("4321") == [] and _searched("9999 so") == [asset.code]
    assert _searched("loft") == [asset.code]  # the other value is still there
    custom_fields.set_values(asset.code, {note.id: ""}, actor=lead)  # cleared
    assert _searched("loft") == []

    # A field that becomes a number is no longer searched as text; one that is
    # removed takes its values out of the search.
    custom_fields.set_values(asset.code, {note.id: "2024"}, actor=lead)
    assert _searched("2024") == [asset.code]
    custom_fields.update_field(note.id, "Note", "number", actor=lead)
    assert _searched("2024") == []
    custom_fields.update_field(note.id, "Note", "text", actor=lead)
    assert _searched("2024") == [asset.code]
    custom_fields.delete_field(centre.id, actor=lead)
    assert _searched("9999") == []


def test_what_the_search_box_takes_as_itself(client, auth):
    """Quotes, stars and FTS5's own words are text like any other: no error page."""
    lead = auth.login("lead")
    factories.make_asset(lead, name='The "big" drill*')
    factories.make_asset(lead, name="Drill OR saw")
    factories.make_asset(lead, name="50% off_cut")
    for query, expected in [
        ('"big"', ['The "big" drill*']),
        ("drill*", ['The "big" drill*']),
        ("OR saw", ["Drill OR saw"]),
        ("0% o", ["50% off_cut"]),
        ("f_c", ["50% off_cut"]),
        ("fxc", []),  # an underscore is not a wildcard
        ("---", []),  # a code of no letters is not every code
        ("NEAR(", []),
    ]:
        soup, response = client.soup("/assets", query_string={"q": query})
        assert response.status_code == 200, query
        assert names_in(soup) == expected, query


def test_an_import_is_searchable_as_soon_as_it_commits(app):
    """An import writes many assets and values in one transaction; the index
    catches up with all of them before it commits, and nothing is left listed."""
    lead = factories.make_user("lead")
    data = import_kit.sheet(
        'Name,Serial,"cf: Room, type:option","cf: Cost centre, type:text"\n'
        "Cordless drill,SN-DR-1,Lab,CC-4321 north\n"
        "Mitre saw,SN-MS-2,Office,CC-1234 south\n"
    )
    import_kit.run(data, actor=lead)
    assert (
        _searched("dr-1")
        == _searched("4321 no")
        == _searched("lab")
        == [Asset.get(Asset.name == "Cordless drill").code]
    )
    assert _searched("offi") == [Asset.get(Asset.name == "Mitre saw").code]
    if is_sqlite():
        assert db.execute_sql('SELECT count(*) FROM "asset_search_stale"').fetchone() == (0,)
        rows = db.execute_sql('SELECT count(*) FROM "asset_search"').fetchone()
        assert rows == (2,)
