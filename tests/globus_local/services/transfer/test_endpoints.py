"""Endpoints over HTTP: documents, CRUD, search scopes, activation, servers, roles,
shared endpoints, bookmarks, endpoint-manager views, the admin command."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import pytest

from globus_local.testing import LocalServer
from tests.globus_local.services.transfer.support import (
    TransferUser,
    submit,
    transfer_doc,
    wait_task,
)

EndpointFactory = t.Callable[..., tuple[str, Path]]

# Every key of the §1.2 endpoint document.
ENDPOINT_KEYS = {
    "DATA_TYPE", "id", "display_name", "canonical_name", "name", "username", "owner_id",
    "owner_string", "entity_type", "gcs_version", "gcs_manager_url", "description",
    "organization", "department", "keywords", "contact_email", "contact_info", "info_link",
    "user_message", "user_message_link", "public", "is_globus_connect",
    "globus_connect_setup_key", "gcp_connected", "gcp_paused", "non_functional",
    "non_functional_endpoint_display_name", "non_functional_endpoint_id", "host_endpoint",
    "host_endpoint_id", "host_endpoint_display_name", "host_path", "mapped_collection_id",
    "mapped_collection_display_name", "sharing_target_endpoint", "sharing_target_root_path",
    "shareable", "acl_available", "acl_editable", "in_use", "activated", "expires_in",
    "expire_time", "myproxy_server", "myproxy_dn", "oauth_server", "default_directory",
    "force_encryption", "force_verify", "disable_verify", "disable_anonymous_writes",
    "high_assurance", "mfa_required", "authentication_assurance_timeout",
    "authentication_timeout_mins", "authentication_policy_id", "local_user_info_available",
    "location", "network_use", "max_concurrency", "preferred_concurrency", "max_parallelism",
    "preferred_parallelism", "my_effective_roles", "subscription_id", "requester_pays",
    "s3_url", "s3_owner_activated", "https_server", "tlsftp_server", "is_go_storage",
    "storage_type", "french_english_bilingual", "last_accessed_time", "DATA",
}  # fmt: skip


def error_of(response: t.Any) -> dict[str, t.Any]:
    body = response.json()
    assert set(body) >= {"code", "message", "request_id", "resource"}, body
    return t.cast(dict[str, t.Any], body)


# -- documents and CRUD -------------------------------------------------------------------
def test_endpoint_document_has_every_key(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _ = alice_endpoint
    r = alice.get(f"endpoint/{endpoint_id}")
    assert r.status_code == 200
    doc = r.json()
    assert set(doc) >= ENDPOINT_KEYS
    assert doc["DATA_TYPE"] == "endpoint"
    assert doc["id"] == endpoint_id
    assert doc["display_name"] == "Alice's laptop"
    assert doc["owner_id"] == alice.id
    assert doc["owner_string"] == alice.username
    assert doc["entity_type"] == "GCP_mapped_collection"
    assert doc["is_globus_connect"] is True
    assert doc["activated"] is True and doc["expires_in"] == -1
    assert doc["my_effective_roles"] == ["administrator"]
    assert doc["host_endpoint_id"] is None
    assert doc["DATA"] == []


def test_create_update_delete_over_the_api(alice: TransferUser, bob: TransferUser) -> None:
    r = alice.post(
        "endpoint",
        {"DATA_TYPE": "endpoint", "display_name": "api ep", "is_globus_connect": True,
         "description": "made by the API", "keywords": "alpha,beta"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["DATA_TYPE"] == "endpoint_create_result"
    assert created["code"] == "Created"
    assert created["globus_connect_setup_key"]
    assert created["resource"] == "/v0.10/endpoint"
    endpoint_id = created["id"]
    assert created["canonical_name"].endswith("#" + endpoint_id)

    r = alice.put(
        f"endpoint/{endpoint_id}",
        {"display_name": "renamed", "public": True, "max_concurrency": 8,
         "contact_email": "a@example.org", "default_directory": "/~/data/"},
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["code"] == "Updated"
    doc = alice.get(f"endpoint/{endpoint_id}").json()
    assert doc["display_name"] == "renamed"
    assert doc["public"] is True
    assert doc["max_concurrency"] == 8
    assert doc["contact_email"] == "a@example.org"
    assert doc["description"] == "made by the API"

    # The empty endpoint is usable straight away.
    assert alice.post(f"operation/endpoint/{endpoint_id}/mkdir", {"path": "/x"}).ok
    names = [e["name"] for e in alice.ls(endpoint_id, "/").json()["DATA"]]
    assert names == ["x"]

    # Bob can see a public endpoint but not change or delete it.
    assert bob.get(f"endpoint/{endpoint_id}").status_code == 200
    assert bob.put(f"endpoint/{endpoint_id}", {"display_name": "mine"}).status_code == 403
    assert bob.delete(f"endpoint/{endpoint_id}").status_code == 403
    # ... nor list its files.
    assert bob.ls(endpoint_id, "/").status_code == 403

    r = alice.delete(f"endpoint/{endpoint_id}")
    assert r.status_code == 200 and r.json()["code"] == "Deleted"
    r = alice.get(f"endpoint/{endpoint_id}")
    assert r.status_code == 404
    assert error_of(r)["code"] == "EndpointNotFound"


@pytest.mark.parametrize(
    "body",
    [
        {"DATA_TYPE": "endpoint"},
        {"display_name": ""},
        {"display_name": "x", "public": "maybe"},
        {"display_name": "x", "max_concurrency": "many"},
        {"display_name": "x", "myproxy_server": "a", "oauth_server": "b"},
    ],
)
def test_create_endpoint_validation(alice: TransferUser, body: dict[str, t.Any]) -> None:
    r = alice.post("endpoint", body)
    assert r.status_code == 400
    assert error_of(r)["code"].endswith("BadRequest")


def test_unknown_and_malformed_endpoint_ids(alice: TransferUser) -> None:
    for endpoint_id in ("5b8a1a0e-3d1f-4c1e-9f7a-000000000000", "not-a-uuid"):
        r = alice.get(f"endpoint/{endpoint_id}")
        assert r.status_code == 404
        body = error_of(r)
        assert body["code"] == "EndpointNotFound"
        assert body["resource"] == f"/v0.10/endpoint/{endpoint_id}"


def test_private_endpoint_is_invisible_to_others(
    bob: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _ = alice_endpoint
    r = bob.get(f"endpoint/{endpoint_id}")
    assert r.status_code == 403
    assert error_of(r)["code"] == "EndpointPermissionDenied"
    for method, path in [
        ("GET", "server_list"),
        ("GET", "role_list"),
        ("GET", "activation_requirements"),
        ("POST", "autoactivate"),
        ("GET", "my_shared_endpoint_list"),
        ("GET", "shared_endpoint_list"),
    ]:
        assert bob.http(method, f"endpoint/{endpoint_id}/{path}").status_code == 403, path


def test_tokens_are_required(
    transfer_server: LocalServer, alice_endpoint: tuple[str, Path]
) -> None:
    import requests

    endpoint_id, _ = alice_endpoint
    url = transfer_server.service_url("transfer") + f"v0.10/endpoint/{endpoint_id}"
    r = requests.get(url, timeout=10)
    assert r.status_code == 401
    assert error_of(r)["code"] == "ClientError.AuthenticationFailed"
    r = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert r.status_code == 401
    # A token for another resource server is refused with ConsentRequired.
    username = f"other-{endpoint_id[:8]}@example.org"
    transfer_server.create_user(username)
    groups_token = transfer_server.token(
        username, ["urn:globus:auth:scope:groups.api.globus.org:all"]
    )["access_token"]
    r = requests.get(url, headers={"Authorization": f"Bearer {groups_token}"}, timeout=10)
    assert r.status_code == 403
    assert error_of(r)["code"] == "ConsentRequired"
    assert error_of(r)["required_scopes"] == ["urn:globus:auth:scope:transfer.api.globus.org:all"]


# -- search --------------------------------------------------------------------------------
def test_endpoint_search_scopes(
    alice: TransferUser,
    bob: TransferUser,
    make_user: t.Any,
    make_endpoint: EndpointFactory,
) -> None:
    carol = make_user("carol")
    a1, a1_root = make_endpoint(alice, "Zebra alpha")
    a2, _ = make_endpoint(alice, "Zebra beta")
    b1, _ = make_endpoint(bob, "Zebra bob")
    (a1_root / "shared").mkdir()
    share = alice.post(
        "shared_endpoint",
        {"DATA_TYPE": "shared_endpoint", "host_endpoint": a1, "host_path": "/shared/",
         "display_name": "Zebra share"},
    ).json()["id"]  # fmt: skip
    rule = {"DATA_TYPE": "access", "principal_type": "identity", "principal": bob.id,
            "path": "/", "permissions": "r"}  # fmt: skip
    assert alice.post(f"endpoint/{share}/access", rule).status_code == 200
    role = {"DATA_TYPE": "role", "principal_type": "identity", "principal": carol.id,
            "role": "administrator"}  # fmt: skip
    assert alice.post(f"endpoint/{a2}/role", role).status_code == 200

    def ids(user: TransferUser, **params: t.Any) -> set[str]:
        r = user.get("endpoint_search", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["DATA_TYPE"] == "endpoint_list"
        for doc in body["DATA"]:
            assert isinstance(doc["_rank"], float)
        return {d["id"] for d in body["DATA"]}

    assert ids(alice, filter_fulltext="zebra") == {a1, a2, share}
    assert ids(bob, filter_fulltext="zebra") == {b1, share}
    assert ids(carol, filter_fulltext="zebra") == {a2}
    assert ids(alice, filter_fulltext="zebra beta") == {a2}
    assert ids(alice, filter_scope="my-endpoints") == {a1, a2, share}
    assert ids(alice, filter_scope="my-gcp-endpoints") == {a1, a2}
    assert ids(alice, filter_scope="shared-by-me") == {share}
    # (Other tests' shares open to all authenticated users are left out by the full text.)
    assert ids(bob, filter_scope="shared-with-me", filter_fulltext="zebra") == {share}
    assert ids(alice, filter_scope="shared-with-me", filter_fulltext="zebra") == set()
    assert ids(carol, filter_scope="administered-by-me") == {a2}
    assert ids(alice, filter_scope="administered-by-me") == {a1, a2, share}
    assert ids(bob, filter_scope="administered-by-me") == {b1}
    assert ids(alice, filter_scope="my-endpoints", filter_owner_id=bob.id) == set()
    assert ids(bob, filter_scope="all", filter_fulltext="zebra", filter_owner_id=alice.id) == {
        share
    }
    assert ids(alice, filter_scope="hosted-endpoints", filter_host_endpoint=a1) == {share}
    assert ids(alice, filter_scope="my-endpoints", filter_non_functional="1") == set()
    assert ids(alice, filter_scope="my-endpoints", filter_non_functional="0") == {a1, a2, share}

    # recently-used: endpoints of the caller's tasks and of the endpoints they created or
    # updated, most recent first. File operations are reads and do not count.
    assert ids(bob, filter_scope="recently-used") == set()
    assert bob.ls(share, "/").status_code == 200
    assert ids(bob, filter_scope="recently-used") == set()
    item = {"source_path": "/", "destination_path": "/from-share/", "recursive": True}
    wait_task(bob, submit(bob, transfer_doc(share, b1, [item])))
    assert ids(bob, filter_scope="recently-used") == {share, b1}
    assert bob.put(f"endpoint/{b1}", {"description": "used last"}).status_code == 200
    r = bob.get("endpoint_search", params={"filter_scope": "recently-used"}).json()
    assert [d["id"] for d in r["DATA"]] == [b1, share]
    assert share in ids(alice, filter_scope="recently-used")  # alice created it
    # in-use: endpoints with unfinished tasks of the caller (none have been submitted).
    assert ids(alice, filter_scope="in-use") == set()


def test_endpoint_search_paging_and_errors(
    alice: TransferUser, make_endpoint: EndpointFactory
) -> None:
    made = {make_endpoint(alice, f"Paging {i}")[0] for i in range(5)}
    seen: set[str] = set()
    offset = 0
    pages = 0
    while True:
        r = alice.get(
            "endpoint_search",
            params={"filter_scope": "my-endpoints", "limit": 2, "offset": offset},
        ).json()
        assert (r["limit"], r["offset"]) == (2, offset)
        seen |= {d["id"] for d in r["DATA"]}
        pages += 1
        if not r["has_next_page"]:
            break
        offset += 2
    assert seen == made and pages == 3
    assert alice.get("endpoint_search").status_code == 400  # 'all' needs filter_fulltext
    for params in (
        {"filter_scope": "bogus"},
        {"filter_scope": "my-endpoints", "limit": 101},
        {"filter_scope": "my-endpoints", "limit": 100, "offset": 950},
        {"filter_scope": "my-endpoints", "limit": "x"},
    ):
        r = alice.get("endpoint_search", params=params)
        assert r.status_code == 400, params


# -- activation ---------------------------------------------------------------------------------
def test_activation_is_never_needed(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, _ = alice_endpoint
    r = alice.post(f"endpoint/{endpoint_id}/autoactivate", params={"if_expires_in": 60})
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "AlreadyActivated"
    assert body["DATA_TYPE"] == "activation_result"
    assert body["activated"] is True and body["expires_in"] == -1
    assert body["resource"] == f"/v0.10/endpoint/{endpoint_id}/autoactivate"
    r = alice.post(f"endpoint/{endpoint_id}/activate", {"DATA_TYPE": "activation_requirements"})
    assert r.json()["code"].startswith(("AlreadyActivated", "AutoActivated."))
    reqs = alice.get(f"endpoint/{endpoint_id}/activation_requirements").json()
    assert reqs["DATA_TYPE"] == "activation_requirements"
    assert reqs["expires_in"] == -1 and reqs["activated"] is True and reqs["DATA"] == []
    r = alice.post(f"endpoint/{endpoint_id}/deactivate")
    assert r.status_code == 200 and r.json()["DATA_TYPE"] == "result"
    assert alice.get(f"endpoint/{endpoint_id}").json()["activated"] is True


# -- servers ----------------------------------------------------------------------------------------
def test_server_crud(
    alice: TransferUser, bob: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _ = alice_endpoint
    r = alice.post(
        f"endpoint/{endpoint_id}/server",
        {"DATA_TYPE": "server", "hostname": "gridftp.example.org", "port": 2811,
         "scheme": "gsiftp", "subject": "/CN=x"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["DATA_TYPE"] == "endpoint_server_add_result" and body["code"] == "Created"
    server_id = body["id"]
    assert isinstance(server_id, int)
    server = alice.get(f"endpoint/{endpoint_id}/server/{server_id}").json()
    assert server["hostname"] == "gridftp.example.org"
    assert server["uri"] == "gsiftp://gridftp.example.org:2811"
    assert server["id"] == server_id
    r = alice.put(f"endpoint/{endpoint_id}/server/{server_id}", {"port": 2812})
    assert r.json()["code"] == "Updated"
    listing = alice.get(f"endpoint/{endpoint_id}/server_list").json()
    assert listing["DATA_TYPE"] == "endpoint_server_list"
    assert [s["port"] for s in listing["DATA"]] == [2812]
    assert alice.get(f"endpoint/{endpoint_id}").json()["DATA"][0]["id"] == server_id
    assert alice.post(f"endpoint/{endpoint_id}/server", {"port": 1}).status_code == 400
    assert bob.post(f"endpoint/{endpoint_id}/server", {"hostname": "h"}).status_code == 403
    r = alice.delete(f"endpoint/{endpoint_id}/server/{server_id}")
    assert r.json()["code"] == "Deleted" and r.json()["id"] == server_id
    assert alice.get(f"endpoint/{endpoint_id}/server/{server_id}").status_code == 404


# -- roles ------------------------------------------------------------------------------------------------
def test_roles_grant_visibility_and_administration(
    alice: TransferUser, bob: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _ = alice_endpoint
    assert bob.get(f"endpoint/{endpoint_id}").status_code == 403
    role = {"DATA_TYPE": "role", "principal_type": "identity", "principal": bob.id,
            "role": "activity_monitor"}  # fmt: skip
    r = alice.post(f"endpoint/{endpoint_id}/role", role)
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["DATA_TYPE"] == "role" and created["role"] == "activity_monitor"
    assert alice.post(f"endpoint/{endpoint_id}/role", role).status_code == 409
    # A monitor sees the endpoint and its activity views, not its files or settings.
    doc = bob.get(f"endpoint/{endpoint_id}").json()
    assert doc["my_effective_roles"] == ["activity_monitor"]
    assert doc["globus_connect_setup_key"] is None
    assert bob.ls(endpoint_id, "/").status_code == 403
    assert bob.put(f"endpoint/{endpoint_id}", {"display_name": "x"}).status_code == 403
    assert bob.get(f"endpoint_manager/endpoint/{endpoint_id}").status_code == 200
    monitored = bob.get("endpoint_manager/monitored_endpoints").json()
    assert [e["id"] for e in monitored["DATA"]] == [endpoint_id]
    assert bob.get(f"endpoint/{endpoint_id}/role_list").status_code == 403

    admin_role = {**role, "role": "administrator"}
    admin_id = alice.post(f"endpoint/{endpoint_id}/role", admin_role).json()["id"]
    # Administrators use the files and manage the endpoint.
    assert bob.ls(endpoint_id, "/").status_code == 200
    assert bob.put(f"endpoint/{endpoint_id}", {"description": "by bob"}).status_code == 200
    roles = bob.get(f"endpoint/{endpoint_id}/role_list").json()
    assert roles["DATA_TYPE"] == "role_list"
    assert {r["role"] for r in roles["DATA"]} == {"activity_monitor", "administrator"}
    got = alice.get(f"endpoint/{endpoint_id}/role/{admin_id}").json()
    assert got == {"DATA_TYPE": "role", "id": admin_id, "principal_type": "identity",
                   "principal": bob.id, "role": "administrator"}  # fmt: skip
    r = alice.delete(f"endpoint/{endpoint_id}/role/{admin_id}")
    assert r.status_code == 200 and r.json()["code"] == "Deleted"
    assert bob.ls(endpoint_id, "/").status_code == 403
    gone = alice.get(f"endpoint/{endpoint_id}/role/{admin_id}")
    assert gone.status_code == 404 and gone.json()["code"] == "RoleNotFound"


@pytest.mark.parametrize(
    "body",
    [
        {"principal_type": "identity", "principal": "nope", "role": "administrator"},
        {"principal_type": "bogus", "principal": "x", "role": "administrator"},
        {"principal_type": "identity", "principal": "5b8a1a0e-3d1f-4c1e-9f7a-000000000000",
         "role": "administrator"},
    ],
)  # fmt: skip
def test_role_validation(
    alice: TransferUser, alice_endpoint: tuple[str, Path], body: dict[str, t.Any]
) -> None:
    endpoint_id, _ = alice_endpoint
    assert alice.post(f"endpoint/{endpoint_id}/role", body).status_code == 400


def test_role_names_are_validated(
    alice: TransferUser, bob: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _ = alice_endpoint
    body = {"principal_type": "identity", "principal": bob.id, "role": "owner"}
    assert alice.post(f"endpoint/{endpoint_id}/role", body).status_code == 400


# -- shared endpoints ---------------------------------------------------------------------------------
def test_shared_endpoints(
    alice: TransferUser, bob: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, root = alice_endpoint
    (root / "project").mkdir()
    (root / "project" / "data.txt").write_bytes(b"data")
    r = alice.post(
        "shared_endpoint",
        {"DATA_TYPE": "shared_endpoint", "host_endpoint": endpoint_id,
         "host_path": "/~/project/", "display_name": "Project share"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["code"] == "Created" and r.json()["DATA_TYPE"] == "endpoint_create_result"
    share_id = r.json()["id"]
    doc = alice.get(f"endpoint/{share_id}").json()
    assert doc["host_endpoint_id"] == endpoint_id
    assert doc["host_path"] == "/project/"
    assert doc["entity_type"] == "GCP_guest_collection"
    assert doc["is_globus_connect"] is False
    assert doc["acl_available"] is True and doc["acl_editable"] is True
    assert doc["host_endpoint_display_name"] == "Alice's laptop"
    # The share's root is the host path.
    names = [e["name"] for e in alice.ls(share_id, "/").json()["DATA"]]
    assert names == ["data.txt"]

    mine = alice.get(f"endpoint/{endpoint_id}/my_shared_endpoint_list").json()
    assert [d["id"] for d in mine["DATA"]] == [share_id]
    page = alice.get(f"endpoint/{endpoint_id}/shared_endpoint_list").json()
    assert [d["id"] for d in page["shared_endpoints"]] == [share_id]
    assert page["next_token"] is None
    hosted = alice.get(f"endpoint_manager/endpoint/{endpoint_id}/hosted_endpoint_list").json()
    assert [d["id"] for d in hosted["DATA"]] == [share_id]

    # Bob cannot share Alice's files, nor see the share without an access rule.
    r = bob.post(
        "shared_endpoint",
        {"host_endpoint": endpoint_id, "host_path": "/project/", "display_name": "steal"},
    )
    assert r.status_code == 403
    assert bob.get(f"endpoint/{share_id}").status_code == 403

    # Sharing a missing directory, a file, or outside the host fails.
    for host_path, status in (("/missing/", 404), ("/file1.txt", 400), ("/../", 403)):
        r = alice.post(
            "shared_endpoint",
            {"host_endpoint": endpoint_id, "host_path": host_path, "display_name": "x"},
        )
        assert r.status_code == status, (host_path, r.text)
    # No shares of shares.
    r = alice.post(
        "shared_endpoint", {"host_endpoint": share_id, "host_path": "/", "display_name": "x"}
    )
    assert r.status_code == 400

    # Deleting the host removes its shares.
    assert alice.delete(f"endpoint/{endpoint_id}").status_code == 200
    assert alice.get(f"endpoint/{share_id}").status_code == 404
    assert (root / "project" / "data.txt").exists()  # files are never deleted


def test_shared_endpoint_list_pages_with_next_token(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, root = alice_endpoint
    made = []
    for i in range(3):
        (root / f"s{i}").mkdir()
        made.append(
            alice.post(
                "shared_endpoint",
                {"host_endpoint": endpoint_id, "host_path": f"/s{i}/", "display_name": f"s{i}"},
            ).json()["id"]
        )
    seen: list[str] = []
    token = None
    while True:
        params: dict[str, t.Any] = {"max_results": 2}
        if token:
            params["next_token"] = token
        body = alice.get(f"endpoint/{endpoint_id}/shared_endpoint_list", params=params).json()
        seen += [d["id"] for d in body["shared_endpoints"]]
        token = body["next_token"]
        if token is None:
            break
    assert seen == made


# -- bookmarks -----------------------------------------------------------------------------------------
def test_bookmarks(
    alice: TransferUser, bob: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _ = alice_endpoint
    r = alice.post("bookmark", {"name": "home", "endpoint_id": endpoint_id, "path": "/~/dir1/"})
    assert r.status_code == 200, r.text
    bookmark = r.json()
    assert bookmark["DATA_TYPE"] == "bookmark"
    assert (bookmark["name"], bookmark["path"], bookmark["pinned"]) == ("home", "/~/dir1/", False)
    bookmark_id = bookmark["id"]
    assert (
        alice.post(
            "bookmark", {"name": "home", "endpoint_id": endpoint_id, "path": "/"}
        ).status_code
        == 409
    )
    assert alice.get(f"bookmark/{bookmark_id}").json() == bookmark
    r = alice.put(f"bookmark/{bookmark_id}", {"name": "renamed", "pinned": True})
    assert r.json()["name"] == "renamed" and r.json()["pinned"] is True
    listing = alice.get("bookmark_list").json()
    assert listing["DATA_TYPE"] == "bookmark_list"
    assert [b["id"] for b in listing["DATA"]] == [bookmark_id]
    # Bookmarks are private; nobody bookmarks an endpoint they cannot see.
    assert bob.get(f"bookmark/{bookmark_id}").status_code == 404
    assert bob.get(f"bookmark/{bookmark_id}").json()["code"] == "BookmarkNotFound"
    assert bob.get("bookmark_list").json()["DATA"] == []
    assert bob.put(f"bookmark/{bookmark_id}", {"name": "x"}).status_code == 404
    assert bob.delete(f"bookmark/{bookmark_id}").status_code == 404
    r = bob.post("bookmark", {"name": "b", "endpoint_id": endpoint_id, "path": "/"})
    assert r.status_code == 403
    for bad in ({"name": "", "endpoint_id": endpoint_id, "path": "/"},
                {"name": "n", "endpoint_id": endpoint_id},
                {"name": "n", "path": "/"}):  # fmt: skip
        assert alice.post("bookmark", bad).status_code == 400
    r = alice.delete(f"bookmark/{bookmark_id}")
    assert r.json()["code"] == "Deleted"
    assert alice.get(f"bookmark/{bookmark_id}").status_code == 404


# -- admin command -------------------------------------------------------------------------------------
def test_cli_create_endpoint(
    transfer_server: LocalServer, alice: TransferUser, tmp_path: Path, capsys: t.Any
) -> None:
    from globus_local.cli import main

    if transfer_server.database_url.startswith("postgresql"):
        pytest.skip("the CLI opens the data dir's database; covered on SQLite")
    directory = tmp_path / "cli-ep"
    code = main(
        ["admin", "create-endpoint", "--data-dir", str(transfer_server.data_dir),
         "--owner", alice.username, "--name", "From the CLI", "--path", str(directory)]
    )  # fmt: skip
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["display_name"] == "From the CLI" and doc["owner_id"] == alice.id
    assert directory.is_dir()
    (directory / "hello.txt").write_text("hi")
    listing = alice.ls(doc["id"], "/").json()
    assert [e["name"] for e in listing["DATA"]] == ["hello.txt"]


def test_admin_create_endpoint_unknown_owner(transfer_server: LocalServer, tmp_path: Path) -> None:
    from globus_local.services.transfer.admin import create_endpoint

    with pytest.raises(ValueError):
        create_endpoint(transfer_server.db, "nobody@example.org", "x", str(tmp_path))
