"""An action provider built with the REAL ``globus-action-provider-tools`` (0.21.0, from
PyPI, in its compat venv) runs inside flows on the platform.

The provider (``scripts/apt_provider.py``) is its own confidential client and resource
server: its scope is registered with the platform's Auth, depending on Groups' scope. The
tools introspect every token with the client's credentials and take a dependent Groups
token for the caller. A flow whose Action state names only the provider's URL learns the
scope from its introspection document, and its run reaches SUCCEEDED through the
platform's engine, which calls the provider over HTTP with a dependent token of the
user's flow token and polls the action to its end.
"""

from __future__ import annotations

import subprocess
import typing as t
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from globus_local.services.auth.scopes import (
    FLOWS_ALL,
    FLOWS_RS,
    GROUPS_ALL,
    GROUPS_RS,
    GROUPS_VIEW,
    TRANSFER_ALL,
    TRANSFER_RS,
    register_scope,
)
from tests.compat.support import compat_env
from tests.support.platform import access_token, bearer, new_identity
from tests.support.waiting import wait_until

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

pytestmark = pytest.mark.compat

SCRIPT = Path(__file__).parent / "scripts" / "apt_provider.py"
START_TIMEOUT = 30


@dataclass
class Provider:
    url: str  # ends in "/"
    client_id: str
    scope: str


@pytest.fixture(scope="module")
def provider(
    compat_python_apt: Path,
    globus_local_server: LocalServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Provider]:
    server = globus_local_server
    client = server.create_client("confidential", "reverser provider")
    client_id = client["client_id"]
    with server.db.session() as session:
        scope = register_scope(
            session, client_id, "action_all", dependencies=[GROUPS_VIEW], owner_client_id=client_id
        )
    env = compat_env(server, tmp_path_factory.mktemp("apt"))
    env.update(CLIENT_ID=client_id, CLIENT_SECRET=client["client_secret"], PROVIDER_SCOPE=scope)
    proc = subprocess.Popen(
        [str(compat_python_apt), str(SCRIPT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("LISTENING "), first + proc.stdout.read()
        yield Provider(f"http://127.0.0.1:{first.split()[1]}/", client_id, scope)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class User:
    id: str
    username: str


@pytest.fixture
def user(globus_local_server: LocalServer) -> User:
    identity = new_identity(globus_local_server.db, "apt-user")
    return User(identity["id"], identity["username"])


def flows_call(
    server: LocalServer, method: str, path: str, token: str, **kw: t.Any
) -> requests.Response:
    url = server.service_url("flows") + path
    return requests.request(method, url, headers=bearer(token), timeout=30, **kw)


def make_group(server: LocalServer, user: User) -> str:
    token = access_token(server.token(user.username, [GROUPS_ALL]), GROUPS_RS)
    resp = requests.post(
        server.service_url("groups") + "v2/groups",
        json={"name": "reversers"},
        headers=bearer(token),
        timeout=30,
    )
    assert resp.status_code in (200, 201), resp.text
    return str(resp.json()["id"])


def test_the_tools_introspect_tokens_with_the_platform_s_auth(
    provider: Provider, globus_local_server: LocalServer, user: User
) -> None:
    server = globus_local_server
    introspected = requests.get(provider.url, timeout=30)
    assert introspected.status_code == 200
    assert introspected.json()["globus_auth_scope"] == provider.scope

    body = {"request_id": "direct-1", "body": {"text": "abc"}}
    other = access_token(server.token(user.username, [TRANSFER_ALL]), TRANSFER_RS)
    refused = requests.post(provider.url + "run", json=body, headers=bearer(other), timeout=30)
    assert refused.status_code == 401, refused.text

    own = access_token(server.token(user.username, [provider.scope]), provider.client_id)
    started = requests.post(provider.url + "run", json=body, headers=bearer(own), timeout=30)
    assert started.status_code == 202, started.text
    action = started.json()
    assert action["status"] == "SUCCEEDED"
    assert action["details"]["reversed"] == "cba"
    assert action["creator_id"] == f"urn:globus:auth:identity:{user.id}"


def test_a_flow_runs_the_provider_to_success(
    provider: Provider, globus_local_server: LocalServer, user: User
) -> None:
    server = globus_local_server
    make_group(server, user)
    flows_token = access_token(server.token(user.username, [FLOWS_ALL]), FLOWS_RS)
    definition = {
        "StartAt": "Reverse",
        "States": {
            "Reverse": {
                "Type": "Action",
                "ActionUrl": provider.url,
                "Parameters": {"text.$": "$.text", "polls": 2},
                "ResultPath": "$.reverse",
                "End": True,
            }
        },
    }
    created = flows_call(
        server,
        "POST",
        "flows",
        flows_token,
        json={"title": "reverse", "definition": definition, "input_schema": {}},
    )
    assert created.status_code == 201, created.text
    flow = created.json()

    flow_token = access_token(server.token(user.username, [flow["globus_auth_scope"]]), flow["id"])
    started = flows_call(
        server, "POST", f"flows/{flow['id']}/run", flow_token, json={"body": {"text": "stressed"}}
    )
    assert started.status_code == 201, started.text
    run_id = started.json()["run_id"]

    def ended() -> dict[str, t.Any] | None:
        doc = flows_call(server, "GET", f"runs/{run_id}", flows_token).json()
        return doc if doc["status"] in ("SUCCEEDED", "FAILED") else None

    run = wait_until(ended, f"run {run_id} to end", timeout=30, every=0.1)
    assert run["status"] == "SUCCEEDED", run
    result = run["details"]["output"]["reverse"]
    assert result["status"] == "SUCCEEDED"
    assert result["details"] == {
        "reversed": "desserts",
        "caller": f"urn:globus:auth:identity:{user.id}",
        "groups": 1,
    }
    log = flows_call(server, "GET", f"runs/{run_id}/log", flows_token, params={"limit": 100})
    codes = [entry["code"] for entry in log.json()["entries"]]
    assert codes[0] == "FlowStarted" and codes[-1] == "FlowSucceeded"
    assert "ActionStarted" in codes and "ActionCompleted" in codes
