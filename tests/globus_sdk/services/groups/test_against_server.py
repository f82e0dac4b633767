"""The documented GroupsClient / GroupsManager usage, unchanged, against a live globus-local.

Clients are built the documented way (``GroupsClient(authorizer=...)``,
``GroupsManager(client)``): the ``globus_local_server`` fixture points the SDK's
environment at the server, so no URLs appear here.
"""

from __future__ import annotations

import typing as t

import pytest

import globus_sdk
from globus_local.testing import LocalServer
from globus_sdk import (
    AccessTokenAuthorizer,
    BatchMembershipActions,
    GroupMemberVisibility,
    GroupPolicies,
    GroupRequiredSignupFields,
    GroupRole,
    GroupsAPIError,
    GroupsClient,
    GroupsManager,
    GroupVisibility,
)
from globus_sdk.scopes import GroupsScopes
from tests.support.platform import access_token, new_identity


class User(t.NamedTuple):
    id: str
    client: GroupsClient


@pytest.fixture
def new_user(globus_local_server: LocalServer) -> t.Callable[[], User]:
    def make() -> User:
        identity = new_identity(globus_local_server.db, "sdk")
        tokens = globus_local_server.token(identity["username"], [GroupsScopes.all])
        token = access_token(tokens, "groups.api.globus.org")
        return User(identity["id"], GroupsClient(authorizer=AccessTokenAuthorizer(token)))

    return make


def test_groups_client_methods(new_user: t.Callable[[], User]) -> None:
    alice, bob = new_user(), new_user()
    gc = alice.client
    assert gc.resource_server == "groups.api.globus.org"

    group = gc.create_group({"name": "SDK group", "description": "made by the SDK"})
    gid = group["id"]
    assert [g["id"] for g in gc.get_my_groups().data] == [gid]
    assert gc.get_group(gid)["name"] == "SDK group"

    policies = GroupPolicies(
        is_high_assurance=False,
        group_visibility=GroupVisibility.authenticated,
        group_members_visibility=GroupMemberVisibility.members,
        join_requests=True,
        signup_fields=[GroupRequiredSignupFields.institution],
    )
    assert gc.set_group_policies(gid, policies)["join_requests"] is True
    assert gc.get_group_policies(gid)["signup_fields"] == ["institution"]

    prefs = gc.get_identity_preferences()
    assert prefs[alice.id] == {"allow_add": True}
    gc.set_identity_preferences({alice.id: {"allow_add": False}})
    assert gc.get_identity_preferences()[alice.id]["allow_add"] is False

    gc.set_membership_fields(gid, {alice.id: {"institution": "Example U"}})
    assert gc.get_membership_fields(gid)[alice.id] == {"institution": "Example U"}

    batch = BatchMembershipActions().add_members([bob.id], role=GroupRole.manager)
    result = gc.batch_membership_action(gid, batch)
    assert result["add"][0]["role"] == "manager"
    assert [g["id"] for g in bob.client.get_my_groups().data] == [gid]

    deleted = gc.delete_group(gid)
    assert deleted["id"] == gid
    with pytest.raises(GroupsAPIError) as excinfo:
        gc.get_group(gid)
    assert excinfo.value.http_status == 404
    assert excinfo.value.code == "NOT_FOUND"


def test_groups_manager_methods(new_user: t.Callable[[], User]) -> None:
    alice, bob, carol = new_user(), new_user(), new_user()
    groups = GroupsManager(alice.client)
    gid = groups.create_group("Manager group", "via GroupsManager")["id"]
    sub = groups.create_group("Sub", "child", parent_id=gid)
    assert sub["parent_id"] == gid

    groups.set_group_policies(
        gid,
        is_high_assurance=False,
        group_visibility=GroupVisibility.authenticated,
        group_members_visibility=GroupMemberVisibility.managers,
        join_requests=True,
        signup_fields=[],
        authentication_assurance_timeout=7200,
    )
    assert alice.client.get_group_policies(gid)["authentication_assurance_timeout"] == 7200

    assert groups.add_member(gid, bob.id)["add"][0]["status"] == "active"
    assert groups.remove_member(gid, bob.id)["remove"][0]["status"] == "removed"
    assert groups.invite_member(gid, bob.id, role=GroupRole.manager)["invite"][0]["role"] == (
        "manager"
    )
    bob_groups = GroupsManager(bob.client)
    assert bob_groups.accept_invite(gid, bob.id)["accept"][0]["status"] == "active"
    assert bob_groups.leave(gid, bob.id)["leave"][0]["status"] == "left"

    groups.invite_member(gid, carol.id)
    carol_groups = GroupsManager(carol.client)
    assert carol_groups.decline_invite(gid, carol.id)["decline"][0]["status"] == "declined"
    assert carol_groups.request_join(gid, carol.id)["request_join"][0]["status"] == "pending"
    assert groups.reject_join_request(gid, carol.id)["reject"][0]["status"] == "rejected"
    assert carol_groups.request_join(gid, carol.id)["request_join"][0]["status"] == "pending"
    assert groups.approve_pending(gid, carol.id)["approve"][0]["status"] == "active"

    groups.remove_member(gid, carol.id)
    groups.invite_member(gid, carol.id)
    assert carol_groups.join(gid, carol.id)["join"][0]["status"] == "active"


def test_default_constructed_manager_reaches_the_server(globus_local_server: LocalServer) -> None:
    # With no authorizer the server answers 401 — proof the request went to globus-local.
    with pytest.raises(globus_sdk.GroupsAPIError) as excinfo:
        GroupsManager().client.get_my_groups()
    assert excinfo.value.http_status == 401
    assert excinfo.value.raw_json["request_id"]
