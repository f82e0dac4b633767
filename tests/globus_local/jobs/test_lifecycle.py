"""A job's lifecycle on SQLite and PostgreSQL: its states, the events that record them,
cancellation, deadlines, fenced progress and stopping with the process."""

from __future__ import annotations

import datetime as dt
import threading
import typing as t

import pytest
from sqlalchemy import update

from globus_local.db import Database, utcnow
from globus_local.jobs import (
    CANCELED,
    FAILED,
    PENDING,
    RUNNING,
    SUCCEEDED,
    TIMED_OUT,
    Job,
    JobContext,
    JobEvent,
    JobStatus,
    JobStopped,
    LeaseLost,
    StopReason,
    Worker,
    WorkerPool,
    context,
    events,
    queue,
    recurring,
    request_cancel,
)
from tests.globus_local.jobs.support import (
    HOUR,
    add_job,
    event_trail,
    event_types,
    expire_lease,
    job_row,
    make_due,
    rows_of,
    wait_for,
)

Register = t.Callable[..., str]


def cancel(db: Database, job_id: str) -> JobStatus | None:
    with db.session() as session:
        return request_cancel(session, job_id)


def run_in_thread(worker: Worker) -> threading.Thread:
    thread = threading.Thread(target=worker.run_once, daemon=True)
    thread.start()
    return thread


def stop_when_asked(started: threading.Event) -> t.Callable[[JobContext], None]:
    """A handler that waits (bounded) until it is asked to stop, then stops."""

    def handler(ctx: JobContext) -> None:
        started.set()
        wait_for(ctx.should_stop)
        ctx.raise_if_stopped()

    return handler


# -- states and events ---------------------------------------------------------------------
def test_status_is_an_enum_that_compares_with_the_stored_strings(
    db: Database, register: Register
) -> None:
    assert JobStatus.RUNNING == "running" and RUNNING is JobStatus.RUNNING
    assert JobStatus("timed_out") is TIMED_OUT and TIMED_OUT.final and not PENDING.final
    job_id = add_job(db, register(lambda ctx: None))
    state = job_row(db, job_id).state
    assert state is JobStatus.PENDING and state == "pending"


def test_each_change_is_recorded_with_its_worker_and_attempt(
    db: Database, register: Register
) -> None:
    def handler(ctx: JobContext) -> dict[str, int]:
        if ctx.attempt == 1:
            raise OSError("transient")
        return {"attempt": ctx.attempt}

    kind = register(handler)
    job_id = add_job(db, kind)
    worker = Worker(db, worker_id="w1", kinds=[kind], retry_base=0)
    assert worker.run_once() and worker.run_once()
    assert event_trail(db, job_id) == [
        ("queued", None, 0),
        ("claimed", "w1", 1),
        ("retry", "w1", 1),
        ("claimed", "w1", 2),
        ("succeeded", "w1", 2),
    ]
    with db.session() as session:
        retry = events.events_of(session, job_id)[2]
    assert retry.detail == "OSError: transient" and retry.at.tzinfo is not None


def test_a_takeover_and_the_stale_workers_lost_lease_are_recorded(
    db: Database, register: Register
) -> None:
    taken_over = threading.Event()

    def handler(ctx: JobContext) -> None:
        if ctx.attempt == 1:
            wait_for(taken_over.is_set)
            ctx.heartbeat()  # raises LeaseLost: the job is another's now

    kind = register(handler)
    job_id = add_job(db, kind)
    stale = run_in_thread(Worker(db, worker_id="stale", kinds=[kind], lease_seconds=HOUR))
    wait_for(lambda: job_row(db, job_id).state == RUNNING)
    expire_lease(db, job_id)
    assert Worker(db, worker_id="live", kinds=[kind]).run_once() is True
    taken_over.set()
    stale.join(60)
    assert not stale.is_alive()
    assert job_row(db, job_id).state == SUCCEEDED
    assert event_trail(db, job_id) == [
        ("queued", None, 0),
        ("claimed", "stale", 1),
        ("claimed", "live", 2),
        ("succeeded", "live", 2),
        ("lease_lost", "stale", 1),
    ]


def test_a_stopping_pool_hands_a_job_that_stops_back_to_the_queue(
    db: Database, register: Register
) -> None:
    started = threading.Event()
    reasons: list[StopReason | None] = []

    def handler(ctx: JobContext) -> dict[str, int]:
        if ctx.attempt == 1:
            started.set()
            wait_for(ctx.should_stop)
            reasons.append(ctx.stop_reason)
            ctx.raise_if_stopped()
        return {"attempt": ctx.attempt}

    kind = register(handler)
    job_id = add_job(db, kind)
    pool = WorkerPool(db, 1, kinds=[kind], poll_interval=HOUR, lease_seconds=HOUR).start()
    assert started.wait(60)
    pool.stop(timeout=60)
    assert reasons == [StopReason.SHUTDOWN]
    job = job_row(db, job_id)
    assert job.state == RUNNING and job.lease_expires_at is not None
    assert job.lease_expires_at <= utcnow()  # anyone may take it over at once
    assert Worker(db, kinds=[kind]).run_once() is True
    assert job_row(db, job_id).result == {"attempt": 2}
    assert event_types(db, job_id) == ["queued", "claimed", "released", "claimed", "succeeded"]


# -- cancellation --------------------------------------------------------------------------
def test_a_queued_job_is_canceled_at_once_and_never_runs(db: Database, register: Register) -> None:
    ran: list[int] = []
    kind = register(lambda ctx: ran.append(ctx.attempt))
    job_id = add_job(db, kind)
    assert cancel(db, job_id) == CANCELED
    assert Worker(db, kinds=[kind]).run_once() is False
    job = job_row(db, job_id)
    assert (job.state, job.finished_at is not None, ran) == (CANCELED, True, [])
    assert cancel(db, job_id) == CANCELED  # already ended: nothing changes
    assert cancel(db, "no-such-job") is None
    assert event_types(db, job_id) == ["queued", "canceled"]


def test_a_cancel_rolled_back_with_its_transaction_never_happened(
    db: Database, register: Register
) -> None:
    job_id = add_job(db, register(lambda ctx: None))
    with pytest.raises(RuntimeError), db.session() as session:
        request_cancel(session, job_id)
        raise RuntimeError("request failed")
    assert job_row(db, job_id).state == PENDING
    assert event_types(db, job_id) == ["queued"]


def test_a_running_job_sees_a_cancel_made_in_its_process_and_ends_canceled(
    db: Database, register: Register
) -> None:
    started = threading.Event()
    kind = register(stop_when_asked(started))
    job_id = add_job(db, kind)
    # The lease keeper renews only hourly: the cancel reaches the handler from the commit.
    thread = run_in_thread(Worker(db, kinds=[kind], lease_seconds=3 * HOUR))
    assert started.wait(60)
    assert cancel(db, job_id) == RUNNING
    thread.join(60)
    assert not thread.is_alive()
    job = job_row(db, job_id)
    assert (job.state, job.error, job.cancel_requested) == (CANCELED, "canceled", True)
    assert event_types(db, job_id) == ["queued", "claimed", "cancel_requested", "canceled"]


def test_the_lease_keeper_brings_a_cancel_made_elsewhere(db: Database, register: Register) -> None:
    started = threading.Event()
    kind = register(stop_when_asked(started))
    job_id = add_job(db, kind)
    thread = run_in_thread(Worker(db, kinds=[kind], lease_seconds=0.3))
    assert started.wait(60)
    with db.session() as session:  # as another process's request_cancel leaves the row
        session.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))
    thread.join(60)
    assert not thread.is_alive()
    assert job_row(db, job_id).state == CANCELED


def test_a_fence_brings_a_cancel_made_elsewhere(db: Database, register: Register) -> None:
    seen: list[bool] = []

    def handler(ctx: JobContext) -> None:
        seen.append(ctx.should_stop())
        with db.session() as session:
            session.execute(update(Job).where(Job.id == ctx.job_id).values(cancel_requested=True))
        seen.append(ctx.should_stop())  # nothing asked the database yet
        with ctx.db.session() as session:
            ctx.fence(session)
        seen.append(ctx.should_stop())
        ctx.raise_if_stopped()

    kind = register(handler)
    job_id = add_job(db, kind)
    assert Worker(db, kinds=[kind], lease_seconds=HOUR).run_once() is True
    assert seen == [False, False, True]
    assert job_row(db, job_id).state == CANCELED


def test_a_handler_that_finishes_anyway_succeeds(db: Database, register: Register) -> None:
    started, finish = threading.Event(), threading.Event()

    def handler(ctx: JobContext) -> dict[str, bool]:
        started.set()
        wait_for(finish.is_set)
        return {"asked_to_stop": ctx.should_stop()}

    kind = register(handler)
    job_id = add_job(db, kind)
    thread = run_in_thread(Worker(db, kinds=[kind], lease_seconds=HOUR))
    assert started.wait(60)
    assert cancel(db, job_id) == RUNNING
    finish.set()
    thread.join(60)
    job = job_row(db, job_id)
    assert (job.state, job.result) == (SUCCEEDED, {"asked_to_stop": True})


def test_a_stopped_handler_keeps_its_result(db: Database, register: Register) -> None:
    def handler(ctx: JobContext) -> None:
        raise JobStopped(result={"done": 3})

    kind = register(handler)
    job_id = add_job(db, kind)
    assert Worker(db, kinds=[kind]).run_once() is True
    job = job_row(db, job_id)
    assert (job.state, job.result) == (CANCELED, {"done": 3})


def test_a_job_canceled_while_its_worker_was_gone_is_not_run_again(
    db: Database, register: Register
) -> None:
    ran: list[int] = []
    kind = register(lambda ctx: ran.append(ctx.attempt))
    job_id = add_job(db, kind)
    assert Worker(db, worker_id="dead", kinds=[kind], lease_seconds=HOUR).claim() is not None
    assert cancel(db, job_id) == RUNNING  # asked; its worker never answers
    expire_lease(db, job_id)
    assert Worker(db, kinds=[kind]).run_once() is False
    assert (job_row(db, job_id).state, ran) == (CANCELED, [])
    assert event_types(db, job_id) == [
        "queued",
        "claimed",
        "cancel_requested",
        "claimed",
        "canceled",
    ]


def test_canceling_a_recurring_run_queues_the_next(
    db: Database, register_recurring: Register
) -> None:
    started = threading.Event()
    kind = register_recurring(stop_when_asked(started))
    recurring.schedule(db, [kind])
    make_due(db, kind)
    thread = run_in_thread(Worker(db, kinds=[kind], lease_seconds=HOUR))
    assert started.wait(60)
    assert cancel(db, recurring.job_id(kind)) == RUNNING
    thread.join(60)
    (job,) = rows_of(db, kind)
    assert (job.state, job.error, job.cancel_requested) == (PENDING, "canceled", False)
    assert job.run_after > utcnow() + dt.timedelta(minutes=30)
    assert event_trail(db, job.id)[-1][0] == "rescheduled"


def test_a_canceled_recurring_job_is_queued_again_at_start(
    db: Database, register_recurring: Register
) -> None:
    kind = register_recurring(lambda ctx: None)
    recurring.schedule(db, [kind])
    assert cancel(db, recurring.job_id(kind)) == CANCELED
    recurring.schedule(db, [kind])
    (job,) = rows_of(db, kind)
    assert (job.state, job.cancel_requested) == (PENDING, False)
    assert event_types(db, job.id) == ["queued", "canceled", "queued"]


# -- deadlines -----------------------------------------------------------------------------
def test_a_job_past_its_deadline_is_not_started(db: Database, register: Register) -> None:
    ran: list[int] = []
    kind = register(lambda ctx: ran.append(ctx.attempt))
    job_id = add_job(db, kind, deadline=utcnow() - dt.timedelta(seconds=1))
    assert Worker(db, kinds=[kind]).run_once() is False
    job = job_row(db, job_id)
    assert (job.state, ran) == (TIMED_OUT, [])
    assert "deadline" in (job.error or "")
    assert event_types(db, job_id) == ["queued", "claimed", "timed_out"]


def test_a_running_job_is_asked_to_stop_at_its_deadline(
    db: Database, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    reasons: list[StopReason | None] = []

    def handler(ctx: JobContext) -> None:
        assert ctx.deadline is not None and not ctx.should_stop()
        later = utcnow() + dt.timedelta(hours=2)
        monkeypatch.setattr(context, "utcnow", lambda: later)  # the hour passes
        reasons.append(ctx.stop_reason)
        ctx.raise_if_stopped()

    kind = register(handler)
    job_id = add_job(db, kind, deadline=HOUR)  # seconds from now
    assert Worker(db, kinds=[kind], lease_seconds=HOUR).run_once() is True
    assert reasons == [StopReason.DEADLINE]
    job = job_row(db, job_id)
    assert (job.state, job.error) == (TIMED_OUT, "deadline passed")
    assert event_types(db, job_id) == ["queued", "claimed", "timed_out"]


def test_a_retry_that_comes_due_after_the_deadline_times_out(
    db: Database, register: Register
) -> None:
    def handler(ctx: JobContext) -> None:
        raise OSError("transient")

    kind = register(handler)
    job_id = add_job(db, kind, deadline=utcnow() + dt.timedelta(hours=1))
    worker = Worker(db, kinds=[kind], retry_base=0)
    assert worker.run_once() is True
    with db.session() as session:  # the hour passes
        session.execute(
            update(Job).where(Job.id == job_id).values(deadline=utcnow() - dt.timedelta(seconds=1))
        )
    assert worker.run_once() is False
    assert job_row(db, job_id).state == TIMED_OUT


# -- progress ------------------------------------------------------------------------------
def test_progress_is_stored_under_the_lease_and_refused_once_it_is_lost(
    db: Database, register: Register
) -> None:
    outcomes: list[str] = []

    def handler(ctx: JobContext) -> None:
        with ctx.db.session() as session:
            ctx.progress(session, {"done": 1})
        expire_lease(db, ctx.job_id)
        assert queue.claim_next(db, "other", [ctx.kind], HOUR) is not None  # taken over
        try:
            with ctx.db.session() as session:
                ctx.progress(session, {"done": 2})
        except LeaseLost:
            outcomes.append("refused")
        assert ctx.should_stop() and ctx.stop_reason is StopReason.LEASE_LOST
        ctx.raise_if_stopped()

    kind = register(handler)
    job_id = add_job(db, kind)
    assert Worker(db, worker_id="first", kinds=[kind], lease_seconds=HOUR).run_once() is True
    job = job_row(db, job_id)
    assert outcomes == ["refused"]
    assert (job.progress, job.worker_id, job.state) == ({"done": 1}, "other", RUNNING)


def test_a_failed_job_keeps_its_last_progress(db: Database, register: Register) -> None:
    def handler(ctx: JobContext) -> None:
        with ctx.db.session() as session:
            ctx.progress(session, {"step": ctx.attempt})
        raise OSError("disk gone")

    kind = register(handler)
    job_id = add_job(db, kind, max_attempts=1)
    assert Worker(db, kinds=[kind]).run_once() is True
    job = job_row(db, job_id)
    assert (job.state, job.progress) == (FAILED, {"step": 1})


# -- keeping events bounded ----------------------------------------------------------------
def test_old_events_are_purged_in_batches(db: Database, register: Register) -> None:
    kind = register(lambda ctx: None)
    old = [add_job(db, kind) for _ in range(5)]
    with db.session() as session:
        session.execute(
            update(JobEvent)
            .where(JobEvent.job_id.in_(old))
            .values(at=utcnow() - dt.timedelta(days=30))
        )
    new = add_job(db, kind)
    assert events.purge(db, utcnow() - dt.timedelta(days=7), batch=2) == 5
    assert all(event_types(db, job_id) == [] for job_id in old)
    assert event_types(db, new) == ["queued"]
