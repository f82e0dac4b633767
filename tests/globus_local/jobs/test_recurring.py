"""Recurring jobs: one queue row per kind, queued again whichever way each run ends."""

from __future__ import annotations

import threading
import typing as t

import pytest
from sqlalchemy import update

from globus_local.db import Database
from globus_local.jobs import (
    FAILED,
    PENDING,
    Job,
    JobContext,
    JobError,
    Worker,
    WorkerPool,
    recurring,
    recurring_job,
)
from tests.globus_local.jobs.support import HOUR, make_due, rows_of, seconds_until


def test_a_recurring_job_queues_its_next_run_when_it_ends(
    db: Database, register_recurring: t.Callable[..., str]
) -> None:
    runs: list[int] = []

    def handler(ctx: JobContext) -> dict[str, t.Any]:
        runs.append(ctx.attempt)
        return {"run": len(runs)}

    kind = register_recurring(handler)
    assert recurring.schedule(db, [kind]) == [kind]
    (job,) = rows_of(db, kind)
    assert job.id == f"recurring:{kind}" and job.state == PENDING
    assert HOUR - 60 < seconds_until(job.run_after) <= HOUR  # first run one interval away
    worker = Worker(db, kinds=[kind])
    assert worker.run_once() is False
    for n in (1, 2):
        make_due(db, kind)
        assert worker.run_once() is True
        (job,) = rows_of(db, kind)
        assert job.state == PENDING and job.attempts == 0 and job.result == {"run": n}
        assert job.finished_at is not None and job.error is None
        assert HOUR - 60 < seconds_until(job.run_after) <= HOUR
        assert worker.run_once() is False
    assert runs == [1, 1]


def test_only_one_run_is_queued_however_many_processes_start(
    db: Database, database_url: str, register_recurring: t.Callable[..., str]
) -> None:
    kind = register_recurring(lambda ctx: None)
    processes = [Database(database_url) for _ in range(4)]
    start = threading.Barrier(len(processes))
    errors: list[BaseException] = []

    def start_up(process_db: Database) -> None:
        try:
            start.wait()
            recurring.schedule(process_db, [kind])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start_up, args=(p,)) for p in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for process_db in processes:
        process_db.dispose()
    assert errors == []
    (job,) = rows_of(db, kind)
    # A later start leaves the queued run as it is.
    recurring.schedule(db, [kind])
    (again,) = rows_of(db, kind)
    assert again.run_after == job.run_after and again.created_at == job.created_at


def test_a_failed_recurring_run_retries_then_still_queues_the_next(
    db: Database, register_recurring: t.Callable[..., str]
) -> None:
    def handler(ctx: JobContext) -> None:
        if ctx.attempt == 1:
            raise RuntimeError("transient")
        raise JobError("gave up on this run")

    kind = register_recurring(handler)
    recurring.schedule(db, [kind])
    make_due(db, kind)
    worker = Worker(db, kinds=[kind], retry_base=0)
    assert worker.run_once() is True  # attempt 1: retried at once, as any job
    (job,) = rows_of(db, kind)
    assert job.state == PENDING and job.attempts == 1 and "transient" in (job.error or "")
    assert worker.run_once() is True  # attempt 2: this run is over, the next one is queued
    (job,) = rows_of(db, kind)
    assert job.state == PENDING and job.attempts == 0 and job.error == "gave up on this run"
    assert HOUR - 60 < seconds_until(job.run_after) <= HOUR


def test_a_given_up_recurring_job_is_queued_again_at_start(
    db: Database, register_recurring: t.Callable[..., str]
) -> None:
    kind = register_recurring(lambda ctx: None)
    recurring.schedule(db, [kind])
    with db.session() as session:  # what claim_next does when its workers keep dying
        session.execute(update(Job).where(Job.kind == kind).values(state=FAILED, attempts=6))
    recurring.schedule(db, [kind])
    (job,) = rows_of(db, kind)
    assert job.state == PENDING and job.attempts == 0


def test_a_starting_pool_schedules_the_recurring_kinds_it_runs(
    db: Database, register_recurring: t.Callable[..., str]
) -> None:
    mine = register_recurring(lambda ctx: None, every=60)
    other = register_recurring(lambda ctx: None)
    pool = WorkerPool(db, 1, kinds=[mine], poll_interval=3600).start()
    pool.stop()
    assert [j.id for j in rows_of(db, mine)] == [recurring.job_id(mine)]
    assert rows_of(db, other) == []


def test_recurring_job_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        recurring_job("test.never", 0)
    with pytest.raises(ValueError):
        recurring_job("test." + "x" * 100, 60)
