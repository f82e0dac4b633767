"""Transfer's task-side tables: tasks, their expanded file rows, events, pause rules and
administrator cancels.

A task's items are expanded once into ``transfer_task_files`` rows; each row's ``state``
is the durable record of progress, so a worker that dies loses nothing and a resumed task
never redoes a finished file.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from globus_local.db import Base, StrEnum, UTCDateTime, utcnow

UUID_LEN = 36


class TaskStatus(StrEnum):
    """A task's status, as the Transfer API names it (stored as its value)."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class RowState(StrEnum):
    """Where one file row of a task stands in the mover (stored as its value)."""

    PENDING = "pending"  # not done yet (a temp copy may exist and is redone)
    STAGED = "staged"  # fully copied and verified into its temp file; rename pending
    DONE = "done"
    SKIPPED = "skipped"  # up to date already (sync_level), or a skipped source error
    FAILED = "failed"


# The members by their short names, as the mover's loops and the queries use them.
ACTIVE, INACTIVE, SUCCEEDED, FAILED = TaskStatus
FINAL_STATUSES = (SUCCEEDED, FAILED)
ROW_PENDING, ROW_STAGED, ROW_DONE, ROW_SKIPPED, ROW_FAILED = RowState

# Row kinds.
KIND_FILE, KIND_DIR, KIND_SYMLINK = "file", "dir", "symlink"
KIND_DELETE, KIND_DELETE_EXTRA = "delete", "delete_extra"


class TransferTask(Base):
    __tablename__ = "transfer_tasks"
    __table_args__ = (
        Index("ix_transfer_tasks_owner_request", "owner_id", "request_time"),
        Index("ix_transfer_tasks_owner_submission", "owner_id", "submission_id", unique=True),
    )

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    submission_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(16))  # TRANSFER | DELETE
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE, index=True)
    label: Mapped[str | None] = mapped_column(Text, default=None)
    owner_id: Mapped[str] = mapped_column(String(UUID_LEN))
    username: Mapped[str] = mapped_column(String(255))
    # Every identity linked to the owner when the task was submitted: the mover checks
    # access as that identity set.
    owner_identity_set: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    completion_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    source_endpoint_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    destination_endpoint_id: Mapped[str | None] = mapped_column(
        String(UUID_LEN), default=None, index=True
    )
    # Host endpoints of shared source/destination endpoints (their managers see the task).
    source_host_endpoint_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    destination_host_endpoint_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    source_display_name: Mapped[str | None] = mapped_column(Text, default=None)
    destination_display_name: Mapped[str | None] = mapped_column(Text, default=None)
    # Transfer/delete options as submitted and validated (sync_level, verify_checksum...).
    options: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    # The validated items (normalised paths) the mover expands.
    items: Mapped[list[dict[str, t.Any]]] = mapped_column(JSON, default=list)
    expanded: Mapped[bool] = mapped_column(Boolean, default=False)
    job_id: Mapped[str | None] = mapped_column(String(100), default=None)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    # Counters, refreshed by the mover from the file rows as it goes.
    files: Mapped[int] = mapped_column(Integer, default=0)
    directories: Mapped[int] = mapped_column(Integer, default=0)
    symlinks: Mapped[int] = mapped_column(Integer, default=0)
    files_skipped: Mapped[int] = mapped_column(Integer, default=0)
    files_transferred: Mapped[int] = mapped_column(Integer, default=0)
    bytes_transferred: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_checksummed: Mapped[int] = mapped_column(BigInteger, default=0)
    subtasks_total: Mapped[int] = mapped_column(Integer, default=0)
    subtasks_pending: Mapped[int] = mapped_column(Integer, default=0)
    subtasks_retrying: Mapped[int] = mapped_column(Integer, default=0)
    subtasks_succeeded: Mapped[int] = mapped_column(Integer, default=0)
    subtasks_failed: Mapped[int] = mapped_column(Integer, default=0)
    subtasks_canceled: Mapped[int] = mapped_column(Integer, default=0)
    subtasks_expired: Mapped[int] = mapped_column(Integer, default=0)
    subtasks_skipped_errors: Mapped[int] = mapped_column(Integer, default=0)
    faults: Mapped[int] = mapped_column(Integer, default=0)
    fatal_error: Mapped[dict[str, t.Any] | None] = mapped_column(JSON, default=None)
    nice_status: Mapped[str | None] = mapped_column(String(64), default="Queued")
    nice_status_details: Mapped[str | None] = mapped_column(Text, default=None)
    nice_status_short_description: Mapped[str | None] = mapped_column(String(255), default=None)
    # Pausing: by an endpoint manager (admin_pause) or by a pause rule on an endpoint.
    is_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    admin_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    admin_pause_message: Mapped[str | None] = mapped_column(Text, default=None)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    canceled_by_admin: Mapped[str | None] = mapped_column(String(32), default=None)
    canceled_by_admin_message: Mapped[str | None] = mapped_column(Text, default=None)
    history_deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class TaskFile(Base):
    """One unit of a task's work: a file, directory, symlink or path to delete."""

    __tablename__ = "transfer_task_files"
    # A row's state is not in the main index: the mover updates every row's state once or
    # twice, and an index holding it made each such update move an index entry too.
    # Skipped errors, the one listing that wants few rows by state, have their own.
    __table_args__ = (
        Index("ix_transfer_task_files_task", "task_id", "id"),
        Index(
            "ix_transfer_task_files_skipped",
            "task_id",
            "id",
            sqlite_where=text("state = 'skipped'"),
            postgresql_where=text("state = 'skipped'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("transfer_tasks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=ROW_PENDING)
    source_path: Mapped[str | None] = mapped_column(Text, default=None)
    destination_path: Mapped[str | None] = mapped_column(Text, default=None)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    mtime: Mapped[float | None] = mapped_column(Float, default=None)
    link_target: Mapped[str | None] = mapped_column(Text, default=None)
    is_directory: Mapped[bool] = mapped_column(Boolean, default=False)
    external_checksum: Mapped[str | None] = mapped_column(String(256), default=None)
    checksum_algorithm: Mapped[str | None] = mapped_column(String(32), default=None)
    # How it ended: transferred / up_to_date (sync_level) / error (skipped source error).
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    bytes_checksummed: Mapped[int] = mapped_column(BigInteger, default=0)
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    error_details: Mapped[str | None] = mapped_column(Text, default=None)
    error_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # The run that staged the row: its temp file carries that run's number, so a resumed
    # run renames exactly that file (never one a stale worker may have left).
    staged_run: Mapped[int | None] = mapped_column(Integer, default=None)
    # Nothing was at the destination path when the task was expanded: the file is made by
    # linking a complete anonymous copy there (never over anything), so a resumed run that
    # finds it in place while the row is pending knows a dead run put it there.
    new_destination: Mapped[bool] = mapped_column(Boolean, default=False)


class TaskEvent(Base):
    __tablename__ = "transfer_task_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    task_id: Mapped[str] = mapped_column(
        ForeignKey("transfer_tasks.id", ondelete="CASCADE"), index=True
    )
    time: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    code: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")
    is_error: Mapped[bool] = mapped_column(Boolean, default=False)


PAUSE_FLAGS = (
    "pause_ls",
    "pause_mkdir",
    "pause_rename",
    "pause_task_delete",
    "pause_task_transfer_write",
    "pause_task_transfer_read",
)


class PauseRule(Base):
    """An endpoint manager's rule pausing (some of) the activity on an endpoint."""

    __tablename__ = "transfer_pause_rules"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    identity_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    start_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    modified_by_id: Mapped[str] = mapped_column(String(UUID_LEN))
    created_by_host_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    editable: Mapped[bool] = mapped_column(Boolean, default=True)
    pause_ls: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_mkdir: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_rename: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_task_delete: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_task_transfer_write: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_task_transfer_read: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminCancel(Base):
    """An endpoint manager's request to cancel a list of tasks (``admin_cancel``)."""

    __tablename__ = "transfer_admin_cancels"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    requested_by: Mapped[str] = mapped_column(String(UUID_LEN))
    message: Mapped[str] = mapped_column(Text, default="")
    task_id_list: Mapped[list[str]] = mapped_column(JSON, default=list)
    created: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
