"""Runs one task on one worker: expand once, then work through the pending rows.

Durability: a row's state is only ever advanced in the database after the work is on
disk. A copied file goes ``pending`` (data goes to a temp file beside its destination)
-> ``staged`` (committed once the temp file is complete and verified) -> renamed into
place -> ``done``. A run that resumes after a dead worker first finishes ``staged`` rows
(renaming their temp file if it is still there), then redoes only ``pending`` rows, whose
half-written temp files are simply overwritten or removed. So no file is lost, no file's
data is copied twice, and no half file ever appears under a final name.

A file whose destination path was free when the task was expanded (``new_destination``)
skips the temp name: its complete copy, an anonymous file until then, is linked in at that
path (a link never replaces anything) and recorded ``done`` at the next flush. Such a
path only ever gets a file by that link, so a resumed run records a pending row whose new
destination now holds a file as done without copying it again.

Small files are handed to the threads in units of many rows, and the database sees one
transaction per flush: it marks the rows renamed since the previous flush ``done`` and the
newly copied ones ``staged`` (bulk ``UPDATE``s by runs of consecutive ids); only then are the
new temp files renamed into place, on the renamer thread, while copying and later flushes go
on (a flush never waits for earlier renames: it records done those finished by then). A
crash between a rename and the flush that records it leaves those rows ``staged``, which a
resumed run finishes without copying them again.
"""

from __future__ import annotations

import heapq
import logging
import os
import stat
import threading
import time
import typing as t
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from sqlalchemy import bindparam, select, update

from globus_local.db import Database, utcnow
from globus_local.db.bulk import insert_rows
from globus_local.jobs import LeaseLost
from globus_local.services.auth.dependency import AuthContext
from globus_local.services.auth.scopes import TRANSFER_RS
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.services.transfer.models_tasks import (
    ACTIVE,
    FAILED,
    KIND_DELETE,
    KIND_DELETE_EXTRA,
    KIND_DIR,
    KIND_FILE,
    KIND_SYMLINK,
    ROW_DONE,
    ROW_FAILED,
    ROW_PENDING,
    ROW_SKIPPED,
    ROW_STAGED,
    SUCCEEDED,
    TaskFile,
    TransferTask,
)
from globus_local.services.transfer.mover import procs, progress
from globus_local.services.transfer.mover.control import stop_reason
from globus_local.services.transfer.mover.copier import Copier, discard, replace_into_place
from globus_local.services.transfer.mover.expand import (
    DeleteExpander,
    Expansion,
    TransferExpander,
)
from globus_local.services.transfer.mover.faults import MAX_FILE_RETRIES, Aborted, Fault
from globus_local.services.transfer.mover.lanes import Lanes
from globus_local.services.transfer.mover.local_copy import PlainBatch
from globus_local.services.transfer.mover.subtasks import Outcome, Row, SubtaskResult
from globus_local.services.transfer.mover.temps import temp_path
from globus_local.storage import StorageConnector
from globus_local.storage.errors import NotFound, StorageError

log = logging.getLogger("globus_local.transfer.mover")
_FILES = TaskFile.__table__

FLUSH_SECONDS = 0.5  # progress reaches the database at least this often...
FLUSH_ROWS = 2000  # ...or after this many rows
HEARTBEAT_SECONDS = 0.5  # also how soon a run notices it lost its job to another
FETCH_ROWS = 2000
RETRY_BASE = 0.5
UNIT_ROWS = 64  # rows one thread takes at a time...
UNIT_BYTES = 16 * 1024 * 1024  # ...up to about this much data...
UNIT_SECONDS = 0.1  # ...handing the rest back when they take longer than this
SMALL_LANES = 2  # threads for small local files, each on its own folders (default)


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def default_threads() -> int:
    return max(1, int(_env_float("GLOBUS_LOCAL_TRANSFER_THREADS", 4)))


def small_lanes() -> int:
    return max(1, int(_env_float("GLOBUS_LOCAL_TRANSFER_LANES", SMALL_LANES)))


Renamed = tuple[Outcome, str, StorageError]  # a staged copy not renamed: temp file, error


class Stop(Exception):
    """Ends a run early: the task is to be finalized or left for a later run."""


class TaskRunner:
    def __init__(
        self,
        db: Database,
        task_id: str,
        *,
        heartbeat: t.Callable[[], None] | None = None,
        fence: t.Callable[[t.Any], None] | None = None,
        threads: int | None = None,
    ) -> None:
        self.db = db
        self.task_id = task_id
        self.heartbeat = heartbeat or (lambda: None)
        # Called first in every transaction that records progress: raises LeaseLost unless
        # this worker still holds the task's job, so a stale worker's writes never land.
        self.fence = fence or (lambda session: None)
        self.lost = False  # the job was taken over: drain, discard, record nothing
        self.run_number: int | None = None
        self.threads = threads or default_threads()
        # Test/diagnostic knob: sleep this long per file (lets tests stop a run midway).
        self.file_delay = _env_float("GLOBUS_LOCAL_TRANSFER_FILE_DELAY", 0.0)
        self.stop = threading.Event()
        self.reason: tuple[str, str] | None = None
        self.fatal: Fault | None = None
        self.retrying = 0
        self._renamed: list[Outcome] = []  # staged rows renamed into place, not yet recorded
        # The renames of each flush run in turn on their own thread while the lanes copy on
        # and later flushes go ahead: a flush records done the rows renamed by then.
        self._renamer = ThreadPoolExecutor(1, thread_name_prefix="transfer-renamer")
        self._renaming: list[Future[tuple[list[Outcome], list[Renamed]]]] = []
        self._fresh_rows: list[Row] | None = None  # the pending rows this run expanded
        self._tally: progress.Tally | None = None  # row groups as this run changed them
        self._last_beat = time.monotonic()

    # -- entry point ------------------------------------------------------------------------
    def run(self) -> str:
        with self.db.session() as session:
            task = session.get(TransferTask, self.task_id)
            if task is None:
                return "missing"
            if task.status != ACTIVE:
                return task.status
            task.runs += 1
            self.run_number = task.runs
            self.resuming = task.runs > 1
            self.type = task.type
            self.options = dict(task.options or {})
            self.items = list(task.items or [])
            self.expanded = task.expanded
            reason = stop_reason(session, task)
            if reason is None:
                task.nice_status = "OK"
                task.nice_status_details = None
                task.is_paused = False
                details = (
                    f"resumed after an interrupted run (run {task.runs})" if self.resuming else ""
                )
                progress.add_event(session, self.task_id, "STARTED", details)
                try:
                    self._prepare(session, task)
                except Fault as fault:  # the run still counts, and the task fails
                    self.fatal = fault
        if reason is not None:
            return self._conclude(reason)
        if self.fatal is not None:
            return self._conclude(("fatal", self.fatal.description))
        try:
            if not self.expanded:
                self._expand()
            left = self._kinds_left()
            if self.type == "TRANSFER":
                if self.resuming:
                    self._recover_staged()
                    self._recover_linked()
                phases = [
                    ([KIND_DIR], 1),
                    ([KIND_FILE, KIND_SYMLINK], self.threads),
                    ([KIND_DELETE_EXTRA], 1),
                ]
            else:
                phases = [([KIND_DELETE], 1)]
            for kinds, threads in phases:
                if left & set(kinds):
                    self._process(kinds, threads=threads)
            if self.type == "TRANSFER" and self.options.get("preserve_timestamp"):
                if KIND_DIR in left:
                    self._dir_times()
        except Stop:
            pass
        except Fault as fault:
            self.fatal = fault
        finally:
            self._await_renames(quiet=True)
            self._renamer.shutdown(wait=True)
            copier = getattr(self, "copier", None)
            if copier is not None:
                copier.close()
        if self.fatal is not None:
            return self._conclude(("fatal", self.fatal.description))
        if self.reason is not None:
            return self._conclude(self.reason)
        return self._conclude(None)

    # -- setup -------------------------------------------------------------------------------
    def _owner_context(self, task: TransferTask) -> AuthContext:
        ids = tuple(task.owner_identity_set or ()) or (task.owner_id,)
        return AuthContext(
            identity_id=task.owner_id,
            username=task.username,
            client_id="",
            scopes=frozenset(),
            resource_server=TRANSFER_RS,
            identity_set=ids,
            token_hash="",
        )

    def _prepare(self, session: t.Any, task: TransferTask) -> None:
        """Check access again (it can be revoked) and open both endpoints' storage."""
        from globus_local.services.transfer.access import check_path_access, connector_and_path

        ctx = self._owner_context(task)
        sides: list[tuple[str | None, str, list[str]]] = []
        if task.type == "TRANSFER":
            sides.append((task.source_endpoint_id, "r", [i["source_path"] for i in self.items]))
            sides.append(
                (
                    task.destination_endpoint_id,
                    "rw",
                    [i["destination_path"] for i in self.items],
                )
            )
        else:
            sides.append((task.source_endpoint_id, "rw", [i["path"] for i in self.items]))
        connectors: list[StorageConnector] = []
        for endpoint_id, need, paths in sides:
            endpoint = session.get(Endpoint, endpoint_id) if endpoint_id else None
            if endpoint is None:
                raise Fault(
                    "ENDPOINT_NOT_FOUND", f"endpoint {endpoint_id} no longer exists", "fatal"
                )
            try:
                try:
                    check_path_access(session, ctx, endpoint, "/", need)  # type: ignore[arg-type]
                except Exception:
                    for path in paths:
                        check_path_access(session, ctx, endpoint, path, need)  # type: ignore[arg-type]
                conn, _ = connector_and_path(endpoint, "/")
            except StorageError as exc:
                raise Fault("ENDPOINT_ERROR", exc.message, "fatal") from None
            except Exception as exc:
                message = getattr(exc, "message", None) or str(exc)
                raise Fault("PERMISSION_DENIED", message, "fatal") from None
            connectors.append(conn)
        if self.type == "TRANSFER":
            self.src, self.dst = connectors
        else:
            self.src, self.dst = None, connectors[0]
        self.copier = Copier(
            self.task_id,
            self.src,
            self.dst,
            self.options,
            self.stop,
            resuming=self.resuming,
            run=self.run_number,
        )

    def _expand(self) -> None:
        """Expand the items into rows, stored with the expanded flag in one transaction.

        A recursive local walk runs in a copy process and sends its rows in parts, each
        stored as it comes while the walk goes on (the flag and the counters come last, so
        a run that dies midway leaves nothing behind). Any other walk is done here."""
        now = utcnow()
        if self.type == "TRANSFER":
            assert self.src is not None
            try:
                with self.db.session() as session:
                    stored = _Stored(self.task_id, session)
                    walked = procs.expand_transfer(
                        self.src, self.dst, self.options, now, self.items, on_rows=stored.add
                    )
                    if walked is None:
                        raise _WalkHere()
                    self._claim_expansion(session, stored, walked)
                return
            except _WalkHere:
                expansion = TransferExpander(self.src, self.dst, self.options, now).expand(
                    self.items
                )
        else:
            expansion = DeleteExpander(self.dst, self.options, now).expand(self.items)
        with self.db.session() as session:
            self._claim_expansion(session, _Stored(self.task_id, session), expansion)

    def _claim_expansion(self, session: t.Any, stored: _Stored, expansion: Expansion) -> None:
        """Store the expansion's last rows and set the expanded flag with the counters from
        the rows in hand; this run then works from those rows instead of reading them back."""
        stored.add(expansion.rows)
        numbers = stored.tally.numbers(len(self.items))
        claimed = session.execute(
            update(TransferTask)
            .where(
                TransferTask.id == self.task_id,
                TransferTask.expanded.is_(False),
                TransferTask.status == ACTIVE,
            )
            .values(
                expanded=True,
                files=expansion.files,
                directories=expansion.directories,
                symlinks=expansion.symlinks,
                **numbers,
            )
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # another run expanded it, or it ended meanwhile
            self.reason = ("gone", "")
            raise Stop()  # (and the rows stored in this transaction go with it)
        self._tally = stored.tally
        self._fresh_rows = stored.fresh
        self.expanded = True

    def _kinds_left(self) -> set[str]:
        """The row kinds with work left, so a phase with nothing to do costs no query."""
        if self._fresh_rows is not None:
            return {row.kind for row in self._fresh_rows}
        with self.db.session() as session:
            found = session.scalars(
                select(TaskFile.kind)
                .where(
                    TaskFile.task_id == self.task_id,
                    TaskFile.state.in_([ROW_PENDING, ROW_STAGED]),
                )
                .distinct()
            ).all()
        kinds = set(found)
        if self.type == "TRANSFER" and self.options.get("preserve_timestamp"):
            kinds.add(KIND_DIR)  # directory times are set again on every run
        return kinds

    # -- resuming ----------------------------------------------------------------------------
    def _recover_staged(self) -> None:
        """Finish rows a dead run had fully copied but not yet renamed into place."""
        with self.db.session() as session:
            staged = session.execute(
                select(TaskFile.id, TaskFile.destination_path, TaskFile.staged_run).where(
                    TaskFile.task_id == self.task_id, TaskFile.state == ROW_STAGED
                )
            ).all()
        if not staged:
            return
        done = []
        for row_id, destination, run in staged:
            tmp = temp_path(self.task_id, row_id, destination, run)
            try:
                replace_into_place(self.dst, tmp, destination)
            except StorageError:
                # No temp file: the rename happened before the worker died.
                pass
            done.append(row_id)
        self._set_rows(done, ROW_DONE, from_state=ROW_STAGED)

    def _recover_linked(self) -> None:
        """Record rows a dead run had linked in but not recorded. A pending row whose
        destination was new at expansion only ever gets a file there by the link of a
        complete copy (see copier.HeldCopies), so a file there now is that copy."""
        handles = self.copier.fast_dst
        if handles is None:
            return
        found: list[dict[str, int]] = []
        columns = (_FILES.c.id, _FILES.c.destination_path)
        new = (_FILES.c.kind == KIND_FILE, _FILES.c.new_destination.is_(True))
        for batch in self._pending(columns, *new):
            for row_id, destination in batch:
                try:
                    info = handles.lstat(destination or "/")
                except StorageError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    found.append({"row_id": row_id, "new_size": info.st_size})
        if not found:
            return
        with self.db.session() as session:
            self.fence(session)
            session.execute(
                update(_FILES)
                .where(_FILES.c.id == bindparam("row_id"), _FILES.c.state == ROW_PENDING)
                .values(state=ROW_DONE, outcome="transferred", size=bindparam("new_size")),
                found,
            )
            progress.save_progress(session, self.task_id, retrying=self.retrying)

    # -- the work loop -----------------------------------------------------------------------
    def _rows(self, kinds: list[str]) -> t.Iterator[Row]:
        """The pending rows of ``kinds`` in id order: from the expansion this run made, or
        read from the database in batches."""
        if self._fresh_rows is not None:
            yield from (row for row in self._fresh_rows if row.kind in kinds)
            return
        columns = (
            _FILES.c.id,
            _FILES.c.kind,
            _FILES.c.source_path,
            _FILES.c.destination_path,
            _FILES.c.size,
            _FILES.c.mtime,
            _FILES.c.link_target,
            _FILES.c.is_directory,
            _FILES.c.external_checksum,
            _FILES.c.checksum_algorithm,
            _FILES.c.new_destination,
        )
        for batch in self._pending(columns, _FILES.c.kind.in_(kinds)):
            for r in batch:
                yield _as_row(r.id, r._mapping)

    def _pending(self, columns: t.Sequence[t.Any], *where: t.Any) -> t.Iterator[list[t.Any]]:
        """``columns`` (the id first) of the task's pending rows matching ``where``, in id
        order, read FETCH_ROWS at a time, each batch in its own short session."""
        last = 0
        while True:
            with self.db.session() as session:
                batch = session.execute(
                    select(*columns)
                    .where(
                        _FILES.c.task_id == self.task_id,
                        _FILES.c.state == ROW_PENDING,
                        *where,
                        _FILES.c.id > last,
                    )
                    .order_by(_FILES.c.id)
                    .limit(FETCH_ROWS)
                ).all()
            if not batch:
                return
            yield list(batch)
            last = batch[-1][0]

    def _units(self, rows: t.Iterator[Row]) -> t.Iterator[list[Row]]:
        """Rows grouped for one thread: many small files, or one large file alone."""
        most = procs.UNIT_ROWS if self._to_children() else UNIT_ROWS
        unit: list[Row] = []
        volume = 0
        for row in rows:
            if row.size >= UNIT_BYTES:
                yield [row]
                continue
            unit.append(row)
            volume += row.size
            if len(unit) >= most or volume >= UNIT_BYTES:
                yield unit
                unit, volume = [], 0
        if unit:
            yield unit

    def _work(self, unit: list[Row]) -> tuple[list[Outcome], list[Row]]:
        """Do a unit's rows in order: (outcomes, rows left). Hands rows back when the unit
        takes longer than UNIT_SECONDS (so progress and stop requests are never held up
        by a unit of slow files) and stops early when told to."""
        if self._in_child(unit):
            return self._work_in_child(unit), []
        outcomes: list[Outcome] = []
        until = time.monotonic() + UNIT_SECONDS
        batch = PlainBatch(self.copier) if self.copier.plain_local else None
        try:
            for n, row in enumerate(unit):
                if self.stop.is_set():
                    return outcomes, []
                if n and time.monotonic() > until:
                    return outcomes, unit[n:]
                if self.file_delay:
                    time.sleep(self.file_delay)
                outcome = batch.copy_row(row) if batch is not None else None
                outcomes.append(outcome or self.copier.run(row))
        except Aborted:
            return outcomes, []
        finally:
            if batch is not None:
                batch.close()
        return outcomes, []

    def _to_children(self) -> bool:
        """Whether units of plain files go to copy processes (see procs.py): local files
        on a first run (a resumed run clears earlier runs' temp files row by row first)."""
        return (
            self.copier.plain_local
            and not self.resuming
            and not self.file_delay
            and procs.processes() > 0
        )

    def _in_child(self, unit: list[Row]) -> bool:
        """Whether this unit goes to a copy process: enough files to pay for the trip."""
        return len(unit) >= procs.MIN_ROWS and self._to_children()

    def _work_in_child(self, unit: list[Row]) -> list[Outcome]:
        """A unit's plain files copied by a child process, the rest here the usual way."""
        if self.stop.is_set():
            return []
        assert self.copier.fast_src is not None and self.copier.fast_dst is not None
        plain = [
            r
            for r in unit
            if r.kind == KIND_FILE
            and not r.external_checksum
            and r.source_path
            and r.destination_path
        ]
        preserve = self.copier.preserve
        spec = procs.UnitSpec(
            self.copier.fast_src.root,
            self.copier.fast_dst.root,
            self.task_id,
            self.run_number,
            [
                (
                    r.id,
                    r.source_path or "",
                    r.destination_path or "",
                    r.mtime if preserve else None,
                    r.new,
                )
                for r in plain
            ],
        )
        copied = {
            r.id: done
            for r, done in zip(plain, procs.copy_unit(spec), strict=True)
            if done is not None
        }
        outcomes: list[Outcome] = []
        try:
            for row in unit:
                done = copied.get(row.id)
                if done is not None:
                    status = SubtaskResult.LINKED if done[1] else SubtaskResult.STAGED
                    outcomes.append(Outcome(row, status, size=done[0]))
                elif not self.stop.is_set():
                    outcomes.append(self.copier.run(row))
        except Aborted:
            pass
        return outcomes

    def _process(self, kinds: list[str], *, threads: int) -> None:
        source = self._units(self._rows(kinds))
        exhausted = False
        retries: list[tuple[float, int, Row]] = []
        attempts: dict[int, int] = {}
        inflight: set[Future[tuple[list[Outcome], list[Row]]]] = set()
        handed_back: list[list[Row]] = []
        outcomes: list[Outcome] = []
        last_flush = time.monotonic()
        # Small local files go to lanes, one folder per lane at a time (see lanes.py); a
        # deeper window lets the lanes reach past a folder's units to the next folder.
        lane_count = min(small_lanes(), threads) if self.copier.plain_local else 0
        window = max(threads * 2, 16 * lane_count)
        with (
            ThreadPoolExecutor(threads, thread_name_prefix="transfer-mover") as pool,
            Lanes(max(1, lane_count)) as lanes,
        ):
            while True:
                if not self.stop.is_set():
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
                            inflight.add(pool.submit(self._work, unit))
                        else:
                            inflight.add(lanes.submit(self._work, unit))
                finished = not inflight and (
                    self.stop.is_set() or (exhausted and not retries and not handed_back)
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
                    self._settle(outcomes)
                    outcomes = []
                    last_flush = time.monotonic()
                    if not self.lost:
                        try:
                            self._control()
                        except LeaseLost:
                            self._lose()
        # The counters are refreshed by the next phase or by the end of the run.
        self._settle(outcomes, counters=False)
        if not self.lost:
            self._await_renames()
        if self.lost:
            raise LeaseLost(f"transfer task {self.task_id}: its job was taken over")
        if self.stop.is_set():
            raise Stop()

    def _settle(self, outcomes: list[Outcome], *, counters: bool = True) -> None:
        """Flush outcomes; once the job is lost, only throw their temp files away."""
        if not self.lost:
            try:
                self._flush(outcomes, counters=counters)
                return
            except LeaseLost:
                self._lose()
        for o in outcomes:
            if o.status == "staged" and o.row.destination_path:
                self.copier.discard(self.copier.temp_for(o.row))

    def _lose(self) -> None:
        """Another worker holds the task now: stop, and let running units drain."""
        log.warning("transfer task %s: job taken over by another worker", self.task_id)
        self.lost = True
        self.reason = ("lost", "")
        self.stop.set()

    def _take(
        self,
        outcome: Outcome,
        outcomes: list[Outcome],
        retries: list[tuple[float, int, Row]],
        attempts: dict[int, int],
    ) -> None:
        fault = outcome.fault
        if outcome.status != "fault" or fault is None:
            if outcome.row.id in attempts:
                self.retrying = max(0, self.retrying - 1)
                attempts.pop(outcome.row.id, None)
            outcomes.append(outcome)
            return
        tries = attempts.get(outcome.row.id, 0)
        if fault.handling == "retry" and tries < MAX_FILE_RETRIES:
            if tries == 0:
                self.retrying += 1
            attempts[outcome.row.id] = tries + 1
            delay = RETRY_BASE * 2**tries
            heapq.heappush(retries, (time.monotonic() + delay, outcome.row.id, outcome.row))
            self._record_fault(fault, retrying=True)
            return
        self.fatal = fault
        outcomes.append(outcome)
        self.stop.set()

    def _record_fault(self, fault: Fault, *, retrying: bool) -> None:
        if self.lost:
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

    # -- persisting progress -----------------------------------------------------------------
    def _set_rows(self, ids: list[int], state: str, *, from_state: str) -> None:
        if not ids:
            return
        with self.db.session() as session:
            self.fence(session)
            update_rows(session, ids, from_state, {"state": state})
            progress.save_progress(session, self.task_id, retrying=self.retrying)

    def _mark_renamed(self, session: t.Any) -> None:
        """Record as ``done`` the rows renamed into place since the last flush (by their
        ids: renames of later flushes may still be under way)."""
        if not self._renamed:
            return
        renamed, self._renamed = self._renamed, []
        update_rows(session, [o.row.id for o in renamed], ROW_STAGED, {"state": ROW_DONE})
        if self._tally is not None:
            moved: dict[str, list[int]] = {}
            for o in renamed:
                group = moved.setdefault(o.row.kind, [0, 0, 0])
                group[0] += 1
                group[1] += o.size or o.row.size
                group[2] += o.checksummed or 0
            for kind, (count, size, checked) in moved.items():
                self._tally.staged_done(kind, count, size, checked)

    def _flush(self, outcomes: list[Outcome], *, counters: bool = True) -> None:
        """Record finished rows (and the renames of the last flush) in one transaction,
        then rename the newly staged copies into place."""
        self._await_renames(block=False)
        if not outcomes and not self._renamed:
            return
        staged = [o for o in outcomes if o.status == "staged"]
        now = utcnow()
        # The common cases share their values: one bulk UPDATE each, and one move of the
        # tally per kind of row (a flush takes up to FLUSH_ROWS outcomes).
        plain: dict[tuple[str, str, int], list[int]] = {}
        shifted: dict[tuple[str, str, str], list[int]] = {}  # -> [rows, bytes, checksummed]
        params = []
        moves: list[tuple[str, int, tuple[str, str | None], int, int]] = []  # for the tally
        for o in outcomes:
            row = o.row
            size = o.size or row.size
            state = _PLAIN_STATES.get(o.status)
            checked = o.checksummed
            if state is not None and size == row.size:
                if not checked or checked == size or checked == 2 * size:
                    outcome = _PLAIN_OUTCOMES[o.status]
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
            if o.status == "staged":
                values.update(
                    new_state=ROW_STAGED, new_outcome="transferred", new_run=self.run_number
                )
            elif o.status == "linked":
                values.update(new_outcome="transferred")
            elif o.status == "done":
                values.update(new_outcome="done")
            elif o.status == "up_to_date":
                values.update(new_state=ROW_SKIPPED, new_outcome="up_to_date")
            else:  # a skipped source error or the fault that fails the task
                assert o.fault is not None
                values.update(
                    new_state=ROW_SKIPPED if o.status == "skipped" else ROW_FAILED,
                    new_outcome="error",
                    new_code=o.fault.code,
                    new_details=o.fault.description,
                    new_time=now,
                )
            params.append(values)
            to = (values["new_state"], values["new_outcome"])
            moves.append((o.row.kind, o.row.size, to, size, o.checksummed or 0))
        with self.db.session() as session:
            self.fence(session)
            self._last_beat = time.monotonic()  # the fence renewed the lease too
            if self._tally is None and counters:  # taken before this flush's changes
                self._tally = progress.Tally(progress.groups(session, self.task_id))
            self._mark_renamed(session)
            for (state, outcome, factor), ids in plain.items():
                checksummed = _FILES.c.size * factor if factor else 0
                values = {"state": state, "outcome": outcome, "bytes_checksummed": checksummed}
                if state == ROW_STAGED:
                    values["staged_run"] = self.run_number
                update_rows(session, ids, ROW_PENDING, values)
            if params:
                session.execute(
                    update(_FILES)
                    .where(_FILES.c.id == bindparam("row_id"), _FILES.c.state == ROW_PENDING)
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
            if self._tally is not None:
                for (kind, state, outcome), (count, size, checked) in shifted.items():
                    self._tally.shift(kind, (state, outcome), count, size, checked)
                for move in moves:
                    self._tally.move(*move)
            if counters:
                assert self._tally is not None
                numbers = self._tally.numbers(len(self.items), retrying=self.retrying)
                progress.save_progress(session, self.task_id, numbers=numbers)
        if staged:
            self._renaming.append(self._renamer.submit(self._rename, staged))

    def _rename(self, staged: list[Outcome]) -> tuple[list[Outcome], list[Renamed]]:
        """Rename committed copies into place (on the renamer thread): those renamed, and
        (outcome, temp, error) for each that was not."""
        fast_dst = self.copier.fast_dst
        left = staged
        if fast_dst is not None and len(staged) >= procs.MIN_ROWS:
            rows = [(o.row.id, o.row.destination_path or "/") for o in staged]
            done = procs.rename_rows(fast_dst.root, self.task_id, self.run_number, rows)
            if done is not None:  # one the child could not rename is tried here: tells why
                left = [o for o, ok in zip(staged, done, strict=True) if not ok]
        temps = [self.copier.temp_for(o.row) for o in left]
        pairs = [(tmp, o.row.destination_path or "/") for tmp, o in zip(temps, left, strict=True)]
        errors = list(self.copier.replace_all(pairs))
        failed = [
            (o, tmp, error)
            for o, tmp, error in zip(left, temps, errors, strict=True)
            if error is not None
        ]
        if not failed:
            return staged, []
        missed = {id(o) for o, _, _ in failed}
        return [o for o in staged if id(o) not in missed], failed

    def _await_renames(self, *, quiet: bool = False, block: bool = True) -> None:
        """Take in the renames of earlier flushes (without ``block``, only those already
        done); ``quiet`` only records them (a run that is already ending for another
        reason)."""
        while self._renaming:
            if not block and not self._renaming[0].done():
                return
            renamed, failed = self._renaming.pop(0).result()
            self._renamed.extend(renamed)
            self._failed_renames(failed, quiet=quiet)

    def _failed_renames(self, failed: list[Renamed], *, quiet: bool) -> None:
        for o, tmp, error in failed:
            if isinstance(error, NotFound) and not quiet:
                self._check_lease()  # another run renamed it: this run is the stale one
                raise error
            else:
                self.copier.discard(tmp)
                if self.fatal is None and not isinstance(error, NotFound):
                    self.fatal = self.copier.fault(error, "destination", o.row.destination_path)
                self.stop.set()

    def _control(self) -> None:
        """Look for cancel/pause/deadline; keep the job's lease."""
        if time.monotonic() - self._last_beat >= HEARTBEAT_SECONDS:
            self._check_lease()
        with self.db.session() as session:
            task = session.get(TransferTask, self.task_id)
            reason = stop_reason(session, task) if task is not None else ("gone", "")
            if reason is None and task is not None and task.nice_status not in ("OK",):
                if not self.retrying:
                    task.nice_status = "OK"
                    task.nice_status_details = None
                    task.nice_status_short_description = None
        if reason is not None:
            self.reason = reason
            self.stop.set()

    def _dir_times(self) -> None:
        assert self.src is not None
        with self.db.session() as session:
            dirs = session.execute(
                select(TaskFile.destination_path, TaskFile.mtime)
                .where(TaskFile.task_id == self.task_id, TaskFile.kind == KIND_DIR)
                .order_by(TaskFile.id.desc())
            ).all()
        for path, mtime in dirs:
            if mtime is not None and path:
                try:
                    self.dst.set_mtime(path, mtime)
                except StorageError:
                    pass

    # -- the end -----------------------------------------------------------------------------
    def _check_lease(self) -> None:
        """Raise :class:`LeaseLost` if another worker has taken this task's job over."""
        self._last_beat = time.monotonic()
        try:
            self.heartbeat()
        except LeaseLost:
            self.reason = ("lost", "")
            self.stop.set()
            raise

    def _conclude(self, reason: tuple[str, str] | None) -> str:
        with self.db.session() as session:
            if reason is None or reason[0] not in ("gone", "lost"):
                self.fence(session)  # only the job's holder may end the task
            self._mark_renamed(session)
            if reason is None:
                task = session.get(TransferTask, self.task_id)
                if task is None:
                    return "missing"
                if self._fresh_rows is not None and self._tally is not None:
                    # This run stored every row itself and moved the tally with each
                    # change it wrote (the job's fence kept any other run out).
                    numbers = self._tally.numbers(len(self.items))
                else:
                    numbers = progress.counters(session, task)
                status = FAILED if numbers["subtasks_failed"] else SUCCEEDED
                summary = (
                    f"files={numbers['files_transferred']} skipped={numbers['files_skipped']} "
                    f"bytes={numbers['bytes_transferred']}"
                )
                progress.finish(
                    session,
                    self.task_id,
                    status,
                    event=("SUCCEEDED", summary, False),
                    numbers=numbers,
                )
                return status
            kind, message = reason
            if kind == "gone":
                return message or "gone"
            if kind == "lost":
                return "lost"
            if kind == "pause":
                task = session.get(TransferTask, self.task_id)
                if task is not None and task.status == ACTIVE:
                    task.is_paused = True
                    task.nice_status = "PAUSED_BY_ADMIN" if task.admin_paused else "PAUSED"
                    task.nice_status_short_description = "paused"
                    task.nice_status_details = message
                    progress.save_progress(session, self.task_id)
                    progress.add_event(session, self.task_id, "PAUSED", message)
                return "paused"
            if kind == "cancel":
                task = session.get(TransferTask, self.task_id)
                by_admin = task is not None and task.canceled_by_admin is not None
                progress.finish(
                    session,
                    self.task_id,
                    FAILED,
                    fatal_error={"code": "CANCELED", "description": "canceled"},
                    event=("CANCELED", message or "The task was canceled", False),
                    leftover="subtasks_canceled",
                )
                return "canceled_by_admin" if by_admin else "canceled"
            if kind == "deadline":
                progress.finish(
                    session,
                    self.task_id,
                    FAILED,
                    fatal_error={"code": "DEADLINE", "description": "deadline exceeded"},
                    event=("DEADLINE", message, True),
                    leftover="subtasks_expired",
                )
                return FAILED
            fault = self.fatal
            assert fault is not None
            progress.finish(
                session,
                self.task_id,
                FAILED,
                fatal_error={"code": fault.code, "description": fault.description},
                event=(fault.code, fault.description, True),
            )
            return FAILED


# Outcomes recorded in bulk (when the size is as expected): their row state and outcome.
_PLAIN_STATES = {
    "staged": ROW_STAGED,
    "linked": ROW_DONE,
    "done": ROW_DONE,
    "up_to_date": ROW_SKIPPED,
}
_PLAIN_OUTCOMES = {
    "staged": "transferred",
    "linked": "transferred",
    "done": "done",
    "up_to_date": "up_to_date",
}

_DEFAULTS: dict[str, t.Any] = {
    "state": ROW_PENDING,
    "size": 0,
    "bytes_checksummed": 0,
    "is_directory": False,
}


def _as_row(row_id: int, values: t.Mapping[str, t.Any]) -> Row:
    """A row of work from its stored values (column name -> value)."""
    return Row(
        row_id,
        values["kind"],
        values.get("source_path"),
        values.get("destination_path"),
        values.get("size") or 0,
        values.get("mtime"),
        values.get("link_target"),
        bool(values.get("is_directory")),
        values.get("external_checksum"),
        values.get("checksum_algorithm"),
        bool(values.get("new_destination")),
    )


def update_rows(session: t.Any, ids: list[int], from_state: str, values: dict[str, t.Any]) -> None:
    """``UPDATE task_files SET values WHERE id = each of ids AND state = from_state``.

    A run's rows have consecutive ids and finish mostly in order, so the ids go as runs of
    consecutive ids, one ``BETWEEN`` each, in one ``executemany``. (An ``IN`` list of 500
    ids cost SQLAlchemy more to render than the database to run, under the GIL that the API
    and the copy threads need.)"""
    if not ids:
        return
    session.execute(
        update(_FILES)
        .where(
            _FILES.c.id.between(bindparam("first_id"), bindparam("last_id")),
            _FILES.c.state == from_state,
        )
        .values(**values),
        [{"first_id": a, "last_id": b} for a, b in id_runs(ids)],
    )


def id_runs(ids: t.Iterable[int]) -> list[tuple[int, int]]:
    """The distinct ``ids`` as runs of consecutive numbers: (first, last) each, in order."""
    runs: list[tuple[int, int]] = []
    for row_id in sorted(set(ids)):
        if runs and runs[-1][1] == row_id - 1:
            runs[-1] = (runs[-1][0], row_id)
        else:
            runs.append((row_id, row_id))
    return runs


class _WalkHere(Exception):
    """No copy process could walk the sources: this run walks them itself."""


class _Stored:
    """Rows of an expansion stored so far in one transaction: the pending ones as rows of
    work, and every row counted in a :class:`progress.Tally` (the run's, once claimed)."""

    def __init__(self, task_id: str, session: t.Any) -> None:
        self.session = session
        self.defaults = {**_DEFAULTS, "task_id": task_id}
        self.fresh: list[Row] = []
        self.tally = progress.Tally(())

    def add(self, part: list[dict[str, t.Any]]) -> None:
        if not part:
            return
        ids = insert_rows(self.session, _FILES, part, self.defaults, returning_ids=True)
        fresh = self.fresh
        groups: dict[tuple[t.Any, ...], list[int]] = {}  # this part's, added up once
        for row_id, row in zip(ids, part, strict=True):
            state = row.get("state", ROW_PENDING)
            if state == ROW_PENDING:
                fresh.append(_as_row(row_id, row))
            key = (row["kind"], state, row.get("outcome"))
            group = groups.get(key)
            if group is None:
                group = groups[key] = [0, 0, 0]
            group[0] += 1
            group[1] += row.get("size") or 0
            group[2] += row.get("bytes_checksummed") or 0
        for key, (count, size, checksummed) in groups.items():
            self.tally.add(key, count, size, checksummed)


def cleanup_temps(db: Database, task_id: str) -> None:
    """Remove the temp files any run left for rows that will never finish (ended task)."""
    from globus_local.services.transfer.access import connector_and_path

    with db.session() as session:
        task = session.get(TransferTask, task_id)
        if task is None or task.type != "TRANSFER" or not task.destination_endpoint_id:
            return
        runs = task.runs or 0
        endpoint = session.get(Endpoint, task.destination_endpoint_id)
        rows = session.execute(
            select(TaskFile.id, TaskFile.destination_path).where(
                TaskFile.task_id == task_id,
                TaskFile.state.in_([ROW_PENDING, ROW_STAGED]),
                TaskFile.kind.in_([KIND_FILE, KIND_SYMLINK]),
            )
        ).all()
    if endpoint is None or not rows:
        return
    try:
        conn, _ = connector_and_path(endpoint, "/")
    except StorageError:
        return
    for row_id, destination in rows:
        if destination:
            for run in (None, *range(1, runs + 1)):
                discard(conn, temp_path(task_id, row_id, destination, run))
