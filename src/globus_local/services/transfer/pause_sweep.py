"""Paused tasks with nothing pausing them any more run again, and paused tasks someone
canceled end, whatever raced.

Lifting a pause (a rule changed or deleted, an endpoint manager's resume) requeues the
tasks it held at once (:func:`.task_control.resume_if_free`), and canceling a task no
worker runs ends it at once. A run that saw the pause and was still recording its PAUSED
state while the pause went, or while the task was canceled, is missed by both: its job
was running, so it was neither requeued nor ended, and it then ended paused. This
recurring job finds such tasks, so none stays paused with nothing pausing it or stays
active after a cancel.
"""

from __future__ import annotations

from sqlalchemy import select

from globus_local.db import Database
from globus_local.jobs import JobContext, recurring_job
from globus_local.services.transfer.models_tasks import ACTIVE, TransferTask
from globus_local.services.transfer.task_control import request_cancel, resume_if_free

JOB_KIND = "transfer.resume_unpaused"
SWEEP_EVERY = 10.0  # seconds between looks
BATCH = 500


def resume_unpaused(db: Database) -> int:
    """Requeue the paused tasks nothing pauses now, and end those canceled; how many
    were requeued or ended."""
    resumed = 0
    with db.session() as session:
        paused = session.scalars(
            select(TransferTask)
            .where(TransferTask.status == ACTIVE, TransferTask.is_paused.is_(True))
            .order_by(TransferTask.id)
            .limit(BATCH)
        )
        for task in paused:
            if task.cancel_requested:
                request_cancel(
                    session,
                    task,
                    admin_side=task.canceled_by_admin,
                    message=task.canceled_by_admin_message or "",
                )
                resumed += 1
                continue
            resume_if_free(session, task)
            resumed += 0 if task.is_paused else 1
    return resumed


@recurring_job(JOB_KIND, every=SWEEP_EVERY)
def run_sweep(ctx: JobContext) -> dict[str, int]:
    return {"resumed": resume_unpaused(ctx.db)}
