"""The engine's two result paths agree: per-entry results (no entry has an id, so every
subject has one entry) and results grouped by subject. Run in-process on both databases."""

from __future__ import annotations

import typing as t

import pytest

from globus_local.app import prepare_schema
from globus_local.db import Database
from globus_local.services.search import engine
from globus_local.services.search.backends import backend_for
from globus_local.services.search.ingest import upsert_entries
from globus_local.services.search.models import SearchIndex
from globus_local.services.search.query.request import build_plan

WORDS = ["alpha", "beta", "gamma", "delta", "omega"]


def _entry(i: int, entry_id: str | None = None, **extra: t.Any) -> dict[str, t.Any]:
    content = {
        # word i%5 repeated by i%3+1 makes scores differ, and tie within each repetition
        "title": " ".join([WORDS[i % 5]] * (i % 3 + 1) + ["common"]),
        "n": i,
        "tags": [f"t{i % 4}", f"t{i % 7}"],
        "date": f"{2000 + i % 9}-0{1 + i % 9}-15",
        **extra,
    }
    visible = ["public"] if i % 6 else ["urn:globus:auth:identity:someone"]
    return {"subject": f"s{i:02d}", "id": entry_id, "visible_to": visible, "content": content}


REQUESTS: list[dict[str, t.Any]] = [
    {"q": "common"},
    {"q": "common", "limit": 7, "offset": 7},
    {"q": "common", "limit": 5, "offset": 40},  # past the end: counted on its own
    {"q": "common", "limit": 0},
    {"q": "alpha OR beta", "advanced": True},
    {"q": "gamma", "limit": 3},
    {"q": "nothing"},
    {"q": "*", "sort": [{"field_name": "n", "order": "asc"}], "limit": 4, "offset": 2},
    {"q": "*", "sort": [{"field_name": "date", "order": "desc"}]},
    {"q": "common", "filters": [{"type": "match_any", "field_name": "tags", "values": ["t1"]}]},
    {
        "q": "common",
        "filters": [{"type": "range", "field_name": "n", "values": [{"from": 5, "to": 20}]}],
        "limit": 4,
    },
    {"q": "common -beta", "advanced": True, "boosts": [{"field_name": "title", "factor": 3}]},
    {"q": "n:[3 TO 12]", "advanced": True, "facets": [{"field_name": "tags", "size": 3}]},
]


@pytest.fixture
def db(database_url: str) -> t.Iterator[Database]:
    database = Database(database_url)
    prepare_schema(database)
    backend_for(database)  # its table, before any session holds the write lock
    yield database
    database.dispose()


def _index(db: Database, index_id: str, entries: list[dict[str, t.Any]]) -> None:
    with db.session() as session:
        session.add(SearchIndex(id=index_id, display_name=index_id, creator_id="test"))
        session.flush()
        upsert_entries(session, backend_for(db), index_id, entries)


def _search(
    db: Database, index_id: str, request: dict[str, t.Any], single: bool | None = None
) -> dict[str, t.Any]:
    run = engine.SearchRun
    with db.session() as session:
        search = run(session, backend_for(db), index_id, build_plan(request), [])
        if single is not None:
            search._one_entry_per_subject = lambda: single  # type: ignore[method-assign]
        return search.run()


def test_per_entry_results_equal_grouped_results(db: Database) -> None:
    index_id = "paths-single"
    _index(db, index_id, [_entry(i) for i in range(30)])
    with db.session() as session:
        run = engine.SearchRun(session, backend_for(db), index_id, build_plan({"q": "x"}), [])
        assert run._one_entry_per_subject()
    for request in REQUESTS:
        grouped = _search(db, index_id, request, single=False)
        assert _search(db, index_id, request) == grouped, request
    first = _search(db, index_id, {"q": "common", "limit": 5})
    assert (first["total"], first["count"], first["has_next_page"]) == (25, 5, True)
    everything = [
        g["subject"] for g in _search(db, index_id, {"q": "common", "limit": 30})["gmeta"]
    ]
    assert len(set(everything)) == 25
    assert [g["subject"] for g in first["gmeta"]] == everything[:5]
    assert _search(db, index_id, {"q": "common", "limit": 0})["total"] == 25
    assert _search(db, index_id, {"q": "common", "offset": 40})["total"] == 25


def test_subjects_with_several_entries_are_grouped(db: Database) -> None:
    index_id = "paths-grouped"
    entries = [_entry(i) for i in range(12)]
    # s03 gets a second entry (with an id) that also matches "omega"
    entries.append(_entry(3, "second", summary="omega omega"))
    _index(db, index_id, entries)
    with db.session() as session:
        run = engine.SearchRun(session, backend_for(db), index_id, build_plan({"q": "x"}), [])
        assert not run._one_entry_per_subject()
    result = _search(db, index_id, {"q": "common"})
    assert result["total"] == 10  # subjects (s00 and s06 are not public), not entries
    by_subject = {g["subject"]: g for g in result["gmeta"]}
    assert [e["entry_id"] for e in by_subject["s03"]["entries"]] == [None, "second"]
    omega = _search(db, index_id, {"q": "omega"})
    assert omega["total"] == 3
    by_subject = {g["subject"]: g for g in omega["gmeta"]}
    assert sorted(by_subject) == ["s03", "s04", "s09"]
    assert [e["entry_id"] for e in by_subject["s03"]["entries"]] == ["second"]
