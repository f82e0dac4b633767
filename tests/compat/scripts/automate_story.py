"""Run with the REAL globus-automate-client (0.15/0.16) against globus-local: deploy, list,
get, run, watch, log, cancel, release and delete flows with its ``FlowsClient``, and run,
watch, cancel and release an action of the platform's Hello World with its ``ActionClient``.

The script is a confidential client (``CLIENT_ID``/``CLIENT_SECRET``) that takes every token
with the client-credentials grant: the Flows scope for the ``FlowsClient`` itself, and each
flow's own scope through the authorizer callback the client calls with that scope (learned
by introspecting the flow). ``FLOWS_URL`` is where the client finds the Flows service,
``HELLO_URL`` the platform's Hello World (the real client knows no ``local`` environment, so
it never rewrites ``https://actions.globus.org``). It prints one JSON document of what it saw.

Imports only the real packages: it runs in a compat venv, never in this project's.
"""

from __future__ import annotations

import json
import os
import time
import traceback
import typing as t

import globus_sdk
from globus_automate_client import ActionClient, FlowsClient
from globus_automate_client.flows_client import MANAGE_FLOWS_SCOPE

FINAL = ("SUCCEEDED", "FAILED")
AUTH = globus_sdk.ConfidentialAppAuthClient(os.environ["CLIENT_ID"], os.environ["CLIENT_SECRET"])
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


def authorizer(scope: str) -> globus_sdk.ClientCredentialsAuthorizer:
    return globus_sdk.ClientCredentialsAuthorizer(AUTH, scope)


def flow_authorizer(
    flow_url: str, flow_scope: str, client_id: str
) -> globus_sdk.ClientCredentialsAuthorizer:
    """The callback the client asks for a flow's authorizer; it records what it was asked."""
    CALLBACKS.append({"flow_url": flow_url, "flow_scope": flow_scope})
    return authorizer(flow_scope)


CALLBACKS: list[dict[str, str]] = []


def api_error(exc: globus_sdk.GlobusAPIError) -> dict[str, t.Any]:
    """The status and the service's own code (the SDK 3.x of these releases reads ``code``
    only at the top of a document, and the Flows document nests it under ``error``)."""
    body = exc.raw_json or {}
    return {"status": exc.http_status, "code": body.get("error", body).get("code")}


def watch(look: t.Callable[[], t.Any]) -> tuple[dict[str, t.Any], list[str]]:
    """Look until the status is final: the last document and each status seen."""
    seen: list[str] = []
    for _ in range(400):
        doc = dict(look().data)
        if not seen or seen[-1] != doc["status"]:
            seen.append(doc["status"])
        if doc["status"] in FINAL:
            return doc, seen
        time.sleep(0.05)
    raise AssertionError(f"never ended: {seen}")


def flows_story(fc: FlowsClient, out: dict[str, t.Any]) -> None:
    hello = fc.deploy_flow(
        HELLO, "real automate hello", subtitle="from 0.x", keywords=["automate"],
        input_schema=SCHEMA,
    )  # fmt: skip
    flow_id, scope = hello["id"], hello["globus_auth_scope"]
    out["deployed"] = {"id": flow_id, "scope": scope, "owner": hello["flow_owner"]}
    out["get"] = fc.get_flow(flow_id)["subtitle"]
    listed = fc.list_flows(roles=["flow_owner"])["flows"]
    out["listed"] = [f["id"] for f in listed if f["id"] == flow_id]
    out["scope_for_flow"] = fc.scope_for_flow(flow_id)

    try:
        fc.run_flow(flow_id, None, {"echo": 5}, label="bad")
        out["bad_input"] = "accepted"
    except globus_sdk.GlobusAPIError as exc:
        out["bad_input"] = api_error(exc)
    dry = fc.run_flow(flow_id, scope, {"echo": "dry"}, label="dry", dry_run=True)
    out["dry_run"] = dry.data

    started = fc.run_flow(flow_id, None, {"echo": "hi there"}, label="automate run", tags=["x"])
    run_id = started["action_id"]
    status, seen = watch(lambda: fc.flow_action_status(flow_id, scope, run_id))
    out["run"] = {
        "started": started["status"],
        "label": started["label"],
        "tags": started["tags"],
        "seen": seen,
        "output": status["details"]["output"],
    }
    log = fc.flow_action_log(flow_id, scope, run_id, limit=100)
    out["log_codes"] = [e["code"] for e in log["entries"]]
    newest = fc.flow_action_log(flow_id, scope, run_id, limit=1, reverse_order=True)
    out["log_newest"] = [e["code"] for e in newest["entries"]]
    runs = fc.list_flow_runs(flow_id, scope)["runs"]
    out["flow_runs"] = [r["run_id"] for r in runs]

    nap = fc.deploy_flow(SLOW, "real automate slow", input_schema={})
    nap_run = fc.run_flow(nap["id"], None, {}, label="nap")["action_id"]
    try:
        fc.flow_action_release(nap["id"], None, nap_run)
        out["release_active"] = "released"
    except globus_sdk.GlobusAPIError as exc:
        out["release_active"] = api_error(exc)
    canceled = fc.flow_action_cancel(nap["id"], None, nap_run)
    final, _ = watch(lambda: fc.flow_action_status(nap["id"], None, nap_run))
    out["canceled"] = {"answer": canceled["status"], "final": final["status"]}
    fc.flow_action_release(nap["id"], None, nap_run)
    try:
        fc.flow_action_status(nap["id"], None, nap_run)
        out["after_release"] = "still there"
    except globus_sdk.GlobusAPIError as exc:
        out["after_release"] = api_error(exc)

    fc.delete_flow(flow_id)
    fc.delete_flow(nap["id"])
    try:
        fc.get_flow(flow_id)
        out["after_delete"] = "still there"
    except globus_sdk.GlobusAPIError as exc:
        out["after_delete"] = api_error(exc)
    out["callback_urls"] = sorted({c["flow_url"] for c in CALLBACKS})


def action_story(out: dict[str, t.Any]) -> None:
    url = os.environ["HELLO_URL"]
    scope = os.environ["HELLO_SCOPE"]
    ac = ActionClient.new_client(url, authorizer(scope))
    out["action_scope"] = ac.action_scope
    done = ac.run({"echo_string": "hello automate"}, label="echo")
    final, seen = watch(lambda: ac.status(done["action_id"]))
    out["action_run"] = {"seen": seen, "details": final["details"], "label": final["label"]}
    ac.release(done["action_id"])

    sleeper = ac.run({"echo_string": "slow", "sleep_time": 300})
    out["action_active"] = ac.status(sleeper["action_id"])["status"]
    ac.cancel(sleeper["action_id"])
    final, _ = watch(lambda: ac.status(sleeper["action_id"]))
    out["action_canceled"] = final["status"]


def main() -> None:
    out: dict[str, t.Any] = {}
    try:
        fc = FlowsClient.new_client(
            os.environ["CLIENT_ID"],
            flow_authorizer,
            authorizer(MANAGE_FLOWS_SCOPE),
            base_url=os.environ["FLOWS_URL"],
        )
        flows_story(fc, out)
        action_story(out)
    except globus_sdk.GlobusAPIError as exc:
        out["failed"] = f"{exc.http_status} {exc.code} {exc.raw_text}"
    except Exception:  # the test shows the whole story of an unexpected failure
        out["failed"] = traceback.format_exc()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
