"""What a worker tells its own process as an attempt ends (run-end listeners), its one
lease keeper thread serving job after job, and a job ended in its handler's own last
transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import typing as t

import pytest
from sqlalchemy import update

from globus_local.db import Database
from globus_local.jobs import (
    FAILED,
    PENDING,
    RUNNING,
    SUCCEEDED,
    Job,
    JobContext,
    JobError,
    JobStopped,
    LeaseLost,
    Worker,
    listeners,
    on_run_end,
    recurring,
)
from tests.globus_local.jobs.support import (
    HOUR,
    add_job,
    event_types,
    expire_lease,
    job_row,
    make_due,
    wait_for,
)

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


# -- a job ended in its handler's own last transaction ------------------------------------
def _with_row(db: Database, name: str) -> t.Callable[[JobContext], dict[str, t.Any]]:
    """A handler whose last transaction writes its own row (a job's payload names it) and
    ends the job there."""

    def handler(ctx: JobContext) -> dict[str, t.Any]:
        result = {"wrote": name}
        with ctx.db.session() as session:
            session.execute(update(Job).where(Job.id == ctx.job_id).values(progress={"own": name}))
            ctx.succeed_in(session, result)
        return result

    return handler


def test_a_handler_ends_its_job_with_its_last_writes(
    db: Database, register: Register, told: t.Callable[[str], list[Told]]
) -> None:
    kind = register(_with_row(db, "a"))
    heard = told(kind)
    job_id = add_job(db, kind)
    assert Worker(db, kinds=[kind]).run_once() is True
    job = job_row(db, job_id)
    assert (job.state, job.result, job.progress) == (SUCCEEDED, {"wrote": "a"}, {"own": "a"})
    assert event_types(db, job_id) == ["queued", "claimed", "succeeded"]
    # told as the handler returned: the job had ended with its transaction
    assert [(h[3], h[4]) for h in heard] == [({"wrote": "a"}, SUCCEEDED)]


def test_a_rolled_back_end_leaves_the_job_to_the_worker(db: Database, register: Register) -> None:
    def handler(ctx: JobContext) -> dict[str, t.Any]:
        session = ctx.db.sessionmaker()
        try:
            ctx.succeed_in(session, {"first": True})
            session.rollback()
        finally:
            session.close()
        return {"second": True}

    kind = register(handler)
    job_id = add_job(db, kind)
    assert Worker(db, kinds=[kind]).run_once() is True
    job = job_row(db, job_id)
    assert (job.state, job.result) == (SUCCEEDED, {"second": True})
    assert event_types(db, job_id) == ["queued", "claimed", "succeeded"]


def test_a_taken_over_job_cannot_be_ended_by_its_stale_handler(
    db: Database, register: Register
) -> None:
    outcome: list[str] = []

    def handler(ctx: JobContext) -> None:
        expire_lease(db, ctx.job_id)
        assert Worker(db, worker_id="other", kinds=[ctx.kind]).claim() is not None
        with ctx.db.session() as session:
            try:
                ctx.succeed_in(session)
            except LeaseLost:
                outcome.append("lost")
                raise

    kind = register(handler)
    job_id = add_job(db, kind)
    assert Worker(db, kinds=[kind], lease_seconds=HOUR).run_once() is True
    assert outcome == ["lost"]
    job = job_row(db, job_id)
    assert (job.state, job.worker_id) == (RUNNING, "other")


def test_a_recurring_job_is_not_ended_by_its_handler(
    db: Database, register_recurring: Register
) -> None:
    refused: list[str] = []

    def handler(ctx: JobContext) -> None:
        with ctx.db.session() as session:
            try:
                ctx.succeed_in(session)
            except RuntimeError as exc:
                refused.append(str(exc))

    kind = register_recurring(handler)
    recurring.schedule(db, [kind])
    make_due(db, kind)
    assert Worker(db, kinds=[kind]).run_once() is True
    assert len(refused) == 1
    assert job_row(db, recurring.job_id(kind)).state == PENDING
