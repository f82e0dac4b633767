"""Who sees which groups and which members."""

from __future__ import annotations

import typing as t

import pytest

from globus_sdk import GroupsAPIError

from .support import GroupsUser, MakeUser


def set_policies(admin: GroupsUser, group_id: str, **changes: t.Any) -> None:
    policies = dict(admin.client.get_group_policies(group_id).data)
    policies.update(changes)
    admin.client.set_group_policies(group_id, policies)


def visible_member_ids(user: GroupsUser, group_id: str) -> set[str] | None:
    group = user.client.get_group(group_id, query_params={"include": "memberships"}).data
    if "memberships" not in group:
        return None
    return {m["identity_id"] for m in group["memberships"]}


def test_private_group_invisible_to_outsiders(
    admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    outsider = make_user("outsider")
    for call in (
        lambda: outsider.client.get_group(group_id),
        lambda: outsider.client.get_group_policies(group_id),
        lambda: outsider.client.get_membership_fields(group_id),
        lambda: outsider.manager.request_join(group_id, outsider.id),
    ):
        with pytest.raises(GroupsAPIError) as excinfo:
            call()
        assert excinfo.value.http_status == 404
    assert outsider.client.get_my_groups().data == []


def test_invited_and_pending_see_private_group(
    admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    invitee, leaver = make_user("invitee"), make_user("leaver")
    admin.manager.invite_member(group_id, invitee.id)
    assert invitee.client.get_group(group_id)["id"] == group_id
    admin.manager.add_member(group_id, leaver.id)
    assert leaver.client.get_group(group_id)["id"] == group_id
    leaver.manager.leave(group_id, leaver.id)
    with pytest.raises(GroupsAPIError) as excinfo:
        leaver.client.get_group(group_id)
    assert excinfo.value.http_status == 404


def test_authenticated_group_visible_to_all(
    admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    set_policies(admin, group_id, group_visibility="authenticated")
    outsider = make_user("outsider")
    group = outsider.client.get_group(
        group_id, query_params={"include": "memberships,my_memberships,allowed_actions"}
    ).data
    assert group["id"] == group_id
    assert "memberships" not in group  # the group is public, its members are not
    assert group["my_memberships"] == []
    assert group["allowed_actions"]["add"] == []
    # public does not mean listed in my_groups
    assert outsider.client.get_my_groups().data == []


def test_member_list_visibility(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    manager, member, invitee = make_user("manager"), make_user("member"), make_user("invitee")
    admin.manager.add_member(group_id, manager.id, role="manager")  # type: ignore[arg-type]
    admin.manager.add_member(group_id, member.id)
    admin.manager.invite_member(group_id, invitee.id)
    everyone = {admin.id, manager.id, member.id, invitee.id}
    active = {admin.id, manager.id, member.id}

    # default policy: members visible to managers only
    assert visible_member_ids(admin, group_id) == everyone
    assert visible_member_ids(manager, group_id) == everyone
    assert visible_member_ids(member, group_id) is None
    assert visible_member_ids(invitee, group_id) is None

    # members policy: active members see the active members, invitees still see nobody
    set_policies(admin, group_id, group_members_visibility="members")
    assert visible_member_ids(member, group_id) == active
    assert visible_member_ids(invitee, group_id) is None
    assert visible_member_ids(manager, group_id) == everyone


def test_my_groups_statuses_filter(admin: GroupsUser, make_user: MakeUser) -> None:
    user = make_user("user")
    g1 = admin.manager.create_group("g1", "")["id"]
    g2 = admin.manager.create_group("g2", "")["id"]
    g3 = admin.manager.create_group("g3", "")["id"]
    admin.manager.add_member(g1, user.id)
    admin.manager.invite_member(g2, user.id)
    admin.manager.add_member(g3, user.id)
    user.manager.leave(g3, user.id)

    def ids(**params: str) -> set[str]:
        return {g["id"] for g in user.client.get_my_groups(query_params=params or None).data}

    assert ids() == {g1}
    assert ids(statuses="invited") == {g2}
    assert ids(statuses="active,invited,left") == {g1, g2, g3}
    repeated = user.http(
        "GET", "groups/my_groups", params=[("statuses", "left"), ("statuses", "active")]
    )
    assert {g["id"] for g in repeated.json()} == {g1, g3}
    [doc] = [g for g in user.client.get_my_groups(query_params={"statuses": "left"}).data]
    assert doc["my_memberships"][0]["status"] == "left"
