"""A destination that runs out of space or quota: ``fail_on_quota_errors`` decides whether the
task fails at once or retries until the space comes back (over HTTP, on both databases).

A real server cannot be made to fill its disk, so this is the one place a fault is faked:
:class:`FullDisk` makes the data writes into files under the destination endpoint's folder
(the mover's descriptor-level ``copy_file_range`` / ``sendfile`` / ``write``) fail with
``ENOSPC`` or ``EDQUOT``, as a full disk or an exhausted quota would. Everything else (the
server, its job workers, the mover, the storage connectors) is the real thing.
"""

from __future__ import annotations

import errno
import os
import threading
import typing as t
from pathlib import Path

import pytest

from globus_local.services.transfer.models_tasks import TransferTask
from globus_local.testing import LocalServer
from tests.globus_local.services.transfer.support import (
    MakeEndpoint,
    TransferUser,
    events,
    submit,
    transfer_doc,
    wait_task,
)
from tests.support.waiting import wait_until

pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="FullDisk finds a descriptor's file in /proc"
)

QUOTA_ERRNOS = pytest.mark.parametrize(
    "err", [errno.ENOSPC, errno.EDQUOT], ids=["ENOSPC", "EDQUOT"]
)
HOLD_SECONDS = 30  # the longest a held write waits for FullDisk.lift()


class FullDisk:
    """While installed and not lifted, data writes into files under ``root`` fail with ``err``.

    ``hold_when``, when given and true, makes such a write wait for :meth:`lift` instead of
    failing (then it goes through): a test can look at a task that is retrying a quota fault
    without racing the mover's retry limit.
    """

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        root: Path,
        err: int,
        *,
        hold_when: t.Callable[[], bool] | None = None,
    ) -> None:
        self.root = os.path.realpath(root) + os.sep
        self.err = err
        self.hold_when = hold_when
        self.lifted = threading.Event()
        self.failures = 0  # writes failed
        self.held = 0  # writes held until the lift
        self._lock = threading.Lock()
        real_copy_file_range = os.copy_file_range
        real_sendfile = os.sendfile
        real_write = os.write

        def copy_file_range(src: int, dst: int, count: int, *args: t.Any) -> int:
            self._check(dst)
            return real_copy_file_range(src, dst, count, *args)

        def sendfile(out_fd: int, in_fd: int, offset: int | None, count: int) -> int:
            self._check(out_fd)
            return real_sendfile(out_fd, in_fd, offset, count)

        def write(fd: int, data: t.Any) -> int:
            self._check(fd)
            return real_write(fd, data)

        monkeypatch.setattr(os, "copy_file_range", copy_file_range)
        monkeypatch.setattr(os, "sendfile", sendfile)
        monkeypatch.setattr(os, "write", write)

    def lift(self) -> None:
        """Space (or quota) is available again."""
        self.lifted.set()

    def _check(self, fd: int) -> None:
        if self.lifted.is_set():
            return
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return
        if not target.startswith(self.root):
            return
        if self.hold_when is not None and self.hold_when():
            with self._lock:
                self.held += 1
            if self.lifted.wait(HOLD_SECONDS):
                return
        with self._lock:
            self.failures += 1
        raise OSError(self.err, os.strerror(self.err))


FILES = {
    "small.txt": b"quota test\n",
    "medium.bin": bytes(range(256)) * 400,
    "nested/deep.dat": os.urandom(70_000),
}


@pytest.fixture
def pair(alice: TransferUser, make_endpoint: MakeEndpoint) -> tuple[str, Path, str, Path]:
    src_id, src = make_endpoint(alice, "source")
    dst_id, dst = make_endpoint(alice, "nearly full")
    for name, data in FILES.items():
        (src / "data" / name).parent.mkdir(parents=True, exist_ok=True)
        (src / "data" / name).write_bytes(data)
    return src_id, src, dst_id, dst


ITEMS = [{"source_path": "/data/", "destination_path": "/copy/", "recursive": True}]


def temps(root: Path) -> list[Path]:
    return sorted(root.rglob(".globus-local-*.part"))


def quota_events(user: TransferUser, task_id: str) -> list[dict[str, t.Any]]:
    return [e for e in events(user, task_id) if e["code"] == "QUOTA_EXCEEDED"]


@QUOTA_ERRNOS
def test_fail_on_quota_errors_fails_the_task(
    alice: TransferUser, pair: t.Any, monkeypatch: pytest.MonkeyPatch, err: int
) -> None:
    src_id, _, dst_id, dst = pair
    disk = FullDisk(monkeypatch, dst, err)
    task_id = submit(alice, transfer_doc(src_id, dst_id, ITEMS, fail_on_quota_errors=True))
    doc = wait_task(alice, task_id, timeout=30)
    assert doc["status"] == "FAILED", doc
    assert doc["fatal_error"]["code"] == "QUOTA_EXCEEDED", doc["fatal_error"]
    assert doc["fail_on_quota_errors"] is True
    assert doc["files_transferred"] == 0 and doc["subtasks_failed"] >= 1
    assert disk.failures >= 1
    recorded = quota_events(alice, task_id)
    assert recorded and all(e["is_error"] for e in recorded)
    assert os.strerror(err) in recorded[0]["description"] + recorded[0]["details"]
    assert [e["code"] for e in events(alice, task_id)][0] == "QUOTA_EXCEEDED"
    # Nothing half-written is left behind, and no file appeared under its final name.
    assert temps(dst) == []
    assert [p for p in (dst / "copy").rglob("*") if p.is_file()] == []


@QUOTA_ERRNOS
def test_quota_errors_are_retried_until_space_returns(
    alice: TransferUser,
    pair: t.Any,
    transfer_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    err: int,
) -> None:
    src_id, src, dst_id, dst = pair
    submitted: list[str] = []

    def fault_recorded() -> bool:
        """Hold the retries once the first quota fault is on the task (not before, so the
        first attempt fails)."""
        if not submitted:
            return False
        with transfer_server.db.session() as session:
            task = session.get(TransferTask, submitted[0])
            return task is not None and task.faults > 0

    disk = FullDisk(monkeypatch, dst, err, hold_when=fault_recorded)
    try:
        task_id = submit(alice, transfer_doc(src_id, dst_id, ITEMS, fail_on_quota_errors=False))
        submitted.append(task_id)

        def retrying() -> bool:
            return alice.get(f"task/{task_id}").json()["nice_status"] == "QUOTA_EXCEEDED"

        wait_until(retrying, "the task to report the quota fault")
        doc = alice.get(f"task/{task_id}").json()
        assert doc["status"] == "ACTIVE" and doc["fatal_error"] is None
        assert doc["faults"] >= 1 and doc["files_transferred"] < len(FILES)
        assert doc["nice_status_short_description"] == "quota exceeded"
        assert os.strerror(err) in doc["nice_status_details"]
        recorded = quota_events(alice, task_id)
        assert recorded and all(e["is_error"] for e in recorded)
        # The mover comes back for the files (and waits here for space).
        wait_until(lambda: disk.held >= 1, "the mover to retry")
    finally:
        disk.lift()  # the disk has room again: held and later writes go through

    doc = wait_task(alice, task_id, timeout=30)
    assert doc["status"] == "SUCCEEDED", doc
    assert doc["fatal_error"] is None and doc["nice_status"] is None
    assert doc["files_transferred"] == len(FILES)
    assert doc["faults"] >= 1 and disk.failures >= 1
    codes = [e["code"] for e in events(alice, task_id)]
    assert codes[0] == "SUCCEEDED" and "QUOTA_EXCEEDED" in codes
    for name, data in FILES.items():
        assert (dst / "copy" / name).read_bytes() == data == (src / "data" / name).read_bytes()
    assert temps(dst) == []
