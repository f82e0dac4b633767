"""The actions table: one row per action a provider started, kept until it is released
or its ``release_after`` runs out."""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from globus_local.db import Base, StrEnum, UTCDateTime, utcnow


class ActionState(StrEnum):
    """An action's ``status`` as the Action Provider interface spells it."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


RUNNING_STATES = (ActionState.ACTIVE, ActionState.INACTIVE)
FINAL_STATES = (ActionState.SUCCEEDED, ActionState.FAILED)


class Action(Base):
    """One action. ``state`` is the provider's own bookkeeping (the Transfer task it
    follows, when a sleep ends); ``log`` its entries, oldest first."""

    __tablename__ = "actions_actions"
    __table_args__ = (UniqueConstraint("provider", "creator_id", "request_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provider: Mapped[str] = mapped_column(String(100))
    creator_id: Mapped[str] = mapped_column(String(36), index=True)
    request_id: Mapped[str] = mapped_column(String(256))
    # sha256 of the request as sent: a repeated request_id must repeat the request.
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    display_status: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(64), default=None)
    monitor_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    manage_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    completion_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # Seconds an ended action is kept (the request's ``release_after``).
    release_after: Mapped[int] = mapped_column(Integer)
    # When an ended action goes; None while it runs.
    release_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    details: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    state: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    log: Mapped[list[dict[str, t.Any]]] = mapped_column(JSON, default=list)
