"""A user's story told with the REAL globus-sdk 3.2 (run by the compat venv's python).

Not a test module: tests/compat/test_real_sdk.py runs it in a subprocess whose environment
points the SDK at a globus-local server. The first line of stdin is a JSON config (client
ids, endpoint ids...). The script prints ``AUTHORIZE_URL <url>`` and reads the authorization
code from the next stdin line (the test logs in through the server's pages meanwhile), then
prints one ``RESULT <json>`` line: a section per service with what it saw, or the error that
stopped that section. It imports nothing from this project.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
import typing as t

import globus_sdk
from globus_sdk.scopes import AuthScopes, GroupsScopes, SearchScopes, TransferScopes

AUTH_RS = AuthScopes.resource_server
TRANSFER_RS = TransferScopes.resource_server
GROUPS_RS = GroupsScopes.resource_server
SEARCH_RS = SearchScopes.resource_server


def describe_error(exc: BaseException) -> dict[str, t.Any]:
    """Everything a report needs: for API errors the request and the raw response."""
    doc: dict[str, t.Any] = {"type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, globus_sdk.GlobusAPIError):
        req = exc._underlying_response.request
        doc.update(
            http_status=exc.http_status,
            code=exc.code,
            request=f"{req.method} {req.url}",
            request_body=(req.body.decode() if isinstance(req.body, bytes) else req.body),
            response_body=exc.text,
        )
    doc["traceback"] = traceback.format_exc()
    return doc


def login(config: dict[str, t.Any]) -> dict[str, t.Any]:
    """Native app + PKCE through the server's login pages; the tokens, decoded id_token..."""
    client = globus_sdk.NativeAppAuthClient(config["native_client_id"])
    client.oauth2_start_flow(
        requested_scopes=[
            AuthScopes.openid,
            AuthScopes.profile,
            AuthScopes.email,
            AuthScopes.view_identity_set,
            TransferScopes.all,
            GroupsScopes.all,
            SearchScopes.all,
        ],
        refresh_tokens=True,
    )
    print("AUTHORIZE_URL", client.oauth2_get_authorize_url(), flush=True)
    code = sys.stdin.readline().strip()
    tokens = client.oauth2_exchange_code_for_tokens(code)
    by_rs = tokens.by_resource_server
    id_token = tokens.decode_id_token()
    return {"client": client, "tokens": by_rs, "id_token": id_token}


def auth_section(config: dict[str, t.Any], session: dict[str, t.Any]) -> dict[str, t.Any]:
    out: dict[str, t.Any] = {}
    tokens = session["tokens"]
    native: globus_sdk.NativeAppAuthClient = session["client"]
    out["resource_servers"] = sorted(tokens)
    out["has_refresh_tokens"] = {rs: bool(doc.get("refresh_token")) for rs, doc in tokens.items()}
    out["id_token"] = {k: session["id_token"].get(k) for k in ("sub", "aud", "preferred_username")}

    ac = globus_sdk.AuthClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens[AUTH_RS]["access_token"])
    )
    info = ac.oauth2_userinfo()
    out["userinfo"] = {k: info.get(k) for k in ("sub", "preferred_username", "name", "email")}
    out["identity_set_usernames"] = sorted(i["username"] for i in info.get("identity_set", []))
    found = ac.get_identities(usernames=[config["username"], config["other_username"]])
    out["identities"] = sorted((i["username"], i["id"]) for i in found["identities"])
    idmap = globus_sdk.IdentityMap(ac)
    out["identity_map"] = idmap[config["other_username"]]["id"]

    # a refresh token grant through the authorizer the docs recommend for native apps
    refreshed: list[str] = []
    authorizer = globus_sdk.RefreshTokenAuthorizer(
        tokens[AUTH_RS]["refresh_token"],
        native,
        on_refresh=lambda resp: refreshed.extend(sorted(resp.by_resource_server)),
    )
    out["refreshed_resource_servers"] = refreshed
    info2 = globus_sdk.AuthClient(authorizer=authorizer).oauth2_userinfo()
    out["userinfo_after_refresh_sub"] = info2["sub"]
    # SDK 3.2 copies the response's refresh_token (None if absent) into the authorizer
    out["refresh_token_kept"] = bool(authorizer.refresh_token)

    # a confidential client: client credentials and introspection of the user's token
    cc = globus_sdk.ConfidentialAppAuthClient(
        config["confidential_client_id"], config["confidential_client_secret"]
    )
    ct = cc.oauth2_client_credentials_tokens(requested_scopes=TransferScopes.all)
    out["client_credentials_resource_servers"] = sorted(ct.by_resource_server)
    intro = cc.oauth2_token_introspect(tokens[TRANSFER_RS]["access_token"], include="identity_set")
    out["introspect"] = {
        "active": intro["active"],
        "sub": intro.get("sub"),
        "username": intro.get("username"),
        "scope": intro.get("scope"),
        "identity_set": intro.get("identity_set"),
    }
    out["validate_active"] = native.oauth2_validate_token(tokens[TRANSFER_RS]["access_token"])[
        "active"
    ]
    return out


def transfer_section(config: dict[str, t.Any], session: dict[str, t.Any]) -> dict[str, t.Any]:
    out: dict[str, t.Any] = {}
    tokens = session["tokens"]
    tc = globus_sdk.TransferClient(
        authorizer=globus_sdk.RefreshTokenAuthorizer(
            tokens[TRANSFER_RS]["refresh_token"],
            session["client"],
            access_token=tokens[TRANSFER_RS]["access_token"],
            expires_at=tokens[TRANSFER_RS]["expires_at_seconds"],
        )
    )
    src, dst = config["source_endpoint"], config["destination_endpoint"]
    out["my_endpoints"] = sorted(ep["id"] for ep in tc.endpoint_search(filter_scope="my-endpoints"))
    out["fulltext_hits"] = [
        ep["display_name"] for ep in tc.endpoint_search(config["source_display_name"])
    ]
    out["source_display_name"] = tc.get_endpoint(src)["display_name"]
    out["autoactivate_code"] = tc.endpoint_autoactivate(src, if_expires_in=60)["code"]
    listing = tc.operation_ls(src)
    out["source_listing"] = sorted(
        (e["name"], e["type"], e["size"]) for e in listing if e["type"] == "file"
    )
    out["mkdir_code"] = tc.operation_mkdir(dst, "/sdk-made")["code"]

    tdata = globus_sdk.TransferData(tc, src, dst, label="real sdk 3.2", sync_level="checksum")
    tdata.add_item(config["source_file"], "/sdk-made/copy.txt")
    tdata.add_item("/tree/", "/sdk-made/tree/", recursive=True)
    submitted = tc.submit_transfer(tdata)
    task_id = submitted["task_id"]
    out["submit_code"] = submitted["code"]
    out["task_wait"] = tc.task_wait(task_id, timeout=60, polling_interval=1)
    task = tc.get_task(task_id)
    out["task"] = {k: task[k] for k in ("status", "label", "files", "directories", "type")}
    out["task_id"] = task_id
    out["task_in_list"] = task_id in [tk["task_id"] for tk in tc.task_list(filter="type:TRANSFER")]
    out["successful"] = sorted(
        item["destination_path"] for item in tc.task_successful_transfers(task_id)
    )
    out["event_codes"] = sorted({ev["code"] for ev in tc.task_event_list(task_id)})
    out["destination_listing"] = sorted(e["name"] for e in tc.operation_ls(dst, path="/sdk-made"))

    ddata = globus_sdk.DeleteData(tc, dst, recursive=True, label="real sdk delete")
    ddata.add_item("/sdk-made/tree")
    delete_id = tc.submit_delete(ddata)["task_id"]
    out["delete_wait"] = tc.task_wait(delete_id, timeout=60, polling_interval=1)
    out["delete_status"] = tc.get_task(delete_id)["status"]
    out["after_delete_listing"] = sorted(e["name"] for e in tc.operation_ls(dst, path="/sdk-made"))
    return out


def groups_section(config: dict[str, t.Any], session: dict[str, t.Any]) -> dict[str, t.Any]:
    out: dict[str, t.Any] = {}
    tokens = session["tokens"]
    gc = globus_sdk.GroupsClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens[GROUPS_RS]["access_token"])
    )
    manager = globus_sdk.GroupsManager(gc)
    out["before"] = sorted(g["name"] for g in gc.get_my_groups())
    group = manager.create_group(config["group_name"], "made by the real SDK 3.2")
    group_id = group["id"]
    out["group_id"] = group_id
    out["after"] = sorted(g["name"] for g in gc.get_my_groups())
    added = manager.add_member(group_id, config["other_identity_id"])
    out["added"] = [m["identity_id"] for m in added.get("add", [])]
    full = gc.get_group(group_id, query_params={"include": "memberships"})
    out["members"] = sorted(
        (m["username"], m["role"], m["status"]) for m in full.get("memberships", [])
    )
    manager.set_group_policies(
        group_id,
        is_high_assurance=False,
        group_visibility=globus_sdk.GroupVisibility.private,
        group_members_visibility=globus_sdk.GroupMemberVisibility.managers,
        join_requests=False,
        signup_fields=[globus_sdk.GroupRequiredSignupFields.institution],
    )
    policies = gc.get_group_policies(group_id)
    out["policies"] = {
        k: policies[k] for k in ("group_visibility", "group_members_visibility", "signup_fields")
    }
    return out


def _wait_search_task(sc: globus_sdk.SearchClient, task_id: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        state = sc.get_task(task_id)["state"]
        if state in ("SUCCESS", "FAILED") or time.monotonic() > deadline:
            return str(state)
        time.sleep(0.2)


def search_section(config: dict[str, t.Any], session: dict[str, t.Any]) -> dict[str, t.Any]:
    out: dict[str, t.Any] = {}
    tokens = session["tokens"]
    sc = globus_sdk.SearchClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens[SEARCH_RS]["access_token"])
    )
    # SDK 3.2 has no create_index: the raw API call, through the client's own transport
    index = sc.post(
        "/v1/index", data={"display_name": config["index_name"], "description": "sdk 3.2"}
    )
    index_id = index["id"]
    out["index_display_name"] = sc.get_index(index_id)["display_name"]
    ingest = sc.ingest(
        index_id,
        {
            "ingest_type": "GMetaList",
            "ingest_data": {
                "gmeta": [
                    {
                        "subject": f"https://example.org/{name}",
                        "visible_to": ["public"],
                        "content": {"title": f"{name} the {kind}", "kind": kind, "legs": legs},
                    }
                    for name, kind, legs in (
                        ("pingu", "penguin", 2),
                        ("tux", "penguin", 2),
                        ("rex", "dog", 4),
                    )
                ]
            },
        },
    )
    out["ingest_acknowledged"] = ingest["acknowledged"]
    out["ingest_state"] = _wait_search_task(sc, ingest["task_id"])
    found = sc.search(index_id, "penguin")
    out["search_subjects"] = sorted(g["subject"] for g in found["gmeta"])
    out["search_count_total"] = [found["count"], found["total"]]
    query = (
        globus_sdk.SearchQuery("*")
        .add_filter("kind", ["dog"], type="match_any")
        .add_facet("kinds", "kind", type="terms")
    )
    posted = sc.post_search(index_id, query)
    out["post_search_subjects"] = [g["subject"] for g in posted["gmeta"]]
    out["facets"] = [
        (facet["name"], sorted((b["value"], b["count"]) for b in facet["buckets"]))
        for facet in posted.get("facet_results", [])
    ]
    out["paginated_subjects"] = sorted(
        g["subject"] for page in sc.paginated.search(index_id, "*", limit=2) for g in page["gmeta"]
    )
    subject = sc.get_subject(index_id, "https://example.org/rex")
    out["subject_content"] = subject["entries"][0]["content"]
    out["entry_content"] = sc.get_entry(index_id, "https://example.org/tux")["entries"][0][
        "content"
    ]
    deleted = sc.delete_subject(index_id, "https://example.org/tux")
    out["delete_state"] = _wait_search_task(sc, deleted["task_id"])
    out["after_delete"] = sorted(g["subject"] for g in sc.search(index_id, "penguin")["gmeta"])
    out["task_list_length"] = len(sc.get_task_list(index_id)["tasks"])
    return out


def revoke_section(config: dict[str, t.Any], session: dict[str, t.Any]) -> dict[str, t.Any]:
    """Last: revoking the native app's transfer refresh token makes it unusable."""
    native: globus_sdk.NativeAppAuthClient = session["client"]
    refresh = session["tokens"][TRANSFER_RS]["refresh_token"]
    out: dict[str, t.Any] = {"validate_before": native.oauth2_validate_token(refresh)["active"]}
    native.oauth2_revoke_token(refresh)
    out["validate_after"] = native.oauth2_validate_token(refresh)["active"]
    try:
        native.oauth2_refresh_token(refresh)
        out["refresh_after_revoke"] = "succeeded"
    except globus_sdk.AuthAPIError as exc:
        out["refresh_after_revoke"] = [exc.http_status, exc.code]
    return out


SECTIONS: dict[str, t.Callable[[dict[str, t.Any], dict[str, t.Any]], dict[str, t.Any]]] = {
    "auth": auth_section,
    "transfer": transfer_section,
    "groups": groups_section,
    "search": search_section,
    "revoke": revoke_section,
}


def main() -> int:
    config = json.loads(sys.stdin.readline())
    result: dict[str, t.Any] = {
        "sdk_version": globus_sdk.__version__,
        "sdk_file": globus_sdk.__file__,
    }
    try:
        session = login(config)
    except Exception as exc:
        result["login"] = {"error": describe_error(exc)}
        print("RESULT", json.dumps(result), flush=True)
        return 1
    result["login"] = {"ok": True}
    for name, section in SECTIONS.items():
        try:
            result[name] = section(config, session)
        except Exception as exc:
            result[name] = {"error": describe_error(exc)}
    print("RESULT", json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
