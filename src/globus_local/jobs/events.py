"""Recording what happens to jobs: one ``job_events`` row per change, written with it.

A change and its event go in the same transaction, and on PostgreSQL in the same
statement (a data-modifying ``WITH``), so recording costs the queue's hot paths (claiming,
settling) no extra round trip. SQLite runs the change, then one insert for the rows it
changed; there a statement is a call into the same process, not a trip to a server.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import CursorResult, Row, bindparam, delete, insert, literal, select
from sqlalchemy.orm import Session

from globus_local.db import Database, utcnow
from globus_local.jobs.models import JobEvent
from globus_local.jobs.status import EventType

_events = JobEvent.__table__
_COLUMNS = ["job_id", "type", "at", "worker_id", "attempt", "detail"]
# Long error texts are kept whole on the job row; an event keeps their start.
DETAIL_CHARS = 1000


def _at() -> t.Any:
    return bindparam("ev_at", type_=_events.c.at.type)


def _insert_one(event: EventType) -> t.Any:
    return insert(_events).values(
        job_id=bindparam("ev_job"),
        type=event,
        at=_at(),
        worker_id=bindparam("ev_worker"),
        attempt=bindparam("ev_attempt"),
        detail=bindparam("ev_detail"),
    )


class Logged:
    """A statement that changes job rows (``RETURNING`` at least their ``id`` and
    ``attempts``) paired with the event every changed row records. Built once, at import:
    building statements costs more than running them."""

    def __init__(self, change: t.Any, event: EventType) -> None:
        self.event = event
        self.change = change
        changed = change.cte("changed")
        log = insert(_events).from_select(
            _COLUMNS,
            select(
                changed.c.id,
                literal(event.value),
                _at(),
                bindparam("ev_worker", type_=_events.c.worker_id.type),
                changed.c.attempts,
                bindparam("ev_detail", type_=_events.c.detail.type),
            ),
        )
        self.combined = select(changed).add_cte(log.cte("logged"))
        self.insert = _insert_one(event)

    def run(
        self,
        session: Session,
        params: dict[str, t.Any],
        *,
        worker: str | None = None,
        detail: str | None = None,
        at: dt.datetime | None = None,
    ) -> list[Row[t.Any]]:
        """Run the change and record its events; returns the changed rows."""
        marks = {"ev_at": at or utcnow(), "ev_worker": worker, "ev_detail": _trim(detail)}
        if session.get_bind().dialect.name == "postgresql":
            return list(session.execute(self.combined, {**params, **marks}).all())
        rows = list(session.execute(self.change, params).all())
        if rows:
            session.execute(
                self.insert, [{**marks, "ev_job": r.id, "ev_attempt": r.attempts} for r in rows]
            )
        return rows


def _trim(detail: str | None) -> str | None:
    return detail[:DETAIL_CHARS] if detail is not None else None


_RECORD = {event: _insert_one(event) for event in EventType}


def record(
    session: Session,
    job_id: str,
    event: EventType,
    *,
    worker: str | None = None,
    attempt: int | None = None,
    detail: str | None = None,
) -> None:
    """Record one event by itself (for changes no job row update stands for)."""
    session.execute(
        _RECORD[event],
        {
            "ev_job": job_id,
            "ev_at": utcnow(),
            "ev_worker": worker,
            "ev_attempt": attempt,
            "ev_detail": _trim(detail),
        },
    )


def events_of(session: Session, job_id: str) -> list[JobEvent]:
    """The job's events, oldest first."""
    return list(
        session.scalars(select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.id))
    )


def purge(db: Database, before: dt.datetime, *, batch: int = 1000) -> int:
    """Delete events recorded before ``before``, ``batch`` per transaction; returns how
    many went. Ids grow with time, so the oldest rows come first in id order and the
    search for them stops at the first ``batch`` found (no index on the time)."""
    total = 0
    while True:
        with db.session() as session:
            doomed = (
                select(_events.c.id)
                .where(_events.c.at < before)
                .order_by(_events.c.id)
                .limit(batch)
            )
            result = t.cast(
                "CursorResult[t.Any]",  # a DELETE's result counts the rows it removed
                session.execute(delete(_events).where(_events.c.id.in_(doomed))),
            )
            gone = int(result.rowcount or 0)
        total += gone
        if gone < batch:
            return total
