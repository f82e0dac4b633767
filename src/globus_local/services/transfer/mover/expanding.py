"""A task's items expanded into its rows, once, by the first run that gets there.

A recursive local walk runs in a copy process and sends its rows in parts; any other walk
is done in the server. Each part is stored in a fenced transaction of its own, so a walk
of a million files never holds the database's write lock (and every other task's
flushes) for its whole length, and the write-ahead log is checkpointed as it goes. The
expanded flag and the counters come last, in the transaction of the last part: until then
the task's rows are an unfinished expansion, which a run that finds the task unexpanded
deletes before it walks again (no data is copied before the flag is set), and which a run
that loses the claim deletes too.

The run works from the rows it stored while they are few (``FRESH_ROWS``); past that it
reads its pending rows back in id order, batch by batch, so its memory stays bounded
whatever the task's size.
"""

from __future__ import annotations

import typing as t

from sqlalchemy import CursorResult, delete, select, update

from globus_local.db import Database, utcnow
from globus_local.db.bulk import insert_rows
from globus_local.jobs import LeaseLost
from globus_local.services.transfer.models_tasks import ACTIVE, ROW_PENDING, TransferTask
from globus_local.services.transfer.mover import procs, progress
from globus_local.services.transfer.mover.expand import (
    DeleteExpander,
    Expansion,
    TransferExpander,
)
from globus_local.services.transfer.mover.recording import Fence
from globus_local.services.transfer.mover.rows import DEFAULTS, FILES, id_runs
from globus_local.services.transfer.mover.state import TaskFacts
from globus_local.services.transfer.mover.subtasks import Row, as_row
from globus_local.storage import StorageConnector

FRESH_ROWS = 50_000  # pending rows a run keeps in hand from its expansion, at most
DELETE_ROWS = 5000  # rows of an unfinished expansion deleted per statement


class StoredRows:
    """Rows of an expansion, each part stored in a fenced transaction of its own: the
    first ``FRESH_ROWS`` pending ones as rows of work (``complete`` says whether that is
    all of them: the run reads the rest back, by id after the last in hand), every row
    counted in a :class:`progress.Tally`, and the ids stored as runs of consecutive ids
    (to delete them if the expansion is given up)."""

    def __init__(self, db: Database, task_id: str, fence: Fence) -> None:
        self.db = db
        self.fence = fence
        self.defaults = {**DEFAULTS, "task_id": task_id}
        self.fresh: list[Row] = []
        self.complete = True
        self.tally = progress.Tally(())
        self.ids: list[tuple[int, int]] = []

    def add(self, part: list[dict[str, t.Any]]) -> None:
        """Store ``part`` and commit it."""
        if part:
            with self.db.session() as session:
                self.fence(session)
                self.store(session, part)

    def store(self, session: t.Any, part: list[dict[str, t.Any]]) -> None:
        """Store ``part`` in ``session``'s transaction."""
        if not part:
            return
        ids = insert_rows(session, FILES, part, self.defaults, returning_ids=True)
        self.ids += id_runs(ids)
        fresh = self.fresh
        room = self.complete
        groups: dict[tuple[t.Any, ...], list[int]] = {}  # this part's, added up once
        for row_id, row in zip(ids, part, strict=True):
            state = row.get("state", ROW_PENDING)
            if state == ROW_PENDING and room:
                if len(fresh) < FRESH_ROWS:
                    fresh.append(as_row(row_id, row))
                else:
                    room = self.complete = False
            key = (row["kind"], state, row.get("outcome"))
            group = groups.get(key)
            if group is None:
                group = groups[key] = [0, 0, 0]
            group[0] += 1
            group[1] += row.get("size") or 0
            group[2] += row.get("bytes_checksummed") or 0
        for key, (count, size, checksummed) in groups.items():
            self.tally.add(key, count, size, checksummed)

    def forget(self) -> None:
        """Delete every row stored so far (the expansion is given up)."""
        runs, self.ids = self.ids, []
        self.fresh = []
        self.complete = True
        self.tally = progress.Tally(())
        if not runs:
            return  # (most walks: nothing was sent before the walk here)
        with self.db.session() as session:
            self.fence(session)
            for first, last in runs:
                session.execute(delete(FILES).where(FILES.c.id.between(first, last)))


def clear_unfinished(db: Database, task_id: str, fence: Fence) -> None:
    """Delete the rows an earlier run stored before it died midway through the expansion
    (the task is not expanded, so none of them was worked on)."""
    while True:
        with db.session() as session:
            fence(session)
            ids = session.scalars(
                select(FILES.c.id).where(FILES.c.task_id == task_id).limit(DELETE_ROWS)
            ).all()
            if not ids:
                return
            for first, last in id_runs(ids):
                session.execute(delete(FILES).where(FILES.c.id.between(first, last)))


def expand_task(
    db: Database,
    facts: TaskFacts,
    src: StorageConnector | None,
    dst: StorageConnector,
    fence: Fence,
) -> StoredRows | None:
    """Expand the task's items into stored rows: those rows, or None when another run
    expanded the task or it ended meanwhile (and the rows this run stored are deleted).
    Rows a run that died midway stored are deleted first; so are this run's when the
    walk raises."""
    if facts.resuming:
        clear_unfinished(db, facts.task_id, fence)
    stored = StoredRows(db, facts.task_id, fence)
    try:
        return _expand(db, facts, src, dst, stored)
    except _NotClaimed:
        _forget(stored)
        return None
    except LeaseLost:
        raise  # another run holds the task now, and deals with these rows
    except BaseException:
        _forget(stored)
        raise


def _forget(stored: StoredRows) -> None:
    try:
        stored.forget()
    except LeaseLost:
        pass  # another run holds the task now, and deals with these rows


class _NotClaimed(Exception):
    """Another run expanded the task, or it ended."""


def _expand(
    db: Database,
    facts: TaskFacts,
    src: StorageConnector | None,
    dst: StorageConnector,
    stored: StoredRows,
) -> StoredRows:
    now = utcnow()
    if facts.is_transfer:
        assert src is not None
        walked = procs.expand_transfer(
            src, dst, facts.options, now, facts.items, on_rows=stored.add
        )
        if walked is None:  # no copy process could walk the sources: walk them here
            stored.forget()  # (the parts a lost walk sent are void)
            walked = TransferExpander(src, dst, facts.options, now).expand(facts.items)
        expansion = walked
    else:
        expansion = DeleteExpander(dst, facts.options, now).expand(facts.items)
    return _claim(db, facts, stored, expansion)


def _claim(db: Database, facts: TaskFacts, stored: StoredRows, expansion: Expansion) -> StoredRows:
    """Store the expansion's last rows and set the expanded flag with the counters from
    the rows stored, in one fenced transaction."""
    with db.session() as session:
        stored.fence(session)
        stored.store(session, expansion.rows)
        numbers = stored.tally.numbers(len(facts.items))
        claimed = t.cast(
            "CursorResult[t.Any]",  # an UPDATE's result counts the rows it matched
            session.execute(
                update(TransferTask)
                .where(
                    TransferTask.id == facts.task_id,
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
            ),
        )
        if not claimed.rowcount:
            raise _NotClaimed()  # (the last part goes with the transaction)
    return stored
