"""A task's items expanded into its rows, once, by the first run that gets there.

A recursive local walk runs in a copy process and sends its rows in parts, each stored as
it comes while the walk goes on; any other walk is done in the server. The rows, the
expanded flag and the counters are stored in one transaction, the flag and the counters
last, so a run that dies midway leaves no row behind and a second run that expanded the
same task meanwhile claims nothing.
"""

from __future__ import annotations

import typing as t

from sqlalchemy import update

from globus_local.db import Database, utcnow
from globus_local.db.bulk import insert_rows
from globus_local.services.transfer.models_tasks import ACTIVE, ROW_PENDING, TransferTask
from globus_local.services.transfer.mover import procs, progress
from globus_local.services.transfer.mover.expand import (
    DeleteExpander,
    Expansion,
    TransferExpander,
)
from globus_local.services.transfer.mover.rows import DEFAULTS, FILES
from globus_local.services.transfer.mover.state import TaskFacts
from globus_local.services.transfer.mover.subtasks import Row, as_row
from globus_local.storage import StorageConnector


class StoredRows:
    """Rows of an expansion stored so far in one transaction: the pending ones as rows of
    work, and every row counted in a :class:`progress.Tally` (the run's, once claimed)."""

    def __init__(self, task_id: str, session: t.Any) -> None:
        self.session = session
        self.defaults = {**DEFAULTS, "task_id": task_id}
        self.fresh: list[Row] = []
        self.tally = progress.Tally(())

    def add(self, part: list[dict[str, t.Any]]) -> None:
        if not part:
            return
        ids = insert_rows(self.session, FILES, part, self.defaults, returning_ids=True)
        fresh = self.fresh
        groups: dict[tuple[t.Any, ...], list[int]] = {}  # this part's, added up once
        for row_id, row in zip(ids, part, strict=True):
            state = row.get("state", ROW_PENDING)
            if state == ROW_PENDING:
                fresh.append(as_row(row_id, row))
            key = (row["kind"], state, row.get("outcome"))
            group = groups.get(key)
            if group is None:
                group = groups[key] = [0, 0, 0]
            group[0] += 1
            group[1] += row.get("size") or 0
            group[2] += row.get("bytes_checksummed") or 0
        for key, (count, size, checksummed) in groups.items():
            self.tally.add(key, count, size, checksummed)


def expand_task(
    db: Database,
    facts: TaskFacts,
    src: StorageConnector | None,
    dst: StorageConnector,
) -> StoredRows | None:
    """Expand the task's items into stored rows: those rows, or None when another run
    expanded the task or it ended meanwhile (and nothing was stored)."""
    try:
        return _expand(db, facts, src, dst)
    except _NotClaimed:
        return None


class _WalkHere(Exception):
    """No copy process could walk the sources: this run walks them itself."""


class _NotClaimed(Exception):
    """Another run expanded the task, or it ended: the rows stored go with the transaction."""


def _expand(
    db: Database,
    facts: TaskFacts,
    src: StorageConnector | None,
    dst: StorageConnector,
) -> StoredRows:
    now = utcnow()
    if facts.is_transfer:
        assert src is not None
        try:
            with db.session() as session:
                stored = StoredRows(facts.task_id, session)
                walked = procs.expand_transfer(
                    src, dst, facts.options, now, facts.items, on_rows=stored.add
                )
                if walked is None:
                    raise _WalkHere()  # (and the parts stored so far go with it)
                return _claim(session, facts, stored, walked)
        except _WalkHere:
            expansion = TransferExpander(src, dst, facts.options, now).expand(facts.items)
    else:
        expansion = DeleteExpander(dst, facts.options, now).expand(facts.items)
    with db.session() as session:
        return _claim(session, facts, StoredRows(facts.task_id, session), expansion)


def _claim(
    session: t.Any, facts: TaskFacts, stored: StoredRows, expansion: Expansion
) -> StoredRows:
    """Store the expansion's last rows and set the expanded flag with the counters from
    the rows in hand; the run then works from those rows instead of reading them back."""
    stored.add(expansion.rows)
    numbers = stored.tally.numbers(len(facts.items))
    claimed = session.execute(
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
    )
    if not claimed.rowcount:
        raise _NotClaimed()
    return stored
