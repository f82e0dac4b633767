"""A worker whose job was taken over while it kept running (hung past its lease, then woke
up) records nothing more and renames nothing: its writes are fenced by the lease, its temp
files carry its own run number and are thrown away. What it linked in at new destinations
before it learnt of the takeover is complete, and the worker that took over records it
without copying it again. That worker finishes the task with every file byte-identical
and no temp file left."""

from __future__ import annotations

import datetime as dt
import os
import threading
import typing as t
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from globus_local.app import create_app
from globus_local.config import Settings
from globus_local.db import Database
from globus_local.jobs import Job, queue
from globus_local.jobs.registry import JobContext, LeaseLost
from globus_local.services.transfer.models_tasks import TaskEvent, TaskFile, TransferTask
from globus_local.services.transfer.mover import JOB_KIND
from globus_local.services.transfer.mover.runner import TaskRunner
from tests.globus_local.services.transfer.support import submit_tree_copy
from tests.support.waiting import wait_until

FILES = 300
LEASE = 30.0


def _context(db: Database, claim: queue.Claim) -> JobContext:
    return JobContext(
        job_id=claim.job_id,
        kind=claim.kind,
        payload=claim.payload,
        attempt=claim.attempt,
        db=db,
        _heartbeat=lambda: queue.extend_lease(db, claim, LEASE),
        _fence=lambda session: queue.extend_lease_in(session, claim, LEASE),
    )


def _runner(ctx: JobContext, task_id: str) -> TaskRunner:
    return TaskRunner(ctx.db, task_id, heartbeat=ctx.heartbeat, fence=ctx.fence)


def _recorded(db: Database, task_id: str) -> set[str]:
    """Files recorded as copied: rows done, or staged (complete, renamed or about to be)."""
    with db.session() as session:
        return set(
            session.scalars(
                select(TaskFile.destination_path).where(
                    TaskFile.task_id == task_id,
                    TaskFile.kind == "file",
                    TaskFile.state.in_(["done", "staged"]),
                )
            )
        )


def _done_rows(db: Database, task_id: str) -> int:
    with db.session() as session:
        task = session.get(TransferTask, task_id)
        assert task is not None
        return task.files_transferred


@pytest.mark.timeout(120)
def test_a_stale_worker_is_fenced_off(tmp_path: Path, own_database_url: str) -> None:
    settings = Settings.from_env(
        data_dir=tmp_path / "data", database_url=own_database_url, run_workers=False
    )
    db = Database(settings.database_url)
    app = create_app(settings, database=db)
    src, dst = tmp_path / "src", tmp_path / "dst"
    expected = {f"d{n % 6}/f{n:04d}.bin": os.urandom(100 + n) for n in range(FILES)}
    task_id, _ = submit_tree_copy(app, db, src, dst, expected, "stale")

    # Worker A claims the job and runs slowly (20 ms per file).
    claim_a = queue.claim_next(db, "worker-a", [JOB_KIND], LEASE)
    assert claim_a is not None
    stale = _runner(_context(db, claim_a), task_id)
    stale.file_delay = 0.02
    outcome: dict[str, t.Any] = {}

    def run_stale() -> None:
        try:
            outcome["result"] = stale.run()
        except LeaseLost as exc:
            outcome["lost"] = exc

    thread = threading.Thread(target=run_stale)
    thread.start()
    wait_until(lambda: _done_rows(db, task_id) >= 20, "worker A's first progress", 60)

    # Worker B takes the job over, as a claim does once A's lease has lapsed, while A
    # keeps running: A is now the stale worker.
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == claim_a.job_id)
            .values(
                worker_id="worker-b",
                attempts=Job.attempts + 1,
                lease_expires_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=LEASE),
            )
        )
    at_takeover = _recorded(db, task_id)
    claim_b = queue.Claim(
        job_id=claim_a.job_id,
        kind=claim_a.kind,
        payload=claim_a.payload,
        attempt=claim_a.attempt + 1,
        max_attempts=claim_a.max_attempts,
        worker_id="worker-b",
    )
    # A's next flush (within half a second) finds the job is no longer its own.
    thread.join(30)
    assert not thread.is_alive()
    assert "lost" in outcome, f"the stale worker was not stopped: {outcome}"
    with db.session() as session:
        task = session.get(TransferTask, task_id)
        assert task is not None and task.status == "ACTIVE"
    # Once the job was no longer its own, A recorded nothing more (its writes are fenced).
    recorded = _recorded(db, task_id)
    assert recorded == at_takeover
    assert 20 <= len(recorded) < FILES
    # None of its temp files is left behind. A file in place that it did not record was
    # linked in whole (at a destination new at expansion) before A learnt the job was
    # no longer its own: it is a complete copy, never a half-written one.
    copied = dst / "copy"
    on_disk = {"/copy/" + str(p.relative_to(copied)) for p in copied.rglob("*") if p.is_file()}
    assert not [n for n in on_disk if "/.globus-local-" in n], on_disk
    unrecorded = {}
    for name in on_disk - recorded:
        path = dst / name.lstrip("/")
        assert path.read_bytes() == expected[name.removeprefix("/copy/")], name
        unrecorded[name] = (path.stat().st_ino, path.stat().st_mtime_ns)

    assert _runner(_context(db, claim_b), task_id).run() == "SUCCEEDED"
    for name, identity in unrecorded.items():  # recorded by B, not copied again
        path = dst / name.lstrip("/")
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == identity, name

    with db.session() as session:
        task = session.get(TransferTask, task_id)
        assert task is not None
        assert task.status == "SUCCEEDED"
        assert task.files_transferred == FILES and task.subtasks_failed == 0
        succeeded = session.scalar(
            select(func.count())
            .select_from(TaskEvent)
            .where(TaskEvent.task_id == task_id, TaskEvent.code == "SUCCEEDED")
        )
    assert succeeded == 1

    copied = dst / "copy"
    names = {str(p.relative_to(copied)) for p in copied.rglob("*") if p.is_file()}
    assert names == set(expected), "stray or missing files (temp files included)"
    for rel, data in expected.items():
        assert (copied / rel).read_bytes() == data, rel
    db.dispose()
