"""The ``timer.run`` job: one occurrence of a timer, due at ``payload["due"]``.

It runs only while the timer still expects it (active, with ``next_run`` equal to its
moment), so a paused, resumed, deleted or rescheduled timer's stale jobs do nothing. The
Transfer submission, the run's result, the counters and the queueing of the next run are
one transaction fenced by the job's lease: a worker that dies before the commit leaves
nothing behind, and the next attempt submits with the same ``submission_id``, which
Transfer answers with the same task.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from dataclasses import dataclass

from sqlalchemy.orm import Session

from globus_local.config import Settings
from globus_local.db import utcnow
from globus_local.jobs.context import JobContext
from globus_local.jobs.registry import job_handler
from globus_local.kit.errors import ServiceError
from globus_local.services.timer import credentials
from globus_local.services.timer.models import Timer, TimerResult, TimerStatus
from globus_local.services.timer.occurrences import RUN_KIND, moment, occurrence_id, queue_run
from globus_local.services.timer.schedules import Schedule
from globus_local.services.transfer import tasks


@dataclass(frozen=True)
class Outcome:
    """How the submission went: a task, or the error that stopped it."""

    task_id: str | None = None
    http_status: int = 202
    errors: dict[str, t.Any] | None = None
    credentials_lost: bool = False


def _expected(session: Session, timer_id: str, due: dt.datetime) -> Timer | None:
    timer = session.get(Timer, timer_id, with_for_update=True)
    if timer is None or timer.status != TimerStatus.ACTIVE or timer.next_run is None:
        return None
    return timer if moment(timer.next_run) == due else None


def _submit(session: Session, settings: Settings, timer: Timer, run_id: str) -> Outcome:
    ctx = credentials.transfer_context(session, settings, timer.refresh_token)
    document = {**timer.body, "submission_id": run_id}
    task, _ = tasks.submit(session, ctx, document, "transfer")
    return Outcome(task_id=task.id)


def _failure(err: Exception) -> Outcome:
    if isinstance(err, credentials.CredentialsLost):
        return Outcome(http_status=403, errors=err.requirement, credentials_lost=True)
    assert isinstance(err, ServiceError)
    errors = {"code": err.code, "message": err.message, "http_status": err.http_status}
    return Outcome(http_status=err.http_status, errors=errors)


def schedule_of(timer: Timer) -> Schedule:
    return Schedule(timer.start, timer.interval_seconds, timer.end_date, timer.end_count)


def _record(
    session: Session, timer: Timer, due: dt.datetime, run_id: str, outcome: Outcome
) -> None:
    now = utcnow()
    session.add(
        TimerResult(
            id=run_id,
            timer_id=timer.id,
            scheduled_for=due,
            ran_at=now,
            run_status="failed" if outcome.errors else "succeeded",
            http_status=outcome.http_status,
            task_id=outcome.task_id,
            errors=outcome.errors,
        )
    )
    timer.last_ran_at = now
    if outcome.errors:
        timer.number_of_errors += 1
    else:
        timer.number_of_runs += 1
    if outcome.credentials_lost:
        timer.status = TimerStatus.INACTIVE
        timer.inactive_reason = {"cause": "globus_auth_requirements", "detail": outcome.errors}
        timer.next_run = None
        return
    following = schedule_of(timer).next_run(due, moment(now), timer.number_of_runs)
    if following is None:
        timer.status = TimerStatus.ENDED
        timer.next_run = None
    else:
        timer.next_run = following
        queue_run(session, timer.id, following)


@job_handler(RUN_KIND)
def run_timer(ctx: JobContext) -> dict[str, t.Any]:
    timer_id = str(ctx.payload["timer_id"])
    due = moment(dt.datetime.fromisoformat(str(ctx.payload["due"])))
    run_id = occurrence_id(timer_id, due)
    settings = Settings.from_env()
    with ctx.db.session() as session:
        ctx.fence(session)
        timer = _expected(session, timer_id, due)
        if timer is None:
            return {"ran": False}
        try:
            outcome = _submit(session, settings, timer, run_id)
        except (credentials.CredentialsLost, ServiceError) as err:
            # Nothing of the refused submission is kept; the failure is recorded afresh.
            session.rollback()
            ctx.fence(session)
            timer = _expected(session, timer_id, due)
            if timer is None:
                return {"ran": False}
            outcome = _failure(err)
        _record(session, timer, due, run_id, outcome)
        return {"ran": True, "task_id": outcome.task_id, "errors": outcome.errors}
