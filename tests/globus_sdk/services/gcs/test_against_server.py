"""GCSClient against a live globus-local: a storage gateway, a mapped collection, a guest
collection shared through a Transfer access rule, and what each caller is refused."""

from __future__ import annotations

import time
import typing as t
from pathlib import Path

import pytest

import globus_sdk
from globus_sdk import AccessTokenAuthorizer, GCSAPIError, GCSClient, TransferClient
from globus_sdk.scopes import TransferScopes
from tests.support.platform import access_token, new_identity

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer


class Person(t.NamedTuple):
    id: str
    username: str
    gcs: GCSClient
    tc: TransferClient


def _person(server: LocalServer, endpoint_id: str, manager: str, prefix: str) -> Person:
    identity = new_identity(server.db, prefix)
    scope = GCSClient.get_gcs_endpoint_scopes(endpoint_id).manage_collections
    tokens = server.token(identity["username"], [scope, TransferScopes.all])
    gcs = GCSClient(manager, authorizer=AccessTokenAuthorizer(access_token(tokens, endpoint_id)))
    tc = TransferClient(
        authorizer=AccessTokenAuthorizer(access_token(tokens, "transfer.api.globus.org"))
    )
    return Person(identity["id"], identity["username"], gcs, tc)


class Site(t.NamedTuple):
    endpoint_id: str
    owner: Person
    other: Person
    storage: Path


@pytest.fixture
def site(globus_local_server: LocalServer, tmp_path: Path) -> Site:
    from globus_local.services.gcs.admin import create_gcs_endpoint

    owner_identity = new_identity(globus_local_server.db, "gcsowner")
    doc = create_gcs_endpoint(
        globus_local_server.db,
        owner_identity["username"],
        "Lab GCS",
        manager_root=globus_local_server.service_url("gcs"),
        storage_dir=str(tmp_path / "gcs"),
    )
    manager = globus_local_server.service_url("gcs") + doc["id"]
    scope = GCSClient.get_gcs_endpoint_scopes(doc["id"]).manage_collections
    tokens = globus_local_server.token(owner_identity["username"], [scope, TransferScopes.all])
    owner = Person(
        owner_identity["id"],
        owner_identity["username"],
        GCSClient(manager, authorizer=AccessTokenAuthorizer(access_token(tokens, doc["id"]))),
        TransferClient(
            authorizer=AccessTokenAuthorizer(access_token(tokens, "transfer.api.globus.org"))
        ),
    )
    other = _person(globus_local_server, doc["id"], manager, "gcsguest")
    storage = next((tmp_path / "gcs").iterdir())
    (storage / "shared").mkdir()
    (storage / "shared" / "data.txt").write_text("shared bytes")
    (storage / "secret").mkdir()
    (storage / "secret" / "key.txt").write_text("no")
    return Site(doc["id"], owner, other, storage)


def _gateway(site: Site) -> str:
    doc = globus_sdk.StorageGatewayDocument(
        display_name="Lab disk",
        connector_id="145812c8-decc-41f1-83cf-bb2a85a2a70b",
        allowed_domains=["example.org"],
        restrict_paths={"read_write": ["/"], "none": ["/secret"]},
        policies=globus_sdk.POSIXStoragePolicies(),
    )
    return str(site.owner.gcs.create_storage_gateway(doc)["id"])


def test_info_endpoint_and_gateways(site: Site) -> None:
    gcs = site.owner.gcs
    info = gcs.get_gcs_info()
    assert info["endpoint_id"] == site.endpoint_id
    assert gcs.endpoint_client_id == site.endpoint_id
    assert gcs.get_endpoint()["display_name"] == "Lab GCS"
    updated = gcs.update_endpoint({"organization": "Lab"}, include="endpoint")
    assert updated["organization"] == "Lab"
    gateway_id = _gateway(site)
    listed = [g["id"] for g in gcs.get_storage_gateway_list()]
    assert gateway_id in listed
    private = gcs.get_storage_gateway(gateway_id, include="private_policies")
    assert private["restrict_paths"]["none"] == ["/secret"]
    assert gcs.update_storage_gateway(gateway_id, {"users_deny": ["root"]})["code"] == "success"


def test_mapped_and_guest_collections_shared_through_transfer(
    site: Site, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    from globus_local.services.transfer import admin

    gateway_id = _gateway(site)
    owner = site.owner
    mapped = owner.gcs.create_collection(
        globus_sdk.MappedCollectionDocument(
            display_name="Lab data",
            storage_gateway_id=gateway_id,
            collection_base_path="/",
            allow_guest_collections=True,
        )
    )
    assert mapped["collection_type"] == "mapped"
    assert mapped.full_data["code"] == "success"
    credential = owner.gcs.create_user_credential(
        globus_sdk.UserCredentialDocument(
            storage_gateway_id=gateway_id, identity_id=owner.id, username="labuser"
        )
    )
    guest = owner.gcs.create_collection(
        globus_sdk.GuestCollectionDocument(
            display_name="Shared with a friend",
            mapped_collection_id=mapped["id"],
            user_credential_id=credential["id"],
            collection_base_path="/shared",
        )
    )
    listed = {c["id"] for c in owner.gcs.get_collection_list(filter="guest_collections")}
    assert listed == {guest["id"]}
    mine = owner.gcs.get_collection_list(mapped_collection_id=mapped["id"])
    assert [c["id"] for c in mine] == [guest["id"]]

    # the collections are Transfer endpoints with the same ids
    ep = owner.tc.get_endpoint(guest["id"])
    assert ep["entity_type"] == "GCSv5_guest_collection"
    assert ep["owner_id"] == site.endpoint_id
    assert ep["gcs_manager_url"].endswith(site.endpoint_id)
    assert owner.tc.get_endpoint(site.endpoint_id)["entity_type"] == "GCSv5_endpoint"
    found = owner.tc.endpoint_search(
        "Lab data", query_params={"filter_entity_type": "GCSv5_mapped_collection"}
    )
    assert mapped["id"] in [e["id"] for e in found]

    # the gateway's restricted paths hold on the mapped collection
    names = [f["name"] for f in owner.tc.operation_ls(mapped["id"], path="/")]
    assert "shared" in names
    with pytest.raises(globus_sdk.TransferAPIError) as refused:
        owner.tc.operation_ls(mapped["id"], path="/secret")
    assert refused.value.http_status == 403

    # not shared yet: the other user sees nothing in the guest collection
    friend = site.other
    with pytest.raises(globus_sdk.TransferAPIError):
        friend.tc.operation_ls(guest["id"], path="/")
    owner.tc.add_endpoint_acl_rule(
        guest["id"],
        {
            "DATA_TYPE": "access",
            "principal_type": "identity",
            "principal": friend.id,
            "path": "/",
            "permissions": "r",
        },
    )
    assert [f["name"] for f in friend.tc.operation_ls(guest["id"], path="/")] == ["data.txt"]
    with pytest.raises(globus_sdk.TransferAPIError):
        friend.tc.operation_ls(guest["id"], path="/../secret")

    # the friend copies the file out to an endpoint of their own
    mine_dir = tmp_path / "friend"
    dest = admin.create_endpoint(globus_local_server.db, friend.username, "Mine", str(mine_dir))
    tdata = globus_sdk.TransferData(friend.tc, guest["id"], dest["id"])
    tdata.add_item("/data.txt", "/data.txt")
    task_id = friend.tc.submit_transfer(tdata)["task_id"]
    assert friend.tc.task_wait(task_id, timeout=60, polling_interval=1)
    assert friend.tc.get_task(task_id)["status"] == "SUCCEEDED"
    assert (mine_dir / "data.txt").read_text() == "shared bytes"

    # the friend cannot manage the owner's collections
    with pytest.raises(GCSAPIError) as denied:
        friend.gcs.update_collection(guest["id"], {"display_name": "mine now"})
    assert denied.value.http_status == 403
    assert denied.value.code == "permission_denied"
    with pytest.raises(GCSAPIError) as hidden:
        friend.gcs.get_collection(guest["id"])
    assert hidden.value.code == "permission_denied"

    # updates, then deletes (a mapped collection takes its guests with it)
    renamed = owner.gcs.update_collection(
        guest["id"], globus_sdk.GuestCollectionDocument(display_name="Renamed")
    )
    assert renamed["display_name"] == "Renamed"
    assert owner.gcs.delete_collection(mapped["id"])["code"] == "success"
    with pytest.raises(GCSAPIError) as gone:
        owner.gcs.get_collection(guest["id"])
    assert gone.value.http_status == 404
    with pytest.raises(globus_sdk.TransferAPIError):
        owner.tc.get_endpoint(guest["id"])


def test_roles_and_paging(site: Site) -> None:
    owner, other = site.owner, site.other
    gcs = owner.gcs
    role = gcs.create_role(
        globus_sdk.GCSRoleDocument(
            principal=f"urn:globus:auth:identity:{other.id}", role="activity_monitor"
        )
    )
    assert gcs.get_role(role["id"])["role"] == "activity_monitor"
    everyone = [r["id"] for r in gcs.get_role_list(include="all_roles")]
    assert role["id"] in everyone
    assert [r["id"] for r in other.gcs.get_role_list()] == [role["id"]]
    with pytest.raises(GCSAPIError) as denied:
        other.gcs.delete_role(role["id"])
    assert denied.value.detail_data_type == "missing_required_role#1.0.0"

    gateway_id = _gateway(site)
    made = [
        gcs.create_collection(
            globus_sdk.MappedCollectionDocument(
                display_name=f"c{n}", storage_gateway_id=gateway_id, collection_base_path="/"
            )
        )["id"]
        for n in range(3)
    ]
    # an endpoint role shows on every collection's Transfer face, and goes with it
    assert "activity_monitor" in other.tc.get_endpoint(made[0])["my_effective_roles"]
    assert gcs.delete_role(role["id"])["message"] == f"Deleted role {role['id']}"
    assert other.tc.get_endpoint(made[0])["my_effective_roles"] == []
    first = gcs.get_collection_list(query_params={"page_size": 2})
    assert first["has_next_page"] is True
    items = list(gcs.paginated.get_collection_list(query_params={"page_size": 2}).items())
    assert len(items) == 3


def test_a_collection_with_active_tasks_is_not_deleted(
    site: Site, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    from globus_local.services.transfer import admin

    owner = site.owner
    mapped = owner.gcs.create_collection(
        globus_sdk.MappedCollectionDocument(
            display_name="Busy", storage_gateway_id=_gateway(site), collection_base_path="/shared"
        )
    )
    # its administrator holds reads from it with a pause rule, so the task stays active
    rule = owner.tc.post(
        "/endpoint_manager/pause_rule",
        data={
            "DATA_TYPE": "pause_rule",
            "endpoint_id": mapped["id"],
            "pause_task_transfer_read": True,
            "message": "held for the test",
        },
    )
    dest = admin.create_endpoint(
        globus_local_server.db, owner.username, "Owner dest", str(tmp_path / "dest")
    )
    tdata = globus_sdk.TransferData(owner.tc, mapped["id"], dest["id"])
    tdata.add_item("/data.txt", "/data.txt")
    task_id = owner.tc.submit_transfer(tdata)["task_id"]
    with pytest.raises(GCSAPIError) as busy:
        owner.gcs.delete_collection(mapped["id"])
    assert busy.value.http_status == 409
    assert busy.value.code == "conflict"
    assert "active transfer tasks" in busy.value.message

    # the rule is lifted once the task has been paused by it
    for _ in range(120):
        if any(e["code"] == "PAUSED" for e in owner.tc.task_event_list(task_id)):
            break
        time.sleep(0.25)
    owner.tc.delete(f"/endpoint_manager/pause_rule/{rule['id']}")
    done = owner.tc.task_wait(task_id, timeout=60, polling_interval=1)
    assert done, (owner.tc.get_task(task_id).data, list(owner.tc.task_event_list(task_id)))
    assert (tmp_path / "dest" / "data.txt").read_text() == "shared bytes"
    assert owner.gcs.delete_collection(mapped["id"])["code"] == "success"


def test_auth_knows_a_mapped_collection_s_scopes(
    site: Site, globus_local_server: LocalServer
) -> None:
    mapped = site.owner.gcs.create_collection(
        globus_sdk.MappedCollectionDocument(
            display_name="Scoped", storage_gateway_id=_gateway(site), collection_base_path="/"
        )
    )
    scopes = GCSClient.get_gcs_collection_scopes(mapped["id"])
    tokens = globus_local_server.token(site.owner.username, [scopes.data_access])
    assert access_token(tokens, mapped["id"])
