from __future__ import annotations

import json

import pytest
import requests

from globus_sdk.response import GlobusHTTPResponse, IterableResponse
from tests.support.http_stub import HTTPStub, StubResponse


def _fetch(stub: HTTPStub, resp: StubResponse) -> requests.Response:
    stub.add("GET", "/r", resp)
    return requests.get(stub.url + "r", timeout=10)


def test_dict_response(http_stub: HTTPStub) -> None:
    raw = _fetch(http_stub, StubResponse(200, {"id": "abc", "n": None}, {"X-Req": "7"}))
    r = GlobusHTTPResponse(raw)
    assert r.data == {"id": "abc", "n": None}
    assert r["id"] == "abc"
    assert r.get("id") == "abc"
    assert r.get("missing") is None
    assert r.get("missing", 5) == 5
    assert "id" in r and "missing" not in r
    assert r.http_status == 200
    assert r.headers["x-req"] == "7" and r.headers["X-REQ"] == "7"
    assert r.content_type == "application/json"
    assert json.loads(r.text) == r.data
    assert r.client is None
    with pytest.raises(KeyError):
        r["missing"]


def test_non_json_response(http_stub: HTTPStub) -> None:
    r = GlobusHTTPResponse(_fetch(http_stub, StubResponse(200, "plain words")))
    assert r.data is None
    assert r.text == "plain words"
    assert r.get("x", "d") == "d"
    assert "x" not in r
    assert str(r) == "plain words"
    with pytest.raises(TypeError):
        r["x"]


def test_empty_body(http_stub: HTTPStub) -> None:
    r = GlobusHTTPResponse(_fetch(http_stub, StubResponse(204, b"")))
    assert r.data is None
    assert r.http_status == 204
    assert r.text == ""


def test_list_response(http_stub: HTTPStub) -> None:
    r = GlobusHTTPResponse(_fetch(http_stub, StubResponse(200, [1, 2])))
    assert r.data == [1, 2]
    assert r.get("a") is None
    assert 1 not in r
    assert r[1] == 2
    assert list(r) == [1, 2]  # a JSON-array body iterates like the real SDK's responses
    with pytest.raises(TypeError):
        r["a"]


def test_str_and_repr(http_stub: HTTPStub) -> None:
    r = GlobusHTTPResponse(_fetch(http_stub, StubResponse(200, {"a": 1})))
    assert json.loads(str(r)) == {"a": 1}
    assert "200" in repr(r) and "GlobusHTTPResponse" in repr(r)


def test_rewrapping_keeps_raw_response_and_client(http_stub: HTTPStub) -> None:
    client = object()
    inner = GlobusHTTPResponse(_fetch(http_stub, StubResponse(200, {"a": 1})), client=client)  # type: ignore[arg-type]

    class Special(GlobusHTTPResponse):
        @property
        def a(self) -> int:
            return self["a"]

    outer = Special(inner)
    assert outer.a == 1
    assert outer.client is client
    assert outer._raw_response is inner._raw_response
    other = object()
    assert Special(inner, client=other).client is other  # type: ignore[arg-type]


def test_response_is_read_only(http_stub: HTTPStub) -> None:
    r = GlobusHTTPResponse(_fetch(http_stub, StubResponse(200, {"a": 1})))
    with pytest.raises(TypeError):
        r["a"] = 2  # type: ignore[index]


def test_iterable_response(http_stub: HTTPStub) -> None:
    class Items(IterableResponse):
        default_iter_key = "DATA"

    raw = _fetch(http_stub, StubResponse(200, {"DATA": [{"x": 1}, {"x": 2}], "other": [{"y": 1}]}))
    assert [d["x"] for d in Items(raw)] == [1, 2]
    assert list(Items(raw, iter_key="other")) == [{"y": 1}]
    assert list(Items(raw, iter_key="absent")) == []
    with pytest.raises(ValueError):
        IterableResponse(raw)
    assert list(IterableResponse(raw, iter_key="DATA")) == [{"x": 1}, {"x": 2}]


def test_iterable_response_needs_dict(http_stub: HTTPStub) -> None:
    raw = _fetch(http_stub, StubResponse(200, "not json"))
    with pytest.raises(TypeError):
        iter(IterableResponse(raw, iter_key="DATA"))
