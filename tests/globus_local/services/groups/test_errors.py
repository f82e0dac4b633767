"""Bad input gets the Groups error document with a 4xx status, never a 500."""

from __future__ import annotations

import typing as t
import uuid

import pytest
import requests

from globus_local.services.auth.scopes import GROUPS_VIEW

from .support import GroupsUser, MakeUser


def assert_error(resp: requests.Response, status: int, code: str | None = None) -> dict[str, t.Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/json")
    doc = resp.json()
    assert isinstance(doc["code"], str) and isinstance(doc["detail"], str) and doc["detail"]
    assert doc["request_id"]
    if code is not None:
        assert doc["code"] == code
    return doc


def test_unknown_group_is_404(admin: GroupsUser) -> None:
    missing = str(uuid.uuid4())
    for method, path in [
        ("GET", f"groups/{missing}"),
        ("PUT", f"groups/{missing}"),
        ("DELETE", f"groups/{missing}"),
        ("POST", f"groups/{missing}"),
        ("GET", f"groups/{missing}/policies"),
        ("PUT", f"groups/{missing}/policies"),
        ("GET", f"groups/{missing}/membership_fields"),
    ]:
        kw = {"json": {}} if method in ("PUT", "POST") else {}
        doc = assert_error(admin.http(method, path, **kw), 404, "NOT_FOUND")
        assert missing in doc["detail"]


def test_malformed_group_id_is_400(admin: GroupsUser) -> None:
    assert_error(admin.http("GET", "groups/not-a-uuid"), 400, "BAD_REQUEST")


def test_unknown_route_is_404_in_groups_shape(admin: GroupsUser) -> None:
    assert_error(admin.http("GET", "nothing/here"), 404, "NOT_FOUND")


def test_no_token_is_401(admin: GroupsUser, group_id: str) -> None:
    resp = requests.get(admin.base_url + f"groups/{group_id}")
    assert_error(resp, 401)
    resp = requests.get(
        admin.base_url + "groups/my_groups", headers={"Authorization": "Bearer bogus"}
    )
    assert_error(resp, 401)


def test_view_scope_reads_but_does_not_write(
    make_user: MakeUser, admin: GroupsUser, group_id: str
) -> None:
    viewer = make_user("viewer", scopes=[GROUPS_VIEW])
    admin.manager.add_member(group_id, viewer.id)
    assert viewer.http("GET", "groups/my_groups").status_code == 200
    assert viewer.http("GET", f"groups/{group_id}").status_code == 200
    doc = assert_error(viewer.http("POST", "groups", json={"name": "x"}), 403, "ConsentRequired")
    assert doc["required_scopes"] == ["urn:globus:auth:scope:groups.api.globus.org:all"]
    leave = {"leave": [{"identity_id": viewer.id}]}
    assert_error(viewer.http("POST", f"groups/{group_id}", json=leave), 403)


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        {"description": "no name"},
        {"name": ""},
        {"name": 5},
        {"name": "x" * 300},
        {"name": "x", "parent_id": "not-a-uuid"},
        {"name": "x", "policies": {"group_visibility": "world"}},
    ],
)
def test_bad_create_bodies(admin: GroupsUser, body: t.Any) -> None:
    assert_error(admin.http("POST", "groups", json=body), 400, "BAD_REQUEST")


def test_invalid_json_is_400(admin: GroupsUser, group_id: str) -> None:
    resp = admin.http(
        "POST",
        f"groups/{group_id}",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert_error(resp, 400, "BAD_REQUEST")


def test_unknown_parent_is_404(admin: GroupsUser) -> None:
    body = {"name": "orphan", "parent_id": str(uuid.uuid4())}
    assert_error(admin.http("POST", "groups", json=body), 404, "NOT_FOUND")


def test_bad_query_values(admin: GroupsUser, group_id: str) -> None:
    assert_error(admin.http("GET", f"groups/{group_id}", params={"include": "secrets"}), 400)
    assert_error(admin.http("GET", "groups/my_groups", params={"statuses": "happy"}), 400)


def test_text_holding_nul_is_400(admin: GroupsUser, make_user: MakeUser, group_id: str) -> None:
    """Text holding a NUL, which PostgreSQL refuses to store, was a 500 there and kept as
    given by SQLite; now the Groups error document on every database (found by schemathesis)."""
    for body in ({"name": "a\x00"}, {"name": "g", "description": "\x00"}):
        assert_error(admin.http("POST", "groups", json=body), 400, "BAD_REQUEST")
    for body in ({"name": "a\x00"}, {"terms_and_conditions": "t\x00"}):
        assert_error(admin.http("PUT", f"groups/{group_id}", json=body), 400, "BAD_REQUEST")
    member = make_user("member")
    batch = {"add": [{"identity_id": member.id, "status_reason": "why\x00"}]}
    assert_error(admin.http("POST", f"groups/{group_id}", json=batch), 400, "BAD_REQUEST")
