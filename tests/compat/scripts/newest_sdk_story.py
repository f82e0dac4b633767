"""Run with a REAL newer globus-sdk (3.66 or 4.x) against globus-local: the calls newer
clients make that 3.2 did not. Tokens come in the environment (``TOKENS``, JSON); the
script prints one JSON document of what it saw, section by section.

Imports only the real SDK: it runs in a compat venv, never in this project's.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import typing as t

import globus_sdk

TOKENS: dict[str, str] = json.loads(os.environ["TOKENS"])
OTHER_IDENTITY = os.environ["OTHER_IDENTITY"]


def authorizer(name: str) -> globus_sdk.AccessTokenAuthorizer:
    return globus_sdk.AccessTokenAuthorizer(TOKENS[name])


def wait_task(sc: globus_sdk.SearchClient, task_id: str) -> str:
    for _ in range(300):
        state = sc.get_task(task_id)["state"]
        if state in ("SUCCESS", "FAILED"):
            return str(state)
        time.sleep(0.1)
    raise AssertionError(f"task {task_id} did not end")


def search() -> dict[str, t.Any]:
    sc = globus_sdk.SearchClient(authorizer=authorizer("search"))
    index_id = sc.create_index("newest sdk", "scroll and facets")["id"]
    gmeta = [
        {
            "subject": f"doc-{n:02}",
            "visible_to": ["public"],
            "content": {"n": n, "colour": ["red", "green", "blue"][n % 3]},
        }
        for n in range(11)
    ]
    task = sc.ingest(index_id, {"ingest_type": "GMetaList", "ingest_data": {"gmeta": gmeta}})
    out: dict[str, t.Any] = {"ingest": wait_task(sc, task["task_id"])}

    pages = list(sc.paginated.scroll(index_id, {"q": "*", "limit": 4}))
    out["scroll_pages"] = [len(page["gmeta"]) for page in pages]
    out["scroll_subjects"] = [g["subject"] for page in pages for g in page["gmeta"]]
    red = {"type": "match_any", "field_name": "colour", "values": ["red"]}
    filtered = sc.paginated.scroll(index_id, {"q": "*", "limit": 2, "filters": [red]})
    out["scroll_red"] = [g["subject"] for g in filtered.items()]

    query = globus_sdk.SearchQueryV1(q="*", limit=20)
    query["filters"] = [{"type": "range", "field_name": "n", "values": [{"from": 0, "to": 5}]}]
    query["facets"] = [{"name": "colours", "type": "terms", "field_name": "colour"}]
    query["post_facet_filters"] = [red]
    result = sc.post_search(index_id, query)
    out["facet_subjects"] = sorted(g["subject"] for g in result["gmeta"])
    out["facet_buckets"] = {b["value"]: b["count"] for b in result["facet_results"][0]["buckets"]}
    return out


def groups() -> dict[str, t.Any]:
    owner = globus_sdk.GroupsClient(authorizer=authorizer("groups"))
    other = globus_sdk.GroupsClient(authorizer=authorizer("groups_other"))
    out: dict[str, t.Any] = {}
    for kind, requests in (("open", False), ("by_request", True)):
        group_id = owner.create_group({"name": f"newest sdk {kind}"})["id"]
        policies = globus_sdk.GroupPolicies(
            is_high_assurance=False,
            group_visibility="authenticated",
            group_members_visibility="managers",
            join_requests=requests,
            signup_fields=[],
        )
        owner.set_group_policies(group_id, policies)
        for action in ("join", "request_join"):
            actions = globus_sdk.BatchMembershipActions()
            getattr(actions, action)([OTHER_IDENTITY])
            doc = other.batch_membership_action(group_id, actions).data
            done = doc.get(action) or []
            failed = doc.get("errors", {}).get(action) or []
            out[f"{kind}.{action}"] = done[0]["status"] if done else failed[0]["code"]
    return out


def not_found() -> dict[str, t.Any]:
    """An unknown path under each service's prefix: the SDK's error parses its document."""
    clients = {
        "auth": (globus_sdk.AuthClient, "auth"),
        "groups": (globus_sdk.GroupsClient, "groups"),
        "search": (globus_sdk.SearchClient, "search"),
        "transfer": (globus_sdk.TransferClient, "transfer"),
    }
    out: dict[str, t.Any] = {}
    for name, (cls, token) in clients.items():
        client = cls(authorizer=authorizer(token))
        try:
            client.get("/no/such/route")
        except globus_sdk.GlobusAPIError as err:
            out[name] = {"status": err.http_status, "code": err.code, "message": err.message}
        else:
            out[name] = "no error"
    return out


def main() -> int:
    report: dict[str, t.Any] = {"version": globus_sdk.__version__}
    for section in (search, groups, not_found):
        try:
            report[section.__name__] = section()
        except Exception:  # the test shows what broke, with the server's answer
            report[section.__name__] = {"failed": traceback.format_exc()}
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
