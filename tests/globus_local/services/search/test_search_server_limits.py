"""Hostile input over HTTP on both backends: every bad request is a 4xx GError, never a 500.

Each test sends what a tester found (or what the same reading of the routes turned up) and
checks the answer is Search's own error document with a 4xx status and a clear message,
and that whatever was accepted can still be served back.
"""

from __future__ import annotations

import json
import time
import typing as t

import pytest
import requests

from globus_local.services.search import deadline, engine, writes
from globus_local.services.search.limits import (
    MAX_BUCKETS,
    MAX_DELETE_SUBJECTS,
    MAX_FIELD_DEPTH,
    MAX_FILTER_DEPTH,
    MAX_JSON_DEPTH,
    MAX_QUERY_CHARS,
    MAX_QUERY_DEPTH,
    MAX_QUERY_TERMS,
    MAX_VISIBLE_TO,
)
from tests.globus_local.services.search.support import SearchEnv, User, subjects

JSON = {"Content-Type": "application/json"}


def error(resp: requests.Response, status: int = 400) -> dict[str, t.Any]:
    """The GError of a refused request (any other answer fails the test)."""
    assert resp.status_code == status, resp.text[:500]
    doc = t.cast(dict, resp.json())
    assert doc["@datatype"] == "GError" and doc["status"] == status and doc["request_id"]
    return doc


def search(env: SearchEnv, user: User | None, index_id: str, body: t.Any) -> requests.Response:
    return env.raw("POST", f"v1/index/{index_id}/search", user, json=body)


def ingest_raw(env: SearchEnv, user: User, index_id: str, body: t.Any) -> requests.Response:
    return env.raw("POST", f"v1/index/{index_id}/ingest", user, data=body, headers=dict(JSON))


def entry(content: t.Any, subject: str = "s") -> dict[str, t.Any]:
    return {
        "ingest_type": "GMetaEntry",
        "ingest_data": {"subject": subject, "visible_to": ["public"], "content": content},
    }


def nested_objects(levels: int) -> dict[str, t.Any]:
    """``levels`` objects, one inside the other, the innermost holding a word."""
    doc: dict[str, t.Any] = {"word": "deepest"}
    for _ in range(levels - 1):
        doc = {"a": doc}
    return doc


def nested_lists(levels: int) -> t.Any:
    value: t.Any = "deepest"
    for _ in range(levels):
        value = [value]
    return value


# -- 1. ingest: nothing unservable is stored ---------------------------------------------------


def test_ingest_refuses_documents_nested_too_deep(
    env: SearchEnv, owner: User, index_id: str
) -> None:
    for content in (nested_objects(900), nested_objects(MAX_FIELD_DEPTH + 1)):
        doc = error(env.raw("POST", f"v1/index/{index_id}/ingest", owner, json=entry(content)))
        assert doc["code"] == "BadRequest.ValidationError"
        assert f"at most {MAX_FIELD_DEPTH} levels of objects" in doc["message"]
        assert doc["error_data"]["messages"]["json"]  # names the path that is too deep
    deep_lists = {"x": nested_lists(MAX_JSON_DEPTH)}
    error(env.raw("POST", f"v1/index/{index_id}/ingest", owner, json=entry(deep_lists)))
    error(
        env.raw("PUT", f"v1/index/{index_id}/entry", owner, json=entry(deep_lists)["ingest_data"])
    )
    # a body deeper than the JSON parser goes is a 400 too, in the same document
    error(ingest_raw(env, owner, index_id, '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}"))

    # the deepest document allowed is stored and served back by every read
    env.ingest(owner, index_id, [{"subject": "deep", "content": nested_objects(MAX_FIELD_DEPTH)}])
    found = search(env, None, index_id, {"q": "deepest"})
    assert found.status_code == 200 and subjects(found.json()) == ["deep"]
    assert env.raw("GET", f"v1/index/{index_id}/search", None, params={"q": "*"}).status_code == 200
    got = env.raw("GET", f"v1/index/{index_id}/subject", None, params={"subject": "deep"})
    assert got.status_code == 200


def test_ingest_refuses_values_it_could_not_serve(
    env: SearchEnv, owner: User, index_id: str
) -> None:
    def gmeta(content: str) -> str:
        return (
            '{"ingest_type": "GMetaEntry", "ingest_data": {"subject": "n", '
            f'"visible_to": ["public"], "content": {content}}}}}'
        )

    for content in ('{"x": NaN}', '{"x": [1, Infinity]}', '{"x": -Infinity}', '{"x": 1e999}'):
        assert (
            "NaN and Infinity" in error(ingest_raw(env, owner, index_id, gmeta(content)))["message"]
        ), content
    doc = error(ingest_raw(env, owner, index_id, gmeta('{"big": ' + "9" * 400 + "}")))
    assert doc["message"] == "Number out of range."
    assert doc["error_data"]["messages"]["json"] == {"ingest_data.content.big": [doc["message"]]}
    for body in (
        entry({"x": "a\u0000b"}),
        entry({"a\u0000": 1}),
        entry({"x": 1}, subject="a\u0000b"),
    ):
        assert (
            "NUL"
            in error(env.raw("POST", f"v1/index/{index_id}/ingest", owner, json=body))["message"]
        )
    many = entry({"x": 1})
    many["ingest_data"]["visible_to"] = [
        f"urn:globus:auth:identity:{i:08d}-0000-0000-0000-000000000000"
        for i in range(MAX_VISIBLE_TO + 1)
    ]
    doc = error(env.raw("POST", f"v1/index/{index_id}/ingest", owner, json=many))
    assert str(MAX_VISIBLE_TO) in doc["message"]
    # nothing of it was stored: every search still answers
    assert search(env, None, index_id, {"q": "*"}).json()["total"] == 0


def test_ingest_size_counts_the_bytes_sent(
    env: SearchEnv, owner: User, index_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writes, "MAX_INGEST_BYTES", 2000)
    # small once parsed, large as sent, and without a Content-Length header (chunked)
    body = json.dumps(entry({"x": 1})).replace(",", "," + " " * 1000).encode()
    resp = ingest_raw(env, owner, index_id, iter([body]))
    assert error(resp, 413)["code"] == "RequestTooLarge"
    assert "2000 bytes" in resp.json()["message"]


# -- 2. query length and terms -------------------------------------------------------------------


def test_query_length_and_term_limits(env: SearchEnv, owner: User, index_id: str) -> None:
    env.ingest(owner, index_id, [{"subject": "a", "content": {"t": "w1 w2"}}])
    words = [f"w{i}" for i in range(500_000)]
    started = time.monotonic()
    doc = error(search(env, None, index_id, {"q": " ".join(words)}))
    assert time.monotonic() - started < 10
    assert f"at most {MAX_QUERY_CHARS}" in doc["message"] and doc["code"].startswith("BadRequest")
    error(
        env.raw(
            "GET", f"v1/index/{index_id}/search", None, params={"q": "x" * (MAX_QUERY_CHARS + 1)}
        )
    )

    for q, advanced in (
        (" ".join(words[: MAX_QUERY_TERMS + 1]), False),
        (" OR ".join(words[: MAX_QUERY_TERMS + 1]), False),
        (" OR ".join(words[: MAX_QUERY_TERMS + 1]), True),
        (" AND ".join(f"t:>{i}" for i in range(MAX_QUERY_TERMS + 1)), True),
    ):
        doc = error(search(env, None, index_id, {"q": q, "advanced": advanced}))
        assert f"more than {MAX_QUERY_TERMS} terms" in doc["message"]
    # at the limit: answered
    for q in (" ".join(words[:MAX_QUERY_TERMS]), " OR ".join(words[:MAX_QUERY_TERMS])):
        assert search(env, None, index_id, {"q": q}).status_code == 200


# -- 3. nesting in the advanced syntax ---------------------------------------------------------


def test_deep_parentheses_are_a_400(env: SearchEnv, owner: User, index_id: str) -> None:
    env.ingest(owner, index_id, [{"subject": "a", "content": {"t": "alpha", "n": 3}}])
    for depth in (5000, MAX_QUERY_DEPTH + 1):
        q = "(" * depth + "alpha" + ")" * depth
        doc = error(search(env, None, index_id, {"q": q, "advanced": True}))
        assert f"more than {MAX_QUERY_DEPTH} levels" in doc["message"]
    q = "(" * MAX_QUERY_DEPTH + "alpha" + ")" * MAX_QUERY_DEPTH
    assert subjects(search(env, None, index_id, {"q": q, "advanced": True}).json()) == ["a"]
    # prefix operators are read in a loop, not one recursion each
    q = "NOT " * 5001 + "beta"
    assert subjects(search(env, None, index_id, {"q": q, "advanced": True}).json()) == ["a"]
    # the deepest query allowed, mixing ranges, words and exclusions, runs
    q = "alpha"
    for i in range(MAX_QUERY_DEPTH):  # one parenthesis each
        q = f"(n:>{i} OR w{i} -{q})" if i % 2 else f"(-n:<{i} AND NOT {q})"
    assert search(env, None, index_id, {"q": q, "advanced": True}).status_code == 200
    # a conjunction without words compiles (it used to recurse on itself)
    resp = search(env, None, index_id, {"q": "n:>1 AND -t:beta", "advanced": True})
    assert subjects(resp.json()) == ["a"]


# -- 4. facets and their buckets ---------------------------------------------------------------


def test_histogram_bucket_limits(
    env: SearchEnv, owner: User, index_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.ingest(
        owner,
        index_id,
        [
            {"subject": f"s{i}", "content": {"d": f"20{10 + i}-01-02T03:04:05Z", "n": 1e308}}
            for i in range(5)
        ],
    )

    def facet(**kw: t.Any) -> requests.Response:
        return search(env, None, index_id, {"q": "*", "facets": [{"field_name": "d", **kw}]})

    doc = error(
        facet(
            type="date_histogram",
            date_interval="second",
            histogram_range={"low": "0001-01-01", "high": "9999-12-31"},
        )
    )
    assert f"more than {MAX_BUCKETS} buckets" in doc["message"]
    for rng in ({"low": "0001", "high": "9999-13-01"}, {"low": "someday"}):
        error(facet(type="date_histogram", date_interval="year", histogram_range=rng))
    ok = facet(
        type="date_histogram",
        date_interval="day",
        histogram_range={"low": "0001-01-01", "high": "0020-01-01"},
    )
    assert ok.status_code == 200  # 19 years of days: within the limit
    years = facet(
        type="date_histogram",
        date_interval="year",
        histogram_range={"low": "2000", "high": "9999"},
    )
    assert len(years.json()["facet_results"][0]["buckets"]) == 5

    # without a range, the buckets the data makes are counted as they come
    monkeypatch.setattr(engine, "MAX_BUCKETS", 3)
    doc = error(facet(type="date_histogram", date_interval="second"))
    assert "more than 3 buckets" in doc["message"]
    monkeypatch.undo()

    for rng in ({"low": -1e308, "high": 1e308}, {"low": 0, "high": 5e-324}):
        error(facet(type="numeric_histogram", size=10, histogram_range=rng))
    raw = (
        '{"q": "*", "facets": [{"type": "numeric_histogram", "field_name": "n", '
        '"histogram_range": {"low": 0, "high": ' + "9" * 400 + "}}]}"
    )
    env_resp = env.raw("POST", f"v1/index/{index_id}/search", None, data=raw, headers=dict(JSON))
    assert "out of range" in error(env_resp)["message"]
    error(facet(type="numeric_histogram", size=1001, histogram_range={"low": 0, "high": 1}))
    many = [{"type": "terms", "field_name": "d", "size": 1000}] * (MAX_BUCKETS // 1000 + 1)
    assert (
        f"more than {MAX_BUCKETS}"
        in error(search(env, None, index_id, {"q": "*", "facets": many}))["message"]
    )

    # sums past a float's range are null, not an overflow
    resp = search(
        env,
        None,
        index_id,
        {
            "q": "*",
            "facets": [{"type": "sum", "field_name": "n"}, {"type": "avg", "field_name": "n"}],
        },
    )
    assert resp.status_code == 200, resp.text
    assert [f["value"] for f in resp.json()["facet_results"]] == [None, None]
    resp = search(
        env,
        None,
        index_id,
        {"q": "*", "facets": [{"type": "sum", "field_name": "nothing", "missing": 1e308}]},
    )
    assert resp.status_code == 200 and resp.json()["facet_results"][0]["value"] is None


# -- 5. range bounds ---------------------------------------------------------------------------


def test_absurd_range_bounds_are_a_400(env: SearchEnv, owner: User, index_id: str) -> None:
    env.ingest(owner, index_id, [{"subject": "a", "content": {"x": 5, "d": "2020-05-06"}}])

    def ranged(bound: t.Any, key: str = "from", field: str = "x") -> requests.Response:
        rng = {"type": "range", "field_name": field, "values": [{key: bound}]}
        return search(env, None, index_id, {"filters": [rng]})

    for bound in (
        int("9" * 400),
        "9" * 400,
        "inf",
        "-Infinity",
        "nan",
        "1e999",
        "2020-13-45",
        "0001-01-01T00:00:00+01:00",
    ):
        doc = error(ranged(bound))
        assert "range bound" in doc["message"] or "out of range" in doc["message"], bound
    raw = '{"filters": [{"type": "range", "field_name": "x", "values": [{"lt": NaN}]}]}'
    error(env.raw("POST", f"v1/index/{index_id}/search", None, data=raw, headers=dict(JSON)))
    for q in ("x:[1 TO " + "9" * 400 + "]", "x:>inf", "d:<2020-99-99", "x:{nan TO *}"):
        doc = error(search(env, None, index_id, {"q": q, "advanced": True}))
        assert "range bound" in doc["message"], q

    # the ends of the calendar are fine
    assert subjects(ranged("9999-12-31", "lte", "d").json()) == ["a"]
    assert subjects(ranged("0001", "gte", "d").json()) == ["a"]
    resp = search(env, None, index_id, {"q": "d:[0001 TO 9999-12-31]", "advanced": True})
    assert subjects(resp.json()) == ["a"]
    assert subjects(ranged(1e308, "lt").json()) == ["a"]


# -- everything else the routes take -----------------------------------------------------------


def test_filters_and_lists_are_bounded(env: SearchEnv, owner: User, index_id: str) -> None:
    env.ingest(owner, index_id, [{"subject": "a", "content": {"x": 1, "t": "v"}}])

    def nest(levels: int) -> dict[str, t.Any]:
        """An exists filter under ``levels - 1`` nots."""
        f: dict[str, t.Any] = {"type": "exists", "field_name": "x"}
        for _ in range(levels - 1):
            f = {"type": "not", "filter": f}
        return f

    assert (
        "too deeply nested"
        in error(search(env, None, index_id, {"filters": [nest(900)]}))["message"]
    )
    doc = error(search(env, None, index_id, {"filters": [nest(MAX_FILTER_DEPTH + 1)]}))
    assert f"more than {MAX_FILTER_DEPTH} levels" in doc["message"]
    resp = search(env, None, index_id, {"filters": [nest(MAX_FILTER_DEPTH + 1 - 2)]})
    assert subjects(resp.json()) == ["a"]
    for body in (
        {"filters": [{"type": "match_all", "field_name": "t", "values": ["v"] * 2000}]},
        {"filters": [{"type": "match_any", "field_name": "t", "values": ["v"] * 40_000}]},
        {"filters": [{"type": "like", "field_name": "t", "value": "v" * 60_000}]},
        {"filters": [{"type": "match_any", "field_name": "t", "values": ["v\u0000"]}]},
        {"filters": [{"type": "exists", "field_name": "t\u0000"}]},
        {"q": "*", "facets": [{"field_name": "t"}] * 51},
        {"q": "*", "sort": [{"field_name": "t"}] * 11},
        {"q": "*", "boosts": [{"field_name": "t", "factor": 2}] * 51},
        {"q": "*", "facets": [{"field_name": "t", "name": {"a": 1}}]},
        {"q": "*", "limit": 10**400},
        {"q": "*", "offset": -1},
        {"q": ["*"]},
        {"q": "*", "advanced": {"yes": True}},
        [{"q": "*"}],
        "q=*",
        None,
        5,
    ):
        error(search(env, None, index_id, body))
    raw = '{"q": "*", "facets": [{"field_name": "t", "name": NaN}]}'
    error(env.raw("POST", f"v1/index/{index_id}/search", None, data=raw, headers=dict(JSON)))
    # a match_all as long as allowed compiles (a flat AND that long is too deep for SQLite)
    values = ["v"] * 1000
    resp = search(
        env,
        None,
        index_id,
        {"filters": [{"type": "match_all", "field_name": "t", "values": values}]},
    )
    assert subjects(resp.json()) == ["a"]
    q = " AND ".join(f"x:>{-i}" for i in range(1, MAX_QUERY_TERMS))
    assert subjects(search(env, None, index_id, {"q": q, "advanced": True}).json()) == ["a"]


def test_other_routes_refuse_bad_input(env: SearchEnv, owner: User, index_id: str) -> None:
    for path in ("ingest", "delete_by_query", "batch_delete_by_subject", "entry"):
        for body in ([1, 2], "x", 5, None):
            resp = env.raw("POST", f"v1/index/{index_id}/{path}", owner, json=body)
            assert 400 <= resp.status_code < 500 and resp.json()["@datatype"] == "GError", path
    body = {"q": "(" * 5000 + "a", "advanced": True}
    error(env.raw("POST", f"v1/index/{index_id}/delete_by_query", owner, json=body))
    resp = env.raw(
        "POST",
        f"v1/index/{index_id}/batch_delete_by_subject",
        owner,
        json={"subjects": [str(i) for i in range(MAX_DELETE_SUBJECTS + 1)]},
    )
    assert str(MAX_DELETE_SUBJECTS) in error(resp)["message"]
    resp = env.raw(
        "POST", f"v1/index/{index_id}/batch_delete_by_subject", owner, json={"subjects": ["\u0000"]}
    )
    error(resp)
    for method in ("GET", "DELETE"):
        for params in ({"subject": "a\u0000"}, {"subject": "a", "entry_id": "\u0000"}):
            what = "subject" if "entry_id" not in params else "entry"
            error(env.raw(method, f"v1/index/{index_id}/{what}", owner, params=params))
    error(env.raw("GET", "v1/index/a%00b/search", None, params={"q": "x"}), 404)
    error(env.raw("GET", "v1/task/a%00b", owner), 404)
    error(env.raw("DELETE", f"v1/index/{index_id}/role/a%00b", owner), 404)


def test_queries_stop_at_the_deadline(
    env: SearchEnv, owner: User, index_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.ingest(owner, index_id, [{"subject": f"s{i}", "content": {"x": i}} for i in range(300)])
    heavy = {"q": " AND ".join(["_exists_:x"] * MAX_QUERY_TERMS), "advanced": True}
    monkeypatch.setattr(deadline, "MAX_QUERY_SECONDS", 0.001)
    started = time.monotonic()
    doc = error(search(env, None, index_id, heavy), 504)
    assert time.monotonic() - started < 10
    assert doc["code"] == "GatewayTimeout" and "0.001 seconds" in doc["message"]
    monkeypatch.undo()
    # the connection is left as it was: later searches run in full
    assert search(env, None, index_id, {"q": "*", "limit": 1}).json()["total"] == 300
