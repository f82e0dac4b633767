"""A storage gateway's identity mapping, users denied and restricted paths, as Transfer
callers meet them on a mapped collection."""

from __future__ import annotations

import typing as t
from pathlib import Path

import requests

from tests.support.platform import access_token, bearer, new_identity

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

POSIX = "145812c8-decc-41f1-83cf-bb2a85a2a70b"
TRANSFER = "urn:globus:auth:scope:transfer.api.globus.org:all"


def _transfer_token(server: LocalServer, prefix: str) -> str:
    user = new_identity(server.db, prefix)
    return access_token(server.token(user["username"], [TRANSFER]), "transfer.api.globus.org")


def test_mapping_denial_and_read_only_paths(platform_server: LocalServer, tmp_path: Path) -> None:
    from globus_local.services.gcs.admin import create_gcs_endpoint

    server = platform_server
    owner = new_identity(server.db, "mapowner")
    endpoint = create_gcs_endpoint(
        server.db,
        owner["username"],
        "Mapping",
        manager_root=server.service_url("gcs"),
        storage_dir=str(tmp_path),
    )
    ep = endpoint["id"]
    storage = tmp_path / ep
    (storage / "rw").mkdir()
    token = access_token(
        server.token(owner["username"], [f"urn:globus:auth:scope:{ep}:manage_collections"]), ep
    )
    base = server.service_url("gcs") + ep + "/api/"

    def post(path: str, body: dict[str, t.Any]) -> dict[str, t.Any]:
        r = requests.post(base + path, json=body, headers=bearer(token), timeout=30)
        assert r.status_code == 201, r.text
        return t.cast(dict, r.json()["data"][0])

    gateway = post(
        "storage_gateways",
        {
            "display_name": "mapped",
            "connector_id": POSIX,
            "allowed_domains": ["example.org"],
            "identity_mappings": [
                {
                    "DATA_TYPE": "expression_identity_mapping#1.0.0",
                    "mappings": [
                        {
                            "source": "{username}",
                            "match": r"(\w+)-[0-9a-f]+@example\.org",
                            "output": "{1}",
                        }
                    ],
                }
            ],
            "users_deny": ["blocked"],
            "restrict_paths": {"read": ["/"], "read_write": ["/rw"]},
        },
    )
    mapped = post(
        "collections",
        {
            "display_name": "shared disk",
            "storage_gateway_id": gateway["id"],
            "collection_base_path": "/",
        },
    )
    transfer = server.service_url("transfer") + f"v0.10/operation/endpoint/{mapped['id']}/"

    def mkdir(tok: str, path: str) -> int:
        body = {"DATA_TYPE": "mkdir", "path": path}
        return requests.post(
            transfer + "mkdir", json=body, headers=bearer(tok), timeout=30
        ).status_code

    def ls(tok: str) -> int:
        return requests.get(transfer + "ls", headers=bearer(tok), timeout=30).status_code

    alice = _transfer_token(server, "alice")
    assert ls(alice) == 200
    assert mkdir(alice, "/rw/made") in (200, 202)
    assert (storage / "rw" / "made").is_dir()
    assert mkdir(alice, "/top") == 403  # "/" is read only
    assert ls(_transfer_token(server, "blocked")) == 403  # mapped to a denied user
    assert ls(_transfer_token(server, "dot.ted")) == 403  # the expression does not match


def test_posix_groups_allow_and_deny_follow_the_hosts_groups() -> None:
    import grp
    import os
    import pwd

    from globus_local.services.gcs.mapping import groups_permit, local_groups

    me = pwd.getpwuid(os.getuid()).pw_name
    mine = grp.getgrgid(pwd.getpwnam(me).pw_gid).gr_name
    assert mine in local_groups(me)
    assert local_groups("no-such-user-on-this-host") == set()
    assert groups_permit({}, "no-such-user-on-this-host")
    assert groups_permit({"groups_allow": [mine]}, me)
    assert not groups_permit({"groups_allow": [mine]}, "no-such-user-on-this-host")
    assert not groups_permit({"groups_allow": ["no-such-group-here"]}, me)
    assert not groups_permit({"groups_deny": [mine]}, me)
    assert groups_permit({"groups_deny": ["no-such-group-here"]}, me)
