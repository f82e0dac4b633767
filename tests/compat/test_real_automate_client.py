"""The REAL globus-automate-client (0.16.1 and 0.15.0, yanked from PyPI but installable by
exact pin, in their compat venvs) against a live globus-local's Flows service and its Hello
World action provider.

The real client knows no ``local`` environment (``GLOBUS_SDK_ENVIRONMENT=local`` is a
ValueError to it), so it runs in production's with the SDK's per-service URL variables,
its ``FlowsClient`` given ``base_url=<root>flows/`` and its command
``GLOBUS_AUTOMATE_FLOWS_ENDPOINT``; an ``ActionClient`` is given the platform's Hello World
URL itself. The Python API runs ``scripts/automate_story.py`` once per release as a
confidential client; the ``globus-automate`` command (0.16) runs as a user whose tokens the
test puts in the command's token cache under a private HOME, minted for the command's own
native client, as its login would leave them. The CLI tests run in file order.
"""

from __future__ import annotations

import json
import subprocess
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

import pytest

from globus_local.services.auth import admin
from globus_local.services.auth.clients import AUTOMATE_CLI_CLIENT_ID
from globus_local.services.auth.scopes import AP_HELLO_WORLD, FLOWS_MANAGE_FLOWS
from globus_local.testing import DEFAULT_PASSWORD, unique_username
from tests.compat.support import approve, compat_env

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

pytestmark = pytest.mark.compat

SCRIPT = Path(__file__).parent / "scripts" / "automate_story.py"
RELEASES = ("compat_python_automate", "compat_python_automate_0_15")
FINAL = ("SUCCEEDED", "FAILED")
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
SLOW = {
    "StartAt": "Slow",
    "States": {
        "Slow": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string": "slow", "sleep_time": 300},
            "End": True,
        }
    },
}


def automate_env(server: LocalServer, home: Path) -> dict[str, str]:
    """The compat environment in production's SDK environment, the Flows URL set for the CLI."""
    env = compat_env(server, home)
    del env["GLOBUS_SDK_ENVIRONMENT"]
    env["GLOBUS_AUTOMATE_FLOWS_ENDPOINT"] = server.service_url("flows")
    return env


# -- the Python API ------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=RELEASES, ids=["automate-0.16", "automate-0.15"])
def story(
    request: pytest.FixtureRequest,
    globus_local_server: LocalServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, t.Any]:
    python: Path = request.getfixturevalue(request.param)
    home = tmp_path_factory.mktemp("automate-api")
    client = globus_local_server.create_client("confidential", f"automate {request.param}")
    env = automate_env(globus_local_server, home)
    env.update(
        CLIENT_ID=client["client_id"],
        CLIENT_SECRET=client["client_secret"],
        FLOWS_URL=globus_local_server.service_url("flows"),
        HELLO_URL=f"{globus_local_server.url}actions/actions.globus.org/hello_world",
        HELLO_SCOPE=AP_HELLO_WORLD,
    )
    proc = subprocess.run(
        [str(python), str(SCRIPT)],
        capture_output=True, text=True, env=env, cwd=home, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = t.cast(dict[str, t.Any], json.loads(proc.stdout))
    assert "failed" not in report, report["failed"]
    report["client_id"] = client["client_id"]
    report["root"] = globus_local_server.url
    return report


def test_deploy_get_list(story: dict[str, t.Any]) -> None:
    flow_id = story["deployed"]["id"]
    assert story["deployed"]["owner"] == f"urn:globus:auth:identity:{story['client_id']}"
    assert story["get"] == "from 0.x"
    assert story["listed"] == [flow_id]
    assert story["scope_for_flow"] == story["deployed"]["scope"]


def test_flow_urls_are_the_platform_s(story: dict[str, t.Any]) -> None:
    """The client asked its callback for each flow's authorizer with the flow's URL as it
    builds it: the host of the Flows URL plus ``/flows/<id>``."""
    assert f"{story['root']}flows/{story['deployed']['id']}" in story["callback_urls"]
    assert all(url.startswith(f"{story['root']}flows/") for url in story["callback_urls"])


def test_bad_input_and_dry_run(story: dict[str, t.Any]) -> None:
    assert story["bad_input"] == {"status": 400, "code": "BAD_REQUEST"}
    dry = story["dry_run"]
    assert (dry["valid"], dry["input"], dry["start_at"]) == (True, {"echo": "dry"}, "Hello")


def test_a_run_is_watched_to_success_and_logged(story: dict[str, t.Any]) -> None:
    run = story["run"]
    assert (run["started"], run["label"], run["tags"]) == ("ACTIVE", "automate run", ["x"])
    assert run["seen"][-1] == "SUCCEEDED"
    assert run["output"]["hello"]["details"] == {"Hello": "World", "hello": "hi there"}
    assert story["log_codes"] == [
        "FlowStarted",
        "ActionStarted",
        "ActionCompleted",
        "FlowSucceeded",
    ]
    assert story["log_newest"] == ["FlowSucceeded"]
    assert len(story["flow_runs"]) == 1


def test_cancel_and_release(story: dict[str, t.Any]) -> None:
    assert story["release_active"] == {"status": 409, "code": "STATE_CONFLICT"}
    assert story["canceled"] == {"answer": "FAILED", "final": "FAILED"}
    assert story["after_release"] == {"status": 404, "code": "NOT_FOUND"}
    assert story["after_delete"] == {"status": 404, "code": "NOT_FOUND"}


def test_action_client_against_hello_world(story: dict[str, t.Any]) -> None:
    assert story["action_scope"] == AP_HELLO_WORLD
    ran = story["action_run"]
    assert ran["seen"] == ["SUCCEEDED"] and ran["label"] == "echo"
    assert ran["details"] == {"Hello": "World", "hello": "hello automate"}
    assert (story["action_active"], story["action_canceled"]) == ("ACTIVE", "FAILED")


# -- the globus-automate command -----------------------------------------------------------------
@dataclass
class AutomateCli:
    """The 0.16 command as one user: its HOME (and token cache) and environment."""

    exe: Path
    home: Path
    env: dict[str, str]
    server: LocalServer
    username: str
    found: dict[str, t.Any]

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(self.exe), *args],
            capture_output=True, text=True, env=self.env, cwd=self.home, timeout=60,
            stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        if ok:
            assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        return proc

    def json(self, *args: str) -> dict[str, t.Any]:
        return t.cast(dict[str, t.Any], json.loads(self.run(*args, "-f", "json").stdout))

    def cache_tokens(self, *scopes: str) -> None:
        """Tokens for ``scopes`` in the command's cache, as its login writes them."""
        cache_file = self.home / ".globus_automate_tokens.json"
        cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
        response = admin.issue_token(
            self.server.db, self.username, list(scopes), client_id=AUTOMATE_CLI_CLIENT_ID
        )
        for token in [response, *response.get("other_tokens", [])]:
            for scope in token["scope"].split():
                cache[scope] = {
                    "access_token": token["access_token"],
                    "refresh_token": token["refresh_token"],
                    "expiration_time": int(time.time()) + token["expires_in"],
                    "dependent_scopes": [],
                }
        cache_file.write_text(json.dumps(cache))
        cache_file.chmod(0o600)


@pytest.fixture(scope="module")
def cli(
    compat_python_automate: Path,
    globus_local_server: LocalServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> AutomateCli:
    home = tmp_path_factory.mktemp("automate-cli")
    username = unique_username("automate")
    globus_local_server.create_user(username)
    (home / "hello.json").write_text(json.dumps(HELLO))
    (home / "schema.json").write_text(json.dumps(SCHEMA))
    (home / "slow.json").write_text(json.dumps(SLOW))
    cli = AutomateCli(
        compat_python_automate.parent / "globus-automate",
        home,
        automate_env(globus_local_server, home),
        globus_local_server,
        username,
        {},
    )
    cli.cache_tokens(FLOWS_MANAGE_FLOWS, AP_HELLO_WORLD)
    return cli


def wait_status(cli: AutomateCli, run_id: str, flow_id: str) -> dict[str, t.Any]:
    deadline = time.monotonic() + 30
    while True:
        run = cli.json("flow", "run-status", run_id, "--flow-id", flow_id)
        if run["status"] in FINAL or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


def test_cli_deploy_list_get(cli: AutomateCli) -> None:
    flow = cli.json(
        "flow", "deploy", "--title", "cli automate hello", "--definition", "hello.json",
        "--input-schema", "schema.json", "--keyword", "automate",
    )  # fmt: skip
    assert flow["definition"] == HELLO and flow["input_schema"] == SCHEMA
    cli.found["flow"] = flow
    listed = cli.json("flow", "list", "--role", "flow_owner")
    assert [f["id"] for f in listed["flows"]] == [flow["id"]]
    table = cli.run("flow", "list").stdout
    assert flow["id"] in table and "cli automate hello" in table
    got = cli.json("flow", "get", flow["id"])
    assert got["keywords"] == ["automate"]
    assert got["globus_auth_scope"] == flow["globus_auth_scope"]


def test_cli_run_status_log(cli: AutomateCli) -> None:
    flow = cli.found["flow"]
    cli.cache_tokens(flow["globus_auth_scope"])  # what consenting to the flow leaves
    started = cli.json(
        "flow", "run", flow["id"], "--flow-input", '{"echo": "from the command"}',
        "--label", "cli run",
    )  # fmt: skip
    assert started["status"] == "ACTIVE" and started["label"] == "cli run"
    run = wait_status(cli, started["action_id"], flow["id"])
    assert run["status"] == "SUCCEEDED", run
    assert run["details"]["output"]["hello"]["details"]["hello"] == "from the command"
    log = cli.json("flow", "run-log", started["action_id"], "--flow-id", flow["id"])
    codes = [entry["code"] for entry in log["entries"]]
    assert codes[0] == "FlowStarted" and codes[-1] == "FlowSucceeded"
    table = cli.run("flow", "run-log", started["action_id"], "--flow-id", flow["id"]).stdout
    assert "FlowSucceeded" in table


def test_cli_bad_input_is_the_service_s_error(cli: AutomateCli) -> None:
    flow = cli.found["flow"]
    proc = cli.run(
        "flow", "run", flow["id"], "--flow-input", '{"echo": 5}', "--label", "bad", ok=False
    )
    assert "Traceback" not in proc.stderr
    assert "BAD_REQUEST" in proc.stdout + proc.stderr


def test_cli_cancel_a_running_flow(cli: AutomateCli) -> None:
    slow = cli.json("flow", "deploy", "--title", "cli automate slow", "--definition", "slow.json")
    cli.cache_tokens(slow["globus_auth_scope"])
    run_id = cli.json("flow", "run", slow["id"], "--flow-input", "{}", "--label", "slow")[
        "action_id"
    ]
    assert cli.json("flow", "run-status", run_id, "--flow-id", slow["id"])["status"] == "ACTIVE"
    canceled = cli.json("flow", "run-cancel", run_id, "--flow-id", slow["id"])
    assert canceled["status"] == "FAILED"
    assert wait_status(cli, run_id, slow["id"])["status"] == "FAILED"


def test_cli_actions(cli: AutomateCli) -> None:
    url = f"{cli.server.url}actions/actions.globus.org/hello_world"
    intro = cli.json("action", "introspect", "--action-url", url)
    assert intro["globus_auth_scope"] == AP_HELLO_WORLD
    ran = cli.json(
        "action", "run", "--action-url", url, "--action-scope", AP_HELLO_WORLD,
        "--body", '{"echo_string": "from the command"}', "--label", "cli action",
    )  # fmt: skip
    assert ran["details"]["hello"] == "from the command"
    status = cli.json(
        "action", "status", ran["action_id"], "--action-url", url, "--action-scope", AP_HELLO_WORLD
    )
    assert (status["status"], status["label"]) == ("SUCCEEDED", "cli action")


def test_cli_logs_in_when_its_cache_is_empty(cli: AutomateCli) -> None:
    """With no token cached the command logs in as its native client: the authorize URL on
    stderr, the code read from stdin, the tokens (with a refresh token) cached, then the
    request made."""
    home = cli.home / "fresh"
    home.mkdir()
    env = {**cli.env, "HOME": str(home)}
    proc = subprocess.Popen(
        [str(cli.exe), "flow", "list", "-f", "json"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env, cwd=home,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        url = ""
        for line in iter(proc.stderr.readline, ""):
            if "/v2/oauth2/authorize?" in line:
                url = line.strip()
                break
        assert f"client_id={AUTOMATE_CLI_CLIENT_ID}" in url
        code = approve(cli.server, url, cli.username, DEFAULT_PASSWORD)
        out, err = proc.communicate(code + "\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert cli.found["flow"]["id"] in [f["id"] for f in json.loads(out)["flows"]]
    cached = json.loads((home / ".globus_automate_tokens.json").read_text())
    assert cached[FLOWS_MANAGE_FLOWS]["refresh_token"]
