"""Flows' tables: flows and who holds which role on them, runs (with the engine's state),
their roles, their log and the provider tokens a run acts with.

A principal list (viewers, starters, run managers...) is kept twice: as JSON on the row,
in the order the client gave it, for the documents; and one row per principal in a roles
table, so listing what a caller may see is an indexed ``principal IN (...)`` query.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from globus_local.db import Base, StrEnum, UTCDateTime, utcnow

UUID_LEN = 36
URN_LEN = 128


class RunStatus(StrEnum):
    """A run's status as Flows reports it."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"  # waiting on the user (e.g. ConsentRequired) until resumed
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ENDED = "ENDED"

    @property
    def final(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.ENDED)


class Flow(Base):
    __tablename__ = "flows_flows"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    subtitle: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    definition: Mapped[dict[str, t.Any]] = mapped_column(JSON)
    input_schema: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    owner_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    created_by: Mapped[str] = mapped_column(String(UUID_LEN))
    flow_viewers: Mapped[list[str]] = mapped_column(JSON, default=list)
    flow_starters: Mapped[list[str]] = mapped_column(JSON, default=list)
    flow_administrators: Mapped[list[str]] = mapped_column(JSON, default=list)
    run_managers: Mapped[list[str]] = mapped_column(JSON, default=list)
    run_monitors: Mapped[list[str]] = mapped_column(JSON, default=list)
    subscription_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    scope_string: Mapped[str] = mapped_column(String(512))
    # Each action state's scope (given, or found from its provider), by state name.
    action_scopes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class FlowRole(Base):
    """One principal's role on one flow (``flow_owner``, ``flow_viewer``, ...)."""

    __tablename__ = "flows_flow_roles"
    __table_args__ = (Index("ix_flows_flow_roles_principal", "principal", "role"),)

    flow_id: Mapped[str] = mapped_column(
        ForeignKey("flows_flows.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    principal: Mapped[str] = mapped_column(String(URN_LEN), primary_key=True)


class Run(Base):
    """A run of a flow: its document fields, and the engine's state between steps."""

    __tablename__ = "flows_runs"
    __table_args__ = (
        Index("ix_flows_runs_flow_start", "flow_id", "start_time"),
        # A run started with a request_id (as an action provider is) is that request's.
        Index("ix_flows_runs_request", "flow_id", "owner_id", "request_id", unique=True),
    )

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows_flows.id"))
    flow_title: Mapped[str] = mapped_column(String(255))
    flow_last_updated: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    definition: Mapped[dict[str, t.Any]] = mapped_column(JSON)
    input_schema: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    action_scopes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    owner_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    request_id: Mapped[str | None] = mapped_column(String(255), default=None)
    label: Mapped[str] = mapped_column(String(255), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    run_managers: Mapped[list[str]] = mapped_column(JSON, default=list)
    run_monitors: Mapped[list[str]] = mapped_column(JSON, default=list)
    activity_notification_policy: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.ACTIVE.value, index=True)
    details: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    input: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    # What $._context reads (user, email, identities, token times).
    context: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    # The platform root the run calls the platform's own providers at.
    public_root: Mapped[str] = mapped_column(String(512))
    start_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    completion_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # -- the engine's state: where the run is and what it waits for --------------------
    state_name: Mapped[str | None] = mapped_column(String(255), default=None)
    document: Mapped[t.Any] = mapped_column(JSON, default=dict)
    # Times each state was entered: the attempt number in an action's request_id.
    state_entries: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # The action the current Action state started (its CallAction, then its id).
    action: Mapped[dict[str, t.Any] | None] = mapped_column(JSON, default=None)
    action_id: Mapped[str | None] = mapped_column(String(255), default=None)
    action_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    poll_interval: Mapped[float] = mapped_column(Float, default=0.0)
    # A Wait state's moment, and where the run goes after it.
    wait_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    wait_then: Mapped[dict[str, t.Any] | None] = mapped_column(JSON, default=None)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    log_count: Mapped[int] = mapped_column(Integer, default=0)
    # The job that works the run now (each poll or wait hands over to a new one).
    job_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    released: Mapped[bool] = mapped_column(Boolean, default=False)


class RunRole(Base):
    """One principal's role on one run (``run_owner``, ``run_manager``, ``run_monitor``)."""

    __tablename__ = "flows_run_roles"
    __table_args__ = (Index("ix_flows_run_roles_principal", "principal", "role"),)

    run_id: Mapped[str] = mapped_column(
        ForeignKey("flows_runs.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    principal: Mapped[str] = mapped_column(String(URN_LEN), primary_key=True)


class RunLogEntry(Base):
    """One entry of a run's log, numbered from 0 in the order written."""

    __tablename__ = "flows_run_log"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("flows_runs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    code: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)


class RunToken(Base):
    """A token the run acts with for one scope: a dependent token of the user's flow
    token, with its refresh token so a run that outlives it can go on."""

    __tablename__ = "flows_run_tokens"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("flows_runs.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(512), primary_key=True)
    resource_server: Mapped[str] = mapped_column(String(255))
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text, default=None)
    expires_at: Mapped[int] = mapped_column(Integer)


MODELS: tuple[type[t.Any], ...] = (Flow, FlowRole, Run, RunRole, RunLogEntry, RunToken)
