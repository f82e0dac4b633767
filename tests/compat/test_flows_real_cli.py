"""The REAL newest globus-cli's ``globus flows`` commands (3.44.0, from PyPI, in its compat
venv) against a live globus-local's Flows service.

The CLI acts as a confidential client, as in ``test_newest_cli.py`` (its login asks for
the Timers scope, issue 18): with ``GLOBUS_CLI_CLIENT_ID``/``GLOBUS_CLI_CLIENT_SECRET`` it
takes every token with the client-credentials grant, a new flow's own scope included when
``flows start`` needs it. The tests run in file order, one flow's life from create to
delete.
"""

from __future__ import annotations

import json
import time
import typing as t
from pathlib import Path

import pytest

from tests.compat.support import compat_env
from tests.compat.test_newest_cli import Robot

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

pytestmark = pytest.mark.compat

HELLO = {
    "StartAt": "Hello",
    "States": {
        "Hello": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.echo"},
            "ResultPath": "$.hello",
            "End": True,
        }
    },
}
SCHEMA = {"type": "object", "properties": {"echo": {"type": "string"}}, "required": ["echo"]}
NAP = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 600, "End": True}}}
FINAL = ("SUCCEEDED", "FAILED", "ENDED")


@pytest.fixture(scope="module")
def cli(
    compat_python_newest_cli: Path,
    globus_local_server: LocalServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Robot:
    home = tmp_path_factory.mktemp("flows-cli")
    client = globus_local_server.create_client("confidential", "flows cli robot")
    env = compat_env(globus_local_server, home)
    env.update(
        GLOBUS_CLI_CLIENT_ID=client["client_id"], GLOBUS_CLI_CLIENT_SECRET=client["client_secret"]
    )
    (home / "hello.json").write_text(json.dumps(HELLO))
    (home / "schema.json").write_text(json.dumps(SCHEMA))
    return Robot(compat_python_newest_cli.parent / "globus", home, env, client["client_id"])


@pytest.fixture(scope="module")
def found() -> dict[str, t.Any]:
    """What one step leaves for the next (the flow's and runs' ids)."""
    return {}


def as_json(cli: Robot, *args: str) -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], json.loads(cli.run(*args, "-F", "json").stdout))


def wait_run(cli: Robot, run_id: str) -> dict[str, t.Any]:
    deadline = time.monotonic() + 30
    while True:
        run = as_json(cli, "flows", "run", "show", run_id)
        if run["status"] in FINAL or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


def test_create(cli: Robot, found: dict[str, t.Any]) -> None:
    flow = as_json(
        cli, "flows", "create", "cli hello", "hello.json", "--input-schema", "schema.json",
        "--subtitle", "from the real CLI",
    )  # fmt: skip
    assert flow["definition"] == HELLO and flow["input_schema"] == SCHEMA
    assert flow["flow_owner"] == f"urn:globus:auth:identity:{cli.client_id}"
    found["flow"] = flow


def test_list_and_show(cli: Robot, found: dict[str, t.Any]) -> None:
    flow_id = found["flow"]["id"]
    listed = as_json(cli, "flows", "list", "--filter-role", "flow_owner")
    assert flow_id in [f["id"] for f in listed["flows"]]
    text = cli.run("flows", "list", "--filter-fulltext", "cli hello").stdout
    assert flow_id in text and "cli hello" in text
    shown = as_json(cli, "flows", "show", flow_id)
    assert shown["subtitle"] == "from the real CLI"
    assert shown["globus_auth_scope"] == found["flow"]["globus_auth_scope"]


def test_update(cli: Robot, found: dict[str, t.Any]) -> None:
    flow_id = found["flow"]["id"]
    updated = as_json(
        cli, "flows", "update", flow_id, "--title", "cli hello, renamed", "--keywords", "a,b"
    )
    assert (updated["title"], updated["keywords"]) == ("cli hello, renamed", ["a", "b"])


def test_start_and_watch_to_success(cli: Robot, found: dict[str, t.Any]) -> None:
    flow_id = found["flow"]["id"]
    started = as_json(
        cli, "flows", "start", flow_id, "--input", '{"echo": "from the cli"}', "--label", "cli run"
    )
    assert started["flow_id"] == flow_id and started["label"] == "cli run"
    run = wait_run(cli, started["run_id"])
    assert run["status"] == "SUCCEEDED", run
    assert run["details"]["output"]["hello"]["details"]["hello"] == "from the cli"
    found["run_id"] = started["run_id"]


def test_bad_input_is_the_service_s_error(cli: Robot, found: dict[str, t.Any]) -> None:
    proc = cli.run("flows", "start", found["flow"]["id"], "--input", '{"echo": 5}', ok=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "400" in proc.stderr and "BAD_REQUEST" in proc.stderr


def test_run_list_and_logs(cli: Robot, found: dict[str, t.Any]) -> None:
    run_id = found["run_id"]
    runs = as_json(cli, "flows", "run", "list", "--filter-flow-id", found["flow"]["id"])
    assert [r["run_id"] for r in runs["runs"]] == [run_id]
    logs = as_json(cli, "flows", "run", "show-logs", run_id)
    codes = [entry["code"] for entry in logs["entries"]]
    assert codes[0] == "FlowStarted" and codes[-1] == "FlowSucceeded"
    text = cli.run("flows", "run", "show-logs", run_id, "--reverse").stdout
    assert text.index("FlowSucceeded") < text.index("FlowStarted")


def test_cancel_a_waiting_run(cli: Robot) -> None:
    (cli.home / "nap.json").write_text(json.dumps(NAP))
    flow = as_json(cli, "flows", "create", "cli nap", "nap.json")
    run_id = as_json(cli, "flows", "start", flow["id"])["run_id"]
    assert as_json(cli, "flows", "run", "show", run_id)["status"] == "ACTIVE"
    refused = cli.run("flows", "run", "delete", run_id, ok=False)
    assert refused.returncode == 1 and "STATE_CONFLICT" in refused.stderr
    as_json(cli, "flows", "run", "cancel", run_id)
    run = wait_run(cli, run_id)
    assert run["status"] == "FAILED"
    cli.run("flows", "delete", flow["id"])


def test_delete_the_run_and_the_flow(cli: Robot, found: dict[str, t.Any]) -> None:
    cli.run("flows", "run", "delete", found["run_id"])
    flow_id = found["flow"]["id"]
    cli.run("flows", "delete", flow_id)
    gone = cli.run("flows", "show", flow_id, ok=False)
    assert gone.returncode == 1 and "Traceback" not in gone.stderr
    assert "404" in gone.stderr and "NOT_FOUND" in gone.stderr


def test_the_environment_reaches_the_platform(globus_local_server: LocalServer) -> None:
    """The CLI finds Flows where every other service is: at the platform's ``flows/``."""
    env = compat_env(globus_local_server, Path("."))
    assert env["GLOBUS_SDK_SERVICE_URL_FLOWS"] == globus_local_server.service_url("flows")
