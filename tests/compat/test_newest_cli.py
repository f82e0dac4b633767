"""The REAL newest globus-cli (3.44.0, from PyPI, in its compat venv) against a live
globus-local.

``globus login`` (which asks for the Timers scope with Transfer as its dependency) is
tested through the login pages; the other commands run as a confidential client whose id
and secret are in the CLI's environment (``GLOBUS_CLI_CLIENT_ID``/``GLOBUS_CLI_CLIENT_SECRET``):
the CLI then gets its tokens with the client-credentials grant, as a robot user would.
"""

from __future__ import annotations

import json
import subprocess
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from globus_local.kit.service import SERVICE_NAMES
from globus_local.services.auth.scopes import GROUPS_ALL, GROUPS_RS, TIMER, TRANSFER_ALL
from tests.compat.support import compat_env, paste_login_code
from tests.support.platform import access_token, bearer, query_of

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

pytestmark = pytest.mark.compat

COMMAND_TIMEOUT = 120
# `globus api <name>`: the services the CLI can call raw, as the platform names them
CLI_API_NAMES = {"auth", "flows", "groups", "search", "timer", "transfer"}
NOT_FOUND_CODES = {
    "auth": "NOT_FOUND",
    "groups": "NOT_FOUND",
    "search": "NotFound.Generic",
    "transfer": "NotFound",
}


@dataclass
class Robot:
    """``globus`` from the newest CLI, acting as a confidential client."""

    globus: Path
    home: Path
    env: dict[str, str]
    client_id: str

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(self.globus), *args],
            capture_output=True,
            text=True,
            cwd=self.home,
            env=self.env,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if ok and proc.returncode != 0:
            pytest.fail(f"`globus {' '.join(args)}` exited {proc.returncode}\n{proc.stderr}")
        return proc


@pytest.fixture(scope="module")
def robot(
    compat_python_newest_cli: Path,
    globus_local_server: LocalServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Robot:
    home = tmp_path_factory.mktemp("newest-cli")
    client = globus_local_server.create_client("confidential", "newest cli robot")
    env = compat_env(globus_local_server, home)
    env.update(
        GLOBUS_CLI_CLIENT_ID=client["client_id"], GLOBUS_CLI_CLIENT_SECRET=client["client_secret"]
    )
    return Robot(compat_python_newest_cli.parent / "globus", home, env, client["client_id"])


def _group(server: LocalServer, join_requests: bool) -> str:
    """A group visible to every user, made by another user over the Groups API."""
    owner = server.create_user(f"newest-cli-owner-{time.monotonic_ns()}@example.org")
    token = access_token(server.token(owner["username"], [GROUPS_ALL]), GROUPS_RS)
    url = server.service_url("groups") + "v2/groups"
    policies = {"group_visibility": "authenticated", "join_requests": join_requests}
    resp = requests.post(
        url, json={"name": "newest cli", "policies": policies}, headers=bearer(token), timeout=30
    )
    assert resp.status_code in (200, 201), resp.text
    return str(resp.json()["id"])


def test_whoami_as_the_client(robot: Robot) -> None:
    out = robot.run("whoami").stdout
    assert out.strip() == f"{robot.client_id}@clients.auth.globus.org"


def test_group_join_an_open_group(robot: Robot, globus_local_server: LocalServer) -> None:
    group_id = _group(globus_local_server, join_requests=False)
    out = robot.run("group", "join", group_id).stdout
    assert group_id in out and robot.client_id in out
    listed = json.loads(robot.run("group", "list", "-F", "json").stdout)
    assert group_id in [g["id"] for g in listed]


def test_group_join_a_group_taking_requests(robot: Robot, globus_local_server: LocalServer) -> None:
    group_id = _group(globus_local_server, join_requests=True)
    refused = robot.run("group", "join", group_id, ok=False)
    assert refused.returncode != 0
    assert "requires approval" in refused.stderr and "Traceback" not in refused.stderr
    assert group_id in robot.run("group", "join", group_id, "--request").stdout


def test_search_facets_count_after_filters(robot: Robot, tmp_path: Path) -> None:
    index = json.loads(robot.run("search", "index", "create", "cli", "facets", "-F", "json").stdout)
    index_id = index["id"]
    entries = [
        {"subject": f"s{n}", "visible_to": ["public"], "content": {"n": n, "k": "ab"[n % 2]}}
        for n in range(6)
    ]
    doc = tmp_path / "ingest.json"
    doc.write_text(json.dumps({"ingest_type": "GMetaList", "ingest_data": {"gmeta": entries}}))
    task_id = json.loads(robot.run("search", "ingest", index_id, str(doc), "-F", "json").stdout)[
        "task_id"
    ]
    for _ in range(100):
        task = json.loads(robot.run("search", "task", "show", task_id, "-F", "json").stdout)
        if task["state"] in ("SUCCESS", "FAILED"):
            break
    assert task["state"] == "SUCCESS"
    query = tmp_path / "query.json"
    query.write_text(
        json.dumps(
            {
                "@version": "query#1.0.0",
                "q": "*",
                "filters": [{"type": "range", "field_name": "n", "values": [{"from": 0, "to": 2}]}],
                "post_facet_filters": [{"type": "match_any", "field_name": "k", "values": ["a"]}],
                "facets": [{"name": "k", "field_name": "k"}],
            }
        )
    )
    result = json.loads(
        robot.run("search", "query", index_id, "--query-document", str(query), "-F", "json").stdout
    )
    assert sorted(g["subject"] for g in result["gmeta"]) == ["s0", "s2"]
    assert {b["value"]: b["count"] for b in result["facet_results"][0]["buckets"]} == {
        "a": 2,
        "b": 1,
    }


@pytest.mark.parametrize("service", sorted(CLI_API_NAMES & set(SERVICE_NAMES)))
def test_an_unknown_path_is_the_service_s_error_not_a_crash(robot: Robot, service: str) -> None:
    proc = robot.run("api", service, "GET", "/no/such/route", ok=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "404" in proc.stderr
    if service in NOT_FOUND_CODES:
        assert NOT_FOUND_CODES[service] in proc.stderr


def test_login(robot: Robot, globus_local_server: LocalServer, tmp_path: Path) -> None:
    server = globus_local_server
    username = f"newest-cli-login-{tmp_path.name}@example.org"
    server.create_user(username, "pw-for-the-newest-cli", name="N", email=username)
    env = compat_env(server, tmp_path)
    proc = subprocess.Popen(
        [str(robot.globus), "login", "--no-local-server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    url, output = paste_login_code(proc, server, username, "pw-for-the-newest-cli", 60)
    assert proc.returncode == 0, output
    # It asked for Timers with Transfer as its dependency, and holds its tokens now.
    assert f"{TIMER}[{TRANSFER_ALL}]" in query_of(url)["scope"].split()
    who = subprocess.run(
        [str(robot.globus), "whoami"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert who.returncode == 0 and who.stdout.strip() == username, who.stderr
