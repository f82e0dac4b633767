"""Access rules on shared endpoints: CRUD, and enforcement on every file operation for
identity, group, all_authenticated_users and anonymous principals."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import requests

from globus_local.services.auth.scopes import GROUPS_ALL, GROUPS_RS
from globus_local.testing import LocalServer
from tests.globus_local.services.transfer.support import TransferUser
from tests.support.platform import access_token, bearer


@pytest.fixture
def share(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> tuple[str, Path]:
    """Alice shares <root>/project (holding pub/, priv/ and top.txt); returns (id, dir)."""
    host_id, root = alice_endpoint
    project = root / "project"
    (project / "pub").mkdir(parents=True)
    (project / "priv").mkdir()
    (project / "pub" / "a.txt").write_bytes(b"public")
    (project / "priv" / "s.txt").write_bytes(b"private")
    (project / "top.txt").write_bytes(b"top")
    r = alice.post(
        "shared_endpoint",
        {"host_endpoint": host_id, "host_path": "/project/", "display_name": "project"},
    )
    assert r.status_code == 200, r.text
    return r.json()["id"], project


def rule(principal_type: str, principal: str, path: str, permissions: str) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "access",
        "principal_type": principal_type,
        "principal": principal,
        "path": path,
        "permissions": permissions,
    }


def test_access_rule_crud(alice: TransferUser, bob: TransferUser, share: tuple[str, Path]) -> None:
    share_id, _ = share
    r = alice.post(f"endpoint/{share_id}/access", rule("identity", bob.id, "/pub/", "r"))
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["DATA_TYPE"] == "access_create_result" and created["code"] == "Created"
    assert created["resource"] == f"/v0.10/endpoint/{share_id}/access"
    rule_id = created["access_id"]
    doc = alice.get(f"endpoint/{share_id}/access/{rule_id}").json()
    assert doc["DATA_TYPE"] == "access"
    assert (doc["id"], doc["path"], doc["permissions"]) == (rule_id, "/pub/", "r")
    assert (doc["principal_type"], doc["principal"]) == ("identity", bob.id)
    assert doc["create_time"].endswith("+00:00") and doc["expiration_date"] is None
    assert set(doc) >= {"role_id", "role_type"}
    listing = alice.get(f"endpoint/{share_id}/access_list").json()
    assert listing["DATA_TYPE"] == "access_list" and listing["length"] == 1
    assert [d["id"] for d in listing["DATA"]] == [rule_id]
    r = alice.put(f"endpoint/{share_id}/access/{rule_id}", {"permissions": "rw"})
    assert r.json()["code"] == "Updated"
    assert r.json()["message"] == f"Access rule '{rule_id}' updated successfully"
    assert alice.get(f"endpoint/{share_id}/access/{rule_id}").json()["permissions"] == "rw"
    assert (
        alice.post(
            f"endpoint/{share_id}/access", rule("identity", bob.id, "/pub/", "r")
        ).status_code
        == 409
    )
    # Bob, who only has access, cannot see or change the rules.
    assert bob.get(f"endpoint/{share_id}/access_list").status_code == 403
    assert (
        bob.post(f"endpoint/{share_id}/access", rule("identity", bob.id, "/", "rw")).status_code
        == 403
    )
    assert bob.delete(f"endpoint/{share_id}/access/{rule_id}").status_code == 403
    assert alice.get(f"endpoint_manager/endpoint/{share_id}/access_list").json()["length"] == 1
    r = alice.delete(f"endpoint/{share_id}/access/{rule_id}")
    assert r.json()["code"] == "Deleted"
    assert alice.get(f"endpoint/{share_id}/access/{rule_id}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        rule("identity", "not-a-uuid", "/", "r"),
        rule("identity", "5b8a1a0e-3d1f-4c1e-9f7a-000000000000", "/", "r"),
        rule("bogus", "", "/", "r"),
        rule("all_authenticated_users", "", "/", "x"),
        rule("all_authenticated_users", "", "relative/", "r"),
        rule("all_authenticated_users", "", "/../", "r"),
        rule("anonymous", "", "/", "rw"),
    ],
)
def test_access_rule_validation(
    alice: TransferUser, share: tuple[str, Path], body: dict[str, t.Any]
) -> None:
    share_id, _ = share
    assert alice.post(f"endpoint/{share_id}/access", body).status_code == 400


def test_no_access_rules_on_host_endpoints(
    alice: TransferUser, bob: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    host_id, _ = alice_endpoint
    r = alice.post(f"endpoint/{host_id}/access", rule("identity", bob.id, "/", "r"))
    assert r.status_code == 409
    assert alice.get(f"endpoint/{host_id}/access_list").status_code == 409


def test_identity_rules_are_enforced_on_every_operation(
    alice: TransferUser, bob: TransferUser, share: tuple[str, Path]
) -> None:
    share_id, project = share
    ops = f"operation/endpoint/{share_id}"
    # Without a rule Bob sees nothing at all.
    assert bob.get(f"endpoint/{share_id}").status_code == 403
    assert bob.ls(share_id, "/pub/").status_code == 403
    r_id = alice.post(f"endpoint/{share_id}/access", rule("identity", bob.id, "/pub/", "r")).json()[
        "access_id"
    ]
    # Read-only on /pub/: list and stat inside it only.
    assert bob.get(f"endpoint/{share_id}").status_code == 200
    assert [e["name"] for e in bob.ls(share_id, "/pub/").json()["DATA"]] == ["a.txt"]
    assert bob.get(f"{ops}/stat", params={"path": "/pub/a.txt"}).status_code == 200
    for path in ("/", "/priv/", "/publication/"):
        r = bob.ls(share_id, path)
        assert r.status_code == 403, path
        assert r.json()["code"] == "EndpointPermissionDenied"
        assert "DATA" not in r.json()
    assert bob.get(f"{ops}/stat", params={"path": "/priv/s.txt"}).status_code == 403
    # ... and no writes.
    assert bob.post(f"{ops}/mkdir", {"path": "/pub/new"}).status_code == 403
    assert (
        bob.post(f"{ops}/rename", {"old_path": "/pub/a.txt", "new_path": "/pub/b.txt"}).status_code
        == 403
    )
    assert (
        bob.post(f"{ops}/symlink", {"symlink_target": "/pub/a.txt", "path": "/pub/l"}).status_code
        == 403
    )
    assert sorted(p.name for p in (project / "pub").iterdir()) == ["a.txt"]

    # rw: writes inside /pub/ only; nothing can be moved or linked out of other paths.
    alice.put(f"endpoint/{share_id}/access/{r_id}", {"permissions": "rw"})
    assert bob.post(f"{ops}/mkdir", {"path": "/pub/new"}).status_code == 200
    assert (
        bob.post(f"{ops}/rename", {"old_path": "/pub/a.txt", "new_path": "/pub/b.txt"}).status_code
        == 200
    )
    assert bob.post(f"{ops}/mkdir", {"path": "/priv/new"}).status_code == 403
    assert (
        bob.post(f"{ops}/rename", {"old_path": "/priv/s.txt", "new_path": "/pub/s.txt"}).status_code
        == 403
    )
    assert (
        bob.post(f"{ops}/rename", {"old_path": "/pub/b.txt", "new_path": "/top2.txt"}).status_code
        == 403
    )
    r = bob.post(f"{ops}/symlink", {"symlink_target": "/priv/s.txt", "path": "/pub/peek"})
    assert r.status_code == 403
    assert (project / "priv" / "s.txt").read_bytes() == b"private"
    assert sorted(p.name for p in (project / "pub").iterdir()) == ["b.txt", "new"]

    # Revoking the rule revokes access at once.
    alice.delete(f"endpoint/{share_id}/access/{r_id}")
    assert bob.ls(share_id, "/pub/").status_code == 403
    assert bob.get(f"endpoint/{share_id}").status_code == 403


def test_expired_rules_grant_nothing(
    alice: TransferUser, bob: TransferUser, share: tuple[str, Path]
) -> None:
    share_id, _ = share
    body = {**rule("identity", bob.id, "/", "r"), "expiration_date": "2000-01-01T00:00:00+00:00"}
    assert alice.post(f"endpoint/{share_id}/access", body).status_code == 200
    assert bob.ls(share_id, "/").status_code == 403


def test_all_authenticated_users_and_anonymous(
    alice: TransferUser, make_user: t.Any, share: tuple[str, Path]
) -> None:
    share_id, _ = share
    carol = make_user("carol")
    assert carol.ls(share_id, "/").status_code == 403
    alice.post(f"endpoint/{share_id}/access", rule("all_authenticated_users", "", "/pub/", "r"))
    assert carol.ls(share_id, "/pub/").status_code == 200
    assert carol.ls(share_id, "/priv/").status_code == 403
    dave = make_user("dave")
    alice.post(f"endpoint/{share_id}/access", rule("anonymous", "", "/priv/", "r"))
    assert dave.ls(share_id, "/priv/").status_code == 200
    assert dave.post(f"operation/endpoint/{share_id}/mkdir", {"path": "/priv/x"}).status_code == 403


def test_group_rules_follow_group_membership(
    transfer_server: LocalServer, alice: TransferUser, bob: TransferUser, share: tuple[str, Path]
) -> None:
    share_id, _ = share
    groups_url = transfer_server.service_url("groups") + "v2/groups"
    token = access_token(transfer_server.token(alice.username, [GROUPS_ALL]), GROUPS_RS)
    headers = bearer(token)
    r = requests.post(groups_url, json={"name": "readers"}, headers=headers, timeout=10)
    assert r.status_code in (200, 201), r.text
    group_id = r.json()["id"]
    alice.post(f"endpoint/{share_id}/access", rule("group", group_id, "/pub/", "r"))
    assert bob.ls(share_id, "/pub/").status_code == 403
    r = requests.post(
        f"{groups_url}/{group_id}",
        json={"add": [{"identity_id": bob.id}]},
        headers=headers,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert bob.ls(share_id, "/pub/").status_code == 200
    assert bob.ls(share_id, "/priv/").status_code == 403
    search = bob.get("endpoint_search", params={"filter_scope": "shared-with-me"}).json()
    # (Shares open to all authenticated users, from other tests, may be listed too.)
    assert share_id in [d["id"] for d in search["DATA"]]
    r = requests.post(
        f"{groups_url}/{group_id}",
        json={"remove": [{"identity_id": bob.id}]},
        headers=headers,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert bob.ls(share_id, "/pub/").status_code == 403


def test_access_manager_role_manages_rules(
    alice: TransferUser, bob: TransferUser, make_user: t.Any, share: tuple[str, Path]
) -> None:
    share_id, _ = share
    carol = make_user("carol")
    role = {"principal_type": "identity", "principal": bob.id, "role": "access_manager"}
    assert alice.post(f"endpoint/{share_id}/role", role).status_code == 200
    r = bob.post(f"endpoint/{share_id}/access", rule("identity", carol.id, "/pub/", "r"))
    assert r.status_code == 200
    assert carol.ls(share_id, "/pub/").status_code == 200
    assert bob.get(f"endpoint/{share_id}").json()["acl_editable"] is True
    # Managing rules is not using the data.
    assert bob.ls(share_id, "/").status_code == 403
