"""The words of a job's lifecycle: the states a job row is in and the events that move it.

Both are ``str`` enums, so a stored value, an old string constant and a member compare
equal (``JobStatus.RUNNING == "running"``).
"""

from __future__ import annotations

from globus_local.db import StrEnum


class JobStatus(StrEnum):
    """Where a job is: waiting, held by a worker, or ended one of four ways."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    TIMED_OUT = "timed_out"  # its deadline passed before it ended

    @property
    def final(self) -> bool:
        """Whether the job has ended for good (a recurring job's row is queued again)."""
        return self in FINAL


FINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED, JobStatus.TIMED_OUT})
ACTIVE = frozenset({JobStatus.PENDING, JobStatus.RUNNING})


class EventType(StrEnum):
    """What happened to a job; one row in ``job_events`` per change of its state."""

    QUEUED = "queued"
    CLAIMED = "claimed"  # a worker took it (attempt n); after another claim: a takeover
    SUCCEEDED = "succeeded"
    RETRY = "retry"  # an attempt failed; queued again after a back-off
    FAILED = "failed"
    CANCEL_REQUESTED = "cancel_requested"
    CANCELED = "canceled"
    TIMED_OUT = "timed_out"
    LEASE_LOST = "lease_lost"  # its worker found another had taken the job over
    RELEASED = "released"  # its worker stopped and handed the job back at once
    RESCHEDULED = "rescheduled"  # a recurring job's run ended; the next one is queued


class StopReason(StrEnum):
    """Why a running job's :meth:`JobContext.should_stop` turned true."""

    CANCELED = "canceled"
    DEADLINE = "deadline"
    SHUTDOWN = "shutdown"  # the worker's process is stopping: another worker resumes it
    LEASE_LOST = "lease_lost"
