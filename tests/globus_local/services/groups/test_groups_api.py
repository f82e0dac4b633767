"""Groups API v2 over HTTP: group CRUD, policies, preferences, membership fields."""

from __future__ import annotations

import typing as t
import uuid

import pytest

from globus_sdk import (
    GroupMemberVisibility,
    GroupPolicies,
    GroupRequiredSignupFields,
    GroupsAPIError,
    GroupVisibility,
)

from .support import GroupsUser, MakeUser


def test_create_group_makes_creator_admin(admin: GroupsUser) -> None:
    resp = admin.client.create_group({"name": "Rough Riders", "description": "No stairs."})
    assert resp.http_status == 201
    group = resp.data
    uuid.UUID(group["id"])
    assert group["name"] == "Rough Riders"
    assert group["description"] == "No stairs."
    assert group["parent_id"] is None
    assert group["group_type"] == "regular"
    assert group["policies"] == {
        "is_high_assurance": False,
        "authentication_assurance_timeout": 28800,
        "group_visibility": "private",
        "group_members_visibility": "managers",
        "join_requests": False,
        "signup_fields": [],
    }
    [mine] = group["my_memberships"]
    assert mine["identity_id"] == admin.id
    assert mine["username"] == admin.username
    assert (mine["role"], mine["status"]) == ("admin", "active")
    assert mine["updated"].endswith("+00:00")


def test_create_group_with_policies(admin: GroupsUser) -> None:
    group = admin.client.create_group(
        {
            "name": "open",
            "policies": {"group_visibility": "authenticated", "join_requests": True},
        }
    ).data
    policies = admin.client.get_group_policies(group["id"]).data
    assert policies["group_visibility"] == "authenticated"
    assert policies["join_requests"] is True
    assert policies["group_members_visibility"] == "managers"


def test_my_groups_is_a_bare_array(admin: GroupsUser, group_id: str) -> None:
    resp = admin.client.get_my_groups()
    assert isinstance(resp.data, list)
    [group] = [g for g in resp.data if g["id"] == group_id]
    assert group["my_memberships"][0]["role"] == "admin"
    assert "memberships" not in group


def test_get_group_includes(admin: GroupsUser, group_id: str) -> None:
    plain = admin.client.get_group(group_id).data
    assert plain["id"] == group_id
    assert plain["child_ids"] is None
    for key in ("memberships", "my_memberships", "policies", "allowed_actions"):
        assert key not in plain
    full = admin.client.get_group(
        group_id,
        query_params={"include": "memberships,my_memberships,policies,allowed_actions,child_ids"},
    ).data
    assert [m["identity_id"] for m in full["memberships"]] == [admin.id]
    assert full["my_memberships"][0]["identity_id"] == admin.id
    assert full["policies"]["group_visibility"] == "private"
    assert full["child_ids"] == []
    actions = full["allowed_actions"]
    assert set(actions) == {
        "add", "change_role", "invite", "remove", "join", "request_join",
        "approve", "reject", "accept", "leave", "decline",
    }  # fmt: skip
    for action in ("add", "invite", "remove", "approve", "reject", "change_role", "leave"):
        assert actions[action] == [admin.id]
    assert actions["accept"] == actions["join"] == []
    # repeated query keys work too
    repeated = admin.http("GET", f"groups/{group_id}", params=[("include", "policies")] * 2)
    assert repeated.status_code == 200 and "policies" in repeated.json()


def test_update_group(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    resp = admin.client.put(
        f"/groups/{group_id}",
        data={"name": "Renamed", "description": "new", "terms_and_conditions": "be nice"},
    )
    assert resp["name"] == "Renamed"
    assert admin.client.get_group(group_id)["terms_and_conditions"] == "be nice"
    member = make_user("member")
    admin.manager.add_member(group_id, member.id)
    with pytest.raises(GroupsAPIError) as excinfo:
        member.client.put(f"/groups/{group_id}", data={"name": "mine now"})
    assert excinfo.value.http_status == 403
    assert admin.client.get_group(group_id)["name"] == "Renamed"
    with pytest.raises(GroupsAPIError) as excinfo:
        admin.client.put(f"/groups/{group_id}", data={"name": 12})
    assert excinfo.value.http_status == 400


def test_delete_group(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    manager = make_user("manager")
    admin.manager.add_member(group_id, manager.id, role="manager")  # type: ignore[arg-type]
    with pytest.raises(GroupsAPIError) as excinfo:
        manager.client.delete_group(group_id)
    assert excinfo.value.http_status == 403
    deleted = admin.client.delete_group(group_id)
    assert deleted["id"] == group_id
    with pytest.raises(GroupsAPIError) as excinfo:
        admin.client.get_group(group_id)
    assert excinfo.value.http_status == 404
    assert group_id not in {g["id"] for g in manager.client.get_my_groups().data}


def test_subgroups(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    child = admin.manager.create_group("child", "sub", parent_id=group_id).data
    assert child["parent_id"] == group_id
    parent = admin.client.get_group(group_id, query_params={"include": "child_ids"}).data
    assert parent["child_ids"] == [child["id"]]
    children = admin.client.get(f"/groups/{group_id}/children").data["children"]
    assert [c["id"] for c in children] == [child["id"]]
    # a group with subgroups cannot be deleted
    with pytest.raises(GroupsAPIError) as excinfo:
        admin.client.delete_group(group_id)
    assert excinfo.value.http_status == 409
    # only admins of the parent may create subgroups
    member = make_user("member")
    admin.manager.add_member(group_id, member.id)
    with pytest.raises(GroupsAPIError) as excinfo:
        member.manager.create_group("nope", "x", parent_id=group_id)
    assert excinfo.value.http_status == 403
    admin.client.delete_group(child["id"])
    admin.client.delete_group(group_id)


def test_policies_roundtrip(admin: GroupsUser, group_id: str) -> None:
    policies = GroupPolicies(
        is_high_assurance=False,
        group_visibility=GroupVisibility.authenticated,
        group_members_visibility=GroupMemberVisibility.members,
        join_requests=True,
        signup_fields=[GroupRequiredSignupFields.institution, GroupRequiredSignupFields.country],
        authentication_assurance_timeout=3600,
    )
    resp = admin.client.set_group_policies(group_id, policies)
    assert resp.data == dict(policies)
    assert admin.client.get_group_policies(group_id).data == dict(policies)


@pytest.mark.parametrize(
    "body",
    [
        {"group_visibility": "public"},
        {"group_members_visibility": "everyone"},
        {"join_requests": "yes"},
        {"signup_fields": ["shoe_size"]},
        {"authentication_assurance_timeout": -5},
        ["not", "an", "object"],
    ],
)
def test_bad_policies_rejected(admin: GroupsUser, group_id: str, body: t.Any) -> None:
    resp = admin.http("PUT", f"groups/{group_id}/policies", json=body)
    assert resp.status_code == 400
    doc = resp.json()
    assert doc["code"] == "BAD_REQUEST" and doc["detail"] and doc["request_id"]
    assert admin.client.get_group_policies(group_id)["group_visibility"] == "private"


def test_only_admins_set_policies(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    manager = make_user("manager")
    admin.manager.add_member(group_id, manager.id, role="manager")  # type: ignore[arg-type]
    assert manager.client.get_group_policies(group_id)["join_requests"] is False
    with pytest.raises(GroupsAPIError) as excinfo:
        manager.manager.set_group_policies(
            group_id,
            is_high_assurance=False,
            group_visibility=GroupVisibility.authenticated,
            group_members_visibility=GroupMemberVisibility.members,
            join_requests=True,
            signup_fields=[],
        )
    assert excinfo.value.http_status == 403
    assert manager.client.get_group_policies(group_id)["join_requests"] is False


def test_identity_preferences(make_user: MakeUser, admin: GroupsUser, group_id: str) -> None:
    user = make_user("shy")
    assert user.client.get_identity_preferences().data == {user.id: {"allow_add": True}}
    resp = user.client.set_identity_preferences({user.id: {"allow_add": False}})
    assert resp.data == {user.id: {"allow_add": False}}
    assert user.client.get_identity_preferences().data == {user.id: {"allow_add": False}}
    # the preference is honoured: admins must invite instead of adding
    result = admin.manager.add_member(group_id, user.id).data
    assert result["add"] == []
    assert result["errors"]["add"][0]["code"] == "ADD_NOT_ALLOWED"
    invited = admin.manager.invite_member(group_id, user.id).data
    assert invited["invite"][0]["status"] == "invited"
    # nobody sets preferences for someone else's identity
    with pytest.raises(GroupsAPIError) as excinfo:
        admin.client.set_identity_preferences({user.id: {"allow_add": True}})
    assert excinfo.value.http_status == 403
    bad = user.http("PUT", "preferences", json={user.id: {"allow_add": "maybe"}})
    assert bad.status_code == 400


def test_membership_fields(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    assert admin.client.get_membership_fields(group_id).data == {admin.id: {}}
    resp = admin.client.set_membership_fields(
        group_id, {admin.id: {"institution": "Uni", "department": "Physics"}}
    )
    assert resp.data == {admin.id: {"institution": "Uni", "department": "Physics"}}
    group = admin.client.get_group(group_id, query_params={"include": "my_memberships"}).data
    assert group["my_memberships"][0]["membership_fields"]["institution"] == "Uni"
    other = make_user("other")
    bad = admin.http("PUT", f"groups/{group_id}/membership_fields", json={other.id: {}})
    assert bad.status_code == 403
    bad = admin.http(
        "PUT", f"groups/{group_id}/membership_fields", json={admin.id: {"shoe_size": "9"}}
    )
    assert bad.status_code == 400


def test_status_counts(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    invitee = make_user("invitee")
    admin.manager.invite_member(group_id, invitee.id)
    counts = admin.client.get("/groups/statuses").data
    assert counts[group_id]["active"] == 1
    assert counts[group_id]["invited"] == 1
    assert group_id not in invitee.client.get("/groups/statuses").data
