"""A flow of two transfer actions runs through the platform's Transfer provider, acting
with the user's dependent Transfer token, and copies the files through staging."""

from __future__ import annotations

from pathlib import Path

from globus_local.services.auth.scopes import TRANSFER_ALL

from .support import FlowsUser
from .transfer_flow import TWO_HOPS, endpoints, tree, write_files


def test_two_step_transfer_flow(owner: FlowsUser, tmp_path: Path) -> None:
    server = owner.server
    ids = endpoints(server.db, owner.username, tmp_path, "two-step")
    files = write_files(tmp_path / "source", 12)
    flow = owner.create_flow(TWO_HOPS, title="Two hops")
    assert flow["globus_auth_scopes_by_RunAs"] == {"User": flow["globus_auth_scope"]}
    run = owner.run(flow, ids)
    done = owner.wait_run(run["run_id"], timeout=120)
    assert done["status"] == "SUCCEEDED", done
    size = sum(len(v) for v in files.values())
    assert done["details"]["output"] == {
        "first": "SUCCEEDED",
        "first_files": 12,
        "second": "SUCCEEDED",
        "second_files": 12,
        "second_bytes": size,
    }
    assert tree(tmp_path / "destination" / "final") == files
    assert tree(tmp_path / "staging" / "stage") == files
    codes = [e["code"] for e in owner.log(run["run_id"])]
    assert codes.count("ActionStarted") == 2 and codes.count("ActionCompleted") == 2
    # The validate route names the provider scope the run's user token covers.
    r = owner.post("flows/validate", json={"definition": TWO_HOPS})
    assert r.json() == {"scopes": {"User": [TRANSFER_ALL]}}


def test_action_failure_is_caught(owner: FlowsUser, tmp_path: Path) -> None:
    """A transfer the provider refuses (an endpoint the user cannot reach) is an
    ActionUnableToRun that a Catch sends on."""
    definition = {
        "StartAt": "Copy",
        "States": {
            "Copy": {
                "Type": "Action",
                "ActionUrl": "https://transfer.actions.globus.org/transfer",
                "Parameters": {
                    "source_endpoint": "00000000-0000-0000-0000-000000000000",
                    "destination_endpoint": "00000000-0000-0000-0000-000000000001",
                    "DATA": [{"source_path": "/a", "destination_path": "/b"}],
                },
                "ResultPath": "$.copy",
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Recover"}
                ],
                "Next": "Recover",
            },
            "Recover": {"Type": "Pass", "End": True},
        },
    }
    flow = owner.create_flow(definition)
    done = owner.wait_run(owner.run(flow, {})["run_id"])
    assert done["status"] == "SUCCEEDED", done
    assert "failure" in done["details"]["output"] and "copy" not in done["details"]["output"]
