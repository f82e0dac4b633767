"""Batch membership actions: per-action results, per-identity errors, role rules."""

from __future__ import annotations

import typing as t
import uuid

import pytest

from globus_sdk import BatchMembershipActions, GroupRole, GroupsAPIError

from .support import GroupsUser, MakeUser


def membership(user: GroupsUser, as_seen_by: GroupsUser, group_id: str) -> dict[str, t.Any] | None:
    group = as_seen_by.client.get_group(group_id, query_params={"include": "memberships"}).data
    found = [m for m in group["memberships"] if m["identity_id"] == user.id]
    return found[0] if found else None


def test_add_and_remove(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    a, b = make_user("a"), make_user("b")
    actions = BatchMembershipActions().add_members([a.id, b.id])
    result = admin.client.batch_membership_action(group_id, actions).data
    assert [(m["identity_id"], m["role"], m["status"]) for m in result["add"]] == [
        (a.id, "member", "active"),
        (b.id, "member", "active"),
    ]
    assert result["add"][0]["username"] == a.username
    assert result["add"][0]["group_id"] == group_id
    assert result["errors"] == {}
    # adding again is an error for that identity only
    again = admin.manager.add_member(group_id, a.id).data
    assert again["add"] == []
    assert again["errors"]["add"] == [
        {
            "identity_id": a.id,
            "code": "ALREADY_ACTIVE",
            "detail": "The identity is already an active member of the group.",
        }
    ]
    removed = admin.manager.remove_member(group_id, a.id).data
    assert removed["remove"][0]["status"] == "removed"
    assert membership(a, admin, group_id)["status"] == "removed"  # type: ignore[index]
    assert a.client.get_my_groups().data == []


def test_mixed_batch_reports_each_action(
    admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    a, b = make_user("a"), make_user("b")
    admin.manager.add_member(group_id, a.id)
    stranger = str(uuid.uuid4())
    actions = (
        BatchMembershipActions()
        .invite_members([b.id], role=GroupRole.manager)
        .remove_members([a.id])
        .approve_pending([stranger])
    )
    result = admin.client.batch_membership_action(group_id, actions).data
    assert result["invite"][0]["status"] == "invited"
    assert result["invite"][0]["role"] == "manager"
    assert result["invite"][0]["invite_time"]
    assert result["remove"][0]["status"] == "removed"
    assert result["approve"] == []
    assert result["errors"]["approve"][0]["code"] == "NO_MEMBERSHIP"
    assert set(result["errors"]) == {"approve"}


def test_unknown_identity_cannot_be_added(admin: GroupsUser, group_id: str) -> None:
    ghost = str(uuid.uuid4())
    result = admin.manager.add_member(group_id, ghost).data
    assert result["add"] == []
    assert result["errors"]["add"][0]["identity_id"] == ghost
    assert result["errors"]["add"][0]["code"] == "IDENTITY_NOT_FOUND"


def test_invite_accept_and_decline(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    a, b = make_user("a"), make_user("b")
    admin.client.batch_membership_action(
        group_id, BatchMembershipActions().invite_members([a.id, b.id])
    )
    # invitees see the group in my_groups?statuses=invited and may view it
    invited = a.client.get_my_groups(query_params={"statuses": "invited"}).data
    assert [g["id"] for g in invited] == [group_id]
    assert a.client.get_my_groups().data == []
    accepted = a.manager.accept_invite(group_id, a.id).data
    assert accepted["accept"][0]["status"] == "active"
    declined = b.manager.decline_invite(group_id, b.id).data
    assert declined["decline"][0]["status"] == "declined"
    assert [g["id"] for g in a.client.get_my_groups().data] == [group_id]
    # accepting twice fails for that identity
    again = a.manager.accept_invite(group_id, a.id).data
    assert again["errors"]["accept"][0]["code"] == "NOT_INVITED"


def test_self_actions_only_for_own_identities(
    admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    a, b = make_user("a"), make_user("b")
    admin.manager.invite_member(group_id, a.id)
    admin.manager.add_member(group_id, b.id)
    result = b.manager.accept_invite(group_id, a.id).data
    assert result["errors"]["accept"][0]["code"] == "NOT_IN_IDENTITY_SET"
    result = admin.manager.leave(group_id, b.id).data
    assert result["errors"]["leave"][0]["code"] == "NOT_IN_IDENTITY_SET"
    assert membership(b, admin, group_id)["status"] == "active"  # type: ignore[index]


def test_request_join_approve_reject(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    a, b = make_user("a"), make_user("b")
    admin.client.set_group_policies(
        group_id,
        {
            "is_high_assurance": False,
            "group_visibility": "authenticated",
            "group_members_visibility": "managers",
            "join_requests": True,
            "signup_fields": [],
        },
    )
    for user in (a, b):
        pending = user.manager.request_join(group_id, user.id).data
        assert pending["request_join"][0]["status"] == "pending"
        assert pending["request_join"][0]["username"] == user.username
    twice = a.manager.request_join(group_id, a.id).data
    assert twice["errors"]["request_join"][0]["code"] == "ALREADY_PENDING"
    assert admin.manager.approve_pending(group_id, a.id)["approve"][0]["status"] == "active"
    assert admin.manager.reject_join_request(group_id, b.id)["reject"][0]["status"] == "rejected"
    # approving a non-pending membership is a per-identity error
    again = admin.manager.approve_pending(group_id, a.id).data
    assert again["errors"]["approve"][0]["code"] == "NOT_PENDING"


def test_request_join_needs_policy(admin: GroupsUser, make_user: MakeUser) -> None:
    group = admin.client.create_group(
        {"name": "visible", "policies": {"group_visibility": "authenticated"}}
    ).data
    a = make_user("a")
    result = a.manager.request_join(group["id"], a.id).data
    assert result["errors"]["request_join"][0]["code"] == "JOIN_REQUESTS_NOT_ALLOWED"


def test_members_cannot_manage(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    member, other = make_user("member"), make_user("other")
    admin.manager.add_member(group_id, member.id)
    for call in (
        lambda: member.manager.add_member(group_id, other.id),
        lambda: member.manager.invite_member(group_id, other.id),
        lambda: member.manager.remove_member(group_id, admin.id),
        lambda: member.manager.approve_pending(group_id, other.id),
    ):
        with pytest.raises(GroupsAPIError) as excinfo:
            call()
        assert excinfo.value.http_status == 403
        assert excinfo.value.code == "FORBIDDEN"
    assert membership(other, admin, group_id) is None


def test_manager_rights(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    manager, a, b = make_user("manager"), make_user("a"), make_user("b")
    admin.manager.add_member(group_id, manager.id, role=GroupRole.manager)
    assert manager.manager.add_member(group_id, a.id)["add"][0]["status"] == "active"
    # managers may not grant manager/admin roles, nor remove admins, nor change roles
    result = manager.manager.add_member(group_id, b.id, role=GroupRole.admin).data
    assert result["errors"]["add"][0]["code"] == "FORBIDDEN"
    result = manager.manager.remove_member(group_id, admin.id).data
    assert result["errors"]["remove"][0]["code"] == "FORBIDDEN"
    change = {"change_role": [{"identity_id": a.id, "role": "manager"}]}
    with pytest.raises(GroupsAPIError) as excinfo:
        manager.client.batch_membership_action(group_id, change)
    assert excinfo.value.http_status == 403
    assert manager.manager.remove_member(group_id, a.id)["remove"][0]["status"] == "removed"


def test_change_role(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    a = make_user("a")
    admin.manager.add_member(group_id, a.id)
    change = {"change_role": [{"identity_id": a.id, "role": "admin"}]}
    result = admin.client.batch_membership_action(group_id, change).data
    assert result["change_role"][0]["role"] == "admin"
    # with two admins the original one may step down and leave
    demote = {"change_role": [{"identity_id": admin.id, "role": "member"}]}
    assert admin.client.batch_membership_action(group_id, demote)["change_role"][0]["role"] == (
        "member"
    )
    with pytest.raises(GroupsAPIError):  # no longer an admin
        admin.client.batch_membership_action(group_id, change)
    # the last admin can neither leave nor be demoted
    assert a.manager.leave(group_id, a.id)["errors"]["leave"][0]["code"] == "LAST_ADMIN"
    self_demote = {"change_role": [{"identity_id": a.id, "role": "manager"}]}
    result = a.client.batch_membership_action(group_id, self_demote).data
    assert result["errors"]["change_role"][0]["code"] == "LAST_ADMIN"


def test_cannot_remove_self(admin: GroupsUser, group_id: str) -> None:
    result = admin.manager.remove_member(group_id, admin.id).data
    assert result["errors"]["remove"][0]["code"] == "CANNOT_REMOVE_SELF"


def test_leave_and_rejoin_rules(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    a = make_user("a")
    admin.manager.add_member(group_id, a.id)
    assert a.manager.leave(group_id, a.id)["leave"][0]["status"] == "left"
    # someone who left is not re-added against their will, but may be invited
    result = admin.manager.add_member(group_id, a.id).data
    assert result["errors"]["add"][0]["code"] == "MEMBER_LEFT"
    assert admin.manager.invite_member(group_id, a.id)["invite"][0]["status"] == "invited"


@pytest.mark.parametrize(
    "body",
    [
        ["add"],
        {"add": "someone"},
        {"add": [{"role": "member"}]},
        {"add": [{"identity_id": "not-a-uuid"}]},
        {"add": [{"identity_id": "46bd0f56-e24f-11e5-a510-131bef46955c", "role": "owner"}]},
        {"change_role": [{"identity_id": "46bd0f56-e24f-11e5-a510-131bef46955c", "role": 3}]},
        {"remove": ["46bd0f56-e24f-11e5-a510-131bef46955c"]},
    ],
)
def test_malformed_batches(admin: GroupsUser, group_id: str, body: t.Any) -> None:
    resp = admin.http("POST", f"groups/{group_id}", json=body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "BAD_REQUEST"


def test_identities_must_be_unique_across_actions(
    admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    a = make_user("a")
    body = BatchMembershipActions().add_members([a.id]).remove_members([a.id])
    resp = admin.http("POST", f"groups/{group_id}", json=body.data)
    assert resp.status_code == 400
    assert resp.json()["ambiguous_identities"] == [a.id]
    assert membership(a, admin, group_id) is None  # nothing happened
