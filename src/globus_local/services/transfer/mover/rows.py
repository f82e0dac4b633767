"""A task's rows in the database, as the runner reads and changes them: its pending rows in
id order, a batch of rows changed by runs of consecutive ids, and the kinds of row with
work left."""

from __future__ import annotations

import typing as t

from sqlalchemy import bindparam, select, update

from globus_local.db import Database
from globus_local.services.transfer.models_tasks import (
    ROW_PENDING,
    ROW_STAGED,
    TaskFile,
)
from globus_local.services.transfer.mover.subtasks import Row

FILES = TaskFile.__table__
FETCH_ROWS = 2000  # rows read at a time, each batch in its own short session

# The values a stored row gets for the columns its expansion left out.
DEFAULTS: dict[str, t.Any] = {
    "state": ROW_PENDING,
    "size": 0,
    "bytes_checksummed": 0,
    "is_directory": False,
}

# The columns of a row of work (see subtasks.Row), the id first.
_WORK_COLUMNS = (
    FILES.c.id,
    FILES.c.kind,
    FILES.c.source_path,
    FILES.c.destination_path,
    FILES.c.size,
    FILES.c.mtime,
    FILES.c.link_target,
    FILES.c.is_directory,
    FILES.c.external_checksum,
    FILES.c.checksum_algorithm,
    FILES.c.new_destination,
)


def pending(
    db: Database, task_id: str, columns: t.Sequence[t.Any], *where: t.Any
) -> t.Iterator[list[t.Any]]:
    """``columns`` (the id first) of the task's pending rows matching ``where``, in id
    order, read FETCH_ROWS at a time, each batch in its own short session."""
    last = 0
    while True:
        with db.session() as session:
            batch = session.execute(
                select(*columns)
                .where(
                    FILES.c.task_id == task_id,
                    FILES.c.state == ROW_PENDING,
                    *where,
                    FILES.c.id > last,
                )
                .order_by(FILES.c.id)
                .limit(FETCH_ROWS)
            ).all()
        if not batch:
            return
        yield list(batch)
        last = batch[-1][0]


def pending_work(
    db: Database, task_id: str, kinds: list[str], *, after: int = 0
) -> t.Iterator[Row]:
    """The task's pending rows of ``kinds`` with ids above ``after`` as rows of work, in id order, read
    ``FETCH_ROWS`` at a time, each batch in its own short session.

    The statement goes to the driver's own cursor: a large task's rows are read back
    once each, and SQLAlchemy's result rows cost more per row than the query itself."""
    names = ", ".join(c.name for c in _WORK_COLUMNS)
    last = after
    while True:
        with db.session() as session:
            connection = session.connection()
            mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
            kind_marks = ", ".join(mark for _ in kinds)
            sql = (
                f"SELECT {names} FROM {FILES.name} WHERE task_id = {mark} "
                f"AND state = {mark} AND kind IN ({kind_marks}) AND id > {mark} "
                f"ORDER BY id LIMIT {FETCH_ROWS}"
            )
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(sql, (task_id, ROW_PENDING, *kinds, last))
                batch = cursor.fetchall()
            finally:
                cursor.close()
        if not batch:
            return
        for r in batch:
            yield Row(
                r[0], r[1], r[2], r[3], r[4] or 0, r[5], r[6], bool(r[7]), r[8], r[9], bool(r[10])
            )
        last = batch[-1][0]


def kinds_left(db: Database, task_id: str) -> set[str]:
    """The kinds of the task's rows that are pending or staged."""
    with db.session() as session:
        found = session.scalars(
            select(TaskFile.kind)
            .where(
                TaskFile.task_id == task_id,
                TaskFile.state.in_([ROW_PENDING, ROW_STAGED]),
            )
            .distinct()
        ).all()
    return set(found)


def update_rows(session: t.Any, ids: list[int], from_state: str, values: dict[str, t.Any]) -> None:
    """``UPDATE task_files SET values WHERE id = each of ids AND state = from_state``.

    A run's rows have consecutive ids and finish mostly in order, so the ids go as runs of
    consecutive ids, one ``BETWEEN`` each, in one ``executemany``: an ``IN`` list of many
    ids costs SQLAlchemy more to render than the database to run, under the GIL that the
    API and the copy threads need."""
    if not ids:
        return
    session.execute(
        update(FILES)
        .where(
            FILES.c.id.between(bindparam("first_id"), bindparam("last_id")),
            FILES.c.state == from_state,
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
