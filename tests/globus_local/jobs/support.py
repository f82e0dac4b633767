"""Helpers of the job queue's tests: adding jobs, reading rows and events back, and what
the passing of time does to leases and recurring runs."""

from __future__ import annotations

import datetime as dt
import time
import typing as t

from sqlalchemy import select, update

from globus_local.db import Database, utcnow
from globus_local.jobs import Job, enqueue, events_of, get_job, recurring

HOUR = 3600.0


def add_job(db: Database, kind: str, payload: dict[str, t.Any] | None = None, **kw: t.Any) -> str:
    with db.session() as session:
        return enqueue(session, kind, payload or {}, **kw)


def job_row(db: Database, job_id: str) -> Job:
    with db.session() as session:
        job = get_job(session, job_id)
        assert job is not None
        return job


def event_trail(db: Database, job_id: str) -> list[tuple[str, str | None, int | None]]:
    """The job's events as (type, worker, attempt), oldest first."""
    with db.session() as session:
        return [(e.type.value, e.worker_id, e.attempt) for e in events_of(session, job_id)]


def event_types(db: Database, job_id: str) -> list[str]:
    return [kind for kind, _, _ in event_trail(db, job_id)]


def wait_for(predicate: t.Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def expire_lease(db: Database, job_id: str) -> None:
    """What the passing of time does to a dead worker's lease."""
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(lease_expires_at=utcnow() - dt.timedelta(seconds=1))
        )


def make_due(db: Database, kind: str) -> None:
    """What the passing of the interval does to a recurring job's next run."""
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == recurring.job_id(kind))
            .values(run_after=utcnow() - dt.timedelta(seconds=1))
        )


def rows_of(db: Database, kind: str) -> list[Job]:
    with db.session() as session:
        return list(session.scalars(select(Job).where(Job.kind == kind)))


def seconds_until(when: dt.datetime) -> float:
    return (when - utcnow()).total_seconds()
