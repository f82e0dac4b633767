"""The job handler that runs Transfer tasks on the platform's one job queue."""

from __future__ import annotations

import typing as t

from globus_local.jobs import JobContext, JobStopped, StopReason, job_handler

JOB_KIND = "transfer.task"
# Outcomes of a run that ended its task by a cancel (the runner reads the task's own
# cancel request): the job then ends canceled too.
CANCELED_OUTCOMES = frozenset({"canceled", "canceled_by_admin"})


# Why a job goes back to the queue mid-run; a cancel or deadline instead ends the task,
# which the runner reads from the task itself.
HANDED_BACK = frozenset({StopReason.SHUTDOWN, StopReason.LEASE_LOST})


def _handing_back(ctx: JobContext) -> t.Callable[[], bool]:
    return lambda: ctx.stop_reason in HANDED_BACK


@job_handler(JOB_KIND)
def run_transfer_task(ctx: JobContext) -> dict[str, t.Any]:
    """Run (or resume) the task named in the payload until it ends or must wait.

    Anything unexpected (the database going away...) propagates, so the queue retries the
    job later; the task resumes from its stored rows.
    """
    from globus_local.services.transfer.models_tasks import SUCCEEDED
    from globus_local.services.transfer.mover.runner import TaskRunner, cleanup_temps

    task_id = ctx.payload["task_id"]
    outcome = TaskRunner(
        ctx.db, task_id, heartbeat=ctx.heartbeat, fence=ctx.fence, handing_back=_handing_back(ctx)
    ).run()
    # A task that succeeded has no row left pending or staged, so no temp file to remove.
    if outcome not in ("paused", "lost", SUCCEEDED):
        cleanup_temps(ctx.db, task_id)
    result = {"task_id": task_id, "outcome": outcome}
    if outcome == "lost" and ctx.stop_reason in HANDED_BACK:
        raise JobStopped(ctx.stop_reason, result=result)
    if outcome in CANCELED_OUTCOMES:
        raise JobStopped(StopReason.CANCELED, result=result)
    return result
