"""Asynchronous writes: a task row per request, applied by the ``search.ingest`` job.

Writes to one index are applied in the order they were accepted: the job for task *N*
applies every still-pending task of that index up to *N* in sequence, one per
transaction (``TASKS_PER_TRANSACTION``), each transaction locking the index row. A later
job finding its task already done has nothing to do (and changes nothing), and a retried
job (after a worker died) finds its task still pending because nothing was committed.

The job stops between tasks when asked (:meth:`JobContext.should_stop`): tasks applied so
far are kept; when the process is stopping the job goes back to the queue, and when the
job was canceled or its deadline passed, its own task fails if it was not reached.
"""

from __future__ import annotations

import datetime as dt
import logging
import typing as t
import uuid
from contextlib import contextmanager, suppress

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, undefer

from globus_local.db import Database, utcnow
from globus_local.jobs import JobContext, JobStopped, StopReason, enqueue, job_handler
from globus_local.services.search.backends import FullTextBackend, backend_for
from globus_local.services.search.backends.select import store_for
from globus_local.services.search.engine import matching_entry_pks
from globus_local.services.search.ingest import delete_entries, entry_key, upsert_entries
from globus_local.services.search.models import SearchEntry, SearchIndex, SearchTask, TaskState
from globus_local.services.search.query.request import build_plan
from globus_local.services.search.tantivy_store import (
    Changes,
    CopyWrite,
    TantivyStore,
    stamp_of,
)

log = logging.getLogger("globus_local.search")

JOB_KIND = "search.ingest"
# Tasks applied per transaction: a job holds the index's (on SQLite, the database's) write
# lock for one transaction at a time, so a backlog does not keep other writers waiting;
# one task each lets the next ingest request store its task between them.
TASKS_PER_TRANSACTION = 1
# SQLite's page cache while a job writes (negative: KiB), for the field and text indexes.
WRITE_CACHE_KIB = -65536

INGEST = "INGEST"
DELETE_BY_QUERY = "DELETE_BY_QUERY"
DELETE_BY_SUBJECT = "DELETE_BY_SUBJECT"
DELETE_ENTRY = "DELETE_ENTRY"


def submit_task(
    session: Session, index: SearchIndex, task_type: str, payload: dict[str, t.Any]
) -> SearchTask:
    """Record a task and enqueue its job in the caller's transaction."""
    task = SearchTask(
        task_id=str(uuid.uuid4()),
        index_id=index.id,
        task_type=task_type,
        state=TaskState.PENDING,
        state_description="Task pending",
        payload=payload,
        creation_date=utcnow(),
    )
    session.add(task)
    session.flush()
    enqueue(session, JOB_KIND, {"task_id": task.task_id, "index_id": index.id})
    return task


def submit_response(task: SearchTask) -> dict[str, t.Any]:
    return {"acknowledged": True, "task_id": task.task_id}


def _subjects_of(session: Session, pks: list[int]) -> int:
    subjects: set[str] = set()
    for start in range(0, len(pks), 500):
        subjects.update(
            session.scalars(
                select(SearchEntry.subject).where(SearchEntry.pk.in_(pks[start : start + 500]))
            )
        )
    return len(subjects)


def apply_task(
    session: Session, backend: FullTextBackend, task: SearchTask, changes: Changes | None = None
) -> dict[str, t.Any]:
    """Apply one task; ``changes`` receives what the tantivy copy must add and remove."""
    payload = task.payload
    if task.task_type == INGEST:
        count = upsert_entries(session, backend, task.index_id, payload["entries"], changes)
        return {"num_entries_ingested": count}
    if task.task_type == DELETE_BY_QUERY:
        plan = build_plan(payload["query"], paging=False)
        pks = matching_entry_pks(session, backend, task.index_id, plan)
    elif task.task_type == DELETE_BY_SUBJECT:
        pks = list(
            session.scalars(
                select(SearchEntry.pk).where(
                    SearchEntry.index_id == task.index_id,
                    SearchEntry.subject.in_(payload["subjects"]),
                )
            )
        )
    elif task.task_type == DELETE_ENTRY:
        pks = list(
            session.scalars(
                select(SearchEntry.pk).where(
                    SearchEntry.index_id == task.index_id,
                    SearchEntry.subject == payload["subject"],
                    SearchEntry.entry_key == entry_key(payload.get("entry_id")),
                )
            )
        )
    else:
        raise ValueError(f"unknown task type {task.task_type!r}")
    subjects = _subjects_of(session, pks)
    deleted = delete_entries(session, backend, pks, changes)
    return {"num_entries_deleted": deleted, "num_subjects_deleted": subjects}


def process_index_tasks(
    db: Database, index_id: str, up_to_seq: int | None = None, *, ctx: JobContext | None = None
) -> int:
    """Apply the index's pending tasks (through ``up_to_seq``) in order; returns how many.

    With the job's ``ctx``: stop before the next task when the job is asked to, and record
    progress on the job in the same transaction, which fences it (a worker that lost the
    job commits nothing).
    """
    backend = backend_for(db)
    store = store_for(db)
    if store is None:
        return _apply_all(db, backend, None, index_id, up_to_seq, ctx)
    with store.job(index_id):
        return _apply_all(db, backend, store, index_id, up_to_seq, ctx)


def _apply_all(
    db: Database,
    backend: FullTextBackend,
    store: TantivyStore | None,
    index_id: str,
    up_to_seq: int | None,
    ctx: JobContext | None,
) -> int:
    applied = 0
    while True:  # one transaction per TASKS_PER_TRANSACTION tasks
        wrote: list[bool] = []
        try:
            done, more = _apply_pending(db, backend, store, index_id, up_to_seq, ctx, wrote)
        except BaseException:
            if store is not None and wrote:
                # the copy may be ahead of the database: drop it, the next job rebuilds it
                store.discard(index_id)
            raise
        applied += done
        if not more or (ctx is not None and ctx.should_stop()):
            return applied


def _stamp(session: Session, index_id: str) -> str:
    return stamp_of(
        session.scalar(select(SearchIndex.content_last_modified).where(SearchIndex.id == index_id))
    )


def _apply_pending(
    db: Database,
    backend: FullTextBackend,
    store: TantivyStore | None,
    index_id: str,
    up_to_seq: int | None,
    ctx: JobContext | None,
    wrote: list[bool],
) -> tuple[int, bool]:
    """Apply up to TASKS_PER_TRANSACTION pending tasks in one transaction; returns how
    many, and whether more may be pending."""
    now = utcnow()
    with db.session() as session:
        # First statement of the transaction: takes the write lock on the index row
        # (SQLite: the database write lock), so concurrent jobs apply tasks one at a time.
        # It changes nothing yet: the stamp the tantivy copy must hold is read under the lock.
        session.execute(
            update(SearchIndex)
            .where(SearchIndex.id == index_id)
            .values(content_last_modified=SearchIndex.content_last_modified)
            .execution_options(synchronize_session=False)
        )
        tasks = _pending(session, index_id, up_to_seq)
        if not tasks:  # nothing changes: the index and its copy keep their stamp
            return 0, False
        copy = (
            store.begin(session, index_id, _stamp(session, index_id)) if store is not None else None
        )
        try:
            with _write_cache(session):
                applied = _apply_tasks(session, backend, copy, index_id, now, tasks, ctx)
            if copy is not None:
                session.flush()
                wrote.append(True)
                copy.commit(_stamp(session, index_id))
        except BaseException:
            if copy is not None and not wrote:
                copy.rollback()
            raise
        finally:
            if copy is not None:
                copy.close()
        return applied, applied == TASKS_PER_TRANSACTION


def _pending(session: Session, index_id: str, up_to_seq: int | None) -> list[SearchTask]:
    """The next TASKS_PER_TRANSACTION pending tasks of the index, in order."""
    query = (
        select(SearchTask)
        .options(undefer(SearchTask.payload))
        .where(SearchTask.index_id == index_id, SearchTask.state == TaskState.PENDING)
    )
    if up_to_seq is not None:
        query = query.where(SearchTask.seq <= up_to_seq)
    return list(session.scalars(query.order_by(SearchTask.seq).limit(TASKS_PER_TRANSACTION)))


def _apply_tasks(
    session: Session,
    backend: FullTextBackend,
    copy: CopyWrite | None,
    index_id: str,
    now: dt.datetime,
    tasks: list[SearchTask],
    ctx: JobContext | None,
) -> int:
    """The transaction's tasks, each in a savepoint; each task's changes reach the copy's
    writer as it succeeds. Returns how many were applied."""
    session.execute(
        update(SearchIndex)
        .where(SearchIndex.id == index_id)
        .values(content_last_modified=now)
        .execution_options(synchronize_session=False)
    )
    applied = 0
    for task in tasks:
        if ctx is not None and ctx.should_stop():
            break
        changes = Changes()
        try:
            with session.begin_nested():
                details = apply_task(session, backend, task, changes)
        except Exception as err:  # a bad task fails alone; the others still apply
            log.exception("search task %s failed", task.task_id)
            task.state = TaskState.FAILED
            task.state_description = "Task failed"
            task.message = str(err) or type(err).__name__
        else:
            if copy is not None:
                copy.apply(changes)
            task.state = TaskState.SUCCESS
            task.state_description = "Task succeeded"
            task.additional_details = details
        task.completion_date = utcnow()
        applied += 1
    if ctx is not None:
        ctx.progress(session, {"applied": applied, "left": len(tasks) - applied})
    return applied


@contextmanager
def _write_cache(session: Session) -> t.Iterator[None]:
    """On SQLite, a page cache that holds the indexes an ingest writes into (the
    connection's default is a few megabytes), given back when the transaction ends."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size={WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        with suppress(SQLAlchemyError):  # a failed transaction's error is the one to raise
            conn.exec_driver_sql(f"PRAGMA cache_size={int(before or 0)}")


_STOPPED_TASK = {
    StopReason.CANCELED: "Task canceled",
    StopReason.DEADLINE: "Task deadline passed",
}


def _fail_unreached(ctx: JobContext, task_id: str, reason: StopReason) -> None:
    """Fail the job's own task if the stopped job never reached it (fenced)."""
    message = _STOPPED_TASK.get(reason)
    if message is None:  # stopping with the process: another worker resumes the job
        return
    with ctx.db.session() as session:
        ctx.fence(session)
        session.execute(
            update(SearchTask)
            .where(SearchTask.task_id == task_id, SearchTask.state == TaskState.PENDING)
            .values(
                state=TaskState.FAILED,
                state_description="Task failed",
                message=message,
                completion_date=utcnow(),
            )
        )


@job_handler(JOB_KIND)
def run_search_task(ctx: JobContext) -> dict[str, t.Any] | None:
    """The job: bring the task's index up to (at least) this task."""
    task_id = ctx.payload["task_id"]
    index_id = ctx.payload["index_id"]
    with ctx.db.session() as session:
        seq = session.scalar(select(SearchTask.seq).where(SearchTask.task_id == task_id))
    if seq is None:
        return {"applied": 0}
    applied = process_index_tasks(ctx.db, index_id, seq, ctx=ctx)
    reason = ctx.stop_reason
    if reason is not None:
        with ctx.db.session() as session:
            state = session.scalar(select(SearchTask.state).where(SearchTask.task_id == task_id))
        if state == TaskState.PENDING:  # stopped before reaching its own task
            _fail_unreached(ctx, task_id, reason)
            raise JobStopped(reason, result={"applied": applied})
    return {"applied": applied}
