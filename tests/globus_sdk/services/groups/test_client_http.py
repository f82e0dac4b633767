"""GroupsClient and GroupsManager over HTTP: each method's verb, path, query and body."""

from __future__ import annotations

import typing as t

import pytest

from globus_sdk import (
    AccessTokenAuthorizer,
    BatchMembershipActions,
    GroupMemberVisibility,
    GroupPolicies,
    GroupRole,
    GroupsAPIError,
    GroupsClient,
    GroupsManager,
    GroupVisibility,
)
from tests.support.http_stub import HTTPStub

GID = "d3974728-6458-11e4-b72d-123139141556"
IID = "ae332d86-d274-11e5-b885-b31714a110e9"


@pytest.fixture
def client(http_stub: HTTPStub) -> GroupsClient:
    return GroupsClient(base_url=http_stub.url + "v2/", authorizer=AccessTokenAuthorizer("tok-123"))


def test_class_attributes() -> None:
    assert GroupsClient.service_name == "groups"
    assert GroupsClient.base_path == "/v2/"
    assert GroupsClient.error_class is GroupsAPIError
    assert GroupsClient(base_url="http://x/").resource_server == "groups.api.globus.org"


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_GROUPS", "http://127.0.0.1:9/groups/")
    assert GroupsClient().base_url == "http://127.0.0.1:9/groups/v2/"


def test_get_my_groups_returns_array(client: GroupsClient, http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/v2/groups/my_groups", body=[{"id": GID, "name": "g"}])
    resp = client.get_my_groups(query_params={"statuses": "active,invited"})
    assert resp.data == [{"id": GID, "name": "g"}]
    req = http_stub.requests[-1]
    assert req.query == {"statuses": ["active,invited"]}
    assert req.headers["Authorization"] == "Bearer tok-123"


CALLS: list[tuple[str, str, str, t.Callable[[GroupsClient], t.Any], t.Any]] = [
    ("get_group", "GET", f"/v2/groups/{GID}", lambda c: c.get_group(GID), None),
    ("delete_group", "DELETE", f"/v2/groups/{GID}", lambda c: c.delete_group(GID), None),
    (
        "create_group",
        "POST",
        "/v2/groups",
        lambda c: c.create_group({"name": "n", "description": "d"}),
        {"name": "n", "description": "d"},
    ),
    (
        "get_group_policies",
        "GET",
        f"/v2/groups/{GID}/policies",
        lambda c: c.get_group_policies(GID),
        None,
    ),
    (
        "set_group_policies",
        "PUT",
        f"/v2/groups/{GID}/policies",
        lambda c: c.set_group_policies(GID, {"join_requests": True}),
        {"join_requests": True},
    ),
    (
        "get_identity_preferences",
        "GET",
        "/v2/preferences",
        lambda c: c.get_identity_preferences(),
        None,
    ),
    (
        "set_identity_preferences",
        "PUT",
        "/v2/preferences",
        lambda c: c.set_identity_preferences({IID: {"allow_add": False}}),
        {IID: {"allow_add": False}},
    ),
    (
        "get_membership_fields",
        "GET",
        f"/v2/groups/{GID}/membership_fields",
        lambda c: c.get_membership_fields(GID),
        None,
    ),
    (
        "set_membership_fields",
        "PUT",
        f"/v2/groups/{GID}/membership_fields",
        lambda c: c.set_membership_fields(GID, {IID: {"institution": "U"}}),
        {IID: {"institution": "U"}},
    ),
    (
        "batch_membership_action",
        "POST",
        f"/v2/groups/{GID}",
        lambda c: c.batch_membership_action(GID, BatchMembershipActions().leave([IID])),
        {"leave": [{"identity_id": IID}]},
    ),
]


@pytest.mark.parametrize("name, method, path, call, body", CALLS, ids=[c[0] for c in CALLS])
def test_client_methods(
    client: GroupsClient,
    http_stub: HTTPStub,
    name: str,
    method: str,
    path: str,
    call: t.Callable[[GroupsClient], t.Any],
    body: t.Any,
) -> None:
    http_stub.add(method, path, body={"ok": name})
    resp = call(client)
    assert resp["ok"] == name
    req = http_stub.requests[-1]
    assert (req.method, req.path) == (method, path)
    if body is None:
        assert req.body == b""
    else:
        assert req.json == body
        assert req.headers["Content-Type"] == "application/json"


def test_query_params_are_passed(client: GroupsClient, http_stub: HTTPStub) -> None:
    http_stub.add("GET", f"/v2/groups/{GID}", body={})
    client.get_group(GID, query_params={"include": "memberships,policies"})
    assert http_stub.requests[-1].query == {"include": ["memberships,policies"]}


def test_error_document_is_parsed(client: GroupsClient, http_stub: HTTPStub) -> None:
    http_stub.add(
        "GET",
        f"/v2/groups/{GID}",
        status=404,
        body={"code": "NOT_FOUND", "detail": "Group not found", "request_id": "abc"},
    )
    with pytest.raises(GroupsAPIError) as excinfo:
        client.get_group(GID)
    err = excinfo.value
    assert (err.http_status, err.code, err.message) == (404, "NOT_FOUND", "Group not found")


def test_validation_error_list_is_summarised(client: GroupsClient, http_stub: HTTPStub) -> None:
    http_stub.add(
        "POST",
        "/v2/groups",
        status=422,
        body={"detail": [{"loc": ["body", "name"], "msg": "field required", "type": "missing"}]},
    )
    with pytest.raises(GroupsAPIError) as excinfo:
        client.create_group({})
    assert excinfo.value.code == "Error"
    assert excinfo.value.message == "body.name: field required"


# -- GroupsManager ---------------------------------------------------------------------------
MANAGER_CALLS = [
    ("accept_invite", {}, {"accept": [{"identity_id": IID}]}),
    ("add_member", {}, {"add": [{"identity_id": IID, "role": "member"}]}),
    ("add_member", {"role": GroupRole.admin}, {"add": [{"identity_id": IID, "role": "admin"}]}),
    ("approve_pending", {}, {"approve": [{"identity_id": IID}]}),
    ("decline_invite", {}, {"decline": [{"identity_id": IID}]}),
    ("invite_member", {}, {"invite": [{"identity_id": IID, "role": "member"}]}),
    (
        "invite_member",
        {"role": GroupRole.manager},
        {"invite": [{"identity_id": IID, "role": "manager"}]},
    ),
    ("join", {}, {"join": [{"identity_id": IID}]}),
    ("leave", {}, {"leave": [{"identity_id": IID}]}),
    ("reject_join_request", {}, {"reject": [{"identity_id": IID}]}),
    ("remove_member", {}, {"remove": [{"identity_id": IID}]}),
    ("request_join", {}, {"request_join": [{"identity_id": IID}]}),
]


@pytest.mark.parametrize("method, kwargs, body", MANAGER_CALLS)
def test_manager_membership_methods(
    client: GroupsClient,
    http_stub: HTTPStub,
    method: str,
    kwargs: dict[str, t.Any],
    body: dict[str, t.Any],
) -> None:
    http_stub.add("POST", f"/v2/groups/{GID}", body={"done": True})
    resp = getattr(GroupsManager(client), method)(GID, IID, **kwargs)
    assert resp["done"] is True
    assert http_stub.requests[-1].json == body


def test_manager_create_group(client: GroupsClient, http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/v2/groups", body={"id": GID}, status=201)
    manager = GroupsManager(client)
    assert manager.create_group("n", "d")["id"] == GID
    assert http_stub.requests[-1].json == {"name": "n", "description": "d", "parent_id": None}
    manager.create_group("n", "d", parent_id=GID)
    assert http_stub.requests[-1].json["parent_id"] == GID


def test_manager_set_group_policies(client: GroupsClient, http_stub: HTTPStub) -> None:
    http_stub.add("PUT", f"/v2/groups/{GID}/policies", body={})
    GroupsManager(client).set_group_policies(
        GID,
        is_high_assurance=False,
        group_visibility=GroupVisibility.private,
        group_members_visibility=GroupMemberVisibility.managers,
        join_requests=False,
        signup_fields=[],
        authentication_assurance_timeout=100,
    )
    assert http_stub.requests[-1].json == dict(
        GroupPolicies(
            is_high_assurance=False,
            group_visibility=GroupVisibility.private,
            group_members_visibility=GroupMemberVisibility.managers,
            join_requests=False,
            signup_fields=[],
            authentication_assurance_timeout=100,
        )
    )


def test_manager_builds_default_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_GROUPS", "http://127.0.0.1:9/groups/")
    manager = GroupsManager()
    assert isinstance(manager.client, GroupsClient)
    assert manager.client.base_url == "http://127.0.0.1:9/groups/v2/"
