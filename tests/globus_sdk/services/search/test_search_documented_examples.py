"""The SDK 3.2 documentation's Search examples, run unchanged against a real local server."""

from __future__ import annotations

import time
import typing as t

import pytest

import globus_sdk
from globus_sdk import SearchClient, SearchQuery


@pytest.fixture
def sc(globus_local_server: t.Any, globus_local_user: dict[str, t.Any]) -> SearchClient:
    token = globus_local_server.token(
        globus_local_user["username"], [globus_sdk.SearchClient.scopes.all]
    )["access_token"]
    # no base_url: the client finds the local server through the SDK environment
    return globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


@pytest.fixture
def index_id(sc: SearchClient) -> str:
    return t.cast(
        str, sc.post("/v1/index", data={"display_name": "docs", "description": "d"})["id"]
    )


def wait(sc: SearchClient, task_id: str) -> dict[str, t.Any]:
    for _ in range(1500):
        task = sc.get_task(task_id)
        if task["state"] in ("SUCCESS", "FAILED"):
            return t.cast(dict, task.data)
        time.sleep(0.02)
    raise AssertionError(f"task {task_id} did not finish")


def test_documented_examples(
    sc: SearchClient, index_id: str, capsys: pytest.CaptureFixture
) -> None:
    known_index_id = index_id

    # get_index
    index = sc.get_index(index_id)
    assert index["index_id"] == index_id
    print(index["display_name"], "(" + index_id + "):", index["description"])

    # ingest: a GMetaEntry ...
    ingest_data = {
        "ingest_type": "GMetaEntry",
        "ingest_data": {
            "subject": "https://example.com/foo/bar",
            "visible_to": ["public"],
            "content": {"foo/bar": "some val"},
        },
    }
    first = sc.ingest(index_id, ingest_data)
    # ... or several at once via a GMetaList
    ingest_data = {
        "ingest_type": "GMetaList",
        "ingest_data": {
            "gmeta": [
                {
                    "subject": "https://example.com/foo/bar",
                    "visible_to": ["public"],
                    "content": {"foo/bar": "some val"},
                },
                {
                    "subject": "https://example.com/foo/bar",
                    "id": "otherentry",
                    "visible_to": ["public"],
                    "content": {"foo/bar": "some otherval"},
                },
            ]
        },
    }
    second = sc.ingest(index_id, ingest_data)
    assert wait(sc, first["task_id"])["state"] == "SUCCESS"
    assert wait(sc, second["task_id"])["state"] == "SUCCESS"

    # get_task / get_task_list
    task_id = second["task_id"]
    task = sc.get_task(task_id)
    assert task["index_id"] == known_index_id
    print(task["task_id"] + " | " + task["state"])
    task_list = sc.get_task_list(index_id)
    for task in task_list["tasks"]:
        print(task["task_id"] + " | " + task["state"])
    assert len(task_list["tasks"]) == 2

    # search
    result = sc.search(index_id, "query string")
    assert result["total"] == 0
    result = sc.search(index_id, "otherval")
    assert [e["entry_id"] for e in result["gmeta"][0]["entries"]] == ["otherentry"]
    advanced_result = sc.search(index_id, 'author: "Ada Lovelace"', advanced=True)
    assert advanced_result["count"] == 0
    assert len(list(sc.paginated.search(index_id, "val").items())) == 1

    # post_search
    query_data = {
        "@datatype": "GSearchRequest",
        "q": "user query",
        "filters": [
            {
                "type": "range",
                "field_name": "path.to.date",
                "values": [{"from": "*", "to": "2014-11-07"}],
            }
        ],
        "facets": [
            {
                "name": "Publication Date",
                "field_name": "path.to.date",
                "type": "date_histogram",
                "date_interval": "year",
            }
        ],
        "sort": [{"field_name": "path.to.date", "order": "asc"}],
    }
    search_result = sc.post_search(index_id, query_data)
    assert search_result["total"] == 0
    assert search_result["facet_results"][0]["name"] == "Publication Date"

    # SearchQuery
    query = (
        SearchQuery(q="example query")
        .set_limit(100)
        .set_offset(10)
        .add_filter("path.to.field1", ["foo", "bar"])
    )
    result = sc.post_search(index_id, query)
    assert result["offset"] == 10 and result["gmeta"] == []

    # get_subject / get_entry
    subject_data = sc.get_subject(index_id, "https://example.com/foo/bar")
    assert len(subject_data["entries"]) == 2
    entry_data = sc.get_entry(index_id, "https://example.com/foo/bar")
    assert entry_data["entries"][0]["content"] == {"foo/bar": "some val"}
    entry_data = sc.get_entry(index_id, "https://example.com/foo/bar", entry_id="otherentry")
    assert entry_data["entries"][0]["entry_id"] == "otherentry"

    # create_entry / update_entry
    created = sc.create_entry(
        index_id,
        {
            "subject": "https://example.com/foo/bar",
            "visible_to": ["public"],
            "id": "foo/bar",
            "content": {"foo/bar": "some val"},
        },
    )
    updated = sc.update_entry(
        index_id,
        {
            "subject": "https://example.com/foo/bar",
            "visible_to": ["public"],
            "content": {"foo/bar": "new val"},
        },
    )
    wait(sc, created["task_id"])
    wait(sc, updated["task_id"])
    assert sc.get_entry(index_id, "https://example.com/foo/bar", entry_id="foo/bar")["entries"]
    assert sc.get_entry(index_id, "https://example.com/foo/bar")["entries"][0]["content"] == {
        "foo/bar": "new val"
    }

    # delete_entry / delete_by_query / delete_subject
    wait(
        sc, sc.delete_entry(index_id, "https://example.com/foo/bar", entry_id="foo/bar")["task_id"]
    )
    query_data = {
        "q": "user query",
        "filters": [
            {
                "type": "range",
                "field_name": "path.to.date",
                "values": [{"from": "*", "to": "2014-11-07"}],
            }
        ],
    }
    assert wait(sc, sc.delete_by_query(index_id, query_data)["task_id"])["state"] == "SUCCESS"
    wait(sc, sc.delete_subject(index_id, "https://example.com/foo/bar")["task_id"])
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.get_subject(index_id, "https://example.com/foo/bar")
    assert err.value.http_status == 404
    assert "docs (" in capsys.readouterr().out
