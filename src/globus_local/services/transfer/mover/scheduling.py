"""One phase of a run: units handed to threads, retries, and the flushes between them.

The phase keeps a window of units in flight: small local files on the lanes (one folder to
a lane at a time, see :mod:`.lanes`), large files and remote storage on a thread pool. A
file that meets a transient fault is tried again after a growing delay, up to
``MAX_FILE_RETRIES`` times. Outcomes are flushed every ``FLUSH_SECONDS`` or
``FLUSH_ROWS`` outcomes; after each flush the run looks for cancel, pause and deadline and
keeps its lease. Once the job is lost to another worker, nothing more is recorded: the
units in flight drain and their temp files are thrown away.
"""

from __future__ import annotations

import heapq
import logging
import time
import typing as t
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from globus_local.jobs import LeaseLost
from globus_local.services.transfer.mover.control import Watch
from globus_local.services.transfer.mover.copier import Copier
from globus_local.services.transfer.mover.faults import MAX_FILE_RETRIES
from globus_local.services.transfer.mover.lanes import Lanes
from globus_local.services.transfer.mover.recording import Recorder
from globus_local.services.transfer.mover.renamer import Renamer
from globus_local.services.transfer.mover.settings import small_lanes
from globus_local.services.transfer.mover.state import HaltReason, RunState, Stop
from globus_local.services.transfer.mover.subtasks import Outcome, Row, SubtaskResult
from globus_local.services.transfer.mover.units import UNIT_BYTES, Done, Units

log = logging.getLogger("globus_local.transfer.mover")

FLUSH_SECONDS = 0.5  # progress reaches the database at least this often...
FLUSH_ROWS = 2000  # ...or after this many rows
RETRY_BASE = 0.5  # seconds before a file's first retry, doubling for each next one

Retry = tuple[float, int, Row]  # (when, row id, row), kept as a heap

# Bound once: a member looked up on its enum class costs a descriptor call, and this
# runs once per file.
_FAULT = SubtaskResult.FAULT


class Scheduler:
    """Runs the phases of one run, one at a time."""

    def __init__(
        self,
        task_id: str,
        copier: Copier,
        state: RunState,
        units: Units,
        recorder: Recorder,
        renamer: Renamer,
        watch: Watch,
    ) -> None:
        self.task_id = task_id
        self.copier = copier
        self.state = state
        self.units = units
        self.recorder = recorder
        self.renamer = renamer
        self.watch = watch

    def process(self, rows: t.Iterator[Row], *, threads: int) -> None:
        """Do ``rows`` to the end; raises :class:`Stop` when the run was told to stop and
        :class:`LeaseLost` when its job was taken over."""
        state = self.state
        source = self.units.group(rows)
        exhausted = False
        retries: list[Retry] = []
        attempts: dict[int, int] = {}  # row id -> retries so far, until it comes through
        inflight: set[Future[Done]] = set()
        handed_back: list[list[Row]] = []
        outcomes: list[Outcome] = []
        last_flush = time.monotonic()
        # Small local files go to lanes, one folder per lane at a time; a deeper window
        # lets the lanes reach past a folder's units to the next folder.
        lane_count = min(small_lanes(), threads) if self.copier.plain_local else 0
        window = max(threads * 2, 16 * lane_count)
        with (
            ThreadPoolExecutor(threads, thread_name_prefix="transfer-mover") as pool,
            Lanes(max(1, lane_count)) as lanes,
        ):
            while True:
                if not state.stop.is_set():
                    now = time.monotonic()
                    while len(inflight) < window:
                        unit: list[Row] | None = None
                        if retries and retries[0][0] <= now:
                            unit = [heapq.heappop(retries)[2]]
                        elif handed_back:
                            unit = handed_back.pop()
                        elif not exhausted:
                            unit = next(source, None)
                            exhausted = unit is None
                        if unit is None:
                            break
                        large = len(unit) == 1 and unit[0].size >= UNIT_BYTES
                        if large or not lane_count:
                            inflight.add(pool.submit(self.units.work, unit))
                        else:
                            inflight.add(lanes.submit(self.units.work, unit))
                finished = not inflight and (
                    state.stop.is_set() or (exhausted and not retries and not handed_back)
                )
                if finished:
                    break
                if inflight:
                    timeout = max(0.0, FLUSH_SECONDS - (time.monotonic() - last_flush))
                    if retries:
                        timeout = min(timeout, max(0.0, retries[0][0] - time.monotonic()))
                    done, _ = wait(inflight, timeout=timeout, return_when=FIRST_COMPLETED)
                else:
                    done = set()
                    time.sleep(min(0.25, max(0.0, retries[0][0] - time.monotonic())))
                for future in done:
                    inflight.discard(future)
                    lanes.settled(future)
                    results, rest = future.result()
                    if rest:
                        handed_back.append(rest)
                    for outcome in results:
                        self._take(outcome, outcomes, retries, attempts)
                due = time.monotonic() - last_flush >= FLUSH_SECONDS
                if due or len(outcomes) >= FLUSH_ROWS:
                    self.settle(outcomes)
                    outcomes = []
                    last_flush = time.monotonic()
                    if not state.lost:
                        try:
                            self.watch.look()
                        except LeaseLost:
                            self._lose()
        # The counters are refreshed by the next phase or by the end of the run.
        self.settle(outcomes, counters=False)
        if not state.lost:
            self.renamer.collect()
        if state.lost:
            raise LeaseLost(f"transfer task {self.task_id}: its job was taken over")
        if state.stop.is_set():
            raise Stop()

    def settle(self, outcomes: list[Outcome], *, counters: bool = True) -> None:
        """Flush outcomes and hand the new staged copies to the renamer; once the job is
        lost, only throw their temp files away."""
        if not self.state.lost:
            try:
                self.renamer.collect(block=False)
                staged = self.recorder.flush(outcomes, counters=counters)
                if staged:
                    self.renamer.submit(staged)
                return
            except LeaseLost:
                self._lose()
        for o in outcomes:
            if o.status == SubtaskResult.STAGED and o.row.destination_path:
                self.copier.discard(self.copier.temp_for(o.row))

    def _lose(self) -> None:
        """Another worker holds the task now: stop, and let running units drain."""
        log.warning("transfer task %s: job taken over by another worker", self.task_id)
        self.state.lost = True
        self.state.halt(HaltReason.LOST)

    def _take(
        self,
        outcome: Outcome,
        outcomes: list[Outcome],
        retries: list[Retry],
        attempts: dict[int, int],
    ) -> None:
        """Take one outcome in: to be recorded, or its row retried later."""
        state = self.state
        fault = outcome.fault
        if outcome.status is not _FAULT or fault is None:
            if outcome.row.id in attempts:
                state.retrying = max(0, state.retrying - 1)
                attempts.pop(outcome.row.id, None)
            outcomes.append(outcome)
            return
        tries = attempts.get(outcome.row.id, 0)
        if fault.handling == "retry" and tries < MAX_FILE_RETRIES:
            if tries == 0:
                state.retrying += 1
            attempts[outcome.row.id] = tries + 1
            delay = RETRY_BASE * 2**tries
            heapq.heappush(retries, (time.monotonic() + delay, outcome.row.id, outcome.row))
            self.recorder.fault(fault, retrying=True)
            return
        state.fail(fault)
        outcomes.append(outcome)
