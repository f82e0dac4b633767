"""SearchClient requests, SearchQuery documents and SearchAPIError, against a scripted server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import globus_sdk
from globus_sdk.services.search.data import SearchQuery
from tests.support.http_stub import HTTPStub, StubResponse

INDEX = "6f1f7b6e-3d33-4bd0-a7a4-ff8d4e7e9f3a"


@pytest.fixture
def sc(http_stub: HTTPStub) -> globus_sdk.SearchClient:
    return globus_sdk.SearchClient(
        base_url=http_stub.url, authorizer=globus_sdk.AccessTokenAuthorizer("tok")
    )


def test_service_url_and_scopes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_SEARCH", "http://127.0.0.1:9/search/")
    assert globus_sdk.SearchClient().base_url == "http://127.0.0.1:9/search/"
    monkeypatch.delenv("GLOBUS_SDK_SERVICE_URL_SEARCH")
    assert globus_sdk.SearchClient().base_url == "https://search.api.globus.org/"
    assert globus_sdk.SearchClient.scopes is globus_sdk.scopes.SearchScopes
    assert globus_sdk.SearchClient.resource_server is not None


def test_method_paths_and_parameters(http_stub: HTTPStub, sc: globus_sdk.SearchClient) -> None:
    http_stub.route("GET", f"/v1/index/{INDEX}", lambda r: StubResponse(200, {"id": INDEX}))
    for method, path in [
        ("GET", f"/v1/index/{INDEX}/search"),
        ("POST", f"/v1/index/{INDEX}/search"),
        ("POST", f"/v1/index/{INDEX}/ingest"),
        ("POST", f"/v1/index/{INDEX}/delete_by_query"),
        ("GET", f"/v1/index/{INDEX}/subject"),
        ("DELETE", f"/v1/index/{INDEX}/subject"),
        ("GET", f"/v1/index/{INDEX}/entry"),
        ("POST", f"/v1/index/{INDEX}/entry"),
        ("PUT", f"/v1/index/{INDEX}/entry"),
        ("DELETE", f"/v1/index/{INDEX}/entry"),
        ("GET", "/v1/task/t1"),
        ("GET", f"/v1/task_list/{INDEX}"),
    ]:
        http_stub.add(method, path, body={"ok": True})
    entry = {"subject": "s", "visible_to": ["public"], "content": {}}
    assert sc.get_index(INDEX)["id"] == INDEX
    sc.search(INDEX, "query string")
    sc.search(INDEX, 'author: "Ada"', advanced=True, offset=5, limit=20, query_params={"x": "y"})
    sc.post_search(INDEX, SearchQuery("q"))
    sc.ingest(INDEX, {"ingest_type": "GMetaEntry", "ingest_data": entry})
    sc.delete_by_query(INDEX, {"q": "x"})
    sc.get_subject(INDEX, "http://example.com/abc")
    sc.delete_subject(INDEX, "http://example.com/abc")
    sc.get_entry(INDEX, "s")
    sc.get_entry(INDEX, "s", entry_id="foo/bar")
    sc.create_entry(INDEX, entry)
    sc.update_entry(INDEX, entry)
    sc.delete_entry(INDEX, "s", entry_id="e")
    sc.get_task("t1")
    sc.get_task_list(INDEX)

    reqs = http_stub.requests
    assert all(r.headers["Authorization"] == "Bearer tok" for r in reqs)
    search1, search2 = reqs[1], reqs[2]
    assert search1.query == {
        "q": ["query string"],
        "offset": ["0"],
        "limit": ["10"],
        "advanced": ["False"],
    }
    assert search2.query == {
        "q": ['author: "Ada"'],
        "offset": ["5"],
        "limit": ["20"],
        "advanced": ["True"],
        "x": ["y"],
    }
    assert reqs[3].json == {"q": "q"}
    assert reqs[4].json["ingest_data"] == entry
    assert reqs[6].query == {"subject": ["http://example.com/abc"]}
    assert reqs[7].method == "DELETE"
    assert reqs[8].query == {"subject": ["s"]}
    assert reqs[9].query == {"subject": ["s"], "entry_id": ["foo/bar"]}
    assert (reqs[10].method, reqs[11].method) == ("POST", "PUT")
    assert reqs[12].query == {"subject": ["s"], "entry_id": ["e"]}


def test_paginated_search(http_stub: HTTPStub, sc: globus_sdk.SearchClient) -> None:
    def page(req):  # type: ignore[no-untyped-def]
        offset, limit = int(req.query["offset"][0]), int(req.query["limit"][0])
        gmeta = [{"subject": str(i)} for i in range(offset, min(offset + limit, 250))]
        return StubResponse(
            200,
            {
                "total": 250,
                "count": len(gmeta),
                "gmeta": gmeta,
                "has_next_page": offset + len(gmeta) < 250,
            },
        )

    http_stub.route("GET", f"/v1/index/{INDEX}/search", page)
    items = list(sc.paginated.search(INDEX, "q").items())
    assert [i["subject"] for i in items] == [str(i) for i in range(250)]
    assert [r.query["limit"][0] for r in http_stub.requests] == ["100", "100", "100"]
    assert [r.query["offset"][0] for r in http_stub.requests] == ["0", "100", "200"]


def test_search_api_error(http_stub: HTTPStub, sc: globus_sdk.SearchClient) -> None:
    http_stub.add(
        "POST",
        f"/v1/index/{INDEX}/ingest",
        status=400,
        body={
            "@datatype": "GError",
            "code": "BadRequest.ValidationError",
            "message": "Missing data for required field.",
            "detail": "not the message",
            "request_id": "abc",
            "status": 400,
            "error_data": {"messages": {"json": {"ingest_data.visible_to": ["Missing"]}}},
        },
    )
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.ingest(INDEX, {})
    e = err.value
    assert isinstance(e, globus_sdk.GlobusAPIError)
    assert (e.http_status, e.code, e.message) == (
        400,
        "BadRequest.ValidationError",
        "Missing data for required field.",
    )
    assert e.error_data == {"messages": {"json": {"ingest_data.visible_to": ["Missing"]}}}
    assert globus_sdk.SearchAPIError.MESSAGE_FIELDS == ["message"]

    http_stub.add(
        "GET",
        f"/v1/index/{INDEX}",
        status=404,
        body={"code": "NotFound.NoSuchIndex", "detail": "x"},
    )
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.get_index(INDEX)
    assert err.value.error_data is None and err.value.code == "NotFound.NoSuchIndex"
    assert err.value.message != "x"  # only "message" is read


def test_search_query_builder() -> None:
    query = (
        SearchQuery(q="example query", additional_fields={"@datatype": "GSearchRequest"})
        .set_limit(100)
        .set_offset(10)
        .add_filter("path.to.field1", ["foo", "bar"])
        .add_filter(
            "n", [{"from": 1, "to": 2}], type="range", additional_fields={"post_filter": False}
        )
        .add_facet("Pub", "path.to.date", type="date_histogram", date_interval="year")
        .add_facet("sizes", "size", type="numeric_histogram", size=5, histogram_range=(0, 100))
        .add_boost("title", 5)
        .add_sort("path.to.date", order="asc")
        .add_sort("title")
    )
    assert isinstance(query.data, dict) and isinstance(query, globus_sdk.utils.PayloadWrapper)
    assert query == {
        "@datatype": "GSearchRequest",
        "q": "example query",
        "limit": 100,
        "offset": 10,
        "filters": [
            {"type": "match_all", "field_name": "path.to.field1", "values": ["foo", "bar"]},
            {
                "type": "range",
                "field_name": "n",
                "values": [{"from": 1, "to": 2}],
                "post_filter": False,
            },
        ],
        "facets": [
            {
                "name": "Pub",
                "field_name": "path.to.date",
                "type": "date_histogram",
                "date_interval": "year",
            },
            {
                "name": "sizes",
                "field_name": "size",
                "type": "numeric_histogram",
                "size": 5,
                "histogram_range": {"low": 0, "high": 100},
            },
        ],
        "boosts": [{"field_name": "title", "factor": 5}],
        "sort": [{"field_name": "path.to.date", "order": "asc"}, {"field_name": "title"}],
    }
    assert SearchQuery() == {}
    assert SearchQuery("x", limit=1, offset=2, advanced=True) == {
        "q": "x",
        "limit": 1,
        "offset": 2,
        "advanced": True,
    }
    assert SearchQuery().set_query("a").set_advanced(False) == {"q": "a", "advanced": False}


def test_api_surface_matches() -> None:
    tool = Path("/work/shared/tools/check_api_surface.py")
    if not tool.exists():
        pytest.skip("api surface tool not available")
    out = subprocess.run(
        [sys.executable, str(tool), "--prefix", "globus_sdk.Search"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
