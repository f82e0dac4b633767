"""One durable job queue for every service's background work (transfers, ingest, flow runs).

Services enqueue inside their request's transaction and register handlers with
:func:`job_handler` (or :func:`recurring_job` for periodic work); workers (threads in
``serve`` or ``globus-local worker`` processes) claim jobs under a lease so work survives a
crashed worker. A job moves through :class:`JobStatus` states, each change recorded in
``job_events``; it can be canceled (:func:`request_cancel`) or given a deadline, which its
handler sees through :meth:`JobContext.should_stop`. See ``docs/jobs.md``.

The modules: ``status`` (the words), ``models`` (the tables), ``queue`` (every statement
of the lifecycle), ``events`` (recording it), ``context`` (what a handler holds),
``registry`` (which handler runs a kind), ``worker`` (the threads), ``keeper`` (a
worker's lease renewals), ``wakeups``, ``listeners`` (an attempt's end, told in this
process at once), ``recurring`` and ``maintenance``.
"""

from globus_local.jobs import maintenance as maintenance
from globus_local.jobs.context import JobContext, JobError, JobStopped, LeaseLost
from globus_local.jobs.events import events_of
from globus_local.jobs.listeners import on_run_end
from globus_local.jobs.models import (
    CANCELED,
    FAILED,
    PENDING,
    RUNNING,
    SUCCEEDED,
    TIMED_OUT,
    Job,
    JobEvent,
)
from globus_local.jobs.queue import Claim, enqueue, get_job, request_cancel
from globus_local.jobs.recurring import recurring_job
from globus_local.jobs.registry import job_handler
from globus_local.jobs.status import EventType, JobStatus, StopReason
from globus_local.jobs.wakeups import wake_workers
from globus_local.jobs.worker import Worker, WorkerPool

__all__ = [
    "CANCELED",
    "FAILED",
    "PENDING",
    "RUNNING",
    "SUCCEEDED",
    "TIMED_OUT",
    "Claim",
    "EventType",
    "Job",
    "JobContext",
    "JobError",
    "JobEvent",
    "JobStatus",
    "JobStopped",
    "LeaseLost",
    "StopReason",
    "Worker",
    "WorkerPool",
    "enqueue",
    "events_of",
    "get_job",
    "job_handler",
    "on_run_end",
    "recurring_job",
    "request_cancel",
    "wake_workers",
]
