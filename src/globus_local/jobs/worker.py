"""Threads that claim jobs and run their handlers: inside the server or a `worker` process."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import typing as t
import uuid

from globus_local.db import Database
from globus_local.jobs import context, listeners, queue, recurring, wakeups
from globus_local.jobs.context import JobContext, JobError, JobStopped, LeaseLost, StopSignals
from globus_local.jobs.keeper import LeaseKeeper
from globus_local.jobs.registry import get_handler, registered_kinds
from globus_local.jobs.status import JobStatus, StopReason

log = logging.getLogger("globus_local.jobs")

DEFAULT_LEASE = 30.0
DEFAULT_POLL = 0.2
# How long a stopping pool waits for running handlers, so a stop is bounded in time.
STOP_SECONDS = 3.0


def _new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Claims one job at a time and runs it.

    While a handler runs, the worker's keeper thread renews the lease every third of its
    length (:mod:`.keeper`), so
    only a worker that died (or hung past the lease) loses its job to another worker.
    ``kinds`` limits the job kinds taken (default: every registered kind at claim time).
    """

    def __init__(
        self,
        db: Database,
        *,
        worker_id: str | None = None,
        kinds: t.Collection[str] | None = None,
        lease_seconds: float = DEFAULT_LEASE,
        poll_interval: float = DEFAULT_POLL,
        retry_base: float = 1.0,
        retry_max: float = 60.0,
    ) -> None:
        self.db = db
        self.database_url = db.engine.url.render_as_string(hide_password=False)
        self.worker_id = worker_id or _new_worker_id()
        self.kinds = frozenset(kinds) if kinds is not None else None
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.retry_base = retry_base
        self.retry_max = retry_max
        self._running: queue.Claim | None = None
        self._keeper = LeaseKeeper(
            lambda claim: queue.renew(self.db, claim, self.lease_seconds),
            every=lease_seconds / 3,
            idle_seconds=max(lease_seconds, 1.0),
            name=f"globus-local-lease-keeper-{self.worker_id}",
        )
        self._abandoned = threading.Event()
        # Set when the process is stopping: running handlers see should_stop() turn true.
        self.stopping = threading.Event()

    def _kinds(self) -> frozenset[str]:
        return self.kinds if self.kinds is not None else registered_kinds()

    def claim(self) -> queue.Claim | None:
        return queue.claim_next(self.db, self.worker_id, self._kinds(), self.lease_seconds)

    def run_once(self) -> bool:
        """Claim and run one job; False when none was ready."""
        claim = self.claim()
        if claim is None:
            return False
        self.execute(claim)
        return True

    def run(
        self,
        stop: threading.Event,
        wakeup: threading.Event | None = None,
        *,
        first_wait: float | None = None,
    ) -> None:
        """Work until ``stop`` is set; sleep on ``wakeup`` (or poll) when the queue is empty.

        A job found by polling (enqueued by another process, or a retry come due) may
        have others behind it: one more idle worker is woken to look, which does the same
        if it finds one, and so on while there are jobs. (A job enqueued in this process
        wakes a worker of its own.) ``first_wait`` is the first sleep when idle (a pool
        spreads its workers' polls over the interval)."""
        wakeup = wakeup or threading.Event()
        wakeups.register_wakeup(wakeup, database=self.database_url, kinds=self.kinds)
        relay = False
        wait = self.poll_interval if first_wait is None else first_wait
        try:
            while not stop.is_set():
                # Clear before looking, so an enqueue during the look still wakes us.
                wakeup.clear()
                try:
                    claim = self.claim()
                    if claim is not None:
                        if relay:
                            wakeups.wake_workers(self.database_url, [claim.kind], relay=True)
                        self.execute(claim)
                except Exception:  # the database went away, etc.: keep the worker alive
                    log.exception("job worker %s: claiming failed", self.worker_id)
                    stop.wait(max(self.poll_interval, 1.0))
                    continue
                if claim is None:
                    wakeups.mark_idle(wakeup, True)
                    try:
                        woken = wakeup.wait(wait)
                    finally:
                        wakeups.mark_idle(wakeup, False)
                    wait = self.poll_interval
                    relay = wakeups.relayed(wakeup) or not woken
                else:
                    relay = False
        finally:
            wakeups.unregister_wakeup(wakeup)
            self._keeper.close()

    def retry_delay(self, attempt: int) -> float:
        return min(self.retry_base * 2 ** (attempt - 1), self.retry_max)

    def execute(self, claim: queue.Claim) -> None:
        """Run the handler for a claimed job and record how it ended."""
        handler = get_handler(claim.kind)
        if handler is None:
            queue.mark_failed(
                self.db, claim, f"no handler for job kind {claim.kind!r}", retry_in=None
            )
            return
        ctx = self._context(claim)
        self._keeper.hold(claim, ctx.signals)
        self._running = claim
        context.track(self.database_url, claim.job_id, ctx.signals)
        try:
            try:
                result = handler(ctx)
            finally:
                context.untrack(self.database_url, claim.job_id)
                self._running = None
                self._keeper.release()
        except LeaseLost:
            self._lost(claim, "lease lost, result dropped")
            return
        except JobStopped as stopped:
            self._ran(claim, stopped.result)
            if not ctx.succeeded:
                self._stopped(claim, stopped.reason or ctx.stop_reason, stopped.result)
            return
        except JobError as exc:
            self._ran(claim, None)
            if not ctx.succeeded:
                self._failed(claim, str(exc) or type(exc).__name__, retry_in=None)
            return
        except Exception as exc:
            if self._abandoned.is_set():  # the process is stopping: the job is another's now
                log.info("job %s (%s): left unfinished (%s)", claim.job_id, claim.kind, exc)
                return
            if ctx.succeeded:  # its handler had already ended it: nothing to retry
                log.warning(
                    "job %s (%s): raised after it ended (%s)", claim.job_id, claim.kind, exc
                )
                return
            log.warning(
                "job %s (%s) attempt %d failed",
                claim.job_id,
                claim.kind,
                claim.attempt,
                exc_info=True,
            )
            self._ran(claim, None)
            self._failed(
                claim, f"{type(exc).__name__}: {exc}", retry_in=self.retry_delay(claim.attempt)
            )
            return
        self._ran(claim, result)
        every = recurring.interval(claim.kind)
        if every is not None:
            done = recurring.reschedule(self.db, claim, every, result=result)
        elif ctx.succeeded:  # ended in the handler's own last transaction
            return
        else:
            done = queue.mark_succeeded(self.db, claim, result)
        if not done:
            self._lost(claim, "taken over by another worker")

    def _context(self, claim: queue.Claim) -> JobContext:
        """The handler's view of ``claim``: every lease renewal also refreshes what
        ``should_stop`` reads."""
        signals = StopSignals(
            deadline=claim.deadline,
            cancel_requested=claim.cancel_requested,
            shutdown=self.stopping,
        )
        lease = self.lease_seconds

        def heartbeat() -> bool:
            return signals.saw(queue.renew(self.db, claim, lease))

        def fence(session: t.Any) -> bool:
            return signals.saw(queue.renew_in(session, claim, lease))

        def progress(session: t.Any, data: dict[str, t.Any]) -> bool:
            return signals.saw(queue.record_progress(session, claim, data, lease))

        def succeed(session: t.Any, result: dict[str, t.Any] | None) -> bool:
            return queue.succeed_in(session, claim, result)

        return JobContext(
            job_id=claim.job_id,
            kind=claim.kind,
            payload=claim.payload,
            attempt=claim.attempt,
            db=self.db,
            _heartbeat=heartbeat,
            _fence=fence,
            _progress=progress,
            _succeed=None if recurring.interval(claim.kind) is not None else succeed,
            signals=signals,
        )

    def _ran(self, claim: queue.Claim, result: dict[str, t.Any] | None) -> None:
        """Tell this process the attempt ended, before the job row is settled: what the
        handler committed is what a reader waits for (:mod:`.listeners`)."""
        listeners.run_ended(self.database_url, claim.kind, claim.job_id, claim.payload, result)

    def _lost(self, claim: queue.Claim, what: str) -> None:
        log.warning("job %s (%s): %s", claim.job_id, claim.kind, what)
        try:
            queue.lease_lost(self.db, claim, what)
        except Exception:  # only the record of it is lost
            log.warning("job %s: could not record its lost lease", claim.job_id, exc_info=True)

    def _stopped(
        self, claim: queue.Claim, reason: StopReason | None, result: dict[str, t.Any] | None
    ) -> None:
        """End a job whose handler stopped when asked: back to the queue when this process
        is stopping, else canceled or timed out (a recurring job's next run is queued)."""
        if reason is StopReason.LEASE_LOST:
            self._lost(claim, "lease lost, handler stopped")
            return
        if reason is StopReason.SHUTDOWN:
            if queue.release_lease(self.db, claim):
                log.info("job %s (%s): left to another worker", claim.job_id, claim.kind)
            return
        status = JobStatus.TIMED_OUT if reason is StopReason.DEADLINE else JobStatus.CANCELED
        error = "deadline passed" if status is JobStatus.TIMED_OUT else "canceled"
        every = recurring.interval(claim.kind)
        if every is not None:
            done = recurring.reschedule(self.db, claim, every, result=result, error=error)
        else:
            done = queue.mark_stopped(self.db, claim, status, error=error, result=result)
        if not done:
            self._lost(claim, "taken over by another worker")

    def _failed(self, claim: queue.Claim, error: str, *, retry_in: float | None) -> None:
        """Record a failed attempt; a recurring job's last one ends the run (the next is
        queued) instead of the job."""
        every = recurring.interval(claim.kind)
        if every is not None and (retry_in is None or claim.attempt >= claim.max_attempts):
            recurring.reschedule(self.db, claim, every, error=error)
        else:
            queue.mark_failed(self.db, claim, error, retry_in=retry_in)

    def abandon(self) -> None:
        """Give up the job being run (the process is stopping): stop renewing its lease and
        end it, so another worker resumes the job at once instead of after the lease."""
        self._abandoned.set()
        self.stopping.set()
        claim = self._running
        if claim is None:
            return
        self._keeper.release()
        try:
            if queue.release_lease(self.db, claim):
                log.info("job %s (%s): left to another worker", claim.job_id, claim.kind)
        except Exception:
            log.warning("job %s: could not release its lease", claim.job_id, exc_info=True)


class WorkerPool:
    """``concurrency`` worker threads sharing one database; started/stopped with the app."""

    def __init__(self, db: Database, concurrency: int = 4, **worker_options: t.Any) -> None:
        self.db = db
        self.concurrency = concurrency
        self.worker_options = worker_options
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._wakeups: list[threading.Event] = []
        self._workers: list[Worker] = []

    @property
    def running(self) -> bool:
        return any(th.is_alive() for th in self._threads)

    def start(self) -> WorkerPool:
        if self._threads:
            return self
        self._stop.clear()
        base_id = _new_worker_id()
        # The pool as a whole polls the queue once per interval (for jobs enqueued by other
        # processes and retries come due); each worker polls ``concurrency`` times less
        # often, their first polls spread over the interval. Jobs enqueued in this process
        # wake a worker at once.
        interval = self.worker_options.get("poll_interval", DEFAULT_POLL)
        options = {**self.worker_options, "poll_interval": interval * self.concurrency}
        for n in range(self.concurrency):
            worker = Worker(self.db, worker_id=f"{base_id}/{n}", **options)
            wakeup = threading.Event()
            # Registered before the thread starts, so no enqueue in between goes unnoticed.
            wakeups.register_wakeup(wakeup, database=worker.database_url, kinds=worker.kinds)
            thread = threading.Thread(
                target=worker.run,
                args=(self._stop, wakeup),
                kwargs={"first_wait": interval * (n + 1)},
                name=f"globus-local-job-worker-{n}",
                daemon=True,
            )
            self._wakeups.append(wakeup)
            self._workers.append(worker)
            self._threads.append(thread)
            thread.start()
        self.db.start_checkpoints()  # the workers write the most: keep commits short
        recurring.schedule_quietly(self.db, self.worker_options.get("kinds"))
        log.info("started %d job worker thread(s)", self.concurrency)
        return self

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Let running handlers finish for up to ``timeout`` seconds in all; the lease of a
        job still running then is ended, so another worker resumes it at once (its fence
        turns away what the handler here still writes)."""
        self._stop.set()
        for worker in self._workers:
            worker.stopping.set()  # handlers that look stop at their next safe point
        for wakeup in self._wakeups:
            wakeup.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in self._threads):
            log.warning("stopping with jobs still running: other workers will resume them")
            for worker in self._workers:
                worker.abandon()
        if self._threads:
            self.db.stop_checkpoints()
        self._threads.clear()
        self._wakeups.clear()
        self._workers.clear()
