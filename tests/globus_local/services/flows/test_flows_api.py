"""The flows routes over HTTP: create, read, update, delete, validate, list with roles,
filters and marker paging, and Flows error documents."""

from __future__ import annotations

import typing as t

import pytest
import requests

from globus_local.services.auth.scopes import FLOWS_VIEW_FLOWS, TRANSFER_ALL

from .support import FlowsUser, MakeUser, pass_chain

SECRET_DEFINITION = {
    "StartAt": "Shape",
    "States": {
        "Shape": {
            "Type": "Pass",
            "Parameters": {
                "password": "hunter2",
                "user.$": "$.user",
                "__Private_Parameters": ["password"],
            },
            "ResultPath": "$.shaped",
            "End": True,
        }
    },
}


def error_of(r: requests.Response) -> dict[str, t.Any]:
    """The ``error`` of a Flows error document, checking the document's shape."""
    doc = r.json()
    assert set(doc) == {"error", "debug_id"}, doc
    assert {"code", "detail"} <= set(doc["error"]), doc
    return t.cast(dict[str, t.Any], doc["error"])


def urn(user: FlowsUser) -> str:
    return f"urn:globus:auth:identity:{user.id}"


def test_create_get_update_delete(owner: FlowsUser) -> None:
    flow = owner.create_flow(pass_chain(2), title="Two passes", keywords=["a", "b"], subtitle="sub")
    fid = flow["id"]
    assert flow["title"] == "Two passes" and flow["keywords"] == ["a", "b"]
    assert (
        flow["globus_auth_scope"]
        == f"https://auth.globus.org/scopes/{fid}/flow_{fid.replace('-', '_')}_user"
    )
    assert flow["flow_owner"] == urn(owner) and flow["user_role"] == "flow_owner"
    assert flow["principal_urn"] == f"urn:globus:auth:identity:{fid}"
    assert flow["action_url"].endswith(f"/flows/flows/{fid}")
    assert flow["created_at"].endswith("+00:00")
    got = owner.get(f"flows/{fid}").json()
    assert got["definition"] == pass_chain(2) and got["id"] == fid

    r = owner.put(f"flows/{fid}", json={"title": "Renamed", "flow_viewers": ["public"]})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Renamed" and r.json()["flow_viewers"] == ["public"]
    assert r.json()["updated_at"] >= flow["updated_at"]

    r = owner.delete(f"flows/{fid}")
    assert r.status_code == 200 and r.json()["id"] == fid and r.json()["deleted_at"]
    r = owner.get(f"flows/{fid}")
    assert r.status_code == 404 and error_of(r)["code"] == "NOT_FOUND"


def test_roles_decide_what_is_seen_and_done(owner: FlowsUser, make_user: MakeUser) -> None:
    viewer, admin, stranger = make_user("viewer"), make_user("admin"), make_user("stranger")
    flow = owner.create_flow(
        SECRET_DEFINITION,
        flow_viewers=[urn(viewer)],
        flow_administrators=[urn(admin)],
        run_monitors=[urn(viewer)],
    )
    fid = flow["id"]
    # A stranger does not learn the flow exists.
    r = stranger.get(f"flows/{fid}")
    assert r.status_code == 404 and error_of(r)["code"] == "NOT_FOUND"
    # A viewer sees it, without the role lists or the private parameters.
    seen = viewer.get(f"flows/{fid}").json()
    assert seen["user_role"] == "flow_viewer" and "run_monitor" in seen["user_roles"]
    assert seen["flow_viewers"] == [] and seen["flow_administrators"] == []
    params = seen["definition"]["States"]["Shape"]["Parameters"]
    assert "password" not in params and "user.$" in params
    # An administrator sees everything and may change it, but not hand the flow on.
    full = admin.get(f"flows/{fid}").json()
    assert full["flow_viewers"] == [urn(viewer)] and full["user_role"] == "flow_administrator"
    assert full["definition"]["States"]["Shape"]["Parameters"]["password"] == "hunter2"
    assert admin.put(f"flows/{fid}", json={"description": "by admin"}).status_code == 200
    r = admin.put(f"flows/{fid}", json={"flow_owner": urn(admin)})
    assert r.status_code == 403 and error_of(r)["code"] == "FORBIDDEN"
    # A viewer may not change or delete it.
    r = viewer.put(f"flows/{fid}", json={"title": "mine"})
    assert r.status_code == 403 and error_of(r)["code"] == "FORBIDDEN"
    assert viewer.delete(f"flows/{fid}").status_code == 403
    # Nor may a viewer start it.
    r = viewer.start(flow, {"user": "x"})
    assert r.status_code == 403 and error_of(r)["code"] == "FORBIDDEN"
    # The owner hands it on.
    r = owner.put(f"flows/{fid}", json={"flow_owner": urn(admin)})
    assert r.status_code == 200 and r.json()["flow_owner"] == urn(admin)


def test_public_and_all_authenticated(owner: FlowsUser, make_user: MakeUser) -> None:
    other = make_user("other")
    flow = owner.create_flow(
        pass_chain(1), flow_viewers=["public"], flow_starters=["all_authenticated_users"]
    )
    doc = other.get(f"flows/{flow['id']}").json()
    assert doc["user_role"] == "flow_starter"
    run = other.run(flow, {"start": 1})
    assert run["run_owner"] == urn(other)


def test_group_members_hold_the_groups_roles(owner: FlowsUser, make_user: MakeUser) -> None:
    from globus_local.services.auth.scopes import GROUPS_ALL
    from tests.support.platform import access_token, call

    member = make_user("member")
    server = owner.server
    groups_token = access_token(server.token(owner.username, [GROUPS_ALL]), "groups.api.globus.org")
    groups = server.service_url("groups") + "v2/"
    group = call(groups, "POST", "groups", groups_token, json={"name": "flow people"}).json()
    r = call(
        groups,
        "POST",
        f"groups/{group['id']}",
        groups_token,
        json={"add": [{"identity_id": member.id, "role": "member"}]},
    )
    assert r.status_code == 200, r.text
    flow = owner.create_flow(pass_chain(1), flow_viewers=[f"urn:globus:groups:id:{group['id']}"])
    assert member.get(f"flows/{flow['id']}").json()["user_role"] == "flow_viewer"


@pytest.mark.parametrize(
    ("definition", "state", "words"),
    [
        ({"StartAt": "Nope", "States": {"A": {"Type": "Pass", "End": True}}}, None, "Nope"),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Gone"}}}, "A", "Gone"),
        ({"StartAt": "A", "States": {"A": {"Type": "Task", "End": True}}}, "A", "Task"),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}, "A", "End"),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "OutputPath": "$"}}},
            "A",
            "OutputPath",
        ),
    ],
)
def test_bad_definitions_are_422_naming_state_and_rule(
    owner: FlowsUser,
    definition: dict,
    state: str | None,
    words: str,  # type: ignore[type-arg]
) -> None:
    for path in ("flows", "flows/validate"):
        r = owner.post(path, json={"title": "bad", "definition": definition, "input_schema": {}})
        assert r.status_code == 422, r.text
        error = error_of(r)
        assert error["code"] == "UNPROCESSABLE_ENTITY"
        detail = error["detail"]
        assert isinstance(detail, list) and detail[0]["type"] == "value_error"
        assert words in detail[0]["msg"] and "rule:" in detail[0]["msg"]
        if state is not None:
            assert detail[0]["loc"][:3] == ["definition", "States", state]
            assert f"State {state}" in error["message"]


def test_bad_bodies(owner: FlowsUser) -> None:
    r = owner.post("flows", json=["not", "an", "object"])
    assert r.status_code == 400 and error_of(r)["code"] == "BAD_REQUEST"
    r = owner.post("flows", json={"definition": pass_chain(1), "input_schema": {}})
    assert r.status_code == 422 and "title" in error_of(r)["message"]
    r = owner.post(
        "flows", json={"title": "x", "definition": pass_chain(1), "input_schema": {"type": 12}}
    )
    assert r.status_code == 422 and error_of(r)["detail"][0]["loc"] == ["input_schema"]
    r = owner.post(
        "flows", json={"title": "x", "definition": pass_chain(1), "flow_viewers": ["bob"]}
    )
    assert r.status_code == 422 and error_of(r)["detail"][0]["loc"] == ["flow_viewers", 0]


def test_validate_reports_scopes(owner: FlowsUser) -> None:
    definition = {
        "StartAt": "Copy",
        "States": {
            "Copy": {
                "Type": "Action",
                "ActionUrl": "https://transfer.actions.globus.org/transfer",
                "Parameters": {"source_endpoint.$": "$.src"},
                "ResultPath": "$.copy",
                "End": True,
            }
        },
    }
    r = owner.post("flows/validate", json={"definition": definition, "input_schema": {}})
    assert r.status_code == 200, r.text
    assert r.json() == {"scopes": {"User": [TRANSFER_ALL]}}


def test_listing_roles_filters_and_paging(owner: FlowsUser, make_user: MakeUser) -> None:
    starter = make_user("starter")
    made = [
        owner.create_flow(
            pass_chain(1), title=f"Listed {i}", flow_starters=[urn(starter)] if i % 2 else []
        )
        for i in range(5)
    ]
    ids = {f["id"] for f in made}
    r = owner.get("flows", params={"per_page": 2, "orderby": "title ASC"})
    assert r.status_code == 200, r.text
    seen: list[str] = []
    page = r.json()
    while True:
        assert page["limit"] == 2 and len(page["flows"]) <= 2
        seen += [f["title"] for f in page["flows"]]
        if not page["has_next_page"]:
            assert page["marker"] is None
            break
        page = owner.get(
            "flows", params={"per_page": 2, "orderby": "title ASC", "marker": page["marker"]}
        ).json()
    assert seen == sorted(seen) and {f"Listed {i}" for i in range(5)} <= set(seen)
    # A marker of another query is refused.
    marker = owner.get("flows", params={"per_page": 1}).json()["marker"]
    r = owner.get("flows", params={"per_page": 1, "orderby": "title DESC", "marker": marker})
    assert r.status_code == 400 and error_of(r)["code"] == "BAD_REQUEST"
    # Of these, the starter's list holds the two they may start, without role lists
    # (flows anyone may start are listed too).
    mine = starter.get("flows", params={"filter_roles": "flow_starters"}).json()["flows"]
    assert {f["id"] for f in mine} & ids == {made[1]["id"], made[3]["id"]}
    assert all(f["flow_starters"] == [] for f in mine)
    assert starter.get("flows", params={"filter_role": "flow_owner"}).json()["flows"] == []
    # Text filters.
    found = owner.get("flows", params={"filter_fulltext": "listed 3"}).json()["flows"]
    assert [f["id"] for f in found] == [made[3]["id"]]
    found = owner.get("flows", params={"filter_title": "LISTED 2"}).json()["flows"]
    assert [f["id"] for f in found] == [made[2]["id"]]
    assert ids >= {
        f["id"] for f in owner.get("flows", params={"filter_title": "Listed"}).json()["flows"]
    }
    r = owner.get("flows", params={"orderby": "nonsense DESC"})
    assert r.status_code == 400
    r = owner.get("flows", params={"filter_roles": "emperor"})
    assert r.status_code == 400


def test_tokens_and_scopes(owner: FlowsUser, make_user: MakeUser) -> None:
    from tests.support.platform import call

    flow = owner.create_flow(pass_chain(1))
    # No token: 401 in Flows' document.
    r = call(owner.base_url, "GET", f"flows/{flow['id']}")
    assert r.status_code == 401 and error_of(r)["code"] == "UNAUTHORIZED"
    # A view-only token may read but not create.
    viewer = make_user("viewonly", scopes=(FLOWS_VIEW_FLOWS,))
    assert viewer.get("flows").status_code == 200
    r = viewer.post("flows", json={"title": "x", "definition": pass_chain(1)})
    assert r.status_code == 403 and error_of(r)["code"] == "MISSING_SCOPE"
    # Starting a run takes the flow's own scope.
    r = owner.post(f"flows/{flow['id']}/run", json={"body": {}})
    assert r.status_code == 403 and error_of(r)["code"] == "MISSING_SCOPE"


def test_unknown_route_is_a_flows_error(owner: FlowsUser) -> None:
    r = owner.get("no/such/route")
    assert r.status_code == 404
    assert error_of(r)["code"] == "NOT_FOUND"
    r = owner.get("flows/not-a-uuid")
    assert r.status_code == 404 and error_of(r)["code"] == "NOT_FOUND"


def test_no_new_scope_for_a_platform_service(owner: FlowsUser) -> None:
    """An ActionScope Auth does not know is added only under a provider's own resource
    server, never under a platform service's."""
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Action",
                "ActionUrl": "https://example.org/ap",
                "ActionScope": "https://auth.globus.org/scopes/transfer.api.globus.org/sneaky",
                "Parameters": {},
                "End": True,
            }
        },
    }
    r = owner.post("flows", json={"title": "x", "definition": definition})
    assert r.status_code == 422, r.text
    assert error_of(r)["detail"][0]["loc"] == ["definition", "States", "A", "ActionScope"]
