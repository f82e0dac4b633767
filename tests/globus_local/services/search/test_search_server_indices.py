"""Indices, roles, ingest tasks, subjects and entries over HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

import globus_sdk
from tests.globus_local.services.search.support import SearchEnv, User


def test_index_lifecycle(env: SearchEnv, owner: User) -> None:
    index_id = env.create_index(owner, "lifecycle")
    sc = env.client(owner)
    doc = sc.get_index(index_id).data
    assert doc["@datatype"] == "GSearchIndex"
    assert doc["id"] == index_id and doc["display_name"] == "lifecycle"
    assert doc["status"] == "open" and doc["num_entries"] == 0
    assert doc["permissions"] == ["owner"]

    listed = env.raw("GET", "v1/index_list", owner, params={"filter_roles": "owner,admin,writer"})
    assert index_id in [ix["id"] for ix in listed.json()["index_list"]]
    stranger = env.user()
    mine = env.raw("GET", "v1/index_list", stranger).json()["index_list"]
    assert index_id not in [ix["id"] for ix in mine]

    # only the owner deletes; a deleted index takes no writes until reopened
    assert env.raw("DELETE", f"v1/index/{index_id}", stranger).status_code == 403
    resp = env.raw("DELETE", f"v1/index/{index_id}", owner)
    assert resp.json() == {"acknowledged": True, "index_id": index_id}
    assert sc.get_index(index_id)["status"] == "delete-pending"
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.create_entry(index_id, {"subject": "a", "visible_to": ["public"], "content": {}})
    assert err.value.http_status == 409 and err.value.code == "Conflict.IncompatibleIndexStatus"
    assert env.raw("POST", f"v1/index/{index_id}/reopen", owner).status_code == 200
    assert sc.get_index(index_id)["status"] == "open"


def test_entries_subjects_and_tasks(env: SearchEnv, owner: User, index_id: str) -> None:
    sc = env.client(owner)
    env.ingest(
        owner,
        index_id,
        [
            {"subject": "https://example.com/a", "content": {"title": "first"}},
            {"subject": "https://example.com/a", "id": "other", "content": {"title": "second"}},
            {"subject": "https://example.com/b", "content": {"title": "third"}},
        ],
    )
    subject = sc.get_subject(index_id, "https://example.com/a").data
    assert subject["@datatype"] == "GMetaResult"
    assert [e["entry_id"] for e in subject["entries"]] == [None, "other"]
    entry = sc.get_entry(index_id, "https://example.com/a", entry_id="other").data
    assert [e["content"] for e in entry["entries"]] == [{"title": "second"}]
    assert sc.get_entry(index_id, "https://example.com/a")["entries"][0]["entry_id"] is None

    # update replaces the content of the same (subject, id)
    task_id = sc.update_entry(
        index_id,
        {"subject": "https://example.com/a", "visible_to": ["public"], "content": {"title": "new"}},
    )["task_id"]
    assert env.wait(owner, task_id)["state"] == "SUCCESS"
    assert sc.get_entry(index_id, "https://example.com/a")["entries"][0]["content"] == {
        "title": "new"
    }
    assert sc.search(index_id, "first")["total"] == 0

    index = sc.get_index(index_id)
    assert (index["num_entries"], index["num_subjects"]) == (3, 2)

    task = env.wait(
        owner, sc.delete_entry(index_id, "https://example.com/a", entry_id="other")["task_id"]
    )
    assert task["task_type"] == "DELETE_ENTRY" and task["state"] == "SUCCESS"
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.get_entry(index_id, "https://example.com/a", entry_id="other")
    assert err.value.http_status == 404

    env.wait(owner, sc.delete_subject(index_id, "https://example.com/b")["task_id"])
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.get_subject(index_id, "https://example.com/b")
    assert err.value.http_status == 404 and err.value.code == "NotFound.Generic"
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.delete_subject(index_id, "https://example.com/b")
    assert err.value.http_status == 404

    tasks = sc.get_task_list(index_id).data
    assert tasks["index_id"] == index_id
    assert len(tasks["tasks"]) == 4
    assert all(t["state"] == "SUCCESS" and t["completion_date"] for t in tasks["tasks"])
    assert {t["task_type"] for t in tasks["tasks"]} == {
        "INGEST",
        "DELETE_ENTRY",
        "DELETE_BY_SUBJECT",
    }


def test_writes_apply_in_order(env: SearchEnv, owner: User, index_id: str) -> None:
    sc = env.client(owner)
    task_ids = [
        sc.ingest(
            index_id,
            {
                "ingest_type": "GMetaEntry",
                "ingest_data": {"subject": "s", "visible_to": ["public"], "content": {"n": n}},
            },
        )["task_id"]
        for n in range(6)
    ]
    for task_id in task_ids:
        assert env.wait(owner, task_id)["state"] == "SUCCESS"
    assert sc.get_subject(index_id, "s")["entries"][0]["content"] == {"n": 5}


def test_delete_by_query(env: SearchEnv, owner: User, index_id: str) -> None:
    env.ingest(
        owner,
        index_id,
        [
            {"subject": "old-1", "content": {"kind": "draft", "date": "2010-01-01"}},
            {"subject": "old-2", "content": {"kind": "final", "date": "2011-06-01"}},
            {"subject": "new-1", "content": {"kind": "draft", "date": "2020-01-01"}},
            {"subject": "secret", "visible_to": [owner.urn], "content": {"kind": "draft"}},
        ],
    )
    sc = env.client(owner)
    body = {
        "q": "draft",
        "filters": [
            {"type": "range", "field_name": "date", "values": [{"from": "*", "to": "2014-11-07"}]}
        ],
    }
    task = env.wait(owner, sc.delete_by_query(index_id, body)["task_id"])
    assert task["task_type"] == "DELETE_BY_QUERY"
    assert task["additional_details"]["num_subjects_deleted"] == 1
    assert sorted(g["subject"] for g in sc.search(index_id, "*")["gmeta"]) == [
        "new-1",
        "old-2",
        "secret",
    ]
    # delete_by_query ignores visibility: it is an index writer's operation
    env.wait(owner, sc.delete_by_query(index_id, {"q": "draft"})["task_id"])
    assert [g["subject"] for g in sc.search(index_id, "*")["gmeta"]] == ["old-2"]
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.delete_by_query(index_id, {"q": "a:[1 TO", "advanced": True})
    assert err.value.http_status == 400


def test_roles_and_write_permissions(env: SearchEnv, owner: User, index_id: str) -> None:
    writer = env.user()
    entry = {"subject": "x", "visible_to": ["public"], "content": {"a": 1}}
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        env.client(writer).create_entry(index_id, entry)
    assert err.value.http_status == 403 and err.value.code == "Forbidden.Generic"
    assert env.raw("POST", f"v1/index/{index_id}/entry", None, json=entry).status_code == 401

    role = env.raw(
        "POST",
        f"v1/index/{index_id}/role",
        owner,
        json={"role_name": "writer", "principal": writer.urn},
    ).json()
    assert role["role_name"] == "writer" and role["principal_type"] == "identity"
    task = env.client(writer).create_entry(index_id, entry)
    assert env.wait(writer, task["task_id"])["state"] == "SUCCESS"
    # writers neither manage roles nor delete the index
    resp = env.raw("GET", f"v1/index/{index_id}/role_list", writer)
    assert resp.status_code == 403
    roles = env.raw("GET", f"v1/index/{index_id}/role_list", owner).json()["role_list"]
    assert {r["role_name"] for r in roles} == {"owner", "writer"}
    deleted = env.raw("DELETE", f"v1/index/{index_id}/role/{role['id']}", owner).json()
    assert deleted["success"] is True and deleted["deleted"]["id"] == role["id"]
    with pytest.raises(globus_sdk.SearchAPIError):
        env.client(writer).create_entry(index_id, entry)
    owner_role = next(r for r in roles if r["role_name"] == "owner")
    resp = env.raw("DELETE", f"v1/index/{index_id}/role/{owner_role['id']}", owner)
    assert resp.status_code == 409


def test_group_writer_role(env: SearchEnv, owner: User, index_id: str) -> None:
    member = env.user()
    group_id = env.create_group(owner)
    env.membership(owner, group_id, "add", member)
    principal = f"urn:globus:groups:id:{group_id}"
    resp = env.raw(
        "POST",
        f"v1/index/{index_id}/role",
        owner,
        json={"role_name": "writer", "principal": principal},
    )
    assert resp.json()["principal_type"] == "group"
    task = env.client(member).create_entry(
        index_id, {"subject": "g", "visible_to": ["public"], "content": {}}
    )
    assert env.wait(member, task["task_id"])["state"] == "SUCCESS"


def test_role_document_bad_values_are_400(env: SearchEnv, owner: User, index_id: str) -> None:
    """A role name that is not a string, or a principal whose id is not a UUID (too long to
    store, a NUL), is the index's validation error, not a crash (found by schemathesis)."""
    urn = "urn:globus:auth:identity:"
    for body in (
        {"role_name": ["writer"], "principal": owner.urn},
        {"role_name": {"writer": 1}, "principal": owner.urn},
        {"role_name": "writer", "principal": urn + "x" * 300},
        {"role_name": "writer", "principal": urn + "\x00"},
        {"role_name": "writer", "principal": "urn:globus:groups:id:not-a-uuid"},
    ):
        resp = env.raw("POST", f"v1/index/{index_id}/role", owner, json=body)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["code"] == "BadRequest.ValidationError"
    upper = {"role_name": "writer", "principal": urn + owner.identity_id.upper()}
    resp = env.raw("POST", f"v1/index/{index_id}/role", owner, json=upper)
    assert resp.status_code == 200 and resp.json()["principal"] == owner.urn


def test_index_text_that_cannot_be_stored_is_400(
    env: SearchEnv, owner: User, index_id: str
) -> None:
    """A display_name or description holding a NUL, or a display_name past its column, was a
    500 on PostgreSQL; now a validation error on every database (found by schemathesis)."""
    for body in (
        {"display_name": "a\x00b", "description": "d"},
        {"display_name": "i", "description": "\x00"},
        {"display_name": "n" * 1001, "description": "d"},
    ):
        for method, path in (("POST", "v1/index"), ("PATCH", f"v1/index/{index_id}")):
            resp = env.raw(method, path, owner, json=body)
            assert resp.status_code == 400, (method, body, resp.text)
            assert resp.json()["code"] == "BadRequest.ValidationError"
    resp = env.raw("PATCH", f"v1/index/{index_id}", owner, json={"display_name": "n" * 1000})
    assert resp.status_code == 200 and resp.json()["display_name"] == "n" * 1000
