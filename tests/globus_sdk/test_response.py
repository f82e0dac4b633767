"""GlobusHTTPResponse and IterableResponse over real HTTP answers from a scripted server."""

from __future__ import annotations

import json

import pytest
import requests

from globus_sdk import BaseClient
from globus_sdk.response import GlobusHTTPResponse, IterableResponse
from tests.support.http_stub import HTTPStub, StubResponse


class StubClient(BaseClient):
    service_name = "stub"


@pytest.fixture
def client(http_stub: HTTPStub) -> StubClient:
    return StubClient(base_url=http_stub.url)


def _fetch(stub: HTTPStub, resp: StubResponse) -> requests.Response:
    stub.add("GET", "/r", resp)
    return requests.get(stub.url + "r", timeout=10)


def _wrap(stub: HTTPStub, client: StubClient, resp: StubResponse) -> GlobusHTTPResponse:
    return GlobusHTTPResponse(_fetch(stub, resp), client)


def test_dict_response(http_stub: HTTPStub, client: StubClient) -> None:
    r = _wrap(http_stub, client, StubResponse(200, {"id": "abc", "n": None}, {"X-Req": "7"}))
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
    assert r.client is client
    with pytest.raises(KeyError):
        r["missing"]


def test_non_json_response(http_stub: HTTPStub, client: StubClient) -> None:
    r = _wrap(http_stub, client, StubResponse(200, "plain words"))
    assert r.data is None
    assert r.text == "plain words"
    assert r.get("x", "d") == "d"
    assert "x" not in r
    assert str(r) == "plain words"
    with pytest.raises(
        ValueError, match=r"^This type of response data does not support indexing\.$"
    ):
        r["x"]


def test_scalar_json_cannot_be_indexed(http_stub: HTTPStub, client: StubClient) -> None:
    r = _wrap(http_stub, client, StubResponse(200, b"42", {"Content-Type": "application/json"}))
    assert r.data == 42
    with pytest.raises(ValueError, match="does not support indexing"):
        r[0]


def test_empty_body(http_stub: HTTPStub, client: StubClient) -> None:
    r = _wrap(http_stub, client, StubResponse(204, b""))
    assert r.data is None
    assert r.http_status == 204
    assert r.text == ""
    assert r.get("a") is None


def test_list_response(http_stub: HTTPStub, client: StubClient) -> None:
    r = _wrap(http_stub, client, StubResponse(200, ["v", 2]))
    assert r.data == ["v", 2]
    # membership is membership in the data, whatever its type
    assert "v" in r and 2 in r
    assert "w" not in r
    assert r[1] == 2
    assert list(r) == ["v", 2]  # item access makes a JSON-array body iterable
    # get() is data.get(): a list has none
    with pytest.raises(AttributeError):
        r.get("a")
    with pytest.raises(ValueError, match="does not support indexing"):
        r["a"]


def test_string_data_membership(http_stub: HTTPStub, client: StubClient) -> None:
    r = _wrap(
        http_stub,
        client,
        StubResponse(200, b'"needle in hay"', {"Content-Type": "application/json"}),
    )
    assert "needle" in r
    assert "pin" not in r


def test_str_and_repr(http_stub: HTTPStub, client: StubClient) -> None:
    r = _wrap(http_stub, client, StubResponse(200, {"a": 1}))
    assert json.loads(str(r)) == {"a": 1}
    assert repr(r) == 'GlobusHTTPResponse({"a": 1})'


def test_a_response_always_has_a_client(http_stub: HTTPStub) -> None:
    raw = _fetch(http_stub, StubResponse(200, {"a": 1}))
    with pytest.raises(ValueError, match="Missing client"):
        GlobusHTTPResponse(raw)
    with pytest.raises(ValueError, match="Missing client"):
        GlobusHTTPResponse(raw, None)


def test_rewrapping_keeps_raw_response_and_client(http_stub: HTTPStub, client: StubClient) -> None:
    inner = _wrap(http_stub, client, StubResponse(200, {"a": 1}))

    class Special(GlobusHTTPResponse):
        @property
        def a(self) -> int:
            return self["a"]

    outer = Special(inner)
    assert outer.a == 1
    assert outer.client is client
    assert outer._raw_response is inner._raw_response
    assert outer.http_status == 200 and outer.text == inner.text
    # and wrapping once more still reaches the HTTP response
    assert Special(outer)._raw_response is inner._raw_response


def test_rewrapping_refuses_a_second_client(http_stub: HTTPStub, client: StubClient) -> None:
    inner = _wrap(http_stub, client, StubResponse(200, {"a": 1}))
    with pytest.raises(ValueError, match="Redundant client"):
        GlobusHTTPResponse(inner, client)
    with pytest.raises(ValueError, match="Redundant client"):
        GlobusHTTPResponse(inner, StubClient(base_url=http_stub.url))


def test_client_methods_return_responses_with_the_client(
    http_stub: HTTPStub, client: StubClient
) -> None:
    http_stub.add("GET", "/r", body={"a": 1})
    r = client.get("r")
    assert type(r) is GlobusHTTPResponse
    assert r.client is client and r["a"] == 1


def test_response_is_read_only(http_stub: HTTPStub, client: StubClient) -> None:
    r = _wrap(http_stub, client, StubResponse(200, {"a": 1}))
    with pytest.raises(TypeError):
        r["a"] = 2  # type: ignore[index]


def test_iterable_response(http_stub: HTTPStub, client: StubClient) -> None:
    class Items(IterableResponse):
        default_iter_key = "DATA"

    raw = _fetch(http_stub, StubResponse(200, {"DATA": [{"x": 1}, {"x": 2}], "other": [{"y": 1}]}))
    assert [d["x"] for d in Items(raw, client)] == [1, 2]
    assert list(Items(raw, client, iter_key="other")) == [{"y": 1}]
    assert Items(raw, client, iter_key="other").iter_key == "other"
    assert list(Items(raw, client, iter_key="absent")) == []
    assert list(Items(Items(raw, client))) == [{"x": 1}, {"x": 2}]


def test_iterable_response_needs_a_default_iter_key(
    http_stub: HTTPStub, client: StubClient
) -> None:
    raw = _fetch(http_stub, StubResponse(200, {"DATA": [1]}))
    # the base class declares no default: it cannot be built, even given an iter_key
    with pytest.raises(TypeError, match="default"):
        IterableResponse(raw, client)
    with pytest.raises(TypeError, match="default"):
        IterableResponse(raw, client, iter_key="DATA")


def test_iterable_response_needs_dict(http_stub: HTTPStub, client: StubClient) -> None:
    class Items(IterableResponse):
        default_iter_key = "DATA"

    raw = _fetch(http_stub, StubResponse(200, "not json"))
    with pytest.raises(TypeError):
        iter(Items(raw, client))
