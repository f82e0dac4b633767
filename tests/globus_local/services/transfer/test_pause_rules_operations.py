"""Pause rules refuse the synchronous file operations they name: ``pause_ls``, ``pause_mkdir``
and ``pause_rename``, on the endpoint they are on and on the shared endpoints it hosts, for the
identity they name (everyone when none), once their start time has passed.

Over HTTP to the live server through the SDK's TransferClient, on both databases.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import typing as t
from pathlib import Path

import pytest

from globus_sdk import AccessTokenAuthorizer, TransferAPIError, TransferClient
from tests.globus_local.services.transfer.support import TransferUser

OPERATION_FLAGS = ("pause_ls", "pause_mkdir", "pause_rename")
TASK_FLAGS = ("pause_task_delete", "pause_task_transfer_write", "pause_task_transfer_read")
MESSAGE = "storage maintenance until noon"


def sdk(user: TransferUser) -> TransferClient:
    return TransferClient(authorizer=AccessTokenAuthorizer(user.token), base_url=user.base_url)


def create_rule(tc: TransferClient, endpoint_id: str, **fields: t.Any) -> dict[str, t.Any]:
    """A pause rule on ``endpoint_id`` for everyone, starting now, pausing nothing unless
    ``fields`` say so."""
    doc = {
        "DATA_TYPE": "pause_rule",
        "endpoint_id": endpoint_id,
        "message": MESSAGE,
        "identity_id": None,
        "start_time": None,
        **{flag: False for flag in OPERATION_FLAGS + TASK_FLAGS},
        **fields,
    }
    return dict(tc.endpoint_manager_create_pause_rule(doc).data)


def snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` with what it is (file contents, directory, link target)."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            what = "link -> " + str(path.readlink())
        elif path.is_dir():
            what = "dir"
        else:
            what = path.read_bytes().hex()
        found[str(path.relative_to(root))] = what
    return found


def assert_paused(call: t.Callable[[], t.Any], resource: str) -> None:
    """``call`` is refused as a paused operation, with Transfer's error document."""
    with pytest.raises(TransferAPIError) as info:
        call()
    err = info.value
    assert err.http_status == 409
    assert err.code == "EndpointPaused"
    assert MESSAGE in err.message
    assert err.request_id and re.fullmatch(r"[A-Za-z0-9]+", err.request_id)
    body = err.raw_json
    assert body is not None
    assert set(body) == {"code", "message", "request_id", "resource"}
    assert body["resource"] == resource
    assert body["code"] == err.code and body["request_id"] == err.request_id


def op_path(endpoint_id: str, operation: str) -> str:
    return f"/v0.10/operation/endpoint/{endpoint_id}/{operation}"


class Operations:
    """ls, mkdir and rename on one endpoint (on fresh names every time), plus the operations
    no rule pauses (symlink, stat)."""

    def __init__(self, tc: TransferClient, endpoint_id: str, root: Path) -> None:
        self.tc = tc
        self.endpoint_id = endpoint_id
        self.root = root

    @staticmethod
    def _fresh(stem: str) -> str:
        return f"{stem}-{secrets.token_hex(4)}"

    def ls(self) -> list[str]:
        return sorted(e["name"] for e in self.tc.operation_ls(self.endpoint_id, path="/"))

    def mkdir(self) -> str:
        name = self._fresh("made")
        result = self.tc.operation_mkdir(self.endpoint_id, f"/{name}/")
        assert result["code"] == "DirectoryCreated"
        return name

    def rename(self) -> tuple[str, str]:
        old, new = self._fresh("old"), self._fresh("new")
        (self.root / old).write_bytes(b"to be renamed")
        result = self.tc.operation_rename(self.endpoint_id, f"/{old}", f"/{new}")
        assert result["code"] == "FileRenamed"
        return old, new

    def works(self, operation: str) -> None:
        """``operation`` goes through and changes the disk as it should."""
        if operation == "ls":
            assert self.ls() == sorted(p.name for p in self.root.iterdir())
        elif operation == "mkdir":
            assert (self.root / self.mkdir()).is_dir()
        elif operation == "rename":
            old, new = self.rename()
            assert not (self.root / old).exists()
            assert (self.root / new).read_bytes() == b"to be renamed"
        elif operation == "symlink":
            link = self._fresh("link")
            self.tc.operation_symlink(self.endpoint_id, "/file1.txt", f"/{link}")
            assert (self.root / link).is_symlink()
        else:
            assert operation == "stat"
            # SDK 3.2 has no operation_stat: the generic GET is how its users call it.
            stat_path = f"operation/endpoint/{self.endpoint_id}/stat"
            assert self.tc.get(stat_path, query_params={"path": "/file1.txt"})["size"] == 4

    def refused(self, operation: str) -> None:
        """``operation`` is refused as paused and leaves the disk as it was."""
        resource = op_path(self.endpoint_id, operation)
        if operation == "rename":
            (self.root / "keep.txt").write_bytes(b"stays")
        before = snapshot(self.root)
        if operation == "ls":
            assert_paused(lambda: self.tc.operation_ls(self.endpoint_id, path="/"), resource)
        elif operation == "mkdir":
            assert_paused(lambda: self.tc.operation_mkdir(self.endpoint_id, "/nope/"), resource)
            assert not (self.root / "nope").exists()
        else:
            assert operation == "rename"
            assert_paused(
                lambda: self.tc.operation_rename(self.endpoint_id, "/keep.txt", "/moved.txt"),
                resource,
            )
            assert (self.root / "keep.txt").read_bytes() == b"stays"
            assert not (self.root / "moved.txt").exists()
        assert snapshot(self.root) == before

    def all_work(self) -> None:
        for operation in ("ls", "mkdir", "rename", "symlink", "stat"):
            self.works(operation)


@pytest.fixture
def alice_ops(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> Operations:
    endpoint_id, root = alice_endpoint
    return Operations(sdk(alice), endpoint_id, root)


@pytest.mark.parametrize("operation", ["ls", "mkdir", "rename"])
def test_each_flag_refuses_its_operation_only(alice_ops: Operations, operation: str) -> None:
    create_rule(alice_ops.tc, alice_ops.endpoint_id, **{f"pause_{operation}": True})
    alice_ops.refused(operation)
    for other in ("ls", "mkdir", "rename", "symlink", "stat"):
        if other != operation:
            alice_ops.works(other)
    alice_ops.refused(operation)  # still paused after the others ran


def test_all_flags_leave_symlink_and_stat_working(alice_ops: Operations) -> None:
    create_rule(alice_ops.tc, alice_ops.endpoint_id, **dict.fromkeys(OPERATION_FLAGS, True))
    for operation in ("ls", "mkdir", "rename"):
        alice_ops.refused(operation)
    alice_ops.works("symlink")
    alice_ops.works("stat")


def test_rules_without_operation_flags_change_nothing(alice_ops: Operations) -> None:
    alice_ops.all_work()  # no rule at all
    create_rule(alice_ops.tc, alice_ops.endpoint_id, **dict.fromkeys(TASK_FLAGS, True))
    alice_ops.all_work()


def test_rule_for_another_identity_does_not_apply(
    alice: TransferUser, bob: TransferUser, alice_ops: Operations
) -> None:
    flags = dict.fromkeys(OPERATION_FLAGS, True)
    create_rule(alice_ops.tc, alice_ops.endpoint_id, identity_id=bob.id, **flags)
    alice_ops.all_work()
    # The same rule naming Alice herself does apply to her.
    create_rule(alice_ops.tc, alice_ops.endpoint_id, identity_id=alice.id, **flags)
    for operation in ("ls", "mkdir", "rename"):
        alice_ops.refused(operation)


def test_rule_with_future_start_time_does_not_apply_yet(alice_ops: Operations) -> None:
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).isoformat()
    rule = create_rule(
        alice_ops.tc,
        alice_ops.endpoint_id,
        start_time=later,
        **dict.fromkeys(OPERATION_FLAGS, True),
    )
    alice_ops.all_work()
    # Once its start time has passed, it does.
    alice_ops.tc.endpoint_manager_update_pause_rule(
        rule["id"], {"start_time": "2000-01-01T00:00:00+00:00"}
    )
    for operation in ("ls", "mkdir", "rename"):
        alice_ops.refused(operation)


def test_lifting_the_rule_restores_the_operations(alice_ops: Operations) -> None:
    flags = dict.fromkeys(OPERATION_FLAGS, True)
    rule = create_rule(alice_ops.tc, alice_ops.endpoint_id, **flags)
    alice_ops.refused("mkdir")
    # Clearing a flag lifts that pause only.
    alice_ops.tc.endpoint_manager_update_pause_rule(rule["id"], {"pause_mkdir": False})
    alice_ops.works("mkdir")
    alice_ops.refused("ls")
    # Deleting the rule lifts the rest.
    deleted = alice_ops.tc.endpoint_manager_delete_pause_rule(rule["id"])
    assert deleted["code"] == "Deleted"
    alice_ops.all_work()


def test_rule_on_host_endpoint_pauses_its_shared_endpoint(
    alice: TransferUser, bob: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    host_id, root = alice_endpoint
    project = root / "project"
    project.mkdir()
    (project / "file1.txt").write_bytes(b"abcd")
    alice_tc, bob_tc = sdk(alice), sdk(bob)
    share_id = alice_tc.create_shared_endpoint(
        {
            "DATA_TYPE": "shared_endpoint",
            "host_endpoint": host_id,
            "host_path": "/project/",
            "display_name": "project",
        }
    )["id"]
    alice_tc.add_endpoint_acl_rule(
        share_id,
        {
            "DATA_TYPE": "access",
            "principal_type": "identity",
            "principal": bob.id,
            "path": "/",
            "permissions": "rw",
        },
    )
    bob_share = Operations(bob_tc, share_id, project)
    bob_share.all_work()

    flags = dict.fromkeys(OPERATION_FLAGS, True)
    rule = create_rule(alice_tc, host_id, identity_id=bob.id, **flags)
    for operation in ("ls", "mkdir", "rename"):
        bob_share.refused(operation)
    bob_share.works("symlink")
    # Only Bob is named: Alice still works on the share and on the host.
    Operations(alice_tc, share_id, project).all_work()
    Operations(alice_tc, host_id, root).all_work()
    alice_tc.endpoint_manager_delete_pause_rule(rule["id"])
    bob_share.all_work()

    # A rule on the shared endpoint pauses the share, not the endpoint hosting it.
    create_rule(alice_tc, share_id, **flags)
    Operations(alice_tc, share_id, project).refused("ls")
    bob_share.refused("mkdir")
    Operations(alice_tc, host_id, root).all_work()
