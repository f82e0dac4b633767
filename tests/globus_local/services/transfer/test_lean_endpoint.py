"""``GET /endpoint/<id>`` read at the driver's level: the same document as the ORM path for
owners, role holders and shares, the ORM path where groups or access rules decide, and
every change seen at once (nothing is cached)."""

from __future__ import annotations

import typing as t
import uuid
from pathlib import Path

from globus_local.db import utcnow
from globus_local.db.lean import reader
from globus_local.kit.tokens import AuthContext, _lookup, token_hash
from globus_local.services.transfer import access, endpoints
from globus_local.services.transfer.models_tasks import ACTIVE, TransferTask
from globus_local.testing import LocalServer
from tests.globus_local.services.transfer.support import TransferUser


def _ctx(server: LocalServer, user: TransferUser) -> AuthContext:
    ctx = _lookup(server.db, token_hash(user.token))
    assert ctx is not None
    return ctx


def _lean(server: LocalServer, user: TransferUser, endpoint_id: str) -> dict[str, t.Any] | None:
    with reader(server.db.engine) as rows:
        return endpoints.read_document(rows, _ctx(server, user), endpoint_id)


def _orm(server: LocalServer, user: TransferUser, endpoint_id: str) -> dict[str, t.Any]:
    ctx = _ctx(server, user)
    with server.db.sessionmaker() as session:
        return endpoints.document(session, ctx, access.endpoint_for(session, ctx, endpoint_id))


def _same_three_ways(server: LocalServer, user: TransferUser, endpoint_id: str) -> dict[str, t.Any]:
    """The document over HTTP, which both in-process paths give too."""
    r = user.get(f"endpoint/{endpoint_id}")
    assert r.status_code == 200, r.text
    assert r.json() == _lean(server, user, endpoint_id) == _orm(server, user, endpoint_id)
    return dict(r.json())


def _role(principal_type: str, principal: str, role: str) -> dict[str, str]:
    return {"DATA_TYPE": "role", "principal_type": principal_type, "principal": principal,
            "role": role}  # fmt: skip


def _share(alice: TransferUser, host_id: str, root: Path) -> str:
    (root / "project").mkdir()
    r = alice.post(
        "shared_endpoint",
        {"host_endpoint": host_id, "host_path": "/project/", "display_name": "project"},
    )
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def test_the_owner_gets_the_orm_document(
    transfer_server: LocalServer, alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _ = alice_endpoint
    server = {"DATA_TYPE": "server", "hostname": "gridftp.example.org", "port": 2811}
    assert alice.post(f"endpoint/{endpoint_id}/server", server).status_code == 200
    settings = {"contact_email": "ops@example.org", "max_concurrency": 3, "public": True}
    assert alice.put(f"endpoint/{endpoint_id}", settings).status_code == 200
    doc = _same_three_ways(transfer_server, alice, endpoint_id)
    assert doc["my_effective_roles"] == ["administrator"]
    assert doc["globus_connect_setup_key"] is not None
    assert [s["hostname"] for s in doc["DATA"]] == ["gridftp.example.org"]
    assert (doc["contact_email"], doc["max_concurrency"], doc["public"]) == (
        "ops@example.org", 3, True)  # fmt: skip


def test_in_use_follows_unfinished_tasks(
    transfer_server: LocalServer, alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _ = alice_endpoint
    assert _same_three_ways(transfer_server, alice, endpoint_id)["in_use"] is False
    with transfer_server.db.session() as session:  # an unfinished task, never run
        session.add(
            TransferTask(
                id=str(uuid.uuid4()),
                submission_id=str(uuid.uuid4()),
                type="TRANSFER",
                status=ACTIVE,
                owner_id=alice.id,
                username=alice.username,
                deadline=utcnow(),
                source_endpoint_id=str(uuid.uuid4()),
                destination_endpoint_id=endpoint_id,
            )
        )
    assert _same_three_ways(transfer_server, alice, endpoint_id)["in_use"] is True


def test_role_holders_and_shares_get_the_orm_document(
    transfer_server: LocalServer,
    alice: TransferUser,
    bob: TransferUser,
    alice_endpoint: tuple[str, Path],
) -> None:
    host_id, root = alice_endpoint
    share_id = _share(alice, host_id, root)
    r = alice.post(f"endpoint/{host_id}/role", _role("identity", bob.id, "activity_monitor"))
    assert r.status_code == 200, r.text
    assert _same_three_ways(transfer_server, bob, host_id)["my_effective_roles"] == [
        "activity_monitor"
    ]
    # A monitor of the host monitors its shares.
    doc = _same_three_ways(transfer_server, bob, share_id)
    assert doc["my_effective_roles"] == ["activity_monitor"] and doc["host_path"] is None
    doc = _same_three_ways(transfer_server, alice, share_id)
    assert doc["host_endpoint_id"] == host_id and doc["host_path"] == "/project/"
    assert doc["host_endpoint_display_name"] == "Alice's laptop"


def test_groups_and_access_rules_take_the_orm_path(
    transfer_server: LocalServer,
    alice: TransferUser,
    bob: TransferUser,
    alice_endpoint: tuple[str, Path],
) -> None:
    host_id, root = alice_endpoint
    share_id = _share(alice, host_id, root)
    rule = {"DATA_TYPE": "access", "principal_type": "identity", "principal": bob.id,
            "path": "/", "permissions": "r"}  # fmt: skip
    assert alice.post(f"endpoint/{share_id}/access", rule).status_code == 200
    # Bob sees the share through an access rule, which only the ORM path reads.
    assert _lean(transfer_server, bob, share_id) is None
    r = bob.get(f"endpoint/{share_id}")
    assert r.status_code == 200 and r.json() == _orm(transfer_server, bob, share_id)
    group_role = _role("group", str(uuid.uuid4()), "activity_monitor")
    assert alice.post(f"endpoint/{host_id}/role", group_role).status_code == 200
    assert _lean(transfer_server, alice, host_id) is None
    r = alice.get(f"endpoint/{host_id}")
    assert r.status_code == 200 and r.json() == _orm(transfer_server, alice, host_id)
    assert bob.get(f"endpoint/{host_id}").status_code == 403


def test_changes_and_deletes_show_at_once(
    transfer_server: LocalServer,
    alice: TransferUser,
    bob: TransferUser,
    alice_endpoint: tuple[str, Path],
) -> None:
    endpoint_id, _ = alice_endpoint
    assert alice.get(f"endpoint/{endpoint_id}").json()["display_name"] == "Alice's laptop"
    assert alice.put(f"endpoint/{endpoint_id}", {"display_name": "Renamed"}).status_code == 200
    assert alice.get(f"endpoint/{endpoint_id}").json()["display_name"] == "Renamed"
    r = alice.post(f"endpoint/{endpoint_id}/role", _role("identity", bob.id, "administrator"))
    role_id = r.json()["id"]
    assert bob.get(f"endpoint/{endpoint_id}").json()["my_effective_roles"] == ["administrator"]
    assert alice.delete(f"endpoint/{endpoint_id}/role/{role_id}").status_code == 200
    r = bob.get(f"endpoint/{endpoint_id}")
    assert r.status_code == 403 and r.json()["code"] == "EndpointPermissionDenied"
    assert alice.delete(f"endpoint/{endpoint_id}").status_code == 200
    r = alice.get(f"endpoint/{endpoint_id}")
    assert r.status_code == 404 and r.json()["code"] == "EndpointNotFound"


def test_unknown_and_malformed_ids_are_not_found(alice: TransferUser) -> None:
    for endpoint_id in (str(uuid.uuid4()), "not-an-id"):
        r = alice.get(f"endpoint/{endpoint_id}")
        assert r.status_code == 404 and r.json()["code"] == "EndpointNotFound", r.text
