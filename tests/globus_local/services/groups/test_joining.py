"""``join`` and ``request_join`` under each kind of group policy, over HTTP."""

from __future__ import annotations

import typing as t

import pytest

from .support import GroupsUser, MakeUser

OPEN = {"group_visibility": "authenticated", "join_requests": False}
BY_REQUEST = {"group_visibility": "authenticated", "join_requests": True}


def set_policies(admin: GroupsUser, group_id: str, **policies: t.Any) -> None:
    body = {
        "is_high_assurance": False,
        "group_visibility": "private",
        "group_members_visibility": "managers",
        "join_requests": False,
        "signup_fields": [],
        **policies,
    }
    resp = admin.http("PUT", f"groups/{group_id}/policies", json=body)
    assert resp.status_code == 200, resp.text


def act(user: GroupsUser, group_id: str, action: str, identity_id: str | None = None) -> t.Any:
    """``{action: [one membership]}`` on success, else ``(code, detail)`` of its error."""
    body = {action: [{"identity_id": identity_id or user.id}]}
    resp = user.http("POST", f"groups/{group_id}", json=body)
    assert resp.status_code == 200, resp.text
    doc = resp.json()
    if doc[action]:
        return doc[action][0]
    error = doc["errors"][action][0]
    return error["code"], error["detail"]


def allowed(user: GroupsUser, group_id: str) -> dict[str, list[str]]:
    resp = user.http("GET", f"groups/{group_id}", params={"include": "allowed_actions"})
    assert resp.status_code == 200, resp.text
    return t.cast(dict[str, list[str]], resp.json()["allowed_actions"])


def test_anyone_joins_an_open_group(admin: GroupsUser, group_id: str, make_user: MakeUser) -> None:
    a = make_user("a")
    set_policies(admin, group_id, **OPEN)
    assert allowed(a, group_id)["join"] == [a.id]
    assert allowed(a, group_id)["request_join"] == []
    code, detail = act(a, group_id, "request_join")
    assert code == "JOIN_REQUESTS_NOT_ALLOWED" and "join it directly" in detail
    joined = act(a, group_id, "join")
    assert (joined["identity_id"], joined["role"], joined["status"]) == (a.id, "member", "active")
    assert act(a, group_id, "join")[0] == "ALREADY_ACTIVE"
    assert allowed(a, group_id)["join"] == []
    # one's own identities only
    b = make_user("b")
    assert act(b, group_id, "join", a.id)[0] == "NOT_IN_IDENTITY_SET"


def test_a_group_taking_requests_needs_approval(
    admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    a = make_user("a")
    set_policies(admin, group_id, **BY_REQUEST)
    assert allowed(a, group_id)["join"] == []
    assert allowed(a, group_id)["request_join"] == [a.id]
    code, detail = act(a, group_id, "join")
    assert code == "JOIN_NOT_ALLOWED" and "request_join" in detail
    assert act(a, group_id, "request_join")["status"] == "pending"
    assert act(a, group_id, "join")[0] == "JOIN_NOT_ALLOWED"  # still waiting for approval
    assert admin.manager.approve_pending(group_id, a.id)["approve"][0]["status"] == "active"


@pytest.mark.parametrize(
    "policies, why",
    [
        ({"group_visibility": "authenticated", "is_high_assurance": True}, "high assurance"),
        ({"group_visibility": "authenticated", "signup_fields": ["institution"]}, "sign-up"),
    ],
    ids=["high-assurance", "signup-fields"],
)
def test_invitation_only_groups(
    admin: GroupsUser, group_id: str, make_user: MakeUser, policies: dict[str, t.Any], why: str
) -> None:
    a = make_user("a")
    set_policies(admin, group_id, **policies)
    assert allowed(a, group_id)["join"] == allowed(a, group_id)["request_join"] == []
    code, detail = act(a, group_id, "join")
    assert code == "JOIN_NOT_ALLOWED" and why in detail
    assert act(a, group_id, "request_join")[0] == "JOIN_REQUESTS_NOT_ALLOWED"
    # an invitation opens any group, with the role it offered
    admin.manager.invite_member(group_id, a.id, role="manager")
    assert allowed(a, group_id)["join"] == [a.id]
    joined = act(a, group_id, "join")
    assert (joined["role"], joined["status"]) == ("manager", "active")


def test_high_assurance_group_taking_requests(
    admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    a = make_user("a")
    set_policies(admin, group_id, is_high_assurance=True, **BY_REQUEST)
    assert act(a, group_id, "join")[0] == "JOIN_NOT_ALLOWED"
    assert act(a, group_id, "request_join")["status"] == "pending"


def test_private_groups_are_not_found_by_strangers(
    admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    a = make_user("a")
    for requests in (False, True):
        set_policies(admin, group_id, join_requests=requests)
        for action in ("join", "request_join"):
            resp = a.http("POST", f"groups/{group_id}", json={action: [{"identity_id": a.id}]})
            assert resp.status_code == 404, resp.text
            assert resp.json()["code"] == "NOT_FOUND"
    admin.manager.invite_member(group_id, a.id)
    assert act(a, group_id, "join")["status"] == "active"


def test_who_left_may_rejoin_but_who_was_removed_may_only_ask(
    admin: GroupsUser, group_id: str, make_user: MakeUser
) -> None:
    a, b = make_user("a"), make_user("b")
    set_policies(admin, group_id, **OPEN)
    admin.manager.add_member(group_id, a.id, role="manager")
    assert act(a, group_id, "leave")["status"] == "left"
    rejoined = act(a, group_id, "join")
    assert (rejoined["role"], rejoined["status"]) == ("member", "active")  # not the old role
    assert act(b, group_id, "join")["status"] == "active"
    admin.manager.remove_member(group_id, b.id)
    code, detail = act(b, group_id, "join")
    assert code == "JOIN_NOT_ALLOWED" and "removed" in detail
    set_policies(admin, group_id, **BY_REQUEST)
    assert act(b, group_id, "request_join")["status"] == "pending"
    admin.manager.reject_join_request(group_id, b.id)
    assert act(b, group_id, "request_join")["status"] == "pending"  # asking again is allowed
