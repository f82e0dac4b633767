"""The tantivy copies answer exactly as SQL does: the same totals and matches for every
query they take, for every caller's visibility, after updates and deletes; a copy not in
step with the database is never used, and the next ingest rebuilds it."""

from __future__ import annotations

import shutil
import typing as t

import pytest

from globus_local.services.search.access import get_index
from globus_local.services.search.backends import backend_for
from globus_local.services.search.backends.select import engine_name, store_for
from globus_local.services.search.engine import run_search
from globus_local.services.search.ingest import validate_ingest
from globus_local.services.search.query.request import build_plan
from globus_local.services.search.tantivy_search import tantivy_search
from globus_local.services.search.tasks import DELETE_BY_SUBJECT, INGEST, submit_task
from globus_local.testing import LocalServer

from .support import SearchEnv, User

WORDS = ["alpha", "beta", "gamma", "delta", "omega"]
SOMEONE = "urn:globus:auth:identity:someone"
OTHER = "urn:globus:auth:identity:other"


def _doc(i: int) -> dict[str, t.Any]:
    visible = ["public"] if i % 5 else [SOMEONE] if i % 2 else [SOMEONE, OTHER]
    return {
        "subject": f"s{i:02d}",
        "visible_to": visible,
        "content": {
            "title": " ".join([WORDS[i % 5]] * (i % 3 + 1) + ["common", WORDS[(i + 1) % 5]]),
            "n": i,
            "x": [i / 4 - 3, i * 10],  # fractional, negative, several values
            "tags": [f"t{i % 4}", f"t{i % 7}"],
            "date": f"{2000 + i % 9}-0{1 + i % 9}-15",
            "author": {"name": f"Name{i % 3} Person"},
        },
    }


REQUESTS: list[dict[str, t.Any]] = [
    {"q": "common"},
    {"q": "common", "limit": 7, "offset": 7},
    {"q": "common", "limit": 5, "offset": 40},
    {"q": "common", "limit": 0},
    {"q": "nothing"},
    {"q": "alpha beta"},
    {"q": '"common beta"', "advanced": True},
    {"q": '"alpha alpha common"', "advanced": True},
    {"q": "alph*", "advanced": True},
    {"q": "alpha OR gamma", "advanced": True},
    {"q": "common -beta", "advanced": True},
    {"q": "common AND NOT (alpha OR beta)", "advanced": True},
    {"q": "title:gamma", "advanced": True},
    {"q": 'title:"alpha common"', "advanced": True},  # field-prefixed tokens: no pairs
    {"q": 'title:"alpha alpha common"', "advanced": True},
    {"q": '"common f0123abcdef"', "advanced": True},  # a token shaped like a prefixed one
    {"q": "author.name:name1", "advanced": True},
    {"q": "n:[3 TO 12]", "advanced": True},
    {"q": "common AND n:{3 TO 12}", "advanced": True},
    {"q": "*"},
    {"q": "*", "limit": 4, "offset": 3},
    {"q": "common", "filters": [{"type": "match_any", "field_name": "tags", "values": ["t1"]}]},
    {
        "q": "common",
        "filters": [{"type": "match_all", "field_name": "tags", "values": ["t1", "t5"]}],
    },
    {
        "q": "common",
        "filters": [{"type": "range", "field_name": "n", "values": [{"from": 5, "to": 20}]}],
    },
    {
        "q": "*",
        "filters": [{"type": "range", "field_name": "x", "values": [{"from": -2, "to": 0.5}]}],
    },
    {
        "q": "*",
        "filters": [{"type": "range", "field_name": "x", "values": [{"gt": -2.25, "lt": 3}]}],
    },
    {
        "q": "*",
        "filters": [{"type": "range", "field_name": "x", "values": [{"from": "*", "to": -1.5}]}],
    },
    {
        "q": "*",
        "filters": [
            {"type": "range", "field_name": "date", "values": [{"from": "2003", "to": "2005-06"}]}
        ],
    },
    {
        "q": "common",
        "filters": [
            {
                "type": "or",
                "filters": [
                    {"type": "match_any", "field_name": "tags", "values": ["t2"]},
                    {
                        "type": "not",
                        "filter": {
                            "type": "range",
                            "field_name": "n",
                            "values": [{"from": 0, "to": 20}],
                        },
                    },
                ],
            }
        ],
    },
    {
        "q": "common",
        "@version": "query#1.0.0",
        "post_facet_filters": [{"type": "match_any", "field_name": "tags", "values": ["t3"]}],
    },
]
# a caller's principals: anonymous, one identity, an admin's bypass
CALLERS: list[list[str] | None] = [[], [OTHER], None]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[LocalServer]:
    server = LocalServer(data_dir=tmp_path_factory.mktemp("search-tantivy")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def env(server: LocalServer) -> SearchEnv:
    return SearchEnv(server)


@pytest.fixture
def owner(env: SearchEnv) -> User:
    return env.user()


@pytest.fixture
def index_id(env: SearchEnv, owner: User) -> str:
    index_id = env.create_index(owner)
    env.ingest(owner, index_id, [_doc(i) for i in range(30)])
    return index_id


def _both(
    server: LocalServer, index_id: str, request: dict[str, t.Any], principals: list[str] | None
) -> tuple[dict[str, t.Any], dict[str, t.Any]]:
    """(tantivy's answer, SQL's answer); the copy must take the request."""
    store = store_for(server.db)
    assert store is not None
    with server.db.session() as session:
        index = get_index(session, index_id)
        plan = build_plan(request)
        fast = tantivy_search(session, store, index, plan, principals)
        assert fast is not None, f"the copy did not take {request}"
        slow = run_search(
            session, backend_for(server.db), index_id, build_plan(request), principals
        )
    return fast, slow


def _assert_same(fast: dict[str, t.Any], slow: dict[str, t.Any], request: dict[str, t.Any]) -> None:
    for key in ("total", "count", "offset", "has_next_page"):
        assert fast[key] == slow[key], (key, request)
    fast_subjects = [g["subject"] for g in fast["gmeta"]]
    slow_subjects = [g["subject"] for g in slow["gmeta"]]
    if request["q"] == "*" or fast["total"] <= request.get("limit", 10):
        # unranked (subject order), or every match on the page: the same entries
        same_order = request["q"] == "*"
        assert (fast_subjects if same_order else sorted(fast_subjects)) == (
            slow_subjects if same_order else sorted(slow_subjects)
        ), request
        assert sorted(map(repr, fast["gmeta"])) == sorted(map(repr, slow["gmeta"]))


def test_the_default_engine_on_sqlite_is_tantivy(server: LocalServer) -> None:
    assert engine_name(server.db) == "tantivy"


@pytest.mark.parametrize("principals", CALLERS, ids=["anonymous", "identity", "bypass"])
def test_same_answers_as_sql(
    server: LocalServer, index_id: str, principals: list[str] | None
) -> None:
    for request in REQUESTS:
        fast, slow = _both(server, index_id, request, principals)
        _assert_same(fast, slow, request)


def test_whole_pages_agree_when_paged(server: LocalServer, index_id: str) -> None:
    """Walking every page gives each match once, as SQL's pages do."""
    seen: list[str] = []
    for offset in range(0, 40, 7):
        fast, slow = _both(server, index_id, {"q": "common", "limit": 7, "offset": offset}, [])
        assert fast["total"] == slow["total"]
        seen += [g["subject"] for g in fast["gmeta"]]
    assert len(seen) == len(set(seen)) == fast["total"]


def test_updates_and_deletes_reach_the_copy(
    env: SearchEnv, server: LocalServer, owner: User, index_id: str
) -> None:
    # s01 now private and about "zeta"; s02 gone; s03 gone by query; s40 new
    env.ingest(
        owner,
        index_id,
        [
            {"subject": "s01", "visible_to": [OTHER], "content": {"title": "zeta common"}},
            {"subject": "s40", "content": {"title": "zeta", "n": 40}},
        ],
    )
    sc = env.client(owner)
    task = sc.delete_by_query(index_id, {"q": "s03", "advanced": False})
    task = env.wait(owner, sc.delete_subject(index_id, "s02")["task_id"])
    assert task["state"] == "SUCCESS"
    for request in [*REQUESTS, {"q": "zeta"}, {"q": "s40"}]:
        for principals in CALLERS:
            fast, slow = _both(server, index_id, request, principals)
            _assert_same(fast, slow, request)
    fast, _slow = _both(server, index_id, {"q": "zeta"}, [])
    assert [g["subject"] for g in fast["gmeta"]] == ["s40"]
    fast, _slow = _both(server, index_id, {"q": "zeta"}, [OTHER])
    assert sorted(g["subject"] for g in fast["gmeta"]) == ["s01", "s40"]


def test_a_copy_out_of_step_is_not_used_and_is_rebuilt(
    env: SearchEnv, server: LocalServer, owner: User, index_id: str
) -> None:
    store = store_for(server.db)
    assert store is not None
    shutil.rmtree(store.path(index_id))
    with server.db.session() as session:
        index = get_index(session, index_id)
        assert tantivy_search(session, store, index, build_plan({"q": "common"}), []) is None
    sc = env.client(None)
    assert sc.post_search(index_id, {"q": "common"})["total"] == 24  # SQL answers meanwhile
    env.ingest(owner, index_id, [{"subject": "s50", "content": {"title": "common"}}])
    fast, slow = _both(server, index_id, {"q": "common"}, [])
    assert fast["total"] == slow["total"] == 25


def test_a_stamp_from_another_state_is_not_used(server: LocalServer, index_id: str) -> None:
    store = store_for(server.db)
    assert store is not None
    (store.path(index_id) / "stamp").write_text("2000-01-01T00:00:00+00:00")
    with server.db.session() as session:
        index = get_index(session, index_id)
        assert tantivy_search(session, store, index, build_plan({"q": "common"}), []) is None


@pytest.mark.parametrize(
    "request_body",
    [
        {"q": "common", "facets": [{"field_name": "tags"}]},
        {"q": "common", "sort": [{"field_name": "n", "order": "asc"}]},
        {"q": "common", "boosts": [{"field_name": "title", "factor": 2}]},
        {"q": "common-bet*", "advanced": True},
        {"q": "common", "filters": [{"type": "like", "field_name": "title", "value": "al*"}]},
        {"q": "common AND author:*", "advanced": True},
        {
            "q": "common",
            "filters": [{"type": "match_any", "field_name": "title", "values": ["a" * 101]}],
        },
    ],
    ids=["facets", "sort", "boosts", "phrase-prefix", "like", "exists", "long-value"],
)
def test_what_the_copy_cannot_answer_goes_to_sql(
    server: LocalServer, index_id: str, request_body: dict[str, t.Any]
) -> None:
    store = store_for(server.db)
    assert store is not None
    with server.db.session() as session:
        index = get_index(session, index_id)
        assert tantivy_search(session, store, index, build_plan(request_body), []) is None


def test_entries_with_ids_go_to_sql(
    env: SearchEnv, server: LocalServer, owner: User, index_id: str
) -> None:
    env.ingest(owner, index_id, [{"subject": "s01", "id": "extra", "content": {"title": "x"}}])
    store = store_for(server.db)
    assert store is not None
    with server.db.session() as session:
        index = get_index(session, index_id)
        assert tantivy_search(session, store, index, build_plan({"q": "common"}), []) is None
    result = env.client(None).post_search(index_id, {"q": "common"})
    assert result["total"] == 24


def test_queued_ingests_extend_the_copy_without_rebuilding(
    env: SearchEnv, server: LocalServer, owner: User, index_id: str
) -> None:
    """Tasks accepted together are applied by concurrent jobs, each to the copy its
    predecessor left: none rebuilds it."""
    store = store_for(server.db)
    assert store is not None
    rebuilds = store.rebuilds
    sc = env.client(owner)
    task_ids = [
        sc.ingest(
            index_id,
            {
                "ingest_type": "GMetaList",
                "ingest_data": {
                    "gmeta": [
                        {
                            "subject": f"q{b}-{i}",
                            "visible_to": ["public"],
                            "content": {"t": "queued"},
                        }
                        for i in range(20)
                    ]
                },
            },
        )["task_id"]
        for b in range(6)
    ]
    for task_id in task_ids:
        assert env.wait(owner, task_id)["state"] == "SUCCESS"
    assert store.rebuilds == rebuilds
    fast, slow = _both(server, index_id, {"q": "queued"}, [])
    assert fast["total"] == slow["total"] == 120


def test_tasks_applied_together_reach_the_copy_in_order(
    env: SearchEnv, server: LocalServer, owner: User, index_id: str
) -> None:
    """An entry one task adds and the next removes (accepted together) is gone from the
    copy too, and the copy is not rebuilt for it."""
    store = store_for(server.db)
    assert store is not None
    rebuilds = store.rebuilds
    entry = {"subject": "s70", "visible_to": ["public"], "content": {"title": "brief common"}}
    with server.db.session() as session:
        index = get_index(session, index_id)
        task_ids = [
            submit_task(session, index, INGEST, {"entries": validate_ingest(entry)}).task_id,
            submit_task(session, index, DELETE_BY_SUBJECT, {"subjects": ["s70"]}).task_id,
        ]
    for task_id in task_ids:
        assert env.wait(owner, task_id)["state"] == "SUCCESS"
    fast, slow = _both(server, index_id, {"q": "brief"}, [])
    assert fast["total"] == slow["total"] == 0
    fast, slow = _both(server, index_id, {"q": "common"}, [])
    assert fast["total"] == slow["total"]
    assert store.rebuilds == rebuilds
