"""The Transfer providers over HTTP, acting through Transfer as the caller: a real
transfer between two POSIX endpoints on both URL families and both input spellings,
delete, ls, stat, mkdir, permissions and collection info."""

from __future__ import annotations

import secrets
import typing as t
from pathlib import Path

import pytest

from globus_local.services.transfer.admin import create_endpoint
from tests.support.platform import call

from .support import Caller

NEW = "https://transfer.actions.globus.org/"
LEGACY = "https://actions.globus.org/transfer/"

Endpoint = tuple[str, Path]


@pytest.fixture
def make_endpoint(tmp_path: Path) -> t.Callable[[Caller, str], Endpoint]:
    def make(user: Caller, name: str) -> Endpoint:
        root = tmp_path / f"{name}-{secrets.token_hex(3)}"
        root.mkdir()
        return create_endpoint(user.server.db, user.username, name, str(root))["id"], root

    return make


@pytest.fixture
def two_endpoints(
    alice: Caller, make_endpoint: t.Callable[[Caller, str], Endpoint]
) -> tuple[Endpoint, Endpoint]:
    src = make_endpoint(alice, "src")
    (src[1] / "data").mkdir()
    (src[1] / "data" / "a.txt").write_bytes(b"alpha")
    (src[1] / "data" / "b.bin").write_bytes(b"\x00" * 5000)
    return src, make_endpoint(alice, "dst")


def _transfer_body(src: str, dst: str, spelling: str) -> dict[str, t.Any]:
    item = {"source_path": "/data/", "destination_path": "/copy/", "recursive": True}
    if spelling == "legacy":
        return {"source_endpoint_id": src, "destination_endpoint_id": dst, "transfer_items": [item]}
    return {"source_endpoint": src, "destination_endpoint": dst, "DATA": [item]}


@pytest.mark.parametrize(
    ("family", "spelling"),
    [(NEW, "current"), (NEW, "legacy"), (LEGACY, "legacy"), (LEGACY, "current")],
)
def test_a_transfer_action_follows_its_task_to_the_end(
    alice: Caller, two_endpoints: tuple[Endpoint, Endpoint], family: str, spelling: str
) -> None:
    (src, _), (dst, dst_root) = two_endpoints
    transfer = alice.provider(family + "transfer")
    started = transfer.started(_transfer_body(src, dst, spelling))
    assert started["status"] in ("ACTIVE", "SUCCEEDED")
    assert started["details"]["DATA_TYPE"] == "task"
    assert started["details"]["label"] == f"For Action id {started['action_id']}"
    final = transfer.wait(started["action_id"])
    assert final["status"] == "SUCCEEDED", final
    assert final["details"]["status"] == "SUCCEEDED"
    assert final["details"]["files_transferred"] == 2
    assert final["details"]["event_list"]
    assert (dst_root / "copy" / "a.txt").read_bytes() == b"alpha"
    assert (dst_root / "copy" / "b.bin").read_bytes() == b"\x00" * 5000
    # The task is the caller's own, in Transfer's task list.
    task_id = final["details"]["task_id"]
    task = call(
        alice.server.service_url("transfer"),
        "GET",
        f"v0.10/task/{task_id}",
        alice.tokens["transfer.api.globus.org"],
    )
    assert task.status_code == 200 and task.json()["owner_id"] == alice.id


def test_a_transfer_the_caller_may_not_make_fails_the_action(
    alice: Caller, bob: Caller, two_endpoints: tuple[Endpoint, Endpoint]
) -> None:
    (src, _), (dst, _) = two_endpoints
    final = bob.provider(NEW + "transfer").result(_transfer_body(src, dst, "current"))
    assert final["status"] == "FAILED"
    assert final["details"]["code"]
    assert final["details"]["http_status"] in (403, 404)


def test_a_transfer_with_bad_input_is_a_400(alice: Caller) -> None:
    transfer = alice.provider(NEW + "transfer")
    response = transfer.run({"source_endpoint": "x", "DATA": []})
    assert response.status_code == 400
    assert response.json()["code"] == "RequestValidationError"
    response = transfer.run({"source_endpoint": "x", "destination_endpoint": "y", "DATA": [{}]})
    assert response.status_code == 400 and "source_path" in response.json()["description"]


@pytest.mark.parametrize("family", [NEW, LEGACY])
def test_delete_removes_the_paths(
    alice: Caller, make_endpoint: t.Callable[[Caller, str], Endpoint], family: str
) -> None:
    endpoint_id, root = make_endpoint(alice, "del")
    (root / "gone.txt").write_bytes(b"x")
    (root / "kept.txt").write_bytes(b"y")
    body: dict[str, t.Any] = (
        {"endpoint": endpoint_id, "DATA": [{"path": "/gone.txt"}]}
        if family == NEW
        else {"endpoint_id": endpoint_id, "items": ["/gone.txt"]}
    )
    final = alice.provider(family + "delete").result(body)
    assert final["status"] == "SUCCEEDED", final
    assert final["details"]["type"] == "DELETE"
    assert not (root / "gone.txt").exists() and (root / "kept.txt").exists()


def test_ls_mkdir_and_stat(alice: Caller, two_endpoints: tuple[Endpoint, Endpoint]) -> None:
    (src, root), _ = two_endpoints
    made = alice.provider(NEW + "mkdir").result({"endpoint_id": src, "path": "/made"})
    assert made["status"] == "SUCCEEDED" and made["details"]["code"] == "DirectoryCreated"
    assert (root / "made").is_dir()
    again = alice.provider(LEGACY + "mkdir").result({"endpoint_id": src, "path": "/made"})
    assert again["status"] == "FAILED" and "Exists" in again["details"]["code"]

    listing = alice.provider(NEW + "ls").result({"endpoint_id": src, "path": "/"})
    assert listing["status"] == "SUCCEEDED"
    entries = {e["name"]: e for e in listing["details"]["DATA"]}
    assert entries["made"]["is_folder"] is True and entries["data"]["type"] == "dir"
    inside = alice.provider(LEGACY + "ls").result({"endpoint": src, "path": "/data/"})
    assert {e["name"]: e["is_folder"] for e in inside["details"]["DATA"]} == {
        "a.txt": False,
        "b.bin": False,
    }
    itself = alice.provider(LEGACY + "ls").result(
        {"endpoint_id": src, "path": "/data/a.txt", "path_only": True}
    )
    assert [e["name"] for e in itself["details"]["DATA"]] == ["a.txt"]

    stat = alice.provider(NEW + "stat").result({"endpoint_id": src, "path": "/data/b.bin"})
    assert stat["status"] == "SUCCEEDED" and stat["details"]["size"] == 5000
    missing = alice.provider(NEW + "stat").result({"endpoint_id": src, "path": "/nope"})
    assert missing["status"] == "FAILED" and missing["details"]["http_status"] == 404


def test_permissions_let_another_user_list_a_share(
    alice: Caller, bob: Caller, two_endpoints: tuple[Endpoint, Endpoint]
) -> None:
    (src, _), _ = two_endpoints
    transfer_token = alice.tokens["transfer.api.globus.org"]
    share = call(
        alice.server.service_url("transfer"),
        "POST",
        "v0.10/shared_endpoint",
        transfer_token,
        json={"host_endpoint": src, "host_path": "/data/", "display_name": "shared data"},
    )
    assert share.status_code == 200, share.text
    share_id = share.json()["id"]
    ls_as_bob = bob.provider(NEW + "ls")
    assert ls_as_bob.result({"endpoint_id": share_id, "path": "/"})["status"] == "FAILED"

    rule = {
        "operation": "CREATE",
        "endpoint_id": share_id,
        "path": "/",
        "principal_type": "identity",
        "principal": bob.id,
        "permissions": "r",
    }
    created = alice.provider(NEW + "manage_permission").result(rule)
    assert created["status"] == "SUCCEEDED", created
    rule_id = created["details"]["access_id"]
    listing = ls_as_bob.result({"endpoint_id": share_id, "path": "/"})
    assert listing["status"] == "SUCCEEDED"
    assert {e["name"] for e in listing["details"]["DATA"]} == {"a.txt", "b.bin"}

    set_permission = alice.provider(LEGACY + "set_permission")
    updated = set_permission.result(
        {"operation": "UPDATE", "endpoint_id": share_id, "rule_id": rule_id, "permissions": "rw"}
    )
    assert updated["status"] == "SUCCEEDED" and updated["details"]["code"] == "Updated"
    deleted = set_permission.result(
        {"operation": "DELETE", "endpoint_id": share_id, "rule_id": rule_id}
    )
    assert deleted["status"] == "SUCCEEDED"
    assert ls_as_bob.result({"endpoint_id": share_id, "path": "/"})["status"] == "FAILED"
    refused = bob.provider(NEW + "manage_permission").result({**rule, "principal": bob.id})
    assert refused["status"] == "FAILED"
    missing_rule = set_permission.run({"operation": "DELETE", "endpoint_id": share_id})
    assert missing_rule.status_code == 400 and "rule_id" in missing_rule.json()["description"]


def test_collection_info(
    alice: Caller, bob: Caller, two_endpoints: tuple[Endpoint, Endpoint]
) -> None:
    (src, _), _ = two_endpoints
    for family in (NEW, LEGACY):
        info = alice.provider(family + "collection_info").result({"endpoint_id": src})
        assert info["status"] == "SUCCEEDED"
        assert info["details"]["id"] == src and info["details"]["is_managed"] is False
    hidden = bob.provider(NEW + "collection_info").result({"endpoint_id": src})
    assert hidden["status"] == "FAILED"


def test_cancelling_a_transfer_action_cancels_its_task(
    alice: Caller, two_endpoints: tuple[Endpoint, Endpoint]
) -> None:
    (src, _), (dst, dst_root) = two_endpoints
    # A pause rule on the source holds the task ACTIVE until it is cancelled.
    rule = call(
        alice.server.service_url("transfer"),
        "POST",
        "v0.10/endpoint_manager/pause_rule",
        alice.tokens["transfer.api.globus.org"],
        json={
            "DATA_TYPE": "pause_rule",
            "endpoint_id": src,
            "message": "held for the test",
            "pause_ls": False,
            "pause_mkdir": False,
            "pause_rename": False,
            "pause_task_delete": False,
            "pause_task_transfer_write": True,
            "pause_task_transfer_read": True,
        },
    )
    assert rule.status_code == 200, rule.text
    transfer = alice.provider(NEW + "transfer")
    action_id = transfer.started(_transfer_body(src, dst, "current"))["action_id"]
    assert transfer.status(action_id).json()["status"] == "ACTIVE"
    response = transfer.http("POST", f"actions/{action_id}/cancel")
    assert response.status_code == 200, response.text
    final = transfer.wait(action_id)
    assert final["status"] == "FAILED"
    assert final["details"]["status"] == "FAILED"
    assert final["details"]["fatal_error"]["code"] == "CANCELED"
    assert not (dst_root / "copy").exists()
