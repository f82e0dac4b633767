"""The ``globus-automate`` command, run as a process against the platform.

Each test gets its own home directory holding the token cache a login would have left
(``~/.globus_automate_tokens.json``, the ``local`` environment's section), so no
command asks to log in.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import typing as t
import urllib.parse

import pytest

from globus_automate_client.cli.main import build_parser, main
from globus_automate_client.flows_client import MANAGE_FLOWS_SCOPE, RUN_STATUS_SCOPE
from tests.globus_automate_client.support import (
    HELLO_FLOW,
    HELLO_SCHEMA,
    HELLO_WORLD_SCOPE,
    HELLO_WORLD_URL,
    AutomateUser,
    write_token_cache,
)

COMMAND = str(pathlib.Path(sys.executable).with_name("globus-automate"))


class Cli:
    """Runs ``globus-automate`` with a home directory and the platform's environment."""

    def __init__(self, server: t.Any, home: pathlib.Path, user: AutomateUser) -> None:
        self.home = home
        self.user = user
        self.env = {**os.environ, **server.sdk_env(), "HOME": str(home)}
        self.tokens: dict[str, str] = {}

    def login(self, *scopes: str) -> None:
        """Put tokens for ``scopes`` in the cache, as a login would."""
        self.tokens.update({scope: self.user.token(scope) for scope in scopes})
        write_token_cache(self.home / ".globus_automate_tokens.json", self.tokens)

    def __call__(self, *args: str, status: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [COMMAND, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == status, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def json(self, *args: str, status: int = 0) -> t.Any:
        return json.loads(self(*args, status=status).stdout)


@pytest.fixture
def cli(globus_local_server: t.Any, tmp_path: pathlib.Path, automate_user: AutomateUser) -> Cli:
    return Cli(globus_local_server, tmp_path, automate_user)


def _commands() -> list[list[str]]:
    """Every command path of the parser: [], ["flow"], ["flow", "deploy"], ..."""
    import argparse

    paths: list[list[str]] = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        paths.append(prefix)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*prefix, name])

    walk(build_parser(), [])
    return paths


def test_help_works_everywhere(cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands()
    names = {" ".join(c) for c in commands}
    for expected in (
        "flow deploy",
        "flow list",
        "flow get",
        "flow update",
        "flow delete",
        "flow run",
        "flow run-status",
        "flow run-log",
        "flow run-cancel",
        "flow action-list",
        "flow action-status",
        "flow run-enumerate",
        "action run",
        "action status",
        "action cancel",
        "action release",
        "action log",
        "action introspect",
        "session whoami",
    ):
        assert expected in names
    # every command's help, in this process; then the command itself prints some
    for command in commands:
        with pytest.raises(SystemExit) as exit_info:
            main([*command, "--help"])
        assert exit_info.value.code == 0
        usage = capsys.readouterr().out
        assert usage.startswith(f"usage: globus-automate {' '.join(command)}".rstrip()), command
    for command in ([], ["flow", "run"], ["action", "log"]):
        assert cli(*command, "--help").stdout.startswith("usage: globus-automate")
    assert cli("--version").stdout.startswith("globus-automate ")
    # a group without its command prints its help and fails as a usage error
    assert "deploy" in cli("flow", status=2).stderr
    assert "--flow-id" in cli("flow", "run-status", "x", status=2).stderr


def test_action_commands(cli: Cli) -> None:
    # with no token cached the command asks to log in; with no code entered it stops
    refused = cli("action", "introspect", "--action-url", HELLO_WORLD_URL, status=1)
    assert "Please log into Globus here" in refused.stderr
    assert "No authorization code was entered" in refused.stderr
    cli.login(HELLO_WORLD_SCOPE)
    described = cli.json("action", "introspect", "--action-url", HELLO_WORLD_URL)
    assert described["globus_auth_scope"] == HELLO_WORLD_SCOPE
    body = cli.home / "body.json"
    body.write_text(json.dumps({"echo_string": "from the CLI"}))
    started = cli.json(
        "action",
        "run",
        "--action-url",
        HELLO_WORLD_URL,
        "--body",
        str(body),
        "--label",
        "cli",
        "--monitor-by",
        cli.user.urn,
    )
    action_id = started["action_id"]
    assert started["label"] == "cli"
    done = cli.json("action", "status", "--action-url", HELLO_WORLD_URL, action_id, "--watch")
    assert done["details"] == {"Hello": "World", "hello": "from the CLI"}
    assert "entries" in cli.json("action", "log", "--action-url", HELLO_WORLD_URL, action_id)
    verbose = cli("action", "status", "--action-url", HELLO_WORLD_URL, action_id, "-v")
    assert "Request: GET http://127.0.0.1:" in verbose.stderr
    assert "Authorization: ***" in verbose.stderr
    assert cli.tokens[HELLO_WORLD_SCOPE] not in verbose.stderr
    assert json.loads(verbose.stdout)["action_id"] == action_id
    as_yaml = cli(
        "action", "status", "--action-url", HELLO_WORLD_URL, action_id, "-f", "yaml"
    ).stdout
    assert "status: SUCCEEDED" in as_yaml.splitlines()
    cli("action", "release", "--action-url", HELLO_WORLD_URL, action_id)
    # the provider's error document is printed, and the command fails
    missing = cli.json("action", "status", "--action-url", HELLO_WORLD_URL, action_id, status=1)
    assert missing["code"] == "ActionNotFound"
    # input that is not a document is a usage error
    assert (
        "--body"
        in cli("action", "run", "--action-url", HELLO_WORLD_URL, "--body", "[1, 2", status=2).stderr
    )


def test_flow_commands(cli: Cli) -> None:
    cli.login(MANAGE_FLOWS_SCOPE, RUN_STATUS_SCOPE)
    definition = cli.home / "flow.json"
    definition.write_text(json.dumps(HELLO_FLOW))
    flow = cli.json(
        "flow",
        "deploy",
        "--title",
        "CLI flow",
        "--definition",
        str(definition),
        "--input-schema",
        json.dumps(HELLO_SCHEMA),
        "--keyword",
        "cli",
        "--flow-starter",
        "all_authenticated_users",
    )
    flow_id = flow["id"]
    assert flow["keywords"] == ["cli"]
    assert flow["flow_starters"] == ["all_authenticated_users"]
    assert cli.json("flow", "get", flow_id)["definition"] == HELLO_FLOW
    assert flow_id in [f["id"] for f in cli.json("flow", "list", "-f", "json")["flows"]]
    table = cli("flow", "list").stdout.splitlines()
    assert [cell.strip() for cell in table[0].split(" | ")] == [
        "title",
        "id",
        "flow_owner",
        "created_at",
        "updated_at",
    ]
    assert any(flow_id in line and "CLI flow" in line for line in table[2:])
    updated = cli.json("flow", "update", flow_id, "--title", "CLI flow 2")
    assert updated["title"] == "CLI flow 2"

    cli.login(flow["globus_auth_scope"])
    run = cli.json(
        "flow",
        "run",
        flow_id,
        "--flow-input",
        json.dumps({"input": {"echo": "cli run", "sleep": 0}}),
        "--label",
        "from the CLI",
        "--tag",
        "cli",
    )
    run_id = run["action_id"]
    done = cli.json("flow", "run-status", run_id, "--flow-id", flow_id, "--watch")
    assert done["status"] == "SUCCEEDED"
    assert done["details"]["output"]["SayHello"]["details"]["hello"] == "cli run"
    log = cli.json("flow", "run-log", run_id, "--flow-id", flow_id, "-f", "json", "--limit", "100")
    assert log["entries"][-1]["code"] == "FlowSucceeded"
    log_table = cli("flow", "action-log", run_id, "--flow-id", flow_id, "--limit", "100").stdout
    assert "FlowSucceeded" in log_table
    watched = cli(
        "flow",
        "run",
        flow_id,
        "--flow-input",
        json.dumps({"input": {"echo": "w", "sleep": 0}}),
        "-l",
        "watched",
        "--watch",
        "-f",
        "json",
    ).stdout
    assert '"code": "FlowSucceeded"' in watched  # the run, then its log until it ends
    starters = cli.json("flow", "list", "--role", "runnable_by", "-f", "json")["flows"]
    assert flow_id in [f["id"] for f in starters]
    listed = cli.json("flow", "run-list", "--flow-id", flow_id, "-f", "json")
    assert run_id in [r["run_id"] for r in listed["runs"]]
    enumerated = cli.json("flow", "action-enumerate", "--status", "SUCCEEDED", "-f", "json")
    assert run_id in [r["run_id"] for r in enumerated["runs"]]

    slow = cli.json(
        "flow",
        "run",
        flow_id,
        "--flow-input",
        json.dumps({"input": {"echo": "z", "sleep": 300}}),
        "-l",
        "slow",
    )
    conflict = cli.json("flow", "run-release", slow["action_id"], "--flow-id", flow_id, status=1)
    assert conflict["error"]["code"] == "STATE_CONFLICT"
    cli("flow", "run-cancel", slow["action_id"], "--flow-id", flow_id)
    canceled = cli.json("flow", "run-status", slow["action_id"], "--flow-id", flow_id, "-w")
    assert canceled["details"]["code"] == "FlowCanceled"
    cli("flow", "run-release", run_id, "--flow-id", flow_id)

    assert cli.json("flow", "delete", flow_id)["id"] == flow_id
    assert cli.json("flow", "get", flow_id, status=1)["error"]["code"] == "NOT_FOUND"


def test_lint_and_local_checks(cli: Cli) -> None:
    good = json.dumps(HELLO_FLOW)
    assert (
        cli("flow", "lint", "--definition", good).stdout.strip()
        == "No issues found in the Flow definition."
    )
    bad = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass"}}})
    assert "either terminal" in cli("flow", "lint", "--definition", bad, status=1).stdout
    cli.login(MANAGE_FLOWS_SCOPE)
    refused = cli("flow", "deploy", "--title", "bad", "--definition", bad, status=1)
    assert "The flow is not valid" in refused.stderr


def test_session_whoami(cli: Cli) -> None:
    cli.login("openid", "email", "profile")
    me = cli.json("session", "whoami")
    assert me["sub"] == cli.user.id
    assert cli("session", "logout").stdout.strip() == "Logged Out"
    cache = json.loads((cli.home / ".globus_automate_tokens.json").read_text())
    assert cache == {"__local": {}}


def test_a_missing_token_logs_in_and_is_cached(
    globus_local_server: t.Any, tmp_path: pathlib.Path, globus_local_user: dict[str, t.Any]
) -> None:
    env = {**os.environ, **globus_local_server.sdk_env(), "HOME": str(tmp_path)}
    process = subprocess.Popen(
        [COMMAND, "action", "introspect", "--action-url", HELLO_WORLD_URL],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None and process.stdin is not None
    url = ""
    while not url:
        line = process.stderr.readline()
        assert line, "the command ended without printing an authorize URL"
        url = line.strip() if line.startswith("http") else ""
    redirect = globus_local_server.login(
        url, globus_local_user["username"], globus_local_user["password"]
    )
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(redirect).query)["code"][0]
    out, err = process.communicate(code + "\n", timeout=120)
    assert process.returncode == 0, err
    assert json.loads(out)["globus_auth_scope"] == HELLO_WORLD_SCOPE
    cache = json.loads((tmp_path / ".globus_automate_tokens.json").read_text())
    cached = cache["__local"][HELLO_WORLD_SCOPE]
    assert cached["access_token"] and cached["refresh_token"]
    assert oct((tmp_path / ".globus_automate_tokens.json").stat().st_mode & 0o777) == "0o600"
