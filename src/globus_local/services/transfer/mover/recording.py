"""Recording what a run's rows came to, each flush in one fenced transaction.

A flush marks ``done`` the rows renamed into place since the previous flush, and records
the outcomes the threads handed in: a copy in its temp file ``staged`` (with the run that
wrote it), a linked or finished row ``done``, an up-to-date one or a skipped source error
``skipped``, a fault that fails the task ``failed``. The common cases share their values,
so they go as bulk ``UPDATE``s by runs of consecutive ids; the rest row by row.

Progress counters come from the run's own :class:`progress.Tally`, moved along with each
change written (the job's fence keeps any other run out), so a flush scans no rows.
"""

from __future__ import annotations

import time
import typing as t

from sqlalchemy import bindparam, update

from globus_local.db import Database, utcnow
from globus_local.services.transfer.models_tasks import (
    ACTIVE,
    ROW_DONE,
    ROW_FAILED,
    ROW_PENDING,
    ROW_SKIPPED,
    ROW_STAGED,
    TransferTask,
)
from globus_local.services.transfer.mover import progress
from globus_local.services.transfer.mover.faults import Fault
from globus_local.services.transfer.mover.rows import FILES, update_rows
from globus_local.services.transfer.mover.state import RunState, TaskFacts
from globus_local.services.transfer.mover.subtasks import Outcome, SubtaskResult

Fence = t.Callable[[t.Any], None]

# Results recorded in bulk (when the size is as expected): their row state and outcome.
_BULK: dict[str, tuple[str, str]] = {
    SubtaskResult.STAGED: (ROW_STAGED, "transferred"),
    SubtaskResult.LINKED: (ROW_DONE, "transferred"),
    SubtaskResult.DONE: (ROW_DONE, "done"),
    SubtaskResult.UP_TO_DATE: (ROW_SKIPPED, "up_to_date"),
}

# Bound once: a member looked up on its enum class costs a descriptor call, and this
# runs once per file.
_STAGED = SubtaskResult.STAGED


class Recorder:
    """Writes a run's outcomes and counters; every write is fenced by the job's lease."""

    def __init__(self, db: Database, facts: TaskFacts, fence: Fence, state: RunState) -> None:
        self.db = db
        self.facts = facts
        self.task_id = facts.task_id
        # Called first in every transaction that records progress: raises LeaseLost unless
        # this worker still holds the task's job, so a stale worker's writes never land.
        self.fence = fence
        self.state = state
        self.tally: progress.Tally | None = None  # row groups as this run changed them
        self.counts_own = False  # this run stored every row itself: its tally is exact
        self.renamed: list[Outcome] = []  # staged rows renamed into place, not yet recorded

    def adopt(self, tally: progress.Tally) -> None:
        """Keep the tally of the rows this run stored when it expanded the task."""
        self.tally = tally
        self.counts_own = True

    def flush(self, outcomes: list[Outcome], *, counters: bool = True) -> list[Outcome]:
        """Record ``outcomes`` (and the renames since the last flush) in one transaction:
        the staged ones, now to be renamed into place."""
        if not outcomes and not self.renamed:
            return []
        staged = [o for o in outcomes if o.status is _STAGED]
        run_number = self.facts.run_number
        now = utcnow()
        # One bulk UPDATE per shared set of values, and one move of the tally per kind of
        # row (a flush takes many outcomes).
        plain: dict[tuple[str, str, int], list[int]] = {}
        shifted: dict[tuple[str, str, str], list[int]] = {}  # -> [rows, bytes, checksummed]
        params = []
        moves: list[tuple[str, int, tuple[str, str | None], int, int]] = []  # for the tally
        for o in outcomes:
            row = o.row
            size = o.size or row.size
            bulk = _BULK.get(o.status)
            checked = o.checksummed
            if bulk is not None and size == row.size:
                if not checked or checked == size or checked == 2 * size:
                    state, outcome = bulk
                    plain.setdefault(
                        (state, outcome, checked // size if checked else 0), []
                    ).append(row.id)
                    group = shifted.get((row.kind, state, outcome))
                    if group is None:
                        group = shifted[(row.kind, state, outcome)] = [0, 0, 0]
                    group[0] += 1
                    group[1] += size
                    group[2] += checked
                    continue
            values = _row_values(o, size, run_number, now)
            params.append(values)
            to = (values["new_state"], values["new_outcome"])
            moves.append((o.row.kind, o.row.size, to, size, o.checksummed or 0))
        with self.db.session() as session:
            self.fence(session)
            self.state.last_beat = time.monotonic()  # the fence renewed the lease too
            if self.tally is None and counters:  # taken before this flush's changes
                self.tally = progress.Tally(progress.groups(session, self.task_id))
            self.mark_renamed(session)
            for (state, outcome, factor), ids in plain.items():
                checksummed = FILES.c.size * factor if factor else 0
                changes = {"state": state, "outcome": outcome, "bytes_checksummed": checksummed}
                if state == ROW_STAGED:
                    changes["staged_run"] = run_number
                update_rows(session, ids, ROW_PENDING, changes)
            if params:
                session.execute(
                    update(FILES)
                    .where(FILES.c.id == bindparam("row_id"), FILES.c.state == ROW_PENDING)
                    .values(
                        state=bindparam("new_state"),
                        outcome=bindparam("new_outcome"),
                        size=bindparam("new_size"),
                        bytes_checksummed=bindparam("new_checksummed"),
                        error_code=bindparam("new_code"),
                        error_details=bindparam("new_details"),
                        error_time=bindparam("new_time"),
                        staged_run=bindparam("new_run"),
                    ),
                    params,
                )
            if self.tally is not None:
                for (kind, state, outcome), (count, size, checked) in shifted.items():
                    self.tally.shift(kind, (state, outcome), count, size, checked)
                for move in moves:
                    self.tally.move(*move)
            if counters:
                assert self.tally is not None
                numbers = self.tally.numbers(len(self.facts.items), retrying=self.state.retrying)
                progress.save_progress(session, self.task_id, numbers=numbers)
        return staged

    def mark_renamed(self, session: t.Any) -> None:
        """Record as ``done`` the rows renamed into place since the last flush (by their
        ids: renames of later flushes may still be under way)."""
        if not self.renamed:
            return
        renamed, self.renamed = self.renamed, []
        update_rows(session, [o.row.id for o in renamed], ROW_STAGED, {"state": ROW_DONE})
        if self.tally is not None:
            moved: dict[str, list[int]] = {}
            for o in renamed:
                group = moved.setdefault(o.row.kind, [0, 0, 0])
                group[0] += 1
                group[1] += o.size or o.row.size
                group[2] += o.checksummed or 0
            for kind, (count, size, checked) in moved.items():
                self.tally.staged_done(kind, count, size, checked)

    def set_rows(self, ids: list[int], state: str, *, from_state: str) -> None:
        """Move rows ``ids`` from ``from_state`` to ``state`` and count the task again."""
        if not ids:
            return
        with self.db.session() as session:
            self.fence(session)
            update_rows(session, ids, from_state, {"state": state})
            progress.save_progress(session, self.task_id, retrying=self.state.retrying)

    def linked(self, found: list[dict[str, int]]) -> None:
        """Record pending rows found linked in at their destination (``row_id`` and
        ``new_size`` each) as transferred, and count the task again."""
        with self.db.session() as session:
            self.fence(session)
            session.execute(
                update(FILES)
                .where(FILES.c.id == bindparam("row_id"), FILES.c.state == ROW_PENDING)
                .values(state=ROW_DONE, outcome="transferred", size=bindparam("new_size")),
                found,
            )
            progress.save_progress(session, self.task_id, retrying=self.state.retrying)

    def fault(self, fault: Fault, *, retrying: bool) -> None:
        """Count a fault and record its event; one to be retried also shows as the task's
        nice status until the run sees the task well again."""
        if self.state.lost:
            return
        with self.db.session() as session:
            task = session.get(TransferTask, self.task_id)
            if task is None or task.status != ACTIVE:
                return
            task.faults += 1
            if retrying:
                task.nice_status = fault.code
                task.nice_status_short_description = fault.code.lower().replace("_", " ")
                task.nice_status_details = fault.description
            progress.add_event(session, self.task_id, fault.code, fault.description, is_error=True)

    def final_numbers(self, session: t.Any, task: TransferTask) -> dict[str, int]:
        """The task's counters at the end of a run that did all its work: from the tally
        when this run stored every row itself, else counted from the rows."""
        if self.counts_own and self.tally is not None:
            return self.tally.numbers(len(self.facts.items))
        return progress.counters(session, task)


def _row_values(o: Outcome, size: int, run_number: int, now: t.Any) -> dict[str, t.Any]:
    """The values of one outcome recorded on its own (an odd size, or a fault)."""
    values: dict[str, t.Any] = {
        "row_id": o.row.id,
        "new_state": ROW_DONE,
        "new_outcome": None,
        "new_size": size,
        "new_checksummed": o.checksummed,
        "new_code": None,
        "new_details": None,
        "new_time": None,
        "new_run": None,
    }
    if o.status == SubtaskResult.STAGED:
        values.update(new_state=ROW_STAGED, new_outcome="transferred", new_run=run_number)
    elif o.status == SubtaskResult.LINKED:
        values.update(new_outcome="transferred")
    elif o.status == SubtaskResult.DONE:
        values.update(new_outcome="done")
    elif o.status == SubtaskResult.UP_TO_DATE:
        values.update(new_state=ROW_SKIPPED, new_outcome="up_to_date")
    else:  # a skipped source error or the fault that fails the task
        assert o.fault is not None
        values.update(
            new_state=ROW_SKIPPED if o.status == SubtaskResult.SKIPPED else ROW_FAILED,
            new_outcome="error",
            new_code=o.fault.code,
            new_details=o.fault.description,
            new_time=now,
        )
    return values
