"""Runs over HTTP: starting (input checks, scopes), Pass chains, Choice, Wait, Fail, the
hello_world provider, cancel, release, listing and the paged log."""

from __future__ import annotations

import typing as t

import pytest

from .support import FlowsUser, MakeUser, hello_world, pass_chain
from .test_flows_api import error_of, urn

CHOICE = {
    "StartAt": "Which",
    "States": {
        "Which": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                {
                    "And": [
                        {"Variable": "$.name", "IsPresent": True},
                        {"Variable": "$.name", "StringMatches": "a*"},
                    ],
                    "Next": "Named",
                },
            ],
            "Default": "Small",
        },
        "Big": {
            "Type": "Pass",
            "Parameters": {"size": "big"},
            "ResultPath": "$.result",
            "End": True,
        },
        "Named": {
            "Type": "Pass",
            "Parameters": {"size.$": "$.name"},
            "ResultPath": "$.result",
            "End": True,
        },
        "Small": {"Type": "Fail", "Error": "TooSmall", "Cause": "n was small"},
    },
}

SCHEMA = {
    "type": "object",
    "properties": {"n": {"type": "integer"}, "name": {"type": "string"}},
    "required": ["n"],
    "additionalProperties": False,
}


def codes(entries: list[dict[str, t.Any]]) -> list[str]:
    return [e["code"] for e in entries]


def tokens_gone(user: FlowsUser, run_id: str) -> None:
    """An ended run keeps none of the tokens it acted with."""
    from sqlalchemy import select

    from globus_local.services.flows.models import RunToken
    from tests.support.waiting import wait_until

    def gone() -> bool:
        with user.server.db.session() as session:
            return (
                session.scalars(select(RunToken).where(RunToken.run_id == run_id)).first() is None
            )

    wait_until(gone, f"run {run_id}'s tokens to be dropped")


def test_pass_chain_runs_to_success(owner: FlowsUser) -> None:
    flow = owner.create_flow(pass_chain(5))
    run = owner.run(flow, {"start": "go"}, label="five passes", tags=["t1"])
    assert run["status"] == "ACTIVE" and run["run_id"] == run["action_id"]
    assert run["flow_id"] == flow["id"] and run["label"] == "five passes" and run["tags"] == ["t1"]
    assert run["run_owner"] == urn(owner) and run["user_role"] == "run_owner"
    assert run["details"]["code"] == "FlowStarting"
    done = owner.wait_run(run["run_id"])
    assert done["status"] == "SUCCEEDED", done
    assert done["details"]["code"] == "FlowSucceeded"
    expected: t.Any = "go"
    for i in range(5):
        expected = {"step": i, "prev": expected}
    assert done["details"]["output"]["last"] == expected
    assert done["completion_time"] is not None
    log = owner.log(run["run_id"])
    assert codes(log) == ["FlowStarted", *["PassStarted", "PassCompleted"] * 5, "FlowSucceeded"]
    assert log[1]["details"]["state_name"] == "P0" and log[1]["description"]
    definition = owner.get(f"runs/{run['run_id']}/definition").json()
    assert definition == {"flow_id": flow["id"], "definition": pass_chain(5), "input_schema": {}}


def test_choice_flow_and_input_schema(owner: FlowsUser) -> None:
    flow = owner.create_flow(CHOICE, input_schema=SCHEMA)
    big = owner.run(flow, {"n": 11})
    named = owner.run(flow, {"n": 1, "name": "alice"})
    small = owner.run(flow, {"n": 1})
    assert owner.wait_run(big["run_id"])["details"]["output"]["result"] == {"size": "big"}
    assert owner.wait_run(named["run_id"])["details"]["output"]["result"] == {"size": "alice"}
    failed = owner.wait_run(small["run_id"])
    assert failed["status"] == "FAILED" and failed["details"]["code"] == "FlowFailed"
    assert failed["details"]["details"]["error"] == "TooSmall"
    # Input that breaks the schema is refused before anything runs.
    r = owner.start(flow, {"n": "eleven", "extra": 1})
    assert r.status_code == 400, r.text
    error = error_of(r)
    assert error["code"] == "BAD_REQUEST" and "$.n" in error["detail"]
    r = owner.post(f"flows/{flow['id']}/validate_run", json={"body": {"n": 3}})
    assert r.status_code == 200 and r.json() == {"message": "success"}
    r = owner.post(f"flows/{flow['id']}/validate_run", json={"body": {}})
    assert r.status_code == 400


def test_hello_world_flow(owner: FlowsUser) -> None:
    flow = owner.create_flow(hello_world())
    run = owner.run(flow, {"echo": "hi there"})
    done = owner.wait_run(run["run_id"])
    assert done["status"] == "SUCCEEDED", done
    result = done["details"]["output"]["hello"]
    assert result["status"] == "SUCCEEDED" and result["state_name"] == "Hello"
    assert result["details"]["hello"] == "hi there"
    assert codes(owner.log(run["run_id"])) == [
        "FlowStarted",
        "ActionStarted",
        "ActionCompleted",
        "FlowSucceeded",
    ]
    tokens_gone(owner, run["run_id"])


def test_wait_then_action_polled(owner: FlowsUser) -> None:
    """A Wait state and a slow action both let the run wait without holding a worker."""
    definition = {
        "StartAt": "Pause",
        "States": {
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Slow"},
            "Slow": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/hello_world",
                "Parameters": {"echo_string": "slow", "sleep_time": 2},
                "ResultPath": "$.slow",
                "End": True,
            },
        },
    }
    flow = owner.create_flow(definition)
    run = owner.run(flow, {})
    done = owner.wait_run(run["run_id"])
    assert done["status"] == "SUCCEEDED", done
    assert done["details"]["output"]["slow"]["details"]["hello"] == "slow"
    assert codes(owner.log(run["run_id"])) == [
        "FlowStarted",
        "WaitStarted",
        "WaitCompleted",
        "ActionStarted",
        "ActionCompleted",
        "FlowSucceeded",
    ]


def test_cancel_release_and_roles_on_runs(owner: FlowsUser, make_user: MakeUser) -> None:
    manager, monitor, stranger = make_user("manager"), make_user("monitor"), make_user("stranger")
    definition = {
        "StartAt": "Long",
        "States": {"Long": {"Type": "Wait", "Seconds": 600, "End": True}},
    }
    flow = owner.create_flow(definition)
    run = owner.run(flow, {}, run_managers=[urn(manager)], run_monitors=[urn(monitor)])
    rid = run["run_id"]
    owner.wait_run(rid, statuses=("ACTIVE",))
    # Releasing a run that has not ended is a conflict.
    r = owner.post(f"runs/{rid}/release")
    assert r.status_code == 409, r.text
    error = error_of(r)
    assert error["code"] == "STATE_CONFLICT" and "'ACTIVE'" in error["detail"]
    # Who sees and who manages.
    assert stranger.get(f"runs/{rid}").status_code == 404
    assert monitor.get(f"runs/{rid}").json()["user_role"] == "run_monitor"
    assert monitor.post(f"runs/{rid}/cancel").status_code == 403
    r = manager.put(f"runs/{rid}", json={"label": "renamed", "tags": ["x", "y"]})
    assert (
        r.status_code == 200 and r.json()["label"] == "renamed" and r.json()["tags"] == ["x", "y"]
    )
    listed = monitor.get("runs", params={"filter_flow_id": flow["id"]}).json()
    assert [x["run_id"] for x in listed["runs"]] == [rid]
    # The manager cancels: the run ends at once.
    r = manager.post(f"runs/{rid}/cancel")
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "FAILED" and r.json()["details"]["code"] == "FlowCanceled"
    assert codes(owner.log(rid))[-1] == "FlowCanceled"
    tokens_gone(owner, rid)
    # Now it may be released, and is gone.
    r = owner.post(f"runs/{rid}/release")
    assert r.status_code == 200 and r.json()["run_id"] == rid
    assert owner.get(f"runs/{rid}").status_code == 404


def test_cancel_cancels_the_running_action(owner: FlowsUser) -> None:
    from globus_local.services.actions.models import Action
    from globus_local.services.flows.models import Run
    from tests.support.waiting import wait_until

    definition = hello_world()
    definition["States"]["Hello"]["Parameters"] = {"echo_string": "x", "sleep_time": 120}
    flow = owner.create_flow(definition)
    rid = owner.run(flow, {})["run_id"]
    db = owner.server.db

    def action_id() -> str | None:
        with db.session() as session:
            run = session.get(Run, rid)
            return run.action_id if run is not None else None

    started = wait_until(action_id, "the action to start")
    r = owner.post(f"runs/{rid}/cancel")
    assert r.status_code == 202 and r.json()["status"] == "FAILED"
    assert owner.get(f"runs/{rid}").json()["status"] == "FAILED"

    def action_gone() -> bool:
        with db.session() as session:
            return session.get(Action, started) is None

    # Canceled at its provider and released there.
    wait_until(action_gone, "the action to be canceled and released")
    tokens_gone(owner, rid)


def test_log_paging(owner: FlowsUser) -> None:
    flow = owner.create_flow(pass_chain(6))
    rid = owner.run(flow, {"start": 0})["run_id"]
    owner.wait_run(rid)
    everything = owner.log(rid)
    assert len(everything) == 14
    pages, marker = [], None
    while True:
        params = {"limit": 4, **({"marker": marker} if marker else {})}
        page = owner.get(f"runs/{rid}/log", params=params).json()
        assert page["limit"] == 4 and len(page["entries"]) <= 4
        pages.append(page["entries"])
        if not page["has_next_page"]:
            break
        marker = page["marker"]
    assert [len(p) for p in pages] == [4, 4, 4, 2]
    assert [e for p in pages for e in p] == everything
    newest = owner.get(f"runs/{rid}/log", params={"limit": 2, "reverse_order": "true"}).json()
    assert newest["entries"] == everything[::-1][:2] and newest["has_next_page"]
    for bad in ({"limit": 0}, {"limit": 101}, {"marker": "garbage!"}):
        r = owner.get(f"runs/{rid}/log", params=bad)
        assert r.status_code == 400, (bad, r.text)
        assert error_of(r)["code"] == "BAD_REQUEST"


def test_legacy_automate_routes(owner: FlowsUser) -> None:
    from tests.support.platform import call

    flow = owner.create_flow(pass_chain(2))
    token = owner.flow_token(flow)
    body = {
        "request_id": "req-1",
        "body": {"start": 1},
        "label": "legacy",
        "monitor_by": [],
        "manage_by": [],
    }
    r = call(owner.base_url, "POST", f"flows/{flow['id']}/run", token, json=body)
    assert r.status_code == 201, r.text
    rid = r.json()["action_id"]
    owner.wait_run(rid)
    r = call(owner.base_url, "GET", f"flows/{flow['id']}/{rid}/status", token)
    assert r.status_code == 200 and r.json()["status"] == "SUCCEEDED"
    r = call(owner.base_url, "GET", f"flows/{flow['id']}/{rid}/log", token)
    assert r.status_code == 200 and r.json()["entries"][0]["code"] == "FlowStarted"
    r = owner.get(f"flows/{flow['id']}/runs")
    assert [x["run_id"] for x in r.json()["runs"]] == [rid]
    r = owner.get(f"flows/{flow['id']}/actions")
    assert [x["action_id"] for x in r.json()["actions"]] == [rid]
    r = call(
        owner.base_url, "POST", f"flows/{flow['id']}/dry-run", token, json={"body": {"start": 2}}
    )
    assert r.status_code == 200 and r.json()["valid"] is True
    r = owner.post("flows/dry-run", json={"definition": pass_chain(1)})
    assert r.status_code == 200 and r.json() == {"scopes": {}}
    r = call(owner.base_url, "POST", f"flows/{flow['id']}/{rid}/release", token)
    assert r.status_code == 200
    r = call(owner.base_url, "GET", f"flows/{flow['id']}/{rid}/status", token)
    assert r.status_code == 404


def test_missing_consent_makes_the_run_inactive_until_resumed(owner: FlowsUser) -> None:
    """A run that holds no token for an action's scope waits, INACTIVE, and goes on once
    resumed with a flow token (whose dependent tokens it then takes)."""
    from sqlalchemy import delete

    from globus_local.services.flows.models import RunToken
    from tests.support.platform import call

    definition = hello_world()
    definition["StartAt"] = "Pause"
    definition["States"]["Pause"] = {"Type": "Wait", "Seconds": 1, "Next": "Hello"}
    flow = owner.create_flow(definition)
    rid = owner.run(flow, {"echo": "later"})["run_id"]
    # What no server provokes on demand: the consent is gone by the time the action runs.
    with owner.server.db.session() as session:
        session.execute(delete(RunToken).where(RunToken.run_id == rid))
    inactive = owner.wait_run(rid, statuses=("INACTIVE",))
    assert inactive["details"]["code"] == "ConsentRequired"
    assert inactive["details"]["state_name"] == "Hello"
    assert (
        inactive["details"]["required_scope"]
        == "https://auth.globus.org/scopes/actions.globus.org/hello_world"
    )
    assert codes(owner.log(rid))[-1] == "FlowInactive"
    r = call(owner.base_url, "POST", f"runs/{rid}/resume", owner.flow_token(flow))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ACTIVE"
    done = owner.wait_run(rid)
    assert done["status"] == "SUCCEEDED", done
    assert done["details"]["output"]["hello"]["details"]["hello"] == "later"


def test_a_flow_runs_another_flow_as_its_action(owner: FlowsUser) -> None:
    inner = owner.create_flow(hello_world())
    outer_definition = {
        "StartAt": "Inner",
        "States": {
            "Inner": {
                "Type": "Action",
                "ActionUrl": f"https://flows.globus.org/flows/{inner['id']}",
                "Parameters": {"echo.$": "$.word"},
                "ResultPath": "$.inner",
                "End": True,
            }
        },
    }
    outer = owner.create_flow(outer_definition)
    r = owner.post("flows/validate", json={"definition": outer_definition})
    assert r.json() == {"scopes": {"User": [inner["globus_auth_scope"]]}}
    done = owner.wait_run(owner.run(outer, {"word": "nested"})["run_id"])
    assert done["status"] == "SUCCEEDED", done
    inner_run = done["details"]["output"]["inner"]
    assert inner_run["status"] == "SUCCEEDED" and inner_run["flow_id"] == inner["id"]
    assert inner_run["details"]["output"]["hello"]["details"]["hello"] == "nested"


def test_request_id_names_one_run(owner: FlowsUser) -> None:
    flow = owner.create_flow(pass_chain(1))
    first = owner.run(flow, {"start": 1}, request_id="once")
    again = owner.run(flow, {"start": 1}, request_id="once")
    assert again["run_id"] == first["run_id"]
    r = owner.start(flow, {"start": 2}, request_id="once")
    assert r.status_code == 409 and error_of(r)["code"] == "CONFLICT"
    assert owner.run(flow, {"start": 1}, request_id="twice")["run_id"] != first["run_id"]


def test_run_as_flow_acts_as_the_flows_identity(owner: FlowsUser) -> None:
    definition = hello_world()
    definition["States"]["Hello"]["RunAs"] = "Flow"
    flow = owner.create_flow(definition)
    done = owner.wait_run(owner.run(flow, {"echo": "as flow"})["run_id"])
    assert done["status"] == "SUCCEEDED", done
    assert done["details"]["output"]["hello"]["creator_id"] == flow["principal_urn"]
    plain = owner.create_flow(hello_world())
    done = owner.wait_run(owner.run(plain, {"echo": "as me"})["run_id"])
    assert done["details"]["output"]["hello"]["creator_id"] == urn(owner)


def test_run_as_a_role_acts_with_the_token_given_for_it(
    owner: FlowsUser, make_user: MakeUser
) -> None:
    """A state that runs as a named role uses the token the starter put in ``_tokens``;
    that object is never stored with the run or shown."""
    from globus_local.services.auth.scopes import ACTIONS_RS, AP_HELLO_WORLD
    from tests.support.platform import access_token

    curator = make_user("curator")
    curator_token = access_token(owner.server.token(curator.username, [AP_HELLO_WORLD]), ACTIONS_RS)
    definition = hello_world()
    definition["States"]["Hello"]["RunAs"] = "Curator"
    flow = owner.create_flow(definition)
    missing = owner.start(flow, {"echo": "x"})
    assert missing.status_code == 400 and "_tokens.Curator" in error_of(missing)["detail"]
    rid = owner.run(flow, {"echo": "as curator", "_tokens": {"Curator": curator_token}})["run_id"]
    done = owner.wait_run(rid)
    assert done["status"] == "SUCCEEDED", done
    assert done["details"]["output"]["hello"]["creator_id"] == urn(curator)
    assert curator_token not in str(done) and "_tokens" not in str(done)
    assert all(curator_token not in str(e) for e in owner.log(rid))
    assert curator_token not in str(owner.get(f"runs/{rid}/definition").json())


def test_private_values_are_hidden_from_non_admins(owner: FlowsUser, make_user: MakeUser) -> None:
    from .test_flows_api import SECRET_DEFINITION

    starter = make_user("starter")
    flow = owner.create_flow(SECRET_DEFINITION, flow_starters=[urn(starter)])
    rid = starter.run(flow, {"user": "bob", "_private_note": "psst"}, run_monitors=[urn(owner)])[
        "run_id"
    ]
    done = starter.wait_run(rid)
    assert done["status"] == "SUCCEEDED"
    assert done["details"]["output"]["shaped"] == {"user": "bob"}
    assert "_private_note" not in done["details"]["output"]
    assert all("hunter2" not in str(e) and "psst" not in str(e) for e in starter.log(rid))
    # The flow's owner, an administrator of it, sees what the run was given.
    seen = owner.get(f"runs/{rid}").json()
    assert seen["details"]["output"]["shaped"]["password"] == "hunter2"


def test_an_action_past_its_wait_time_is_caught_as_timed_out(owner: FlowsUser) -> None:
    definition = hello_world()
    hello = definition["States"]["Hello"]
    hello["Parameters"] = {"echo_string": "slow", "sleep_time": 60}
    hello["WaitTime"] = 2
    hello["Catch"] = [{"ErrorEquals": ["ActionTimeout"], "ResultPath": "$.late", "Next": "Late"}]
    definition["States"]["Late"] = {"Type": "Pass", "End": True}
    flow = owner.create_flow(definition)
    done = owner.wait_run(owner.run(flow, {})["run_id"], timeout=30)
    assert done["status"] == "SUCCEEDED", done
    late = done["details"]["output"]["late"]
    assert late["status"] == "ACTIVE"


@pytest.mark.timeout(120)
def test_a_run_whose_job_keeps_failing_fails(
    owner: FlowsUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What no server provokes on demand: an error the engine cannot get past. The queue
    tries the job again; on its last try the run fails instead of staying ACTIVE."""
    from globus_local.services.flows import providers

    def broken(*_: t.Any, **__: t.Any) -> t.NoReturn:
        raise RuntimeError("engine fault")

    monkeypatch.setattr(providers, "run_action", broken)
    flow = owner.create_flow(hello_world())
    done = owner.wait_run(owner.run(flow, {"echo": "x"})["run_id"], timeout=90)
    assert done["status"] == "FAILED", done
    assert done["details"]["details"] == {
        "error": "States.Runtime",
        "cause": "RuntimeError: engine fault",
    }
    tokens_gone(owner, done["run_id"])
