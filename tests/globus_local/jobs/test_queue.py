"""The durable job queue on SQLite and PostgreSQL: results, retries, lost workers, exclusivity."""

from __future__ import annotations

import datetime as dt
import threading
import time
import typing as t
import uuid

import pytest

from globus_local.db import Database, utcnow
from globus_local.jobs import (
    FAILED,
    PENDING,
    RUNNING,
    SUCCEEDED,
    JobContext,
    JobError,
    LeaseLost,
    Worker,
    WorkerPool,
    enqueue,
    get_job,
    job_handler,
    queue,
    wakeups,
)
from globus_local.jobs.registry import registered_kinds
from tests.globus_local.jobs.support import add_job, expire_lease, job_row, wait_for


def test_handler_runs_and_result_is_stored(db: Database, register: t.Callable[..., str]) -> None:
    seen: list[JobContext] = []

    def handler(ctx: JobContext) -> dict[str, t.Any]:
        seen.append(ctx)
        return {"doubled": ctx.payload["n"] * 2}

    kind = register(handler)
    job_id = add_job(db, kind, {"n": 21})
    assert job_row(db, job_id).state == PENDING

    worker = Worker(db, kinds=[kind])
    assert worker.run_once() is True
    assert worker.run_once() is False

    job = job_row(db, job_id)
    assert job.state == SUCCEEDED
    assert job.result == {"doubled": 42}
    assert job.attempts == 1 and job.error is None
    assert job.finished_at is not None and job.finished_at.tzinfo is not None
    assert [c.job_id for c in seen] == [job_id]
    assert seen[0].attempt == 1 and seen[0].db is db and seen[0].kind == kind


def test_enqueue_belongs_to_the_callers_transaction(
    db: Database, register: t.Callable[..., str]
) -> None:
    kind = register(lambda ctx: None)
    job_id = str(uuid.uuid4())
    with pytest.raises(RuntimeError):
        with db.session() as session:
            enqueue(session, kind, {}, job_id=job_id)
            raise RuntimeError("request failed")
    with db.session() as session:
        assert get_job(session, job_id) is None
    assert Worker(db, kinds=[kind]).run_once() is False


@pytest.fixture
def own_wakeups(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty worker wake-up registry, free of other tests' running worker pools."""
    monkeypatch.setattr(wakeups, "_wakeup_events", {})
    monkeypatch.setattr(wakeups, "_idle", [])
    monkeypatch.setattr(wakeups, "_relays", set())


@pytest.mark.usefixtures("own_wakeups")
def test_commit_wakes_one_idle_worker_per_job(db: Database) -> None:
    first, second, third = threading.Event(), threading.Event(), threading.Event()
    for wakeup in (first, second, third):
        wakeups.register_wakeup(wakeup)
        wakeups.mark_idle(wakeup, True)
    with db.session() as session:
        enqueue(session, "test.unhandled", {})
        assert not first.is_set()  # not before the job is visible
    assert first.is_set() and not second.is_set() and not third.is_set()
    with db.session() as session:
        enqueue(session, "test.unhandled", {})
        enqueue(session, "test.unhandled", {})
    assert second.is_set() and third.is_set()


@pytest.mark.usefixtures("own_wakeups")
def test_busy_workers_are_woken_when_none_is_idle(db: Database) -> None:
    busy = threading.Event()
    wakeups.register_wakeup(busy)  # registered, but running a job (not idle)
    with db.session() as session:
        enqueue(session, "test.unhandled", {})
    assert busy.is_set()  # it looks at the queue again when its job ends


def test_failing_handler_is_retried_then_failed(
    db: Database, register: t.Callable[..., str]
) -> None:
    calls: list[int] = []

    def handler(ctx: JobContext) -> None:
        calls.append(ctx.attempt)
        raise ValueError(f"boom {ctx.attempt}")

    kind = register(handler)
    job_id = add_job(db, kind, max_attempts=3)
    worker = Worker(db, kinds=[kind], retry_base=0)

    assert worker.run_once() is True
    job = job_row(db, job_id)
    assert job.state == PENDING and job.error == "ValueError: boom 1"

    assert worker.run_once() is True
    assert worker.run_once() is True
    assert worker.run_once() is False
    job = job_row(db, job_id)
    assert job.state == FAILED
    assert job.attempts == 3
    assert job.error == "ValueError: boom 3"
    assert calls == [1, 2, 3]


def test_retry_succeeds_on_a_later_attempt(db: Database, register: t.Callable[..., str]) -> None:
    def handler(ctx: JobContext) -> dict[str, int]:
        if ctx.attempt < 2:
            raise OSError("transient")
        return {"attempt": ctx.attempt}

    kind = register(handler)
    job_id = add_job(db, kind)
    worker = Worker(db, kinds=[kind], retry_base=0)
    assert worker.run_once() and worker.run_once()
    job = job_row(db, job_id)
    assert (job.state, job.result, job.error) == (SUCCEEDED, {"attempt": 2}, None)


def test_retry_waits_for_its_back_off(db: Database, register: t.Callable[..., str]) -> None:
    def handler(ctx: JobContext) -> None:
        raise OSError("transient")

    kind = register(handler)
    job_id = add_job(db, kind)
    worker = Worker(db, kinds=[kind], retry_base=3600, retry_max=3600)
    assert worker.run_once() is True
    assert worker.run_once() is False  # not due for an hour
    job = job_row(db, job_id)
    assert job.state == PENDING and job.run_after > utcnow() + dt.timedelta(minutes=30)


def test_job_error_fails_without_retrying(db: Database, register: t.Callable[..., str]) -> None:
    def handler(ctx: JobContext) -> None:
        raise JobError("bad input")

    kind = register(handler)
    job_id = add_job(db, kind, max_attempts=5)
    assert Worker(db, kinds=[kind], retry_base=0).run_once() is True
    job = job_row(db, job_id)
    assert (job.state, job.attempts, job.error) == (FAILED, 1, "bad input")


def test_expired_lease_job_is_rerun_by_another_worker(
    db: Database, register: t.Callable[..., str]
) -> None:
    ran_by: list[str] = []

    def handler(ctx: JobContext) -> dict[str, int]:
        ran_by.append(ctx.attempt)
        return {"attempt": ctx.attempt}

    kind = register(handler)
    job_id = add_job(db, kind)
    dead = Worker(db, worker_id="dead-worker", kinds=[kind], lease_seconds=3600)
    claim = dead.claim()  # ...and the process dies before running it
    assert claim is not None and claim.job_id == job_id
    assert job_row(db, job_id).state == RUNNING

    other = Worker(db, worker_id="live-worker", kinds=[kind])
    assert other.run_once() is False  # the lease still holds

    expire_lease(db, job_id)
    assert other.run_once() is True
    job = job_row(db, job_id)
    assert (job.state, job.attempts, job.result) == (SUCCEEDED, 2, {"attempt": 2})
    assert ran_by == [2]

    # The old holder coming back cannot overwrite the outcome or keep the job alive.
    assert queue.mark_succeeded(db, claim, {"stale": True}) is False
    assert queue.extend_lease(db, claim, 60) is False
    assert job_row(db, job_id).result == {"attempt": 2}


def test_lease_expires_by_itself(db: Database, register: t.Callable[..., str]) -> None:
    kind = register(lambda ctx: {"ok": True})
    job_id = add_job(db, kind)
    assert Worker(db, kinds=[kind], lease_seconds=0.2).claim() is not None
    other = Worker(db, kinds=[kind])
    wait_for(other.run_once)
    assert job_row(db, job_id).state == SUCCEEDED


def test_job_whose_workers_keep_dying_fails(db: Database, register: t.Callable[..., str]) -> None:
    kind = register(lambda ctx: None)
    job_id = add_job(db, kind, max_attempts=1)
    assert Worker(db, kinds=[kind], lease_seconds=3600).claim() is not None
    expire_lease(db, job_id)
    assert Worker(db, kinds=[kind]).run_once() is False
    job = job_row(db, job_id)
    assert job.state == FAILED
    assert "gave up after 1 attempts" in (job.error or "")
    assert "lease expired" in (job.error or "")


def test_heartbeat_extends_lease_and_detects_takeover(
    db: Database, register: t.Callable[..., str]
) -> None:
    kind = register(lambda ctx: None)
    job_id = add_job(db, kind)
    worker = Worker(db, kinds=[kind], lease_seconds=5)
    claim = worker.claim()
    assert claim is not None
    before = job_row(db, job_id).lease_expires_at
    assert before is not None
    ctx = JobContext(
        job_id=claim.job_id,
        kind=kind,
        payload={},
        attempt=claim.attempt,
        db=db,
        _heartbeat=lambda: queue.extend_lease(db, claim, 3600),
    )
    ctx.heartbeat()
    after = job_row(db, job_id).lease_expires_at
    assert after is not None and after > before + dt.timedelta(minutes=30)

    expire_lease(db, job_id)
    assert Worker(db, kinds=[kind]).claim() is not None
    with pytest.raises(LeaseLost):
        ctx.heartbeat()


def test_workers_claim_only_their_kinds(db: Database, register: t.Callable[..., str]) -> None:
    kind = register(lambda ctx: None)
    other_kind = f"test.unregistered.{uuid.uuid4().hex[:8]}"
    assert other_kind not in registered_kinds()
    job_id = add_job(db, other_kind)
    assert Worker(db, kinds=[kind]).run_once() is False
    assert job_row(db, job_id).state == PENDING


def test_duplicate_handler_registration_is_refused(register: t.Callable[..., str]) -> None:
    kind = register(lambda ctx: None)

    def another(ctx: JobContext) -> None:
        return None

    with pytest.raises(ValueError):
        job_handler(kind)(another)


def test_concurrent_claims_never_hand_out_a_job_twice(
    db: Database, register: t.Callable[..., str]
) -> None:
    kind = register(lambda ctx: None)
    job_ids = {add_job(db, kind, {"i": i}) for i in range(30)}
    claimed: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def claimer(n: int) -> None:
        worker = Worker(db, worker_id=f"claimer-{n}", kinds=[kind], lease_seconds=3600)
        try:
            while (claim := worker.claim()) is not None:
                with lock:
                    claimed.append(claim.job_id)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert sorted(claimed) == sorted(job_ids)


def test_two_pools_never_run_the_same_job_concurrently(
    db: Database, register: t.Callable[..., str]
) -> None:
    lock = threading.Lock()
    running: set[str] = set()
    runs: list[str] = []
    overlaps: list[str] = []

    def handler(ctx: JobContext) -> dict[str, str]:
        with lock:
            if ctx.job_id in running:
                overlaps.append(ctx.job_id)
            running.add(ctx.job_id)
            runs.append(ctx.job_id)
        time.sleep(0.002)
        with lock:
            running.discard(ctx.job_id)
        return {"by": threading.current_thread().name}

    kind = register(handler)
    job_ids = [add_job(db, kind, {"i": i}) for i in range(40)]
    # Two pools stand for two processes (`serve` and `globus-local worker`).
    pools = [WorkerPool(db, 3, kinds=[kind], poll_interval=0.01).start() for _ in range(2)]
    try:

        def all_done() -> bool:
            with db.session() as session:
                return all(get_job(session, j).state == SUCCEEDED for j in job_ids)  # type: ignore[union-attr]

        wait_for(all_done)
    finally:
        for pool in pools:
            pool.stop()
    assert not any(pool.running for pool in pools)
    assert overlaps == []
    assert sorted(runs) == sorted(job_ids)


def test_a_job_found_by_polling_wakes_another_worker(
    db: Database, register: t.Callable[..., str]
) -> None:
    """Jobs no worker is woken for (retries come due, jobs of another process) are found
    by the pool's one poll per interval; each worker that finds one wakes another, so all
    four run together long before the workers' own polls (at 2, 4, 6 and 8 s)."""
    together = threading.Barrier(4, timeout=1.5)

    def handler(ctx: JobContext) -> None:
        together.wait()

    kind = register(handler)
    job_ids = [add_job(db, kind, {"i": i}, delay=0.5) for i in range(4)]  # due after start
    pool = WorkerPool(db, 4, kinds=[kind], poll_interval=2.0).start()
    try:
        wait_for(lambda: all(job_row(db, j).state == SUCCEEDED for j in job_ids))
    finally:
        pool.stop()
    assert not together.broken


def test_pool_wakes_on_enqueue_and_stops(db: Database, register: t.Callable[..., str]) -> None:
    done = threading.Event()

    def handler(ctx: JobContext) -> None:
        done.set()

    kind = register(handler)
    # A long poll interval: only the wake-up on commit can start the job promptly.
    pool = WorkerPool(db, 1, kinds=[kind], poll_interval=3600).start()
    try:
        job_id = add_job(db, kind)
        assert done.wait(60)
        wait_for(lambda: job_row(db, job_id).state == SUCCEEDED)
    finally:
        pool.stop()
    assert not pool.running


@pytest.mark.usefixtures("own_wakeups")
def test_wakes_a_worker_of_the_same_database_and_kind(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    elsewhere, other_kind, right = threading.Event(), threading.Event(), threading.Event()
    wakeups.register_wakeup(elsewhere, database="sqlite:////nowhere/else.sqlite3")
    wakeups.register_wakeup(other_kind, database=url, kinds=["test.other"])
    wakeups.register_wakeup(right, database=url, kinds=["test.unhandled"])
    for wakeup in (elsewhere, other_kind, right):
        wakeups.mark_idle(wakeup, True)
    with db.session() as session:
        enqueue(session, "test.unhandled", {})
    assert right.is_set()
    assert not elsewhere.is_set() and not other_kind.is_set()


@pytest.mark.usefixtures("own_wakeups")
def test_only_a_relay_wake_asks_to_wake_another(db: Database) -> None:
    """A job enqueued here wakes one worker and no more; a worker that found a job by
    polling wakes the next with ``relay``, which that worker sees once."""
    url = db.engine.url.render_as_string(hide_password=False)
    first, second = threading.Event(), threading.Event()
    for wakeup in (first, second):
        wakeups.register_wakeup(wakeup, database=url)
        wakeups.mark_idle(wakeup, True)
    with db.session() as session:
        enqueue(session, "test.unhandled", {})
    assert first.is_set() and not second.is_set()
    assert not wakeups.relayed(first)
    wakeups.wake_workers(url, ["test.unhandled"], relay=True)
    assert second.is_set()
    assert wakeups.relayed(second) and not wakeups.relayed(second)
