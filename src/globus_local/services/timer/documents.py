"""The documents Timers returns: the v2 timer (``POST /v2/timer``) and the job document
every ``/jobs/`` route speaks, each run's result with its Transfer task's status now."""

from __future__ import annotations

import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.documents import iso
from globus_local.services.timer.models import Timer, TimerResult, TimerStatus
from globus_local.services.transfer.models_tasks import TransferTask

DEFAULT_RESULTS = 10


def activity(timer: Timer) -> dict[str, t.Any] | None:
    """What the timer is doing, or None once it will do nothing more."""
    if timer.status == TimerStatus.ACTIVE and timer.next_run is not None:
        return {"code": "awaiting_next_run", "next_run": iso(timer.next_run)}
    if timer.status == TimerStatus.INACTIVE:
        reason = (timer.inactive_reason or {}).get("cause") or "other"
        return {"code": "paused", "reason": reason}
    return None


def results(session: Session, timer: Timer, limit: int = DEFAULT_RESULTS) -> list[dict[str, t.Any]]:
    """The latest runs first, each with the status its task has now."""
    rows = list(
        session.scalars(
            select(TimerResult)
            .where(TimerResult.timer_id == timer.id)
            .order_by(TimerResult.ran_at.desc(), TimerResult.id)
            .limit(limit)
        )
    )
    task_ids = [r.task_id for r in rows if r.task_id]
    statuses = (
        {
            task.id: task.status
            for task in session.scalars(select(TransferTask).where(TransferTask.id.in_(task_ids)))
        }
        if task_ids
        else {}
    )
    docs = []
    for row in rows:
        doc: dict[str, t.Any] = {
            "ran_at": iso(row.ran_at),
            "start_timestamp": iso(row.ran_at),
            "scheduled_for": iso(row.scheduled_for),
            "run_status": row.run_status,
            "status": row.http_status,
            "http_status_submission": row.http_status,
            "errors": row.errors,
            "data": None,
        }
        if row.task_id:
            doc["resource_id"] = row.task_id
            doc["data"] = {"task_id": row.task_id, "status": statuses.get(row.task_id)}
        docs.append(doc)
    return docs


def timer_document(session: Session, timer: Timer) -> dict[str, t.Any]:
    """A v2 timer (``{"timer": ...}`` of ``POST /v2/timer``)."""
    return {
        "job_id": timer.id,
        "name": timer.name,
        "timer_type": timer.timer_type,
        "status": str(timer.status),
        "submitted_at": iso(timer.submitted_at),
        "last_ran_at": iso(timer.last_ran_at),
        "next_run": iso(timer.next_run),
        "number_of_runs": timer.number_of_runs,
        "number_of_errors": timer.number_of_errors,
        "inactive_reason": timer.inactive_reason,
        "schedule": timer.schedule,
        "activity": activity(timer),
        "resource_server": "transfer.api.globus.org",
        "body": timer.body,
    }


def job_document(
    session: Session, timer: Timer, result_count: int = DEFAULT_RESULTS
) -> dict[str, t.Any]:
    """A timer as the ``/jobs/`` routes show it (both spellings of the counters)."""
    stop_after = {"date": iso(timer.end_date), "n_runs": timer.end_count}
    if timer.interval_seconds is None:
        stop_after["n_runs"] = 1
    return {
        "job_id": timer.id,
        "name": timer.name,
        "owner": timer.owner_id,
        "timer_type": timer.timer_type,
        "status": str(timer.status),
        "start": iso(timer.start),
        "interval": timer.interval_seconds,
        "stop_after": stop_after,
        "schedule": timer.schedule,
        "callback_url": timer.callback_url,
        "callback_body": {"body": timer.body},
        "scope": timer.scope,
        "inactive_reason": timer.inactive_reason,
        "submitted_at": iso(timer.submitted_at),
        "last_ran_at": iso(timer.last_ran_at),
        "next_run": iso(timer.next_run),
        "activity": activity(timer),
        "n_runs": timer.number_of_runs,
        "n_errors": timer.number_of_errors,
        "number_of_runs": timer.number_of_runs,
        "number_of_errors": timer.number_of_errors,
        "results": {"data": results(session, timer, result_count), "page_next": None},
    }
