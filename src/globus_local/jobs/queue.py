"""The queue's manager: every statement that moves a job through its lifecycle.

Jobs are enqueued in the caller's transaction, claimed under a lease, renewed (reading
back whether they were asked to stop), given progress under that lease, and settled:
succeeded, retried, failed, canceled or timed out. Each change records its event in the
same transaction (:mod:`globus_local.jobs.events`).

Claiming is a single UPDATE whose target row is chosen by a sub-select: on PostgreSQL the
sub-select takes ``FOR UPDATE SKIP LOCKED`` so concurrent workers pick different rows; on
SQLite the UPDATE itself is atomic (one writer at a time) and re-checks the row is still
claimable. A running job whose lease lapsed counts as claimable: its worker died.
"""

from __future__ import annotations

import datetime as dt
import typing as t
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from globus_local.db import Database, utcnow
from globus_local.jobs import events
from globus_local.jobs.context import notify_after_commit
from globus_local.jobs.models import Job
from globus_local.jobs.status import EventType, JobStatus
from globus_local.jobs.wakeups import wake_after_commit

_jobs = Job.__table__
PENDING, RUNNING = JobStatus.PENDING, JobStatus.RUNNING


def _typed(name: str, column: str) -> t.Any:
    return bindparam(name, type_=_jobs.c[column].type)


def _changed() -> tuple[t.Any, t.Any]:
    """What every logged change returns: the row's id and attempt."""
    return _jobs.c.id, _jobs.c.attempts


# -- enqueue -------------------------------------------------------------------------------
_ENQUEUE = events.Logged(
    insert(_jobs)
    .values(
        id=bindparam("id"),
        kind=bindparam("kind"),
        payload=_typed("payload", "payload"),
        state=PENDING,
        attempts=0,
        max_attempts=bindparam("max_attempts"),
        run_after=_typed("run_after", "run_after"),
        deadline=_typed("deadline", "deadline"),
        created_at=_typed("created_at", "created_at"),
        cancel_requested=False,
    )
    .returning(*_changed()),
    EventType.QUEUED,
)


def _deadline_at(deadline: dt.datetime | float | None, now: dt.datetime) -> dt.datetime | None:
    if deadline is None:
        return None
    if isinstance(deadline, dt.datetime):
        return deadline if deadline.tzinfo else deadline.replace(tzinfo=dt.timezone.utc)
    return now + dt.timedelta(seconds=float(deadline))


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, t.Any],
    *,
    job_id: str | None = None,
    max_attempts: int = 5,
    delay: float = 0.0,
    deadline: dt.datetime | float | None = None,
) -> str:
    """Add a job in the caller's transaction: it exists iff that transaction commits.

    ``deadline`` (a moment, or seconds from now): past it the job is not started, and a
    running one is asked to stop; either way it ends timed out.
    """
    now = utcnow()
    new_id = job_id or str(uuid.uuid4())
    session.flush()  # the caller's pending rows first, as an ORM insert here would
    params = {
        "id": new_id,
        "kind": kind,
        "payload": payload,
        "max_attempts": max_attempts,
        "run_after": now + dt.timedelta(seconds=delay),
        "deadline": _deadline_at(deadline, now),
        "created_at": now,
    }
    _ENQUEUE.run(session, params, at=now)
    wake_after_commit(session, kind)
    return new_id


def get_job(session: Session, job_id: str) -> Job | None:
    """The job row (state, progress, result, error, attempts...) or None."""
    return session.get(Job, job_id)


# -- claim ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """A job as one worker holds it: ``attempt`` tells this claim apart from later ones."""

    job_id: str
    kind: str
    payload: dict[str, t.Any]
    attempt: int
    max_attempts: int
    worker_id: str
    previous_error: str | None = None
    deadline: dt.datetime | None = None
    cancel_requested: bool = False


def _claimable() -> t.Any:
    """Jobs of the kinds bound as ``kinds`` that may be claimed at the time bound as ``now``."""
    now = _typed("now", "run_after")
    return and_(
        _jobs.c.kind.in_(bindparam("kinds", expanding=True)),
        or_(
            and_(_jobs.c.state == PENDING, _jobs.c.run_after <= now),
            and_(_jobs.c.state == RUNNING, _jobs.c.lease_expires_at < now),
        ),
    )


def _claim_statements() -> tuple[t.Any, events.Logged]:
    """The probe and the claiming UPDATE, built once: every idle worker runs them every
    poll, and building the expressions cost more than running them."""
    probe = select(_jobs.c.id).where(_claimable()).limit(1)
    candidate = (
        select(_jobs.c.id)
        .where(_claimable())
        .order_by(_jobs.c.run_after, _jobs.c.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claim = (
        update(_jobs)
        .where(_jobs.c.id == candidate, _claimable())
        .values(
            state=RUNNING,
            worker_id=bindparam("worker"),
            attempts=_jobs.c.attempts + 1,
            lease_expires_at=_typed("lease_until", "lease_expires_at"),
            started_at=_typed("now", "started_at"),
        )
        .returning(
            *_changed(),
            _jobs.c.kind,
            _jobs.c.payload,
            _jobs.c.max_attempts,
            _jobs.c.error,
            _jobs.c.deadline,
            _jobs.c.cancel_requested,
        )
    )
    return probe, events.Logged(claim, EventType.CLAIMED)


_PROBE, _CLAIM = _claim_statements()


def _held() -> t.Any:
    """The job row of a claim still held: the claim bound as ``held_id``, ``held_by`` and
    ``held_attempt`` (see :func:`_holder`)."""
    return and_(
        _jobs.c.id == bindparam("held_id"),
        _jobs.c.state == RUNNING,
        _jobs.c.worker_id == bindparam("held_by"),
        _jobs.c.attempts == bindparam("held_attempt"),
    )


def _holder(claim: Claim) -> dict[str, t.Any]:
    return {"held_id": claim.job_id, "held_by": claim.worker_id, "held_attempt": claim.attempt}


def _end(status: JobStatus, event: EventType, *, with_result: bool = False) -> events.Logged:
    values: dict[str, t.Any] = {
        "state": status,
        "worker_id": None,
        "lease_expires_at": None,
        "finished_at": _typed("finished", "finished_at"),
        "error": _typed("error", "error"),
    }
    if with_result:
        values["result"] = _typed("result", "result")
    return events.Logged(
        update(_jobs).where(_held()).values(**values).returning(*_changed()), event
    )


# A held job ended for good without a result of its own (claim-time ends, failures)...
_END = {
    JobStatus.FAILED: _end(JobStatus.FAILED, EventType.FAILED),
    JobStatus.CANCELED: _end(JobStatus.CANCELED, EventType.CANCELED),
    JobStatus.TIMED_OUT: _end(JobStatus.TIMED_OUT, EventType.TIMED_OUT),
}
# ...and by a handler that stopped when asked, keeping what it returned.
_STOPPED = {
    JobStatus.CANCELED: _end(JobStatus.CANCELED, EventType.CANCELED, with_result=True),
    JobStatus.TIMED_OUT: _end(JobStatus.TIMED_OUT, EventType.TIMED_OUT, with_result=True),
}
LEASE_LAPSED = "the worker running it stopped responding (lease expired)"


def _unstartable(claim: Claim, now: dt.datetime) -> tuple[JobStatus, str] | None:
    """How a just-claimed job ends instead of running, if it must."""
    if claim.cancel_requested:  # asked to stop, then its worker died
        return JobStatus.CANCELED, "canceled"
    if claim.deadline is not None and claim.deadline <= now:
        return JobStatus.TIMED_OUT, "its deadline passed before it could run"
    if claim.attempt > claim.max_attempts:
        return JobStatus.FAILED, (
            f"gave up after {claim.max_attempts} attempts: {claim.previous_error or LEASE_LAPSED}"
        )
    return None


def claim_next(
    db: Database, worker_id: str, kinds: t.Collection[str], lease_seconds: float
) -> Claim | None:
    """Take the next runnable job of one of ``kinds`` for ``lease_seconds``, or None.

    A job that may not run any more is ended here instead of being handed out: canceled
    while its worker was gone, past its deadline, or claimed more than ``max_attempts``
    times (its workers kept dying).
    """
    if not kinds:
        return None
    while True:
        now = utcnow()
        params = {
            "now": now,
            "kinds": sorted(kinds),
            "worker": worker_id,
            "lease_until": now + dt.timedelta(seconds=lease_seconds),
        }
        with db.session() as session:
            # Cheap read first: an idle queue then costs no write lock (which matters on SQLite).
            if session.execute(_PROBE, params).first() is None:
                return None
            rows = _CLAIM.run(session, params, worker=worker_id, at=now)
            if not rows:
                # Another worker took it between the probe and the update: look again.
                continue
            row = rows[0]
            claim = Claim(
                job_id=row.id,
                kind=row.kind,
                payload=row.payload,
                attempt=row.attempts,
                max_attempts=row.max_attempts,
                worker_id=worker_id,
                previous_error=row.error,
                deadline=row.deadline,
                cancel_requested=bool(row.cancel_requested),
            )
            ended = _unstartable(claim, now)
            if ended is None:
                return claim
            status, error = ended
            end = {**_holder(claim), "finished": now, "error": error}
            _END[status].run(session, end, worker=worker_id, detail=error, at=now)


# -- the lease -----------------------------------------------------------------------------
# Run at every flush of a running job (the fence) and by its lease keeper: built once.
_RENEW = (
    update(_jobs)
    .where(_held())
    .values(lease_expires_at=_typed("lease_until", "lease_expires_at"))
    .returning(_jobs.c.cancel_requested)
)
_PROGRESS = (
    update(_jobs)
    .where(_held())
    .values(
        lease_expires_at=_typed("lease_until", "lease_expires_at"),
        progress=_typed("progress", "progress"),
    )
    .returning(_jobs.c.cancel_requested)
)
_RELEASE = events.Logged(
    update(_jobs)
    .where(_held())
    .values(lease_expires_at=_typed("lease_until", "lease_expires_at"))
    .returning(*_changed()),
    EventType.RELEASED,
)


def _lease(claim: Claim, lease_seconds: float) -> dict[str, t.Any]:
    return {**_holder(claim), "lease_until": utcnow() + dt.timedelta(seconds=lease_seconds)}


def renew_in(session: Session, claim: Claim, lease_seconds: float) -> bool | None:
    """Push the lease forward inside the caller's transaction: None when the job is no
    longer ours, else whether it was asked to stop. The row stays locked until that
    transaction ends, so the caller's other writes there land only while it holds the
    job (a fencing check)."""
    row = session.execute(_RENEW, _lease(claim, lease_seconds)).first()
    return None if row is None else bool(row.cancel_requested)


def renew(db: Database, claim: Claim, lease_seconds: float) -> bool | None:
    """:func:`renew_in` in a transaction of its own (the lease keeper's)."""
    with db.session() as session:
        return renew_in(session, claim, lease_seconds)


def extend_lease(db: Database, claim: Claim, lease_seconds: float) -> bool:
    """Push the lease forward; False when the job is no longer ours."""
    return renew(db, claim, lease_seconds) is not None


def extend_lease_in(session: Session, claim: Claim, lease_seconds: float) -> bool:
    """:func:`renew_in`, answering only whether the job is still ours."""
    return renew_in(session, claim, lease_seconds) is not None


def record_progress(
    session: Session, claim: Claim, progress: dict[str, t.Any], lease_seconds: float
) -> bool | None:
    """Store the handler's progress and push the lease forward, fenced as
    :func:`renew_in` is; the same answer."""
    params = {**_lease(claim, lease_seconds), "progress": progress}
    row = session.execute(_PROGRESS, params).first()
    return None if row is None else bool(row.cancel_requested)


def release_lease(db: Database, claim: Claim) -> bool:
    """End the lease now, so any worker may take the job over at once (its attempt is
    counted as one that did not finish); False when the job was no longer ours."""
    with db.session() as session:
        params = {**_holder(claim), "lease_until": utcnow()}
        return bool(_RELEASE.run(session, params, worker=claim.worker_id))


def lease_lost(db: Database, claim: Claim, detail: str | None = None) -> None:
    """Record that this worker found its job taken over (nothing else changes)."""
    with db.session() as session:
        events.record(
            session,
            claim.job_id,
            EventType.LEASE_LOST,
            worker=claim.worker_id,
            attempt=claim.attempt,
            detail=detail,
        )


# -- settle --------------------------------------------------------------------------------
_SUCCEED = events.Logged(
    update(_jobs)
    .where(_held())
    .values(
        state=JobStatus.SUCCEEDED,
        result=_typed("result", "result"),
        error=None,
        worker_id=None,
        lease_expires_at=None,
        finished_at=_typed("finished", "finished_at"),
    )
    .returning(*_changed()),
    EventType.SUCCEEDED,
)
_RETRY = events.Logged(
    update(_jobs)
    .where(_held())
    .values(
        state=PENDING,
        error=_typed("error", "error"),
        worker_id=None,
        lease_expires_at=None,
        run_after=_typed("run_after", "run_after"),
    )
    .returning(*_changed()),
    EventType.RETRY,
)


def mark_succeeded(db: Database, claim: Claim, result: dict[str, t.Any] | None) -> bool:
    """Store the result; False (and nothing stored) when the job was taken over meanwhile."""
    with db.session() as session:
        return succeed_in(session, claim, result)


def succeed_in(session: Session, claim: Claim, result: dict[str, t.Any] | None) -> bool:
    """:func:`mark_succeeded` inside the caller's transaction: the job ends with the
    caller's own last writes, in one commit. The same answer."""
    params = {**_holder(claim), "result": result, "finished": utcnow()}
    return bool(_SUCCEED.run(session, params, worker=claim.worker_id))


def mark_failed(db: Database, claim: Claim, error: str, *, retry_in: float | None) -> bool:
    """Record a failed attempt: back to pending after ``retry_in`` seconds, or failed for good
    when ``retry_in`` is None or no attempts are left."""
    now = utcnow()
    final = retry_in is None or claim.attempt >= claim.max_attempts
    with db.session() as session:
        if final:
            params = {**_holder(claim), "error": error, "finished": now}
            rows = _END[JobStatus.FAILED].run(session, params, worker=claim.worker_id, detail=error)
        else:
            run_after = now + dt.timedelta(seconds=retry_in or 0.0)
            params = {**_holder(claim), "error": error, "run_after": run_after}
            rows = _RETRY.run(session, params, worker=claim.worker_id, detail=error)
        return bool(rows)


def mark_stopped(
    db: Database,
    claim: Claim,
    status: JobStatus,
    *,
    error: str,
    result: dict[str, t.Any] | None = None,
) -> bool:
    """End a job whose handler stopped when asked: ``status`` is CANCELED or TIMED_OUT.
    False (nothing stored) when the job was taken over meanwhile."""
    with db.session() as session:
        params = {**_holder(claim), "error": error, "result": result, "finished": utcnow()}
        return bool(_STOPPED[status].run(session, params, worker=claim.worker_id, detail=error))


# -- cancel --------------------------------------------------------------------------------
_CANCEL_QUEUED = events.Logged(
    update(_jobs)
    .where(_jobs.c.id == bindparam("job_id"), _jobs.c.state == PENDING)
    .values(
        state=JobStatus.CANCELED,
        cancel_requested=True,
        error="canceled",
        finished_at=_typed("finished", "finished_at"),
    )
    .returning(*_changed()),
    EventType.CANCELED,
)
_ASK_TO_STOP = events.Logged(
    update(_jobs)
    .where(
        _jobs.c.id == bindparam("job_id"),
        _jobs.c.state == RUNNING,
        _jobs.c.cancel_requested.is_(False),
    )
    .values(cancel_requested=True)
    .returning(*_changed()),
    EventType.CANCEL_REQUESTED,
)
_STATE = select(_jobs.c.state).where(_jobs.c.id == bindparam("job_id"))


def request_cancel(session: Session, job_id: str, *, detail: str | None = None) -> JobStatus | None:
    """Cancel a job in the caller's transaction; returns its state then (None: no such job).

    A queued job is canceled at once (CANCELED). A running one is asked to stop (RUNNING):
    its handler sees :meth:`JobContext.should_stop` turn true, at once in this process,
    else at its worker's next lease renewal or fence. A job that has ended is left as it
    is. ``detail`` (who asked, why) goes in the job's events.
    """
    params = {"job_id": job_id, "finished": utcnow()}
    if _CANCEL_QUEUED.run(session, params, detail=detail):
        return JobStatus.CANCELED
    if _ASK_TO_STOP.run(session, params, detail=detail):
        notify_after_commit(session, job_id)
        return JobStatus.RUNNING
    state = session.execute(_STATE, params).scalar()
    return None if state is None else JobStatus(state)
