"""Run with a REAL globus-sdk (3.66 or 4.x) against globus-local's Flows service: create,
list, get, update, run, watch, cancel and delete flows with ``FlowsClient`` and
``SpecificFlowClient``.

The script acts as a confidential client (``CLIENT_ID``/``CLIENT_SECRET`` in the
environment) and gets every token itself with the client-credentials grant, including the
token for each flow's own scope once the flow exists, as a robot user would. It prints one
JSON document of what it saw.

Imports only the real SDK: it runs in a compat venv, never in this project's.
"""

from __future__ import annotations

import json
import os
import time
import traceback
import typing as t

import globus_sdk

FLOWS_SCOPE = os.environ["FLOWS_SCOPE"]
FINAL = ("SUCCEEDED", "FAILED", "ENDED")
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
ECHO_SCHEMA = {
    "type": "object",
    "properties": {"echo": {"type": "string"}},
    "required": ["echo"],
}
WAIT = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 600, "End": True}}}


def authorizer(scope: str) -> globus_sdk.ClientCredentialsAuthorizer:
    return globus_sdk.ClientCredentialsAuthorizer(AUTH, scope)


def api_error(exc: globus_sdk.GlobusAPIError) -> dict[str, t.Any]:
    return {"status": exc.http_status, "code": exc.code}


def wait_run(fc: globus_sdk.FlowsClient, run_id: str) -> tuple[dict[str, t.Any], list[str]]:
    """Watch the run until it ends: its last document and each status seen."""
    seen: list[str] = []
    for _ in range(600):
        run = fc.get_run(run_id)
        if not seen or seen[-1] != run["status"]:
            seen.append(run["status"])
        if run["status"] in FINAL:
            return dict(run.data), seen
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not end: {seen}")


def story() -> dict[str, t.Any]:
    fc = globus_sdk.FlowsClient(authorizer=authorizer(FLOWS_SCOPE))
    out: dict[str, t.Any] = {}

    hello = fc.create_flow(
        "real sdk hello", HELLO, ECHO_SCHEMA, subtitle="says hello", keywords=["compat"]
    )
    napper = fc.create_flow("real sdk nap", WAIT, {})
    hello_id, nap_id = hello["id"], napper["id"]
    out["created"] = {
        "scope": hello["globus_auth_scope"],
        "id": hello_id,
        "owner": hello["flow_owner"],
        "keywords": hello["keywords"],
    }

    listed = [f["id"] for f in fc.list_flows(filter_roles=["flow_owner"])["flows"]]
    out["listed"] = sorted({hello_id, nap_id} & set(listed))
    paged = fc.paginated.list_flows(filter_roles="flow_owner", query_params={"per_page": 1})
    out["paged"] = sorted({f["id"] for f in paged.items()} & {hello_id, nap_id})
    found = fc.list_flows(filter_fulltext="hello")["flows"]
    out["fulltext"] = [f["id"] for f in found if f["id"] in (hello_id, nap_id)]

    out["get_title"] = fc.get_flow(hello_id)["title"]
    updated = fc.update_flow(hello_id, title="real sdk hello, renamed", description="updated")
    out["updated"] = [updated["title"], fc.get_flow(hello_id)["description"]]

    specific = globus_sdk.SpecificFlowClient(
        hello_id, authorizer=authorizer(hello["globus_auth_scope"])
    )
    try:
        specific.run_flow({"echo": 5})
        out["bad_input"] = "accepted"
    except globus_sdk.GlobusAPIError as exc:
        out["bad_input"] = api_error(exc)

    started = specific.run_flow({"echo": "hi there"}, label="real sdk run", tags=["compat"])
    run_id = started["run_id"]
    run, seen = wait_run(fc, run_id)
    out["run"] = {
        "run_id": run_id,
        "started_status": started["status"],
        "flow_id": started["flow_id"],
        "label": run["label"],
        "tags": run["tags"],
        "seen": seen,
        "status": run["status"],
        "output": run["details"]["output"],
    }
    logs = fc.get_run_logs(run_id)
    out["log_codes"] = [e["code"] for e in logs["entries"]]
    paged_logs = fc.paginated.get_run_logs(run_id, limit=1)
    out["log_pages"] = [[e["code"] for e in page["entries"]] for page in paged_logs]
    out["runs_of_flow"] = [r["run_id"] for r in fc.list_runs(filter_flow_id=hello_id)["runs"]]
    out["run_definition"] = fc.get_run_definition(run_id)["definition"] == HELLO
    out["relabel"] = fc.update_run(run_id, label="relabelled")["label"]

    nap_client = globus_sdk.SpecificFlowClient(
        nap_id, authorizer=authorizer(napper["globus_auth_scope"])
    )
    nap_run = nap_client.run_flow({})["run_id"]
    try:
        fc.delete_run(nap_run)
        out["release_active"] = "released"
    except globus_sdk.GlobusAPIError as exc:
        out["release_active"] = api_error(exc)
    fc.cancel_run(nap_run)
    canceled, _ = wait_run(fc, nap_run)
    nap_log = fc.get_run_logs(nap_run, limit=100)["entries"]
    out["canceled"] = {"status": canceled["status"], "last": nap_log[-1]["code"]}

    fc.delete_run(run_id)
    try:
        fc.get_run(run_id)
        out["after_release"] = "still there"
    except globus_sdk.GlobusAPIError as exc:
        out["after_release"] = api_error(exc)

    fc.delete_flow(hello_id)
    fc.delete_flow(nap_id)
    try:
        fc.get_flow(hello_id)
        out["after_delete"] = "still there"
    except globus_sdk.GlobusAPIError as exc:
        out["after_delete"] = api_error(exc)
    return out


def main() -> None:
    try:
        report = story()
    except globus_sdk.GlobusAPIError as exc:
        report = {"failed": f"{exc.http_status} {exc.code} {exc.text}"}
    except Exception:  # the test shows the whole story of an unexpected failure
        report = {"failed": traceback.format_exc()}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
