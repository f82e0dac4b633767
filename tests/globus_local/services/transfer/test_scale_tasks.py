"""Large tasks: the walk stored in parts, the run's rows in hand bounded, an unfinished
expansion cleared, and a small task never waiting behind a large one (over HTTP)."""

from __future__ import annotations

import os
import threading
import typing as t
from pathlib import Path

import pytest
from sqlalchemy import func, select

from globus_local.services.transfer.models_tasks import TaskFile
from globus_local.services.transfer.mover.children import Turns
from tests.globus_local.services.transfer.support import (
    TransferUser,
    run_transfer,
    submit,
    transfer_doc,
    wait_task,
)
from tests.support.waiting import wait_until

MakeEndpoint = t.Callable[..., tuple[str, Path]]


@pytest.fixture
def pair(alice: TransferUser, make_endpoint: MakeEndpoint) -> tuple[str, Path, str, Path]:
    src_id, src = make_endpoint(alice, "source")
    dst_id, dst = make_endpoint(alice, "destination")
    return src_id, src, dst_id, dst


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _files(root: Path, count: int, folders: int = 3) -> None:
    for n in range(count):
        folder = root / f"{n % folders}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{n}.dat").write_bytes(os.urandom(n + 1))


def _stored(server: t.Any, task_id: str) -> int:
    with server.db.session() as session:
        return int(
            session.scalar(
                select(func.count()).where(TaskFile.task_id == task_id)  # type: ignore[arg-type]
            )
            or 0
        )


def test_rows_past_those_in_hand_are_read_back(
    alice: TransferUser, pair: t.Any, monkeypatch: pytest.MonkeyPatch, transfer_server: t.Any
) -> None:
    """A run keeps at most FRESH_ROWS of the rows it stored and reads the rest back after
    them: every file once, counted once, whether the walk ran in a copy process or here."""
    from globus_local.services.transfer.mover import expanding, procs

    src_id, src, dst_id, dst = pair
    _files(src / "w", 60)
    monkeypatch.setattr(expanding, "FRESH_ROWS", 7)
    monkeypatch.setattr(procs, "WALK_PART", 5)
    for target, processes in (("/a", "2"), ("/b", "0")):
        monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_PROCESSES", processes)
        item = [{"source_path": "/w", "destination_path": target, "recursive": True}]
        doc = run_transfer(alice, src_id, dst_id, item, preserve_timestamp=True)
        assert doc["status"] == "SUCCEEDED", doc
        assert _tree(dst / target.strip("/")) == _tree(src / "w")
        assert doc["files"] == doc["files_transferred"] == 60 and doc["directories"] == 4
        assert doc["subtasks_total"] == doc["subtasks_succeeded"] == 65  # the item too
        assert _stored(transfer_server, doc["task_id"]) == 64
        for n in range(3):
            assert (dst / target.strip("/") / str(n)).stat().st_mtime == pytest.approx(
                (src / "w" / str(n)).stat().st_mtime
            )


def test_an_expansion_left_unfinished_is_cleared_before_the_next_walk(
    alice: TransferUser, pair: t.Any, monkeypatch: pytest.MonkeyPatch, transfer_server: t.Any
) -> None:
    """A run that dies midway through the walk leaves the parts it stored (the task is not
    expanded); the next run deletes them and walks again: no row twice."""
    from globus_local.services.transfer.mover import expanding, procs

    src_id, src, dst_id, dst = pair
    _files(src / "w", 30)
    monkeypatch.setattr(procs, "WALK_PART", 4)
    walk = procs.expand_transfer
    forget = expanding.StoredRows.forget
    died: list[bool] = []

    def dies_after_its_parts(*args: t.Any, **kwargs: t.Any) -> t.Any:
        walked = walk(*args, **kwargs)
        if not died:
            died.append(True)
            raise RuntimeError("the worker died")  # its parts stay: nothing deletes them
        return walked

    def forgets_nothing_as_it_dies(self: t.Any) -> None:
        if len(died) == 1:
            died.append(True)  # a dead worker deletes nothing
            return
        forget(self)

    monkeypatch.setattr(expanding.StoredRows, "forget", forgets_nothing_as_it_dies)
    monkeypatch.setattr(procs, "expand_transfer", dies_after_its_parts)
    item = [{"source_path": "/w", "destination_path": "/x", "recursive": True}]
    doc = run_transfer(alice, src_id, dst_id, item)
    assert died and doc["status"] == "SUCCEEDED", doc
    assert _tree(dst / "x") == _tree(src / "w")
    assert doc["files"] == doc["files_transferred"] == 30
    assert doc["subtasks_total"] == doc["subtasks_succeeded"] == 35  # the item too
    assert _stored(transfer_server, doc["task_id"]) == 34


def test_a_file_item_to_a_free_path_is_linked_in(alice: TransferUser, pair: t.Any) -> None:
    """A single file whose destination path is free is copied into an anonymous file and
    linked in whole; one whose path is taken replaces it through a temp name."""
    src_id, src, dst_id, dst = pair
    (src / "one.bin").write_bytes(os.urandom(5000))
    (dst / "taken.bin").write_bytes(b"old")
    items = [
        {"source_path": "/one.bin", "destination_path": "/free.bin"},
        {"source_path": "/one.bin", "destination_path": "/taken.bin"},
    ]
    doc = run_transfer(alice, src_id, dst_id, items)
    assert doc["status"] == "SUCCEEDED", doc
    assert (dst / "free.bin").read_bytes() == (dst / "taken.bin").read_bytes()
    assert (dst / "free.bin").read_bytes() == (src / "one.bin").read_bytes()
    assert doc["files_transferred"] == 2
    assert not list(dst.glob(".globus-local-*"))


def test_a_small_task_finishes_while_a_large_one_runs(
    alice: TransferUser, pair: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task submitted after a large one is not queued behind it: it ends while the large
    one is still at work."""
    src_id, src, dst_id, dst = pair
    _files(src / "large", 400, folders=4)
    _files(src / "small", 3, folders=1)
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_FILE_DELAY", "0.05")
    item = [{"source_path": "/large", "destination_path": "/large", "recursive": True}]
    large = submit(alice, transfer_doc(src_id, dst_id, item))

    def working() -> bool:
        return bool(alice.get(f"task/{large}").json()["files_transferred"])

    wait_until(working, "the large task to copy its first files", 60)
    item = [{"source_path": "/small", "destination_path": "/small", "recursive": True}]
    small = wait_task(alice, submit(alice, transfer_doc(src_id, dst_id, item)))
    assert small["status"] == "SUCCEEDED", small
    assert _tree(dst / "small") == _tree(src / "small")
    still = alice.get(f"task/{large}").json()
    assert still["status"] == "ACTIVE" and still["files_transferred"] < 400, still
    assert alice.post(f"task/{large}/cancel").status_code == 200
    assert wait_task(alice, large)["status"] == "FAILED"


def test_turns_for_the_copy_processes_go_in_arrival_order() -> None:
    """A thread that gives its turn back and asks again waits behind those already
    waiting (a plain semaphore would let it take the turn straight back)."""
    turns = Turns(1)
    order: list[str] = []
    turns.acquire()  # the holder: a large task's lane

    def waiter(name: str) -> None:
        turns.acquire()
        order.append(name)
        turns.release()

    threads = []
    for name in ("small-1", "small-2"):
        thread = threading.Thread(target=waiter, args=(name,))
        thread.start()
        threads.append(thread)
        wait_until(lambda n=len(threads): len(turns.waiting) == n, f"{name} to wait", 10)
    turns.release()
    turns.acquire()  # the holder's next unit
    order.append("large again")
    turns.release()
    for thread in threads:
        thread.join()
    assert order == ["small-1", "small-2", "large again"]
