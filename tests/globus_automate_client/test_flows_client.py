"""FlowsClient against the platform's Flows service: a Hello World flow deployed, run,
watched, canceled and removed, with the two authorizers the client documents."""

from __future__ import annotations

import typing as t
import uuid

import pytest

from globus_automate_client import AutomateAPIError, FlowsClient, FlowValidationError
from globus_automate_client.flows_client import RUN_MANAGE_SCOPE, RUN_STATUS_SCOPE
from tests.globus_automate_client.support import (
    HELLO_FLOW,
    HELLO_SCHEMA,
    AutomateUser,
    wait_until_done,
)


@pytest.fixture
def fc(automate_user: AutomateUser) -> FlowsClient:
    return automate_user.flows_client()


@pytest.fixture
def flow(fc: FlowsClient) -> dict[str, t.Any]:
    deployed = fc.deploy_flow(
        HELLO_FLOW,
        "Hello flow",
        subtitle="says hello",
        keywords=["hello", "test"],
        input_schema=HELLO_SCHEMA,
    )
    assert deployed.http_status == 201
    return t.cast(dict[str, t.Any], deployed.data)


def test_deploy_get_list_update_delete(
    fc: FlowsClient, flow: dict[str, t.Any], automate_user: AutomateUser
) -> None:
    flow_id = flow["id"]
    assert flow["title"] == "Hello flow"
    assert flow["keywords"] == ["hello", "test"]
    assert flow["flow_owner"] == automate_user.urn
    scope = flow["globus_auth_scope"]
    assert (
        scope == f"https://auth.globus.org/scopes/{flow_id}/flow_{flow_id.replace('-', '_')}_user"
    )
    assert fc.scope_for_flow(flow_id) == scope

    got = fc.get_flow(flow_id)
    assert got["definition"] == HELLO_FLOW
    assert got["input_schema"] == HELLO_SCHEMA

    listed = fc.list_flows(role="flow_owner", orderings={"created_at": "DESC"})
    assert flow_id in [f["id"] for f in listed["flows"]]
    titled = fc.list_flows(filters={"filter_title": "Hello flow"}, per_page=5)
    assert flow_id in [f["id"] for f in titled["flows"]]

    viewer = f"urn:globus:auth:identity:{uuid.uuid4()}"
    updated = fc.update_flow(flow_id, title="Renamed", flow_viewers=[viewer])
    assert updated["title"] == "Renamed"
    assert updated["subtitle"] == "says hello"  # left alone
    assert viewer in updated["flow_viewers"]

    assert fc.delete_flow(flow_id)["id"] == flow_id
    with pytest.raises(AutomateAPIError) as info:
        fc.get_flow(flow_id)
    assert info.value.http_status == 404
    assert info.value.code == "NOT_FOUND"


def test_run_to_success_with_status_log_and_listings(
    fc: FlowsClient, flow: dict[str, t.Any], automate_user: AutomateUser
) -> None:
    flow_id = flow["id"]
    monitor = f"urn:globus:auth:identity:{uuid.uuid4()}"
    run = fc.run_flow(
        flow_id,
        None,  # the scope is learned by introspecting the flow
        {"input": {"echo": "hi from a flow", "sleep": 0}},
        run_monitors=[monitor],
        label="hello run",
        tags=["sdk"],
    )
    run_id = run["action_id"]
    assert run["flow_id"] == flow_id
    assert run["label"] == "hello run"
    assert monitor in run["run_monitors"]

    done = wait_until_done(
        lambda: fc.flow_action_status(flow_id, flow["globus_auth_scope"], run_id)
    )
    assert done["status"] == "SUCCEEDED"
    output = done["details"]["output"]
    assert output["SayHello"]["details"] == {"Hello": "World", "hello": "hi from a flow"}

    log = fc.flow_action_log(flow_id, None, run_id, limit=100)
    codes = [entry["code"] for entry in log["entries"]]
    assert codes[0] == "FlowStarted"
    assert codes[-1] == "FlowSucceeded"
    newest = fc.flow_action_log(flow_id, None, run_id, limit=1, reverse_order=True)
    assert [e["code"] for e in newest["entries"]] == ["FlowSucceeded"]

    assert run_id in [r["run_id"] for r in fc.list_flow_runs(flow_id, None)["runs"]]
    assert run_id in [r["run_id"] for r in fc.list_flow_actions(flow_id=flow_id)["runs"]]
    everywhere = fc.enumerate_runs(statuses=["SUCCEEDED"], role="run_owner")
    assert run_id in [r["run_id"] for r in everywhere["runs"]]
    assert run_id in [r["run_id"] for r in fc.list_flow_runs()["runs"]]

    definition = fc.get_flow_definition_for_run(flow_id, None, run_id)
    assert definition["definition"] == HELLO_FLOW

    updated = fc.flow_action_update(run_id, run_managers=[monitor], tags=["sdk", "done"])
    assert updated["tags"] == ["sdk", "done"]
    assert monitor in updated["run_managers"]

    released = fc.flow_action_release(flow_id, None, run_id)
    assert released["run_id"] == run_id
    with pytest.raises(AutomateAPIError) as info:
        fc.flow_action_status(flow_id, None, run_id)
    assert info.value.http_status == 404


def test_cancel_a_running_flow(fc: FlowsClient, flow: dict[str, t.Any]) -> None:
    flow_id = flow["id"]
    run = fc.run_flow(flow_id, None, {"input": {"echo": "slow", "sleep": 300}}, label="slow")
    with pytest.raises(AutomateAPIError) as info:
        fc.flow_action_release(flow_id, None, run["action_id"])
    assert info.value.http_status == 409
    assert info.value.code == "STATE_CONFLICT"
    canceled = fc.flow_action_cancel(flow_id, None, run["action_id"])
    assert canceled["status"] in ("ACTIVE", "FAILED")
    done = wait_until_done(lambda: fc.flow_action_status(flow_id, None, run["action_id"]))
    assert done["status"] == "FAILED"
    assert done["details"]["code"] == "FlowCanceled"


def test_input_that_fails_the_schema_is_refused(fc: FlowsClient, flow: dict[str, t.Any]) -> None:
    with pytest.raises(AutomateAPIError) as info:
        fc.run_flow(flow["id"], None, {"input": {"echo": 5}}, label="bad input")
    assert info.value.http_status == 400
    assert info.value.message


def test_dry_runs_start_nothing(fc: FlowsClient, flow: dict[str, t.Any]) -> None:
    checked = fc.deploy_flow(HELLO_FLOW, "Dry flow", input_schema=HELLO_SCHEMA, dry_run=True)
    assert checked.http_status in (200, 201)
    assert fc.list_flows(filters={"filter_title": "Dry flow"})["flows"] == []
    before = fc.list_flow_runs(flow["id"], None)["runs"]
    fc.run_flow(flow["id"], None, {"input": {"echo": "dry", "sleep": 0}}, dry_run=True, label="dry")
    assert fc.list_flow_runs(flow["id"], None)["runs"] == before


def test_definitions_are_checked_before_sending(fc: FlowsClient) -> None:
    with pytest.raises(FlowValidationError, match="ActionUrl"):
        fc.deploy_flow({"StartAt": "A", "States": {"A": {"Type": "Action", "End": True}}}, "bad")
    # the service checks too, and answers in its own error document
    with pytest.raises(AutomateAPIError) as info:
        fc.deploy_flow(
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Next": "A"}}},
            "bad",
            validate_definition=False,
        )
    assert info.value.http_status in (400, 422)
    assert info.value.code in ("UNPROCESSABLE_ENTITY", "BAD_REQUEST")
    checked = fc.validate_flow(HELLO_FLOW, HELLO_SCHEMA)
    assert checked.http_status == 200


def test_an_authorizer_keyword_overrides_the_callback(
    flow: dict[str, t.Any], automate_user: AutomateUser
) -> None:
    def refuse(**kwargs: t.Any) -> t.Any:
        raise AssertionError(f"callback used for {kwargs}")

    fc = FlowsClient.new_client("client-id", refuse, automate_user.authorizer(RUN_MANAGE_SCOPE))
    token = automate_user.authorizer(flow["globus_auth_scope"])
    run = fc.run_flow(
        flow["id"],
        flow["globus_auth_scope"],
        {"input": {"echo": "x", "sleep": 0}},
        authorizer=token,
        label="kw",
    )
    status = fc.flow_action_status(flow["id"], "unused", run["action_id"], authorizer=token)
    assert status["run_id"] == run["action_id"]
    runs = fc.enumerate_runs(authorizer=automate_user.authorizer(RUN_STATUS_SCOPE))
    assert run["action_id"] in [r["run_id"] for r in runs["runs"]]
