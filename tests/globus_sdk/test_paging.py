"""Every paginator style, driven over real HTTP against a stub that honours paging params.

Each responder serves a list of items in pages the way the corresponding service does
(rest-api.md §0.4), so the tests check that every item arrives exactly once, in order,
with the expected number of requests and paging parameters.
"""

from __future__ import annotations

import typing as t

import pytest

from globus_sdk import BaseClient, GlobusAPIError, GlobusHTTPResponse, GlobusSDKUsageError
from globus_sdk.paging import (
    HasNextPaginator,
    LastKeyPaginator,
    LimitOffsetTotalPaginator,
    MarkerPaginator,
    NextTokenPaginator,
    Paginator,
    PaginatorTable,
    has_paginator,
)
from tests.support.http_stub import HTTPStub, RecordedRequest, StubResponse

ITEMS = [{"id": f"item-{n}"} for n in range(10)]


def _q(req: RecordedRequest, name: str) -> str | None:
    values = req.query.get(name)
    return values[0] if values else None


def _ids(items: t.Iterable[t.Any]) -> list[str]:
    return [item["id"] for item in items]


class PagingClient(BaseClient):
    """A client whose methods cover each paginator and each way of taking paging params."""

    service_name = "paging_test"

    @has_paginator(HasNextPaginator, items_key="DATA", page_size=3, max_total_results=1000)
    def search(
        self,
        q: str,
        *,
        limit: int | None = None,
        offset: int | None = None,
        query_params: dict[str, t.Any] | None = None,
    ) -> GlobusHTTPResponse:
        params = {"q": q, "limit": limit, "offset": offset, **(query_params or {})}
        return self.get("/search", query_params=_drop_none(params))

    @has_paginator(
        HasNextPaginator,
        items_key="DATA",
        get_page_size=lambda page: page["count"],
        page_size=4,
        max_total_results=6,
    )
    def capped_search(self, *, query_params: dict[str, t.Any] | None = None) -> GlobusHTTPResponse:
        return self.get("/search", query_params=query_params)

    @has_paginator(LimitOffsetTotalPaginator, items_key="DATA", page_size=3, max_total_results=1000)
    def task_list(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        filter: str | None = None,
    ) -> GlobusHTTPResponse:
        params = {"limit": limit, "offset": offset, "filter": filter}
        return self.get("/task_list", query_params=_drop_none(params))

    @has_paginator(MarkerPaginator, items_key="data")
    def list_things(
        self, *, marker: str | None = None, query_params: dict[str, t.Any] | None = None
    ) -> GlobusHTTPResponse:
        params = {"marker": marker, **(query_params or {})}
        return self.get("/things", query_params=_drop_none(params))

    @has_paginator(MarkerPaginator, items_key="DATA", marker_key="next_marker")
    def task_successful_transfers(
        self, task_id: str, *, query_params: dict[str, t.Any] | None = None
    ) -> GlobusHTTPResponse:
        return self.get(f"/task/{task_id}/successful_transfers", query_params=query_params)

    @has_paginator(LastKeyPaginator, items_key="DATA")
    def endpoint_manager_task_list(
        self, *, query_params: dict[str, t.Any] | None = None
    ) -> GlobusHTTPResponse:
        return self.get("/endpoint_manager/task_list", query_params=query_params)

    @has_paginator(NextTokenPaginator, items_key="shared_endpoints")
    def get_shared_endpoint_list(
        self,
        endpoint_id: str,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
        query_params: dict[str, t.Any] | None = None,
    ) -> GlobusHTTPResponse:
        params = {"max_results": max_results, "next_token": next_token, **(query_params or {})}
        return self.get(
            f"/endpoint/{endpoint_id}/shared_endpoint_list", query_params=_drop_none(params)
        )

    @has_paginator(NextTokenPaginator, items_key="shared_endpoints")
    def no_paging_params(self, endpoint_id: str) -> GlobusHTTPResponse:
        return self.get(f"/endpoint/{endpoint_id}/shared_endpoint_list")

    def not_paginated(self) -> GlobusHTTPResponse:
        return self.get("/things")


def _drop_none(params: dict[str, t.Any]) -> dict[str, t.Any]:
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture
def http_stub(module_http_stub: HTTPStub) -> HTTPStub:
    """The module's server; each test starts with no requests recorded and scripts the
    routes it uses."""
    module_http_stub.requests.clear()
    return module_http_stub


@pytest.fixture
def client(http_stub: HTTPStub) -> PagingClient:
    return PagingClient(base_url=http_stub.url)


# -- responders: each serves ITEMS the way its service pages ----------------------------


def has_next_responder(req: RecordedRequest) -> StubResponse:
    offset = int(_q(req, "offset") or 0)
    limit = int(_q(req, "limit") or 100)
    chunk = ITEMS[offset : offset + limit]
    return StubResponse(
        200,
        {
            "DATA": chunk,
            "count": len(chunk),
            "offset": offset,
            "limit": limit,
            "has_next_page": offset + limit < len(ITEMS),
        },
    )


def total_responder(req: RecordedRequest) -> StubResponse:
    offset = int(_q(req, "offset") or 0)
    limit = int(_q(req, "limit") or 100)
    return StubResponse(
        200, {"DATA": ITEMS[offset : offset + limit], "total": len(ITEMS), "offset": offset}
    )


def marker_responder(page_size: int = 3) -> t.Callable[[RecordedRequest], StubResponse]:
    """GCS-style: the marker is an opaque string; the last page has has_next_page false."""

    def respond(req: RecordedRequest) -> StubResponse:
        marker = _q(req, "marker")
        start = int(marker.removeprefix("m-")) if marker else 0
        end = start + page_size
        more = end < len(ITEMS)
        return StubResponse(
            200,
            {
                "data": ITEMS[start:end],
                "has_next_page": more,
                # GCS returns a (useless) marker even on the last page
                "marker": f"m-{end}" if more else f"m-{start}",
            },
        )

    return respond


def transfer_marker_responder(req: RecordedRequest) -> StubResponse:
    """Transfer-style: ``marker`` is the current position, ``next_marker`` null at the end."""
    marker = int(_q(req, "marker") or 0)
    end = marker + 4
    return StubResponse(
        200,
        {
            "DATA_TYPE": "successful_transfers",
            "marker": marker,
            "next_marker": end if end < len(ITEMS) else None,
            "DATA": ITEMS[marker:end],
        },
    )


def last_key_responder(req: RecordedRequest) -> StubResponse:
    last_key = _q(req, "last_key")
    start = int(last_key.split(",")[1]) if last_key else 0
    end = start + 3
    more = end < len(ITEMS)
    return StubResponse(
        200,
        {
            "DATA_TYPE": "task_list",
            "has_next_page": more,
            "last_key": f"complete,{end}" if more else None,
            "DATA": ITEMS[start:end],
        },
    )


def next_token_responder(req: RecordedRequest) -> StubResponse:
    token = _q(req, "next_token")
    size = int(_q(req, "max_results") or 3)
    start = int(token.removeprefix("tok")) if token else 0
    end = start + size
    return StubResponse(
        200,
        {
            "shared_endpoints": ITEMS[start:end],
            "next_token": f"tok{end}" if end < len(ITEMS) else None,
        },
    )


# -- HasNext ---------------------------------------------------------------------------


def test_has_next_items_via_keyword_params(http_stub: HTTPStub, client: PagingClient) -> None:
    http_stub.route("GET", "/search", has_next_responder)
    assert _ids(client.paginated.search("tutorial").items()) == _ids(ITEMS)
    reqs = http_stub.requests_to("/search")
    assert [_q(r, "offset") for r in reqs] == ["0", "3", "6", "9"]
    assert {_q(r, "limit") for r in reqs} == {"3"}
    assert {_q(r, "q") for r in reqs} == {"tutorial"}


def test_has_next_respects_max_total_results(http_stub: HTTPStub, client: PagingClient) -> None:
    http_stub.route("GET", "/search", has_next_responder)
    caller_params = {"q": "x"}
    pages = list(client.paginated.capped_search(query_params=caller_params))
    # page_size 4 capped by max_total_results 6: limit 4 at offset 0, limit 2 at offset 4
    reqs = http_stub.requests_to("/search")
    assert [(_q(r, "offset"), _q(r, "limit")) for r in reqs] == [("0", "4"), ("4", "2")]
    assert {_q(r, "q") for r in reqs} == {"x"}
    assert caller_params == {"q": "x"}  # the caller's dict is not mutated
    assert [item["id"] for page in pages for item in page["DATA"]] == _ids(ITEMS[:6])


def test_has_next_caller_limit_and_offset(http_stub: HTTPStub, client: PagingClient) -> None:
    http_stub.route("GET", "/search", has_next_responder)
    got = _ids(client.paginated.search("q", limit=4, offset=2).items())
    assert got == _ids(ITEMS[2:])
    reqs = http_stub.requests_to("/search")
    assert [(_q(r, "offset"), _q(r, "limit")) for r in reqs] == [("2", "4"), ("6", "4")]


def test_has_next_stops_when_page_has_no_has_next_page(
    http_stub: HTTPStub, client: PagingClient
) -> None:
    http_stub.add("GET", "/search", body={"DATA": ITEMS[:3]})
    assert _ids(client.paginated.search("q").items()) == _ids(ITEMS[:3])
    assert len(http_stub.requests_to("/search")) == 1


def test_has_next_stops_on_empty_page_despite_has_next(
    http_stub: HTTPStub, client: PagingClient
) -> None:
    http_stub.add("GET", "/search", body={"DATA": [], "has_next_page": True})
    assert list(client.paginated.search("q").items()) == []
    assert len(http_stub.requests_to("/search")) == 1


# -- LimitOffsetTotal ------------------------------------------------------------------


def test_limit_offset_total(http_stub: HTTPStub, client: PagingClient) -> None:
    http_stub.route("GET", "/task_list", total_responder)
    got = _ids(client.paginated.task_list(filter="status:ACTIVE").items())
    assert got == _ids(ITEMS)
    reqs = http_stub.requests_to("/task_list")
    assert [_q(r, "offset") for r in reqs] == ["0", "3", "6", "9"]
    assert {_q(r, "filter") for r in reqs} == {"status:ACTIVE"}


def test_limit_offset_total_max_total_results(http_stub: HTTPStub) -> None:
    http_stub.route("GET", "/task_list", total_responder)
    client = PagingClient(base_url=http_stub.url)
    paginator = LimitOffsetTotalPaginator(
        client.task_list,
        items_key="DATA",
        get_page_size=lambda page: len(page["DATA"]),
        max_total_results=5,
        page_size=3,
        client_args=[],
        client_kwargs={},
    )
    assert _ids(paginator.items()) == _ids(ITEMS[:5])
    reqs = http_stub.requests_to("/task_list")
    assert [(_q(r, "offset"), _q(r, "limit")) for r in reqs] == [("0", "3"), ("3", "2")]


# -- Marker ----------------------------------------------------------------------------


def test_marker_generic_style(http_stub: HTTPStub, client: PagingClient) -> None:
    http_stub.route("GET", "/things", marker_responder())
    pages = list(client.paginated.list_things(query_params={"include": "x"}))
    assert [item["id"] for page in pages for item in page["data"]] == _ids(ITEMS)
    reqs = http_stub.requests_to("/things")
    assert [_q(r, "marker") for r in reqs] == [None, "m-3", "m-6", "m-9"]
    assert {_q(r, "include") for r in reqs} == {"x"}


def test_marker_generic_stops_when_has_next_page_false(
    http_stub: HTTPStub, client: PagingClient
) -> None:
    http_stub.add("GET", "/things", body={"data": ITEMS[:2], "has_next_page": False, "marker": "z"})
    assert _ids(client.paginated.list_things().items()) == _ids(ITEMS[:2])
    assert len(http_stub.requests_to("/things")) == 1


def test_marker_stops_on_repeated_marker(http_stub: HTTPStub, client: PagingClient) -> None:
    http_stub.add("GET", "/things", body={"data": ITEMS[:1], "has_next_page": True, "marker": "a"})
    assert _ids(client.paginated.list_things(marker="a").items()) == _ids(ITEMS[:1])
    assert len(http_stub.requests_to("/things")) == 1


def test_marker_transfer_next_marker_via_query_params(
    http_stub: HTTPStub, client: PagingClient
) -> None:
    path = "/task/abc/successful_transfers"
    http_stub.route("GET", path, transfer_marker_responder)
    got = _ids(client.paginated.task_successful_transfers("abc").items())
    assert got == _ids(ITEMS)
    reqs = http_stub.requests_to(path)
    # the first request carries no marker; later ones send the previous next_marker
    assert [_q(r, "marker") for r in reqs] == [None, "4", "8"]


# -- LastKey ---------------------------------------------------------------------------


def test_last_key(http_stub: HTTPStub, client: PagingClient) -> None:
    path = "/endpoint_manager/task_list"
    http_stub.route("GET", path, last_key_responder)
    caller_params = {"filter_status": "ACTIVE"}
    got = _ids(client.paginated.endpoint_manager_task_list(query_params=caller_params).items())
    assert got == _ids(ITEMS)
    reqs = http_stub.requests_to(path)
    assert [_q(r, "last_key") for r in reqs] == [None, "complete,3", "complete,6", "complete,9"]
    assert {_q(r, "filter_status") for r in reqs} == {"ACTIVE"}
    assert caller_params == {"filter_status": "ACTIVE"}


# -- NextToken -------------------------------------------------------------------------


def test_next_token(http_stub: HTTPStub, client: PagingClient) -> None:
    path = "/endpoint/ep1/shared_endpoint_list"
    http_stub.route("GET", path, next_token_responder)
    got = _ids(client.paginated.get_shared_endpoint_list("ep1", max_results=4).items())
    assert got == _ids(ITEMS)
    reqs = http_stub.requests_to(path)
    assert [_q(r, "next_token") for r in reqs] == [None, "tok4", "tok8"]
    assert {_q(r, "max_results") for r in reqs} == {"4"}


# -- generic behaviour -----------------------------------------------------------------


def test_iterating_a_paginator_yields_pages(http_stub: HTTPStub, client: PagingClient) -> None:
    http_stub.route("GET", "/search", has_next_responder)
    paginator = client.paginated.search("q")
    assert isinstance(paginator, HasNextPaginator) and isinstance(paginator, Paginator)
    pages = list(paginator)
    assert len(pages) == 4
    assert all(isinstance(page, GlobusHTTPResponse) for page in pages)
    assert [page["offset"] for page in pages] == [0, 3, 6, 9]
    # pages() restarts from the beginning every time
    assert [page["offset"] for page in paginator.pages()] == [0, 3, 6, 9]
    assert len(http_stub.requests_to("/search")) == 8


def test_items_without_items_key_raises(client: PagingClient) -> None:
    paginator = MarkerPaginator(client.list_things, client_args=[], client_kwargs={})
    with pytest.raises(ValueError):
        next(paginator.items())


def test_error_mid_pagination_propagates(http_stub: HTTPStub, client: PagingClient) -> None:
    http_stub.add(
        "GET",
        "/things",
        StubResponse(200, {"data": ITEMS[:2], "has_next_page": True, "marker": "m-2"}),
        StubResponse(403, {"code": "permission_denied", "message": "nope"}),
    )
    items = client.paginated.list_things().items()
    assert _ids([next(items), next(items)]) == _ids(ITEMS[:2])
    with pytest.raises(GlobusAPIError) as excinfo:
        next(items)
    assert excinfo.value.code == "permission_denied"


def test_method_without_paging_params_is_a_usage_error(client: PagingClient) -> None:
    with pytest.raises(GlobusSDKUsageError):
        list(client.paginated.no_paging_params("ep1"))


def test_paginator_table(client: PagingClient) -> None:
    assert isinstance(client.paginated, PaginatorTable)
    with pytest.raises(AttributeError):
        client.paginated.not_paginated  # noqa: B018
    with pytest.raises(AttributeError):
        client.paginated.does_not_exist  # noqa: B018
    paginator = client.paginated.get_shared_endpoint_list("ep1", max_results=2)
    assert isinstance(paginator, NextTokenPaginator)
    assert paginator.client_args == ["ep1"]
    assert paginator.client_kwargs == {"max_results": 2}
    assert paginator.items_key == "shared_endpoints"
    assert "get_shared_endpoint_list" in dir(client.paginated)
    assert "not_paginated" not in dir(client.paginated)


def test_has_paginator_returns_the_function_unchanged() -> None:
    def foo() -> int:
        return 1

    assert has_paginator(MarkerPaginator)(foo) is foo
    assert foo() == 1


def test_paginator_table_on_plain_object() -> None:
    """The table works for any object with decorated methods, not only BaseClient."""

    class Plain:
        @has_paginator(NextTokenPaginator, items_key="items")
        def listing(self, next_token: str | None = None) -> dict[str, t.Any]:
            n = int(next_token or 0)
            return {"items": [n], "next_token": str(n + 1) if n < 2 else None}

    table = PaginatorTable(Plain())
    assert list(table.listing().items()) == [0, 1, 2]
