"""Paginated variants: each walks 3+ pages over real HTTP with the right paging keys."""

from __future__ import annotations

import pytest

import globus_sdk
from globus_sdk import paging
from tests.globus_sdk.services.transfer.conftest import PREFIX
from tests.support.http_stub import HTTPStub, RecordedRequest, StubResponse

EP = "aa752cea-8222-5bc8-acd9-555b090c0ccb"
TASK = "42277910-0c18-11ec-ba76-138ac5bdb19f"


def _items(start: int, count: int) -> list[dict[str, int]]:
    return [{"n": i} for i in range(start, start + count)]


def _offset_server(total: int, *, style: str, max_limit: int):
    """A limit/offset service over ``total`` numbered items (``has_next_page`` or ``total``)."""

    def respond(req: RecordedRequest) -> StubResponse:
        offset = int(req.query.get("offset", ["0"])[0])
        limit = min(int(req.query.get("limit", [str(max_limit)])[0]), max_limit)
        items = _items(offset, max(0, min(limit, total - offset)))
        body = {"DATA_TYPE": "list", "limit": limit, "offset": offset, "DATA": items}
        if style == "has_next":
            body["has_next_page"] = offset + len(items) < total
        else:
            body["total"] = total
        return StubResponse(200, body)

    return respond


def test_endpoint_search_pages_by_has_next_page(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub
) -> None:
    http_stub.route(
        "GET", f"{PREFIX}/endpoint_search", _offset_server(250, style="has_next", max_limit=100)
    )
    paginator = tc.paginated.endpoint_search("tut", filter_scope="all")
    assert isinstance(paginator, paging.HasNextPaginator)
    items = list(paginator.items())
    assert [x["n"] for x in items] == list(range(250))
    queries = [r.query for r in http_stub.requests]
    assert [(q["offset"], q["limit"]) for q in queries] == [
        (["0"], ["100"]),
        (["100"], ["100"]),
        (["200"], ["100"]),
    ]
    assert all(q["filter_fulltext"] == ["tut"] and q["filter_scope"] == ["all"] for q in queries)


def test_endpoint_search_stops_at_1000_results(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub
) -> None:
    http_stub.route(
        "GET", f"{PREFIX}/endpoint_search", _offset_server(5000, style="has_next", max_limit=100)
    )
    pages = list(tc.paginated.endpoint_search("x"))
    assert len(pages) == 10
    assert sum(len(p["DATA"]) for p in pages) == 1000
    assert http_stub.requests[-1].query["offset"] == ["900"]


@pytest.mark.parametrize(
    ("method", "args", "path", "kwargs"),
    [
        ("task_list", (), "/task_list", {"filter": {"status": "SUCCEEDED"}}),
        ("task_event_list", (TASK,), f"/task/{TASK}/event_list", {}),
        (
            "endpoint_manager_task_event_list",
            (TASK,),
            f"/endpoint_manager/task/{TASK}/event_list",
            {"filter_is_error": True},
        ),
    ],
)
def test_limit_offset_total_paging(
    tc: globus_sdk.TransferClient,
    http_stub: HTTPStub,
    method: str,
    args: tuple,
    path: str,
    kwargs: dict,
) -> None:
    # the service hands out pages of at most 40 although the SDK asks for 1000
    http_stub.route("GET", PREFIX + path, _offset_server(100, style="total", max_limit=40))
    paginator = getattr(tc.paginated, method)(*args, **kwargs)
    assert isinstance(paginator, paging.LimitOffsetTotalPaginator)
    assert [x["n"] for x in paginator.items()] == list(range(100))
    offsets = [r.query["offset"][0] for r in http_stub.requests]
    limits = [r.query["limit"][0] for r in http_stub.requests]
    assert offsets == ["0", "40", "80"]
    # page size 1000, trimmed so that offset + limit never passes the 1000 cap
    assert limits == ["1000", "960", "920"]
    for req in http_stub.requests:
        if method == "task_list":
            assert req.query["filter"] == ["status:SUCCEEDED"]
        if method == "endpoint_manager_task_event_list":
            assert req.query["filter_is_error"] == ["1"]


def _marker_server(pages: int, per_page: int):
    """A Transfer marker listing: ``marker`` echoes the request, ``next_marker`` is null at
    the end. No ``has_next_page``: the SDK must read ``next_marker``."""

    def respond(req: RecordedRequest) -> StubResponse:
        marker = int(req.query.get("marker", ["0"])[0])
        page_no = marker // 1000
        next_marker = (page_no + 1) * 1000 if page_no + 1 < pages else None
        return StubResponse(
            200,
            {
                "DATA_TYPE": "successful_transfers",
                "marker": marker,
                "next_marker": next_marker,
                "DATA": _items(page_no * per_page, per_page),
            },
        )

    return respond


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("task_successful_transfers", f"/task/{TASK}/successful_transfers"),
        ("task_skipped_errors", f"/task/{TASK}/skipped_errors"),
        (
            "endpoint_manager_task_successful_transfers",
            f"/endpoint_manager/task/{TASK}/successful_transfers",
        ),
        ("endpoint_manager_task_skipped_errors", f"/endpoint_manager/task/{TASK}/skipped_errors"),
    ],
)
def test_marker_paging_reads_next_marker(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, method: str, path: str
) -> None:
    http_stub.route("GET", PREFIX + path, _marker_server(pages=3, per_page=2))
    qp = {"extra": "1"}
    paginator = getattr(tc.paginated, method)(TASK, query_params=qp)
    assert isinstance(paginator, paging.MarkerPaginator)
    assert [x["n"] for x in paginator.items()] == list(range(6))
    markers = [r.query.get("marker") for r in http_stub.requests]
    assert markers == [None, ["1000"], ["2000"]]
    assert all(r.query["extra"] == ["1"] for r in http_stub.requests)
    assert qp == {"extra": "1"}


def test_endpoint_manager_task_list_pages_by_last_key(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub
) -> None:
    keys = ["complete,2024-01-01", "complete,2024-01-02", "complete,2024-01-03"]

    def respond(req: RecordedRequest) -> StubResponse:
        last_key = req.query.get("last_key", [None])[0]
        idx = 0 if last_key is None else keys.index(last_key) + 1
        return StubResponse(
            200,
            {
                "DATA_TYPE": "task_list",
                "has_next_page": idx < len(keys) - 1,
                "last_key": keys[idx],
                "DATA": _items(idx * 2, 2),
            },
        )

    http_stub.route("GET", f"{PREFIX}/endpoint_manager/task_list", respond)
    paginator = tc.paginated.endpoint_manager_task_list(filter_status="ACTIVE")
    assert isinstance(paginator, paging.LastKeyPaginator)
    assert [x["n"] for x in paginator.items()] == list(range(6))
    sent = [r.query.get("last_key") for r in http_stub.requests]
    assert sent == [None, [keys[0]], [keys[1]]]
    assert all(r.query["filter_status"] == ["ACTIVE"] for r in http_stub.requests)


def test_get_shared_endpoint_list_pages_by_next_token(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub
) -> None:
    tokens = [None, "t1", "t2"]

    def respond(req: RecordedRequest) -> StubResponse:
        token = req.query.get("next_token", [None])[0]
        idx = tokens.index(token)
        nxt = tokens[idx + 1] if idx + 1 < len(tokens) else None
        return StubResponse(200, {"shared_endpoints": [{"id": f"share-{idx}"}], "next_token": nxt})

    http_stub.route("GET", f"{PREFIX}/endpoint/{EP}/shared_endpoint_list", respond)
    paginator = tc.paginated.get_shared_endpoint_list(EP, max_results=1)
    assert isinstance(paginator, paging.NextTokenPaginator)
    pages = list(paginator)
    assert [[x["id"] for x in page] for page in pages] == [["share-0"], ["share-1"], ["share-2"]]
    assert [r.query.get("next_token") for r in http_stub.requests] == [None, ["t1"], ["t2"]]
    assert all(r.query["max_results"] == ["1"] for r in http_stub.requests)


def test_unpaginated_methods_have_no_paginated_variant(tc: globus_sdk.TransferClient) -> None:
    with pytest.raises(AttributeError):
        tc.paginated.get_endpoint  # noqa: B018
    assert {
        "endpoint_search",
        "task_list",
        "task_event_list",
        "task_successful_transfers",
        "task_skipped_errors",
        "endpoint_manager_task_list",
        "endpoint_manager_task_event_list",
        "endpoint_manager_task_successful_transfers",
        "endpoint_manager_task_skipped_errors",
        "get_shared_endpoint_list",
    } <= set(dir(tc.paginated))
