"""A long-poll on a task: ``GET /task/<id>/wait?timeout=<seconds>`` answers the task's
document the moment it leaves ACTIVE, or when the wait runs out, so a client learns of
completion without a fixed poll delay.

What a wait holds: nothing but a future on the event loop. It gives its admission turn
back while it waits (:mod:`globus_local.admission`, found in the scope: that module sits
in a layer above), so waiters never fill the running slots; it holds no thread and no
database connection.

A task that ends in this process wakes its waiters at once: its job's worker tells them
as the mover returns (:func:`globus_local.jobs.on_run_end`), and a cancel that ends a task
tells them when its transaction commits (:func:`ended_after_commit`). For every other end
(a task run by a ``globus-local worker`` process, a job given up on) one check loop per
event loop and database (:class:`TaskWatch`) asks, every ``TICK_SECONDS``, which of all
the tasks waited on have ended, in one query in the thread pool, on SQLite and PostgreSQL
alike.

A wait also ends when its client leaves, and at once for every waiter when the process
receives SIGTERM or SIGINT, so a stop is not held up by waiters (they are answered the
task as it stands, within the graceful stop).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import math
import signal
import threading
import typing as t
import weakref

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from globus_local.db import Database
from globus_local.db.after_commit import after_commit
from globus_local.db.database import discard_session
from globus_local.jobs import on_run_end
from globus_local.kit.params import InvalidValue
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer.models_tasks import ACTIVE, FINAL_STATUSES, INACTIVE
from globus_local.services.transfer.mover.handler import CANCELED_OUTCOMES, JOB_KIND
from globus_local.services.transfer.task_access import display_names, ended_task_ids, own_task
from globus_local.services.transfer.task_documents import task_document

log = logging.getLogger(__name__)

# The longest one wait may last; a longer ``timeout`` is cut to it. Advertised in
# WAIT_HEADER on every task document, so a client knows it may wait (the real service
# has no such route, and a client must not call it there).
MAX_WAIT_SECONDS = 20
WAIT_HEADER = "X-Globus-Local-Task-Wait"
# How often the shared check loop looks for ended tasks.
TICK_SECONDS = 0.2
# Most task ids in one check query.
CHECK_BATCH = 500
# Where globus_local.admission puts the request's turn in its scope (TURN_SCOPE_KEY there).
TURN_SCOPE_KEY = "globus_local.turn"
# How many tasks told ended are remembered, for a wait that begins just after the telling.
RECENT_ENDS = 4096
# What a mover's run returns when it ended its task: the task's status, or a cancel.
ENDING_OUTCOMES = frozenset({*FINAL_STATUSES, INACTIVE, *CANCELED_OUTCOMES})


def advertised() -> dict[str, str]:
    """The header that tells a client the wait route is there, and its longest wait."""
    return {WAIT_HEADER: str(MAX_WAIT_SECONDS)}


def parse_timeout(raw: str | None) -> float:
    """``timeout``: seconds to wait at most (a number from 0; above the longest wait it is
    cut to it). Absent: the longest wait."""
    if raw is None or raw == "":
        return float(MAX_WAIT_SECONDS)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidValue(
            f"Invalid value for 'timeout': {raw!r} is not a number of seconds", "timeout"
        )
    return min(seconds, float(MAX_WAIT_SECONDS))


# -- stopping -----------------------------------------------------------------------------------
_stopping = threading.Event()
_hooked = False


def _hook_stop_signals() -> None:
    """Chain onto the server's own SIGTERM and SIGINT handlers (uvicorn's graceful stop),
    so waiters are answered at once instead of holding the stop up. Only a Python handler
    is chained, and only from the main thread (a server run in a thread has none)."""
    global _hooked
    if _hooked or threading.current_thread() is not threading.main_thread():
        return
    _hooked = True
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if not callable(previous):
            continue

        def handler(signum: int, frame: t.Any, previous: t.Callable[..., t.Any] = previous) -> None:
            _stopping.set()
            previous(signum, frame)

        signal.signal(sig, handler)


def stopping() -> bool:
    """Whether this process was told to stop: waits end at once."""
    return _stopping.is_set()


# -- tasks told ended in this process ------------------------------------------------------------
# Guards what both a worker's thread and an event loop touch: which tasks each watch waits
# on, and the tasks lately told ended (a wait that begins between its first look at the
# task and the telling finds it here).
_told_lock = threading.Lock()
_recent: collections.OrderedDict[tuple[str, str], None] = collections.OrderedDict()
_watch_sets: dict[str, weakref.WeakSet[TaskWatch]] = {}


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def task_ended(database: str, task_ids: t.Iterable[str]) -> None:
    """Wake this process's waits on ``task_ids`` in ``database`` (a URL): the tasks have
    ended and that is committed. Safe from any thread."""
    with _told_lock:
        ids = list(task_ids)
        for task_id in ids:
            _recent[(database, task_id)] = None
            _recent.move_to_end((database, task_id))
        while len(_recent) > RECENT_ENDS:
            _recent.popitem(last=False)
        woken = [
            (watch, task_id)
            for watch in _watch_sets.get(database, ())
            for task_id in ids
            if task_id in watch.events
        ]
    for watch, task_id in woken:
        watch.tell(task_id)


def _told(items: list[t.Any], database: str) -> None:
    task_ids = [str(item) for item in items]
    task_ended(database, task_ids)


def ended_after_commit(session: t.Any, task_id: str) -> None:
    """Wake the task's waiters once ``session`` commits the end of the task."""
    after_commit(session, "transfer.task_ended", task_id, _told)


def _run_ended(
    database: str, job_id: str, payload: dict[str, t.Any], result: dict[str, t.Any] | None
) -> None:
    """A mover's run ended in this process: its waiters learn it now if it ended the task
    (a run that paused it, or lost its job, leaves the task ACTIVE)."""
    if result is not None and result.get("outcome") in ENDING_OUTCOMES:
        task_ended(database, [str(payload["task_id"])])


on_run_end(JOB_KIND, _run_ended)


# -- the shared check loop ----------------------------------------------------------------------
class TaskWatch:
    """The waits of one event loop on one database: an event per task waited on, set when
    this process tells of the task's end, or by one loop that checks every waited-on task
    in one query per tick."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.url = _url(db)
        self.loop = asyncio.get_running_loop()
        self.events: dict[str, asyncio.Event] = {}  # changed under _told_lock
        self._waiters: dict[str, int] = {}
        self._ticker: asyncio.Task[None] | None = None
        with _told_lock:
            _watch_sets.setdefault(self.url, weakref.WeakSet()).add(self)

    async def until_ended(self, task_id: str) -> None:
        """Return once ``task_id`` has ended (or the process is stopping)."""
        with _told_lock:
            event = self.events.get(task_id)
            if event is None:
                event = self.events[task_id] = asyncio.Event()
            self._waiters[task_id] = self._waiters.get(task_id, 0) + 1
            if (self.url, task_id) in _recent:
                event.set()
        if self._ticker is None or self._ticker.done():
            self._ticker = self.loop.create_task(self._tick())
        try:
            await event.wait()
        finally:
            with _told_lock:
                self._waiters[task_id] -= 1
                if not self._waiters[task_id]:
                    del self._waiters[task_id], self.events[task_id]
            if not self.events and self._ticker is not None:
                self._ticker.cancel()  # nothing to check: no loop sleeps on in the background
                self._ticker = None

    def tell(self, task_id: str) -> None:
        """From any thread: wake the waits on ``task_id`` (on this watch's loop)."""
        try:
            self.loop.call_soon_threadsafe(self._set, task_id)
        except RuntimeError:  # the loop has closed: nobody waits on it any more
            pass

    def _set(self, task_id: str) -> None:
        if (event := self.events.get(task_id)) is not None:
            event.set()

    def waiting(self, task_id: str) -> int:
        """How many requests wait on ``task_id`` now."""
        return self._waiters.get(task_id, 0)

    async def _tick(self) -> None:
        while self.events:
            await asyncio.sleep(TICK_SECONDS)
            if stopping():
                ended: set[str] = set(self.events)
            else:
                ended = await self._check(sorted(self.events))
            for task_id in ended:
                self._set(task_id)

    async def _check(self, task_ids: list[str]) -> set[str]:
        try:
            return await run_in_threadpool(_ended, self.db, task_ids)
        except Exception:  # the database hiccuped: waits go on, and run out at worst
            log.warning("checking waited-on tasks failed", exc_info=True)
            return set()


def _ended(db: Database, task_ids: list[str]) -> set[str]:
    ended: set[str] = set()
    with db.session() as session:
        for start in range(0, len(task_ids), CHECK_BATCH):
            ended |= ended_task_ids(session, task_ids[start : start + CHECK_BATCH])
    return ended


_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Database, TaskWatch]] = (
    weakref.WeakKeyDictionary()
)


def _watch(db: Database) -> TaskWatch:
    """This event loop's watch on ``db`` (the TLS listener serves on a loop of its own)."""
    by_db = _watches.setdefault(asyncio.get_running_loop(), {})
    if db not in by_db:
        by_db[db] = TaskWatch(db)
    return by_db[db]


class _ClientGone(Exception):
    pass


def waiting_on(task_id: str) -> int:
    """How many requests of this process wait on ``task_id`` (for tests and operators)."""
    return sum(w.waiting(task_id) for by_db in list(_watches.values()) for w in by_db.values())


# -- the request --------------------------------------------------------------------------------
class _Turn(t.Protocol):
    def given_back(self) -> t.AsyncContextManager[None]: ...


def _read(db: Database, ctx: AuthContext, task_id: str) -> tuple[dict[str, t.Any], bool]:
    """The caller's task document (404 as for the task GET) and whether it is ACTIVE."""
    session = db.sessionmaker()
    try:
        task = own_task(session, ctx, task_id)
        return task_document(task, display_names(session, [task])), task.status == ACTIVE
    finally:
        discard_session(session)


async def _client_gone(request: Request) -> None:
    """Return once the client has gone (a GET: its empty body is read first)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _wait(request: Request, db: Database, task_id: str, seconds: float) -> bool:
    """Wait for the task to end, the client to leave (False) or ``seconds`` to pass."""
    ended = asyncio.ensure_future(_watch(db).until_ended(task_id))
    gone = asyncio.ensure_future(_client_gone(request))
    try:
        await asyncio.wait((ended, gone), timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for future in (ended, gone):
            future.cancel()
    return not (gone.done() and not gone.cancelled())


async def task_when_ended(
    request: Request, ctx: AuthContext, task_id: str, seconds: float
) -> Response:
    """The caller's task document once the task is no longer ACTIVE, or after ``seconds``
    (or at once when the process is stopping)."""
    _hook_stop_signals()
    db: Database = request.app.state.db
    doc, active = await run_in_threadpool(_read, db, ctx, task_id)
    if active and seconds > 0 and not stopping():
        turn: _Turn | None = request.scope.get(TURN_SCOPE_KEY)
        with_turn_back = turn.given_back() if turn is not None else contextlib.nullcontext()
        try:
            async with with_turn_back:
                if not await _wait(request, db, task_id, seconds):
                    raise _ClientGone  # out of the block without taking a turn again
        except _ClientGone:
            return Response(status_code=204)  # nobody to answer
        doc, _ = await run_in_threadpool(_read, db, ctx, task_id)
    return JSONResponse(doc, headers=advertised())
