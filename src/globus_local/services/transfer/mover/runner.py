"""Runs one task on one worker: expand once, then work through the pending rows.

Durability: a row's state is only ever advanced in the database after the work is on
disk. A copied file goes ``pending`` (data goes to a temp file beside its destination)
-> ``staged`` (committed once the temp file is complete and verified) -> renamed into
place -> ``done``. A file whose destination path was free at expansion skips the temp name:
its complete copy is linked in at that path and recorded ``done``. A run that resumes after
a dead one first finishes what that run left staged or linked (:mod:`.recovery`), then
redoes only the pending rows. So no file is lost, no file's data is copied twice, and no
half file ever appears under a final name.

The parts of a run: :mod:`.expanding` stores the rows; :mod:`.scheduling` runs each phase
(directories, then files and symlinks, then deletions) through :mod:`.units` of rows on
threads, lanes and copy processes; :mod:`.recording` flushes outcomes; :mod:`.renamer`
renames staged copies into place; :mod:`.control` watches for a stop and keeps the lease;
:mod:`.conclusion` ends the run.
"""

from __future__ import annotations

import typing as t

from sqlalchemy import select

from globus_local.db import Database
from globus_local.services.transfer.models_tasks import (
    ACTIVE,
    KIND_DELETE,
    KIND_DELETE_EXTRA,
    KIND_DIR,
    KIND_FILE,
    KIND_SYMLINK,
    TaskFile,
    TransferTask,
)
from globus_local.services.transfer.mover import progress
from globus_local.services.transfer.mover.conclusion import conclude
from globus_local.services.transfer.mover.control import Watch, stop_reason
from globus_local.services.transfer.mover.copier import Copier
from globus_local.services.transfer.mover.expanding import StoredRows, expand_task
from globus_local.services.transfer.mover.faults import Fault
from globus_local.services.transfer.mover.opening import Opened, open_endpoints
from globus_local.services.transfer.mover.recording import Fence, Recorder
from globus_local.services.transfer.mover.recovery import (
    cleanup_temps,
    recover_linked,
    recover_staged,
)
from globus_local.services.transfer.mover.renamer import Renamer
from globus_local.services.transfer.mover.rows import kinds_left, pending_work
from globus_local.services.transfer.mover.scheduling import Scheduler
from globus_local.services.transfer.mover.settings import default_threads, file_delay
from globus_local.services.transfer.mover.state import (
    HaltReason,
    RunOutcome,
    RunState,
    Stop,
    TaskFacts,
)
from globus_local.services.transfer.mover.subtasks import Row
from globus_local.services.transfer.mover.units import Units
from globus_local.storage.errors import StorageError


def _no_heartbeat() -> None:
    """Without a job (tests, tools), there is no lease to keep."""


def _no_fence(session: t.Any) -> None:
    """Without a job (tests, tools), there is no lease to check."""


def _never() -> bool:
    return False


class TaskRunner:
    """Runs (or resumes) one task until it ends or must wait; the job handler's entry."""

    def __init__(
        self,
        db: Database,
        task_id: str,
        *,
        heartbeat: t.Callable[[], None] | None = None,
        fence: Fence | None = None,
        threads: int | None = None,
        handing_back: t.Callable[[], bool] | None = None,
    ) -> None:
        self.db = db
        self.task_id = task_id
        self.heartbeat = heartbeat or _no_heartbeat
        # True once the job is to go back to the queue (its process is stopping): the run
        # stops at its next look, as a run whose lease was lost does.
        self.handing_back = handing_back or _never
        # Called first in every transaction that records progress: raises LeaseLost unless
        # this worker still holds the task's job, so a stale worker's writes never land.
        self.fence = fence or _no_fence
        self.threads = threads or default_threads()
        # Seconds to sleep per file: a knob for tests that stop a run midway.
        self.file_delay = file_delay()
        self.state = RunState()

    def run(self) -> RunOutcome:
        """Begin a run (it counts even when it stops at once), do its phases, conclude."""
        with self.db.session() as session:
            task = session.get(TransferTask, self.task_id)
            if task is None:
                return RunOutcome.MISSING
            if task.status != ACTIVE:
                return RunOutcome(task.status)
            task.runs += 1
            facts = TaskFacts(
                task_id=self.task_id,
                run_number=task.runs,
                type=task.type,
                options=dict(task.options or {}),
                items=list(task.items or []),
                expanded=task.expanded,
            )
            opened = self._begin(session, task, facts)
        recorder = Recorder(self.db, facts, self.fence, self.state)
        if opened is not None:
            watch = Watch(self.db, self.task_id, self.heartbeat, self.state, self.handing_back)
            TaskRun(
                self.db,
                facts,
                opened,
                self.state,
                recorder,
                watch,
                threads=self.threads,
                file_delay=self.file_delay,
            ).go()
        return conclude(self.db, self.task_id, self.fence, self.state, recorder)

    def _begin(self, session: t.Any, task: TransferTask, facts: TaskFacts) -> Opened | None:
        """Record the start and open the endpoints: None when the run must not go on (the
        run state says why)."""
        reason = stop_reason(session, task)
        if reason is not None:
            self.state.reason = reason
            return None
        task.nice_status = "OK"
        task.nice_status_details = None
        task.is_paused = False
        details = f"resumed after an interrupted run (run {task.runs})" if facts.resuming else ""
        progress.add_event(session, self.task_id, "STARTED", details)
        try:
            return open_endpoints(session, task, facts.items)
        except Fault as fault:  # the run still counts, and the task fails
            self.state.fatal = fault
            return None


class TaskRun:
    """The phases of one run on its opened endpoints; every part is made here, before the
    work begins."""

    def __init__(
        self,
        db: Database,
        facts: TaskFacts,
        opened: Opened,
        state: RunState,
        recorder: Recorder,
        watch: Watch,
        *,
        threads: int,
        file_delay: float = 0.0,
    ) -> None:
        self.db = db
        self.facts = facts
        self.src, self.dst = opened
        self.state = state
        self.recorder = recorder
        self.threads = threads
        self.copier = Copier(
            facts.task_id,
            self.src,
            self.dst,
            facts.options,
            state.stop,
            resuming=facts.resuming,
            run=facts.run_number,
        )
        self.renamer = Renamer(facts, self.copier, state, recorder, watch.check_lease)
        units = Units(facts, self.copier, state, file_delay=file_delay)
        self.scheduler = Scheduler(
            facts.task_id, self.copier, state, units, recorder, self.renamer, watch
        )
        self.stored: StoredRows | None = None  # the rows this run stored, if it expanded

    def go(self) -> None:
        """Do the phases; a stop or a fault ends them early (the run state says which)."""
        facts = self.facts
        try:
            if not facts.expanded:
                self._expand()
            left = self._kinds_left()
            if facts.is_transfer and facts.resuming:
                recover_staged(self.db, facts.task_id, self.dst, self.recorder)
                recover_linked(self.db, facts.task_id, self.copier, self.recorder)
            for kinds, threads in self._phases():
                if left & set(kinds):
                    self.scheduler.process(self._rows(kinds), threads=threads)
            if facts.is_transfer and facts.options.get("preserve_timestamp"):
                if KIND_DIR in left:
                    self._dir_times()
        except Stop:
            pass
        except Fault as fault:
            self.state.fatal = fault
        finally:
            try:
                self.renamer.close()
            finally:
                self.copier.close()

    def _phases(self) -> list[tuple[list[str], int]]:
        """The kinds of row each phase does, in order, and its threads."""
        if not self.facts.is_transfer:
            return [([KIND_DELETE], 1)]
        return [
            ([KIND_DIR], 1),
            ([KIND_FILE, KIND_SYMLINK], self.threads),
            ([KIND_DELETE_EXTRA], 1),
        ]

    def _expand(self) -> None:
        stored = expand_task(self.db, self.facts, self.src, self.dst, self.recorder.fence)
        if stored is None:  # another run expanded it, or it ended meanwhile
            self.state.reason = (HaltReason.GONE, "")
            raise Stop()
        self.recorder.adopt(stored.tally)
        self.stored = stored

    def _kinds_left(self) -> set[str]:
        """The row kinds with work left, so a phase with nothing to do costs no query."""
        if self.stored is not None:
            return self.stored.tally.kinds_pending()
        kinds = kinds_left(self.db, self.facts.task_id)
        if self.facts.is_transfer and self.facts.options.get("preserve_timestamp"):
            kinds.add(KIND_DIR)  # directory times are set again on every run
        return kinds

    def _rows(self, kinds: list[str]) -> t.Iterator[Row]:
        """The pending rows of ``kinds`` in id order: those in hand from the expansion this
        run made, then (or else) read from the database in batches."""
        stored = self.stored
        if stored is None:
            return pending_work(self.db, self.facts.task_id, kinds)
        return self._after_fresh(stored, kinds)

    def _after_fresh(self, stored: StoredRows, kinds: list[str]) -> t.Iterator[Row]:
        for row in stored.fresh:
            if row.kind in kinds:
                yield row
        if not stored.complete:
            last = stored.fresh[-1].id if stored.fresh else 0
            yield from pending_work(self.db, self.facts.task_id, kinds, after=last)

    def _dir_times(self) -> None:
        """Give the copied directories their source's mtime, deepest first (creating the
        files in them changed it)."""
        assert self.src is not None
        with self.db.session() as session:
            dirs = session.execute(
                select(TaskFile.destination_path, TaskFile.mtime)
                .where(TaskFile.task_id == self.facts.task_id, TaskFile.kind == KIND_DIR)
                .order_by(TaskFile.id.desc())
            ).all()
        for path, mtime in dirs:
            if mtime is not None and path:
                try:
                    self.dst.set_mtime(path, mtime)
                except StorageError:
                    pass


__all__ = ["RunOutcome", "TaskRunner", "cleanup_temps"]
