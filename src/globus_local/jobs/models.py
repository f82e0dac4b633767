"""The tables of the one durable queue: ``jobs`` (a row per job) and ``job_events`` (what
happened to each, a row per change of its state)."""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from globus_local.db import Base, UTCDateTime, utcnow
from globus_local.jobs.status import EventType, JobStatus

# The names callers used before the enum; each is the enum member itself.
PENDING = JobStatus.PENDING
RUNNING = JobStatus.RUNNING
SUCCEEDED = JobStatus.SUCCEEDED
FAILED = JobStatus.FAILED
CANCELED = JobStatus.CANCELED
TIMED_OUT = JobStatus.TIMED_OUT
STATES = tuple(JobStatus)


class StatusColumn(TypeDecorator[JobStatus]):
    """A :class:`JobStatus` stored as its string, read back as the member."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: t.Any, dialect: Dialect) -> str | None:
        return None if value is None else JobStatus(value).value

    def process_result_value(self, value: t.Any, dialect: Dialect) -> JobStatus | None:
        return None if value is None else JobStatus(value)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_run_after", "state", "run_after"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, t.Any]] = mapped_column(JSON)
    state: Mapped[JobStatus] = mapped_column(StatusColumn(), default=JobStatus.PENDING)
    # How many times a worker has claimed the job; the claim that would exceed
    # ``max_attempts`` fails it instead.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    # Not claimable before this moment (retry back-off).
    run_after: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # While running: the worker holding it and until when; a lapsed lease means a dead worker.
    worker_id: Mapped[str | None] = mapped_column(String(100), default=None)
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # Set on a running job asked to stop; its worker's lease keeper reads it back.
    cancel_requested: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    # Past this moment the job is not started, and a running one is asked to stop.
    deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # The handler's own account of how far it got, written under its lease.
    progress: Mapped[dict[str, t.Any] | None] = mapped_column(JSON, default=None)
    result: Mapped[dict[str, t.Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "payload": self.payload,
            "progress": self.progress,
            "result": self.result,
            "error": self.error,
            "cancel_requested": self.cancel_requested,
            "deadline": self.deadline,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


class EventColumn(TypeDecorator[EventType]):
    """An :class:`EventType` stored as its string, read back as the member."""

    impl = String(24)
    cache_ok = True

    def process_bind_param(self, value: t.Any, dialect: Dialect) -> str | None:
        return None if value is None else EventType(value).value

    def process_result_value(self, value: t.Any, dialect: Dialect) -> EventType | None:
        return None if value is None else EventType(value)


class JobEvent(Base):
    """One change of a job's state. Rows carry no foreign key: events outlive nothing they
    describe for long (old ones are purged by ``jobs.purge_events``) and inserting them
    must not wait on the job row."""

    __tablename__ = "job_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[EventType] = mapped_column(EventColumn())
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    worker_id: Mapped[str | None] = mapped_column(String(100), default=None)
    attempt: Mapped[int | None] = mapped_column(Integer, default=None)
    detail: Mapped[str | None] = mapped_column(Text, default=None)

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "job_id": self.job_id,
            "type": self.type,
            "at": self.at,
            "worker_id": self.worker_id,
            "attempt": self.attempt,
            "detail": self.detail,
        }
