"""Paused tasks with nothing pausing them any more run again, whatever raced.

Lifting a pause (a rule changed or deleted, an endpoint manager's resume) requeues the
tasks it held at once (:func:`.task_control.resume_if_free`). A run that saw the pause
and was still recording its PAUSED state while the pause went is not among those tasks:
its job was running, so it was not requeued, and it then ended paused. This recurring
job finds such tasks and requeues them, so no task stays paused with nothing pausing it.
"""

from __future__ import annotations

from sqlalchemy import select

from globus_local.db import Database
from globus_local.jobs import JobContext, recurring_job
from globus_local.services.transfer.models_tasks import ACTIVE, TransferTask
from globus_local.services.transfer.task_control import resume_if_free

JOB_KIND = "transfer.resume_unpaused"
SWEEP_EVERY = 10.0  # seconds between looks
BATCH = 500


def resume_unpaused(db: Database) -> int:
    """Requeue the paused tasks nothing pauses now; how many were requeued."""
    resumed = 0
    with db.session() as session:
        paused = session.scalars(
            select(TransferTask)
            .where(TransferTask.status == ACTIVE, TransferTask.is_paused.is_(True))
            .order_by(TransferTask.id)
            .limit(BATCH)
        )
        for task in paused:
            resume_if_free(session, task)
            resumed += 0 if task.is_paused else 1
    return resumed


@recurring_job(JOB_KIND, every=SWEEP_EVERY)
def run_sweep(ctx: JobContext) -> dict[str, int]:
    return {"resumed": resume_unpaused(ctx.db)}
