"""The automate client's documented examples, run unchanged against the platform.

The examples are kept as the documentation prints them; only placeholders (``...``, a
flow id, the tokens the example reads from the environment) are filled in, and the
token cache the helpers read is prepared where a person would have logged in.
"""

from __future__ import annotations

import pathlib
import typing as t

import pytest

import globus_automate_client.cli.auth as cli_auth
from globus_automate_client.flows_client import MANAGE_FLOWS_SCOPE
from tests.globus_automate_client.support import (
    HELLO_WORLD_SCOPE,
    AutomateUser,
    doctest_code,
    wait_until_done,
    write_token_cache,
)
from tests.globus_sdk.services.auth.live import run_snippet

ACTION_CLIENT_NEW_CLIENT = """
>>> authorizer = ...
>>> action_url = "https://actions.globus.org/hello_world"
>>> ac = ActionClient.new_client(action_url, authorizer)
>>> print(ac.run({"echo_string": "Hello from SDK"}))
"""

FLOWS_CLIENT_NEW_CLIENT = """
>>> def cli_authorizer_callback(**kwargs):
        flow_url = kwargs["flow_url"]
        flow_scope = kwargs["flow_scope"]
        client_id = kwargs["client_id"]
        return get_cli_authorizer(flow_url, flow_scope, client_id)
>>> action_url = "https://actions.globus.org/hello_world"
>>> client_id = "00000000-0000-0000-0000-000000000000"
>>> auth = ...
>>> fc = FlowsClient.new_client(client_id, cli_authorizer_callback, auth)
>>> print(fc.list_flows())
"""

CREATE_ACTION_CLIENT = """
>>> from globus_automate_client import create_action_client
>>> # Create an ActionClient for the HelloWorld Action
>>> ac = create_action_client("https://actions.globus.org/hello_world")
>>> # Run an Action and check its results
>>> resp = ac.run({"echo_string": "Hello from SDK"})
>>> assert resp.data["status"] == "SUCCEEDED"
"""

CREATE_FLOWS_CLIENT = """
>>> from globus_automate_client import create_flows_client
>>> # Create an authenticated FlowsClient that can run operations against the Flows
>>> # service
>>> fc = create_flows_client()
>>> # Get a listing of runnable, deployed flows
>>> available_flows = fc.list_flows(["runnable_by"])
>>> for flow in available_flows.data["flows"]:
>>>     print(flow)
"""

NON_INTERACTIVE = '''
import os

from globus_sdk import AccessTokenAuthorizer

from globus_automate_client import FlowsClient
from globus_automate_client.cli.auth import CLIENT_ID
from globus_automate_client.flows_client import (
    MANAGE_FLOWS_SCOPE,
    AllowedAuthorizersType,
)

def authorizer_retriever(
    flow_url: str, flow_scope: str, client_id: str
) -> AllowedAuthorizersType:
    """
    This callback will be called when attempting to interact with a
    specific Flow. The callback will receive the Flow url, Flow scope, and
    client_id and can choose to use some, all or none of the kwargs. This is
    expected to return an Authorizer which can be used to make authenticated
    calls to the Flow.

    The method used to acquire valid credentials is up to the user. Here, we
    naively create an Authorizer using the same token everytime.
    """
    flow_token = os.environ.get("MY_ACCESS_TOKEN")
    return AccessTokenAuthorizer(flow_token)

# Create an AccessTokenAuthorizer using a token that has consents to the
# MANAGE_FLOWS_SCOPE. This lets the FlowsClient perform operations against the
# Flow's service i.e. create flow, update a flow, delete a flow
flows_service_token = os.environ.get("MANAGE_FLOWS_SCOPED_TOKEN")
flows_service_authorizer = AccessTokenAuthorizer(flows_service_token)

fc = FlowsClient.new_client(
    client_id=CLIENT_ID,
    authorizer=flows_service_authorizer,
    authorizer_callback=authorizer_retriever,
)

my_flows = fc.list_flows()
print(my_flows)

# When running a specific Flow, the authorizer_retriever callback is called
# internally to make the authenticated call to the Flow
running_flow = fc.run_flow(
    "1e6b4406-ee3d-4bc5-9198-74128e108111", None, {"echo_string": "hey"}
)
print(running_flow)

# It's possible to create an Authorizer and pass it as a kwarg to the flow
# operation. This usage will not use the authorizer_callback:
running_flow_2 = fc.run_flow(
    "1e6b4406-ee3d-4bc5-9198-74128e108111",
    None,
    {"echo_string": "hey"},
    authorizer=AccessTokenAuthorizer(...),
)
print(running_flow_2)
'''

#: a flow taking the documented example's input, ``{"echo_string": ...}``
ECHO_FLOW = {
    "StartAt": "Echo",
    "States": {
        "Echo": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.echo_string"},
            "ResultPath": "$.Echo",
            "End": True,
        }
    },
}


@pytest.fixture
def token_cache(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    path = tmp_path / ".globus_automate_tokens.json"
    monkeypatch.setattr(cli_auth, "DEFAULT_TOKEN_FILE", path)
    return path


def _namespace() -> dict[str, t.Any]:
    from globus_automate_client import ActionClient, FlowsClient

    return {"ActionClient": ActionClient, "FlowsClient": FlowsClient}


def test_action_client_new_client(automate_user: AutomateUser, capsys: t.Any) -> None:
    token = automate_user.token(HELLO_WORLD_SCOPE)
    from globus_sdk.authorizers import AccessTokenAuthorizer

    ns = run_snippet(
        doctest_code(ACTION_CLIENT_NEW_CLIENT),
        {**_namespace(), "AccessTokenAuthorizer": AccessTokenAuthorizer},
        {"authorizer = ...": f"authorizer = AccessTokenAuthorizer({token!r})"},
    )
    printed = capsys.readouterr().out
    assert "Hello from SDK" in printed
    assert ns["ac"].base_url.endswith("/actions/actions.globus.org/hello_world")


def test_flows_client_new_client(
    automate_user: AutomateUser, token_cache: pathlib.Path, capsys: t.Any
) -> None:
    from globus_sdk.authorizers import AccessTokenAuthorizer

    fc = automate_user.flows_client()
    flow = fc.deploy_flow(ECHO_FLOW, "Listed by the example")
    token = automate_user.token(MANAGE_FLOWS_SCOPE)
    run_snippet(
        doctest_code(FLOWS_CLIENT_NEW_CLIENT),
        {
            **_namespace(),
            "AccessTokenAuthorizer": AccessTokenAuthorizer,
            "get_cli_authorizer": cli_auth.get_cli_authorizer,
        },
        {"auth = ...": f"auth = AccessTokenAuthorizer({token!r})"},
    )
    assert flow["id"] in capsys.readouterr().out


def test_create_action_client(automate_user: AutomateUser, token_cache: pathlib.Path) -> None:
    write_token_cache(token_cache, {HELLO_WORLD_SCOPE: automate_user.token(HELLO_WORLD_SCOPE)})
    ns = run_snippet(doctest_code(CREATE_ACTION_CLIENT), {})
    assert ns["resp"]["details"]["hello"] == "Hello from SDK"


def test_create_flows_client(
    automate_user: AutomateUser, token_cache: pathlib.Path, capsys: t.Any
) -> None:
    flow = automate_user.flows_client().deploy_flow(
        ECHO_FLOW, "Runnable by its owner", flow_starters=[automate_user.urn]
    )
    write_token_cache(token_cache, {MANAGE_FLOWS_SCOPE: automate_user.token(MANAGE_FLOWS_SCOPE)})
    ns = run_snippet(doctest_code(CREATE_FLOWS_CLIENT), {})
    assert flow["id"] in [f["id"] for f in ns["available_flows"]["flows"]]
    assert flow["id"] in capsys.readouterr().out


def test_non_interactive_operations(
    automate_user: AutomateUser, monkeypatch: pytest.MonkeyPatch, capsys: t.Any
) -> None:
    flow = automate_user.flows_client().deploy_flow(ECHO_FLOW, "Non-interactive")
    flow_token = automate_user.token(flow["globus_auth_scope"])
    monkeypatch.setenv("MY_ACCESS_TOKEN", flow_token)
    monkeypatch.setenv("MANAGE_FLOWS_SCOPED_TOKEN", automate_user.token(MANAGE_FLOWS_SCOPE))
    code = NON_INTERACTIVE.replace("1e6b4406-ee3d-4bc5-9198-74128e108111", flow["id"])
    ns = run_snippet(
        code,
        {},
        {
            "authorizer=AccessTokenAuthorizer(...)": "authorizer=AccessTokenAuthorizer(os.environ['MY_ACCESS_TOKEN'])"
        },
    )
    assert flow["id"] in [f["id"] for f in ns["my_flows"]["flows"]]
    fc = ns["fc"]
    for run in (ns["running_flow"], ns["running_flow_2"]):
        done = wait_until_done(
            lambda run=run: fc.flow_action_status(flow["id"], None, run["action_id"])
        )
        assert done["details"]["output"]["Echo"]["details"]["hello"] == "hey"
    assert flow["id"] in capsys.readouterr().out
