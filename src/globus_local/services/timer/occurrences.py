"""Each scheduled run of a timer is an *occurrence*, named by the timer id and the moment
it is due. That one id is the run's job on the queue, its result row and its Transfer
``submission_id``: a timer's run can be queued, stored and submitted at most once, however
many workers there are and whenever the platform restarts."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.jobs.queue import enqueue, get_job
from globus_local.jobs.status import JobStatus

RUN_KIND = "timer.run"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "globus-local:timer-occurrence")


def moment(value: dt.datetime) -> dt.datetime:
    """Schedules keep whole seconds in UTC, so a moment spells one way."""
    return value.astimezone(dt.timezone.utc).replace(microsecond=0)


def occurrence_id(timer_id: str, due: dt.datetime) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{timer_id}@{moment(due).isoformat()}"))


def unused_moment(session: Session, timer_id: str, due: dt.datetime) -> dt.datetime:
    """``due``, or the first second after it whose occurrence was never run: a run asked
    for anew (on resume) must not be taken for one that already happened."""
    due = moment(due)
    while True:
        job = get_job(session, occurrence_id(timer_id, due))
        if job is None or not JobStatus(job.state).final:
            return due
        due += dt.timedelta(seconds=1)


def queue_run(session: Session, timer_id: str, due: dt.datetime) -> str:
    """Queue the run due at ``due`` unless it is queued (or was run) already."""
    job_id = occurrence_id(timer_id, due)
    if get_job(session, job_id) is None:
        delay = max(0.0, (moment(due) - utcnow()).total_seconds())
        payload = {"timer_id": timer_id, "due": moment(due).isoformat()}
        enqueue(session, RUN_KIND, payload, job_id=job_id, delay=delay)
    return job_id
