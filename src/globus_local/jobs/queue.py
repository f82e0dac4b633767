"""Durable queue operations: enqueue in the caller's transaction, claim with a lease, settle.

Claiming is a single UPDATE whose target row is chosen by a sub-select: on PostgreSQL the
sub-select takes ``FOR UPDATE SKIP LOCKED`` so concurrent workers pick different rows; on
SQLite the UPDATE itself is atomic (one writer at a time) and re-checks the row is still
claimable. A running job whose lease lapsed counts as claimable: its worker died.
"""

from __future__ import annotations

import datetime as dt
import threading
import typing as t
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, event, or_, select, update
from sqlalchemy.orm import Session

from globus_local.db import Database, utcnow
from globus_local.jobs.models import FAILED, PENDING, RUNNING, SUCCEEDED, Job

_jobs = Job.__table__

# Workers in this process wait on these; a commit that enqueued jobs wakes, per job, one
# idle worker that serves that database and kind (all of them at once would only race for
# the same row: on SQLite every loser still takes the write lock, and the winner's first
# transaction then waits on them).
_wakeup_lock = threading.Lock()
# event -> (database URL or None for any, job kinds or None for any)
_wakeup_events: dict[threading.Event, tuple[str | None, frozenset[str] | None]] = {}
_idle: list[threading.Event] = []  # waiting workers, longest idle first
_relays: set[threading.Event] = set()  # woken by a worker that found a job by polling


def register_wakeup(
    event_: threading.Event,
    *,
    database: str | None = None,
    kinds: t.Collection[str] | None = None,
) -> None:
    """Wake ``event_`` for jobs on ``database`` (a URL) of ``kinds`` (None: any)."""
    with _wakeup_lock:
        _wakeup_events[event_] = (database, frozenset(kinds) if kinds is not None else None)


def unregister_wakeup(event_: threading.Event) -> None:
    with _wakeup_lock:
        _wakeup_events.pop(event_, None)
        _relays.discard(event_)
        if event_ in _idle:
            _idle.remove(event_)


def mark_idle(event_: threading.Event, idle: bool) -> None:
    """A worker says it is (no longer) waiting on ``event_`` for work (only a registered
    worker counts: one unregistered meanwhile must not take a wake-up from the others)."""
    with _wakeup_lock:
        if idle and event_ in _wakeup_events and event_ not in _idle:
            _idle.append(event_)
        elif not idle and event_ in _idle:
            _idle.remove(event_)


def _serves(event_: threading.Event, database: str | None, kind: str | None) -> bool:
    url, kinds = _wakeup_events.get(event_, (None, None))
    if url is not None and database is not None and url != database:
        return False
    return kinds is None or kind is None or kind in kinds


def _pick(
    pool: t.Iterable[threading.Event], taken: list[threading.Event], database: str | None, kind: str
) -> threading.Event | None:
    return next((ev for ev in pool if ev not in taken and _serves(ev, database, kind)), None)


def wake_workers(
    database: str | None = None, kinds: t.Sequence[str] | None = None, *, relay: bool = False
) -> None:
    """Wake every worker (no ``kinds``), or one per job kind listed, idle ones first; a
    busy worker that is woken looks at the queue again as soon as its job ends. With
    ``relay`` a woken worker that finds a job wakes another in turn (:func:`relayed`)."""
    with _wakeup_lock:
        if kinds is None:
            chosen = [ev for ev in _wakeup_events if _serves(ev, database, None)]
        else:
            chosen = []
            for kind in kinds:
                pick = _pick(_idle, chosen, database, kind) or _pick(
                    _wakeup_events, chosen, database, kind
                )
                if pick is not None:
                    chosen.append(pick)
        for ev in chosen:
            if ev in _idle:
                _idle.remove(ev)
            if relay:
                _relays.add(ev)
            ev.set()


def relayed(event_: threading.Event) -> bool:
    """Whether the worker waiting on ``event_`` was woken to relay (and forget it)."""
    with _wakeup_lock:
        if event_ in _relays:
            _relays.discard(event_)
            return True
        return False


def _wake_after_commit(session: Session) -> None:
    kinds = session.info.pop("globus_local.jobs.enqueued", None)
    if kinds:
        wake_workers(session.info.get("globus_local.jobs.database"), kinds)


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, t.Any],
    *,
    job_id: str | None = None,
    max_attempts: int = 5,
    delay: float = 0.0,
) -> str:
    """Add a job in the caller's transaction: it exists iff that transaction commits."""
    now = utcnow()
    job = Job(
        id=job_id or str(uuid.uuid4()),
        kind=kind,
        payload=payload,
        state=PENDING,
        attempts=0,
        max_attempts=max_attempts,
        run_after=now + dt.timedelta(seconds=delay),
        created_at=now,
    )
    session.add(job)
    session.flush()
    session.info.setdefault("globus_local.jobs.enqueued", []).append(kind)
    session.info["globus_local.jobs.database"] = session.get_bind().url.render_as_string(
        hide_password=False
    )
    if not session.info.get("globus_local.jobs.wakeup"):
        session.info["globus_local.jobs.wakeup"] = True
        event.listen(session, "after_commit", _wake_after_commit)
    return job.id


def get_job(session: Session, job_id: str) -> Job | None:
    """The job row (state, result, error, attempts...) or None."""
    return session.get(Job, job_id)


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


def _claimable() -> t.Any:
    """Jobs of the kinds bound as ``kinds`` that may be claimed at the time bound as ``now``."""
    now = bindparam("now", type_=_jobs.c.run_after.type)
    return and_(
        _jobs.c.kind.in_(bindparam("kinds", expanding=True)),
        or_(
            and_(_jobs.c.state == PENDING, _jobs.c.run_after <= now),
            and_(_jobs.c.state == RUNNING, _jobs.c.lease_expires_at < now),
        ),
    )


def _claim_statements() -> tuple[t.Any, t.Any]:
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
            lease_expires_at=bindparam("lease_until", type_=_jobs.c.lease_expires_at.type),
            started_at=bindparam("now", type_=_jobs.c.started_at.type),
        )
        .returning(
            _jobs.c.id,
            _jobs.c.kind,
            _jobs.c.payload,
            _jobs.c.attempts,
            _jobs.c.max_attempts,
            _jobs.c.error,
        )
    )
    return probe, claim


_PROBE, _CLAIM = _claim_statements()


def claim_next(
    db: Database, worker_id: str, kinds: t.Collection[str], lease_seconds: float
) -> Claim | None:
    """Take the next runnable job of one of ``kinds`` for ``lease_seconds``, or None.

    A job whose claims would exceed its ``max_attempts`` (its workers kept dying) is
    failed here instead of being handed out again.
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
            row = session.execute(_CLAIM, params).first()
            if row is None:
                # Another worker took it between the probe and the update: look again.
                continue
            claim = Claim(
                job_id=row.id,
                kind=row.kind,
                payload=row.payload,
                attempt=row.attempts,
                max_attempts=row.max_attempts,
                worker_id=worker_id,
                previous_error=row.error,
            )
            if claim.attempt <= claim.max_attempts:
                return claim
            reason = "the worker running it stopped responding (lease expired)"
            session.execute(
                update(_jobs)
                .where(_held())
                .values(
                    state=FAILED,
                    worker_id=None,
                    lease_expires_at=None,
                    finished_at=now,
                    error=f"gave up after {claim.max_attempts} attempts: "
                    f"{claim.previous_error or reason}",
                ),
                _holder(claim),
            )


def extend_lease(db: Database, claim: Claim, lease_seconds: float) -> bool:
    """Push the lease forward; False when the job is no longer ours."""
    with db.session() as session:
        return extend_lease_in(session, claim, lease_seconds)


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


# Run at every flush of a running job (the fence) and at its end: built once.
_EXTEND = (
    update(_jobs)
    .where(_held())
    .values(lease_expires_at=bindparam("lease_until", type_=_jobs.c.lease_expires_at.type))
)
_SUCCEED = (
    update(_jobs)
    .where(_held())
    .values(
        state=SUCCEEDED,
        result=bindparam("result", type_=_jobs.c.result.type),
        error=None,
        worker_id=None,
        lease_expires_at=None,
        finished_at=bindparam("finished", type_=_jobs.c.finished_at.type),
    )
)


def extend_lease_in(session: Session, claim: Claim, lease_seconds: float) -> bool:
    """Push the lease forward inside the caller's transaction; False when the job is no
    longer ours. The row stays locked until that transaction ends, so the caller's other
    writes there land only while it holds the job (a fencing check)."""
    until = utcnow() + dt.timedelta(seconds=lease_seconds)
    result = session.execute(_EXTEND, {**_holder(claim), "lease_until": until})
    return bool(result.rowcount)


def release_lease(db: Database, claim: Claim) -> bool:
    """End the lease now, so any worker may take the job over at once (its attempt is
    counted as one that did not finish); False when the job was no longer ours."""
    with db.session() as session:
        params = {**_holder(claim), "lease_until": utcnow()}
        return bool(session.execute(_EXTEND, params).rowcount)


def mark_succeeded(db: Database, claim: Claim, result: dict[str, t.Any] | None) -> bool:
    """Store the result; False (and nothing stored) when the job was taken over meanwhile."""
    with db.session() as session:
        params = {**_holder(claim), "result": result, "finished": utcnow()}
        return bool(session.execute(_SUCCEED, params).rowcount)


def mark_failed(db: Database, claim: Claim, error: str, *, retry_in: float | None) -> bool:
    """Record a failed attempt: back to pending after ``retry_in`` seconds, or failed for good
    when ``retry_in`` is None or no attempts are left."""
    now = utcnow()
    final = retry_in is None or claim.attempt >= claim.max_attempts
    values: dict[str, t.Any] = {"error": error, "worker_id": None, "lease_expires_at": None}
    if final:
        values.update(state=FAILED, finished_at=now)
    else:
        values.update(state=PENDING, run_after=now + dt.timedelta(seconds=retry_in or 0.0))
    with db.session() as session:
        res = session.execute(update(_jobs).where(_held()).values(**values), _holder(claim))
        return bool(res.rowcount)
