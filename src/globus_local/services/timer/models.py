"""Timers' tables: each timer (its schedule, the transfer it submits, where it stands and
the credentials it runs with) and the result of each run."""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import JSON, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from globus_local.db import Base, StrEnum, UTCDateTime, utcnow

UUID_LEN = 36


class TimerStatus(StrEnum):
    """A timer's status as Timers reports it."""

    ACTIVE = "active"  # scheduled: its next run is queued
    INACTIVE = "inactive"  # paused by the user, or waiting for new consent
    ENDED = "ended"  # its end condition was met
    DELETED = "deleted"


class Timer(Base):
    __tablename__ = "timer_timers"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    timer_type: Mapped[str] = mapped_column(String(16), default="transfer")
    status: Mapped[TimerStatus] = mapped_column(String(16), default=TimerStatus.ACTIVE)
    # The schedule as it is shown, and its parts the scheduler reads.
    schedule: Mapped[dict[str, t.Any]] = mapped_column(JSON)
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    interval_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    end_date: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    end_count: Mapped[int | None] = mapped_column(Integer, default=None)
    # The Transfer submission each run makes (no submission_id: each run gets its own).
    body: Mapped[dict[str, t.Any]] = mapped_column(JSON)
    # How it was created through the legacy job routes (shown back by them).
    callback_url: Mapped[str] = mapped_column(String(255))
    scope: Mapped[str | None] = mapped_column(String(255), default=None)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_ran_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # The scheduled moment of the run that is queued; None once nothing more will run.
    next_run: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    number_of_runs: Mapped[int] = mapped_column(Integer, default=0)
    number_of_errors: Mapped[int] = mapped_column(Integer, default=0)
    inactive_reason: Mapped[dict[str, t.Any] | None] = mapped_column(JSON, default=None)
    # The dependent Transfer refresh token the runs act with, held by the Timers client.
    refresh_token: Mapped[str | None] = mapped_column(Text, default=None)


class TimerResult(Base):
    """One run: its id is the occurrence's (timer id and scheduled moment), so a run is
    stored at most once whatever the workers do."""

    __tablename__ = "timer_results"
    __table_args__ = (Index("ix_timer_results_timer_ran", "timer_id", "ran_at"),)

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    timer_id: Mapped[str] = mapped_column(String(UUID_LEN))
    scheduled_for: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ran_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    run_status: Mapped[str] = mapped_column(String(16))  # "succeeded" | "failed"
    http_status: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    errors: Mapped[dict[str, t.Any] | None] = mapped_column(JSON, default=None)
