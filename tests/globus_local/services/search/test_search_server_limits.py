"""Hostile input over HTTP on both backends: every bad request is a 4xx GError, never a 500.

Each test sends what a tester found (or what the same reading of the routes turned up) and
checks the answer is Search's own error document with a 4xx status and a clear message,
and that whatever was accepted can still be served back.
"""

from __future__ import annotations

import json
import typing as t

import pytest
import requests

from globus_local.services.search import routes
from globus_local.services.search.limits import MAX_FIELD_DEPTH, MAX_JSON_DEPTH, MAX_VISIBLE_TO
from tests.globus_local.services.search.conftest import SearchEnv, User, subjects

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
    monkeypatch.setattr(routes, "MAX_INGEST_BYTES", 2000)
    # small once parsed, large as sent, and without a Content-Length header (chunked)
    body = json.dumps(entry({"x": 1})).replace(",", "," + " " * 1000).encode()
    resp = ingest_raw(env, owner, index_id, iter([body]))
    assert error(resp, 413)["code"] == "RequestTooLarge"
    assert "2000 bytes" in resp.json()["message"]
