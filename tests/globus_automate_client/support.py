"""What the automate client's tests share: a user whose tokens are minted per scope, the
flow definitions they deploy, and polling until a run or action ends."""

from __future__ import annotations

import time
import typing as t
from dataclasses import dataclass, field

from globus_automate_client import FlowsClient
from globus_automate_client.cli.auth import CLIENT_ID
from globus_automate_client.flows_client import MANAGE_FLOWS_SCOPE
from globus_sdk.authorizers import AccessTokenAuthorizer
from globus_sdk.response import GlobusHTTPResponse
from tests.support.platform import new_identity

HELLO_WORLD_URL = "https://actions.globus.org/hello_world"
HELLO_WORLD_SCOPE = "https://auth.globus.org/scopes/actions.globus.org/hello_world"

HELLO_FLOW: dict[str, t.Any] = {
    "Comment": "Say hello through the Hello World provider",
    "StartAt": "SayHello",
    "States": {
        "SayHello": {
            "Type": "Action",
            "ActionUrl": HELLO_WORLD_URL,
            "Parameters": {"echo_string.$": "$.input.echo", "sleep_time.$": "$.input.sleep"},
            "ResultPath": "$.SayHello",
            "WaitTime": 600,
            "End": True,
        }
    },
}
HELLO_SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "properties": {
        "input": {
            "type": "object",
            "properties": {"echo": {"type": "string"}, "sleep": {"type": "number"}},
            "required": ["echo", "sleep"],
        }
    },
    "required": ["input"],
}


@dataclass
class AutomateUser:
    """A platform user; ``token(scope)`` mints an access token for one scope."""

    server: t.Any
    username: str
    id: str
    _tokens: dict[str, str] = field(default_factory=dict)

    @classmethod
    def new(cls, server: t.Any) -> AutomateUser:
        identity = new_identity(server.db, "automate")
        return cls(server, identity["username"], identity["id"])

    @property
    def urn(self) -> str:
        return f"urn:globus:auth:identity:{self.id}"

    def token(self, scope: str) -> str:
        if scope not in self._tokens:
            response = self.server.token(self.username, [scope])
            docs = [response, *response.get("other_tokens", [])]
            self._tokens[scope] = next(
                d["access_token"] for d in docs if scope in d["scope"].split()
            )
        return self._tokens[scope]

    def authorizer(self, scope: str) -> AccessTokenAuthorizer:
        return AccessTokenAuthorizer(self.token(scope))

    def flow_authorizer(self, **kwargs: t.Any) -> AccessTokenAuthorizer:
        """The ``authorizer_callback`` of a FlowsClient: a token for the scope asked for."""
        assert set(kwargs) == {"flow_url", "flow_scope", "client_id"}
        return self.authorizer(kwargs["flow_scope"])

    def flows_client(self) -> FlowsClient:
        return FlowsClient.new_client(
            CLIENT_ID, self.flow_authorizer, self.authorizer(MANAGE_FLOWS_SCOPE)
        )


def wait_until_done(
    poll: t.Callable[[], GlobusHTTPResponse], timeout: float = 60.0
) -> GlobusHTTPResponse:
    """Poll a status until it is SUCCEEDED or FAILED."""
    deadline = time.monotonic() + timeout
    while True:
        response = poll()
        if response["status"] in ("SUCCEEDED", "FAILED"):
            return response
        if time.monotonic() > deadline:
            raise AssertionError(f"still {response['status']} after {timeout}s: {response.data}")
        time.sleep(0.2)


def write_token_cache(path: t.Any, tokens: dict[str, str], environment: str = "local") -> None:
    """A token cache file as the command line writes it, holding ``tokens`` by scope."""
    import json

    section = {
        scope: {
            "access_token": token,
            "refresh_token": None,
            "expiration_time": int(time.time()) + 3600,
            "dependent_scopes": [],
        }
        for scope, token in tokens.items()
    }
    path.write_text(json.dumps({f"__{environment}": section}))
    path.chmod(0o600)


def doctest_code(text: str) -> str:
    """The code of a ``>>>`` example, prompts removed."""
    lines = []
    for line in text.strip("\n").splitlines():
        stripped = line.strip()
        if stripped.startswith((">>> ", "... ")):
            lines.append(stripped[4:])
        elif stripped in (">>>", "..."):
            lines.append("")
        else:
            lines.append(line[4:] if line.startswith(" " * 4) else line)
    return "\n".join(lines) + "\n"
