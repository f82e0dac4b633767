"""What a worker tells its own process as an attempt ends (run-end listeners), and its one
lease keeper thread serving job after job, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import typing as t

import pytest

from globus_local.db import Database
from globus_local.jobs import (
    FAILED,
    PENDING,
    RUNNING,
    SUCCEEDED,
    JobContext,
    JobError,
    JobStopped,
    Worker,
    listeners,
    on_run_end,
)
from tests.globus_local.jobs.support import add_job, job_row, wait_for

Register = t.Callable[..., str]
Told = tuple[str, str, dict[str, t.Any], "dict[str, t.Any] | None", str]


@pytest.fixture
def told(db: Database) -> t.Iterator[t.Callable[[str], list[Told]]]:
    """``told(kind)``: what the listeners of ``kind`` hear, each with the job's state read
    back at that moment."""
    added: list[tuple[str, listeners.Listener]] = []

    def listen(kind: str) -> list[Told]:
        heard: list[Told] = []

        def listener(
            url: str, job_id: str, payload: dict[str, t.Any], result: dict[str, t.Any] | None
        ) -> None:
            heard.append((url, job_id, payload, result, job_row(db, job_id).state))

        on_run_end(kind, listener)
        added.append((kind, listener))
        return heard

    yield listen
    for kind, listener in added:
        listeners.remove(kind, listener)


def test_a_listener_hears_the_result_before_the_job_is_settled(
    db: Database, register: Register, told: t.Callable[[str], list[Told]]
) -> None:
    kind = register(lambda ctx: {"echo": ctx.payload["n"]})
    heard = told(kind)
    other = told(register(lambda ctx: None))
    job_id = add_job(db, kind, {"n": 7})
    worker = Worker(db, kinds=[kind])
    assert worker.run_once() is True
    assert heard == [(worker.database_url, job_id, {"n": 7}, {"echo": 7}, RUNNING)]
    assert other == []
    assert job_row(db, job_id).state == SUCCEEDED


def test_a_stopped_handler_is_told_with_its_result_and_a_failed_one_without(
    db: Database, register: Register, told: t.Callable[[str], list[Told]]
) -> None:
    def stops(ctx: JobContext) -> None:
        raise JobStopped(result={"done": 2})

    def fails(ctx: JobContext) -> None:
        raise JobError("no")

    def raises(ctx: JobContext) -> None:
        raise RuntimeError("again")

    for handler, state in ((stops, RUNNING), (fails, RUNNING), (raises, RUNNING)):
        kind = register(handler)
        heard = told(kind)
        job_id = add_job(db, kind)
        assert Worker(db, kinds=[kind]).run_once() is True
        assert [(h[1], h[3], h[4]) for h in heard] == [
            (job_id, {"done": 2} if handler is stops else None, state)
        ]
    assert job_row(db, job_id).state == PENDING  # the exception's retry


def test_a_failing_listener_leaves_the_job_alone(
    db: Database, register: Register, told: t.Callable[[str], list[Told]]
) -> None:
    kind = register(lambda ctx: {"ok": True})

    def broken(*args: t.Any) -> None:
        raise ValueError("listener bug")

    on_run_end(kind, broken)
    try:
        heard = told(kind)
        job_id = add_job(db, kind)
        assert Worker(db, kinds=[kind]).run_once() is True
    finally:
        listeners.remove(kind, broken)
    assert len(heard) == 1
    job = job_row(db, job_id)
    assert (job.state, job.result) == (SUCCEEDED, {"ok": True})


def _keepers(worker: Worker) -> list[threading.Thread]:
    name = f"globus-local-lease-keeper-{worker.worker_id}"
    return [th for th in threading.enumerate() if th.name == name]


def test_one_keeper_thread_renews_the_lease_of_job_after_job(
    db: Database, register: Register
) -> None:
    """Each handler waits until its lease was renewed (a third of 0.3 s): the same keeper
    thread does it for both jobs, and it ends with the worker's run."""
    renewed_by: list[set[threading.Thread]] = []

    def handler(ctx: JobContext) -> None:
        first = job_row(db, ctx.job_id).lease_expires_at
        wait_for(lambda: job_row(db, ctx.job_id).lease_expires_at != first)
        renewed_by.append(set(_keepers(worker)))

    kind = register(handler)
    worker = Worker(db, kinds=[kind], lease_seconds=0.3, poll_interval=0.05)
    jobs = [add_job(db, kind), add_job(db, kind)]
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    wait_for(lambda: all(job_row(db, j).state in (SUCCEEDED, FAILED) for j in jobs))
    stop.set()
    thread.join(60)
    assert [job_row(db, j).state for j in jobs] == [SUCCEEDED, SUCCEEDED]
    assert len(renewed_by) == 2 and len(renewed_by[0]) == 1
    assert renewed_by[0] == renewed_by[1]
    (keeper,) = renewed_by[0]
    keeper.join(60)
    assert not keeper.is_alive()
