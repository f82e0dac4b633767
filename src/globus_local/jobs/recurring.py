"""Jobs that run periodically: one queue row per kind, put back in the queue as each run ends.

:func:`recurring_job` registers a handler to run every ``every`` seconds. Its job has a
fixed id (``recurring:<kind>``), so however many processes start, the queue holds one
run of it: :func:`schedule` (called where worker pools start) inserts the row when it is
missing, first due ``every`` seconds later, and revives one that ended (given up on,
canceled). A worker
that ends a run, whichever way it ends, sets the same row pending again ``every`` seconds
later (:func:`reschedule`) instead of marking it done; within a run, failures are retried
with the usual back-off.
"""

from __future__ import annotations

import datetime as dt
import logging
import typing as t

from sqlalchemy import Integer, String, bindparam, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from globus_local.db import Database, utcnow
from globus_local.jobs import events
from globus_local.jobs.models import Job
from globus_local.jobs.queue import Claim, _held, _holder
from globus_local.jobs.registry import Handler, job_handler, registered_kinds
from globus_local.jobs.status import FINAL, EventType, JobStatus

log = logging.getLogger("globus_local.jobs")

ID_PREFIX = "recurring:"
_ID_LENGTH = t.cast(String, Job.__table__.c.id.type).length
_jobs = Job.__table__
_EVERY: dict[str, float] = {}


def job_id(kind: str) -> str:
    """The one queue row of a recurring kind."""
    return ID_PREFIX + kind


def recurring_job(kind: str, every: float) -> t.Callable[[Handler], Handler]:
    """Register ``fn(ctx) -> dict | None`` to run every ``every`` seconds (see the module)."""
    if every <= 0:
        raise ValueError("a recurring job needs a positive interval")
    if len(job_id(kind)) > (_ID_LENGTH or 0):
        raise ValueError(f"job kind {kind!r} is too long for a recurring job id")

    def register(fn: Handler) -> Handler:
        job_handler(kind)(fn)
        _EVERY[kind] = float(every)
        return fn

    return register


def interval(kind: str) -> float | None:
    """Seconds between runs of ``kind``, or None for a one-off kind."""
    return _EVERY.get(kind) if kind in registered_kinds() else None


def recurring_kinds() -> dict[str, float]:
    """Every recurring kind whose handler is registered, with its interval."""
    handled = registered_kinds()
    return {kind: every for kind, every in _EVERY.items() if kind in handled}


def schedule(db: Database, kinds: t.Collection[str] | None = None) -> list[str]:
    """Make sure each recurring kind (of ``kinds``, default all) has its row pending or
    running; returns the kinds looked after. Safe to run in many processes at once."""
    every = {k: s for k, s in recurring_kinds().items() if kinds is None or k in kinds}
    if not every:
        return []
    now = utcnow()
    with db.session() as session:
        upsert = (
            postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        )
        for kind, seconds in every.items():
            first_run = now + dt.timedelta(seconds=seconds)
            row = {
                "id": job_id(kind),
                "kind": kind,
                "payload": {},
                "state": JobStatus.PENDING,
                "attempts": 0,
                "max_attempts": 5,
                "run_after": first_run,
                "created_at": now,
                "cancel_requested": False,
            }
            added = session.execute(
                upsert(_jobs)
                .values(row)
                .on_conflict_do_nothing(index_elements=["id"])
                .returning(_jobs.c.id)
            ).all()
            # Ended (given up on after its workers kept dying, or canceled): queued again.
            revived = session.execute(
                update(_jobs)
                .where(_jobs.c.id == job_id(kind), _jobs.c.state.in_(sorted(FINAL)))
                .values(
                    state=JobStatus.PENDING, attempts=0, run_after=first_run, cancel_requested=False
                )
                .returning(_jobs.c.id)
            ).all()
            for detail, rows in (("scheduled", added), ("revived", revived)):
                for r in rows:
                    events.record(session, r.id, EventType.QUEUED, detail=detail)
    return sorted(every)


def schedule_quietly(db: Database, kinds: t.Collection[str] | None = None) -> None:
    """:func:`schedule`, logging rather than raising: workers must start even when the
    database is not ready for it (the next start schedules again)."""
    try:
        scheduled = schedule(db, kinds)
    except Exception:
        log.warning("could not schedule the recurring jobs", exc_info=True)
        return
    if scheduled:
        log.info("recurring jobs scheduled: %s", ", ".join(scheduled))


# Run at the end of every run: built once.
_RESCHEDULE = events.Logged(
    update(_jobs)
    .where(_held())
    .values(
        state=JobStatus.PENDING,
        attempts=0,
        worker_id=None,
        lease_expires_at=None,
        cancel_requested=False,
        progress=None,
        run_after=bindparam("next_run", type_=_jobs.c.run_after.type),
        result=bindparam("result", type_=_jobs.c.result.type),
        error=bindparam("error", type_=_jobs.c.error.type),
        finished_at=bindparam("finished", type_=_jobs.c.finished_at.type),
    )
    # The event names the attempt that ended, not the reset count.
    .returning(_jobs.c.id, bindparam("held_attempt", type_=Integer).label("attempts")),
    EventType.RESCHEDULED,
)


def reschedule(
    db: Database,
    claim: Claim,
    every: float,
    *,
    result: dict[str, t.Any] | None = None,
    error: str | None = None,
) -> bool:
    """End a run (keeping its result or error) and queue the next one ``every`` seconds
    from now; False (nothing stored) when the job was taken over meanwhile."""
    now = utcnow()
    params = {
        **_holder(claim),
        "next_run": now + dt.timedelta(seconds=every),
        "result": result,
        "error": error,
        "finished": now,
    }
    with db.session() as session:
        rows = _RESCHEDULE.run(session, params, worker=claim.worker_id, detail=error, at=now)
        return bool(rows)
