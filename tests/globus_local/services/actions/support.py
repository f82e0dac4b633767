"""Actions test helpers: users holding tokens for providers' scopes, a provider called
over raw HTTP, and waiting for an action to end."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import typing as t
import uuid
from dataclasses import dataclass

import requests

from globus_local.services.actions.urls import HOSTED_PROVIDERS, provider_key
from globus_local.services.auth.scopes import lookup_scopes
from globus_local.testing import LocalServer
from tests.support.platform import access_tokens, call, new_identity
from tests.support.waiting import wait_until

HELLO_WORLD = "https://actions.globus.org/hello_world"


@dataclass
class Caller:
    """A user and their access tokens, by resource server."""

    server: LocalServer
    id: str
    username: str
    tokens: dict[str, str]

    @property
    def urn(self) -> str:
        return f"urn:globus:auth:identity:{self.id}"

    def provider(self, url: str) -> Provider:
        """The provider Globus serves at ``url``, called with this user's token for its scope."""
        scope = HOSTED_PROVIDERS[url]
        with self.server.db.session() as session:
            resource_server = lookup_scopes(session, [scope])[scope].resource_server
        return Provider(self.server, provider_key(url), self.tokens.get(resource_server))


def make_caller(server: LocalServer, scopes: t.Sequence[str], prefix: str = "act") -> Caller:
    identity = new_identity(server.db, prefix)
    tokens = access_tokens(server.token(identity["username"], list(scopes)))
    return Caller(server, identity["id"], identity["username"], tokens)


RETRIES_ON_503 = 5


class Provider:
    """One provider's routes under ``/actions/<key>/``, with a bearer token (or none)."""

    def __init__(self, server: LocalServer, key: str, token: str | None) -> None:
        self.base = f"{server.service_url('actions')}{key}/"
        self.token = token

    def http(self, method: str, path: str = "", **kw: t.Any) -> requests.Response:
        """One request, sent again after a 503 as Globus clients do (the platform says
        503 with Retry-After when it is too busy to take a request in time)."""
        for _ in range(RETRIES_ON_503):
            response = call(self.base, method, path, self.token, **kw)
            if response.status_code != 503:
                return response
            time.sleep(float(response.headers.get("Retry-After") or 1))
        return response

    def run(
        self, body: dict[str, t.Any], *, new_style: bool = False, **request: t.Any
    ) -> requests.Response:
        request.setdefault("request_id", str(uuid.uuid4()))
        return self.http("POST", "actions" if new_style else "run", json={**request, "body": body})

    def started(self, body: dict[str, t.Any], **request: t.Any) -> dict[str, t.Any]:
        response = self.run(body, **request)
        assert response.status_code == 202, response.text
        return t.cast(dict[str, t.Any], response.json())

    def status(self, action_id: str) -> requests.Response:
        return self.http("GET", f"{action_id}/status")

    def wait(self, action_id: str, timeout: float = 60.0) -> dict[str, t.Any]:
        """The action's status once it has ended."""

        def ended() -> dict[str, t.Any] | None:
            response = self.status(action_id)
            assert response.status_code == 200, response.text
            doc = t.cast(dict[str, t.Any], response.json())
            return doc if doc["status"] in ("SUCCEEDED", "FAILED") else None

        return wait_until(ended, f"action {action_id} to end", timeout)

    def result(self, body: dict[str, t.Any], **request: t.Any) -> dict[str, t.Any]:
        """Run an action to its end: its final status."""
        return self.wait(self.started(body, **request)["action_id"])


class SmtpSink:
    """A minimal SMTP server on loopback that keeps each message it is sent (as bytes),
    to see the notify provider speak SMTP to a real socket."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self._listener.accept()
                with connection, connection.makefile("rb") as lines:
                    self._session(connection, lines)

    def _session(self, connection: socket.socket, lines: t.BinaryIO) -> None:
        connection.sendall(b"220 sink ready\r\n")
        for line in lines:
            verb = line[:4].upper()
            if verb == b"DATA":
                connection.sendall(b"354 go ahead\r\n")
                body = []
                for data in lines:
                    if data in (b".\r\n", b".\n"):
                        break
                    body.append(data[1:] if data.startswith(b"..") else data)
                self.messages.append(b"".join(body))
                connection.sendall(b"250 kept\r\n")
            elif verb == b"QUIT":
                connection.sendall(b"221 bye\r\n")
                return
            else:
                connection.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self._listener.close()
