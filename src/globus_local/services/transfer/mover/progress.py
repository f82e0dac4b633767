"""The mover's writes to a task: counters from its rows, events, and the final status.

Counters are recomputed from the file rows (never incremented), so a resumed or
concurrently finishing run can never count a file twice.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from globus_local.db import utcnow
from globus_local.services.transfer.models_tasks import (
    ACTIVE,
    KIND_FILE,
    ROW_DONE,
    ROW_FAILED,
    ROW_PENDING,
    ROW_SKIPPED,
    ROW_STAGED,
    TaskEvent,
    TaskFile,
    TransferTask,
)

_DESCRIPTIONS = {
    "STARTED": "started",
    "SUCCEEDED": "succeeded",
    "CANCELED": "canceled",
    "PAUSED": "paused",
    "UNPAUSED": "unpaused",
    "DEADLINE": "deadline exceeded",
}


def add_event(
    session: Session, task_id: str, code: str, details: str = "", *, is_error: bool = False
) -> None:
    description = _DESCRIPTIONS.get(code) or code.lower().replace("_", " ")
    session.add(
        TaskEvent(
            task_id=task_id,
            time=utcnow(),
            code=code,
            description=description,
            details=details,
            is_error=is_error,
        )
    )


def groups(session: Session, task_id: str) -> list[tuple[t.Any, ...]]:
    """The task's rows grouped as (kind, state, outcome, count, bytes, checksummed)."""
    rows = session.execute(
        select(
            TaskFile.kind,
            TaskFile.state,
            TaskFile.outcome,
            func.count(),
            func.coalesce(func.sum(TaskFile.size), 0),
            func.coalesce(func.sum(TaskFile.bytes_checksummed), 0),
        )
        .where(TaskFile.task_id == task_id)
        .group_by(TaskFile.kind, TaskFile.state, TaskFile.outcome)
    ).all()
    return [tuple(row) for row in rows]


def counters(session: Session, task: TransferTask, *, retrying: int = 0) -> dict[str, int]:
    """The task's counters as its rows stand now."""
    return tally(len(task.items or []), task.expanded, groups(session, task.id), retrying=retrying)


class Tally:
    """A running run's own copy of its task's row groups, moved along with each state
    change it writes, so progress while the task runs costs no scan of its rows (a scan
    per flush grows with the square of the task's size). The end of a run still counts
    the rows themselves."""

    def __init__(self, rows: t.Iterable[t.Sequence[t.Any]]) -> None:
        self.groups: dict[tuple[t.Any, ...], list[int]] = {}
        for kind, state, outcome, count, size, checksummed in rows:
            self.add((kind, state, outcome), int(count), int(size), int(checksummed))

    def add(self, key: tuple[t.Any, ...], count: int, size: int, checksummed: int) -> None:
        group = self.groups.setdefault(key, [0, 0, 0])
        group[0] += count
        group[1] += size
        group[2] += checksummed

    def move(
        self, kind: str, size: int, to: tuple[str, str | None], new_size: int, checksummed: int
    ) -> None:
        """One pending row of ``kind`` now has state and outcome ``to``."""
        self.add((kind, ROW_PENDING, None), -1, -size, 0)
        self.add((kind, *to), 1, new_size, checksummed)

    def shift(
        self, kind: str, to: tuple[str, str | None], count: int, size: int, checksummed: int
    ) -> None:
        """``count`` pending rows of ``kind`` (``size`` bytes in all, as expected) now have
        state and outcome ``to``: :meth:`move` for many rows at once."""
        self.add((kind, ROW_PENDING, None), -count, -size, 0)
        self.add((kind, *to), count, size, checksummed)

    def staged_done(self, kind: str, count: int, size: int, checksummed: int) -> None:
        """``count`` staged (transferred) rows of ``kind`` are now done."""
        self.add((kind, ROW_STAGED, "transferred"), -count, -size, -checksummed)
        self.add((kind, ROW_DONE, "transferred"), count, size, checksummed)

    def kinds_pending(self) -> set[str]:
        """The kinds of row with some pending or staged."""
        return {
            kind
            for (kind, state, _), values in self.groups.items()
            if values[0] and state in (ROW_PENDING, ROW_STAGED)
        }

    def numbers(self, items: int, *, retrying: int = 0) -> dict[str, int]:
        rows = [(*key, *values) for key, values in self.groups.items() if values[0]]
        return tally(items, True, rows, retrying=retrying)


def tally(
    items: int,
    expanded: bool,
    groups: t.Iterable[t.Sequence[t.Any]],
    *,
    retrying: int = 0,
) -> dict[str, int]:
    """The counters of a task with ``items`` items from its rows, grouped as (kind, state,
    outcome, count, bytes, checksummed)."""
    out = {
        "files_transferred": 0,
        "bytes_transferred": 0,
        "files_skipped": 0,
        "bytes_checksummed": 0,
        "subtasks_total": items,
        "subtasks_pending": 0 if expanded else items,
        "subtasks_succeeded": items if expanded else 0,
        "subtasks_failed": 0,
        "subtasks_skipped_errors": 0,
        "subtasks_retrying": retrying,
    }
    for kind, state, outcome, count, size, checksummed in groups:
        out["subtasks_total"] += count
        out["bytes_checksummed"] += int(checksummed)
        if state == ROW_DONE:
            out["subtasks_succeeded"] += count
            if kind == KIND_FILE:
                out["files_transferred"] += count
                out["bytes_transferred"] += int(size)
        elif state == ROW_SKIPPED:
            if outcome == "error":
                out["subtasks_skipped_errors"] += count
            else:
                out["subtasks_succeeded"] += count
                if kind == KIND_FILE:
                    out["files_skipped"] += count
        elif state == ROW_FAILED:
            out["subtasks_failed"] += count
        elif state in (ROW_PENDING, ROW_STAGED):
            out["subtasks_pending"] += count
    return out


def save_progress(
    session: Session,
    task_id: str,
    *,
    retrying: int = 0,
    numbers: dict[str, int] | None = None,
    **fields: t.Any,
) -> TransferTask | None:
    """Refresh the counters (and set ``fields``) of an ACTIVE task: from its rows, or
    ``numbers`` the caller keeps."""
    task = session.get(TransferTask, task_id)
    if task is None or task.status != ACTIVE:
        return None
    if numbers is None:
        numbers = counters(session, task, retrying=retrying)
    for key, value in numbers.items():
        setattr(task, key, value)
    for key, value in fields.items():
        setattr(task, key, value)
    return task


def finish(
    session: Session,
    task_id: str,
    status: str,
    *,
    fatal_error: dict[str, str] | None = None,
    event: tuple[str, str, bool] | None = None,
    leftover: str | None = None,
    extra: dict[str, t.Any] | None = None,
    numbers: dict[str, int] | None = None,
) -> bool:
    """Move an ACTIVE task to its final ``status``; False when it was no longer ACTIVE.

    ``leftover`` names the counter unfinished rows move to (``subtasks_canceled`` or
    ``subtasks_expired``); ``numbers`` are counters the caller just took in this
    transaction (spares counting the rows again).
    """
    now = utcnow()
    values: dict[str, t.Any] = {
        "status": status,
        "completion_time": now,
        "fatal_error": fatal_error,
        "nice_status": None,
        "nice_status_details": None,
        "nice_status_short_description": None,
        "is_paused": False,
        **(extra or {}),
    }
    res = t.cast(
        "CursorResult[t.Any]",  # an UPDATE's result counts the rows it matched
        session.execute(
            update(TransferTask)
            .where(TransferTask.id == task_id, TransferTask.status == ACTIVE)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    if not res.rowcount:
        return False
    task = session.get(TransferTask, task_id)
    assert task is not None
    # The UPDATE bypassed the loaded task: give it the same values instead of reading it again.
    for key, value in values.items():
        set_committed_value(task, key, value)
    if numbers is None:
        numbers = counters(session, task)
    else:
        numbers = dict(numbers)
    if leftover:
        numbers[leftover] = numbers["subtasks_pending"]
        numbers["subtasks_pending"] = 0
    for key, value in numbers.items():
        setattr(task, key, value)
    if event is not None:
        code, details, is_error = event
        add_event(session, task_id, code, details, is_error=is_error)
    return True


def deadline_passed(deadline: dt.datetime | None) -> bool:
    if deadline is None:
        return False
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=dt.timezone.utc)
    return utcnow() > deadline
