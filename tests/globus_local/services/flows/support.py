"""Flows test helpers: users calling Flows over raw HTTP, flows to run, and waiting for runs."""

from __future__ import annotations

import typing as t

import requests

from globus_local.services.auth.scopes import FLOWS_ALL, FLOWS_RS
from globus_local.testing import LocalServer
from tests.support.platform import ApiUser, access_token, call, user_factory
from tests.support.waiting import wait_until

MakeUser = t.Callable[..., "FlowsUser"]
FINAL = ("SUCCEEDED", "FAILED", "ENDED")


def pass_chain(n: int) -> dict[str, t.Any]:
    """``n`` Pass states, each appending its number to ``$.seen``... by ResultPath."""
    states: dict[str, t.Any] = {}
    for i in range(n):
        state: dict[str, t.Any] = {
            "Type": "Pass",
            "Parameters": {"step": i, "prev.$": "$.last" if i else "$.start"},
            "ResultPath": "$.last",
        }
        if i + 1 < n:
            state["Next"] = f"P{i + 1}"
        else:
            state["End"] = True
        states[f"P{i}"] = state
    return {"StartAt": "P0", "States": states}


def hello_world(echo_state: str = "Hello") -> dict[str, t.Any]:
    return {
        "StartAt": echo_state,
        "States": {
            echo_state: {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/hello_world",
                "Parameters": {"echo_string.$": "$.echo"},
                "ResultPath": "$.hello",
                "End": True,
            }
        },
    }


class FlowsUser(ApiUser):
    """A user with a Flows token; ``base_url`` is the service's root (``.../flows/``)."""

    server: LocalServer

    def create_flow(self, definition: dict[str, t.Any], **extra: t.Any) -> dict[str, t.Any]:
        body = {"title": extra.pop("title", "A flow"), "definition": definition, **extra}
        body.setdefault("input_schema", {})
        r = self.post("flows", json=body)
        assert r.status_code == 201, r.text
        return t.cast(dict[str, t.Any], r.json())

    def flow_token(self, flow: dict[str, t.Any]) -> str:
        """A token for the flow's own scope (what starting a run takes)."""
        scope = flow["globus_auth_scope"]
        return access_token(self.server.token(self.username, [scope]), flow["id"])

    def start(
        self, flow: dict[str, t.Any], body: dict[str, t.Any], **extra: t.Any
    ) -> requests.Response:
        return call(
            self.base_url,
            "POST",
            f"flows/{flow['id']}/run",
            self.flow_token(flow),
            json={"body": body, **extra},
        )

    def run(
        self, flow: dict[str, t.Any], body: dict[str, t.Any], **extra: t.Any
    ) -> dict[str, t.Any]:
        r = self.start(flow, body, **extra)
        assert r.status_code == 201, r.text
        return t.cast(dict[str, t.Any], r.json())

    def wait_run(
        self, run_id: str, timeout: float = 60.0, statuses: tuple[str, ...] = FINAL
    ) -> dict[str, t.Any]:
        def ended() -> dict[str, t.Any] | None:
            r = self.get(f"runs/{run_id}")
            assert r.status_code == 200, r.text
            doc = t.cast(dict[str, t.Any], r.json())
            return doc if doc["status"] in statuses else None

        return wait_until(ended, f"run {run_id} to reach {statuses}", timeout=timeout, every=0.05)

    def log(self, run_id: str, **params: t.Any) -> list[dict[str, t.Any]]:
        entries: list[dict[str, t.Any]] = []
        marker = None
        while True:
            r = self.get(
                f"runs/{run_id}/log",
                params={"limit": 100, **params, **({"marker": marker} if marker else {})},
            )
            assert r.status_code == 200, r.text
            page = r.json()
            entries += page["entries"]
            if not page["has_next_page"]:
                return entries
            marker = page["marker"]


def flows_user_factory(server: LocalServer) -> MakeUser:
    """``make(prefix="user", scopes=(FLOWS_ALL,))``: fresh users with a Flows token."""
    make = user_factory(server, server.service_url("flows"), FLOWS_RS, (FLOWS_ALL,), FlowsUser)

    def with_server(*args: t.Any, **kwargs: t.Any) -> FlowsUser:
        user = make(*args, **kwargs)
        user.server = server
        return user

    return with_server
