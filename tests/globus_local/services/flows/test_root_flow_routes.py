"""Each flow's Action Provider routes at the Flows service's root (``<flows url><flow_id>``),
where the real automate client sends them: it joins ``/flows/<id>`` to the host of the
Flows URL, dropping the service's path."""

from __future__ import annotations

from tests.support.platform import call

from .support import FlowsUser, pass_chain


def test_a_flow_is_introspected_run_and_managed_at_the_root(owner: FlowsUser) -> None:
    flow = owner.create_flow(pass_chain(1))
    flow_id, token = flow["id"], owner.flow_token(flow)

    r = call(owner.base_url, "GET", flow_id, token)
    assert r.status_code == 200 and r.json()["globus_auth_scope"] == flow["globus_auth_scope"]
    for path in (f"{flow_id}/run/dry-run", f"{flow_id}/dry-run"):
        r = call(owner.base_url, "POST", path, token, json={"body": {"start": 1}})
        assert r.status_code == 200 and r.json()["valid"] is True, path

    r = call(owner.base_url, "POST", f"{flow_id}/run", token, json={"body": {"start": 1}})
    assert r.status_code == 201, r.text
    run_id = r.json()["action_id"]
    owner.wait_run(run_id)
    r = call(owner.base_url, "GET", f"{flow_id}/{run_id}/status", token)
    assert r.json()["status"] == "SUCCEEDED"
    r = call(owner.base_url, "GET", f"{flow_id}/{run_id}/log", token, params={"limit": 1})
    assert [e["code"] for e in r.json()["entries"]] == ["FlowStarted"]
    r = call(owner.base_url, "POST", f"{flow_id}/{run_id}/cancel", token)
    assert r.status_code == 200 and r.json()["status"] == "SUCCEEDED"  # ended: unchanged
    r = call(owner.base_url, "POST", f"{flow_id}/{run_id}/release", token)
    assert r.status_code == 200
    r = call(owner.base_url, "GET", f"{flow_id}/{run_id}/status", token)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_the_root_routes_check_the_token_and_the_flow(owner: FlowsUser) -> None:
    flow = owner.create_flow(pass_chain(1))
    r = call(owner.base_url, "POST", f"{flow['id']}/run", None, json={"body": {}})
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    r = call(owner.base_url, "GET", "00000000-0000-0000-0000-000000000000", owner.token)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    r = owner.get("flows/dry-run/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
