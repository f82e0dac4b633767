"""Payload builders and enums of the Groups helpers."""

from __future__ import annotations

import json
import uuid

import pytest

import globus_sdk
from globus_sdk import (
    BatchMembershipActions,
    GroupMemberVisibility,
    GroupPolicies,
    GroupRequiredSignupFields,
    GroupRole,
    GroupVisibility,
)

A = "ae332d86-d274-11e5-b885-b31714a110e9"
B = "46bd0f56-e24f-11e5-a510-131bef46955c"


def test_enum_values() -> None:
    assert [r.value for r in GroupRole] == ["member", "manager", "admin"]
    assert {v.value for v in GroupVisibility} == {"authenticated", "private"}
    assert {v.value for v in GroupMemberVisibility} == {"members", "managers"}
    assert len(GroupRequiredSignupFields) == 12
    assert GroupRequiredSignupFields.field_of_science.value == "field_of_science"
    assert GroupRole("admin") is GroupRole.admin


def test_top_level_names_are_the_module_objects() -> None:
    from globus_sdk.services.groups import data

    assert globus_sdk.GroupRole is data.GroupRole
    assert globus_sdk.BatchMembershipActions is data.BatchMembershipActions
    assert globus_sdk.GroupsClient.__module__ == "globus_sdk.services.groups.client"


@pytest.mark.parametrize(
    "method, key",
    [
        ("accept_invites", "accept"),
        ("approve_pending", "approve"),
        ("decline_invites", "decline"),
        ("join", "join"),
        ("leave", "leave"),
        ("reject_join_requests", "reject"),
        ("remove_members", "remove"),
        ("request_join", "request_join"),
    ],
)
def test_identity_only_actions(method: str, key: str) -> None:
    actions = BatchMembershipActions()
    returned = getattr(actions, method)([A, uuid.UUID(B)])
    assert returned is actions
    assert dict(actions) == {key: [{"identity_id": A}, {"identity_id": B}]}


@pytest.mark.parametrize("method, key", [("add_members", "add"), ("invite_members", "invite")])
def test_role_actions(method: str, key: str) -> None:
    actions = BatchMembershipActions()
    getattr(actions, method)([A])
    getattr(actions, method)(B, role=GroupRole.manager)  # a lone id is one item
    assert actions[key] == [
        {"identity_id": A, "role": "member"},
        {"identity_id": B, "role": "manager"},
    ]
    # serializes as plain JSON
    assert json.loads(json.dumps(actions.data)) == dict(actions)


def test_chaining_builds_one_payload() -> None:
    actions = BatchMembershipActions().add_members([A], role=GroupRole.admin).remove_members([B])
    assert dict(actions) == {
        "add": [{"identity_id": A, "role": "admin"}],
        "remove": [{"identity_id": B}],
    }


def test_batch_init_like_a_dict() -> None:
    actions = BatchMembershipActions({"leave": [{"identity_id": A}]})
    actions.leave([B])
    assert actions["leave"] == [{"identity_id": A}, {"identity_id": B}]


def test_group_policies_payload() -> None:
    policies = GroupPolicies(
        is_high_assurance=False,
        group_visibility=GroupVisibility.authenticated,
        group_members_visibility=GroupMemberVisibility.members,
        join_requests=True,
        signup_fields=[GroupRequiredSignupFields.institution, GroupRequiredSignupFields.zip],
    )
    assert dict(policies) == {
        "is_high_assurance": False,
        "group_visibility": "authenticated",
        "group_members_visibility": "members",
        "join_requests": True,
        "signup_fields": ["institution", "zip"],
    }
    assert json.loads(json.dumps(policies.data)) == dict(policies)


def test_group_policies_timeout_and_plain_strings() -> None:
    policies = GroupPolicies(
        is_high_assurance=True,
        group_visibility="private",  # type: ignore[arg-type]
        group_members_visibility="managers",  # type: ignore[arg-type]
        join_requests=False,
        signup_fields=[],
        authentication_assurance_timeout=3600,
    )
    assert policies["authentication_assurance_timeout"] == 3600
    assert policies["group_visibility"] == "private"
    assert policies["signup_fields"] == []
