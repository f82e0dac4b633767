"""One durable job queue for every service's background work (transfers, ingest, flow runs).

Services enqueue inside their request's transaction and register handlers with
:func:`job_handler` (or :func:`recurring_job` for periodic work); workers (threads in
``serve`` or ``globus-local worker`` processes) claim jobs under a lease so work survives a
crashed worker.
"""

from globus_local.jobs.models import FAILED, PENDING, RUNNING, SUCCEEDED, Job
from globus_local.jobs.queue import Claim, enqueue, get_job, wake_workers
from globus_local.jobs.recurring import recurring_job
from globus_local.jobs.registry import JobContext, JobError, LeaseLost, job_handler
from globus_local.jobs.worker import Worker, WorkerPool

__all__ = [
    "FAILED",
    "PENDING",
    "RUNNING",
    "SUCCEEDED",
    "Claim",
    "Job",
    "JobContext",
    "JobError",
    "LeaseLost",
    "Worker",
    "WorkerPool",
    "enqueue",
    "get_job",
    "job_handler",
    "recurring_job",
    "wake_workers",
]
