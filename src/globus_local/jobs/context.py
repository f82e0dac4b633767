"""What a handler holds while it runs a job: :class:`JobContext`.

The context keeps the job's lease (``heartbeat``), fences the handler's writes
(``fence``, ``progress``), may end the job in the handler's last transaction
(``succeed_in``) and says when the handler should stop (``should_stop``): the job
was canceled, its deadline passed, its process is stopping, or another worker took it
over. The worker's lease keeper refreshes what ``should_stop`` reads, so asking costs no
query; a cancel committed in this process reaches the running job at once.
"""

from __future__ import annotations

import datetime as dt
import threading
import typing as t
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.db.after_commit import after_commit
from globus_local.jobs.status import StopReason

if t.TYPE_CHECKING:
    from globus_local.db import Database


class LeaseLost(Exception):
    """This worker no longer holds the job (its lease lapsed and another worker took it)."""


class JobError(Exception):
    """Raise from a handler to fail the job at once, without further attempts."""


class JobStopped(Exception):
    """Raise from a handler that stopped because :meth:`JobContext.should_stop` said so.

    The job then ends canceled or timed out (keeping ``result``), or, when its process is
    stopping, goes back to the queue for another worker. A handler that returns normally
    instead has finished its work, and the job succeeds.
    """

    def __init__(
        self, reason: StopReason | None = None, *, result: dict[str, t.Any] | None = None
    ) -> None:
        super().__init__(str(reason or StopReason.CANCELED))
        self.reason = reason
        self.result = result


@dataclass
class StopSignals:
    """What may ask a running job to stop, as last seen; written by the worker's threads
    and read by the handler's (single attribute writes, no lock needed)."""

    deadline: dt.datetime | None = None
    cancel_requested: bool = False
    lease_lost: bool = False
    shutdown: threading.Event | None = None

    def reason(self) -> StopReason | None:
        if self.lease_lost:
            return StopReason.LEASE_LOST
        if self.cancel_requested:
            return StopReason.CANCELED
        if self.deadline is not None and utcnow() >= self.deadline:
            return StopReason.DEADLINE
        if self.shutdown is not None and self.shutdown.is_set():
            return StopReason.SHUTDOWN
        return None

    def saw(self, cancel_requested: bool | None) -> bool:
        """Take in a lease renewal: None when the job was no longer held, else the job's
        cancel flag. Returns whether the job is still held."""
        if cancel_requested is None:
            self.lease_lost = True
            return False
        if cancel_requested:
            self.cancel_requested = True
        return True


@dataclass
class JobContext:
    """What a handler gets: the job, the database, its lease, and whether to stop."""

    job_id: str
    kind: str
    payload: dict[str, t.Any]
    attempt: int
    db: Database
    _heartbeat: t.Callable[[], bool] = field(repr=False)
    _fence: t.Callable[[t.Any], bool] | None = field(default=None, repr=False)
    _progress: t.Callable[[t.Any, dict[str, t.Any]], bool] | None = field(default=None, repr=False)
    _succeed: t.Callable[[t.Any, dict[str, t.Any] | None], bool] | None = field(
        default=None, repr=False
    )
    signals: StopSignals = field(default_factory=StopSignals, repr=False)
    # Set once a transaction that ended the job succeeded (``succeed_in``) has committed.
    succeeded: bool = field(default=False, repr=False)

    def _lost(self) -> LeaseLost:
        self.signals.lease_lost = True
        return LeaseLost(f"job {self.job_id} is no longer held by this worker")

    def heartbeat(self) -> None:
        """Extend the lease; raises :class:`LeaseLost` when the job was taken over."""
        if not self._heartbeat():
            raise self._lost()

    def fence(self, session: t.Any) -> None:
        """Extend the lease inside ``session``'s transaction, so that transaction's writes
        commit only while this worker holds the job; raises :class:`LeaseLost` otherwise."""
        held = self._fence(session) if self._fence is not None else self._heartbeat()
        if not held:
            raise self._lost()

    def progress(self, session: t.Any, progress: dict[str, t.Any]) -> None:
        """Store ``progress`` on the job row in ``session``'s transaction, fenced as
        :meth:`fence` is (one statement does both)."""
        if self._progress is None:
            raise RuntimeError("this context was made without a way to store progress")
        if not self._progress(session, progress):
            raise self._lost()

    def succeed_in(self, session: Session, result: dict[str, t.Any] | None = None) -> None:
        """End the job succeeded inside ``session``'s transaction, fenced as :meth:`fence`
        is: it ends iff that transaction commits, together with the handler's last writes,
        and the worker then has nothing left to store (one commit fewer per job). The
        handler should return ``result`` too (what the job's listeners hear). Raises
        :class:`LeaseLost` when the job was taken over; not for recurring jobs."""
        if self._succeed is None:
            raise RuntimeError("this job cannot be ended by its handler (a recurring job?)")
        if not self._succeed(session, result):
            raise self._lost()
        after_commit(session, f"jobs.succeeded:{self.job_id}", self, _mark_succeeded)

    @property
    def deadline(self) -> dt.datetime | None:
        return self.signals.deadline

    @property
    def stop_reason(self) -> StopReason | None:
        """Why the handler should stop, or None to go on."""
        return self.signals.reason()

    def should_stop(self) -> bool:
        """Whether the handler should stop at its next safe point; costs no query."""
        return self.signals.reason() is not None

    def raise_if_stopped(self) -> None:
        """Raise :class:`JobStopped` (or :class:`LeaseLost`) when the handler should stop."""
        reason = self.signals.reason()
        if reason is StopReason.LEASE_LOST:
            raise self._lost()
        if reason is not None:
            raise JobStopped(reason)


def _mark_succeeded(contexts: list[t.Any], database: str) -> None:
    for ctx in contexts:
        ctx.succeeded = True


# -- cancels committed in this process reach its running jobs at once --------------------
_running_lock = threading.Lock()
_running: dict[tuple[str, str], StopSignals] = {}  # (database URL, job id) -> signals


def track(database: str, job_id: str, signals: StopSignals) -> None:
    with _running_lock:
        _running[(database, job_id)] = signals


def untrack(database: str, job_id: str) -> None:
    with _running_lock:
        _running.pop((database, job_id), None)


def _notify(job_ids: list[t.Any], database: str) -> None:
    for job_id in job_ids:
        with _running_lock:
            signals = _running.get((database, job_id))
        if signals is not None:
            signals.cancel_requested = True


def notify_after_commit(session: Session, job_id: str) -> None:
    """Tell this process's worker running ``job_id`` of its cancel once it commits."""
    after_commit(session, "jobs.cancel", job_id, _notify)
