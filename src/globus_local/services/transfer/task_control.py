"""What the owner and endpoint managers do to running tasks: update, cancel, pause and
resume. A canceled task no worker is running ends at once; otherwise its worker sees the
request and stops."""

from __future__ import annotations

import time
import typing as t
import uuid

from sqlalchemy.orm import Session

from globus_local.db import Database
from globus_local.jobs import RUNNING
from globus_local.jobs import request_cancel as cancel_job
from globus_local.kit.errors import BadRequest, Conflict
from globus_local.kit.params import parse_datetime
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import task_wait, tasks
from globus_local.services.transfer.models_tasks import ACTIVE, FAILED, AdminCancel, TransferTask
from globus_local.services.transfer.mover import progress
from globus_local.services.transfer.mover.control import is_paused_now
from globus_local.services.transfer.task_access import admin_side, managed_task, own_task
from globus_local.services.transfer.task_documents import admin_cancel_document

# How long a cancel request waits for the task to end before answering "in progress".
CANCEL_WAIT = 10.0
# How often that wait looks at the task again.
CANCEL_POLL = 0.05


def update_task(session: Session, ctx: AuthContext, task_id: str, body: t.Any) -> None:
    """Change an active task's label or deadline."""
    task = own_task(session, ctx, task_id, writing=True)
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a task document")
    if body.get("DATA_TYPE", "task") != "task":
        raise BadRequest("Invalid DATA_TYPE: expected 'task'")
    if task.status != ACTIVE:
        raise Conflict("Only active tasks can be updated")
    if "label" in body:
        task.label = tasks.parse_label(body["label"])
    if body.get("deadline"):
        task.deadline = parse_datetime(body["deadline"], "deadline")


def request_cancel(
    session: Session, task: TransferTask, *, admin_side: str | None = None, message: str = ""
) -> None:
    """Mark a task for cancellation; one no worker is running is finalized right away.

    The job row is written before the task row: a running mover's fenced transactions lock
    them in that order, and PostgreSQL ends one of two transactions taking them the other
    way round as a deadlock."""
    # Its job first: a queued one ends at once, a running one is asked to stop.
    with session.no_autoflush:
        job_state = cancel_job(session, task.job_id) if task.job_id else None
    task.cancel_requested = True
    if admin_side is not None:
        task.canceled_by_admin = admin_side
        task.canceled_by_admin_message = message or None
    if job_state != RUNNING:
        session.flush()
        if progress.finish(
            session,
            task.id,
            FAILED,
            fatal_error={"code": "CANCELED", "description": "canceled"},
            event=("CANCELED", message or "The task was canceled", False),
            leftover="subtasks_canceled",
        ):
            task_wait.ended_after_commit(session, task.id)


def _wait_final(database: Database, task_id: str, timeout: float) -> TransferTask | None:
    """Poll (fresh transactions) until the task has ended, up to ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while True:
        with database.session() as session:
            task = session.get(TransferTask, task_id)
            if task is None or task.status != ACTIVE:
                return task
        if time.monotonic() >= end:
            return None
        time.sleep(CANCEL_POLL)


def cancel_task(
    session: Session, database: Database, ctx: AuthContext, task_id: str
) -> tuple[str, str]:
    """Cancel the caller's task and wait a little for it to end: the result's (code,
    message). The request is committed first, so the worker running the task can see it."""
    task = own_task(session, ctx, task_id, writing=True)
    if task.status != ACTIVE:
        return "TaskComplete", "The task has already completed"
    request_cancel(session, task)
    session.commit()
    final = _wait_final(database, task.id, CANCEL_WAIT)
    if final is None:
        return "CancelAccepted", "The task cancellation has been accepted and is in progress"
    if final.status == FAILED and (final.fatal_error or {}).get("code") == "CANCELED":
        return "Canceled", "The task has been cancelled successfully."
    return "TaskComplete", "The task completed before it could be cancelled"


# -- endpoint managers ---------------------------------------------------------------------------
def _task_ids(body: t.Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("task_id_list"), list):
        raise BadRequest("The request body needs a 'task_id_list'")
    ids = [str(x) for x in body["task_id_list"]]
    if not ids:
        raise BadRequest("'task_id_list' is empty")
    return ids


def _managed_tasks(session: Session, ctx: AuthContext, ids: list[str]) -> list[TransferTask]:
    return [managed_task(session, ctx, task_id, manage=True) for task_id in ids]


def admin_cancel(session: Session, ctx: AuthContext, body: t.Any) -> dict[str, t.Any]:
    """Cancel tasks on endpoints the caller manages; the ``admin_cancel`` document."""
    ids = _task_ids(body)
    message = str(body.get("message") or "")
    found = _managed_tasks(session, ctx, ids)
    for task in found:
        if task.status == ACTIVE:
            side = admin_side(session, ctx, task)
            request_cancel(session, task, admin_side=side, message=message)
    cancel = AdminCancel(
        id=str(uuid.uuid4()), requested_by=ctx.identity_id, message=message, task_id_list=ids
    )
    session.add(cancel)
    session.flush()
    return admin_cancel_document(cancel, all(task.status != ACTIVE for task in found))


def admin_pause(session: Session, ctx: AuthContext, body: t.Any) -> None:
    """Pause tasks on endpoints the caller manages (their workers see it and stop)."""
    found = _managed_tasks(session, ctx, _task_ids(body))
    message = str(body.get("message") or "") or None
    for task in found:
        if task.status == ACTIVE and not task.admin_paused:
            task.admin_paused = True
            task.admin_pause_message = message
            task.is_paused = True
            task.nice_status = "PAUSED_BY_ADMIN"
            task.nice_status_details = message


def admin_resume(session: Session, ctx: AuthContext, body: t.Any) -> None:
    """Lift the caller's pause of tasks; each runs again unless a pause rule still holds it."""
    for task in _managed_tasks(session, ctx, _task_ids(body)):
        if task.status == ACTIVE and task.admin_paused:
            task.admin_paused = False
            task.admin_pause_message = None
            session.flush()
            resume_if_free(session, task)


def resume_if_free(session: Session, task: TransferTask) -> None:
    """Un-pause and requeue a paused task once nothing pauses it any more."""
    if task.status != ACTIVE or is_paused_now(session, task):
        return
    if task.is_paused:
        task.is_paused = False
        task.nice_status = "Queued"
        task.nice_status_details = None
        progress.add_event(session, task.id, "UNPAUSED", "")
    tasks.requeue(session, task)
